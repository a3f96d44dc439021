"""Membership lookups that turn a signed-in user into a principal of one tenant."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from service.accounts.models import User
from service.extensions import db
from tenants.access import Principal, PrincipalKind
from tenants.context import tenant_scope, unscoped
from tenants.models import Membership, Tenant
from tenants.roles import Role


def membership_principal(user: User, tenant_id: uuid.UUID) -> Principal | None:
    """The user's principal in ``tenant_id``, or None when they are not (or no longer) a member."""
    with tenant_scope(tenant_id):
        membership = db.session.execute(select(Membership).where(Membership.user_id == user.id)).scalar_one_or_none()
        if membership is None:
            return None
        return Principal(
            kind=PrincipalKind.USER,
            id=user.id,
            label=user.email,
            tenant_id=tenant_id,
            role=Role(membership.role),
            client_ids=membership.client_ids,
        )


def tenants_of_user(user_id: uuid.UUID) -> list[tuple[Tenant, str]]:
    """Every tenant the user belongs to, with their role: the tenant switcher's list."""
    # Cross-tenant by nature: a person's own memberships, read before a tenant is chosen.
    with unscoped("list the signed-in user's own memberships across tenants"):
        rows = db.session.execute(
            select(Tenant, Membership.role)
            .join(Membership, Membership.tenant_id == Tenant.id)
            .where(Membership.user_id == user_id)
            .order_by(Tenant.name)
        ).all()
    return [(tenant, role) for tenant, role in rows]
