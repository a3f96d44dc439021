"""Issuing, authenticating and revoking tenant API keys."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from service.api_keys.models import ApiKey
from service.audit.operations import record_event
from service.errors import Forbidden, NotFound
from service.extensions import db
from service.models import utcnow
from service.security import hash_token, new_token, tokens_match
from tenants.access import Principal, PrincipalKind
from tenants.context import unscoped
from tenants.roles import Role, grantable_roles

KEY_PREFIX = "fp_"
LOOKUP_LENGTH = 16


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    secret: str  # the whole key; shown once, never stored


def issue_api_key(name: str, role: Role, *, actor: Principal, expires_in_days: int | None = None) -> IssuedKey:
    if role not in grantable_roles(actor.role or Role.VIEWER):
        raise Forbidden(f"You cannot create a key with the {role.value} role.", {"role": ["Above your own role."]})
    lookup = secrets.token_hex(LOOKUP_LENGTH // 2)  # hex: never contains the "_" that separates the parts
    secret = f"{KEY_PREFIX}{lookup}_{new_token(32)}"
    days = expires_in_days or current_app.config["API_KEY_DEFAULT_TTL_DAYS"]
    api_key = ApiKey(
        name=name,
        lookup_prefix=lookup,
        key_hash=hash_token(secret),
        role=role.value,
        created_by_id=actor.id if actor.kind == PrincipalKind.USER else None,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(api_key)
    db.session.flush()
    record_event(
        "api_key.created",
        target_type="api_key",
        target_id=api_key.id,
        details={"name": name, "role": role.value, "expires_at": api_key.expires_at.isoformat()},
    )
    return IssuedKey(api_key, secret)


def _parse_lookup(secret: str) -> str | None:
    if not secret.startswith(KEY_PREFIX):
        return None
    lookup, sep, rest = secret[len(KEY_PREFIX) :].partition("_")
    return lookup if sep and rest and len(lookup) == LOOKUP_LENGTH else None


def authenticate_api_key(secret: str) -> Principal | None:
    """The principal for a presented key, or None if it is unknown, wrong, revoked or expired."""
    lookup = _parse_lookup(secret)
    if lookup is None:
        return None
    # The key itself says which tenant it belongs to; no tenant is known before this lookup.
    with unscoped("find the tenant of a presented API key"):
        candidates = db.session.execute(select(ApiKey).where(ApiKey.lookup_prefix == lookup)).scalars()
        # The prefix is not unique across shards; the hash of the whole key decides.
        api_key = next((key for key in candidates if tokens_match(key.key_hash, secret)), None)
        if api_key is None:
            return None
        now = utcnow()
        if not api_key.is_usable(now):
            return None
        if api_key.last_used_at is None or now - api_key.last_used_at > timedelta(minutes=5):
            api_key.last_used_at = now  # throttled so every API call is not also a write
            db.session.commit()
        return Principal(
            kind=PrincipalKind.API_KEY,
            id=api_key.id,
            label=f"API key {api_key.name}",
            tenant_id=api_key.tenant_id,
            role=Role(api_key.role),
        )


def get_api_key(key_id: uuid.UUID) -> ApiKey:
    found = db.session.execute(select(ApiKey).where(ApiKey.id == key_id)).scalar_one_or_none()
    if found is None:
        raise NotFound("No API key with this id in your account.")
    return found


def list_api_keys_query():
    return select(ApiKey).order_by(ApiKey.created_at.desc(), ApiKey.id)


def revoke_api_key(key_id: uuid.UUID) -> ApiKey:
    api_key = get_api_key(key_id)
    if api_key.revoked_at is None:
        api_key.revoked_at = utcnow()
        record_event("api_key.revoked", target_type="api_key", target_id=api_key.id, details={"name": api_key.name})
    return api_key
