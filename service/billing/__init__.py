"""Billing: plans, Stripe subscriptions with seats, metered usage, webhooks, limits and read-only accounts.

For the other capabilities:
- ``service.billing.limits.require_within_plan(kind)`` before metered work ("disclosure_check",
  "sealed_contract") or adding a seat or an agency client: 402 ``plan_limit_reached`` past the limit;
- ``service.billing.usage.record_usage(kind, reference_id, client_id=None)`` once the work is done
  (counted once per reference, reported to Stripe's meters by a job);
- ``service.billing.limits.plan_has_feature(name)`` for features the plans file lists;
- ``service.billing.read_only.allowed_when_read_only`` on a write route that must stay open while the
  account is read-only (past due after the grace period), such as a signature on a contract already sent.
"""
