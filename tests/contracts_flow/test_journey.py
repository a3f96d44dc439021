"""The whole journey through a real RQ worker on Redis and a real SMTP server: create, send, render, email,
sign twice, seal, download, verify (and a copy changed by one byte reads as altered)."""

from __future__ import annotations

import io

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader
from sqlalchemy import select

from service.billing.models import UsageRecord
from service.documents.sealing import SealStatus, trusted_seal_certificates, verify_pdf
from service.extensions import db
from tenants.context import tenant_scope
from tests.contracts_flow.support import (
    brand_scene,
    create_contract,
    creator_labelling,
    download_link,
    send,
    sign_form,
    sign_link,
)
from tests.support.web import csrf_token


def test_a_contract_goes_from_draft_to_a_sealed_pdf_that_verifies(app, client, seed, run_jobs, mailbox):
    scene = brand_scene(seed)
    draft = create_contract(client, scene)
    assert draft["status"] == "draft" and draft["current_version"]["fair"] is True
    assert draft["current_version"]["terms"]["payment"]["days"] == 14  # a fair default, filled in

    sent = send(client, scene, draft["id"])
    assert sent.status_code == 202, sent.json
    assert sent.json["status"] == "sent" and sent.json["current_version"]["document"]["ready"] is False

    assert run_jobs() >= 3  # render, then one signing email per signer
    mailbox.wait_for(2)
    contract = client.get(f"/api/v1/contracts/{draft['id']}", headers=scene.headers).json
    document = contract["current_version"]["document"]
    assert document["ready"] and len(document["sha256"]) == 64 and document["pages"] > 3

    # The brand's signatory signs first (typed), on the page the email links to.
    brand_page = sign_link(mailbox, "nora@nordlicht.example")
    page = client.get(brand_page)
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    assert document["sha256"] in page.get_data(as_text=True)
    signed = sign_form(client, brand_page)
    assert signed.status_code == 200, signed.get_data(as_text=True)[:2000]
    assert client.get(f"/api/v1/contracts/{draft['id']}", headers=scene.headers).json["status"] == "partially_signed"

    # The creator reads the exact PDF, then signs with a drawn signature and confirms the labelling.
    creator_page = sign_link(mailbox, scene.creator_email)
    pdf = client.get(creator_page + "/document.pdf")
    assert pdf.status_code == 200 and pdf.headers["X-Content-SHA256"] == document["sha256"]
    signed = sign_form(client, creator_page, **creator_labelling())
    assert signed.status_code == 200, signed.get_data(as_text=True)[:2000]

    run_jobs()  # the seal, then the emails with the download links
    contract = client.get(f"/api/v1/contracts/{draft['id']}", headers=scene.headers).json
    assert (contract["status"], contract["seal_status"]) == ("signed", "sealed")
    creator = next(s for s in contract["current_version"]["signers"] if s["role"] == "creator")
    assert creator["labelling"] == {
        "label": "Werbung",
        "placement": "start_of_post",
        "posts": ["Instagram Reel 1", "Instagram Reel 2"],
    }
    assert creator["signature_kind"] == "drawn"

    sealed = client.get(f"/api/v1/contracts/{draft['id']}/sealed.pdf", headers=scene.headers)
    assert sealed.status_code == 200 and sealed.mimetype == "application/pdf"
    data = sealed.data
    with app.app_context():
        roots = trusted_seal_certificates(app.config)
    assert verify_pdf(data, roots).status == SealStatus.VALID

    # pyHanko itself: an intact, trusted PAdES signature over the whole file.
    trust = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in roots]
    seal = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    status = validate_pdf_signature(seal, ValidationContext(trust_roots=trust, allow_fetching=False))
    assert status.intact and status.valid and status.trusted

    # The final PDF: the signed contract, then the signature page and the audit certificate.
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Nora Lindqvist" in text and "Werbung" in text and document["sha256"] in text.replace("\n", "")

    # One sealed contract is counted for billing, once.
    with app.app_context(), tenant_scope(scene.tenant_id):
        usage = db.session.execute(select(UsageRecord.kind, UsageRecord.reference_id)).all()
    assert usage == [("sealed_contract", f"{draft['id']}/v1")]

    # Each signer got a download link that hands out the same sealed file.
    download = client.get(download_link(mailbox, scene.creator_email))
    assert download.status_code == 200 and download.data == data

    verified = client.post("/api/v1/verify", data={"file": (io.BytesIO(data), "contract.pdf")})
    assert verified.status_code == 200, verified.json
    assert verified.json["result"] == "unaltered" and verified.json["unaltered"] is True
    assert verified.json["contract"]["id"] == draft["id"]
    assert verified.json["contract"]["title"] == contract["title"]
    assert verified.json["contract"]["account"] == "Nordlicht Naturkosmetik"

    changed = bytearray(data)
    changed[len(changed) // 3] ^= 0x01
    altered = client.post("/api/v1/verify", data={"file": (io.BytesIO(bytes(changed)), "contract.pdf")})
    assert altered.status_code == 200
    assert altered.json["result"] == "altered" and altered.json["unaltered"] is False
    assert altered.json["contract"] is None  # an altered file proves nothing about whose contract it is

    token = csrf_token(client, "/verify")
    page = client.post("/verify", data={"csrf_token": token, "file": (io.BytesIO(data), "contract.pdf")})
    assert page.status_code == 200 and "Unaltered and sealed by Fairpact" in page.get_data(as_text=True)


def test_running_the_jobs_again_changes_nothing(app, client, seed, run_jobs, mailbox):
    scene = brand_scene(seed)
    draft = create_contract(client, scene)
    send(client, scene, draft["id"])
    run_jobs()
    mailbox.wait_for(2)
    sign_form(client, sign_link(mailbox, "nora@nordlicht.example"))
    sign_form(client, sign_link(mailbox, scene.creator_email), **creator_labelling())
    run_jobs()
    before = client.get(f"/api/v1/contracts/{draft['id']}", headers=scene.headers).json
    emails = len(mailbox.messages)

    from service.jobs import DeferredJob, enqueue_now

    version_id = _version_id(app, draft["id"])
    enqueue_now(app, DeferredJob("contracts.render", (str(scene.tenant_id), version_id)))
    enqueue_now(app, DeferredJob("contracts.seal", (str(scene.tenant_id), version_id)))
    assert run_jobs() == 2

    after = client.get(f"/api/v1/contracts/{draft['id']}", headers=scene.headers).json
    assert after["current_version"]["sealed"] == before["current_version"]["sealed"]
    assert after["current_version"]["document"] == before["current_version"]["document"]
    assert len(mailbox.messages) == emails


def _version_id(app, contract_id: str) -> str:
    import uuid

    from sqlalchemy import select

    from service.contracts.models import ContractVersion
    from service.extensions import db
    from tenants.context import unscoped

    with app.app_context(), unscoped("tests: look up a version id"):
        return str(
            db.session.execute(
                select(ContractVersion.id).where(ContractVersion.contract_id == uuid.UUID(contract_id))
            ).scalar_one()
        )


def test_the_signing_page_needs_its_form_token(client, seed, run_jobs, mailbox):
    scene = brand_scene(seed)
    draft = create_contract(client, scene)
    send(client, scene, draft["id"])
    run_jobs()
    mailbox.wait_for(2)
    path = sign_link(mailbox, "nora@nordlicht.example")
    csrf_token(client, path)

    forged = client.post(path, data={"consent": "yes", "typed_signature": "Nora"})

    assert forged.status_code == 400
    assert client.get(f"/api/v1/contracts/{draft['id']}", headers=scene.headers).json["status"] == "sent"
