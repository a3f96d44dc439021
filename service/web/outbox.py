"""The development outbox: the emails the demo would have sent, readable in the browser.

Only in development with ``MAIL_BACKEND=outbox`` (anywhere else the page does not exist: 404), so
the ``make run`` demo can follow invitation and sign-in links without a mail server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template
from flask.typing import ResponseReturnValue
from markupsafe import Markup, escape

bp = Blueprint("web_outbox", __name__)

MAX_MESSAGES = 100
_LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class OutboxMessage:
    name: str
    to: str
    subject: str
    date: str
    body: Markup


def outbox_enabled() -> bool:
    config = current_app.config
    return config["FAIRPACT_ENV"] == "development" and config["MAIL_BACKEND"] == "outbox"


def linkify(text: str) -> Markup:
    """Escape the body, then turn each URL into a link (the URL itself was escaped first)."""
    escaped = str(escape(text))
    return Markup(_LINK.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped))  # noqa: S704


def _read(path: Path) -> OutboxMessage:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    part = message.get_body(preferencelist=("plain",))
    body = part.get_content() if part is not None else ""
    return OutboxMessage(
        name=path.name,
        to=str(message.get("To", "")),
        subject=str(message.get("Subject", "")),
        date=str(message.get("Date", "")),
        body=linkify(body),
    )


def outbox_messages(folder: Path) -> list[OutboxMessage]:
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.eml"), key=lambda p: (p.stat().st_mtime, p.name), reverse=True)
    return [_read(path) for path in files[:MAX_MESSAGES]]


@bp.get("/dev/outbox")
def outbox() -> ResponseReturnValue:
    if not outbox_enabled():
        abort(404)
    folder = Path(current_app.config["MAIL_OUTBOX_DIR"])
    return render_template("dev/outbox.html", messages=outbox_messages(folder), folder=folder)
