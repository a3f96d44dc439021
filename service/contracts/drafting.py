"""Terms documents as a contract holds them: what the brand stated, the complete terms, and their findings.

A contract keeps two things per version: the terms *document* the brand stated (anything left out takes its
fair default) and the *complete* terms that ``load_terms`` makes of it. Keeping the document lets a derived
default keep following the rest (change the jurisdiction and the default label changes with it) until the
brand states the field itself.

Some templates read sections the terms format does not define (the affiliate template's ``affiliate``
commission block): such a section is carried next to the terms, checked only for being a JSON object, and
handed to the template as is; the fairness rules never see it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from service.contracts.fairness import LintResult, lint_terms
from service.contracts.legal_constants import legal_constant
from service.contracts.terms import TermsError, load_terms, terms_fields, terms_to_json
from service.documents.catalogue import ContractTemplate
from service.models import utcnow

LOCALES = ("en", "de")


@dataclass(frozen=True)
class CompleteTerms:
    """A validated terms document: the complete terms (plain JSON) and the linter's verdict on them."""

    document: dict[str, Any]
    terms: dict[str, Any]
    lint: LintResult
    findings: list[dict[str, Any]]

    @property
    def fair(self) -> bool:
        return self.lint.fair


def known_sections() -> frozenset[str]:
    return frozenset(path.split(".")[0] for path in terms_fields())


def template_sections(template: ContractTemplate) -> frozenset[str]:
    """Top-level sections the template reads that the terms format does not define."""
    paths = (*template.meta.required_terms, *template.meta.optional_terms)
    roots = {path.split(".")[0].removesuffix("[]") for path in paths}
    return frozenset(roots - known_sections())


def merge_terms(base: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """``patch`` over ``base``: objects merge key by key; anything else (lists, numbers, null) replaces.

    Unlike JSON Merge Patch, null is kept as a value: in the terms format it means "none" or "unlimited".
    """
    merged = copy.deepcopy(dict(base))
    for key, value in patch.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_terms(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def complete_terms(document: Any, template: ContractTemplate, *, on: date | None = None) -> CompleteTerms:
    """Validate ``document`` for ``template``, fill in the fair defaults and lint the result.

    :raises TermsError: with the problems per dotted field path (422); nothing is stored by the caller.
    """
    if not isinstance(document, Mapping):
        raise TermsError({"terms": ["Must be a JSON object."]})
    document = copy.deepcopy(dict(document))
    meta = document.get("meta")
    if isinstance(meta, Mapping) and meta.get("contract_type") not in (None, template.meta.contract_type):
        raise TermsError({"meta.contract_type": [f"Must be {template.meta.contract_type!r} for this template."]})
    document["meta"] = {**(meta if isinstance(meta, Mapping) else {}), "contract_type": template.meta.contract_type}
    extra_names = template_sections(template)
    extras = {name: document.pop(name) for name in list(document) if name in extra_names}
    problems = {name: ["Must be a JSON object."] for name, value in extras.items() if not isinstance(value, Mapping)}
    if problems:
        raise TermsError(problems)
    terms = terms_to_json(load_terms(document, on=on))
    lint = lint_terms(terms, locale="en", on=on)
    german = {finding.rule_id: finding for finding in lint_terms(terms, locale="de", on=on).findings}
    findings = [finding_record(finding.as_dict(), german.get(finding.rule_id)) for finding in lint.findings]
    document.update(extras)
    return CompleteTerms(document=document, terms={**terms, **extras}, lint=lint, findings=findings)


def stated_only(document: Mapping[str, Any], template: ContractTemplate) -> dict[str, Any]:
    """``document`` without the values it states that are the fair defaults anyway (a smaller, clearer draft).

    Compared with the complete terms of a skeleton (contract type, deliverables and fee only), so a derived
    default that the document merely repeats is left to be derived.
    """
    skeleton = {
        "meta": {"contract_type": template.meta.contract_type},
        **{key: document[key] for key in ("deliverables", "compensation") if key in document},
    }
    try:
        defaults = complete_terms(skeleton, template).terms
    except TermsError:
        return copy.deepcopy(dict(document))
    # What the skeleton was built from is stated, whatever the defaults say (deliverables, the fee).
    return merge_terms(_differences(document, defaults), {key: skeleton[key] for key in skeleton if key != "meta"})


def _differences(stated: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in stated.items():
        default = defaults.get(key) if isinstance(defaults, Mapping) else None
        if isinstance(value, Mapping) and isinstance(default, Mapping):
            inner = _differences(value, default)
            if inner:
                kept[key] = inner
        elif key not in defaults or value != default:
            kept[key] = copy.deepcopy(value)
    return kept


def finding_record(english: dict[str, str], german: Any) -> dict[str, Any]:
    """A finding as stored with a version: the English texts (the API's) and the German ones for the pages."""
    return {
        **english,
        "message_de": german.message if german is not None else english["message"],
        "fix_de": german.fix if german is not None else english["fix"],
    }


def finding_in(finding: Mapping[str, Any], locale: str) -> dict[str, Any]:
    """A stored finding with message and fix in ``locale`` (de or en)."""
    shown = {key: finding[key] for key in ("rule_id", "severity", "message", "fix", "citation")}
    if locale == "de":
        shown["message"] = finding.get("message_de") or finding["message"]
        shown["fix"] = finding.get("fix_de") or finding["fix"]
    return shown


def legal_constants_for(template: ContractTemplate, terms: Mapping[str, Any]) -> dict[str, Any]:
    """The legal constants the template prints, as in force on the contract's effective date."""
    day = judged_on(terms)
    return {name: _plain(legal_constant(name, on=day)) for name in template.meta.legal_constants}


def judged_on(terms: Mapping[str, Any]) -> date:
    """The contract's effective date, else today: the date its legal constants and rules are taken from."""
    raw = (terms.get("meta") or {}).get("effective_date")
    if isinstance(raw, date):
        return raw
    return date.fromisoformat(raw) if isinstance(raw, str) else utcnow().date()


def _plain(value: Any) -> Any:
    """Mappings of constants are read-only proxies; the document sandbox accepts plain dicts only."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    return value


def contract_languages(terms: Mapping[str, Any]) -> tuple[list[str], str | None]:
    meta = terms.get("meta") or {}
    languages = [lang for lang in meta.get("languages") or [] if lang in LOCALES] or ["de"]
    precedence = meta.get("language_precedence")
    return languages, precedence if precedence in languages else None
