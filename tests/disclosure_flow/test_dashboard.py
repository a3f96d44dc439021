"""The compliance dashboard: rate per week, open violations and per creator (with charts), for the brand or
one agency client, and its CSV export."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from service.accounts.models import Creator
from service.extensions import db
from tenants.models import TenantKind
from tenants.roles import Role
from tests.disclosure_flow.support import Brand
from tests.factories import bearer
from tests.support.web import sign_in

LABELLED = "Werbung | Mein Sommerbegleiter"
UNLABELLED = "Mein Sommerbegleiter #sonnencreme"


def _rename(app: Any, creator_id: uuid.UUID, name: str) -> None:
    with app.app_context():
        db.session.get(Creator, creator_id).name = name
        db.session.commit()


def _post_for(brand: Brand, campaign_id: str, relation_id: uuid.UUID, title: str) -> dict[str, Any]:
    body = {
        "title": title,
        "creator_relation_id": str(relation_id),
        "relationship": "paid",
        "platform": "instagram",
        "media_type": "image",
    }
    return brand.call("POST", f"/disclosure/campaigns/{campaign_id}/posts", 201, json=body).json


def _scene(app: Any, client: Any, seed: Any, run_jobs: Any) -> tuple[Brand, uuid.UUID]:
    """Lena: one compliant post and one violation; Jonas: one compliant post."""
    brand = Brand(client, seed)
    _rename(app, brand.creator.id, "Lena Sommer")
    jonas = seed.make_creator(brand.tenant.id, email=f"jonas-{uuid.uuid4().hex[:6]}@example.com")
    _rename(app, jonas.id, "Jonas Berg")
    campaign = brand.campaign(["DE"])["id"]
    for relation, title, caption in [
        (brand.creator.relation_id, "Lena gut", LABELLED),
        (brand.creator.relation_id, "Lena ohne Label", UNLABELLED),
        (jonas.relation_id, "Jonas gut", LABELLED),
    ]:
        brand.submit(_post_for(brand, campaign, relation, title)["id"], caption=caption)
    run_jobs()
    return brand, jonas.relation_id


def test_the_dashboard_counts_rate_violations_and_each_creator(app, client, seed, run_jobs):
    brand, jonas = _scene(app, client, seed, run_jobs)
    data = brand.call("GET", "/disclosure/dashboard?weeks=4", 200).json
    assert data["posts_checked"] == 3
    assert data["compliance_rate"] == round(2 / 3, 4)
    assert [v["title"] for v in data["open_violations"]] == ["Lena ohne Label"]
    assert len(data["weekly"]) == 4
    assert data["weekly"][-1] | {"week": None} == {"week": None, "checks": 3, "compliant": 2, "rate": round(2 / 3, 4)}
    assert [(r["creator"], r["posts"], r["compliant"], r["violations"], r["rate"]) for r in data["per_creator"]] == [
        ("Lena Sommer", 2, 1, 1, 0.5),
        ("Jonas Berg", 1, 1, 0, 1.0),
    ]
    assert data["per_creator"][1]["creator_relation_id"] == str(jonas)


def test_the_dashboard_page_draws_both_charts_and_exports_csv(app, client, seed, run_jobs):
    brand, _jonas = _scene(app, client, seed, run_jobs)
    staff = app.test_client()
    sign_in(staff, brand.tenant.owner.email)
    page = staff.get("/disclosure/dashboard").get_data(as_text=True)
    assert page.count("<circle") == 1  # this week's rate; empty weeks are not drawn as 0 %
    assert '<rect class="bar" x="170" y="0" width="200.0"' in page  # Lena: 50 % of 400
    assert '<rect class="bar" x="170" y="30" width="400.0"' in page  # Jonas: 100 %
    assert "Lena ohne Label" in page

    export = staff.get("/disclosure/dashboard?format=csv")
    assert export.mimetype == "text/csv" and "attachment" in export.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    assert ["creator", "Lena Sommer", "2", "1", "0.5"] in rows
    assert ["creator", "Jonas Berg", "1", "1", "1.0"] in rows
    assert ["open_violation", "Lena ohne Label", "", "", ""] in rows


def test_an_agency_sees_one_clients_dashboard(app, client, seed, run_jobs):
    agency = seed.make_tenant(TenantKind.AGENCY, name="Kollektiv Süd")
    clients = {name: seed.make_client(agency.id, name) for name in ("Bergquelle", "Radwerk")}
    headers = bearer(seed.make_api_key(agency.id, Role.ADMIN))

    def call(method: str, path: str, expect: int, **kwargs: Any) -> Any:
        response = client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)
        assert response.status_code == expect, response.get_data(as_text=True)
        return response.json

    for name, caption in (("Bergquelle", LABELLED), ("Radwerk", UNLABELLED)):
        creator = seed.make_creator(agency.id, client_id=clients[name])
        campaign = call(
            "POST",
            "/disclosure/campaigns",
            201,
            json={"name": name, "client_id": str(clients[name]), "jurisdictions": ["DE"]},
        )
        post = call(
            "POST",
            f"/disclosure/campaigns/{campaign['id']}/posts",
            201,
            json={
                "title": f"{name} Post",
                "creator_relation_id": str(creator.relation_id),
                "relationship": "paid",
                "platform": "instagram",
                "media_type": "image",
            },
        )
        call("POST", f"/disclosure/posts/{post['id']}/submissions", 202, json={"caption": caption})
    run_jobs()

    everything = call("GET", "/disclosure/dashboard", 200)
    berg = call("GET", f"/disclosure/dashboard?client_id={clients['Bergquelle']}", 200)
    rad = call("GET", f"/disclosure/dashboard?client_id={clients['Radwerk']}", 200)
    assert (everything["posts_checked"], everything["compliance_rate"]) == (2, 0.5)
    assert (berg["posts_checked"], berg["compliance_rate"], berg["open_violations"]) == (1, 1.0, [])
    assert (rad["compliance_rate"], [v["title"] for v in rad["open_violations"]]) == (0.0, ["Radwerk Post"])
    unknown = call("GET", f"/disclosure/dashboard?client_id={uuid.uuid4()}", 422)
    assert "client_id" in unknown["errors"]
