"""Cross-tenant isolation, walked over every registered route and every documented API operation.

The routes come from the app's URL map (and are checked against the OpenAPI document), so an
endpoint added later is walked without anyone listing it here. For each route and method:
- an anonymous caller gets 401 (API) or is sent to sign in (web), unless the page is public;
- an admin of another tenant, addressing the victim's objects by their real ids, gets 404;
- no response to them contains any of the victim's names, ids or email addresses;
- and afterwards the victim's data is unchanged.
A route with a path parameter this walker does not know fails the test until its victim object
is registered in VICTIM_IDS below.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from werkzeug.routing import Rule

from service.extensions import db
from tenants.access import Principal, PrincipalKind
from tenants.context import tenant_scope
from tenants.models import TenantKind
from tenants.roles import Role
from tests.factories import bearer
from tests.support.web import csrf_token, sign_in

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Pages anyone may open; their token-bearing forms answer 410 for an unknown token.
PUBLIC_WEB = {
    "/",
    "/login",
    "/creator/login",
    "/healthz",
    "/readyz",
    "/language",
    "/logout",
    "/invitations/<token>",
    "/creator/magic/<token>",
    # Contract signing: the emailed link is the signer's credential; an unknown one is a 404.
    "/sign/<token>",
    "/sign/<token>/decline",
    "/sign/<token>/renew",
    "/sign/<token>/document.pdf",
    "/sign/<token>/document.html",
    "/download/<token>",
    "/verify",
    # The bundled document fonts (open fonts, the same for everyone), for contract HTML shown in a browser.
    "/document-fonts/<filename>",
}
NOT_WALKED = {"static", "swagger_assets", "api-docs.openapi_json", "api-docs.openapi_swagger_ui"}


def public_api_routes(app: Flask) -> set[str]:
    """API routes whose every operation the OpenAPI document declares public (``security: []``): a payment
    provider's signed webhook receiver, the verification of a PDF. Without a valid signature (or a file)
    they answer 400 to anyone, with or without an API key."""
    spec = app.test_client().get("/api/v1/openapi.json").json
    return {
        re.sub(r"\{([a-z_]+)\}", r"<\1>", path)
        for path, item in spec["paths"].items()
        if all(op.get("security") == [] for method, op in item.items() if method.upper() in METHODS)
    }


@dataclass
class Victim:
    ids: dict[str, str] = field(default_factory=dict)
    secrets: set[str] = field(default_factory=set)


def seed_victim(app: Flask) -> Victim:
    """A fully populated agency: one of everything a route can address."""
    from service.api_keys.operations import issue_api_key
    from service.creators.models import CreatorKind
    from service.invitations.operations import invite_creator, invite_user
    from tests import factories

    with app.app_context():
        tenant = factories.make_tenant(TenantKind.AGENCY, name="Victim Agency Geheim")
        client_id = factories.make_client(tenant.id, name="Victim Client Geheim")
        member = factories.add_member(tenant.id, Role.MANAGER, email="victim.manager@victim.example")
        creator = factories.make_creator(tenant.id, email="victim.creator@victim.example", client_id=client_id)
        owner = Principal(
            kind=PrincipalKind.USER, id=tenant.owner.id, label=tenant.owner.email, tenant_id=tenant.id, role=Role.OWNER
        )
        with tenant_scope(tenant.id):
            user_invite = invite_user("victim.invitee@victim.example", Role.VIEWER, None, owner)
            invite_creator("victim.creator2@victim.example", "Victim Creator", CreatorKind.INFLUENCER, None, owner)
            key = issue_api_key("Victim key", Role.ADMIN, actor=owner)
            db.session.commit()
            victim = Victim(
                ids={
                    "tenant_id": str(tenant.id),
                    "client_id": str(client_id),
                    "membership_id": str(member.membership_id),
                    "invitation_id": str(user_invite.invitation.id),
                    "relation_id": str(creator.relation_id),
                    "key_id": str(key.api_key.id),
                }
            )
            victim.ids.update(_seed_victim_webhooks(owner))
            victim.ids.update(_seed_victim_billing(tenant.id, client_id))
            victim.ids.update(_seed_victim_contracts(owner, creator.id, client_id))
            victim.ids.update(_seed_victim_disclosure(owner, creator.relation_id, client_id))
            db.session.commit()
        victim.secrets = {
            "Victim Agency Geheim",
            "Victim Client Geheim",
            "victim.manager@victim.example",
            "victim.creator@victim.example",
            "victim.invitee@victim.example",
            "Victim Contract Geheim",
            "Victim Template Geheim",
            "Victim Campaign Geheim",
            "Victim Post Geheim",
            "victim.signatory@victim.example",
            tenant.owner.email,
            *victim.ids.values(),
        }
    return victim


def _seed_victim_webhooks(owner: Principal) -> dict[str, str]:
    """Webhook endpoint and delivery ids, once the webhooks capability provides them."""
    try:
        from service.webhooks import operations as hooks
    except ImportError:
        return {}
    endpoint, _secret = hooks.create_endpoint("http://127.0.0.1:9/victim", ["ping"], "Victim hook", actor=owner)
    deliveries = hooks.send_test(endpoint.id)
    return {"endpoint_id": str(endpoint.id), "delivery_id": str(deliveries.id)}


def _seed_victim_billing(tenant_id: uuid.UUID, client_id: uuid.UUID) -> dict[str, str]:
    """The billing account (with its Stripe customer), a usage record and an invoice copy."""
    try:
        from tests.billing.support import seed_billing
    except ImportError:
        return {}
    return {"stripe_customer": "cus_victimgeheim", **seed_billing(tenant_id, client_id, "cus_victimgeheim")}


def _seed_victim_disclosure(owner: Principal, relation_id: uuid.UUID, client_id: uuid.UUID) -> dict[str, str]:
    """A campaign of the client with a confirmed, submitted post (with a screenshot), its check, a bulk check."""
    from flask import current_app

    from service.disclosure import bulk, operations

    campaign = operations.create_campaign(
        {"name": "Victim Campaign Geheim", "client_id": client_id, "jurisdictions": ["DE"]}, owner
    )
    fields = {"title": "Victim Post Geheim", "creator_relation_id": relation_id, "relationship": "paid"}
    post = operations.create_post(campaign, {**fields, "platform": "instagram", "media_type": "image"}, owner)
    operations.confirm_label(post, "Werbung", "de", creator_id=None, actor=owner)
    from service.disclosure.screenshots import ScreenshotUpload, screenshots_of
    from tests.disclosure_flow.support import image_bytes

    config = current_app.config
    shot = ScreenshotUpload("victim-geheim.png", image_bytes("PNG"))
    submission, check = operations.submit_post(
        post, {"caption": "Werbung Geheim"}, actor=owner, config=config, uploads=[shot]
    )
    screenshot = screenshots_of([submission.id])[submission.id][0]
    upload = bulk.create_bulk_check("victim.jsonl", b'{"id": "v1"}\n', owner, client_id=client_id)
    ids = {
        "campaign_id": campaign.id,
        "post_id": post.id,
        "check_id": check.id,
        "bulk_id": upload.id,
        "screenshot_id": screenshot.id,
        "screenshot_sha256": screenshot.sha256,
    }
    return {name: str(value) for name, value in ids.items()}


def _seed_victim_contracts(owner: Principal, creator_id: uuid.UUID, client_id: uuid.UUID) -> dict[str, str]:
    """A sent contract (its render job is queued, never run here) with its signers."""
    try:
        from service.contracts import operations as contracts
        from service.contracts import templates
    except ImportError:
        return {}
    from tests.support.contract_templates import tenant_template_files

    draft = {
        "template": "influencer_collaboration",
        "creator_id": creator_id,
        "client_id": client_id,
        "title": "Victim Contract Geheim",
        "brand_signatory": {"name": "Victim Signatory", "email": "victim.signatory@victim.example"},
        "terms": {"deliverables": [{"platform": "instagram", "format": "reel"}], "compensation": {"fee_net": 900}},
    }
    contract = contracts.create_draft(draft, owner)
    contracts.send_contract(contract.id, owner, acknowledge_warnings=True)
    signer = next(s for s in contract.version.signers if s.creator_id == creator_id)
    own = templates.upload_template(tenant_template_files(title="Victim Template Geheim"), owner)
    return {"contract_id": str(contract.id), "signer_id": str(signer.id), "template_id": str(own.id)}


PARAM_TO_VICTIM = {
    "client_id": "client_id",
    "membership_id": "membership_id",
    "invitation_id": "invitation_id",
    "relation_id": "relation_id",
    "key_id": "key_id",
    "endpoint_id": "endpoint_id",
    "delivery_id": "delivery_id",
    "campaign_id": "campaign_id",
    "post_id": "post_id",
    "check_id": "check_id",
    "bulk_id": "bulk_id",
    "screenshot_id": "screenshot_id",
    "contract_id": "contract_id",
    "signer_id": "signer_id",
    "template_id": "template_id",
}
# Parameters that are credentials, not object ids: an unknown random value is what an attacker has.
TOKEN_PARAMS = {"token", "filename"}


def url_for_rule(rule: Rule, victim: Victim) -> str:
    url = rule.rule
    for arg in rule.arguments:
        if arg in TOKEN_PARAMS:
            value = "not-a-real-token-" + uuid.uuid4().hex
        else:
            assert arg in PARAM_TO_VICTIM, (
                f"route {rule.rule} has parameter <{arg}> unknown to the isolation walker: "
                "register the victim object it addresses in PARAM_TO_VICTIM and seed_victim()"
            )
            value = victim.ids[PARAM_TO_VICTIM[arg]]
        url = re.sub(rf"<(?:[a-z]+:)?{arg}>", value, url)
    return url


def walked_rules(app: Flask) -> list[Rule]:
    return [r for r in app.url_map.iter_rules() if r.endpoint not in NOT_WALKED]


def methods_of(rule: Rule) -> list[str]:
    return [m for m in METHODS if m in (rule.methods or set())]


def assert_no_leak(response: Any, victim: Victim, where: str, url: str = "") -> None:
    # Echoing the caller's own URL back (a sign-in redirect's next=) tells them nothing new.
    text = response.get_data(as_text=True).replace(url, "").replace(quote(url, safe=""), "")
    text += " ".join(v for k, v in response.headers.items() if k.lower() != "location")
    leaked = [s for s in victim.secrets if s in text]
    assert not leaked, f"{where} leaked victim data {leaked}"


def victim_snapshot(app: Flask, victim: Victim) -> str:
    """Everything the victim owns, read as the victim, to compare before and after the walk."""
    from service.audit.models import AuditEvent
    from tests.tenancy.snapshot import tenant_rows

    with app.app_context(), tenant_scope(uuid.UUID(victim.ids["tenant_id"])):
        return json.dumps(tenant_rows(exclude={AuditEvent.__tablename__}), sort_keys=True, default=str)


@pytest.fixture
def scene(app, seed):
    victim = seed_victim(app)
    attacker = seed.make_tenant(TenantKind.AGENCY, name="Attacker Agency")
    attacker_key = seed.make_api_key(attacker.id, Role.OWNER if False else Role.ADMIN)
    return victim, attacker, attacker_key


def test_every_api_operation_is_documented_and_walked(app):
    spec = app.test_client().get("/api/v1/openapi.json").json
    documented = {
        (re.sub(r"\{([a-z_]+)\}", r"<\1>", path), method.upper())
        for path, item in spec["paths"].items()
        for method in item
        if method.upper() in METHODS
    }
    registered = {
        (re.sub(r"<[a-z]+:([a-z_]+)>", r"<\1>", r.rule), m)
        for r in walked_rules(app)
        if r.rule.startswith("/api/")
        for m in methods_of(r)
    }
    assert documented, "the OpenAPI document lists no operations"
    assert registered - documented == set(), "API routes missing from the OpenAPI document"
    assert documented - registered == set(), "documented operations with no route"


def test_api_refuses_anonymous_and_foreign_callers(app, client, scene):
    victim, _attacker, attacker_key = scene
    public = public_api_routes(app)
    assert "/api/v1/verify" in public
    before = victim_snapshot(app, victim)
    walked = 0
    for rule in walked_rules(app):
        if not rule.rule.startswith("/api/"):
            continue
        url = url_for_rule(rule, victim)
        for method in methods_of(rule):
            anonymous = client.open(url, method=method, json={})
            # A public operation refuses the walker's empty JSON: no signature (400), or not the PDF upload (415).
            expected = {400, 415} if rule.rule in public else {401}
            assert anonymous.status_code in expected, f"anonymous {method} {url} -> {anonymous.status_code}"
            assert_no_leak(anonymous, victim, f"anonymous {method} {url}", url)
            foreign = client.open(url, method=method, json={}, headers=bearer(attacker_key))
            if rule.rule in public:
                assert foreign.status_code in expected, f"foreign {method} {url} -> {foreign.status_code}"
            elif rule.arguments:
                assert foreign.status_code in (404, 422), f"foreign {method} {url} -> {foreign.status_code}"
                if foreign.status_code == 422:
                    # Refused on the body's shape before any lookup: acceptable, as long as nothing leaks.
                    assert set(foreign.json["errors"]) <= {"json"}, foreign.json
            else:
                assert foreign.status_code < 500, f"foreign {method} {url} -> {foreign.status_code}"
            assert_no_leak(foreign, victim, f"foreign {method} {url}", url)
            walked += 1
    assert walked >= 20
    assert victim_snapshot(app, victim) == before, "a foreign caller changed the victim's data"


# API operations that address the victim's objects in the request body rather than in the path: the body
# naming the victim's ids, and what the refusal says about them (the same words as a path's 404).
BODY_ADDRESSED = {
    ("POST", "/api/v1/disclosure/submissions"): (
        lambda victim: {"items": [{"post_id": victim.ids["post_id"], "caption": "Werbung | Geheim"}]},
        "No post with this id in your account.",
    ),
}


def test_ids_in_a_request_body_are_not_found_for_a_foreign_caller(app, client, scene):
    victim, _attacker, attacker_key = scene
    before = victim_snapshot(app, victim)
    for (method, url), (body, not_found) in BODY_ADDRESSED.items():
        response = client.open(url, method=method, json=body(victim), headers=bearer(attacker_key))
        assert response.status_code in (404, 422), f"foreign {method} {url} -> {response.status_code}"
        assert not_found in response.get_data(as_text=True), response.get_data(as_text=True)
        assert_no_leak(response, victim, f"foreign {method} {url}", url)
    assert victim_snapshot(app, victim) == before, "a foreign caller changed the victim's data"


def test_web_pages_refuse_anonymous_and_foreign_users(app, scene, seed):
    victim, attacker, _ = scene
    anonymous = app.test_client()
    anonymous_token = csrf_token(anonymous, "/login")
    signed_in = app.test_client()
    sign_in(signed_in, attacker.owner.email)
    token = csrf_token(signed_in, "/app")
    before = victim_snapshot(app, victim)
    for rule in walked_rules(app):
        if rule.rule.startswith("/api/"):
            continue
        url = url_for_rule(rule, victim)
        for method in methods_of(rule):
            response = anonymous.open(url, method=method, data={"csrf_token": anonymous_token})
            if rule.rule not in PUBLIC_WEB:
                status = response.status_code
                assert status in (302, 401, 403, 404), f"anonymous {method} {url} -> {status}"
                if response.status_code == 302:
                    assert "/login" in response.headers["Location"], response.headers["Location"]
            assert response.status_code < 500, f"anonymous {method} {url} -> {response.status_code}"
            assert_no_leak(response, victim, f"anonymous {method} {url}", url)
            form = {"csrf_token": token, **{k: v for k, v in victim.ids.items()}}
            response = signed_in.open(url, method=method, data=form)
            if rule.rule == "/logout":
                sign_in(signed_in, attacker.owner.email)  # keep walking as the signed-in attacker
                token = csrf_token(signed_in, "/app")
            if rule.arguments and not set(rule.arguments) <= TOKEN_PARAMS:
                assert response.status_code in (404, 302), f"foreign {method} {url} -> {response.status_code}"
                if response.status_code == 302:
                    assert "/login" not in response.headers["Location"]
            assert response.status_code < 500, f"foreign {method} {url} -> {response.status_code}"
            assert_no_leak(response, victim, f"foreign {method} {url}", url)
    assert victim_snapshot(app, victim) == before, "a foreign user changed the victim's data"


def test_switchers_refuse_another_tenants_ids(app, scene):
    victim, attacker, _ = scene
    browser = app.test_client()
    sign_in(browser, attacker.owner.email)
    token = csrf_token(browser, "/app")
    for path, field_name in (("/switch/tenant", "tenant_id"), ("/switch/client", "client_id")):
        response = browser.post(path, data={"csrf_token": token, field_name: victim.ids[field_name]})
        assert response.status_code == 404, path
    page = browser.get("/app").get_data(as_text=True)
    assert "Attacker Agency" in page and "Victim" not in page
