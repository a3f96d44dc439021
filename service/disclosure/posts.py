"""A post as the engine sees it, parsed from the §12 format of disclosure-rules.md.

Parsing is hand-written rather than a marshmallow schema because it runs once per post in bulk checks and
sits on the engine's hot path; it still reports every problem per field, like a schema would. Fields of the
test-case format that are not inputs (``expected``, ``rule_ids``, ``source``, ``notes``) and any other
unknown fields are ignored, so files of cases can be checked as they are.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from service.disclosure.model import ACCOUNT_TYPES, MEDIA_FLAGS, MEDIA_TYPES, PLATFORMS, RELATIONSHIPS

JURISDICTION_ALIASES = {"UK": "GB", "EL": "GR"}
PLATFORM_ALIASES = {"twitter": "x", "ig": "instagram", "yt": "youtube"}
_JURISDICTION = re.compile(r"^[A-Z]{2}$")
_LIST_SEPARATORS = re.compile(r"[\s,;/+|]+")


class PostError(ValueError):
    """The post cannot be checked; ``errors`` says what is wrong, per field."""

    def __init__(self, errors: Mapping[str, list[str]]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in self.errors.items()))


@dataclass(frozen=True, slots=True)
class Overlay:
    """Text burned into a video or livestream, shown from ``start_s`` to ``end_s``."""

    text: str
    start_s: float
    end_s: float


@dataclass(frozen=True, slots=True)
class Post:
    id: Any
    jurisdictions: tuple[str, ...]
    platform: str
    media_type: str
    relationship: str
    paid_partnership_tag: bool
    caption: str
    transcript: str = ""
    story_frames: tuple[str, ...] = ()
    on_screen_text: tuple[Overlay, ...] = ()
    duration_s: float | None = None
    first_comment: str = ""
    bio: str = ""
    account_type: str = "creator"
    media_flags: frozenset[str] = frozenset()
    posted_on: date | None = None


class _Reader:
    """Reads fields one by one, collecting problems instead of stopping at the first."""

    def __init__(self, data: Mapping[str, Any]):
        self.data = data
        self.errors: dict[str, list[str]] = {}

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def present(self, name: str) -> bool:
        return self.data.get(name) is not None

    def text(self, name: str, *, required: bool = False) -> str:
        value = self.data.get(name)
        if value is None:
            if required:
                self.fail(name, "is required")
            return ""
        if not isinstance(value, str):
            self.fail(name, "must be a string")
            return ""
        return value

    def choice(self, name: str, choices: tuple[str, ...], aliases: Mapping[str, str] | None = None) -> str:
        value = self.text(name, required=True)
        normalised = value.strip().lower()
        normalised = (aliases or {}).get(normalised, normalised)
        if value and normalised not in choices:
            self.fail(name, f"must be one of {', '.join(choices)} (got {value!r})")
        return normalised

    def number(self, value: Any, name: str) -> float | None:
        # JSON readers accept NaN and Infinity; neither is a time.
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.fail(name, "must be a number of seconds")
            return None
        if value < 0:
            self.fail(name, "must not be negative")
            return None
        return float(value)

    def listed(self, name: str, read: Callable[[Any, str], Any]) -> tuple[Any, ...]:
        value = self.data.get(name)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.fail(name, "must be a list")
            return ()
        items = [read(item, f"{name}[{index}]") for index, item in enumerate(value)]
        return tuple(item for item in items if item is not None)


def parse_post(data: Any) -> Post:
    """Validate one post; raises ``PostError`` listing every problem."""
    if not isinstance(data, Mapping):
        raise PostError({"post": ["must be a JSON object"]})
    reader = _Reader(data)
    post_id = data.get("id")
    if post_id is None or isinstance(post_id, bool) or not isinstance(post_id, str | int) or post_id == "":
        reader.fail("id", "is required (a string or a number)")
    post = Post(
        id=post_id,
        jurisdictions=_jurisdictions(reader),
        platform=reader.choice("platform", PLATFORMS, PLATFORM_ALIASES),
        media_type=reader.choice("media_type", MEDIA_TYPES),
        relationship=_relationship(reader),
        paid_partnership_tag=_flag(reader, "paid_partnership_tag"),
        caption=reader.text("caption"),
        transcript=reader.text("transcript"),
        story_frames=reader.listed("story_frames", _frame(reader)),
        on_screen_text=reader.listed("on_screen_text", _overlay(reader)),
        duration_s=reader.number(data["duration_s"], "duration_s") if reader.present("duration_s") else None,
        first_comment=reader.text("first_comment"),
        bio=reader.text("bio"),
        account_type=reader.choice("account_type", ACCOUNT_TYPES) if reader.present("account_type") else "creator",
        media_flags=frozenset(reader.listed("media_flags", _media_flag(reader))),
        posted_on=_posted_on(reader),
    )
    if reader.errors:
        raise PostError(reader.errors)
    return post


def _jurisdictions(reader: _Reader) -> tuple[str, ...]:
    """One code, a list of codes, or a string such as "DE,AT": every audience the post reaches."""
    raw = reader.data.get("jurisdiction", reader.data.get("jurisdictions"))
    if raw is None:
        reader.fail("jurisdiction", "is required")
        return ()
    if isinstance(raw, str):
        codes = [code for code in _LIST_SEPARATORS.split(raw.strip()) if code]
    elif isinstance(raw, list) and all(isinstance(code, str) for code in raw):
        codes = [code.strip() for code in raw]
    else:
        reader.fail("jurisdiction", "must be a country code or a list of country codes")
        return ()
    result: list[str] = []
    for code in codes:
        code = JURISDICTION_ALIASES.get(code.upper(), code.upper())
        if not _JURISDICTION.match(code):
            reader.fail("jurisdiction", f"{code!r} is not an ISO 3166 alpha-2 code (use GB for the UK)")
        elif code not in result:
            result.append(code)
    if not result and "jurisdiction" not in reader.errors:
        reader.fail("jurisdiction", "is required")
    return tuple(result)


def _relationship(reader: _Reader) -> str:
    """The relationship; several are reduced to the one that takes precedence (§11)."""
    raw = reader.data.get("relationship")
    values: list[str] = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    if not values or not all(isinstance(value, str) for value in values):
        reader.fail("relationship", f"is required: one of {', '.join(RELATIONSHIPS)}")
        return "none"
    normalised = [value.strip().lower().replace("-", "_").replace(" ", "_") for value in values]
    unknown = [value for value in normalised if value not in RELATIONSHIPS]
    if unknown:
        reader.fail("relationship", f"must be one of {', '.join(RELATIONSHIPS)} (got {', '.join(unknown)})")
        return "none"
    return min(normalised, key=RELATIONSHIPS.index)


def _flag(reader: _Reader, name: str) -> bool:
    value = reader.data.get(name, False)
    if not isinstance(value, bool):
        reader.fail(name, "must be true or false")
        return False
    return value


def _frame(reader: _Reader) -> Callable[[Any, str], str | None]:
    def read(item: Any, name: str) -> str | None:
        if not isinstance(item, str):
            reader.fail(name, "must be a string (the text on the frame)")
            return None
        return item

    return read


def _overlay(reader: _Reader) -> Callable[[Any, str], Overlay | None]:
    def read(item: Any, name: str) -> Overlay | None:
        if not isinstance(item, Mapping) or not isinstance(item.get("text"), str):
            reader.fail(name, 'must be an object {"text", "start_s", "end_s"}')
            return None
        start = reader.number(item.get("start_s", 0), f"{name}.start_s")
        end = reader.number(item.get("end_s"), f"{name}.end_s")
        if start is None or end is None:
            return None
        if end < start:
            reader.fail(name, "ends before it starts")
            return None
        return Overlay(item["text"], start, end)

    return read


def _media_flag(reader: _Reader) -> Callable[[Any, str], str | None]:
    def read(item: Any, name: str) -> str | None:
        if item not in MEDIA_FLAGS:
            reader.fail(name, f"must be one of {', '.join(MEDIA_FLAGS)}")
            return None
        return str(item)

    return read


def _posted_on(reader: _Reader) -> date | None:
    """Optional posting date; the rules in force on that day apply (default: the day of the check)."""
    raw = reader.data.get("posted_at", reader.data.get("date"))
    if raw is None:
        return None
    if isinstance(raw, str):
        try:
            return datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
        except ValueError:
            pass
    reader.fail("posted_at", "must be an ISO 8601 date, such as 2026-03-01")
    return None
