"""Demo data for ``make run``: a brand, an agency with two client brands, staff of every role, creators.

``seed_demo()`` may run on every start: each tenant, user, client, membership and creator is looked
up by its natural key (tenant slug, email, client name) and only created when missing, so a second
run changes nothing. Everything is built through the same operations the app uses, and the whole
seed commits once, so a failure leaves no half-built demo behind.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import click
from flask import current_app
from sqlalchemy import select

from service.accounts.models import Creator, User
from service.api_keys.operations import issue_api_key
from service.creators.models import CreatorKind, CreatorRelation
from service.extensions import db
from service.security import hash_password
from tenants import operations as tenant_ops
from tenants.access import Principal, PrincipalKind
from tenants.context import tenant_scope
from tenants.models import Client, Membership, Tenant, TenantKind
from tenants.roles import Role

# One password for every staff login of the demo; it is printed, so it is no secret.
DEMO_PASSWORD = "fairpact-demo"  # noqa: S105

Echo = Callable[[str], None]


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: Role
    only_clients: tuple[str, ...] | None = None  # None: every client of the tenant


@dataclass(frozen=True)
class DemoTenant:
    name: str
    kind: TenantKind
    users: tuple[DemoUser, ...]  # the first one is the owner
    clients: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoRelation:
    tenant: str
    handle: str | None = None
    client: str | None = None


@dataclass(frozen=True)
class DemoCreator:
    email: str
    name: str
    kind: CreatorKind
    locale: str
    relations: tuple[DemoRelation, ...]


BRAND = "Nordlicht Naturkosmetik GmbH"
AGENCY = "Kollektiv Süd Agentur"
AGENCY_CLIENTS = ("Bergquelle Mineralbrunnen", "Radwerk München")

DEMO_TENANTS = (
    DemoTenant(
        BRAND,
        TenantKind.BRAND,
        users=(
            DemoUser("owner@nordlicht.example", "Nora Lindqvist", Role.OWNER),
            DemoUser("admin@nordlicht.example", "Ben Albers", Role.ADMIN),
            DemoUser("manager@nordlicht.example", "Mia Hansen", Role.MANAGER),
            DemoUser("viewer@nordlicht.example", "Paul Voss", Role.VIEWER),
        ),
    ),
    DemoTenant(
        AGENCY,
        TenantKind.AGENCY,
        users=(
            DemoUser("owner@kollektiv-sued.example", "Sophie Gruber", Role.OWNER),
            DemoUser("admin@kollektiv-sued.example", "Elias Huber", Role.ADMIN),
            DemoUser("manager@kollektiv-sued.example", "Lea Brandl", Role.MANAGER, only_clients=(AGENCY_CLIENTS[0],)),
        ),
        clients=AGENCY_CLIENTS,
    ),
)

DEMO_CREATORS = (
    # Lena works with the brand directly and with the agency: one identity, one login, two relations.
    DemoCreator(
        "lena@creators.example",
        "Lena Sommer",
        CreatorKind.INFLUENCER,
        "de",
        relations=(
            DemoRelation(BRAND, handle="@lena.sommer"),
            DemoRelation(AGENCY, handle="@lena.sommer", client=AGENCY_CLIENTS[0]),
        ),
    ),
    DemoCreator(
        "jonas@creators.example",
        "Jonas Weber",
        CreatorKind.INFLUENCER,
        "de",
        relations=(DemoRelation(AGENCY, handle="@jonas.faehrt.rad", client=AGENCY_CLIENTS[1]),),
    ),
    DemoCreator(
        "aylin@creators.example",
        "Aylin Kaya",
        CreatorKind.INFLUENCER,
        "en",
        relations=(DemoRelation(BRAND, handle="@aylin.skin"),),
    ),
    # A corporate influencer: a Nordlicht employee posting about her work on her own account.
    DemoCreator(
        "mara.kuehn@nordlicht.example",
        "Mara Kühn",
        CreatorKind.EMPLOYEE,
        "de",
        relations=(DemoRelation(BRAND, handle="@mara.im.labor"),),
    ),
)


@dataclass
class DemoSeed:
    """What one run of ``seed_demo`` did; ``api_key`` is set only when the demo key was just made."""

    created_tenants: list[str] = field(default_factory=list)
    api_key: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.created_tenants)


def seed_demo(echo: Echo = click.echo) -> DemoSeed:
    """Create whatever part of the demo is missing, commit once, and say what was created."""
    seed = DemoSeed()
    tenants = {spec.name: _ensure_tenant(spec, seed) for spec in DEMO_TENANTS}
    for creator_spec in DEMO_CREATORS:
        _ensure_creator(creator_spec, tenants)
    _ensure_contracts(tenants[BRAND])
    _ensure_campaign(tenants[BRAND])
    db.session.commit()
    if seed.changed:
        echo(f"Demo data created: {', '.join(seed.created_tenants)}.")
    else:
        echo("Demo data already present; nothing changed.")
    if seed.api_key:
        # The key is stored hashed; this is the only moment its secret can be shown.
        echo(f"Demo API key for {BRAND} (admin role, shown only now): {seed.api_key}")
    return seed


def _system_actor(tenant_id: uuid.UUID) -> Principal:
    return Principal(kind=PrincipalKind.SYSTEM, id=None, label="demo seed", tenant_id=tenant_id, role=Role.OWNER)


def _ensure_user(spec: DemoUser) -> User:
    user = db.session.execute(select(User).where(User.email == spec.email)).scalar_one_or_none()
    if user is None:
        user = User(email=spec.email, name=spec.name, password_hash=hash_password(DEMO_PASSWORD))
        db.session.add(user)
        db.session.flush()
    return user


def _ensure_tenant(spec: DemoTenant, seed: DemoSeed) -> Tenant:
    slug = tenant_ops.slugify(spec.name)
    tenant = db.session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
    owner, *others = spec.users
    if tenant is None:
        tenant = tenant_ops.create_tenant(spec.name, spec.kind, _ensure_user(owner))
        seed.created_tenants.append(spec.name)
        if spec.kind == TenantKind.BRAND:
            seed.api_key = _issue_demo_key(tenant.id)
    with tenant_scope(tenant.id):
        clients = {name: _ensure_client(name, tenant.id) for name in spec.clients}
        for user_spec in others:
            _ensure_membership(user_spec, clients)
        db.session.flush()
    return tenant


def _ensure_client(name: str, tenant_id: uuid.UUID) -> Client:
    client = db.session.execute(select(Client).where(Client.name == name)).scalar_one_or_none()
    if client is None:
        client = tenant_ops.create_client(name, _system_actor(tenant_id))
    return client


def _ensure_membership(spec: DemoUser, clients: dict[str, Client]) -> None:
    user = _ensure_user(spec)
    found = db.session.execute(select(Membership).where(Membership.user_id == user.id)).scalar_one_or_none()
    if found is not None:
        return
    membership = Membership(user_id=user.id, role=spec.role.value)
    db.session.add(membership)
    limited_to = None if spec.only_clients is None else [clients[name].id for name in spec.only_clients]
    tenant_ops.set_member_clients(membership, limited_to)
    db.session.flush()


def _issue_demo_key(tenant_id: uuid.UUID) -> str:
    with tenant_scope(tenant_id):
        secret = issue_api_key("Demo key", Role.ADMIN, actor=_system_actor(tenant_id)).secret
        # Flush inside the scope: pending rows (the audit event) are stamped with the current tenant.
        db.session.flush()
    return secret


def _ensure_creator(spec: DemoCreator, tenants: dict[str, Tenant]) -> None:
    creator = db.session.execute(select(Creator).where(Creator.email == spec.email)).scalar_one_or_none()
    if creator is None:
        creator = Creator(email=spec.email, name=spec.name, locale=spec.locale)
        db.session.add(creator)
        db.session.flush()
    for relation in spec.relations:
        with tenant_scope(tenants[relation.tenant].id):
            _ensure_relation(creator, spec.kind, relation)


def _ensure_relation(creator: Creator, kind: CreatorKind, spec: DemoRelation) -> None:
    query = select(CreatorRelation).where(CreatorRelation.creator_id == creator.id)
    if db.session.execute(query).scalar_one_or_none() is not None:
        return
    client_id = None
    if spec.client is not None:
        client_id = db.session.execute(select(Client.id).where(Client.name == spec.client)).scalar_one()
    db.session.add(CreatorRelation(creator_id=creator.id, kind=kind.value, client_id=client_id, handle=spec.handle))
    db.session.flush()


# --- contracts: a draft to try the fairness panel on, and one waiting for Lena's signature -----------------

DEMO_SIGNATORY = {"name": "Nora Lindqvist", "email": "owner@nordlicht.example"}
DEMO_CONTRACT_TERMS = {
    "meta": {"jurisdiction": "DE", "languages": ["de", "en"]},
    "deliverables": [{"platform": "instagram", "format": "reel", "quantity": 2}],
    "compensation": {"fee_net": 1800},
}
# (title, sent): looked up by title, so seeding again finds them instead of adding more.
DEMO_CONTRACTS = (("Herbstkampagne 2026 (Entwurf)", False), ("Frühjahrskampagne 2026", True))


def _ensure_contracts(brand: Tenant) -> None:
    """The demo brand's contracts with Lena: one draft, one sent (its signing links land in the outbox)."""
    from service.contracts import operations as contracts
    from service.contracts.models import Contract

    creator = db.session.execute(select(Creator).where(Creator.email == DEMO_CREATORS[0].email)).scalar_one()
    actor = _system_actor(brand.id)
    with tenant_scope(brand.id):
        for title, sent in DEMO_CONTRACTS:
            if db.session.execute(select(Contract.id).where(Contract.title == title)).first() is not None:
                continue
            draft = {
                "template": "influencer_collaboration",
                "creator_id": creator.id,
                "title": title,
                "brand_signatory": DEMO_SIGNATORY,
                "terms": DEMO_CONTRACT_TERMS,
            }
            contract = contracts.create_draft(draft, actor)
            if sent:
                # Rendering and the signing emails run after the commit (in-process without Redis).
                contracts.send_contract(contract.id, actor, acknowledge_warnings=True)
        db.session.flush()


# --- disclosure: a campaign with Lena's posts, each with its labelling obligation -----------------------

DEMO_CAMPAIGN = {"name": "Frühjahrskampagne 2026", "jurisdictions": ["DE", "AT"], "platforms": ["instagram"]}
# (title, media type): Lena confirms the label and submits each from /me/posts; a worker checks it.
DEMO_POSTS = (("Reel: Frühlingsroutine", "reel"), ("Story: Neue Serie", "story"))


def _ensure_campaign(brand: Tenant) -> None:
    """The demo brand's campaign for Lena's posts (looked up by name, so seeding again adds nothing)."""
    from service.disclosure import operations as disclosure
    from service.disclosure.models import Campaign

    creator = db.session.execute(select(Creator).where(Creator.email == DEMO_CREATORS[0].email)).scalar_one()
    actor = _system_actor(brand.id)
    with tenant_scope(brand.id):
        if db.session.execute(select(Campaign.id).where(Campaign.name == DEMO_CAMPAIGN["name"])).first() is not None:
            return
        relation = db.session.execute(
            select(CreatorRelation).where(CreatorRelation.creator_id == creator.id)
        ).scalar_one()
        campaign = disclosure.create_campaign(DEMO_CAMPAIGN, actor)
        for title, media_type in DEMO_POSTS:
            post = {
                "title": title,
                "creator_relation_id": relation.id,
                "relationship": "paid",
                "platform": "instagram",
                "media_type": media_type,
            }
            disclosure.create_post(campaign, post, actor)
        db.session.flush()


# --- the printed table ---------------------------------------------------------------------------


def _staff_rows() -> list[tuple[str, str, str]]:
    rows = []
    for tenant in DEMO_TENANTS:
        for user in tenant.users:
            where = f"{tenant.name} ({tenant.kind.value})"
            if user.only_clients is not None:
                where += f", only client {', '.join(user.only_clients)}"
            rows.append((user.email, user.role.value, where))
    return rows


def _creator_rows() -> list[tuple[str, str, str]]:
    rows = []
    for creator in DEMO_CREATORS:
        works_with = "; ".join(r.tenant + (f" for {r.client}" if r.client else "") for r in creator.relations)
        rows.append((creator.email, creator.kind.value, works_with))
    return rows


def _table(rows: list[tuple[str, str, str]], header: tuple[str, str, str]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(2)]
    return [f"  {a:<{widths[0]}}  {b:<{widths[1]}}  {c}" for a, b, c in [header, *rows]]


def print_logins(echo: Echo = click.echo) -> None:
    """Print who can sign in to the demo, with which role in which tenant, and how."""
    base = current_app.config["BASE_URL"]
    lines = [
        "",
        f"Fairpact demo at {base}",
        "",
        f"Staff sign in at {base}/login, every one with the password: {DEMO_PASSWORD}",
        *_table(_staff_rows(), ("EMAIL", "ROLE", "TENANT")),
        "",
        f"Creators sign in by magic link: enter the email at {base}/creator/login,",
        f"then open the link from the email in the development outbox at {base}/dev/outbox.",
        *_table(_creator_rows(), ("EMAIL", "KIND", "WORKS WITH")),
        "",
        f"Contracts: {BRAND} has a draft and a contract sent to Lena Sommer. The signing links",
        f"(for {DEMO_SIGNATORY['email']} and {DEMO_CREATORS[0].email}) are in {base}/dev/outbox; once both",
        f"have signed, the sealed PDF is on the contract's page and verifies at {base}/verify.",
        "",
        f"Posts: the campaign '{DEMO_CAMPAIGN['name']}' has {len(DEMO_POSTS)} posts for Lena Sommer. Signed in as",
        f"Lena, open {base}/me/posts to read each labelling duty, confirm the label and submit the post;",
        "the check result, with the fix for any finding, appears on the post's page.",
        "",
        f"API: {base}/api/v1/docs (send the API key as 'Authorization: Bearer <key>').",
        "",
    ]
    for line in lines:
        echo(line)
