"""Alerts fire when a post's result changes for the worse or to a new finding, not on every re-check."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from service.disclosure.models import Alert
from service.extensions import db
from tenants.context import tenant_scope
from tests.disclosure_flow.support import Brand, page_server

WEAK_LABEL = "Sommer am See #ad"  # an English tag for a German audience: DE-LABEL-INSUFFICIENT-TERM
NO_LABEL = "Sommer am See #sonnencreme"  # DE-LABEL-MISSING
LABELLED = "Werbung | Sommer am See"


def _alerts(app, tenant_id: uuid.UUID) -> list[tuple[str, list[str]]]:
    with app.app_context(), tenant_scope(tenant_id):
        rows = db.session.execute(select(Alert).order_by(Alert.created_at)).scalars()
        return [(a.verdict, a.rule_ids) for a in rows]


def _recheck(brand: Brand, post_id: str, run_jobs) -> dict:
    check = brand.call("POST", f"/disclosure/posts/{post_id}/checks", 202).json
    run_jobs()
    return brand.call("GET", f"/disclosure/checks/{check['id']}", 200).json


def test_only_a_changed_result_alerts_again(app, client, seed, run_jobs, mailbox):
    brand = Brand(client, seed)
    with page_server() as pages:
        link = pages.page("/p/1", WEAK_LABEL)
        post = brand.post(brand.campaign(["DE"])["id"])
        brand.submit(post["id"], caption=WEAK_LABEL, link=link)
        run_jobs()
        assert _alerts(app, brand.tenant.id) == [("violation", ["DE-LABEL-INSUFFICIENT-TERM"])]
        mails = len(mailbox.to(brand.creator.email))

        same = _recheck(brand, post["id"], run_jobs)  # nothing changed on the page
        assert same["verdict"] == "violation" and same["evidence_source"] == "http_metadata"
        assert len(_alerts(app, brand.tenant.id)) == 1, "the same violation again is not a new alert"
        assert len(mailbox.to(brand.creator.email)) == mails

        pages.page("/p/1", NO_LABEL)  # the creator removed the tag altogether: a different violation
        before = len(mailbox.messages)
        changed = _recheck(brand, post["id"], run_jobs)
        assert changed["rule_ids"] == ["DE-LABEL-MISSING"]
        assert _alerts(app, brand.tenant.id)[-1] == ("violation", ["DE-LABEL-MISSING"])
        mailbox.wait_for(before + 2)  # the brand's owner and the creator
        assert len(mailbox.to(brand.creator.email)) == mails + 1

        pages.page("/p/1", LABELLED)  # fixed: compliant is never an alert
        assert _recheck(brand, post["id"], run_jobs)["verdict"] == "compliant"
        assert len(_alerts(app, brand.tenant.id)) == 2
        with app.app_context(), tenant_scope(brand.tenant.id):
            assert db.session.execute(select(func.count()).select_from(Alert)).scalar_one() == 2
