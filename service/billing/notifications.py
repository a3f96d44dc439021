"""Emails to a tenant's owners about its subscription, in each owner's language."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select

from service.accounts.models import User
from service.billing.limits import billing_page_url
from service.emails.operations import queue_email
from service.extensions import db
from tenants.context import require_tenant_id
from tenants.models import Membership, Tenant
from tenants.roles import Role


def owners() -> list[User]:
    """The tenant's owners, longest-standing first: whom billing writes to."""
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role == Role.OWNER.value)
        .order_by(Membership.created_at, User.id)
    )
    return list(db.session.execute(query).scalars())


def notify_owners(template: str, **context: Any) -> int:
    """Queue ``billing/emails/<template>.txt`` (first line: subject) to every owner; returns how many."""
    tenant = db.session.get(Tenant, require_tenant_id())
    assert tenant is not None
    recipients = owners()
    for owner in recipients:
        with force_locale(owner.locale or tenant.default_locale):
            rendered = render_template(
                f"billing/emails/{template}.txt", tenant=tenant, owner=owner, billing_url=billing_page_url(), **context
            )
        subject, _, body = rendered.strip().partition("\n")
        queue_email(owner.email, subject.strip(), body.strip() + "\n", tenant_id=tenant.id)
    return len(recipients)
