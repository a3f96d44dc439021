"""Where webhooks may go: the shared outgoing-request rules of ``service.outbound.addresses``."""

from __future__ import annotations

from service.outbound.addresses import (
    MAX_URL_LENGTH,
    AddressRefused,
    IPAddress,
    check_url,
    refusal_reason,
    resolve_allowed_address,
)

__all__ = ["MAX_URL_LENGTH", "AddressRefused", "IPAddress", "check_url", "refusal_reason", "resolve_allowed_address"]
