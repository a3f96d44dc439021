"""Password sign-in with lockout, and creators' magic-link sign-in."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from service.accounts.models import Creator, MagicLink, User
from service.audit.operations import record_event
from service.emails.operations import queue_templated_email
from service.errors import AppError
from service.extensions import db
from service.models import utcnow
from service.security import hash_token, new_token, verify_password
from tenants.access import Principal, PrincipalKind
from tenants.memberships import tenants_of_user

log = logging.getLogger(__name__)


class LoginFailed(AppError):
    status_code = 401


class AccountLocked(AppError):
    status_code = 423


class LinkInvalid(AppError):
    status_code = 410


def _user_principal(user: User) -> Principal:
    return Principal(kind=PrincipalKind.USER, id=user.id, label=user.email)


def _audit_in_user_tenants(user: User, action: str, details: dict) -> None:
    """Security events about a person go to the log of every tenant they belong to."""
    for tenant, _role in tenants_of_user(user.id):
        record_event(
            action,
            target_type="user",
            target_id=user.id,
            details=details,
            actor=_user_principal(user),
            tenant_id=tenant.id,
        )


def _record_in_tenants(user: User, action: str, details: dict) -> None:
    from tenants.context import unscoped

    with unscoped("write a security event into each of the user's tenants"):
        _audit_in_user_tenants(user, action, details)
        db.session.flush()


def authenticate_user(email: str, password: str) -> User:
    """The user for these credentials; failures count towards a temporary lockout."""
    user = db.session.execute(select(User).where(func.lower(User.email) == email.strip().lower())).scalar_one_or_none()
    now = utcnow()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        raise AccountLocked("Too many failed sign-ins. This account is locked for a few minutes; try again later.")
    if user is None or not verify_password(user.password_hash, password):
        if user is not None:
            _count_failure(user, now)
        raise LoginFailed("Email or password is not correct.")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    _record_in_tenants(user, "auth.login", {})
    return user


def _count_failure(user: User, now: object) -> None:
    config = current_app.config
    user.failed_logins += 1
    details: dict = {"failed_logins": user.failed_logins}
    if user.failed_logins >= config["LOGIN_LOCKOUT_ATTEMPTS"]:
        user.locked_until = utcnow() + timedelta(seconds=config["LOGIN_LOCKOUT_SECONDS"])
        user.failed_logins = 0
        details["locked_until"] = user.locked_until.isoformat()
        _record_in_tenants(user, "auth.locked", details)
    else:
        _record_in_tenants(user, "auth.login_failed", details)
    # Failures must be stored even though the request ends in an error.
    db.session.commit()


def end_sessions(identity: object) -> None:
    """Sign-out: every session cookie issued so far to this user or creator (and any copy of it) stops working.

    The cookie is signed but not stored, so it cannot be deleted from the server; its generation is moved on.
    """
    if isinstance(identity, User | Creator):
        identity.session_generation += 1


# --- magic links ---------------------------------------------------------------------------------


def request_magic_link(email: str, remote_addr: str | None, locale: str) -> None:
    """Email a sign-in link if ``email`` is a known creator; answer the same either way."""
    creator = db.session.execute(
        select(Creator).where(func.lower(Creator.email) == email.strip().lower())
    ).scalar_one_or_none()
    if creator is None:
        log.info("magic link requested for an unknown address")
        return
    token = new_token()
    ttl = timedelta(seconds=current_app.config["MAGIC_LINK_TTL_SECONDS"])
    link = MagicLink(
        creator_id=creator.id, token_hash=hash_token(token), expires_at=utcnow() + ttl, requested_ip=remote_addr
    )
    db.session.add(link)
    db.session.flush()
    queue_templated_email(
        creator.email,
        "magic_link",
        creator.locale or locale,
        creator=creator,
        link=f"{current_app.config['BASE_URL']}/creator/magic/{token}",
        minutes=ttl.seconds // 60,
    )


def find_magic_link(token: str) -> MagicLink:
    link = db.session.execute(select(MagicLink).where(MagicLink.token_hash == hash_token(token))).scalar_one_or_none()
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        raise LinkInvalid("This sign-in link is invalid, expired or already used. Request a new one.")
    return link


def consume_magic_link(token: str) -> Creator:
    """Use the link once: the second use of the same link fails."""
    link = find_magic_link(token)
    link.used_at = utcnow()
    creator = db.session.get(Creator, link.creator_id)
    assert creator is not None
    creator.last_login_at = link.used_at
    return creator
