"""The terms form of the web pages: the main terms as fields, the rest as JSON, both back into a terms document.

The page shows the fields a brand changes most with their complete values (the fair defaults pre-filled),
the deliverables as rows, and every other stated term as JSON in the format of contract-terms.md. When the
form comes back, a field becomes part of the stated terms only if it was stated before or now differs from
the complete value the page showed: an untouched default stays a default and keeps following the rest.
The same conversion serves saving and the live fairness panel, so the panel judges exactly what is saved.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from service.contracts import vocabulary as v
from service.contracts.jurisdictions import JURISDICTIONS
from service.contracts.terms import TermsError

BASE_FIELD = "base_terms"
OTHER_FIELD = "other_terms"
PREFIX = "terms."
DELIVERABLE_KEYS = ("platform", "format", "quantity")
_INTEGER = re.compile(r"^-?\d+$")
_DECIMAL = re.compile(r"^-?\d+([.,]\d+)?$")


@dataclass(frozen=True)
class TermField:
    path: str
    kind: str  # text, integer, decimal, date, country, choice, flag, languages
    label: Any
    hint: Any = ""
    choices: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return PREFIX + self.path

    @property
    def dom_id(self) -> str:
        return "t-" + self.path.replace(".", "-").replace("_", "-")


_SHARED_HEAD = (
    TermField(
        "meta.jurisdiction", "choice", _l("Jurisdiction"), _l("The law and labelling rules that apply."), JURISDICTIONS
    ),
    TermField("meta.languages", "languages", _l("Languages of the contract")),
    TermField("meta.effective_date", "date", _l("Effective date"), _l("Empty: the day it is signed.")),
)

INFLUENCER_FIELDS = (
    TermField("parties.brand.legal_name", "text", _l("Brand (legal name)")),
    TermField("parties.brand.country", "country", _l("Brand's country"), _l("Two letters, e.g. DE")),
    TermField("parties.creator.legal_name", "text", _l("Creator (legal name)")),
    TermField("parties.creator.country", "country", _l("Creator's country"), _l("Two letters, e.g. DE")),
    *_SHARED_HEAD,
    TermField("meta.end_date", "date", _l("End date")),
    TermField("compensation.fee_net", "decimal", _l("Net fee"), _l("Use 0 for product-only or commission-only deals.")),
    TermField("compensation.currency", "text", _l("Currency"), _l("Three letters, e.g. EUR")),
    TermField("payment.days", "integer", _l("Payment within (days)")),
    TermField("approval.review_days", "integer", _l("Brand's review of drafts (business days)")),
    TermField("approval.revision_rounds", "integer", _l("Revision rounds included")),
    TermField("usage.duration_months", "integer", _l("Usage rights (months)")),
    TermField("usage.paid_media_allowed", "flag", _l("The brand may use the content in paid ads")),
    TermField("exclusivity.scope", "choice", _l("Exclusivity"), "", v.EXCLUSIVITY_SCOPES),
    TermField("exclusivity.months_during_term", "integer", _l("Exclusivity during the term (months)")),
    TermField("exclusivity.months_post_term", "integer", _l("Exclusivity after the term (months)")),
    TermField("disclosure.label", "text", _l("Advertising label"), _l("The word the creator puts first, e.g. Werbung")),
)

CORPORATE_FIELDS = (
    TermField("parties.brand.legal_name", "text", _l("Employer (legal name)")),
    TermField("parties.creator.legal_name", "text", _l("Employee (name)")),
    *_SHARED_HEAD,
    TermField("emp.time.counts_as_working_time", "flag", _l("Posting counts as working time")),
    TermField("emp.time.weekly_budget_hours", "decimal", _l("Time budget per week (hours)")),
    TermField("emp.account.type", "choice", _l("Account used"), "", v.EMP_ACCOUNT_TYPES),
    TermField("emp.content.right_to_refuse", "flag", _l("The employee may refuse a post")),
    TermField("emp.codet.works_council_exists", "flag", _l("There is a works council")),
    TermField("emp.disclosure.format", "text", _l("How the employment is disclosed")),
)


def fields_for(contract_type: str) -> tuple[TermField, ...]:
    return CORPORATE_FIELDS if contract_type == "corporate_influencer" else INFLUENCER_FIELDS


def has_deliverables(contract_type: str) -> bool:
    return contract_type != "corporate_influencer"


# --- reading and writing dotted paths ------------------------------------------------------------


def get_path(data: Mapping[str, Any] | None, path: str, default: Any = None) -> Any:
    current: Any = data
    for part in path.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return default
        current = current[part]
    return current


def has_path(data: Mapping[str, Any], path: str) -> bool:
    marker = object()
    return get_path(data, path, marker) is not marker


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    current = data
    for part in parents:
        if not isinstance(current.get(part), dict):
            current[part] = {}
        current = current[part]
    current[last] = value


def drop_path(data: dict[str, Any], path: str) -> None:
    *parents, last = path.split(".")
    current: Any = data
    for part in parents:
        if not isinstance(current, dict) or part not in current:
            return
        current = current[part]
    if isinstance(current, dict):
        current.pop(last, None)


# --- what the page shows -------------------------------------------------------------------------


def shown_value(field: TermField, complete: Mapping[str, Any]) -> Any:
    """The value the input shows: the complete terms' (a stated one or the fair default)."""
    value = get_path(complete, field.path)
    if field.kind == "flag":
        return bool(value)
    if field.kind == "languages":
        return list(value or [])
    return "" if value is None else value


def other_terms(document: Mapping[str, Any], contract_type: str) -> str:
    """The stated terms the fields do not show, as the JSON of the "further terms" box."""
    rest = copy.deepcopy(dict(document))
    for field in fields_for(contract_type):
        drop_path(rest, field.path)
    if has_deliverables(contract_type):
        rest.pop("deliverables", None)
    meta = rest.get("meta")
    if isinstance(meta, dict):
        meta.pop("contract_type", None)
    for section in [name for name, value in rest.items() if isinstance(value, dict)]:
        _prune_empty(rest, section)
    return json.dumps(rest, ensure_ascii=False, indent=2, sort_keys=True) if rest else "{}"


def _prune_empty(data: dict[str, Any], key: str) -> None:
    value = data.get(key)
    if isinstance(value, dict):
        for inner in list(value):
            _prune_empty(value, inner)
        if not value:
            data.pop(key)


def deliverable_rows(complete: Mapping[str, Any], extra: int = 1) -> list[dict[str, Any]]:
    rows = [
        {key: ("" if item.get(key) is None else item.get(key)) for key in DELIVERABLE_KEYS}
        for item in complete.get("deliverables") or []
    ]
    return rows + [dict.fromkeys(DELIVERABLE_KEYS, "") for _ in range(max(extra, 2 - len(rows)))]


def posted_value(field: TermField, form: MultiDict) -> Any:
    """What the field showed when the form was sent (to show it again after a refusal)."""
    if field.kind == "flag":
        return form.get(field.name) in ("on", "true", "1")
    if field.kind == "languages":
        return form.getlist(field.name)
    return form.get(field.name, "")


def posted_rows(form: MultiDict) -> list[dict[str, Any]]:
    rows = []
    index = 0
    while f"deliverables-{index}-platform" in form:
        rows.append({key: form.get(f"deliverables-{index}-{key}", "") for key in DELIVERABLE_KEYS})
        index += 1
    return rows or deliverable_rows({})


# --- what comes back -----------------------------------------------------------------------------


def _json_object(raw: str | None, name: str) -> dict[str, Any]:
    text = (raw or "").strip()
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TermsError({name: [f"Not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}."]}) from exc
    if not isinstance(value, dict):
        raise TermsError({name: ["Must be a JSON object: {...}."]})
    return value


def _converted(field: TermField, form: MultiDict) -> Any:
    if field.kind == "flag":
        return form.get(field.name) in ("on", "true", "1")
    if field.kind == "languages":
        return [lang for lang in ("de", "en") if lang in form.getlist(field.name)]
    raw = (form.get(field.name) or "").strip()
    if raw == "":
        return None
    if field.kind == "integer" and _INTEGER.match(raw):
        return int(raw)
    if field.kind == "decimal" and _DECIMAL.match(raw):
        number = float(raw.replace(",", "."))
        return int(number) if number.is_integer() else number
    if field.kind == "country":
        return raw.upper()
    return raw  # text, date, choice; a number that is not one stays text and is refused with its path


def _deliverables(form: MultiDict, base: list[Any]) -> list[dict[str, Any]]:
    """Rows back into deliverables; a deliverable's other stated fields stay with its row."""
    items = []
    index = 0
    while f"deliverables-{index}-platform" in form:
        row = {key: (form.get(f"deliverables-{index}-{key}") or "").strip() for key in DELIVERABLE_KEYS}
        if any(row.values()):
            earlier = base[index] if index < len(base) and isinstance(base[index], dict) else {}
            item = {**earlier, "platform": row["platform"] or None, "format": row["format"] or None}
            quantity = row["quantity"]
            item["quantity"] = int(quantity) if _INTEGER.match(quantity) else (quantity or 1)
            items.append(item)
        index += 1
    return items


def document_from_form(form: MultiDict, contract_type: str, complete_base: Mapping[str, Any]) -> dict[str, Any]:
    """The stated terms from a submitted form.

    :param complete_base: the complete terms the page was built from (to tell changed fields from shown ones).
    :raises TermsError: the hidden base or the further-terms box is not a JSON object (with its field name).
    """
    base = _json_object(form.get(BASE_FIELD), BASE_FIELD)
    document = _json_object(form.get(OTHER_FIELD), OTHER_FIELD)
    for field in fields_for(contract_type):
        value = _converted(field, form)
        if has_path(base, field.path) or value != get_path(complete_base, field.path):
            set_path(document, field.path, value)
    if has_deliverables(contract_type):
        document["deliverables"] = _deliverables(form, list(base.get("deliverables") or []))
    meta = document.setdefault("meta", {})
    if isinstance(meta, dict):
        meta["contract_type"] = contract_type
    return document


def base_json(document: Mapping[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, sort_keys=True)


PLATFORMS = v.PLATFORMS
FORMATS = v.FORMATS
