"""Test data builders. Each commits (other connections such as workers and browsers see the data)
and returns plain values, so a test never leans on a session that a request would not have."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass

from service.accounts.models import Creator, User
from service.api_keys.operations import issue_api_key
from service.creators.models import CreatorKind, CreatorRelation
from service.extensions import db
from service.security import hash_password
from tenants.access import Principal, PrincipalKind
from tenants.context import tenant_scope
from tenants.models import Client, Membership, TenantKind
from tenants.operations import create_tenant, set_member_clients
from tenants.roles import Role

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


@dataclass(frozen=True)
class UserInfo:
    id: uuid.UUID
    email: str
    membership_id: uuid.UUID | None = None


@dataclass(frozen=True)
class TenantInfo:
    id: uuid.UUID
    name: str
    owner: UserInfo


@dataclass(frozen=True)
class CreatorInfo:
    id: uuid.UUID
    email: str
    relation_id: uuid.UUID


def _user(email: str | None, name: str, password: str) -> User:
    user = User(email=email or f"user{next(_seq)}@example.com", name=name, password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    return user


def make_user(email: str | None = None, name: str = "Test User", password: str = PASSWORD) -> UserInfo:
    user = _user(email, name, password)
    db.session.commit()
    return UserInfo(user.id, user.email)


def make_tenant(kind: TenantKind = TenantKind.BRAND, name: str | None = None) -> TenantInfo:
    owner = _user(None, "Owner", PASSWORD)
    tenant = create_tenant(name or f"Tenant {next(_seq)}", kind, owner)
    db.session.commit()
    return TenantInfo(tenant.id, tenant.name, UserInfo(owner.id, owner.email))


def add_member(
    tenant_id: uuid.UUID, role: Role, client_ids: list[uuid.UUID] | None = None, email: str | None = None
) -> UserInfo:
    user = _user(email, f"{role.value.title()} User", PASSWORD)
    with tenant_scope(tenant_id):
        membership = Membership(user_id=user.id, role=role.value)
        db.session.add(membership)
        set_member_clients(membership, client_ids)
        db.session.commit()
        return UserInfo(user.id, user.email, membership.id)


def make_client(tenant_id: uuid.UUID, name: str | None = None) -> uuid.UUID:
    with tenant_scope(tenant_id):
        client = Client(name=name or f"Client {next(_seq)}")
        db.session.add(client)
        db.session.commit()
        return client.id


def make_creator(
    tenant_id: uuid.UUID,
    kind: CreatorKind = CreatorKind.INFLUENCER,
    email: str | None = None,
    client_id: uuid.UUID | None = None,
) -> CreatorInfo:
    creator = Creator(email=email or f"creator{next(_seq)}@example.com", name="Creator")
    db.session.add(creator)
    db.session.flush()
    with tenant_scope(tenant_id):
        relation = CreatorRelation(creator_id=creator.id, kind=kind.value, client_id=client_id)
        db.session.add(relation)
        db.session.commit()
        return CreatorInfo(creator.id, creator.email, relation.id)


def make_api_key(tenant_id: uuid.UUID, role: Role = Role.ADMIN) -> str:
    actor = Principal(kind=PrincipalKind.SYSTEM, id=None, label="tests", tenant_id=tenant_id, role=Role.OWNER)
    with tenant_scope(tenant_id):
        issued = issue_api_key(f"key {next(_seq)}", role, actor=actor)
        db.session.commit()
        return issued.secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
