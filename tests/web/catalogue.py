"""The German catalogue: where it lives, and compiling it when the .mo is missing or older than the .po.

``make test`` compiles it with ``pybabel compile`` first; compiling here as well lets a plain
``pytest tests/web`` run show German pages instead of silently falling back to English.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = PROJECT_ROOT / "service" / "translations"
GERMAN_PO = TRANSLATIONS / "de" / "LC_MESSAGES" / "messages.po"
GERMAN_MO = GERMAN_PO.with_suffix(".mo")


def compile_catalogue() -> None:
    if GERMAN_MO.exists() and GERMAN_MO.stat().st_mtime >= GERMAN_PO.stat().st_mtime:
        return
    with GERMAN_PO.open("rb") as po:
        catalogue = read_po(po, locale="de")
    with GERMAN_MO.open("wb") as mo:
        write_mo(mo, catalogue)
