"""Emailed links as credentials: a link works only for its own purpose, and the sealed-PDF download link
stops at its expiry.

tests/contracts_flow/test_refusals.py shows a signing link refused after use and after expiry, and
tests/accounts/test_sign_in.py the same for magic links; here the links are swapped between purposes (a
signing token on the download page and the other way round, a magic-link token on the signing page), and
the download link expires.
"""

from __future__ import annotations

from sqlalchemy import update

from service.contracts.models import SigningLink
from service.extensions import db
from service.models import utcnow
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
from tests.web.helpers import link_in, path_of


def _token(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def test_links_work_only_for_their_purpose_and_the_download_link_expires(app, client, seed, run_jobs, mailbox):
    scene = brand_scene(seed)
    draft = create_contract(client, scene)
    assert send(client, scene, draft["id"]).status_code == 202
    run_jobs()
    mailbox.wait_for(2)
    brand_sign = sign_link(mailbox, "nora@nordlicht.example")
    creator_sign = sign_link(mailbox, scene.creator_email)
    assert sign_form(client, brand_sign).status_code == 200

    # A signing token is not a download token, before or after the contract is sealed.
    assert client.get(f"/download/{_token(creator_sign)}").status_code in (404, 410)
    assert sign_form(client, creator_sign, **creator_labelling()).status_code == 200
    run_jobs()
    download = download_link(mailbox, scene.creator_email)
    assert client.get(download).status_code == 200
    assert client.get(f"/download/{_token(brand_sign)}").status_code in (404, 410)

    # A download token does not open, sign or decline anything.
    as_signing = f"/sign/{_token(download)}"
    assert client.get(as_signing).status_code in (404, 410)
    refused = client.post(as_signing, data={"csrf_token": csrf_token(client, "/verify"), "consent": "yes"})
    assert refused.status_code in (404, 410)

    # A creator's magic-link token is no signing token either.
    client.post(
        "/creator/login", data={"email": scene.creator_email, "csrf_token": csrf_token(client, "/creator/login")}
    )
    run_jobs()
    magic = path_of(link_in(mailbox, scene.creator_email))
    assert client.get(f"/sign/{_token(magic)}").status_code in (404, 410)
    assert client.get(f"/download/{_token(magic)}").status_code in (404, 410)

    # The download link ends at its expiry.
    with app.app_context(), tenant_scope(scene.tenant_id):
        db.session.execute(update(SigningLink).values(expires_at=utcnow()))
        db.session.commit()
    assert client.get(download).status_code == 410
