"""Producing a contract's documents: the PDF every signer sees, and the sealed final PDF.

Both run in jobs and are safe to run twice. The version row is locked first, so two runs of the same job
take turns and the second finds the work done. Stored documents are never replaced: when a crashed run
already stored a file under the key, the file that is there is the one recorded (its hash is what counts).
"""

from __future__ import annotations

import hashlib
import io
import logging
import uuid
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from service.audit.models import AuditEvent
from service.audit.operations import record_event
from service.billing.usage import record_usage
from service.contracts import drafting
from service.contracts.links import issue_link
from service.contracts.models import (
    OPEN_STATUSES,
    Contract,
    ContractStatus,
    ContractVersion,
    LinkPurpose,
    SealStatus,
)
from service.contracts.notifications import alert_operator, email_completed
from service.contracts.templates import template_of
from service.documents import final
from service.documents.context import DocumentInfo
from service.documents.errors import RenderError, StorageConflict
from service.documents.storage import DocumentStorage, StoredDocument, document_key, storage_from_config
from service.extensions import db
from service.faults import pause_point
from service.jobs import RECONCILE_BATCH, DeferredJob, defer_job
from service.models import utcnow
from service.webhooks.events import emit_event
from tenants.access import Principal, PrincipalKind
from tenants.context import unscoped

log = logging.getLogger(__name__)

# Audit actions that appear in the audit certificate, as the certificate's (bilingual) action keys.
CERTIFICATE_ACTIONS = {
    "contract.created": "created",
    "contract.amended": "created",
    "contract.sent": "sent",
    "contract.email_sent": "email_sent",
    "contract.reminder_sent": "reminder_sent",
    "contract.opened": "opened",
    "contract.consented": "consented",
    "contract.acknowledged": "acknowledged",
    "contract.labelling_confirmed": "labelling_confirmed",
    "contract.signed": "signed",
    "contract.completed": "completed",
}


def fairpact_actor(contract: Contract) -> Principal:
    """Fairpact itself, as the actor of what its jobs do (rendering, sealing)."""
    return Principal(kind=PrincipalKind.SYSTEM, id=None, label="Fairpact", tenant_id=contract.tenant_id)


def storage() -> DocumentStorage:
    return storage_from_config(current_app.config)


def locked_version(version_id: uuid.UUID) -> ContractVersion | None:
    """The version, locked for this transaction (PostgreSQL), so a second run of the job waits here."""
    return db.session.execute(
        select(ContractVersion).where(ContractVersion.id == version_id).with_for_update(of=ContractVersion)
    ).scalar_one_or_none()


def store_once(
    store: DocumentStorage, key: str, data: bytes, content_type: str = "application/pdf"
) -> tuple[StoredDocument, bytes]:
    """Store ``data`` under ``key``; if an earlier run stored other bytes there, keep and return those."""
    try:
        return store.put(key, data, content_type), data
    except StorageConflict:
        existing = store.get(key)
        log.info("%s was stored by an earlier run; keeping it", key)
        return StoredDocument(key, hashlib.sha256(existing).hexdigest(), len(existing)), existing


def _pdf_pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


# --- the contract PDF ----------------------------------------------------------------------------


def render_version_document(version_id: uuid.UUID) -> str:
    """Render, store and record the version's PDF (and the HTML it came from), then email the signers due.

    :raises StorageError, OSError: transient failures; the job retries.
    """
    version = locked_version(version_id)
    if version is None:
        return "missing"
    contract = version.contract
    if version.document_ready:
        return "already rendered"
    if contract.status not in OPEN_STATUSES or version.number != contract.current_version:
        return f"not needed ({contract.status})"
    from service.documents.rendering import html_to_pdf, render_contract_html

    template = template_of(contract)
    try:
        html = render_contract_html(
            template,
            version.terms,
            legal=drafting.legal_constants_for(template, version.terms),
            document=DocumentInfo(version.document_id or "FP", footer_note=version.footer_note),
        )
        rendered = html_to_pdf(html, template)
    except RenderError as exc:
        # The same inputs fail the same way: retrying is pointless, so say so on the contract and alert.
        version.render_error = exc.message[:500]
        alert_operator(contract, "The contract PDF could not be rendered", exc.message)
        return "render failed"
    store = storage()
    pdf_key = document_key(contract.tenant_id, contract.id, f"v{version.number}-contract.pdf")
    html_key = document_key(contract.tenant_id, contract.id, f"v{version.number}-contract.html")
    stored, data = store_once(store, pdf_key, rendered.data)
    store_once(store, html_key, html.encode("utf-8"), "text/html; charset=utf-8")
    version.pdf_key, version.pdf_sha256 = stored.key, stored.sha256
    version.pdf_pages = rendered.pages if data is rendered.data else _pdf_pages(data)
    version.html_key = html_key
    version.rendered_at = utcnow()
    version.render_error = None
    db.session.flush()
    pause_point("contracts.render")
    from service.contracts.signing import notify_signers_due

    notify_signers_due(contract)
    return stored.sha256


def record_render_failure(version_id: uuid.UUID, error: BaseException) -> None:
    """After the last retry: the contract says its document could not be produced, and the operator knows."""
    version = db.session.execute(select(ContractVersion).where(ContractVersion.id == version_id)).scalar_one_or_none()
    if version is None or version.document_ready:
        return
    version.render_error = f"{type(error).__name__}: {error}"[:500]
    alert_operator(version.contract, "The contract PDF could not be rendered or stored", version.render_error)


# --- the sealed final PDF ------------------------------------------------------------------------


def _certificate_events(contract: Contract, version: ContractVersion) -> tuple[final.AuditEvent, ...]:
    rows = db.session.execute(
        select(AuditEvent)
        .where(AuditEvent.target_type == "contract", AuditEvent.target_id == contract.id)
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ).scalars()
    events = []
    for row in rows:
        action = CERTIFICATE_ACTIONS.get(row.action)
        if action is None or (row.details or {}).get("version") != version.number:
            continue
        events.append(
            final.AuditEvent(
                at=row.created_at,
                action=action,
                actor=row.actor_label,
                ip_address=row.ip_address,
                user_agent=row.user_agent,
                detail=_event_detail(row),
            )
        )
    return tuple(events)


def _event_detail(row: AuditEvent) -> str | None:
    details = row.details or {}
    if details.get("override_justification"):
        return f"Fairness override: {details['override_justification']}"
    if details.get("document_sha256"):
        return f"SHA-256 {details['document_sha256']}"
    if row.action == "contract.amended":
        return f"v{details.get('version')} (amends v{details.get('previous_version')})"
    return None


def _signer_records(version: ContractVersion) -> tuple[final.SignerRecord, ...]:
    records = []
    for signer in version.signers:
        assert signer.signed_at is not None, "only a fully signed version is sealed"
        labelling = None
        if signer.labelling:
            labelling = final.LabellingConfirmation(
                signer.labelling["label"], signer.labelling["placement"], tuple(signer.labelling["posts"])
            )
        records.append(
            final.SignerRecord(
                name=signer.name,
                role=signer.role,
                email=signer.email,
                signed_at=signer.signed_at,
                ip_address=signer.ip_address or "-",
                user_agent=signer.user_agent or "-",
                typed_signature=signer.typed_signature if signer.signature_kind == "typed" else None,
                drawn_signature=signer.drawn_signature if signer.signature_kind == "drawn" else None,
                labelling=labelling,
            )
        )
    return tuple(records)


def print_languages(contract: Contract) -> tuple[str, ...]:
    languages = list(contract.languages or ["de"])
    if contract.prevailing_language in languages:
        languages.remove(contract.prevailing_language)
        languages.insert(0, contract.prevailing_language)
    return tuple(languages)


def final_document(contract: Contract, version: ContractVersion, contract_pdf: bytes) -> final.FinalDocument:
    assert version.document_id is not None and version.pdf_sha256 is not None
    return final.FinalDocument(
        document_id=version.document_id,
        title=contract.title,
        contract_pdf=contract_pdf,
        contract_sha256=version.pdf_sha256,
        languages=print_languages(contract),
        signers=_signer_records(version),
        events=_certificate_events(contract, version),
        verify_url=f"{current_app.config['BASE_URL']}/verify",
    )


def seal_version_document(version_id: uuid.UUID) -> str:
    """Assemble the final PDF (contract, signature page, audit certificate), seal it, store and record it.

    :raises SealingError, StorageError, ...: the job retries; after the last retry ``record_seal_failure``.
    """
    from service.documents.sealing import seal_identity_from_config

    version = locked_version(version_id)
    if version is None:
        return "missing"
    contract = version.contract
    if version.sealed_sha256 is not None:
        return "already sealed"
    if contract.status != ContractStatus.SIGNED or version.number != contract.current_version:
        return f"not needed ({contract.status})"
    assert version.pdf_key is not None and version.pdf_sha256 is not None
    store = storage()
    contract_pdf = store.get(version.pdf_key, expected_sha256=version.pdf_sha256)
    sealed = final.seal_final_document(
        final_document(contract, version, contract_pdf), seal_identity_from_config(current_app.config)
    )
    key = document_key(contract.tenant_id, contract.id, f"v{version.number}-sealed.pdf")
    stored, _data = store_once(store, key, sealed.data)
    now = utcnow()
    version.sealed_key, version.sealed_sha256, version.sealed_at = stored.key, stored.sha256, now
    contract.seal_status = SealStatus.SEALED
    contract.seal_error = None
    contract.seal_attempts += 1
    record_usage("sealed_contract", f"{contract.id}/v{version.number}", contract.client_id)
    record_event(
        "contract.sealed",
        target_type="contract",
        target_id=contract.id,
        details={"version": version.number, "sealed_sha256": stored.sha256},
        actor=fairpact_actor(contract),
    )
    emit_event("contract.sealed", {"contract_id": str(contract.id), "version": version.number, "sha256": stored.sha256})
    _send_sealed_copies(contract, version)
    db.session.flush()
    pause_point("contracts.seal")
    return stored.sha256


def _send_sealed_copies(contract: Contract, version: ContractVersion) -> None:
    for signer in version.signers:
        link = issue_link(signer, LinkPurpose.DOWNLOAD)
        email_completed(signer, contract, link.url, link.expires_at)


def render_job(version: ContractVersion) -> DeferredJob:
    return DeferredJob("contracts.render", (str(version.tenant_id), str(version.id)), f"contract-render-{version.id}")


def seal_job(version: ContractVersion) -> DeferredJob:
    return DeferredJob("contracts.seal", (str(version.tenant_id), str(version.id)), f"contract-seal-{version.id}")


def stalled_documents(cutoff: datetime) -> list[DeferredJob]:
    """Renders and seals asked for before ``cutoff`` and not done, across tenants (a source of the reconciler)."""
    current = (Contract.tenant_id == ContractVersion.tenant_id) & (Contract.id == ContractVersion.contract_id)
    with unscoped("find contract documents whose job was lost, across tenants"):
        unrendered = db.session.execute(
            select(ContractVersion)
            .join(Contract, current)
            .where(
                Contract.status.in_([s.value for s in OPEN_STATUSES]),
                Contract.current_version == ContractVersion.number,
                ContractVersion.pdf_sha256.is_(None),
                ContractVersion.render_error.is_(None),
                ContractVersion.sent_at <= cutoff,
            )
            .limit(RECONCILE_BATCH)
        ).scalars()
        jobs = [render_job(version) for version in unrendered]
        unsealed = db.session.execute(
            select(ContractVersion)
            .join(Contract, current)
            .where(
                Contract.status == ContractStatus.SIGNED.value,
                Contract.seal_status == SealStatus.PENDING.value,
                Contract.current_version == ContractVersion.number,
                ContractVersion.completed_at <= cutoff,
            )
            .limit(RECONCILE_BATCH)
        ).scalars()
        jobs += [seal_job(version) for version in unsealed]
    return jobs


def record_seal_failure(version_id: uuid.UUID, error: BaseException, *, final_attempt: bool) -> None:
    """Say on the contract that sealing failed; after the last retry it is ``failed`` and the operator alerted."""
    version = db.session.execute(select(ContractVersion).where(ContractVersion.id == version_id)).scalar_one_or_none()
    if version is None or version.sealed_sha256 is not None:
        return
    contract = version.contract
    message = f"{type(error).__name__}: {error}"[:500]
    contract.seal_attempts += 1
    contract.seal_error = message
    if not final_attempt:
        log.warning(
            "sealing contract %s failed (attempt %s), retrying: %s", contract.id, contract.seal_attempts, message
        )
        return
    already_failed = contract.seal_status == SealStatus.FAILED
    contract.seal_status = SealStatus.FAILED
    if not already_failed:
        record_event(
            "contract.seal_failed",
            target_type="contract",
            target_id=contract.id,
            details={"version": version.number, "error": message},
            actor=fairpact_actor(contract),
        )
        emit_event(
            "contract.seal_failed", {"contract_id": str(contract.id), "version": version.number, "error": message}
        )
    alert_operator(contract, "A signed contract could not be sealed", message)


def retry_sealing(contract: Contract) -> Contract:
    """Queue the seal again after a failure (an admin's action once the cause is fixed)."""
    from service.errors import Conflict

    version = contract.version
    if contract.status != ContractStatus.SIGNED or contract.seal_status == SealStatus.SEALED:
        raise Conflict(
            "Only a signed contract that is not sealed yet can be sealed again.",
            {"seal_status": [contract.seal_status]},
        )
    contract.seal_status = SealStatus.PENDING
    record_event(
        "contract.seal_retried", target_type="contract", target_id=contract.id, details={"version": version.number}
    )
    # The same id as the first seal job: that one failed for good, so it is replaced.
    defer_job(seal_job(version))
    return contract
