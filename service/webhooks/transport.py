"""One HTTP POST to a webhook endpoint: the pinned, redirect-free transport of ``service.outbound.transport``."""

from __future__ import annotations

from service.outbound.transport import MAX_RESPONSE_BYTES, HttpOutcome, post_json

__all__ = ["MAX_RESPONSE_BYTES", "HttpOutcome", "post_json"]
