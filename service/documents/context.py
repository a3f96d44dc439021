"""The data a clause sees: resolved terms, legal constants, language, numbering; nothing but plain values.

The caller passes terms with the fair defaults already applied (the contracts module's marshmallow schema);
this module checks that every path the template's metadata declares as required is there, fills the optional
ones with null so ``{% if terms.parties.brand.vat_id %}`` works under StrictUndefined, and adds the values a
clause needs but the terms do not hold (clause numbers, the total fee, the document's languages).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from service.documents.errors import RenderError
from service.documents.metadata import LANGUAGES, TemplateMeta
from service.documents.sandbox import NotPlainData, plain_data

MAX_FOOTER_NOTE_CHARS = 400


@dataclass(frozen=True)
class DocumentInfo:
    """What identifies the rendered document: its id (printed on every page) and an optional footer note,
    e.g. the written justification of a fairness override."""

    id: str
    footer_note: str | None = None
    draft: bool = False

    def __post_init__(self) -> None:
        if not self.id or len(self.id) > 100:
            raise RenderError("A document id of 1 to 100 characters is required.")
        if self.footer_note and len(self.footer_note) > MAX_FOOTER_NOTE_CHARS:
            raise RenderError(f"The footer note is longer than {MAX_FOOTER_NOTE_CHARS} characters.")


def to_plain(value: Any, what: str) -> Any:
    try:
        return plain_data(value, what)
    except NotPlainData as exc:
        raise RenderError(str(exc)) from exc


def resolve_terms(meta: TemplateMeta, terms: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A plain copy of the terms with every optional path present, and the values derived from them.

    :raises RenderError: when a required path is missing or the terms are for another contract type.
    """
    resolved = to_plain(terms, "terms")
    if not isinstance(resolved, dict):
        raise RenderError("The terms must be one object.")
    contract_type = (resolved.get("meta") or {}).get("contract_type")
    if contract_type != meta.contract_type:
        raise RenderError(
            f"Template {meta.ref} is for {meta.contract_type} contracts, the terms are {contract_type!r}."
        )
    missing = [path for path in meta.required_terms if not _has_path(resolved, path.split("."))]
    if missing:
        raise RenderError(f"The terms lack what template {meta.ref} needs: {', '.join(missing)}.", {"terms": missing})
    derived = derived_values(resolved)  # before filling: an omitted field and an explicit null differ
    for path in meta.optional_terms:
        _fill_missing(resolved, path.split("."))
    return resolved, derived


def _has_path(value: Any, parts: list[str]) -> bool:
    if not parts:
        return True
    head, rest = parts[0], parts[1:]
    key, is_list = head.removesuffix("[]"), head.endswith("[]")
    if not isinstance(value, dict) or key not in value:
        return False
    if is_list:
        items = value[key]
        return isinstance(items, list) and all(_has_path(item, rest) for item in items)
    return _has_path(value[key], rest)


def _fill_missing(value: dict[str, Any], parts: list[str]) -> None:
    head, rest = parts[0], parts[1:]
    key, is_list = head.removesuffix("[]"), head.endswith("[]")
    if is_list:
        for item in value.get(key) or []:
            if isinstance(item, dict) and rest:
                _fill_missing(item, rest)
        value.setdefault(key, [])
        return
    if not rest:
        value.setdefault(key, None)
        return
    if value.get(key) is None:
        value[key] = {}
    if isinstance(value[key], dict):
        _fill_missing(value[key], rest)


def resolve_legal(meta: TemplateMeta, legal: Mapping[str, Any]) -> dict[str, Any]:
    resolved = to_plain(legal, "legal")
    missing = [name for name in meta.legal_constants if name not in resolved]
    if missing:
        raise RenderError(f"Legal constants missing for template {meta.ref}: {', '.join(missing)}.")
    return dict(resolved)


def document_languages(meta: TemplateMeta, terms: Mapping[str, Any], requested: Sequence[str] | None) -> list[str]:
    """The languages to print, the prevailing one first (it is the one read first and quoted in disputes)."""
    wanted = list(requested or (terms.get("meta") or {}).get("languages") or meta.languages)
    unknown = [lang for lang in wanted if lang not in LANGUAGES or lang not in meta.languages]
    if unknown or not wanted or len(set(wanted)) != len(wanted):
        raise RenderError(f"Template {meta.ref} is available in {', '.join(meta.languages)}, not {wanted}.")
    precedence = language_precedence(terms)
    if precedence in wanted:
        wanted.remove(precedence)
        wanted.insert(0, precedence)
    return wanted


def language_precedence(terms: Mapping[str, Any]) -> str | None:
    precedence = (terms.get("meta") or {}).get("language_precedence")
    return precedence if precedence in LANGUAGES else None


def locale_for(lang: str, terms: Mapping[str, Any]) -> str:
    jurisdiction = str((terms.get("meta") or {}).get("jurisdiction") or "DE")
    if lang == "de":
        return "de_AT" if jurisdiction == "AT" else "de_DE"
    return "en_US" if jurisdiction.startswith("US_") else "en_GB"


def clause_numbers(meta: TemplateMeta, lang: str) -> dict[str, dict[str, str]]:
    """``{clause_id: {"number": "§ 7", "ref": "§ 7", "heading": "Vergütung"}}``; ``ref`` is for cross-references."""
    numbers = {}
    for index, clause_id in enumerate(meta.clauses, start=1):
        heading = meta.heading(clause_id).in_language(lang)
        # German numbers a clause "§ 7" in its heading and in references; English "7." and "clause 7".
        number, ref = (f"§ {index}", f"§ {index}") if lang == "de" else (f"{index}.", str(index))
        numbers[clause_id] = {"number": number, "ref": ref, "heading": heading}
    annex_word = "Anlage" if lang == "de" else "Annex"
    for index, annex_id in enumerate(meta.annexes, start=1):
        heading = meta.heading(annex_id).in_language(lang).split(":", 1)[-1].strip()
        label = f"{annex_word} A{index}"
        numbers[annex_id] = {"number": f"{label}:", "ref": label, "heading": heading}
    return numbers


def derived_values(terms: Mapping[str, Any]) -> dict[str, Any]:
    """Values computed from the terms as contract-terms.md defines them, where an omitted field means
    something other than null: ``total_fee``; ``creator_cap`` (omitted = total_fee, null = uncapped);
    ``governing_law`` and ``forum_country`` (omitted = the creator's country); ``guardian_signature``
    (omitted = whether the creator is a minor)."""
    compensation = terms.get("compensation") or {}
    parts = ("fee_net", "usage_fee", "whitelisting_fee", "exclusivity_fee")
    total = sum((Decimal(str(compensation.get(part) or 0)) for part in parts), Decimal(0))
    liability = terms.get("liability") or {}
    law = terms.get("law") or {}
    creator = (terms.get("parties") or {}).get("creator") or {}
    signature = terms.get("signature") or {}
    return {
        "total_fee": total,
        "creator_cap": liability.get("creator_cap", total),  # an explicit null stays null: uncapped
        "governing_law": law.get("governing_law") or creator.get("country"),
        "forum_country": law.get("forum_country") or creator.get("country"),
        "guardian_signature": signature.get("guardian_signature", bool(creator.get("is_minor"))),
    }


def clause_context(
    meta: TemplateMeta,
    terms: dict[str, Any],
    derived: dict[str, Any],
    legal: dict[str, Any],
    lang: str,
    languages: list[str],
    document: DocumentInfo,
) -> dict[str, Any]:
    """Everything a clause block can read. Each language gets its own copy, so nothing leaks between them."""
    return {
        "terms": copy.deepcopy(terms),
        "legal": copy.deepcopy(legal),
        "lang": lang,
        "locale": locale_for(lang, terms),
        "currency": (terms.get("compensation") or {}).get("currency") or "EUR",
        "clauses": clause_numbers(meta, lang),
        "derived": copy.deepcopy(derived),
        "document": {
            "id": document.id,
            "title": meta.title.in_language(lang),
            "languages": list(languages),
            "precedence": language_precedence(terms),
        },
    }
