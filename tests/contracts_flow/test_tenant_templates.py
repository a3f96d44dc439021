"""A tenant's own template versions: upload (zip or files), refusals that store nothing, numbering, retiring,
contracts made from them through the real render and seal jobs, other tenants kept out, and the page."""

from __future__ import annotations

import io
import re
import stat
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from service.contracts.models import TenantTemplate
from service.extensions import db
from tenants.context import tenant_scope
from tenants.roles import Role
from tests.contracts_flow.support import brand_scene, create_contract, creator_labelling, send, sign_form, sign_link
from tests.support.contract_templates import GERMAN_CLAUSE_TEXT, tenant_template_files, with_german_line, zipped
from tests.support.web import csrf_token, sign_in

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}
URL = "/api/v1/contract-templates"


def upload_zip(client, headers, data: bytes, name: str = "acme.zip"):
    return client.post(URL, data={"archive": (io.BytesIO(data), name)}, headers=headers)


def upload_files(client, headers, files: dict[str, str]):
    parts = [(io.BytesIO(text.encode()), name) for name, text in files.items()]
    return client.post(URL, data={"files": parts}, headers=headers)


def stored_count(app, scene) -> int:
    with app.app_context(), tenant_scope(scene.tenant_id):
        return db.session.execute(select(func.count()).select_from(TenantTemplate)).scalar_one()


def own_templates(client, scene) -> list[dict]:
    return client.get(URL, query_string={"origin": "tenant"}, headers=scene.headers).json["items"]


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# --- a valid upload, end to end ------------------------------------------------------------------


def test_an_uploaded_template_makes_a_contract_rendered_and_sealed_by_the_worker(app, client, seed, run_jobs, mailbox):
    scene = brand_scene(seed)
    uploaded = upload_zip(client, scene.headers, zipped(tenant_template_files(), folder="acme/"))
    assert uploaded.status_code == 201, uploaded.json
    body = uploaded.json
    identity = (body["key"], body["version"], body["origin"], body["status"])
    assert identity == ("acme_collaboration", 1, "tenant", "active")
    assert len(body["sha256"]) == 64 and set(body["files"]) >= {"metadata.yaml", "clauses.de.html"}
    listed = client.get(URL, headers=scene.headers).json["items"]
    assert {"influencer_collaboration", "acme_collaboration"} <= {item["key"] for item in listed}

    draft = create_contract(client, scene, template="acme_collaboration")
    assert draft["template"] == {"key": "acme_collaboration", "version": 1, "origin": "tenant", "id": body["id"]}
    assert send(client, scene, draft["id"], acknowledge_warnings=True).status_code == 202
    run_jobs()
    mailbox.wait_for(2)

    pdf = client.get(f"/api/v1/contracts/{draft['id']}/document.pdf", headers=scene.headers)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert GERMAN_CLAUSE_TEXT in text and "acme_collaboration@1" in text.replace("\n", "")

    assert sign_form(client, sign_link(mailbox, "nora@nordlicht.example")).status_code == 200
    creator = sign_form(client, sign_link(mailbox, scene.creator_email), **creator_labelling())
    assert creator.status_code == 200, creator.get_data(as_text=True)[:1000]
    run_jobs()
    contract = client.get(f"/api/v1/contracts/{draft['id']}", headers=scene.headers).json
    assert (contract["status"], contract["seal_status"]) == ("signed", "sealed")
    sealed = client.get(f"/api/v1/contracts/{draft['id']}/sealed.pdf", headers=scene.headers)
    verified = client.post("/api/v1/verify", data={"file": (io.BytesIO(sealed.data), "contract.pdf")})
    assert verified.json["result"] == "unaltered" and verified.json["contract"]["id"] == draft["id"]
    assert GERMAN_CLAUSE_TEXT in pdf_text(sealed.data)


def test_the_files_themselves_are_accepted_and_a_new_upload_is_the_next_version(app, client, seed):
    scene = brand_scene(seed)
    first = upload_files(client, scene.headers, tenant_template_files())
    assert first.status_code == 201, first.json
    changed = tenant_template_files(**{"style.css": ".clause h2 { color: #522; }\n"})
    second = upload_zip(client, scene.headers, zipped(changed))
    assert second.status_code == 201, second.json
    assert [first.json["version"], second.json["version"]] == [1, 2]

    again = upload_zip(client, scene.headers, zipped(changed))
    assert again.status_code == 409 and "exactly version 2" in again.json["message"]
    assert [t["version"] for t in own_templates(client, scene)] == [2, 1]
    assert stored_count(app, scene) == 2


def test_a_retried_upload_with_its_idempotency_key_stores_one_version(app, client, seed):
    scene = brand_scene(seed)
    headers = {**scene.headers, "Idempotency-Key": "upload-acme-1"}
    data = zipped(tenant_template_files())
    first = upload_zip(client, headers, data)  # each request gets a new multipart boundary
    retry = upload_zip(client, headers, data)
    assert first.status_code == retry.status_code == 201, retry.json
    assert retry.headers.get("Idempotent-Replayed") == "true" and retry.json["id"] == first.json["id"]
    other = upload_zip(client, headers, zipped(tenant_template_files(**{"style.css": "p { color: #333; }\n"})))
    assert other.status_code == 422 and "Idempotency-Key" in other.json["errors"]
    assert stored_count(app, scene) == 1


def test_uploading_and_retiring_need_an_owner_or_admin(app, client, seed):
    scene = brand_scene(seed)
    manager = {"Authorization": f"Bearer {scene.manager_key}"}
    refused = upload_zip(client, manager, zipped(tenant_template_files()))
    assert refused.status_code == 403
    assert stored_count(app, scene) == 0


# --- refusals: nothing stored --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "file", "expected"),
    [
        (with_german_line("{{ ''.__class__.__mro__ }}"), "clauses.de.html", "line 3: attribute '__mro__'"),
        (with_german_line("{{ terms.__class__ }}"), "clauses.de.html", "line 3: attribute '__class__'"),
        (
            with_german_line("{% include '../../../etc/passwd' %}"),
            "clauses.de.html",
            "line 3: {% include '../../../etc/passwd' %}: only this template's own files can be included",
        ),
        (
            tenant_template_files(**{"style.css": "\n\n.x { background: url(https://tracker.example/p.png); }\n"}),
            "style.css",
            "line 3: url(https://tracker.example/p.png) is not allowed",
        ),
        (
            with_german_line('<p style="background: url(http://169.254.169.254/latest)">x</p>'),
            "clauses.de.html",
            "line 3: url(http://169.254.169.254/latest) is not allowed",
        ),
    ],
)
def test_a_sandbox_escape_is_a_422_naming_file_and_line_and_nothing_is_stored(app, client, seed, files, file, expected):
    scene = brand_scene(seed)
    response = upload_zip(client, scene.headers, zipped(files))

    assert response.status_code == 422, response.json
    body = response.json
    assert body["code"] == "template_invalid" and set(body) == {"code", "status", "message", "errors"}
    assert any(expected in problem for problem in body["errors"][file]), body["errors"]
    assert file in body["message"]
    assert stored_count(app, scene) == 0 and own_templates(client, scene) == []


def _zip_with(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return out.getvalue()


def _symlink(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


def _valid_entries() -> list[tuple[zipfile.ZipInfo | str, bytes]]:
    return [(name, text.encode()) for name, text in tenant_template_files().items()]


@pytest.mark.parametrize(
    ("entries", "file", "expected"),
    [
        # 20 MB of zeros that compress to a few KB: read no further than the limit.
        ([*_valid_entries(), ("notes.html", b"\0" * 20_000_000)], "notes.html", "larger than 200 KB"),
        ([*_valid_entries(), ("../evil.html", b"<p>x</p>")], "../evil.html", "only plain file names"),
        ([*_valid_entries(), ("/etc/cron.d/evil.html", b"x")], "/etc/cron.d/evil.html", "only plain file names"),
        ([*_valid_entries(), ("a\\..\\evil.html", b"x")], "a\\..\\evil.html", "only plain file names"),
        ([*_valid_entries(), _symlink("partial.html", "/etc/passwd")], "partial.html", "symbolic links"),
        (
            [*_valid_entries(), *((f"p{i}.html", b"<p>x</p>") for i in range(40))],
            "archive",
            "at most 40 files, got 45",
        ),
        ([*_valid_entries(), ("sub/deeper/x.html", b"x")], "sub/deeper/x.html", "not in subfolders"),
    ],
    ids=["bomb", "traversal", "absolute", "backslash", "symlink", "too-many", "nested"],
)
def test_a_dangerous_archive_is_refused_and_nothing_is_stored(app, client, seed, entries, file, expected):
    scene = brand_scene(seed)
    response = upload_zip(client, scene.headers, _zip_with(entries))

    assert response.status_code == 422, response.json
    assert any(expected in problem for problem in response.json["errors"][file]), response.json["errors"]
    assert stored_count(app, scene) == 0


def test_a_damaged_entry_is_refused_not_a_server_error(app, client, seed):
    scene = brand_scene(seed)
    data = bytearray(zipped(tenant_template_files()))
    start = data.index(b"clauses.de.html") + len(b"clauses.de.html")  # the first entry's compressed bytes
    data[start + 5] ^= 0xFF
    response = upload_zip(client, scene.headers, bytes(data))
    assert response.status_code == 422, response.get_data(as_text=True)[:500]
    assert "cannot be read from the .zip" in str(response.json["errors"])
    assert stored_count(app, scene) == 0


def test_a_file_that_is_not_a_zip_and_an_empty_upload_are_refused(app, client, seed):
    scene = brand_scene(seed)
    garbage = upload_zip(client, scene.headers, b"PK\x03\x04 not really")
    assert garbage.status_code == 422 and "not a readable .zip" in garbage.json["errors"]["archive"][0]
    empty = client.post(URL, data={}, headers=scene.headers)
    assert empty.status_code == 422 and "archive" in empty.json["errors"]
    builtin_key = upload_zip(client, scene.headers, zipped(tenant_template_files(key="influencer_collaboration")))
    assert builtin_key.status_code == 422 and "built-in" in builtin_key.json["message"]
    assert stored_count(app, scene) == 0


# --- retiring ------------------------------------------------------------------------------------


def test_a_retired_version_is_not_offered_but_its_contracts_still_render(app, client, seed, run_jobs, mailbox):
    scene = brand_scene(seed)
    v1 = upload_zip(client, scene.headers, zipped(tenant_template_files())).json
    existing = create_contract(client, scene, template="acme_collaboration")
    retired = client.post(f"{URL}/{v1['id']}/retire", headers=scene.headers)
    assert retired.status_code == 200 and retired.json["status"] == "retired" and retired.json["retired_at"]

    refused = client.post(
        "/api/v1/contracts",
        json={
            "template": "acme_collaboration",
            "creator_id": str(scene.creator_id),
            "brand_signatory": {"name": "Nora", "email": "nora@nordlicht.example"},
        },
        headers=scene.headers,
    )
    assert refused.status_code == 422 and "retired" in refused.json["message"]
    assert "template" in refused.json["errors"]

    # The draft made before still previews, sends and renders from exactly that version.
    preview = client.get(f"/api/v1/contracts/{existing['id']}/preview", headers=scene.headers)
    assert preview.status_code == 200 and GERMAN_CLAUSE_TEXT in preview.get_data(as_text=True)
    assert send(client, scene, existing["id"], acknowledge_warnings=True).status_code == 202
    run_jobs()
    pdf = client.get(f"/api/v1/contracts/{existing['id']}/document.pdf", headers=scene.headers)
    assert pdf.status_code == 200 and GERMAN_CLAUSE_TEXT in pdf_text(pdf.data)

    # A new upload of the key is version 2, offered again; version 1 stays retired.
    v2 = upload_zip(client, scene.headers, zipped(tenant_template_files(**{"style.css": "p { color: #111; }\n"})))
    assert v2.json["version"] == 2
    assert create_contract(client, scene, template="acme_collaboration")["template"]["version"] == 2
    pinned = client.post(
        "/api/v1/contracts",
        json={
            "template": "acme_collaboration",
            "template_version": 1,
            "creator_id": str(scene.creator_id),
            "brand_signatory": {"name": "Nora", "email": "nora@nordlicht.example"},
        },
        headers=scene.headers,
    )
    assert pinned.status_code == 422 and "acme_collaboration@1 is retired" in pinned.json["message"]


def test_a_stored_version_cannot_be_changed(app, seed):
    scene_tenant = seed.make_tenant()
    from service.contracts import templates
    from tenants.access import Principal, PrincipalKind

    with app.app_context(), tenant_scope(scene_tenant.id):
        owner = Principal(PrincipalKind.SYSTEM, None, "tests", scene_tenant.id, Role.OWNER)
        row = templates.upload_template(tenant_template_files(), owner)
        db.session.commit()
        row.files = {**row.files, "style.css": "p { color: red; }"}
        with pytest.raises(ValueError, match="immutable"):
            db.session.flush()
        db.session.rollback()


# --- other tenants -------------------------------------------------------------------------------


def test_another_tenants_template_is_404_and_can_never_be_chosen(app, client, seed):
    owner = brand_scene(seed, name="Owner Brand")
    stranger = brand_scene(seed, name="Stranger Brand")
    own = upload_zip(client, owner.headers, zipped(tenant_template_files(title="Geheime Vorlage"))).json

    for path in (f"{URL}/{own['id']}", f"{URL}/{own['id']}/preview"):
        response = client.get(path, headers=stranger.headers)
        assert response.status_code == 404 and "Geheime" not in response.get_data(as_text=True)
    assert client.post(f"{URL}/{own['id']}/retire", headers=stranger.headers).status_code == 404
    assert "acme_collaboration" not in str(client.get(URL, headers=stranger.headers).json)

    chosen = client.post(
        "/api/v1/contracts",
        json={
            "template": "acme_collaboration",
            "creator_id": str(stranger.creator_id),
            "brand_signatory": {"name": "X", "email": "x@stranger.example"},
        },
        headers=stranger.headers,
    )
    assert chosen.status_code == 422 and "no contract template 'acme_collaboration'" in chosen.json["message"]
    linted = client.post(
        "/api/v1/contracts/lint", json={"template": "acme_collaboration", "terms": {}}, headers=stranger.headers
    )
    assert linted.status_code == 422
    assert client.get(f"{URL}/{own['id']}", headers=owner.headers).json["status"] == "active"


# --- the page ------------------------------------------------------------------------------------


def _page_upload(browser, files: dict[str, str]):
    token = csrf_token(browser, "/contracts/templates")
    parts = [(io.BytesIO(text.encode()), name) for name, text in files.items()]
    return browser.post("/contracts/templates", data={"csrf_token": token, "files": parts})


def test_the_page_uploads_shows_problems_and_previews_in_english_and_german(app, client, seed):
    scene = brand_scene(seed)
    browser = app.test_client()
    sign_in(browser, scene.owner_email)

    page = browser.get("/contracts/templates")
    assert page.status_code == 200 and "Upload a template version" in page.get_data(as_text=True)
    assert "Influencer collaboration agreement" in page.get_data(as_text=True)

    refused = _page_upload(browser, with_german_line("{{ terms.__class__ }}"))
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "nothing was stored" in text
    row = re.search(r"<code>clauses\.de\.html</code></td><td[^>]*>3</td><td[^>]*>([^<]+)</td>", text)
    assert row and "__class__" in row.group(1)

    stored = _page_upload(browser, tenant_template_files())
    assert stored.status_code == 303
    detail = browser.get(stored.headers["Location"])
    assert detail.status_code == 200 and "Retire this version" in detail.get_data(as_text=True)
    frame = re.search(r'<iframe[^>]*src="([^"]+)"', detail.get_data(as_text=True))
    assert frame
    preview = browser.get(frame.group(1))
    assert preview.status_code == 200 and GERMAN_CLAUSE_TEXT in preview.get_data(as_text=True)

    german = browser.get("/contracts/templates", headers=GERMAN).get_data(as_text=True)
    for words in ("Vertragsvorlagen", "Vorlagenversion hochladen", "Angeboten für neue Verträge"):
        assert words in german, words
    german_refusal = browser.post(
        "/contracts/templates",
        data={"csrf_token": csrf_token(browser, "/contracts/templates"), "files": []},
        headers=GERMAN,
    )
    assert german_refusal.status_code == 422 and "nichts wurde gespeichert" in german_refusal.get_data(as_text=True)

    # The new version is offered when a contract is created on the page.
    choose = browser.get("/contracts/new").get_data(as_text=True)
    assert 'value="acme_collaboration"' in choose


def test_the_page_is_for_owners_and_admins(app, seed):
    scene = brand_scene(seed)
    manager = seed.add_member(scene.tenant_id, Role.MANAGER)
    browser = app.test_client()
    sign_in(browser, manager.email)
    assert browser.get("/contracts/templates").status_code == 403
    assert "/contracts/templates" not in browser.get("/contracts").get_data(as_text=True)


# --- fonts in previews ---------------------------------------------------------------------------


def test_previews_use_the_bundled_fonts_from_a_route_that_serves_only_fonts(app, client, seed):
    scene = brand_scene(seed)
    own = upload_zip(client, scene.headers, zipped(tenant_template_files())).json
    draft = create_contract(client, scene)
    for path in (f"{URL}/{own['id']}/preview", f"/api/v1/contracts/{draft['id']}/preview"):
        html = client.get(path, headers=scene.headers)
        text = html.get_data(as_text=True)
        assert "fairpact-asset:" not in text
        assert "font-src 'self'" in html.headers["Content-Security-Policy"]
        urls = set(re.findall(r'url\("([^"]+\.ttf)"\)', text))
        assert len(urls) >= 4, urls
        for url in urls:
            with client.get(url) as font:
                assert font.status_code == 200 and font.mimetype == "font/ttf", url
                assert font.data[:4] == b"\x00\x01\x00\x00"  # a TrueType font
                assert font.headers["Access-Control-Allow-Origin"] == "*"
    for other in ("LICENSE", "AUTHORS", "..%2Fbase.css", "..%2F..%2Fmetadata.yaml", "x.ttf"):
        assert client.get(f"/document-fonts/{other}").status_code == 404, other


@pytest.mark.browser
def test_chromium_loads_the_bundled_fonts_in_the_sandboxed_preview(app, page, live_server, seed):
    """The preview frame is sandboxed (an opaque origin under a strict policy): the fonts must still load."""
    from tests.factories import PASSWORD

    scene = brand_scene(seed)
    own = upload_zip(app.test_client(), scene.headers, zipped(tenant_template_files())).json
    fonts: list[tuple[str, int, str]] = []
    failed: list[str] = []
    page.on(
        "response",
        lambda r: (
            fonts.append((r.url, r.status, r.headers.get("content-type", ""))) if "/document-fonts/" in r.url else None
        ),
    )
    # Only the fonts count: the page's own script may be cut off by the next navigation, which is no font error.
    page.on("requestfailed", lambda r: failed.append(r.url) if "/document-fonts/" in r.url else None)
    # A refused font shows as a policy (CSP) or cross-origin (CORS) error in the console.
    page.on("console", lambda m: failed.append(m.text) if re.search(r"font|Policy|CORS", m.text) else None)

    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(scene.owner_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/contracts/templates/{own['id']}")
    frame = page.frame_locator("iframe.contract-frame")
    frame.get_by_text(GERMAN_CLAUSE_TEXT).first.wait_for()
    page.wait_for_load_state("networkidle")

    assert fonts, f"no bundled font was requested; errors: {failed}"
    assert all(status == 200 and kind == "font/ttf" for _url, status, kind in fonts), fonts
    assert not failed, failed
