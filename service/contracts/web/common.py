"""What the contract pages share: the reader's language, findings in it, and labels for stored values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from service.contracts.drafting import finding_in
from service.web.i18n import translate_message

STATUS_LABELS = {
    "draft": _l("Draft"),
    "sent": _l("Sent"),
    "partially_signed": _l("Partially signed"),
    "signed": _l("Signed"),
    "declined": _l("Declined"),
    "expired": _l("Expired"),
    "voided": _l("Voided"),
}
SEAL_LABELS = {
    "not_applicable": _l("Not yet"),
    "pending": _l("Being sealed"),
    "sealed": _l("Sealed"),
    "failed": _l("Sealing failed"),
}
SIGNER_STATUS_LABELS = {"pending": _l("Waiting"), "signed": _l("Signed"), "declined": _l("Declined")}
ROLE_LABELS = {
    "brand_signatory": _l("Signs for the brand"),
    "creator": _l("Creator"),
    "employer": _l("Employer"),
    "employee": _l("Employee"),
}
SEVERITY_LABELS = {"block": _l("Must change"), "warn": _l("Worth a look"), "info": _l("Note")}
EVENT_LABELS = {
    "contract.created": _l("Created"),
    "contract.updated": _l("Draft changed"),
    "contract.sent": _l("Sent for signature"),
    "contract.email_sent": _l("Signing link emailed"),
    "contract.reminder_sent": _l("Reminder sent"),
    "contract.opened": _l("Document opened"),
    "contract.consented": _l("Consented to sign electronically"),
    "contract.acknowledged": _l("Fairness notes acknowledged"),
    "contract.labelling_confirmed": _l("Ad labelling confirmed"),
    "contract.signed": _l("Signed"),
    "contract.declined": _l("Declined"),
    "contract.completed": _l("Signed by everyone"),
    "contract.sealed": _l("Sealed"),
    "contract.seal_failed": _l("Sealing failed"),
    "contract.seal_retried": _l("Sealing started again"),
    "contract.expired": _l("Expired"),
    "contract.voided": _l("Voided"),
    "contract.amended": _l("Amended"),
}


def locale() -> str:
    return "de" if str(get_locale()) == "de" else "en"


def findings_shown(findings: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Stored findings with message and fix in the reader's language."""
    return [finding_in(finding, locale()) for finding in findings]


def label(table: Mapping[str, Any], value: Any) -> str:
    found = table.get(str(value))
    return str(found) if found is not None else str(value)


def template_title(meta: Any) -> str:
    return meta.title.in_language(locale())


def message(text: str) -> str:
    """An operation's English message in the reader's language, where the catalogue knows it."""
    from service.contracts.web.messages import translate

    return translate(text) or translate_message(text)


def enum_label(field: str, value: Any) -> str:
    """A terms value in words (enums.yaml of the templates): "exclusivity.scope", "none" -> "keine"."""
    from service.documents.filters import enum_labels

    return enum_labels().get(field, {}).get(str(value), {}).get(locale()) or str(value)


TEMPLATE_GLOBALS = {
    "enum_label": enum_label,
    "contract_status_label": lambda value: label(STATUS_LABELS, value),
    "seal_status_label": lambda value: label(SEAL_LABELS, value),
    "signer_status_label": lambda value: label(SIGNER_STATUS_LABELS, value),
    "signer_role_label": lambda value: label(ROLE_LABELS, value),
    "severity_label": lambda value: label(SEVERITY_LABELS, value),
    "contract_event_label": lambda value: label(EVENT_LABELS, value),
}
