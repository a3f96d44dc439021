"""Bad input and wrong moments: each a clear error, and the stored contract exactly as it was."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select, update

from service.audit.models import AuditEvent
from service.contracts.models import SigningLink
from service.extensions import db
from service.models import utcnow
from tenants.context import tenant_scope
from tests.contracts_flow.support import (
    FAIR_TERMS,
    brand_scene,
    create_contract,
    creator_labelling,
    send,
    sign_form,
    sign_link,
)
from tests.factories import bearer


def _get(client, scene, contract_id):
    return client.get(f"/api/v1/contracts/{contract_id}", headers=scene.headers).json


def _sent_and_rendered(client, scene, run_jobs, mailbox, **extra):
    draft = create_contract(client, scene, **extra)
    assert send(client, scene, draft["id"]).status_code == 202
    run_jobs()
    mailbox.wait_for(2)
    return draft


def test_terms_of_the_wrong_type_are_refused_with_their_paths_and_change_nothing(client, seed):
    scene = brand_scene(seed)
    refused = client.post(
        "/api/v1/contracts",
        json={
            "template": "influencer_collaboration",
            "creator_id": str(scene.creator_id),
            "brand_signatory": {"name": "Nora", "email": "nora@nordlicht.example"},
            "terms": {"payment": {"days": "fourteen"}, "compensation": {"fee_net": 1800}, "deliverables": "one reel"},
        },
        headers=scene.headers,
    )
    assert refused.status_code == 422
    assert refused.json["code"] == "validation_failed"
    assert {"payment.days", "deliverables"} <= set(refused.json["errors"])
    assert client.get("/api/v1/contracts", headers=scene.headers).json["total"] == 0

    draft = create_contract(client, scene)
    for terms in ({"payment": {"days": "14"}}, {"usage": {"channelz": ["tv"]}}, {"deliverables": [{"quantity": 1.5}]}):
        patched = client.patch(f"/api/v1/contracts/{draft['id']}", json={"terms": terms}, headers=scene.headers)
        assert patched.status_code == 422, patched.json
        assert patched.json["errors"], patched.json
    assert _get(client, scene, draft["id"])["current_version"] == draft["current_version"]


def test_a_patch_merges_into_the_stated_terms_and_updates_the_findings(client, seed):
    scene = brand_scene(seed)
    draft = create_contract(client, scene)

    patched = client.patch(
        f"/api/v1/contracts/{draft['id']}", json={"terms": {"payment": {"days": 45}}}, headers=scene.headers
    )

    assert patched.status_code == 200, patched.json
    version = patched.json["current_version"]
    assert version["terms"]["payment"]["days"] == 45
    assert version["terms"]["compensation"]["fee_net"] == 1800  # the rest stays as stated
    assert [f["rule_id"] for f in version["findings"] if f["severity"] == "warn"] == ["FAIR-PAYMENT-TERM-MAX-30-DAYS"]


def test_the_live_lint_endpoint_judges_terms_without_storing_them(client, seed):
    scene = brand_scene(seed)
    found = client.post(
        "/api/v1/contracts/lint",
        json={"template": "influencer_collaboration", "terms": {**FAIR_TERMS, "payment": {"days": 90}}},
        headers=scene.headers,
    )
    assert found.status_code == 200
    assert found.json["fair"] is False
    blocks = [f["rule_id"] for f in found.json["findings"] if f["severity"] == "block"]
    assert blocks == ["FAIR-PAYMENT-TERM-MAX-30-DAYS"]
    assert found.json["terms"]["usage"]["duration_months"] == 12  # the complete terms come back
    bad = client.post("/api/v1/contracts/lint", json={"terms": {"payment": {"days": -1}}}, headers=scene.headers)
    assert bad.status_code == 422 and "payment.days" in bad.json["errors"]


def test_block_level_findings_stop_sending_until_an_admin_justifies_it_in_writing(app, client, seed, run_jobs):
    scene = brand_scene(seed)
    draft = create_contract(client, scene, terms={**FAIR_TERMS, "payment": {"days": 90}})
    assert draft["current_version"]["fair"] is False

    blocked = send(client, scene, draft["id"])
    assert blocked.status_code == 422 and blocked.json["code"] == "fairness_blocked"
    assert "override_justification" in blocked.json["errors"]
    manager = client.post(
        f"/api/v1/contracts/{draft['id']}/send",
        json={"override_justification": "The creator asked for quarterly invoicing in writing."},
        headers=bearer(scene.manager_key),
    )
    assert manager.status_code == 403
    too_short = send(client, scene, draft["id"], override_justification="ok")
    assert too_short.status_code == 422
    assert _get(client, scene, draft["id"])["status"] == "draft"

    justification = "The creator asked for quarterly invoicing in writing."
    sent = send(client, scene, draft["id"], override_justification=justification)
    assert sent.status_code == 202, sent.json
    assert sent.json["current_version"]["override_justification"] == justification
    run_jobs()

    with app.app_context(), tenant_scope(scene.tenant_id):
        event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "contract.sent")).scalar_one()
        assert event.details["override_justification"] == justification
        assert event.details["blocks"] == ["FAIR-PAYMENT-TERM-MAX-30-DAYS"]
    pdf = client.get(f"/api/v1/contracts/{draft['id']}/document.pdf", headers=scene.headers)
    assert pdf.status_code == 200
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages]
    # The footer of every page carries the justification.
    assert all("quarterly invoicing" in " ".join(text.split()) for text in pages)


def test_warnings_must_be_acknowledged_by_the_sender(client, seed):
    scene = brand_scene(seed)
    draft = create_contract(client, scene, terms={**FAIR_TERMS, "payment": {"days": 45}})

    refused = send(client, scene, draft["id"])
    assert refused.status_code == 422 and "acknowledge_warnings" in refused.json["errors"]
    assert send(client, scene, draft["id"], acknowledge_warnings=True).status_code == 202


def test_a_sent_contract_is_no_longer_editable(client, seed):
    scene = brand_scene(seed)
    draft = create_contract(client, scene)
    send(client, scene, draft["id"])

    refused = client.patch(f"/api/v1/contracts/{draft['id']}", json={"title": "Other"}, headers=scene.headers)

    assert refused.status_code == 409
    assert send(client, scene, draft["id"]).status_code == 409


def test_a_reused_link_and_signing_twice_are_refused(client, seed, run_jobs, mailbox):
    scene = brand_scene(seed)
    draft = _sent_and_rendered(client, scene, run_jobs, mailbox)
    path = sign_link(mailbox, "nora@nordlicht.example")
    assert sign_form(client, path).status_code == 200
    after_first = _get(client, scene, draft["id"])

    again = sign_form(client, path, typed_signature="Someone Else")
    opened = client.get(path)

    assert again.status_code == 410 and "You already signed this contract" in again.get_data(as_text=True)
    assert opened.status_code == 410
    assert client.get(path + "/document.pdf").status_code == 410
    assert _get(client, scene, draft["id"]) == after_first


def test_an_expired_link_is_gone_and_a_new_one_can_be_emailed(app, client, seed, run_jobs, mailbox):
    scene = brand_scene(seed)
    draft = _sent_and_rendered(client, scene, run_jobs, mailbox)
    path = sign_link(mailbox, scene.creator_email)
    with app.app_context(), tenant_scope(scene.tenant_id):
        db.session.execute(update(SigningLink).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()

    page = client.get(path)
    refused = sign_form(client, path, **creator_labelling())

    assert page.status_code == 410 and "This link has expired" in page.get_data(as_text=True)
    assert refused.status_code == 410
    assert _get(client, scene, draft["id"])["status"] == "sent"

    token_page = client.get(path)
    renewed = client.post(path + "/renew", data={"csrf_token": _token(token_page)})
    assert renewed.status_code == 200
    run_jobs()
    fresh = sign_link(mailbox, scene.creator_email)
    assert fresh != path and client.get(fresh).status_code == 200


def _token(response) -> str:
    import re

    found = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    assert found
    return found.group(1)


def test_a_voided_contract_cannot_be_signed(client, seed, run_jobs, mailbox):
    scene = brand_scene(seed)
    draft = _sent_and_rendered(client, scene, run_jobs, mailbox)
    path = sign_link(mailbox, scene.creator_email)
    token_page = client.get(path)
    voided = client.post(
        f"/api/v1/contracts/{draft['id']}/void", json={"reason": "Campaign cancelled."}, headers=scene.headers
    )
    assert voided.status_code == 200 and voided.json["status"] == "voided"
    before = _get(client, scene, draft["id"])

    refused = client.post(path, data={"csrf_token": _token(token_page), "consent": "yes", "typed_signature": "Lena"})

    assert refused.status_code == 410
    assert "voided this contract" in refused.get_data(as_text=True)
    assert _get(client, scene, draft["id"]) == before
    run_jobs()
    assert any("Campaign cancelled." in str(m.get_content()) for m in mailbox.to(scene.creator_email))


def test_an_unknown_link_is_not_found(client):
    assert client.get("/sign/not-a-real-token").status_code == 404
    assert client.get("/download/not-a-real-token").status_code == 404


def test_an_incomplete_signature_is_refused_field_by_field(client, seed, run_jobs, mailbox):
    scene = brand_scene(seed)
    draft = _sent_and_rendered(client, scene, run_jobs, mailbox)
    path = sign_link(mailbox, scene.creator_email)

    refused = sign_form(
        client, path, consent=None, drawn_signature=None, typed_signature="", label="#nope", posts=[], placement="x"
    )

    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    for text in (
        "Consent to sign electronically to go on.",
        "Type your name or draw your signature.",
        "Choose one of the labels offered.",
        "Choose where the label goes.",
        "Choose the posts you will label.",
    ):
        assert text in page
    bad_image = sign_form(client, path, **creator_labelling(drawn_signature="data:image/png;base64,AAAA"))
    assert bad_image.status_code == 422
    contract = _get(client, scene, draft["id"])
    assert contract["status"] == "sent"
    assert all(s["status"] == "pending" for s in contract["current_version"]["signers"])


def test_with_a_signing_order_the_creator_waits_for_the_brand(client, seed, run_jobs, mailbox):
    scene = brand_scene(seed)
    draft = create_contract(client, scene, signing_order=True)
    send(client, scene, draft["id"])
    run_jobs()
    mailbox.wait_for(1)
    assert mailbox.to(scene.creator_email) == []  # not their turn yet

    sign_form(client, sign_link(mailbox, "nora@nordlicht.example"))
    run_jobs()

    assert sign_link(mailbox, scene.creator_email)
    assert _get(client, scene, draft["id"])["status"] == "partially_signed"


def test_a_signer_declines_with_a_reason_and_the_brand_is_told(client, seed, run_jobs, mailbox):
    scene = brand_scene(seed)
    draft = _sent_and_rendered(client, scene, run_jobs, mailbox)
    path = sign_link(mailbox, scene.creator_email)
    page = client.get(path)

    missing = client.post(path + "/decline", data={"csrf_token": _token(page), "reason": ""})
    assert missing.status_code == 422
    declined = client.post(path + "/decline", data={"csrf_token": _token(page), "reason": "The fee is too low."})
    assert declined.status_code == 200
    run_jobs()

    contract = _get(client, scene, draft["id"])
    assert contract["status"] == "declined"
    creator = next(s for s in contract["current_version"]["signers"] if s["role"] == "creator")
    assert creator["decline_reason"] == "The fee is too low."
    told = mailbox.to("nora@nordlicht.example")
    assert any("The fee is too low." in str(m.get_content()) for m in told)
    assert client.get(sign_link(mailbox, "nora@nordlicht.example")).status_code == 410


def test_an_amendment_is_a_new_version_signed_again_and_the_history_stays(client, seed, run_jobs, mailbox):
    scene = brand_scene(seed)
    draft = _sent_and_rendered(client, scene, run_jobs, mailbox)
    sign_form(client, sign_link(mailbox, "nora@nordlicht.example"))
    sign_form(client, sign_link(mailbox, scene.creator_email), **creator_labelling())
    run_jobs()
    first_sealed = client.get(f"/api/v1/contracts/{draft['id']}/sealed.pdf", headers=scene.headers).data

    amended = client.post(
        f"/api/v1/contracts/{draft['id']}/amend",
        json={"terms": {"compensation": {"fee_net": 2400}}, "reason": "A third reel."},
        headers=scene.headers,
    )
    assert amended.status_code == 201, amended.json
    assert amended.json["status"] == "draft" and amended.json["current_version"]["number"] == 2
    assert amended.json["current_version"]["terms"]["compensation"]["fee_net"] == 2400

    versions = client.get(f"/api/v1/contracts/{draft['id']}/versions", headers=scene.headers).json["items"]
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[0]["sealed"]["ready"] and versions[0]["terms"]["compensation"]["fee_net"] == 1800
    old = client.get(f"/api/v1/contracts/{draft['id']}/sealed.pdf?version=1", headers=scene.headers)
    assert old.data == first_sealed
    assert client.get(f"/api/v1/contracts/{draft['id']}/sealed.pdf", headers=scene.headers).status_code == 409

    mailbox.clear()
    assert send(client, scene, draft["id"]).status_code == 202
    run_jobs()
    mailbox.wait_for(2)
    assert {s["status"] for s in _get(client, scene, draft["id"])["current_version"]["signers"]} == {"pending"}


def test_another_tenants_contract_is_not_found(client, seed):
    scene = brand_scene(seed)
    other = brand_scene(seed, name="Other Brand")
    draft = create_contract(client, scene)

    for method, path in (("GET", ""), ("PATCH", ""), ("POST", "/send"), ("GET", "/sealed.pdf")):
        response = client.open(f"/api/v1/contracts/{draft['id']}{path}", method=method, json={}, headers=other.headers)
        assert response.status_code in (404, 422), (method, path, response.status_code)
    assert client.get(f"/api/v1/contracts/{uuid.uuid4()}", headers=scene.headers).status_code == 404


def test_each_signer_acknowledges_the_warnings_before_signing(client, seed, run_jobs, mailbox):
    scene = brand_scene(seed)
    draft = create_contract(client, scene, terms={**FAIR_TERMS, "payment": {"days": 45}})
    assert send(client, scene, draft["id"], acknowledge_warnings=True).status_code == 202
    run_jobs()
    mailbox.wait_for(2)
    path = sign_link(mailbox, "nora@nordlicht.example")
    page = client.get(path).get_data(as_text=True)
    assert "FAIR-PAYMENT-TERM-MAX-30-DAYS" in page and "I read the fairness notes above." in page

    refused = sign_form(client, path, acknowledge=None)
    assert refused.status_code == 422 and "Confirm that you read the fairness notes." in refused.get_data(as_text=True)
    assert sign_form(client, path).status_code == 200

    signer = _get(client, scene, draft["id"])["current_version"]["signers"][0]
    assert signer["status"] == "signed"
    events = client.get(f"/api/v1/contracts/{draft['id']}/events", headers=scene.headers).json["items"]
    acknowledged = [e for e in events if e["action"] == "contract.acknowledged"]
    assert acknowledged and acknowledged[0]["details"]["rules"] == ["FAIR-PAYMENT-TERM-MAX-30-DAYS"]
