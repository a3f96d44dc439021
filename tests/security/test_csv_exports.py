"""Every CSV export, found by walking every GET route (web and API, plain and with ?format=csv): no cell a
spreadsheet would run as a formula, and text that looks like SQL comes out exactly as it went in.

The world's names (clients, creator, campaign, post, key, bulk rows) start with = + - @ tab and CR, so each
export that shows user text shows hostile text.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.security.routes import get_routes
from tests.security.world import SQL_TEXT, build_world
from tests.support.web import sign_in

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
KNOWN_EXPORTS = {
    "/settings/billing/usage.csv",
    "/disclosure/dashboard",
    "/disclosure/bulk/<uuid:bulk_id>/results",
    "/api/v1/disclosure/bulk-checks/<uuid:bulk_id>/results",
}


def _is_csv(response: Any) -> bool:
    return response.status_code == 200 and (
        response.mimetype == "text/csv" or ".csv" in response.headers.get("Content-Disposition", "")
    )


def _exports(app: Any, client: Any, world: Any) -> dict[str, list[list[str]]]:
    """Every route that answered CSV, plain or when asked for ?format=csv, with its parsed cells."""
    found = {}
    for rule, url in get_routes(app, world):
        for candidate in (url, f"{url}?format=csv"):
            with client.get(candidate, headers=world.headers if url.startswith("/api/") else {}) as response:
                if _is_csv(response):
                    found[rule.rule] = list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))
                    break
    return found


def test_every_csv_export_neutralises_formulas(app, client, seed, run_jobs):
    world = build_world(app, client, seed, run_jobs)
    sign_in(client, world.owner_email)

    exports = _exports(app, client, world)

    assert set(exports) >= KNOWN_EXPORTS, sorted(exports)
    problems = [
        f"{route}: cell {cell!r} would run as a formula"
        for route, rows in exports.items()
        for row in rows
        for cell in row
        if cell.startswith(FORMULA_START)
    ]
    assert not problems, "\n".join(problems)
    for route, rows in exports.items():  # each export did show hostile user text, shown as text
        cells = [cell for row in rows[1:] for cell in row]
        assert any(cell.startswith("'") for cell in cells), f"{route} shows no user text: {rows}"
    bulk_ids = [row[1] for row in exports["/api/v1/disclosure/bulk-checks/<uuid:bulk_id>/results"][1:]]
    assert SQL_TEXT in bulk_ids  # stored and exported verbatim: no query was built from it
