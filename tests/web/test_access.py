"""Each page opens for the roles it is meant for, refuses the others, and sends strangers to sign in."""

from __future__ import annotations

import pytest

from tenants.models import TenantKind
from tenants.roles import Role
from tests.factories import PASSWORD
from tests.support.web import sign_in
from tests.web.helpers import html, link_in, path_of, submit

PAGES = {
    "/app": Role.VIEWER,
    "/creators": Role.VIEWER,
    "/settings/members": Role.VIEWER,
    "/settings/api-keys": Role.ADMIN,
    "/settings/audit": Role.ADMIN,
}
ROLES = (Role.VIEWER, Role.MANAGER, Role.ADMIN, Role.OWNER)


@pytest.mark.parametrize("path", PAGES)
def test_a_stranger_is_sent_to_sign_in_and_back(client, seed, path):
    tenant = seed.make_tenant()
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={path}"

    signed_in = submit(client, f"/login?next={path}", {"email": tenant.owner.email, "password": PASSWORD})

    assert signed_in.status_code == 302
    assert signed_in.headers["Location"] == path


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
@pytest.mark.parametrize("path", PAGES)
def test_each_page_opens_for_its_roles_and_is_forbidden_below(client, seed, path, role):
    agency = seed.make_tenant(TenantKind.AGENCY)
    member = seed.add_member(agency.id, role) if role != Role.OWNER else agency.owner
    sign_in(client, member.email)

    response = client.get(path)

    if role.at_least(PAGES[path]):
        assert response.status_code == 200, html(response)[:500]
    else:
        assert response.status_code == 403
        assert f"This page needs the {PAGES[path].value.title()} role or higher." in html(response)


def test_a_signed_in_creator_cannot_open_staff_pages(client, seed, app, mailbox, run_jobs):
    tenant = seed.make_tenant()
    creator = seed.make_creator(tenant.id)
    submit(client, "/creator/login", {"email": creator.email})
    run_jobs()
    magic = path_of(link_in(mailbox, creator.email))
    assert submit(client, magic).status_code == 302

    assert client.get("/creator").status_code == 200
    response = client.get("/settings/members")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        (Role.VIEWER, ["Overview", "Creators", "Members"], ["API keys", "Audit log", "Webhooks"]),
        (Role.MANAGER, ["Overview", "Creators", "Members"], ["API keys", "Audit log", "Webhooks"]),
        (Role.ADMIN, ["Overview", "Creators", "Members", "API keys", "Audit log"], []),
    ],
    ids=lambda v: v.value if isinstance(v, Role) else None,
)
def test_the_navigation_shows_what_the_role_may_open(client, seed, app, role, visible, hidden):
    tenant = seed.make_tenant()
    sign_in(client, seed.add_member(tenant.id, role).email)

    nav = html(client.get("/app")).split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]

    for label in visible:
        assert f">{label}</a>" in nav
    for label in hidden:
        assert f">{label}</a>" not in nav
    # The webhooks page is another module's; its link appears for admins once its endpoint exists.
    webhooks_link = ">Webhooks</a>" in nav
    assert webhooks_link == (role.at_least(Role.ADMIN) and "web_webhooks.endpoints" in app.view_functions)


def test_the_current_page_is_marked_in_the_navigation(client, seed):
    tenant = seed.make_tenant()
    sign_in(client, tenant.owner.email)
    page = html(client.get("/settings/members"))
    assert '<a href="/settings/members" aria-current="page">Members</a>' in page
    assert '<a href="/creators">Creators</a>' in page


@pytest.mark.parametrize(
    ("path", "data", "minimum"),
    [
        ("/settings/members/invite", {"email": "new@example.com", "role": "viewer"}, Role.ADMIN),
        (
            "/creators",
            {"email": "c@example.com", "name": "C", "creator_kind": "influencer", "locale": "de"},
            Role.MANAGER,
        ),
        ("/settings/api-keys", {"name": "ci", "role": "viewer", "expires_in_days": "30"}, Role.ADMIN),
    ],
)
def test_forms_refuse_a_role_below_theirs(client, seed, path, data, minimum):
    tenant = seed.make_tenant()
    below = ROLES[ROLES.index(minimum) - 1]
    sign_in(client, seed.add_member(tenant.id, below).email)

    response = submit(client, path, data, page="/app")

    assert response.status_code == 403
