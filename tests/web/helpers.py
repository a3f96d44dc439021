"""Driving the pages with the Flask test client: forms with their CSRF token, and invitation links."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Flask

from service.creators.models import CreatorKind
from service.extensions import db
from service.invitations import operations as invitations
from tenants.access import Principal, PrincipalKind
from tenants.context import tenant_scope
from tenants.models import Membership
from tenants.roles import Role
from tests.support.mailbox import Mailbox, body_of
from tests.support.web import csrf_token

_LINK = re.compile(r"https?://\S+")


def html(response: Any) -> str:
    return response.get_data(as_text=True)


def submit(
    client: Any,
    path: str,
    data: dict[str, Any] | None = None,
    *,
    page: str | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """POST a form the way a browser does: with the CSRF token of the page the form is on."""
    token = csrf_token(client, page or path)
    return client.post(path, data={**(data or {}), "csrf_token": token}, headers=headers or {})


def sign_out(client: Any) -> None:
    submit(client, "/logout", page="/login")


def _owner(tenant_id: uuid.UUID) -> Principal:
    return Principal(kind=PrincipalKind.SYSTEM, id=None, label="tests", tenant_id=tenant_id, role=Role.OWNER)


def invite_user(app: Flask, tenant_id: uuid.UUID, email: str, role: Role = Role.MANAGER) -> str:
    """A user invitation issued through the operation; returns the link's token."""
    with app.app_context(), tenant_scope(tenant_id):
        issued = invitations.invite_user(email, role, None, _owner(tenant_id))
        db.session.commit()
        return issued.token


def invite_creator(
    app: Flask, tenant_id: uuid.UUID, email: str, name: str = "Clara Creator", client_id: uuid.UUID | None = None
) -> str:
    with app.app_context(), tenant_scope(tenant_id):
        issued = invitations.invite_creator(email, name, CreatorKind.INFLUENCER, client_id, _owner(tenant_id))
        db.session.commit()
        return issued.token


def link_in(mailbox: Mailbox, address: str) -> str:
    """The one link in the newest email to ``address``."""
    messages = mailbox.to(address)
    assert messages, f"no email to {address}; got {[m['To'] for m in mailbox.messages]}"
    found = _LINK.search(body_of(messages[-1]))
    assert found, body_of(messages[-1])
    return found.group(0)


def path_of(link: str) -> str:
    """Links in emails carry BASE_URL (http://fairpact.test); the test client needs the path."""
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def join(app: Flask, tenant_id: uuid.UUID, user_id: uuid.UUID, role: Role = Role.VIEWER) -> None:
    """Make an existing user a member of a second account."""
    with app.app_context(), tenant_scope(tenant_id):
        db.session.add(Membership(user_id=user_id, role=role.value))
        db.session.commit()
