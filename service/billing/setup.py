"""Wiring billing into the app: the plans are loaded (and checked) at start, and the read-only hook installed."""

from __future__ import annotations

from flask import Flask

from service.billing.plans import install_catalogue
from service.billing.read_only import refuse_writes_when_read_only


def init_app(app: Flask) -> None:
    """Call after the principal is resolved (service.access), so the hook knows whose account acts."""
    install_catalogue(app)
    app.before_request(refuse_writes_when_read_only)
