"""The final document: the signed contract, a signature page and an audit certificate, then the seal.

The contract part is the stored PDF itself, byte for byte the document every signer saw (its SHA-256 is
checked before anything else happens); the two extra pages are rendered separately and appended, so nothing
in the signed part is re-rendered. The result carries the document id and the contract's SHA-256 in its
metadata, which ``sealing.verify_pdf`` reads back to tell which contract a sealed file is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from jinja2 import TemplateError
from jinja2.exceptions import SecurityError

from service.documents.errors import RenderError, StorageIntegrityError
from service.documents.filters import enum_labels, utc_time
from service.documents.rendering import base_css, frame_labels, html_to_pdf, layout_environment
from service.documents.sandbox import plain_data
from service.documents.sealing import INFO_CONTRACT_SHA256, INFO_DOCUMENT_ID, SealIdentity, seal_pdf
from service.documents.signature_images import validated_signature_png

SIGNER_ROLES = ("brand_signatory", "creator", "employer", "employee", "guardian", "agency")


@dataclass(frozen=True)
class LabellingConfirmation:
    """What a creator confirmed about labelling their posts: the label, where it goes, which posts."""

    label: str
    placement: str
    posts: tuple[str, ...]


@dataclass(frozen=True)
class SignerRecord:
    """One signature: exactly one of ``typed_signature`` (the typed name) or ``drawn_signature`` (PNG data URL)."""

    name: str
    role: str
    email: str
    signed_at: dt.datetime
    ip_address: str
    user_agent: str
    typed_signature: str | None = None
    drawn_signature: str | None = field(default=None, repr=False)
    labelling: LabellingConfirmation | None = None


@dataclass(frozen=True)
class AuditEvent:
    """One line of the audit certificate; ``action`` is an audit.action key of enums.yaml or free text."""

    at: dt.datetime
    action: str
    actor: str
    ip_address: str | None = None
    user_agent: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class FinalDocument:
    document_id: str
    title: str
    contract_pdf: bytes = field(repr=False)
    contract_sha256: str
    languages: tuple[str, ...]
    signers: tuple[SignerRecord, ...]
    events: tuple[AuditEvent, ...]
    verify_url: str | None = None


@dataclass(frozen=True)
class SealedPdf:
    data: bytes
    sha256: str


def seal_final_document(document: FinalDocument, identity: SealIdentity) -> SealedPdf:
    """Assemble and seal; the caller stores ``data`` and records ``sha256``.

    :raises StorageIntegrityError: the contract PDF is not the one whose hash was recorded.
    :raises SignatureImageError: a drawn signature is not an acceptable PNG.
    :raises SealingError: the seal could not be applied (the caller retries, then shows the error state).
    """
    sealed = seal_pdf(assemble_final_pdf(document), identity)
    return SealedPdf(sealed, hashlib.sha256(sealed).hexdigest())


def assemble_final_pdf(document: FinalDocument) -> bytes:
    """The unsealed final PDF: contract pages, then the signature page and the audit certificate."""
    _check_contract_hash(document)
    extra = html_to_pdf(render_final_pages_html(document)).data
    return _merge(document.contract_pdf, extra, document)


def _check_contract_hash(document: FinalDocument) -> None:
    actual = hashlib.sha256(document.contract_pdf).hexdigest()
    if actual != document.contract_sha256.lower():
        raise StorageIntegrityError(
            f"The contract PDF of {document.document_id} has SHA-256 {actual}, not the recorded "
            f"{document.contract_sha256}; it is not the document the parties signed."
        )


def render_final_pages_html(document: FinalDocument) -> str:
    if not document.signers:
        raise RenderError("A final document needs at least one signer.")
    context = {
        "doc": {
            "id": document.document_id,
            "title": document.title,
            "lang": document.languages[0],
            "contract_sha256": document.contract_sha256.lower(),
            "verify_url": document.verify_url,
            "completed_at": utc_time(max(signer.signed_at for signer in document.signers)),
        },
        "labels": _joined_labels(document.languages),
        "signers": [_signer_view(signer, document.languages) for signer in document.signers],
        "events": [_event_view(event, document.languages) for event in sorted(document.events, key=lambda e: e.at)],
    }
    frame = {**plain_data(context), "base_css": base_css()}
    try:
        return layout_environment().get_template("final/final.html").render(frame)
    except (TemplateError, SecurityError, ValueError) as exc:
        raise RenderError(f"The signature page could not be rendered: {exc}") from exc


def _joined_labels(languages: Sequence[str]) -> dict[str, str]:
    """Each frame label in every language of the contract: "Unterschrift / Signature"."""
    tables = [frame_labels()[lang] for lang in languages]
    keys = [key for key, value in tables[0].items() if isinstance(value, str)]
    return {key: " / ".join(dict.fromkeys(table[key] for table in tables)) for key in keys}


def _label(field_name: str, value: str, languages: Sequence[str]) -> str:
    labels = enum_labels().get(field_name, {}).get(value)
    if not labels:
        return value
    return " / ".join(dict.fromkeys(labels[lang] for lang in languages))


def _signer_view(signer: SignerRecord, languages: Sequence[str]) -> dict[str, Any]:
    if signer.role not in SIGNER_ROLES:
        raise RenderError(f"Unknown signer role {signer.role!r}; use one of {', '.join(SIGNER_ROLES)}.")
    if (signer.typed_signature is None) == (signer.drawn_signature is None):
        raise RenderError(f"Signer {signer.name!r} needs exactly one of a typed or a drawn signature.")
    labelling = signer.labelling
    return {
        "name": signer.name,
        "role_label": _label("signer.role", signer.role, languages),
        "email": signer.email,
        "signed_at": utc_time(signer.signed_at),
        "typed": signer.typed_signature,
        "image": validated_signature_png(signer.drawn_signature) if signer.drawn_signature else None,
        "kind_label": _label("signature.kind", "drawn" if signer.drawn_signature else "typed", languages),
        "labelling": None
        if labelling is None
        else {
            "label": labelling.label,
            "placement": _label("disclosure.placement", labelling.placement, languages),
            "posts": list(labelling.posts),
        },
    }


def _event_view(event: AuditEvent, languages: Sequence[str]) -> dict[str, Any]:
    return {
        "at": utc_time(event.at),
        "action_label": _label("audit.action", event.action, languages),
        "actor": event.actor,
        "ip_address": event.ip_address,
        "user_agent": event.user_agent,
        "detail": event.detail,
    }


def _merge(contract_pdf: bytes, extra_pdf: bytes, document: FinalDocument) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(contract_pdf)))
    writer.append(PdfReader(io.BytesIO(extra_pdf)))
    writer.add_metadata(
        {
            INFO_DOCUMENT_ID: document.document_id,
            INFO_CONTRACT_SHA256: document.contract_sha256.lower(),
            "/Title": document.title,
        }
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
