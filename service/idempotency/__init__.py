"""Idempotency-Key support for POST requests that create things."""
