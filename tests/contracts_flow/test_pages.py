"""The contract pages through the Flask test client: create with the fairness panel, send (with an override),
track, the creator's own contracts, the verification page, and the German pages."""

from __future__ import annotations

import io
import re

from werkzeug.datastructures import MultiDict

from service.creators.models import CreatorKind
from tenants.models import TenantKind
from tenants.roles import Role
from tests.contracts_flow.support import brand_scene, creator_labelling, sign_form, sign_link
from tests.support.web import csrf_token, sign_in, sign_in_creator
from tests.web.helpers import html

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}


def _form_fields(page: str) -> MultiDict:
    """The form's own values as the browser would submit them (inputs, checked boxes, selected options)."""
    fields: MultiDict = MultiDict()
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = (re.search(r'type="([^"]+)"', tag) or [None, "text"])[1]
        value = re.search(r'value="([^"]*)"', tag)
        if kind in ("checkbox", "radio") and "checked" not in tag:
            continue
        fields.add(name.group(1), _unescape(value.group(1)) if value else "on")
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body) or re.search(r'<option value="([^"]*)"', body)
        fields[name] = _unescape(chosen.group(1)) if chosen else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        fields[name] = _unescape(body)
    return fields


def _without_token(fields: MultiDict) -> MultiDict:
    changed = fields.copy()
    changed.pop("csrf_token")
    return changed


def _unescape(text: str) -> str:
    import html as html_module

    return html_module.unescape(text)


def _with(fields: MultiDict, **changes: str) -> MultiDict:
    """The form with some fields changed (as a person would type them); dotted names via __ in keywords."""
    changed = fields.copy()
    for name, value in changes.items():
        changed[name.replace("__", ".")] = value
    return changed


def _new_contract_form(client, creator_id) -> tuple[str, MultiDict]:
    path = f"/contracts/new?template=influencer_collaboration&creator_id={creator_id}"
    page = client.get(path)
    assert page.status_code == 200, html(page)[:500]
    return html(page), _form_fields(html(page))


def test_a_manager_creates_a_draft_on_the_page_and_the_panel_follows_the_terms(client, seed):
    scene = brand_scene(seed)
    manager = seed.add_member(scene.tenant_id, Role.MANAGER)
    sign_in(client, manager.email)

    assert "No contracts yet." in html(client.get("/contracts"))
    choose = html(client.get("/contracts/new"))
    assert "influencer_collaboration" in choose and str(scene.creator_id) in choose
    page, fields = _new_contract_form(client, scene.creator_id)
    assert fields["terms.payment.days"] == "14"  # the fair default, pre-filled
    assert "Fair: no findings that need a change." in page

    panel = client.post("/contracts/lint", data=_with(fields, terms__payment__days="90"))
    assert panel.status_code == 200 and panel.json["fair"] is False
    assert "FAIR-PAYMENT-TERM-MAX-30-DAYS" in panel.json["html"]
    invalid = client.post("/contracts/lint", data=_with(fields, terms__payment__days="ninety"))
    assert invalid.status_code == 422 and "payment.days" in invalid.json["errors"]
    forged = client.post("/contracts/lint", data=_without_token(fields))
    assert forged.status_code == 400

    refused = client.post("/contracts/new", data=_with(fields, terms__compensation__fee_net="lots"))
    assert refused.status_code == 422
    assert 'value="lots"' in html(refused)  # what was typed stays in the form
    created = client.post("/contracts/new", data=_with(fields, terms__payment__days="45", title="Sommerkampagne"))
    assert created.status_code == 303
    detail = html(client.get(created.headers["Location"]))
    assert "Sommerkampagne" in detail and "FAIR-PAYMENT-TERM-MAX-30-DAYS" in detail
    listed = html(client.get("/contracts"))
    assert "Sommerkampagne" in listed


def test_an_untouched_default_stays_a_default(app, client, seed):
    scene = brand_scene(seed)
    sign_in(client, scene.owner_email)
    _page, fields = _new_contract_form(client, scene.creator_id)

    created = client.post("/contracts/new", data=fields)
    assert created.status_code == 303, html(created)[:3000]
    contract_id = created.headers["Location"].rsplit("/", 1)[1]
    contract = client.get(f"/api/v1/contracts/{contract_id}", headers=scene.headers).json
    edit_page = html(client.get(f"/contracts/{contract_id}/edit"))
    edit_fields = _form_fields(edit_page)

    saved = client.post(f"/contracts/{contract_id}/edit", data={**edit_fields, "terms.meta.jurisdiction": "UK"})
    assert saved.status_code == 303
    after = client.get(f"/api/v1/contracts/{contract_id}", headers=scene.headers).json["current_version"]
    # The label was never stated, so it follows the jurisdiction; the fee the brand stated stays.
    assert contract["current_version"]["terms"]["disclosure"]["label"] == "Werbung"
    assert after["terms"]["disclosure"]["label"] == "Ad"
    assert after["terms"]["compensation"]["fee_net"] == contract["current_version"]["terms"]["compensation"]["fee_net"]


def test_sending_with_block_findings_needs_an_owner_and_a_written_reason(client, seed, run_jobs, mailbox):
    scene = brand_scene(seed)
    manager = seed.add_member(scene.tenant_id, Role.MANAGER)
    sign_in(client, manager.email)
    _page, fields = _new_contract_form(client, scene.creator_id)
    created = client.post("/contracts/new", data=_with(fields, terms__payment__days="90"))
    detail_path = created.headers["Location"]
    detail = html(client.get(detail_path))
    assert "FAIR-PAYMENT-TERM-MAX-30-DAYS" in detail
    assert "ask an owner or admin to send it with a written justification" in detail

    token = csrf_token(client, detail_path)
    refused = client.post(detail_path + "/send", data={"csrf_token": token, "override_justification": "x" * 40})
    assert refused.status_code == 403
    assert (
        client.get(f"/api/v1/contracts/{detail_path.rsplit('/', 1)[1]}", headers=scene.headers).json["status"]
        == "draft"
    )

    owner = client.application.test_client()
    sign_in(owner, scene.owner_email)
    justification = "Perpetual archive use agreed in the creator's own offer of 3 March."
    sent = owner.post(
        detail_path + "/send",
        data={"csrf_token": csrf_token(owner, detail_path), "override_justification": justification},
    )
    assert sent.status_code == 303, html(sent)[:1000]
    run_jobs()
    page = html(owner.get(detail_path))
    assert justification.replace("'", "&#39;") in page and "Signing link emailed" in page


def test_the_creator_sees_their_contracts_across_accounts_and_signs_from_home(app, client, seed, run_jobs, mailbox):
    scene = brand_scene(seed)
    agency = seed.make_tenant(TenantKind.AGENCY, name="Kollektiv Süd")
    client_id = seed.make_client(agency.id, "Bergquelle")
    _relate(app, agency.id, scene.creator_id, client_id)  # the same creator works with the agency too
    agency_key = seed.make_api_key(agency.id, Role.ADMIN)
    from tests.contracts_flow.support import FAIR_TERMS
    from tests.factories import bearer

    for key, extra in ((scene.key, {}), (agency_key, {"client_id": str(client_id)})):
        body = {
            "template": "influencer_collaboration",
            "creator_id": str(scene.creator_id),
            "brand_signatory": {"name": "Signatory", "email": "sig@brand.example"},
            "terms": FAIR_TERMS,
            **extra,
        }
        created = client.post("/api/v1/contracts", json=body, headers=bearer(key))
        assert created.status_code == 201, created.json
        client.post(f"/api/v1/contracts/{created.json['id']}/send", json={}, headers=bearer(key))
    run_jobs()

    creator = app.test_client()
    sign_in_creator(creator, scene.creator_email, mailbox, run_jobs)
    home = html(creator.get("/creator/contracts"))
    assert "Nordlicht Naturkosmetik" in home and "Kollektiv Süd" in home
    action = re.search(r'action="(/creator/contracts/[0-9a-f-]+/sign)"', home)
    assert action
    opened = creator.post(action.group(1), data={"csrf_token": csrf_token(creator, "/creator/contracts")})
    assert opened.status_code == 303 and "/sign/" in opened.headers["Location"]
    signing_page = creator.get(opened.headers["Location"])
    assert signing_page.status_code == 200 and "How you will label your posts" in html(signing_page)

    # Another person's contract id is not found, whoever asks.
    assert (
        creator.post(
            "/creator/contracts/00000000-0000-0000-0000-000000000000/sign",
            data={"csrf_token": csrf_token(creator, "/creator/contracts")},
        ).status_code
        == 404
    )


def _relate(app, tenant_id, creator_id, client_id) -> None:
    from service.creators.models import CreatorRelation
    from service.extensions import db
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(tenant_id):
        relation = CreatorRelation(creator_id=creator_id, kind=CreatorKind.INFLUENCER.value, client_id=client_id)
        db.session.add(relation)
        db.session.commit()


def test_the_signing_page_and_the_brand_pages_speak_german(client, seed, run_jobs, mailbox):
    scene = brand_scene(seed)
    sign_in(client, scene.owner_email)
    _page, fields = _new_contract_form(client, scene.creator_id)
    detail_path = client.post("/contracts/new", data=fields).headers["Location"]
    client.post(detail_path + "/send", data={"csrf_token": csrf_token(client, detail_path)})
    run_jobs()

    german_detail = html(client.get(detail_path, headers=GERMAN))
    signer = client.application.test_client()
    page = html(signer.get(sign_link(mailbox, scene.creator_email), headers=GERMAN))

    assert "Unterzeichnende" in german_detail and "Verlauf" in german_detail
    assert "Wie Sie Ihre Beiträge kennzeichnen" in page and "Den Vertrag unterschreiben" in page


def test_the_verification_page_refuses_what_is_not_a_pdf(client):
    page = client.get("/verify")
    assert page.status_code == 200 and "Verify a contract" in html(page)

    token = csrf_token(client, "/verify")
    not_pdf = client.post("/verify", data={"csrf_token": token, "file": (io.BytesIO(b"hello"), "notes.txt")})
    no_file = client.post("/verify", data={"csrf_token": token})
    plain_pdf = client.post(
        "/verify", data={"csrf_token": token, "file": (io.BytesIO(b"%PDF-1.7\n%%EOF\n"), "plain.pdf")}
    )

    assert not_pdf.status_code == 422 and "This file is not a PDF." in html(not_pdf)
    assert no_file.status_code == 400
    assert plain_pdf.status_code == 200 and "Not a contract sealed by Fairpact" in html(plain_pdf)
    api = client.post("/api/v1/verify", data={"file": (io.BytesIO(b"hello"), "notes.txt")})
    assert api.status_code == 422 and api.json["code"] == "not_a_pdf"


def test_a_verification_upload_over_the_limit_is_refused(make_app):
    small = make_app(VERIFY_MAX_BYTES="2048")
    response = small.test_client().post(
        "/api/v1/verify", data={"file": (io.BytesIO(b"%PDF-" + b"0" * 5000), "big.pdf")}
    )
    assert response.status_code == 413 and response.json["code"] == "payload_too_large"


def test_a_drawn_signature_on_the_page_reaches_the_final_pdf(client, seed, run_jobs, mailbox):
    scene = brand_scene(seed)
    sign_in(client, scene.owner_email)
    _page, fields = _new_contract_form(client, scene.creator_id)
    detail_path = client.post("/contracts/new", data=fields).headers["Location"]
    client.post(detail_path + "/send", data={"csrf_token": csrf_token(client, detail_path)})
    run_jobs()
    signer = client.application.test_client()
    # The owner who created it signs for the brand (the page fills in the signed-in user).
    assert sign_form(signer, sign_link(mailbox, scene.owner_email)).status_code == 200
    assert sign_form(signer, sign_link(mailbox, scene.creator_email), **creator_labelling()).status_code == 200
    run_jobs()

    detail = html(client.get(detail_path))
    assert "Download the sealed PDF" in detail and "Signed by everyone" in detail


def _multipart(fields: dict[str, str], file: bytes) -> tuple[bytes, str]:
    """A multipart body built by hand: the test client would spool a large file to a temporary file of its own."""
    boundary = "fairpact-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
    head += "Content-Type: application/pdf\r\n\r\n"
    body = b"".join(parts) + head.encode() + file + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_a_pdf_larger_than_other_requests_can_still_be_verified(client):
    big = b"%PDF-1.7\n" + b"%" * (1536 * 1024) + b"\n%%EOF\n"  # over the 1 MiB limit of other requests
    token = csrf_token(client, "/verify")

    body, content_type = _multipart({"csrf_token": token}, big)
    page = client.post("/verify", data=body, content_type=content_type)
    body, content_type = _multipart({}, big)
    api = client.post("/api/v1/verify", data=body, content_type=content_type)

    assert page.status_code == 200 and "Not a contract sealed by Fairpact" in html(page)
    assert api.status_code == 200 and api.json["result"] == "not_fairpact"


def test_a_manager_limited_to_one_client_sees_only_that_clients_contracts(app, client, seed):
    agency = seed.make_tenant(TenantKind.AGENCY, name="Kollektiv Süd")
    berg = seed.make_client(agency.id, "Bergquelle")
    rad = seed.make_client(agency.id, "Radwerk")
    creator = seed.make_creator(agency.id, client_id=rad)
    key = seed.make_api_key(agency.id, Role.ADMIN)
    from tests.contracts_flow.support import FAIR_TERMS
    from tests.factories import bearer

    body = {
        "template": "influencer_collaboration",
        "creator_id": str(creator.id),
        "client_id": str(rad),
        "brand_signatory": {"name": "Sophie", "email": "sophie@kollektiv.example"},
        "terms": FAIR_TERMS,
    }
    created = client.post("/api/v1/contracts", json=body, headers=bearer(key))
    assert created.status_code == 201, created.json
    no_client = client.post("/api/v1/contracts", json={**body, "client_id": None}, headers=bearer(key))
    assert no_client.status_code == 422 and "client_id" in no_client.json["errors"]
    manager = seed.add_member(agency.id, Role.MANAGER, client_ids=[berg])
    sign_in(client, manager.email)

    assert client.get(f"/contracts/{created.json['id']}").status_code == 404
    assert "Radwerk" not in html(client.get("/contracts"))


def test_a_draft_previews_as_html_marked_as_a_draft(client, seed):
    scene = brand_scene(seed)
    from tests.contracts_flow.support import create_contract

    draft = create_contract(client, scene)
    sign_in(client, scene.owner_email)

    page = client.get(f"/contracts/{draft['id']}/preview")
    api = client.get(f"/api/v1/contracts/{draft['id']}/preview", headers=scene.headers)

    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "ENTWURF" in html(page) and "script-src" not in page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert api.status_code == 200 and api.get_data(as_text=True) == html(page)
