"""The compliance dashboard's figures count only the tenant's own checked posts (checks run by a real RQ worker)."""

from __future__ import annotations

from tests.disclosure_flow.support import Brand

UNLABELLED = "Mein liebster Sommerbegleiter ☀️ #sonnencreme #sommer"
LABELLED = "Werbung | Mein liebster Sommerbegleiter ☀️ #sonnencreme #sommer"


def test_dashboard_counts_the_tenants_checked_posts_and_lists_open_violations(client, seed, run_jobs):
    brand, other = Brand(client, seed), Brand(client, seed, "Other GmbH")
    campaign = brand.campaign(["DE"])
    good, bad, unchecked = (brand.post(campaign["id"]) for _ in range(3))
    brand.submit(good["id"], caption=LABELLED)
    brand.submit(bad["id"], caption=UNLABELLED)
    other_post = other.post(other.campaign(["DE"])["id"])
    other.submit(other_post["id"], caption=UNLABELLED)
    run_jobs()

    data = brand.call("GET", "/disclosure/dashboard", 200).json
    assert data["posts_checked"] == 2  # the unchecked post and the other brand's post are not counted
    assert data["compliance_rate"] == 0.5
    [violation] = data["open_violations"]
    assert violation["post_id"] == bad["id"]
    assert violation["title"] == bad["title"]
    assert violation["campaign"] == campaign["name"]
    assert violation["creator"] == "Creator"  # the name the factory gives every creator
    assert violation["check_id"]
    [creator] = data["per_creator"]
    assert creator | {"creator_relation_id": None} == {
        "creator_relation_id": None,
        "creator": "Creator",
        "posts": 2,
        "compliant": 1,
        "violations": 1,
        "rate": 0.5,
    }
    this_week = data["weekly"][-1]
    assert (this_week["checks"], this_week["compliant"], this_week["rate"]) == (2, 1, 0.5)
    assert unchecked["id"] not in {v["post_id"] for v in data["open_violations"]}

    other_data = other.call("GET", "/disclosure/dashboard", 200).json
    assert other_data["posts_checked"] == 1 and other_data["compliance_rate"] == 0.0
