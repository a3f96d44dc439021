"""Members, clients, invitations and creators through the API: roles, limits and their rules."""

from __future__ import annotations

import re

import pytest

from tenants.models import TenantKind
from tenants.roles import Role
from tests.factories import bearer
from tests.support.mailbox import body_of


@pytest.fixture
def agency(seed):
    agency = seed.make_tenant(TenantKind.AGENCY, name="Kollektiv Süd")
    clients = [seed.make_client(agency.id, name=n) for n in ("Bergquell", "Stadtrad")]
    return agency, clients, seed.make_api_key(agency.id, Role.OWNER)


def test_manager_limited_to_one_client_sees_only_that_client(client, agency, seed):
    tenant, (bergquell, _stadtrad), owner_key = agency
    manager = seed.add_member(tenant.id, Role.MANAGER, client_ids=[bergquell])
    from tests.support.web import sign_in

    sign_in(client, manager.email)
    page = client.get("/app").get_data(as_text=True)
    assert "Bergquell" in page and "Stadtrad" not in page
    members = client.get("/api/v1/members", headers=bearer(owner_key)).json["items"]
    limited = next(m for m in members if m["email"] == manager.email)
    assert limited["all_clients"] is False and limited["client_ids"] == [str(bergquell)]


def test_admin_changes_role_and_client_access(client, agency, seed):
    tenant, (bergquell, _), owner_key = agency
    viewer = seed.add_member(tenant.id, Role.VIEWER)
    response = client.patch(
        f"/api/v1/members/{viewer.membership_id}",
        json={"role": "manager", "client_ids": [str(bergquell)]},
        headers=bearer(owner_key),
    )
    assert response.status_code == 200, response.json
    assert response.json["role"] == "manager" and response.json["client_ids"] == [str(bergquell)]
    actions = [e["action"] for e in client.get("/api/v1/audit-events", headers=bearer(owner_key)).json["items"]]
    assert "member.updated" in actions


def test_admin_cannot_make_an_owner(client, agency, seed):
    tenant, _, _ = agency
    admin_key = seed.make_api_key(tenant.id, Role.ADMIN)
    viewer = seed.add_member(tenant.id, Role.VIEWER)
    response = client.patch(
        f"/api/v1/members/{viewer.membership_id}", json={"role": "owner"}, headers=bearer(admin_key)
    )
    assert response.status_code == 403
    assert response.json["errors"] == {"role": ["Above what you may grant."]}


def test_last_owner_cannot_be_removed(client, agency):
    _tenant, _, owner_key = agency
    members = client.get("/api/v1/members", headers=bearer(owner_key)).json["items"]
    owner = next(m for m in members if m["role"] == "owner")
    response = client.delete(f"/api/v1/members/{owner['id']}", headers=bearer(owner_key))
    assert response.status_code == 409 and "last owner" in response.json["message"]
    assert client.get("/api/v1/members", headers=bearer(owner_key)).json["total"] == 1


def test_removed_member_loses_access_immediately(client, agency, seed):
    tenant, _, owner_key = agency
    viewer = seed.add_member(tenant.id, Role.VIEWER)
    from tests.support.web import sign_in

    sign_in(client, viewer.email)
    assert client.get("/app").status_code == 200
    api = client.application.test_client()
    assert api.delete(f"/api/v1/members/{viewer.membership_id}", headers=bearer(owner_key)).status_code == 204
    assert client.get("/app").status_code == 302  # session no longer grants the tenant


def test_unknown_client_in_access_list_is_a_field_error(client, agency, seed):
    tenant, _, owner_key = agency
    other = seed.make_tenant(TenantKind.AGENCY)
    foreign_client = seed.make_client(other.id)
    viewer = seed.add_member(tenant.id, Role.VIEWER)
    response = client.patch(
        f"/api/v1/members/{viewer.membership_id}", json={"client_ids": [str(foreign_client)]}, headers=bearer(owner_key)
    )
    assert response.status_code == 422
    assert "client_ids" in response.json["errors"]


LINK = re.compile(r"http://fairpact\.test(/invitations/\S+)")


def test_invitation_emails_a_single_use_link(client, agency, run_jobs, mailbox):
    _, _, owner_key = agency
    response = client.post(
        "/api/v1/invitations/users", json={"email": "Neu@Example.com", "role": "viewer"}, headers=bearer(owner_key)
    )
    assert response.status_code == 201, response.json
    assert response.json["status"] == "pending" and response.json["email"] == "neu@example.com"
    assert "token" not in response.json
    run_jobs()
    (message,) = mailbox.wait_for(1)
    assert message["To"] == "neu@example.com"
    assert "Kollektiv Süd" in message["Subject"]
    assert LINK.search(body_of(message))


def test_creator_invitation_uses_the_requested_language(client, agency, run_jobs, mailbox, app):
    _, _, owner_key = agency
    client.post(
        "/api/v1/invitations/creators",
        json={"email": "mia@example.com", "name": "Mia", "creator_kind": "influencer", "locale": "de"},
        headers=bearer(owner_key),
    )
    run_jobs()
    (message,) = mailbox.wait_for(1)
    assert "Hallo Mia" in body_of(message)


def test_inviting_an_existing_member_is_a_conflict(client, agency):
    _tenant, _, owner_key = agency
    members = client.get("/api/v1/members", headers=bearer(owner_key)).json["items"]
    response = client.post(
        "/api/v1/invitations/users", json={"email": members[0]["email"], "role": "viewer"}, headers=bearer(owner_key)
    )
    assert response.status_code == 409


def test_revoked_invitation_cannot_be_accepted(client, agency, app, run_jobs, mailbox):
    from service.extensions import db
    from service.invitations.operations import InvitationInvalid, accept_user_invitation

    _, _, owner_key = agency
    created = client.post(
        "/api/v1/invitations/users", json={"email": "late@example.com", "role": "viewer"}, headers=bearer(owner_key)
    ).json
    run_jobs()
    token = LINK.search(body_of(mailbox.wait_for(1)[0])).group(1).rsplit("/", 1)[1]
    revoked = client.delete(f"/api/v1/invitations/{created['id']}", headers=bearer(owner_key)).json
    assert revoked["status"] == "revoked"
    with app.app_context(), pytest.raises(InvitationInvalid):
        accept_user_invitation(token, existing_user=None, name="Late", password="a long enough password")
    with app.app_context():
        db.session.rollback()


def test_accepted_invitation_makes_a_member_and_is_single_use(client, agency, app, run_jobs, mailbox):
    from service.extensions import db
    from service.invitations.operations import InvitationInvalid, accept_user_invitation

    _, (bergquell, _), owner_key = agency
    client.post(
        "/api/v1/invitations/users",
        json={"email": "lena@example.com", "role": "manager", "client_ids": [str(bergquell)]},
        headers=bearer(owner_key),
    )
    run_jobs()
    token = LINK.search(body_of(mailbox.wait_for(1)[0])).group(1).rsplit("/", 1)[1]
    with app.app_context():
        _user, _membership = accept_user_invitation(
            token, existing_user=None, name="Lena", password="a long enough password"
        )
        db.session.commit()
    members = client.get("/api/v1/members", headers=bearer(owner_key)).json["items"]
    lena = next(m for m in members if m["email"] == "lena@example.com")
    assert lena["role"] == "manager" and lena["client_ids"] == [str(bergquell)]
    with app.app_context(), pytest.raises(InvitationInvalid):
        accept_user_invitation(token, existing_user=None, name="Again", password="a long enough password")


def test_creator_has_one_identity_across_tenants(client, seed):
    brand = seed.make_tenant(TenantKind.BRAND)
    agency = seed.make_tenant(TenantKind.AGENCY)
    first = seed.make_creator(brand.id, email="sam@example.com")
    key_a, key_b = seed.make_api_key(brand.id), seed.make_api_key(agency.id)
    # The same person joins the agency by invitation: the identity is reused, the relation is new.
    invited = client.post(
        "/api/v1/invitations/creators",
        json={"email": "sam@example.com", "name": "Sam", "creator_kind": "employee"},
        headers=bearer(key_b),
    )
    assert invited.status_code == 201
    brand_view = client.get("/api/v1/creators", headers=bearer(key_a)).json["items"]
    assert [c["creator_id"] for c in brand_view] == [str(first.id)]
    assert client.get("/api/v1/creators", headers=bearer(key_b)).json["total"] == 0


def test_creators_can_be_filtered_by_client(client, agency, seed):
    tenant, (bergquell, stadtrad), owner_key = agency
    seed.make_creator(tenant.id, email="b@example.com", client_id=bergquell)
    seed.make_creator(tenant.id, email="s@example.com", client_id=stadtrad)
    listed = client.get(f"/api/v1/creators?client_id={bergquell}", headers=bearer(owner_key)).json["items"]
    assert [c["email"] for c in listed] == ["b@example.com"]


def test_api_key_secret_is_shown_once_and_stored_hashed(client, agency, app):
    from sqlalchemy import select

    from service.api_keys.models import ApiKey
    from service.extensions import db
    from tenants.context import unscoped

    _, _, owner_key = agency
    created = client.post("/api/v1/api-keys", json={"name": "CI", "role": "viewer"}, headers=bearer(owner_key))
    assert created.status_code == 201
    secret = created.json["secret"]
    assert client.get("/api/v1/tenant", headers=bearer(secret)).status_code == 200
    shown = client.get(f"/api/v1/api-keys/{created.json['id']}", headers=bearer(owner_key)).json
    assert "secret" not in shown and shown["prefix"].endswith("…")
    with app.app_context(), unscoped("test: inspect stored key hashes"):
        stored = db.session.execute(select(ApiKey.key_hash)).scalars().all()
    assert all(secret not in h for h in stored)


def test_key_cannot_create_a_key_above_its_role(client, agency, seed):
    tenant, _, _ = agency
    admin_key = seed.make_api_key(tenant.id, Role.ADMIN)
    response = client.post("/api/v1/api-keys", json={"name": "x", "role": "owner"}, headers=bearer(admin_key))
    assert response.status_code == 422  # owner keys do not exist at all


def test_limited_manager_invites_creators_only_for_own_clients(app, agency, seed):
    from service.creators.models import CreatorKind
    from service.errors import Forbidden
    from service.extensions import db
    from service.invitations.operations import invite_creator
    from tenants.access import Principal, PrincipalKind
    from tenants.context import tenant_scope

    tenant, (bergquell, stadtrad), _ = agency
    manager = Principal(
        kind=PrincipalKind.USER,
        id=None,
        label="m",
        tenant_id=tenant.id,
        role=Role.MANAGER,
        client_ids=frozenset({bergquell}),
    )
    with app.app_context(), tenant_scope(tenant.id):
        invite_creator("ok@example.com", "Ok", CreatorKind.INFLUENCER, bergquell, manager)
        for client_id in (stadtrad, None):
            with pytest.raises(Forbidden):
                invite_creator(f"no{client_id}@example.com", "No", CreatorKind.INFLUENCER, client_id, manager)
        db.session.rollback()
