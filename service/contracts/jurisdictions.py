"""What differs between the jurisdictions a contract can be made under: labels and language precedence.

The values live in ``data/jurisdictions.yaml`` so that a lawyer-reviewed change is a data change.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

DATA_FILE = Path(__file__).parent / "data" / "jurisdictions.yaml"

JURISDICTIONS = ("DE", "AT", "EU_OTHER", "UK", "US_NY", "US_CA", "US_IL", "US_OTHER")
LANGUAGES = ("de", "en")


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    disclosure_labels: tuple[str, ...] | None
    language_precedence: str | None
    employment_disclosure: str

    @property
    def default_label(self) -> str | None:
        return self.disclosure_labels[0] if self.disclosure_labels else None

    def label_allowed(self, label: str) -> bool | None:
        """Whether ``label`` is on the allow-list (trimmed, case-insensitive); None if there is no list."""
        if self.disclosure_labels is None:
            return None
        wanted = label.strip().casefold()
        return any(wanted == allowed.casefold() for allowed in self.disclosure_labels)


def jurisdiction(code: str) -> Jurisdiction:
    return _load()[code]


@functools.cache
def _load() -> dict[str, Jurisdiction]:
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))["jurisdictions"]
    missing = set(JURISDICTIONS) - set(raw)
    if missing:
        raise RuntimeError(f"{DATA_FILE}: no entry for {', '.join(sorted(missing))}")
    return {code: _parse(code, raw[code]) for code in JURISDICTIONS}


def _parse(code: str, entry: dict) -> Jurisdiction:
    labels = entry["disclosure_labels"]
    precedence = entry["language_precedence"]
    if precedence not in (*LANGUAGES, None):
        raise RuntimeError(f"{DATA_FILE}: {code}: language_precedence {precedence!r} is not de, en or null")
    return Jurisdiction(
        code=code,
        disclosure_labels=None if labels is None else tuple(str(label) for label in labels),
        language_precedence=precedence,
        employment_disclosure=str(entry["employment_disclosure"]),
    )
