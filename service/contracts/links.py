"""Signing and download links: issued per email, stored as hashes, one purpose each, expiring.

A link's page knows no tenant: it finds the link by its hash (the one cross-tenant lookup, named as such),
then works inside the link's tenant for the rest of the request. Unknown links read as not found; a link
that was valid once (used, revoked, expired, or its contract voided) reads as gone (410), with words that
tell the person what happened and what to do.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from service.contracts.models import (
    Contract,
    ContractStatus,
    LinkPurpose,
    Signer,
    SignerStatus,
    SigningLink,
)
from service.errors import AppError, NotFound
from service.extensions import db
from service.models import utcnow
from service.security import hash_token, new_token
from tenants.context import tenant_scope, unscoped


class LinkNotFound(NotFound):
    code = "link_not_found"


class LinkGone(AppError):
    """The link worked once and no longer does; ``reason`` says why (used, expired, voided, ...)."""

    status_code = 410

    def __init__(self, message: str, reason: str, link: SigningLink | None = None):
        super().__init__(message, {"link": [reason]}, code=f"link_{reason}")
        self.reason = reason
        self.link = link


def link_url(token: str, purpose: str) -> str:
    base = current_app.config["BASE_URL"]
    return f"{base}/sign/{token}" if purpose == LinkPurpose.SIGN else f"{base}/download/{token}"


@dataclass(frozen=True)
class IssuedLink:
    token: str  # shown once, in the email; only its hash is kept
    expires_at: datetime
    url: str


def issue_link(signer: Signer, purpose: LinkPurpose, *, until: datetime | None = None) -> IssuedLink:
    """A new link for ``signer``, valid until the configured time (or ``until``, if sooner)."""
    config = current_app.config
    days = config["SIGNING_LINK_TTL_DAYS"] if purpose == LinkPurpose.SIGN else config["DOWNLOAD_LINK_TTL_DAYS"]
    expires = utcnow() + timedelta(days=days)
    if until is not None:
        expires = min(expires, until)
    token = new_token()
    link = SigningLink(signer_id=signer.id, purpose=purpose.value, token_hash=hash_token(token), expires_at=expires)
    db.session.add(link)
    db.session.flush()
    return IssuedLink(token, expires, link_url(token, purpose))


def close_links(signer_ids: list[uuid.UUID], *, used: bool) -> None:
    """End every open signing link of these signers: used (they signed or declined) or revoked."""
    if not signer_ids:
        return
    column = SigningLink.used_at if used else SigningLink.revoked_at
    db.session.execute(
        update(SigningLink)
        .where(
            SigningLink.signer_id.in_(signer_ids),
            SigningLink.purpose == LinkPurpose.SIGN.value,
            SigningLink.used_at.is_(None),
            SigningLink.revoked_at.is_(None),
        )
        .values({column: utcnow()})
        .execution_options(synchronize_session="fetch")
    )


def _find(token: str) -> SigningLink | None:
    if not token or len(token) > 200:
        return None
    # The link itself is the credential and names no tenant: look it up by its hash across tenants.
    with unscoped("resolve a signing link by the hash of its token"):
        return db.session.execute(
            select(SigningLink).where(SigningLink.token_hash == hash_token(token))
        ).scalar_one_or_none()


@contextmanager
def link_scope(token: str, purpose: LinkPurpose) -> Iterator[SigningLink]:
    """Run the block in the link's tenant and commit there (or roll back on any error).

    :raises LinkNotFound: unknown token, or a link for another purpose.
    """
    link = _find(token)
    if link is None or link.purpose != purpose.value:
        raise LinkNotFound("This link is not valid. Open it exactly as it is in the email.")
    with tenant_scope(link.tenant_id):
        try:
            yield link
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "an earlier date"


def check_sign_link(link: SigningLink, contract: Contract) -> None:
    """Refuse a signing link that no longer works, saying why.

    :raises LinkGone: voided contract, used, revoked or expired link.
    """
    signer = link.signer
    if contract.status == ContractStatus.VOIDED:
        raise LinkGone(
            f"This contract was voided on {_when(contract.voided_at)} and can no longer be signed.", "voided", link
        )
    if link.used_at is not None or signer.status != SignerStatus.PENDING:
        if signer.status == SignerStatus.SIGNED:
            message = f"This link was already used: you signed this contract on {_when(signer.signed_at)}."
        elif signer.status == SignerStatus.DECLINED:
            message = f"This link was already used: you declined this contract on {_when(signer.declined_at)}."
        else:
            message = "This link was already used."
        raise LinkGone(message, "used", link)
    if contract.status == ContractStatus.EXPIRED:
        raise LinkGone(f"The time to sign this contract ended on {_when(contract.expires_at)}.", "expired", link)
    if link.revoked_at is not None or link.signer.version.number != contract.current_version:
        raise LinkGone(_revoked_message(contract), "revoked", link)
    if link.expires_at <= utcnow():
        raise LinkGone(
            f"This link expired on {_when(link.expires_at)}. Ask for a new one below; it is sent to your email.",
            "expired",
            link,
        )


def _revoked_message(contract: Contract) -> str:
    if contract.status == ContractStatus.DECLINED:
        return "This contract was declined by one of the parties, so it can no longer be signed."
    if contract.status == ContractStatus.EXPIRED:
        return f"The time to sign this contract ended on {_when(contract.expires_at)}."
    return "This link was replaced: the contract changed or a newer link was sent. Use the link in the newest email."


def check_download_link(link: SigningLink) -> None:
    if link.revoked_at is not None:
        raise LinkGone("This download link was withdrawn.", "revoked", link)
    if link.expires_at <= utcnow():
        raise LinkGone(
            f"This download link expired on {_when(link.expires_at)}. "
            "Creators find their signed contracts after signing in to Fairpact.",
            "expired",
            link,
        )
