"""Signing: who is asked when, what a signer confirms, signing and declining, reminders and expiry.

A signer signs exactly the stored PDF of the version (its SHA-256 is recorded with every step), after
consenting to sign electronically and acknowledging the warn-level fairness findings; the creator (or the
employee) also confirms how they will label their posts. Each step is an audit event of the contract, and
those events become the audit certificate of the sealed PDF.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import current_app, has_request_context, request
from sqlalchemy import select

from service.accounts.models import User
from service.audit.operations import record_event
from service.contracts.links import close_links, issue_link
from service.contracts.models import (
    OPEN_STATUSES,
    Contract,
    ContractStatus,
    ContractVersion,
    LinkPurpose,
    SealStatus,
    Signer,
    SignerStatus,
)
from service.contracts.notifications import email_declined, email_signing_link
from service.contracts.production import seal_job
from service.documents.errors import SignatureImageError
from service.documents.filters import enum_labels
from service.documents.signature_images import validated_signature_png
from service.errors import AppError, Conflict, Unprocessable
from service.extensions import db
from service.jobs import defer_job
from service.models import utcnow
from service.webhooks.events import emit_event
from tenants.access import Principal, PrincipalKind

PLACEMENTS = ("start_of_post", "end_of_post", "hashtags_block", "bio")
MAX_TYPED_SIGNATURE = 200
MAX_DECLINE_REASON = 1000

# Contract jurisdictions (contract-terms.md) as the disclosure rules engine names audiences.
_AUDIENCE = {"DE": "DE", "AT": "AT", "UK": "GB", "EU_OTHER": "EU"}
_MEDIA = {"reel": "reel", "story": "story", "live": "live", "video": "video", "short": "video", "episode": "video"}
_MEDIA.update({"post": "image", "carousel": "image", "article": "text"})


class NotYourTurn(AppError):
    status_code = 409
    code = "not_your_turn"


# --- whose turn ----------------------------------------------------------------------------------


def may_sign_now(signer: Signer, contract: Contract) -> bool:
    """Open contract, its current version's PDF ready, signer pending, and (with an order) everyone before signed."""
    version = signer.version
    if contract.status not in OPEN_STATUSES or version.number != contract.current_version:
        return False
    if not version.document_ready or signer.status != SignerStatus.PENDING:
        return False
    if not contract.signing_order:
        return True
    return all(other.has_signed for other in version.signers if other.position < signer.position)


def notify_signers_due(contract: Contract) -> list[Signer]:
    """Email a signing link to every signer whose turn it is and who has not been asked yet."""
    notified = []
    for signer in contract.version.signers:
        if signer.notified_at is None and may_sign_now(signer, contract):
            send_signing_link(signer, contract, reminder=False)
            signer.notified_at = utcnow()
            notified.append(signer)
    db.session.flush()
    return notified


def send_signing_link(signer: Signer, contract: Contract, *, reminder: bool) -> None:
    link = issue_link(signer, LinkPurpose.SIGN, until=contract.expires_at)
    email_signing_link(signer, contract, link.url, link.expires_at, reminder=reminder)
    action = "contract.reminder_sent" if reminder else "contract.email_sent"
    record_event(
        action,
        target_type="contract",
        target_id=contract.id,
        details={"version": signer.version.number, "signer_id": str(signer.id), "email": signer.email},
        actor=_system(contract),
    )


def _system(contract: Contract) -> Principal:
    """Fairpact itself, as the actor of what happens on its own (emails, completion, expiry)."""
    return Principal(kind=PrincipalKind.SYSTEM, id=None, label="Fairpact", tenant_id=contract.tenant_id)


def signer_actor(signer: Signer) -> Principal:
    """The signer as the actor of an audit event: named and addressed as they sign."""
    kind = PrincipalKind.CREATOR if signer.creator_id else PrincipalKind.USER
    return Principal(kind=kind, id=signer.creator_id, label=f"{signer.name} <{signer.email}>"[:254])


def _signer_event(action: str, signer: Signer, contract: Contract, **details: Any) -> None:
    version = signer.version
    record_event(
        action,
        target_type="contract",
        target_id=contract.id,
        details={
            "version": version.number,
            "signer_id": str(signer.id),
            "document_sha256": version.pdf_sha256,
            **details,
        },
        actor=signer_actor(signer),
    )


# --- labelling -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabellingChoice:
    """What the signing page offers a creator: the labels the jurisdiction's rules accept, where, which posts."""

    labels: list[str]
    default_label: str | None
    placement: str
    default_placement: str
    example: str
    citation: str | None
    posts: list[str] = field(default_factory=list)


def _relationship(contract: Contract, terms: Mapping[str, Any]) -> str:
    if contract.contract_type == "corporate_influencer":
        return "employee"
    model = (terms.get("compensation") or {}).get("model")
    if contract.template_key == "affiliate" or model == "commission_only":
        return "affiliate"
    if contract.template_key == "product_gifting" or model == "product_only":
        return "gifted"
    return "paid"


def _audience(terms: Mapping[str, Any]) -> str:
    code = str((terms.get("meta") or {}).get("jurisdiction") or "DE")
    return "US" if code.startswith("US_") else _AUDIENCE.get(code, "EU")


def post_names(terms: Mapping[str, Any], lang: str) -> list[str]:
    """One name per post the contract asks for: "Instagram Reel 1", "TikTok Kurzvideo 2"."""
    labels = enum_labels()
    names: list[str] = []
    for item in terms.get("deliverables") or []:
        platform = labels.get("deliverables.platform", {}).get(item.get("platform") or "", {}).get(lang) or ""
        kind = labels.get("deliverables.format", {}).get(item.get("format") or "", {}).get(lang) or ""
        base = " ".join(part[:1].upper() + part[1:] for part in (platform, kind) if part) or (
            "Beitrag" if lang == "de" else "Post"
        )
        count = item.get("quantity") or 1
        names.extend(f"{base} {number}" for number in range(1, int(count) + 1))
    return names[:50]


def labelling_choice(contract: Contract, version: ContractVersion, lang: str) -> LabellingChoice:
    """The labels the disclosure rules of the contract's jurisdiction accept for this kind of deal."""
    from service.disclosure.obligations import ObligationError, labelling_obligation

    terms = version.terms
    disclosure = terms.get("disclosure") or {}
    first = (terms.get("deliverables") or [{}])[0]
    platform = first.get("platform") if first.get("platform") in _PLATFORMS else "instagram"
    media = _MEDIA.get(first.get("format") or "", "image")
    stated = disclosure.get("label")
    try:
        obligation = labelling_obligation(_relationship(contract, terms), _audience(terms), platform, media, lang=lang)
        rules = [item for item in obligation.jurisdictions if item.required]
        labels = list(dict.fromkeys(word for item in rules for word in item.accepted_words))
        placement = " ".join(item.placement for item in rules)
        citation = rules[0].citation if rules else None
        example = obligation.example
    except ObligationError:
        labels, placement, citation, example = _fallback_labels(terms), "", None, ""
    if stated in labels:
        labels.remove(stated)
        labels.insert(0, stated)
    return LabellingChoice(
        labels=labels,
        default_label=labels[0] if labels else None,
        placement=placement,
        default_placement=disclosure.get("placement") or "start_of_post",
        example=example,
        citation=citation,
        posts=post_names(terms, lang),
    )


_PLATFORMS = ("instagram", "tiktok", "youtube", "linkedin", "twitch", "x", "facebook")


def _fallback_labels(terms: Mapping[str, Any]) -> list[str]:
    """Without an answer from the rules engine: the contract jurisdiction's allow-list."""
    from service.contracts.jurisdictions import jurisdiction

    code = str((terms.get("meta") or {}).get("jurisdiction") or "DE")
    return list(jurisdiction(code).disclosure_labels or ("#ad",))


def placement_label(value: str, lang: str) -> str:
    return enum_labels().get("disclosure.placement", {}).get(value, {}).get(lang) or value


# --- viewing, signing, declining -----------------------------------------------------------------


def _origin() -> tuple[str | None, str | None]:
    if not has_request_context():
        return None, None
    return request.remote_addr, (request.headers.get("User-Agent", "")[:300] or None)


def record_view(signer: Signer, contract: Contract) -> None:
    """The first time a signer opens the document, once per signer."""
    if signer.viewed_at is None and signer.status == SignerStatus.PENDING:
        signer.viewed_at = utcnow()
        _signer_event("contract.opened", signer, contract)


@dataclass(frozen=True)
class Signature:
    """What the signing form sends."""

    consent: bool
    acknowledge: bool
    typed: str | None = None
    drawn: str | None = None
    label: str | None = None
    placement: str | None = None
    posts: tuple[str, ...] = ()


def _check_signature(signature: Signature, signer: Signer, version: ContractVersion, lang: str) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if not signature.consent:
        problems["consent"] = ["Consent to sign electronically to go on."]
    if version.warnings and not signature.acknowledge:
        problems["acknowledge"] = ["Confirm that you read the fairness notes."]
    typed = (signature.typed or "").strip()
    if not typed and not signature.drawn:
        problems["signature"] = ["Type your name or draw your signature."]
    elif typed and len(typed) > MAX_TYPED_SIGNATURE:
        problems["signature"] = [f"At most {MAX_TYPED_SIGNATURE} characters."]
    if signer.confirms_labelling:
        problems.update(_check_labelling(signature, signer, version, lang))
    return problems


def _check_labelling(signature: Signature, signer: Signer, version: ContractVersion, lang: str) -> dict[str, list[str]]:
    choice = labelling_choice(version.contract, version, lang)
    problems: dict[str, list[str]] = {}
    if not signature.label or (choice.labels and signature.label not in choice.labels):
        problems["label"] = ["Choose one of the labels offered."]
    if signature.placement not in PLACEMENTS:
        problems["placement"] = ["Choose where the label goes."]
    if choice.posts and (not signature.posts or not set(signature.posts) <= set(choice.posts)):
        problems["posts"] = ["Choose the posts you will label."]
    return problems


def sign(signer: Signer, signature: Signature, lang: str) -> Contract:
    """Record the signature with consent, acknowledgement and labelling; complete the contract when it is the last.

    :raises NotYourTurn: the PDF is not ready, or signers before this one have not signed (with an order).
    :raises Unprocessable: what is missing or wrong, per field; nothing is stored.
    """
    version = signer.version
    contract = version.contract
    if not may_sign_now(signer, contract):
        raise NotYourTurn(
            "It is not your turn to sign yet; you will get an email when it is.", {"signer": ["Waiting."]}
        )
    problems = _check_signature(signature, signer, version, lang)
    drawn = None
    # A drawing is the more deliberate act: when both came, the drawn signature is the one used.
    if signature.drawn and "signature" not in problems:
        try:
            drawn = validated_signature_png(signature.drawn)
        except SignatureImageError as exc:
            problems["signature"] = [exc.message]
    if problems:
        raise Unprocessable("The signature is not complete; see what is missing.", problems)
    now = utcnow()
    signer.ip_address, signer.user_agent = _origin()
    signer.consented_at = now
    _signer_event("contract.consented", signer, contract)
    if version.warnings:
        signer.acknowledged_at = now
        _signer_event("contract.acknowledged", signer, contract, rules=[f["rule_id"] for f in version.warnings])
    if signer.confirms_labelling:
        signer.labelling = {"label": signature.label, "placement": signature.placement, "posts": list(signature.posts)}
        _signer_event("contract.labelling_confirmed", signer, contract, labelling=signer.labelling)
    if drawn is not None:
        signer.signature_kind, signer.drawn_signature = "drawn", drawn
    else:
        signer.signature_kind, signer.typed_signature = "typed", (signature.typed or "").strip()
    signer.status = SignerStatus.SIGNED
    signer.signed_at = now
    close_links([signer.id], used=True)
    _signer_event("contract.signed", signer, contract, kind=signer.signature_kind)
    emit_event("contract.signed", {"contract_id": str(contract.id), "version": version.number, "role": signer.role})
    _after_signature(contract, version)
    db.session.flush()
    return contract


def _after_signature(contract: Contract, version: ContractVersion) -> None:
    if all(other.has_signed for other in version.signers):
        now = utcnow()
        contract.status = ContractStatus.SIGNED
        contract.completed_at = version.completed_at = now
        contract.seal_status = SealStatus.PENDING
        record_event(
            "contract.completed",
            target_type="contract",
            target_id=contract.id,
            details={"version": version.number, "document_sha256": version.pdf_sha256},
            actor=_system(contract),
        )
        emit_event("contract.completed", {"contract_id": str(contract.id), "version": version.number})
        defer_job(seal_job(version))  # the same job id the reconciler uses, so a lost seal is queued once
        return
    contract.status = ContractStatus.PARTIALLY_SIGNED
    notify_signers_due(contract)


def decline(signer: Signer, reason: str | None) -> Contract:
    """Decline with a reason: the contract is declined, every link ends, the brand is told why."""
    version = signer.version
    contract = version.contract
    if contract.status not in OPEN_STATUSES or signer.status != SignerStatus.PENDING:
        raise Conflict("This contract can no longer be declined.", {"status": [contract.status]})
    text = (reason or "").strip()
    if not text or len(text) > MAX_DECLINE_REASON:
        raise Unprocessable(
            f"Say why you decline (up to {MAX_DECLINE_REASON} characters); the other party reads it.",
            {"reason": ["Required."]},
        )
    signer.ip_address, signer.user_agent = _origin()
    signer.status = SignerStatus.DECLINED
    signer.declined_at = utcnow()
    signer.decline_reason = text
    close_links([signer.id], used=True)
    close_links([other.id for other in version.signers if other.id != signer.id], used=False)
    contract.status = ContractStatus.DECLINED
    _signer_event("contract.declined", signer, contract, reason=text)
    emit_event("contract.declined", {"contract_id": str(contract.id), "version": version.number, "role": signer.role})
    for address, locale in _brand_recipients(contract, version, signer):
        email_declined(address, locale, contract, signer)
    db.session.flush()
    return contract


def _brand_recipients(contract: Contract, version: ContractVersion, decliner: Signer) -> list[tuple[str, str]]:
    """Who hears of a decline: the brand's signatory and the person who created the contract."""
    recipients: dict[str, str] = {}
    for other in version.signers:
        if other.id != decliner.id and not other.confirms_labelling:
            recipients[other.email] = other.locale
    if contract.created_by_id is not None:
        user = db.session.get(User, contract.created_by_id)
        if user is not None:
            recipients.setdefault(user.email, user.locale or "de")
    return list(recipients.items())


def renew_link(signer: Signer) -> None:
    """Email a fresh signing link to the signer's own address (after their link expired)."""
    contract = signer.version.contract
    if not may_sign_now(signer, contract):
        raise Conflict("This contract cannot be signed any more.", {"status": [contract.status]})
    send_signing_link(signer, contract, reminder=False)


def link_for_creator(signer_id: uuid.UUID, creator_id: uuid.UUID) -> tuple[Signer, str]:
    """A signing link for a signed-in creator who opens the contract from their home page."""
    signer = db.session.execute(
        select(Signer).where(Signer.id == signer_id, Signer.creator_id == creator_id)
    ).scalar_one_or_none()
    if signer is None:
        from service.errors import NotFound

        raise NotFound("No contract of yours with this id.")
    contract = signer.version.contract
    if not may_sign_now(signer, contract):
        raise Conflict("This contract is not waiting for your signature.", {"status": [contract.status]})
    return signer, issue_link(signer, LinkPurpose.SIGN, until=contract.expires_at).token


# --- reminders and expiry (periodic) -------------------------------------------------------------


def due_reminders() -> list[Signer]:
    """Signers whose turn it is, who were asked at least SIGNING_REMINDER_DAYS ago and not reminded too often."""
    config = current_app.config
    cutoff = utcnow() - timedelta(days=config["SIGNING_REMINDER_DAYS"])
    candidates = db.session.execute(
        select(Signer)
        .join(Contract, (Contract.tenant_id == Signer.tenant_id) & (Contract.id == Signer.contract_id))
        .where(
            Contract.status.in_([s.value for s in OPEN_STATUSES]),
            Signer.status == SignerStatus.PENDING.value,
            Signer.notified_at.is_not(None),
            Signer.reminder_count < config["SIGNING_MAX_REMINDERS"],
        )
    ).scalars()
    due = []
    for signer in candidates:
        last = signer.reminded_at or signer.notified_at
        if last is not None and last <= cutoff and may_sign_now(signer, signer.version.contract):
            due.append(signer)
    return due


def send_reminders() -> int:
    sent = 0
    for signer in due_reminders():
        send_signing_link(signer, signer.version.contract, reminder=True)
        signer.reminded_at = utcnow()
        signer.reminder_count += 1
        sent += 1
    db.session.flush()
    return sent


def expire_contracts() -> int:
    """Open contracts past their signing deadline become expired; their links stop working."""
    now = utcnow()
    overdue = db.session.execute(
        select(Contract).where(
            Contract.status.in_([s.value for s in OPEN_STATUSES]),
            Contract.expires_at.is_not(None),
            Contract.expires_at <= now,
        )
    ).scalars()
    count = 0
    for contract in overdue:
        version = contract.version
        close_links([signer.id for signer in version.signers], used=False)
        contract.status = ContractStatus.EXPIRED
        record_event(
            "contract.expired",
            target_type="contract",
            target_id=contract.id,
            details={"version": version.number},
            actor=_system(contract),
        )
        emit_event("contract.expired", {"contract_id": str(contract.id), "version": version.number})
        count += 1
    db.session.flush()
    return count
