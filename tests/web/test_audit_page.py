"""The audit log page: newest first, filtered by action, in pages of 50."""

from __future__ import annotations

import re
from datetime import timedelta

from service.audit.models import AuditEvent
from service.extensions import db
from service.models import utcnow
from tenants.context import tenant_scope
from tests.support.web import sign_in
from tests.web.helpers import html


def _events(app, tenant_id, count: int, action: str = "client.created") -> None:  # type: ignore[no-untyped-def]
    start = utcnow() - timedelta(days=1)
    with app.app_context(), tenant_scope(tenant_id):
        for n in range(count):
            db.session.add(
                AuditEvent(
                    action=action,
                    actor_type="user",
                    actor_label="ada@example.com",
                    target_type="client",
                    details={"name": f"Client {n:03d}"},
                    ip_address="203.0.113.7",
                    created_at=start + timedelta(minutes=n),
                )
            )
        db.session.commit()


def test_the_log_lists_who_did_what_from_where_newest_first(app, client, seed):
    tenant = seed.make_tenant()
    _events(app, tenant.id, 3)
    sign_in(client, tenant.owner.email)

    page = html(client.get("/settings/audit"))

    names = re.findall(r"Client \d{3}", page)
    assert names == ["Client 002", "Client 001", "Client 000"]
    assert page.index("auth.login") < page.index("Client 002")  # this sign-in is the newest event
    assert "ada@example.com" in page and "203.0.113.7" in page


def test_the_log_is_filtered_by_action(app, client, seed):
    tenant = seed.make_tenant()
    _events(app, tenant.id, 2)
    sign_in(client, tenant.owner.email)

    page = html(client.get("/settings/audit?action=client.created"))

    assert '<option value="client.created" selected>client.created</option>' in page
    assert '<option value="auth.login" >auth.login</option>' in page
    table = page.split("<tbody>", 1)[1]
    assert "auth.login" not in table and "Client 001" in table


def test_the_log_is_paginated(app, client, seed):
    tenant = seed.make_tenant()
    _events(app, tenant.id, 60)
    sign_in(client, tenant.owner.email)

    first = html(client.get("/settings/audit?action=client.created"))
    second = html(client.get("/settings/audit?action=client.created&page=2"))

    assert len(re.findall(r"Client \d{3}", first)) == 50
    assert "Page 1 of 2" in first and 'href="/settings/audit?page=2&amp;action=client.created"' in first
    assert re.findall(r"Client \d{3}", second) == [f"Client {n:03d}" for n in range(9, -1, -1)]
    assert "Page 2 of 2" in second and "Older" not in second


def test_another_accounts_events_never_show(app, client, seed):
    mine = seed.make_tenant()
    theirs = seed.make_tenant()
    _events(app, theirs.id, 2, action="secret.thing")
    sign_in(client, mine.owner.email)

    page = html(client.get("/settings/audit"))

    assert "secret.thing" not in page
