"""The development outbox: only in development with the outbox mail backend; links are clickable."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path


def _write(folder: Path, name: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["To"] = "clara@example.com"
    message["Subject"] = subject
    message.set_content(body)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(bytes(message))


def test_the_outbox_does_not_exist_outside_development(client):
    assert client.get("/dev/outbox").status_code == 404
    assert "outbox" not in client.get("/").get_data(as_text=True)


def test_the_outbox_lists_emails_newest_first_with_clickable_links(development_app):
    folder = Path(development_app.config["MAIL_OUTBOX_DIR"])
    _write(folder, "20260101T100000-a.eml", "Older", "no links here")
    _write(
        folder,
        "20260101T100001-b.eml",
        "Your Fairpact sign-in link",
        "Open this link:\n\nhttp://127.0.0.1:5000/creator/magic/abc_DEF-123\n\n<script>alert(1)</script>",
    )
    client = development_app.test_client()

    response = client.get("/dev/outbox")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.index("Your Fairpact sign-in link") < page.index("Older")
    assert "clara@example.com" in page
    link = "http://127.0.0.1:5000/creator/magic/abc_DEF-123"
    assert f'<a href="{link}">{link}</a>' in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_the_home_page_links_to_the_outbox_in_development(development_app):
    page = development_app.test_client().get("/").get_data(as_text=True)
    assert 'href="/dev/outbox"' in page


def test_an_empty_outbox_says_so(development_app):
    page = development_app.test_client().get("/dev/outbox").get_data(as_text=True)
    assert "No emails yet." in page


def test_production_like_mail_settings_hide_the_outbox(database_url, mailbox, tmp_path):
    from service.app import create_app
    from service.extensions import db
    from tests.conftest import test_env

    app = create_app(
        env=test_env(
            database_url,
            mailbox.port,
            FAIRPACT_ENV="development",
            MAIL_BACKEND="smtp",
            FAIRPACT_INSTANCE_DIR=str(tmp_path),
        )
    )
    try:
        assert app.test_client().get("/dev/outbox").status_code == 404
    finally:
        with app.app_context():
            db.engine.dispose()
