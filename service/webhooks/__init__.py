"""Outgoing webhooks: tenants subscribe endpoints to event types; deliveries are signed and retried."""
