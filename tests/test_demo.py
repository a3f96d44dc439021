"""The demo data behind `make run`: complete, safe to seed again, and usable as printed."""

from __future__ import annotations

from sqlalchemy import func, select

from service.accounts.models import Creator, User
from service.api_keys.models import ApiKey
from service.creators.models import CreatorRelation
from service.demo import AGENCY, AGENCY_CLIENTS, BRAND, DEMO_PASSWORD, print_logins, seed_demo
from service.extensions import db
from service.security import verify_password
from tenants.context import tenant_scope, unscoped
from tenants.models import Client, Membership, MembershipClient, Tenant
from tenants.operations import slugify
from tenants.roles import Role
from tests.factories import bearer

COUNTED = (Tenant, User, Membership, MembershipClient, Client, Creator, CreatorRelation, ApiKey)


def _counts() -> dict[str, int]:
    with unscoped("count the demo rows of every tenant"):
        return {m.__name__: db.session.execute(select(func.count()).select_from(m)).scalar_one() for m in COUNTED}


def _tenant(name: str) -> Tenant:
    return db.session.execute(select(Tenant).where(Tenant.slug == slugify(name))).scalar_one()


def _memberships(tenant: Tenant) -> list[Membership]:
    with tenant_scope(tenant.id):
        return list(db.session.execute(select(Membership)).scalars())


def _quiet(_line: str) -> None:
    """Swallow the seed's progress lines; the tests look at the data."""


def test_seeding_twice_changes_nothing(app_context):
    first = seed_demo(echo=_quiet)
    after_first = _counts()
    second = seed_demo(echo=_quiet)

    assert first.created_tenants == [BRAND, AGENCY]
    assert second.created_tenants == []
    assert second.api_key is None  # the key's secret is shown once, on the first seed only
    assert _counts() == after_first
    assert after_first["Tenant"] == 2
    assert after_first["Client"] == 2
    assert after_first["Creator"] == 4


def test_the_brand_has_a_user_of_every_role_and_all_can_sign_in_with_the_demo_password(app_context):
    seed_demo(echo=_quiet)
    memberships = _memberships(_tenant(BRAND))

    assert {m.role for m in memberships} == {role.value for role in Role}
    assert all(verify_password(m.user.password_hash, DEMO_PASSWORD) for m in memberships)


def test_the_agency_manager_is_limited_to_one_client(app_context):
    seed_demo(echo=_quiet)
    agency = _tenant(AGENCY)
    by_role = {m.role: m for m in _memberships(agency)}

    with tenant_scope(agency.id):
        clients = {c.name: c.id for c in db.session.execute(select(Client)).scalars()}
    assert sorted(clients) == sorted(AGENCY_CLIENTS)
    assert by_role[Role.MANAGER.value].client_ids == frozenset({clients[AGENCY_CLIENTS[0]]})
    assert by_role[Role.OWNER.value].client_ids is None
    assert by_role[Role.ADMIN.value].client_ids is None


def test_one_creator_works_with_both_tenants_under_one_identity(app_context):
    seed_demo(echo=_quiet)
    lena = db.session.execute(select(Creator).where(Creator.email == "lena@creators.example")).scalar_one()
    with unscoped("see the creator's relations in every tenant"):
        relations = db.session.execute(select(CreatorRelation).where(CreatorRelation.creator_id == lena.id)).scalars()
        tenant_ids = {r.tenant_id for r in relations}
    assert tenant_ids == {_tenant(BRAND).id, _tenant(AGENCY).id}

    kinds = {r.kind for r in _all_relations()}
    assert kinds == {"influencer", "employee"}


def _all_relations() -> list[CreatorRelation]:
    with unscoped("list the demo creator relations"):
        return list(db.session.execute(select(CreatorRelation)).scalars())


def test_the_printed_api_key_answers_for_the_brand(app, client):
    with app.app_context():
        seed = seed_demo(echo=_quiet)
    assert seed.api_key is not None

    response = client.get("/api/v1/tenant", headers=bearer(seed.api_key))

    assert response.status_code == 200, response.json
    assert response.json["name"] == BRAND


def test_the_printed_logins_name_every_account_and_how_to_sign_in(app_context):
    seed_demo(echo=_quiet)
    lines: list[str] = []
    print_logins(echo=lines.append)
    text = "\n".join(lines)

    emails = set(db.session.execute(select(User.email)).scalars()) | set(
        db.session.execute(select(Creator.email)).scalars()
    )
    assert all(email in text for email in emails)
    assert DEMO_PASSWORD in text
    assert "/creator/login" in text
    assert "/dev/outbox" in text
    assert f"only client {AGENCY_CLIENTS[0]}" in text


def test_the_demo_campaign_has_posts_for_lena_with_their_obligations(app_context):
    from service.demo import DEMO_CAMPAIGN, DEMO_POSTS
    from service.disclosure.models import Campaign, DeliverablePost
    from service.disclosure.operations import obligation_of

    seed_demo(echo=_quiet)
    seed_demo(echo=_quiet)  # idempotent: still one campaign with its posts
    with tenant_scope(_tenant(BRAND).id):
        (campaign,) = db.session.execute(select(Campaign)).scalars().all()
        posts = db.session.execute(select(DeliverablePost)).scalars().all()
        assert campaign.name == DEMO_CAMPAIGN["name"]
        assert sorted(p.title for p in posts) == sorted(title for title, _ in DEMO_POSTS)
        obligation = obligation_of(posts[0], "de")
        assert obligation.required
        german = next(j for j in obligation.jurisdictions if j.jurisdiction == "DE")
        assert {"Werbung", "Anzeige"} & set(german.accepted_words)
