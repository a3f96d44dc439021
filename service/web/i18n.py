"""Words the pages show for values and messages that come from outside the templates.

Roles, creator kinds and HTTP status phrases are stored or produced in English; the pages show
them in the reader's language. Messages raised by the operations (``AppError``) are plain English
so the API stays stable; the web pages translate the ones a person can meet here. ``N_`` only
marks a string for the catalogue (``pybabel extract`` finds it); the lookup happens at render time.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l


def N_(message: str) -> str:  # the gettext convention: mark for the catalogue, translate later
    return message


ROLE_LABELS = {
    "owner": _l("Owner"),
    "admin": _l("Admin"),
    "manager": _l("Manager"),
    "viewer": _l("Viewer"),
}

CREATOR_KIND_LABELS = {
    "influencer": _l("Influencer"),
    "employee": _l("Employee"),
}

LANGUAGE_LABELS = {"de": _l("German"), "en": _l("English")}

HTTP_PHRASES = {
    400: N_("Bad Request"),
    401: N_("Unauthorized"),
    403: N_("Forbidden"),
    404: N_("Not Found"),
    405: N_("Method Not Allowed"),
    409: N_("Conflict"),
    410: N_("Gone"),
    413: N_("Content Too Large"),
    422: N_("Unprocessable Content"),
    423: N_("Locked"),
    429: N_("Too Many Requests"),
    500: N_("Internal Server Error"),
}

# Messages of the operations and of the libraries under the pages, as they are raised.
KNOWN_MESSAGES = (
    # tenants/operations.py
    N_("No client with this id in your account."),
    N_("Only agencies have client brands."),
    N_("A client with this name already exists."),
    N_("Unknown client ids."),
    N_("No member with this id in your account."),
    N_("You cannot change a member whose role is above yours."),
    N_("The last owner cannot be removed or demoted; make someone else owner first."),
    # service/invitations/operations.py
    N_("This person is already a member."),
    N_("This creator already works with you."),
    N_("No invitation with this id in your account."),
    N_("This invitation link is invalid, expired or already used. Ask for a new one."),
    N_("This link invites a creator; open it from the creator sign-in."),
    N_("This invitation was sent to another email address than the one you are signed in with."),
    N_("Choose your name and a password to join."),
    N_("This link invites a team member, not a creator."),
    # service/api_keys/operations.py, service/creators/operations.py
    N_("No API key with this id in your account."),
    N_("No creator with this id in your account."),
    # service/accounts/operations.py
    N_("Too many failed sign-ins. This account is locked for a few minutes; try again later."),
    N_("Email or password is not correct."),
    N_("This sign-in link is invalid, expired or already used. Request a new one."),
    # service/webhooks/operations.py and addresses.py (the webhooks pages can pass them through translate_message)
    N_("Webhooks cannot be sent to this URL."),
    N_("Unknown event types."),
    N_("Choose at least one event type."),
    N_("Choose at least one."),
    N_("No webhook endpoint with this id in your account."),
    N_("No webhook delivery with this id in your account."),
    N_("This endpoint is disabled; enable it before sending a test event."),
    N_("This endpoint is disabled; enable it before sending events again."),
    N_("This delivery is still being attempted; wait for it to succeed or fail."),
    N_("The URL has no host name."),
    N_("The URL must not contain a user name or password."),
    N_("The URL must not contain a #fragment."),
    N_("The URL has an invalid port."),
    # per-field errors of the operations
    N_("Above what you may grant."),
    N_("Above your own role."),
    N_("Already a member."),
    N_("Already linked."),
    N_("Already used."),
    N_("Required."),
    # werkzeug and Flask-WTF descriptions that reach the error page
    N_(
        "The requested URL was not found on the server. If you entered the URL manually please check your "
        "spelling and try again."
    ),
    N_("The method is not allowed for the requested URL."),
    N_(
        "You don't have the permission to access the requested resource. It is either read-protected or not "
        "readable by the server."
    ),
    N_("The CSRF token is missing."),
    N_("The CSRF token is invalid."),
    N_("The CSRF token has expired."),
    N_("The CSRF session token is missing."),
    N_("The CSRF tokens do not match."),
    N_("The referrer header is missing."),
    N_("The referrer does not match the host."),
    N_("The browser (or proxy) sent a request that this server could not understand."),
)

# Messages with a role or an id in them: (pattern of the English text, msgid with placeholders).
_ROLE_PATTERNS = (
    (re.compile(r"You cannot grant the (\w+) role\."), N_("You cannot grant the %(role)s role.")),
    (re.compile(r"You cannot invite someone as (\w+)\."), N_("You cannot invite someone as %(role)s.")),
    (
        re.compile(r"You cannot create a key with the (\w+) role\."),
        N_("You cannot create a key with the %(role)s role."),
    ),
)
_UNKNOWN_CLIENT = re.compile(r"Unknown client: (\S+)")


def role_label(role: Any) -> str:
    value = getattr(role, "value", role)
    label = ROLE_LABELS.get(str(value))
    return str(label) if label is not None else str(value)


def creator_kind_label(kind: Any) -> str:
    label = CREATOR_KIND_LABELS.get(str(getattr(kind, "value", kind)))
    return str(label) if label is not None else str(kind)


def status_phrase(code: int) -> str:
    msgid = HTTP_PHRASES.get(code)
    return gettext(msgid) if msgid else HTTPStatus(code).phrase


def translate_message(message: Any) -> str:
    """The reader's-language version of a message raised in English; unknown text is shown as it is."""
    text = str(message)
    for pattern, msgid in _ROLE_PATTERNS:
        found = pattern.fullmatch(text)
        if found:
            return gettext(msgid, role=role_label(found.group(1)))
    found = _UNKNOWN_CLIENT.fullmatch(text)
    if found:
        return gettext("Unknown client: %(id)s", id=found.group(1))
    return gettext(text) if text in KNOWN_MESSAGES else text


def translate_errors(errors: dict[str, Any]) -> dict[str, list[str]]:
    """Per-field errors of an ``AppError`` in the reader's language."""
    translated: dict[str, list[str]] = {}
    for field, messages in errors.items():
        items = messages if isinstance(messages, list | tuple) else [messages]
        translated[field] = [translate_message(m) for m in items]
    return translated
