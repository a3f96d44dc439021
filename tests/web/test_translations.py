"""German and English: the catalogue is complete, and pages follow the reader's language."""

from __future__ import annotations

import re

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tenants.models import TenantKind
from tenants.roles import Role
from tests.support.web import sign_in
from tests.web.catalogue import GERMAN_PO, PROJECT_ROOT
from tests.web.helpers import html, submit

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}


def _catalogue():  # type: ignore[no-untyped-def]
    with GERMAN_PO.open("rb") as po:
        return read_po(po, locale="de")


def _texts(message) -> list[str]:  # type: ignore[no-untyped-def]
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def _ids(message) -> list[str]:  # type: ignore[no-untyped-def]
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


def test_every_entry_has_a_german_text_and_none_is_fuzzy():
    catalogue = _catalogue()
    untranslated = [m.id for m in catalogue if m.id and not all(_texts(m))]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


def test_translations_keep_every_placeholder():
    for message in _catalogue():
        if not message.id:
            continue
        wanted = {name for msgid in _ids(message) for name in PLACEHOLDER.findall(msgid)}
        for text in _texts(message):
            assert set(PLACEHOLDER.findall(text)) == wanted, message.id


def test_every_string_in_the_code_and_templates_is_in_the_catalogue():
    """Extracted as ``pybabel extract -F babel.cfg`` does: a new string without German fails here."""
    with (PROJECT_ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = {
        msgid if isinstance(msgid, str) else msgid[0]
        for _file, _line, msgid, *_ in extract_from_dir(PROJECT_ROOT, method_map, options_map)
    }
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalogue() if m.id}
    missing = sorted(found - known)
    assert not missing, f"not in {GERMAN_PO.relative_to(PROJECT_ROOT)} (run pybabel update): {missing}"


def test_a_page_follows_the_browsers_language(client):
    german = html(client.get("/login", headers=GERMAN))
    english = html(client.get("/login", headers=ENGLISH))

    assert '<html lang="de">' in german and "<h1>Anmelden</h1>" in german and "Passwort" in german
    assert '<html lang="en">' in english and "<h1>Sign in</h1>" in english and "Password" in english


def test_the_language_switch_wins_over_the_browser(client):
    submit(client, "/language", {"language": "de"}, page="/login")
    assert "<h1>Anmelden</h1>" in html(client.get("/login", headers=ENGLISH))

    submit(client, "/language", {"language": "en"}, page="/login")
    assert "<h1>Sign in</h1>" in html(client.get("/login", headers=GERMAN))


def test_signed_in_pages_and_their_messages_are_german(client, seed):
    agency = seed.make_tenant(TenantKind.AGENCY)
    seed.make_client(agency.id, "Bergquelle")
    sign_in(client, agency.owner.email)

    members = html(client.get("/settings/members", headers=GERMAN))
    creators = html(client.get("/creators", headers=GERMAN))
    refused = submit(
        client, "/settings/members/invite", {"email": "kein-email", "role": "viewer"}, page="/login", headers=GERMAN
    )
    required = submit(
        client,
        "/settings/api-keys",
        {"name": "", "role": "viewer", "expires_in_days": "1"},
        page="/login",
        headers=GERMAN,
    )

    assert "<h1>Mitglieder</h1>" in members and "Alle Kunden" in members and "Inhaber" in members
    assert ">Audit-Protokoll</a>" in members
    assert "Creator einladen" in creators and "Arbeitet mit Ihnen als" in creators
    assert refused.status_code == 400 and "Bitte eine gültige E-Mail-Adresse eingeben." in html(refused)
    # WTForms' own messages come from its German catalogue.
    assert required.status_code == 400 and "Dieses Feld wird benötigt." in html(required)


def test_an_operations_refusal_is_shown_in_german(client, seed):
    tenant = seed.make_tenant()
    sign_in(client, tenant.owner.email)
    own = re.search(r'action="(/settings/members/[0-9a-f-]{36})"', html(client.get("/settings/members")))
    assert own

    response = submit(client, own.group(1), {"role": "viewer"}, page="/settings/members", headers=GERMAN)

    assert response.status_code == 409
    assert "Der letzte Inhaber kann weder entfernt noch herabgestuft werden" in html(response)


def test_error_pages_are_german(client, seed):
    tenant = seed.make_tenant()
    sign_in(client, seed.add_member(tenant.id, Role.VIEWER).email)

    missing = client.get("/does-not-exist", headers=GERMAN)
    forbidden = client.get("/settings/audit", headers=GERMAN)
    no_token = client.post("/settings/members/invite", data={}, headers=GERMAN)

    assert missing.status_code == 404 and "404 · Nicht gefunden" in html(missing)
    assert forbidden.status_code == 403
    assert "Für diese Seite brauchen Sie die Rolle Administrator oder höher." in html(forbidden)
    assert no_token.status_code == 400 and "Das Formular-Token (CSRF) fehlt." in html(no_token)


def test_refusals_with_a_role_or_an_id_in_them_are_translated_too(app):
    from service.web.i18n import translate_message

    with app.test_request_context(headers=GERMAN):
        assert translate_message("You cannot grant the owner role.") == "Sie können die Rolle Inhaber nicht vergeben."
        assert translate_message("You cannot invite someone as admin.") == (
            "Sie können niemanden als Administrator einladen."
        )
        assert translate_message("Unknown client: 1234") == "Unbekannter Kunde: 1234"
        assert translate_message("Something nobody translated.") == "Something nobody translated."
