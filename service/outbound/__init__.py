"""Outgoing HTTP requests to addresses a tenant chose: webhooks and post fetchers.

``addresses`` decides where we may connect (public addresses only); ``transport`` makes the request over
a connection pinned to the checked address, so a DNS answer cannot change between check and connect.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def loopback_allowed(config: Mapping[str, Any]) -> bool:
    """The test-only exception: loopback allowed under OUTBOUND_ALLOW_LOOPBACK or its older webhook name."""
    return bool(config.get("OUTBOUND_ALLOW_LOOPBACK") or config.get("WEBHOOK_ALLOW_LOOPBACK"))
