"""The members page: the list, inviting a team member, changing roles, removing, revoking invitations."""

from __future__ import annotations

import re

from service.extensions import db
from service.invitations.models import Invitation
from tenants.context import tenant_scope
from tenants.models import TenantKind
from tenants.roles import Role
from tests.support.web import sign_in
from tests.web.helpers import html, invite_user, link_in, sign_out, submit


def _pending_emails(page: str) -> str:
    return page.split("Pending invitations", 1)[1]


def test_a_viewer_sees_the_members_but_no_controls(client, seed):
    tenant = seed.make_tenant()
    viewer = seed.add_member(tenant.id, Role.VIEWER, email="vera@example.com")
    sign_in(client, viewer.email)

    page = html(client.get("/settings/members"))

    assert tenant.owner.email in page and "vera@example.com" in page
    assert "Owner" in page and "Viewer" in page
    assert "Invite a team member" not in page
    assert "Remove from the account" not in page
    assert "Pending invitations" not in page


def test_an_admin_invites_a_team_member_who_gets_the_email(client, seed, mailbox, run_jobs):
    tenant = seed.make_tenant(name="Nordlicht")
    sign_in(client, tenant.owner.email)

    response = submit(
        client, "/settings/members/invite", {"email": "Nina@Example.com", "role": "manager"}, page="/settings/members"
    )

    assert response.status_code == 302
    page = html(client.get("/settings/members"))
    assert "Invitation sent to Nina@Example.com." in page
    assert "nina@example.com" in _pending_emails(page)
    run_jobs()
    message = mailbox.to("nina@example.com")[0]
    assert message["Subject"] == "Nordlicht lädt Sie zu Fairpact ein"  # the account's language: German
    assert "/invitations/" in link_in(mailbox, "nina@example.com")


def test_an_agency_admin_limits_a_manager_to_one_client(app, client, seed):
    agency = seed.make_tenant(TenantKind.AGENCY)
    first = seed.make_client(agency.id, "Bergquelle")
    seed.make_client(agency.id, "Radwerk")
    sign_in(client, agency.owner.email)

    page = html(client.get("/settings/members"))
    assert "Bergquelle" in page and "Radwerk" in page  # offered as checkboxes
    response = submit(
        client,
        "/settings/members/invite",
        {"email": "m@example.com", "role": "manager", "client_ids": [str(first)]},
        page="/settings/members",
    )

    assert response.status_code == 302
    with app.app_context(), tenant_scope(agency.id):
        invitation = db.session.execute(db.select(Invitation)).scalar_one()
        assert invitation.client_ids == [str(first)]


def test_only_a_manager_can_be_limited_to_clients(client, seed):
    agency = seed.make_tenant(TenantKind.AGENCY)
    first = seed.make_client(agency.id)
    sign_in(client, agency.owner.email)

    response = submit(
        client,
        "/settings/members/invite",
        {"email": "a@example.com", "role": "admin", "client_ids": [str(first)]},
        page="/settings/members",
    )

    assert response.status_code == 400
    assert "Only a manager can be limited to some clients." in html(response)


def test_inviting_a_member_again_shows_the_refusal_on_the_form(client, seed):
    tenant = seed.make_tenant()
    member = seed.add_member(tenant.id, Role.VIEWER)
    sign_in(client, tenant.owner.email)

    response = submit(
        client, "/settings/members/invite", {"email": member.email, "role": "viewer"}, page="/settings/members"
    )

    assert response.status_code == 409
    page = html(response)
    assert "This person is already a member." in page
    assert "Already a member." in page
    assert f'value="{member.email}"' in page  # what was typed stays in the form


def test_bad_input_is_shown_next_to_the_field(client, seed):
    tenant = seed.make_tenant()
    sign_in(client, tenant.owner.email)

    response = submit(
        client, "/settings/members/invite", {"email": "not-an-address", "role": "viewer"}, page="/settings/members"
    )

    assert response.status_code == 400
    assert "Enter a valid email address." in html(response)


def test_an_admin_cannot_grant_owner(client, seed):
    tenant = seed.make_tenant()
    admin = seed.add_member(tenant.id, Role.ADMIN)
    sign_in(client, admin.email)

    page = html(client.get("/settings/members"))
    invite_form = page.split("Invite a team member", 1)[1]
    assert 'value="owner"' not in invite_form
    response = submit(
        client, "/settings/members/invite", {"email": "x@example.com", "role": "owner"}, page="/settings/members"
    )
    assert response.status_code == 400


def test_an_admin_changes_a_role(client, seed):
    tenant = seed.make_tenant()
    viewer = seed.add_member(tenant.id, Role.VIEWER, email="vera@example.com")
    sign_in(client, tenant.owner.email)

    response = submit(
        client, f"/settings/members/{viewer.membership_id}", {"role": "manager"}, page="/settings/members"
    )

    assert response.status_code == 302
    page = html(client.get("/settings/members"))
    assert "Viewer User is now Manager." in page
    row = page.split("vera@example.com", 1)[1].split("</tr>", 1)[0]
    assert '<td data-label="Role">Manager</td>' in row


def test_the_last_owner_cannot_step_down_and_the_page_says_why(client, seed):
    tenant = seed.make_tenant()
    sign_in(client, tenant.owner.email)
    page = html(client.get("/settings/members"))
    own_form = re.search(r'action="(/settings/members/[0-9a-f-]{36})"', page)
    assert own_form

    response = submit(client, own_form.group(1), {"role": "admin"}, page="/settings/members")

    assert response.status_code == 409
    assert "The last owner cannot be removed or demoted; make someone else owner first." in html(response)
    assert '<td data-label="Role">Owner</td>' in html(client.get("/settings/members"))


def test_an_admin_cannot_change_the_owner(client, seed):
    tenant = seed.make_tenant()
    admin = seed.add_member(tenant.id, Role.ADMIN)
    sign_in(client, admin.email)
    page = html(client.get("/settings/members"))
    owner_row = page.split(tenant.owner.email, 1)[1].split("</tr>", 1)[0]
    assert "Change" not in owner_row

    owner_membership = seed.add_member(tenant.id, Role.OWNER)  # a second owner, addressed by id
    response = submit(client, f"/settings/members/{owner_membership.membership_id}/remove", page="/settings/members")

    assert response.status_code == 403
    assert "You cannot change a member whose role is above yours." in html(response)


def test_an_admin_removes_a_member(client, seed):
    tenant = seed.make_tenant()
    viewer = seed.add_member(tenant.id, Role.VIEWER, email="vera@example.com")
    sign_in(client, tenant.owner.email)

    response = submit(client, f"/settings/members/{viewer.membership_id}/remove", page="/settings/members")

    assert response.status_code == 302
    page = html(client.get("/settings/members"))
    assert "Viewer User was removed from the account." in page
    assert "vera@example.com" not in page


def test_another_accounts_member_is_not_found(client, seed):
    mine = seed.make_tenant()
    theirs = seed.make_tenant()
    stranger = seed.add_member(theirs.id, Role.VIEWER)
    sign_in(client, mine.owner.email)

    for path in (f"/settings/members/{stranger.membership_id}", f"/settings/members/{stranger.membership_id}/remove"):
        assert submit(client, path, {"role": "admin"}, page="/settings/members").status_code == 404


def test_a_revoked_invitation_leaves_the_list_and_its_link_stops_working(app, client, seed):
    tenant = seed.make_tenant()
    token = invite_user(app, tenant.id, "late@example.com")
    sign_in(client, tenant.owner.email)
    page = html(client.get("/settings/members"))
    revoke = re.search(r'action="(/settings/invitations/[0-9a-f-]{36}/revoke)"', page)
    assert revoke and "late@example.com" in _pending_emails(page)

    response = submit(client, revoke.group(1), page="/settings/members")

    assert response.status_code == 302 and response.headers["Location"] == "/settings/members"
    page = html(client.get("/settings/members"))
    assert "The invitation to late@example.com was revoked." in page
    assert "late@example.com" not in _pending_emails(page).split("</table>")[0]
    sign_out(client)
    assert client.get(f"/invitations/{token}").status_code == 410
