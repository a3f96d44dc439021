"""Building posts for the engine tests: a plain paid Instagram image for Germany unless told otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from service.disclosure import check_data

DASH = "\u2013"  # the en dash captions use between label and text
DEV_CASES = Path(__file__).resolve().parent / "data" / "disclosure-dev-cases.jsonl"

# Long enough that anything appended lies well past every platform's "more" cut.
LONG_DE = "Ich liebe diesen Kaffee wirklich sehr, er schmeckt schokoladig und hat kaum Säure. " * 6
LONG_EN = "Beach days are finally back and I spent the whole weekend at the coast with my friends. " * 6
LONG_FR = "Ma routine du matin avec un bon café et une balade au parc avant de commencer la journée. " * 6


def post(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "t-1",
        "jurisdiction": "DE",
        "platform": "instagram",
        "media_type": "image",
        "relationship": "paid",
        "paid_partnership_tag": False,
        "caption": "",
    }
    data.update(fields)
    return data


def outcome(**fields: Any) -> tuple[str, list[str]]:
    """(verdict, rule ids) for a post built from ``fields``."""
    result = check_data(post(**fields))
    return result.verdict.value, list(result.rule_ids)


COMPLIANT: tuple[str, list[str]] = ("compliant", [])


def violation(*rule_ids: str) -> tuple[str, list[str]]:
    return "violation", list(rule_ids)


def review(*rule_ids: str) -> tuple[str, list[str]]:
    return "needs_review", list(rule_ids)
