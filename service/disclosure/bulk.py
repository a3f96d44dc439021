"""Bulk checks: an uploaded CSV or JSON Lines file of posts, checked in batched jobs.

The file is split at upload into batches of ``BATCH_ROWS`` rows; each batch is one job. A row that cannot
be read (bad JSON, a bad CSV value) or checked (a missing field) becomes a result with its line number and
the problem; the other rows are checked regardless. Progress is the share of rows in finished batches;
the results are downloadable as JSON Lines or CSV (cells that a spreadsheet would run as a formula are
neutralised).
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select

from service.billing.limits import require_within_plan
from service.billing.usage import record_usage
from service.disclosure.engine import check_post
from service.disclosure.models import BulkBatch, BulkCheck, BulkStatus
from service.disclosure.posts import PostError, parse_post
from service.disclosure.rulebook import default_rule_book
from service.errors import NotFound, Unprocessable
from service.extensions import db
from service.jobs import RECONCILE_BATCH, DeferredJob, defer_job
from service.models import utcnow
from tenants.access import Principal
from tenants.context import unscoped

BATCH_ROWS = 500
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
LIST_FIELDS = ("jurisdiction", "story_frames", "media_flags")
JSON_FIELDS = ("on_screen_text",)
BOOL_FIELDS = ("paid_partnership_tag",)
NUMBER_FIELDS = ("duration_s",)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def file_format(filename: str, declared: str | None = None) -> str:
    name = filename.lower()
    fmt = declared or (
        "csv" if name.endswith(".csv") else "jsonl" if name.endswith((".jsonl", ".ndjson", ".json")) else ""
    )
    if fmt not in ("csv", "jsonl"):
        raise Unprocessable("Upload a .csv or .jsonl file.", errors={"file": ["Use CSV or JSON Lines."]})
    return fmt


def read_rows(data: bytes, fmt: str) -> list[dict[str, Any]]:
    """Rows with their line numbers: ``{"line", "post"}`` or ``{"line", "problem"}``."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unprocessable("The file is not UTF-8 text.", errors={"file": ["Save it as UTF-8."]}) from exc
    rows = list(_storable(_jsonl_rows(text) if fmt == "jsonl" else _csv_rows(text)))
    if not rows:
        raise Unprocessable("The file has no posts.", errors={"file": ["No rows found."]})
    if len(rows) > MAX_ROWS:
        raise Unprocessable("Too many rows.", errors={"file": [f"At most {MAX_ROWS} posts per file."]})
    return rows


def _storable(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """A row with a NUL character or invalid Unicode (a lone surrogate) cannot be stored or shown: a bad row."""
    from service.api import find_unstorable

    for row in rows:
        where = find_unstorable(row.get("post", {}))
        if where:
            yield {
                "line": row["line"],
                "problem": f"{', '.join(sorted(where))}: contains a NUL character or invalid Unicode",
            }
        else:
            yield row


def _jsonl_rows(text: str) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield {"line": number, "problem": f"not valid JSON ({exc.msg} at column {exc.colno})"}
            continue
        if not isinstance(value, dict):
            yield {"line": number, "problem": "a line must be one JSON object"}
        else:
            yield {"line": number, "post": value}


def _csv_rows(text: str) -> Iterator[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    previous_end = 1  # the header line
    try:
        for record in reader:
            line = previous_end + 1  # a record may span lines (quoted newlines): report where it starts
            previous_end = reader.line_num
            try:
                yield {"line": line, "post": _csv_post(record)}
            except ValueError as exc:
                yield {"line": line, "problem": str(exc)}
    except csv.Error as exc:
        # The reader cannot go on past this point (a cell over the field size limit, a broken quote).
        raise Unprocessable(
            f"The CSV file cannot be read from line {reader.line_num} on: {exc}.",
            errors={"file": [f"Line {reader.line_num}: {exc}."]},
        ) from exc


def _csv_post(record: dict[str | Any, Any]) -> dict[str, Any]:
    if None in record:
        raise ValueError("more cells than columns in the header")
    post: dict[str, Any] = {}
    for name, raw in record.items():
        value = (raw or "").strip()
        if not value:
            continue
        if name in LIST_FIELDS:
            post[name] = (
                [part.strip() for part in value.split("|")] if "|" in value or name != "jurisdiction" else value
            )
        elif name in JSON_FIELDS:
            try:
                post[name] = json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{name}: not valid JSON") from exc
        elif name in BOOL_FIELDS:
            if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(f"{name}: use true or false")
            post[name] = value.lower() in ("true", "1", "yes")
        elif name in NUMBER_FIELDS:
            try:
                post[name] = float(value)
            except ValueError as exc:
                raise ValueError(f"{name}: not a number") from exc
        else:
            post[name] = raw
    return post


def create_bulk_check(
    filename: str, data: bytes, principal: Principal, *, lang: str = "en", client_id: uuid.UUID | None = None
) -> BulkCheck:
    require_within_plan("disclosure_check")
    if len(data) > MAX_FILE_BYTES:
        raise Unprocessable("The file is too large.", errors={"file": [f"At most {MAX_FILE_BYTES // 2**20} MB."]})
    if client_id is not None:
        from tenants.operations import get_client

        get_client(client_id, principal)
    elif not principal.can_access_client(None):
        raise NotFound("No client with this id in your account.")
    fmt = file_format(filename)
    rows = read_rows(data, fmt)
    bulk = BulkCheck(
        client_id=client_id,
        filename=filename[:200] or "upload",
        file_format=fmt,
        language=lang,
        total_rows=len(rows),
        created_by=principal.label[:254],
    )
    db.session.add(bulk)
    db.session.flush()
    batches = [rows[i : i + BATCH_ROWS] for i in range(0, len(rows), BATCH_ROWS)]
    bulk.batch_count = len(batches)
    for number, chunk in enumerate(batches, start=1):
        batch = BulkBatch(bulk_id=bulk.id, number=number, rows=chunk)
        db.session.add(batch)
        db.session.flush()
        defer_job(bulk_batch_job(bulk.tenant_id, batch.id))
    return bulk


def unfinished_batches(cutoff: datetime) -> list[DeferredJob]:
    """The jobs of bulk batches uploaded before ``cutoff`` and not checked yet (a source of the reconciler)."""
    with unscoped("find unfinished bulk batches of every tenant"):
        rows = db.session.execute(
            select(BulkBatch.tenant_id, BulkBatch.id)
            .join(BulkCheck, (BulkCheck.tenant_id == BulkBatch.tenant_id) & (BulkCheck.id == BulkBatch.bulk_id))
            .where(BulkBatch.done.is_(False), BulkCheck.created_at <= cutoff)
            .limit(RECONCILE_BATCH)
        ).all()
    return [bulk_batch_job(tenant_id, batch_id) for tenant_id, batch_id in rows]


def bulk_batch_job(tenant_id: uuid.UUID, batch_id: uuid.UUID) -> DeferredJob:
    return DeferredJob("disclosure.bulk_batch", (str(tenant_id), str(batch_id)), f"disclosure-bulk-{batch_id}")


def run_batch(batch_id: uuid.UUID) -> int:
    """Check one batch (again a no-op when it is already done)."""
    batch = db.session.execute(
        select(BulkBatch).where(BulkBatch.id == batch_id).with_for_update(of=BulkBatch)
    ).scalar_one_or_none()
    if batch is None or batch.done:
        return 0
    bulk = batch.bulk
    book = default_rule_book()
    results = [_check_row(row, bulk.language, book) for row in batch.rows]
    batch.results = results
    batch.bad_rows = sum(1 for r in results if "problem" in r)
    batch.checked_rows = len(results) - batch.bad_rows
    batch.done = True
    db.session.flush()
    for result in results:
        if "problem" not in result:
            record_usage("disclosure_check", f"bulk:{bulk.id}:{result['line']}", client_id=bulk.client_id)
    _finish_if_complete(bulk.id)
    return len(results)


def _check_row(row: dict[str, Any], lang: str, book: Any) -> dict[str, Any]:
    if "problem" in row:
        return {"line": row["line"], "problem": row["problem"]}
    try:
        result = check_post(parse_post(row["post"]), lang=lang, book=book)
    except PostError as exc:
        return {"line": row["line"], "id": row["post"].get("id"), "problem": str(exc)}
    return {"line": row["line"], **result.as_dict()}


def _finish_if_complete(bulk_id: uuid.UUID) -> None:
    # The lock serialises the last two batches, so exactly one of them sees every batch done.
    bulk = db.session.execute(
        select(BulkCheck).where(BulkCheck.id == bulk_id).with_for_update(of=BulkCheck)
    ).scalar_one()
    done = db.session.execute(
        select(BulkBatch.id).where(BulkBatch.bulk_id == bulk_id, BulkBatch.done.is_(False))
    ).first()
    if done is None and bulk.status != BulkStatus.DONE:
        bulk.status, bulk.completed_at = BulkStatus.DONE, utcnow()


def get_bulk_check(bulk_id: uuid.UUID, principal: Principal) -> BulkCheck:
    bulk = db.session.execute(select(BulkCheck).where(BulkCheck.id == bulk_id)).scalar_one_or_none()
    if bulk is None or not principal.can_access_client(bulk.client_id):
        raise NotFound("No bulk check with this id in your account.")
    return bulk


def bulk_checks_query(principal: Principal) -> Any:
    query = select(BulkCheck).order_by(BulkCheck.created_at.desc(), BulkCheck.id)
    if principal.client_ids is not None:
        query = query.where(BulkCheck.client_id.in_(principal.client_ids))
    return query


def progress(bulk: BulkCheck) -> dict[str, Any]:
    finished = [b for b in bulk.batches if b.done]
    processed = sum(len(b.rows) for b in finished)
    return {
        "id": bulk.id,
        "filename": bulk.filename,
        "file_format": bulk.file_format,
        "status": bulk.status,
        "total_rows": bulk.total_rows,
        "processed_rows": processed,
        "checked_rows": sum(b.checked_rows for b in finished),
        "bad_rows": sum(b.bad_rows for b in finished),
        "percent": round(100 * processed / bulk.total_rows) if bulk.total_rows else 100,
        "verdicts": _verdict_counts(finished),
        "created_at": bulk.created_at,
        "completed_at": bulk.completed_at,
    }


def _verdict_counts(batches: Iterable[BulkBatch]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for batch in batches:
        for result in batch.results:
            if "verdict" in result:
                counts[result["verdict"]] = counts.get(result["verdict"], 0) + 1
    return counts


def results(bulk: BulkCheck) -> Iterator[dict[str, Any]]:
    for batch in bulk.batches:
        yield from batch.results


def results_jsonl(bulk: BulkCheck) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results(bulk))


def spreadsheet_safe(text: str) -> str:
    """A cell starting like a formula is prefixed with an apostrophe so a spreadsheet shows it as text."""
    return "'" + text if text.startswith(FORMULA_START) else text


def results_csv(bulk: BulkCheck) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["line", "id", "verdict", "rule_ids", "problem", "messages", "fixes"])
    for result in results(bulk):
        findings = result.get("findings", [])
        cells = [
            str(result["line"]),
            "" if result.get("id") is None else str(result["id"]),
            result.get("verdict", ""),
            " ".join(result.get("rule_ids", [])),
            result.get("problem", ""),
            " | ".join(f["message"] for f in findings),
            " | ".join(f["fix"] for f in findings),
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
    return out.getvalue()
