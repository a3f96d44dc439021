"""A deliverable post linked to the contract that requires it: the labelling relationship follows from the
contract, and only a contract with this creator for this brand can be linked."""

from __future__ import annotations

import re
from typing import Any

from tenants.models import TenantKind
from tests.disclosure_flow.support import Brand
from tests.support.web import csrf_token, sign_in


def _contract(brand: Brand, creator_id: Any, model: str = "flat", **extra: Any) -> dict[str, Any]:
    compensation = {"model": model, "fee_net": 0 if model != "flat" else 900}
    body = {
        "template": "influencer_collaboration",
        "creator_id": str(creator_id),
        "title": f"Vertrag {model}",
        "brand_signatory": {"name": "Nora Nordlicht", "email": "nora@example.com"},
        "terms": {"deliverables": [{"platform": "instagram", "format": "reel"}], "compensation": compensation},
        **extra,
    }
    return brand.call("POST", "/contracts", 201, json=body).json


def _post_body(relation_id: Any, contract_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "title": "Reel",
        "creator_relation_id": str(relation_id),
        "contract_id": contract_id,
        "platform": "instagram",
        "media_type": "video",
        **extra,
    }


def test_the_relationship_follows_from_the_linked_contract(client, seed):
    brand = Brand(client, seed)
    campaign = brand.campaign(["DE"])["id"]
    url = f"/disclosure/campaigns/{campaign}/posts"
    for model, relationship in (("flat", "paid"), ("product_only", "gifted"), ("commission_only", "affiliate")):
        contract = _contract(brand, brand.creator.id, model)
        post = brand.call("POST", url, 201, json=_post_body(brand.creator.relation_id, contract["id"])).json
        assert (post["contract_id"], post["relationship"]) == (contract["id"], relationship)
    # An explicit relationship wins over the contract's.
    contract = _contract(brand, brand.creator.id)
    body = _post_body(brand.creator.relation_id, contract["id"], relationship="press_trip")
    assert brand.call("POST", url, 201, json=body).json["relationship"] == "press_trip"


def test_only_a_contract_with_this_creator_for_this_brand_can_be_linked(client, seed):
    brand = Brand(client, seed)
    other = seed.make_creator(brand.tenant.id)
    campaign = brand.campaign(["DE"])["id"]
    someone_elses = _contract(brand, other.id)
    post_url = f"/disclosure/campaigns/{campaign}/posts"
    refused = brand.call("POST", post_url, 422, json=_post_body(brand.creator.relation_id, someone_elses["id"])).json
    assert "not with this creator" in refused["message"] and "contract_id" in refused["errors"]

    post = brand.post(campaign)
    changed = brand.call("PATCH", f"/disclosure/posts/{post['id']}", 422, json={"contract_id": someone_elses["id"]})
    assert "contract_id" in changed.json["errors"]


def test_an_agency_cannot_link_another_clients_contract(client, seed):
    agency = Brand(client, seed, kind=TenantKind.AGENCY, name="Kollektiv Süd")
    berg, rad = seed.make_client(agency.tenant.id, "Bergquelle"), seed.make_client(agency.tenant.id, "Radwerk")
    contract = _contract(agency, agency.creator.id, client_id=str(rad))
    body = {"name": "Berg", "client_id": str(berg), "jurisdictions": ["DE"]}
    campaign = agency.call("POST", "/disclosure/campaigns", 201, json=body).json
    url = f"/disclosure/campaigns/{campaign['id']}/posts"
    refused = agency.call("POST", url, 422, json=_post_body(agency.creator.relation_id, contract["id"])).json
    assert refused["message"] == "The contract is for another brand."


def test_the_campaign_page_links_a_post_to_a_contract(app, client, seed):
    brand = Brand(client, seed)
    campaign = brand.campaign(["DE"])["id"]
    contract = _contract(brand, brand.creator.id, "product_only")
    staff = app.test_client()
    sign_in(staff, brand.tenant.owner.email)
    page_path = f"/disclosure/campaigns/{campaign}"
    page = staff.get(page_path).get_data(as_text=True)
    assert re.search(rf'<option value="{contract["id"]}">Vertrag product_only', page)
    form = {
        "csrf_token": csrf_token(staff, page_path),
        "title": "Reel mit Produkt",
        "creator_relation_id": str(brand.creator.relation_id),
        "contract_id": contract["id"],
        "relationship": "",
        "platform": "instagram",
        "media_type": "video",
    }
    assert staff.post(f"{page_path}/posts", data=form).status_code == 302
    posts = brand.call("GET", f"/disclosure/posts?campaign_id={campaign}", 200).json["items"]
    assert [(p["title"], p["relationship"], p["contract_id"]) for p in posts] == [
        ("Reel mit Produkt", "gifted", contract["id"])
    ]
