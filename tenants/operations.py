"""Creating tenants, managing an agency's clients and the tenant's members."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable

from sqlalchemy import func, select

from service.accounts.models import User
from service.audit.operations import record_event
from service.billing.limits import require_within_plan
from service.billing.seats import seats_changed
from service.errors import Conflict, Forbidden, NotFound, Unprocessable
from service.extensions import db
from tenants.access import Principal
from tenants.context import tenant_scope
from tenants.models import Client, Membership, MembershipClient, Tenant, TenantKind
from tenants.roles import Role, grantable_roles


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:56] or "tenant"


def _unique_slug(name: str) -> str:
    base = slugify(name)
    slug, n = base, 1
    while db.session.execute(select(Tenant.id).where(Tenant.slug == slug)).first() is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_tenant(name: str, kind: TenantKind, owner: User, default_locale: str = "de") -> Tenant:
    """A new brand or agency with ``owner`` as its first member."""
    tenant = Tenant(name=name, kind=kind.value, slug=_unique_slug(name), default_locale=default_locale)
    db.session.add(tenant)
    db.session.flush()
    with tenant_scope(tenant.id):
        db.session.add(Membership(user_id=owner.id, role=Role.OWNER.value, all_clients=True))
        db.session.flush()
    return tenant


# --- clients -------------------------------------------------------------------------------------


def visible_clients_query(principal: Principal):
    query = select(Client).order_by(Client.name, Client.id)
    if principal.client_ids is not None:
        query = query.where(Client.id.in_(principal.client_ids))
    return query


def get_client(client_id: uuid.UUID, principal: Principal) -> Client:
    client = db.session.execute(select(Client).where(Client.id == client_id)).scalar_one_or_none()
    if client is None or not principal.can_access_client(client.id):
        raise NotFound("No client with this id in your account.")
    return client


def _require_agency(tenant_id: uuid.UUID) -> None:
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None or not tenant.is_agency:
        raise Unprocessable("Only agencies have client brands.", {"kind": ["This account is a brand."]})


def create_client(name: str, principal: Principal) -> Client:
    assert principal.tenant_id is not None
    _require_agency(principal.tenant_id)
    require_within_plan("agency_client")
    _ensure_client_name_free(name)
    client = Client(name=name)
    db.session.add(client)
    db.session.flush()
    record_event("client.created", target_type="client", target_id=client.id, details={"name": name})
    return client


def _ensure_client_name_free(name: str, except_id: uuid.UUID | None = None) -> None:
    query = select(Client.id).where(func.lower(Client.name) == name.lower())
    if except_id is not None:
        query = query.where(Client.id != except_id)
    if db.session.execute(query).first() is not None:
        raise Conflict("A client with this name already exists.", {"name": ["Already used."]})


def update_client(client_id: uuid.UUID, changes: dict, principal: Principal) -> Client:
    client = get_client(client_id, principal)
    if "name" in changes:
        _ensure_client_name_free(changes["name"], except_id=client.id)
        client.name = changes["name"]
    if "archived" in changes:
        if client.archived and not changes["archived"]:
            require_within_plan("agency_client")  # un-archiving takes a client slot again
        client.archived = changes["archived"]
    record_event("client.updated", target_type="client", target_id=client.id, details=dict(changes))
    return client


def resolve_client_ids(client_ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    """Check that every id is a client of the current tenant (others' ids read as unknown)."""
    wanted = set(client_ids)
    if not wanted:
        return []
    found = set(db.session.execute(select(Client.id).where(Client.id.in_(wanted))).scalars())
    missing = wanted - found
    if missing:
        raise Unprocessable(
            "Unknown client ids.", {"client_ids": [f"Unknown client: {m}" for m in sorted(map(str, missing))]}
        )
    return sorted(wanted, key=str)


# --- members -------------------------------------------------------------------------------------


def members_query():
    return select(Membership).join(Membership.user).order_by(User.name, Membership.id)


def get_membership(membership_id: uuid.UUID) -> Membership:
    membership = db.session.execute(select(Membership).where(Membership.id == membership_id)).scalar_one_or_none()
    if membership is None:
        raise NotFound("No member with this id in your account.")
    return membership


def _owner_count() -> int:
    return db.session.execute(select(func.count()).where(Membership.role == Role.OWNER.value)).scalar_one()


def _check_can_manage(membership: Membership, principal: Principal, new_role: Role | None = None) -> None:
    actor_role = principal.role or Role.VIEWER
    if Role(membership.role).rank > actor_role.rank:
        raise Forbidden("You cannot change a member whose role is above yours.")
    if new_role is not None and new_role not in grantable_roles(actor_role):
        raise Forbidden(f"You cannot grant the {new_role.value} role.", {"role": ["Above what you may grant."]})
    losing_owner = membership.role == Role.OWNER.value and new_role != Role.OWNER
    if losing_owner and _owner_count() <= 1:
        raise Conflict("The last owner cannot be removed or demoted; make someone else owner first.")


def set_member_clients(membership: Membership, client_ids: list[uuid.UUID] | None) -> None:
    membership.all_clients = client_ids is None
    membership.client_links = [MembershipClient(client_id=cid) for cid in (client_ids or [])]


def update_membership(membership_id: uuid.UUID, changes: dict, principal: Principal) -> Membership:
    membership = get_membership(membership_id)
    new_role = Role(changes["role"]) if "role" in changes else None
    _check_can_manage(membership, principal, new_role)
    if new_role is not None:
        membership.role = new_role.value
    if "client_ids" in changes:
        ids = changes["client_ids"]
        set_member_clients(membership, None if ids is None else resolve_client_ids(ids))
    record_event(
        "member.updated",
        target_type="membership",
        target_id=membership.id,
        details={k: (v if k != "client_ids" or v is None else [str(i) for i in v]) for k, v in changes.items()},
    )
    return membership


def remove_membership(membership_id: uuid.UUID, principal: Principal) -> None:
    membership = get_membership(membership_id)
    _check_can_manage(membership, principal, new_role=None)
    record_event(
        "member.removed",
        target_type="membership",
        target_id=membership.id,
        details={"email": membership.user.email, "role": membership.role},
    )
    db.session.delete(membership)
    seats_changed()
