"""The labelling obligation of a post before it is made: which words, where, and an example to copy.

Contract signing and the creator portal call ``labelling_obligation``; the answer comes from the same rule
packs the engine checks against, so what a creator is told and what is later checked cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from service.disclosure.context import video_kind
from service.disclosure.model import LANGUAGES, MEDIA_TYPES, PLATFORMS, RELATIONSHIPS, JurisdictionPack
from service.disclosure.posts import JURISDICTION_ALIASES
from service.disclosure.rulebook import RuleBook, default_rule_book

_CONTEXT_OF_KIND = {None: "caption", "short": "short_video", "long": "long_video", "live": "live"}


class ObligationError(ValueError):
    """The question cannot be answered (an unknown relationship, platform, media type or jurisdiction)."""


@dataclass(frozen=True, slots=True)
class JurisdictionObligation:
    jurisdiction: str
    required: bool
    accepted_words: tuple[str, ...]
    avoid_words: tuple[str, ...]
    placement: str
    example_label: str
    note: str | None
    citation: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "jurisdiction": self.jurisdiction,
            "required": self.required,
            "accepted_words": list(self.accepted_words),
            "avoid_words": list(self.avoid_words),
            "placement": self.placement,
            "example_label": self.example_label,
            "note": self.note,
            "citation": self.citation,
        }


@dataclass(frozen=True, slots=True)
class Obligation:
    """What to write and where; every audience jurisdiction's duty must be met at once."""

    relationship: str
    platform: str
    media_type: str
    language: str
    required: bool
    jurisdictions: tuple[JurisdictionObligation, ...]
    example: str  # ready to copy: a caption start that satisfies every jurisdiction
    on_screen_text: str | None  # for stories and videos: what to show on every frame / in the video

    def as_dict(self) -> dict[str, Any]:
        return {
            "relationship": self.relationship,
            "platform": self.platform,
            "media_type": self.media_type,
            "language": self.language,
            "required": self.required,
            "jurisdictions": [item.as_dict() for item in self.jurisdictions],
            "example": self.example,
            "on_screen_text": self.on_screen_text,
        }


def labelling_obligation(
    relationship: str,
    jurisdictions: str | Sequence[str],
    platform: str,
    media_type: str,
    *,
    lang: str = "en",
    duration_s: float | None = None,
    account_type: str = "creator",
    on: date | None = None,
    book: RuleBook | None = None,
) -> Obligation:
    """The labelling duty for one post, in ``lang`` (``en`` or ``de``).

    :raises ObligationError: for an unknown relationship, platform, media type, language or jurisdiction.
    """
    _check_choice("relationship", relationship, RELATIONSHIPS)
    _check_choice("platform", platform, PLATFORMS)
    _check_choice("media_type", media_type, MEDIA_TYPES)
    _check_choice("lang", lang, LANGUAGES)
    book = book or default_rule_book()
    day = on or date.today()
    countries = _countries(jurisdictions)
    kind = video_kind(platform, media_type, duration_s, book.common.settings)
    context = "story" if media_type == "story" else _CONTEXT_OF_KIND[kind]
    items = tuple(
        _for_jurisdiction(book, _pack(book, country), country, relationship, platform, context, lang, account_type, day)
        for country in countries
    )
    required = any(item.required for item in items)
    labels = _unique(item.example_label for item in items if item.required)
    example = _example(book, items, labels, relationship, lang) if required else ""
    on_screen = " ".join(labels).rstrip(" |") if required and context != "caption" else None
    return Obligation(relationship, platform, media_type, lang, required, items, example, on_screen)


def _check_choice(name: str, value: str, choices: Sequence[str]) -> None:
    if value not in choices:
        raise ObligationError(f"{name} must be one of {', '.join(choices)} (got {value!r})")


def _countries(jurisdictions: str | Sequence[str]) -> list[str]:
    raw = [jurisdictions] if isinstance(jurisdictions, str) else list(jurisdictions)
    codes = [part.strip().upper() for item in raw for part in item.replace("+", ",").split(",") if part.strip()]
    if not codes:
        raise ObligationError("give at least one audience jurisdiction")
    return _unique(JURISDICTION_ALIASES.get(code, code) for code in codes)


def _pack(book: RuleBook, country: str) -> JurisdictionPack:
    pack = book.pack_for(country)
    if pack is None:
        raise ObligationError(f"no rule pack covers {country}")
    return pack


def _for_jurisdiction(
    book: RuleBook,
    pack: JurisdictionPack,
    country: str,
    relationship: str,
    platform: str,
    context: str,
    lang: str,
    account_type: str,
    day: date,
) -> JurisdictionObligation:
    texts = pack.obligation
    if account_type == "brand_official" or not pack.duty[relationship]:
        reason = "brand_account" if pack.duty[relationship] else "not_required"
        return JurisdictionObligation(country, False, (), (), "", "", book.common.obligation_texts[reason][lang], None)
    words = texts["words_by_country"].get(country) or texts["words"].get(relationship) or texts["words"]["default"]
    labels = texts.get("example_label", {})
    example_label = texts["example_label_by_country"].get(country) or labels.get(relationship) or labels["default"]
    notes = texts["notes"]
    note = (notes.get(relationship) or notes.get("default") or {}).get(lang)
    return JurisdictionObligation(
        jurisdiction=country,
        required=True,
        accepted_words=tuple(words),
        avoid_words=tuple(texts["avoid"]),
        placement=_placement(book, texts["placement"][context][lang], platform),
        example_label=example_label,
        note=note,
        citation=_citation(book, pack, relationship, day),
    )


def _placement(book: RuleBook, template: str, platform: str) -> str:
    settings = book.common.settings
    return template.format(
        window=settings.truncation.get(platform, 125),
        whole_percent=f"{settings.whole_video_fraction:.0%}",
        brief_flash_seconds=f"{settings.brief_flash_seconds:g}",
    )


def _citation(book: RuleBook, pack: JurisdictionPack, relationship: str, day: date) -> str | None:
    """The legal basis: the citation of the rule that a missing label would break."""
    rule_id = pack.missing_for(relationship)[-1].rule_id
    version = book.rules[rule_id].version_on(day)
    return version.citation if version else None


def _example(
    book: RuleBook, items: Iterable[JurisdictionObligation], labels: list[str], relationship: str, lang: str
) -> str:
    text = book.common.settings.example_text[lang]
    lines = [" ".join([*labels, text])]
    for item in items:
        pack = book.pack_for(item.jurisdiction)
        extra = pack.obligation["example_extra"].get(relationship) if pack else None
        if item.required and extra and extra[lang] not in lines:
            lines.append(extra[lang])
    return "\n".join(lines)


def _unique(values: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen
