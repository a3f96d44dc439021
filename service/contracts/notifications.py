"""The emails of the contract lifecycle, and the operator's alert when a contract cannot be sealed.

Every email is queued in the caller's transaction (``queue_templated_email``) and sent by the email job
after the commit, in the recipient's language.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale

from service.contracts.models import Contract, Signer
from service.emails.models import EmailMessage
from service.emails.operations import queue_email
from service.extensions import db
from tenants.models import Tenant

log = logging.getLogger(__name__)


def queue_templated_email(
    to: str, template: str, locale: str, tenant_id: uuid.UUID | None = None, **context: Any
) -> EmailMessage:
    """Render ``contracts/emails/<template>.txt`` in the recipient's language; its first line is the subject."""
    with force_locale(locale if locale in ("de", "en") else "de"):
        rendered = render_template(f"contracts/emails/{template}.txt", **context)
    subject, _, body = rendered.strip().partition("\n")
    return queue_email(to, subject.strip(), body.strip() + "\n", tenant_id=tenant_id)


def _tenant(contract: Contract) -> Tenant:
    tenant = db.session.get(Tenant, contract.tenant_id)
    assert tenant is not None
    return tenant


def contract_page_url(contract: Contract) -> str:
    return f"{current_app.config['BASE_URL']}/contracts/{contract.id}"


def email_signing_link(signer: Signer, contract: Contract, link: str, expires_at: datetime, *, reminder: bool) -> None:
    template = "reminder" if reminder else "signing_request"
    queue_templated_email(
        signer.email,
        template,
        signer.locale,
        tenant_id=contract.tenant_id,
        tenant=_tenant(contract),
        contract=contract,
        signer=signer,
        link=link,
        expires_at=expires_at,
        warnings=len(signer.version.warnings),
    )


def email_completed(signer: Signer, contract: Contract, link: str, expires_at: datetime) -> None:
    queue_templated_email(
        signer.email,
        "completed",
        signer.locale,
        tenant_id=contract.tenant_id,
        tenant=_tenant(contract),
        contract=contract,
        signer=signer,
        link=link,
        expires_at=expires_at,
        verify_url=f"{current_app.config['BASE_URL']}/verify",
    )


def email_declined(to: str, locale: str, contract: Contract, signer: Signer) -> None:
    queue_templated_email(
        to,
        "declined",
        locale,
        tenant_id=contract.tenant_id,
        contract=contract,
        signer=signer,
        link=contract_page_url(contract),
    )


def email_voided(signer: Signer, contract: Contract) -> None:
    queue_templated_email(
        signer.email,
        "voided",
        signer.locale,
        tenant_id=contract.tenant_id,
        tenant=_tenant(contract),
        contract=contract,
        signer=signer,
    )


def alert_operator(contract: Contract, what: str, error: str) -> None:
    """A contract needs a person: log at error level and, when OPERATOR_EMAIL is set, email the operator."""
    log.error("contract %s (tenant %s): %s: %s", contract.id, contract.tenant_id, what, error)
    operator = current_app.config.get("OPERATOR_EMAIL")
    if not operator:
        return
    # Plain English for the operator; the contract's own people see the state on its page.
    body = (
        f"{what}.\n\n"
        f"Contract: {contract.id} ({contract.title})\n"
        f"Tenant: {contract.tenant_id}\n"
        f"Error: {error}\n\n"
        "The contract shows this state on its page. Once the cause is fixed (for example the seal certificate "
        "or the document storage), an admin can retry from the contract's page or the API.\n"
    )
    queue_email(operator, f"Fairpact: {what} ({contract.id})", body, tenant_id=contract.tenant_id)
