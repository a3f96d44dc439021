"""The webhook pages: an admin registers an endpoint, copies its secret, sends a test event, reads the log."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tenants.roles import Role
from tests.support.web import csrf_token, sign_in
from tests.webhooks.conftest import assert_signed
from tests.webhooks.receiver import Answer

SECRET = re.compile(r'data-testid="signing-secret">(whsec_[^<]+)<')
ENDPOINT_LINK = re.compile(r"/app/webhooks/([0-9a-f-]{36})/test")
DELIVERY_LINK = re.compile(r"/app/webhooks/deliveries/([0-9a-f-]{36})")


@pytest.fixture
def admin_browser(app, seed) -> Any:  # type: ignore[no-untyped-def]
    tenant = seed.make_tenant(name="Web Hook Brand")
    browser = app.test_client()
    sign_in(browser, tenant.owner.email)
    return browser


def register(browser: Any, url: str, events: list[str], description: str = "") -> Any:
    form = {"csrf_token": csrf_token(browser, "/app/webhooks"), "url": url, "description": description}
    return browser.post("/app/webhooks", data={**form, "event_types": events})


def test_admin_registers_an_endpoint_tests_it_and_reads_the_log(admin_browser, receiver, run_jobs):
    receiver.default = Answer(200, "thanks, got it")
    empty = admin_browser.get("/app/webhooks")
    assert empty.status_code == 200 and "No webhook endpoints yet." in empty.get_data(as_text=True)

    created = register(admin_browser, receiver.url, ["invitation.created", "member.joined"], "ERP")
    page = created.get_data(as_text=True)
    assert created.status_code == 200
    secret = SECRET.search(page).group(1)
    endpoint_id = ENDPOINT_LINK.search(page).group(1)
    assert "shown only this once" in page

    listing = admin_browser.get("/app/webhooks").get_data(as_text=True)
    assert receiver.url in listing and "invitation.created, member.joined" in listing
    assert secret not in listing
    assert secret not in admin_browser.get(f"/app/webhooks/{endpoint_id}").get_data(as_text=True)

    token = csrf_token(admin_browser, f"/app/webhooks/{endpoint_id}")
    sent = admin_browser.post(f"/app/webhooks/{endpoint_id}/test", data={"csrf_token": token})
    assert sent.status_code == 302
    run_jobs()

    [request] = receiver.wait_for(1)
    assert assert_signed(request, secret)["type"] == "ping"
    detail = admin_browser.get(f"/app/webhooks/{endpoint_id}").get_data(as_text=True)
    assert "delivered" in detail
    delivery_id = DELIVERY_LINK.search(detail).group(1)
    delivery = admin_browser.get(f"/app/webhooks/deliveries/{delivery_id}").get_data(as_text=True)
    assert "thanks, got it" in delivery and "&#34;ping&#34;" in delivery and " ms" in delivery


def test_an_internal_url_is_refused_on_the_form(admin_browser):
    response = register(admin_browser, "http://169.254.169.254/latest/meta-data", ["ping"])

    assert response.status_code == 422
    assert "169.254.169.254 is a link-local address" in response.get_data(as_text=True)
    assert "No webhook endpoints yet." in response.get_data(as_text=True)


def test_form_without_events_is_refused(admin_browser, receiver):
    response = register(admin_browser, receiver.url, [])

    assert response.status_code == 422
    assert "Choose at least one event." in response.get_data(as_text=True)


def test_admin_disables_rotates_and_deletes(admin_browser, receiver):
    page = register(admin_browser, receiver.url, ["ping"]).get_data(as_text=True)
    first_secret = SECRET.search(page).group(1)
    endpoint_id = ENDPOINT_LINK.search(page).group(1)
    path = f"/app/webhooks/{endpoint_id}"

    token = csrf_token(admin_browser, path)
    saved = admin_browser.post(path, data={"csrf_token": token, "url": receiver.url, "event_types": ["ping"]})
    assert saved.status_code == 302
    assert "disabled" in admin_browser.get(path).get_data(as_text=True)

    rotated = admin_browser.post(f"{path}/rotate", data={"csrf_token": token}).get_data(as_text=True)
    assert SECRET.search(rotated).group(1) != first_secret

    deleted = admin_browser.post(f"{path}/delete", data={"csrf_token": token})
    assert deleted.status_code == 302
    assert admin_browser.get(path).status_code == 404


def test_pages_need_the_admin_role(app, seed):
    tenant = seed.make_tenant()
    manager = seed.add_member(tenant.id, Role.MANAGER)
    browser = app.test_client()
    sign_in(browser, manager.email)

    assert browser.get("/app/webhooks").status_code == 403


def test_actions_without_a_csrf_token_are_refused(admin_browser, receiver):
    page = register(admin_browser, receiver.url, ["ping"]).get_data(as_text=True)
    endpoint_id = ENDPOINT_LINK.search(page).group(1)

    response = admin_browser.post(f"/app/webhooks/{endpoint_id}/delete")

    assert response.status_code == 400
    assert admin_browser.get(f"/app/webhooks/{endpoint_id}").status_code == 200
