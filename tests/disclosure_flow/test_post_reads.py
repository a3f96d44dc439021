"""Reading posts: the API's list and detail, and the client filter of a member limited to some clients.

The API reads only the posts' own columns (no campaign, creator relation or creator joined), and the list
joins the campaigns only to filter by client; these tests hold what each reader still sees.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from service.api import paginate
from service.disclosure import operations as ops
from service.errors import NotFound
from tenants.access import Principal, PrincipalKind
from tenants.context import tenant_scope
from tenants.models import TenantKind
from tenants.roles import Role
from tests.factories import bearer


def _agency_with_two_clients(client: Any, seed: Any) -> tuple[Any, dict[str, Any], dict[str, uuid.UUID]]:
    """An agency with a campaign and two posts for each of two clients; returns posts by client name."""
    agency = seed.make_tenant(TenantKind.AGENCY)
    headers = bearer(seed.make_api_key(agency.id, Role.ADMIN))
    clients = {"berg": seed.make_client(agency.id, "Bergquelle"), "rad": seed.make_client(agency.id, "Radwerk")}
    posts: dict[str, Any] = {}
    for name, client_id in clients.items():
        relation = seed.make_creator(agency.id, client_id=client_id).relation_id
        body = {"name": f"Sommer {name}", "client_id": str(client_id), "jurisdictions": ["DE"]}
        body["platforms"] = ["instagram"]
        campaign = client.post("/api/v1/disclosure/campaigns", headers=headers, json=body).json
        post_body = {
            "creator_relation_id": str(relation),
            "relationship": "paid",
            "platform": "instagram",
            "media_type": "image",
        }
        posts[name] = [
            client.post(
                f"/api/v1/disclosure/campaigns/{campaign['id']}/posts",
                headers=headers,
                json={**post_body, "title": f"{name} {n}"},
            ).json
            for n in range(2)
        ]
    return agency, {"headers": headers, "posts": posts}, clients


def test_the_api_lists_and_gets_posts_with_every_field_and_the_total(client, seed):
    _agency, world, _clients = _agency_with_two_clients(client, seed)
    created = world["posts"]["berg"][0]

    page = client.get("/api/v1/disclosure/posts?per_page=3", headers=world["headers"])
    detail = client.get(f"/api/v1/disclosure/posts/{created['id']}", headers=world["headers"])

    assert page.status_code == 200 and detail.status_code == 200
    assert page.json["total"] == 4 and len(page.json["items"]) == 3
    assert created in page.json["items"] + [detail.json]
    assert detail.json == created


def test_a_member_limited_to_one_client_reads_only_that_clients_posts(app, client, seed):
    agency, world, clients = _agency_with_two_clients(client, seed)
    limited = Principal(
        kind=PrincipalKind.USER,
        id=uuid.uuid4(),
        label="limited manager",
        tenant_id=agency.id,
        role=Role.MANAGER,
        client_ids=frozenset({clients["berg"]}),
    )
    berg_ids = {uuid.UUID(p["id"]) for p in world["posts"]["berg"]}

    with app.app_context(), tenant_scope(agency.id):
        for with_people in (True, False):
            page = paginate(ops.posts_query(limited, with_people=with_people), 1, 25)
            assert {p.id for p in page["items"]} == berg_ids and page["total"] == 2
        other = uuid.UUID(world["posts"]["rad"][0]["id"])
        for with_people in (True, False):
            with pytest.raises(NotFound):
                ops.get_post(other, limited, with_people=with_people)
