"""A Stripe stand-in at the HTTP level: the real SDK talks to it through its own HTTP client interface.

``FakeStripe`` subclasses the SDK's ``HTTPClient`` and is passed to ``StripeClient(http_client=...)``,
so every request is serialised by the SDK exactly as for Stripe. It keeps the state a test needs
(customers, subscriptions, invoices, meter events), answers with objects shaped like Stripe's own
examples (stripe_objects.json), and checks each request: the method and path must be known, the
form fields the route needs must be there, creates must carry an Idempotency-Key, and the API key
and Stripe-Version headers must be right. A wrong request raises AssertionError (and is kept in
``violations``), so it fails the test instead of passing silently.

Stripe's idempotency is imitated too: the first answer to a key (a 500 included, as Stripe does
once the endpoint has started) is replayed for the same key, and a key reused with other fields is
refused. Meter events are deduplicated by their identifier, as Stripe does.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe

SHAPES = json.loads((Path(__file__).with_name("stripe_objects.json")).read_text())
API_KEY = "sk_test_fairpact_tests"
_ids = itertools.count(1)


def new_id(prefix: str) -> str:
    return f"{prefix}_test{next(_ids):06d}"


def shape(kind: str, **fields: Any) -> dict[str, Any]:
    obj = copy.deepcopy(SHAPES[kind])
    obj.update(fields)
    return obj


@dataclass(frozen=True)
class StripeRequest:
    method: str
    path: str
    params: dict[str, str]
    idempotency_key: str | None
    stripe_version: str | None


@dataclass
class Failure:
    method: str
    path_prefix: str
    status: int
    times: int
    skip: int  # matching requests to let through first


@dataclass
class Answer:
    status: int
    body: dict[str, Any]


def _error(status: int, kind: str, message: str, code: str | None = None) -> Answer:
    error: dict[str, Any] = {"type": kind, "message": message}
    if code:
        error["code"] = code
    return Answer(status, {"error": error})


@dataclass
class FakeStripe(stripe.HTTPClient):
    name = "fairpact-fake-stripe"

    requests: list[StripeRequest] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    invoices: dict[str, dict[str, Any]] = field(default_factory=dict)
    checkout_sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    meter_events: dict[str, dict[str, Any]] = field(default_factory=dict)  # by identifier: what is billed
    meter_event_names: dict[str, str] = field(default_factory=dict)  # meter id -> event name
    failures: list[Failure] = field(default_factory=list)
    _saved: dict[str, tuple[StripeRequest, Answer]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        super().__init__()

    # --- the SDK's interface ---------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[str, int, Mapping[str, str]]:
        with self._lock:
            answer = self._answer(self._parse(method, url, headers or {}, post_data), headers or {})
        return json.dumps(answer.body), answer.status, {"Request-Id": new_id("req")}

    def close(self) -> None:
        pass

    # --- what tests use ----------------------------------------------------------------------------

    def fail_next(self, method: str, path_prefix: str, status: int = 500, times: int = 1, skip: int = 0) -> None:
        """After ``skip`` matching requests, the next ``times`` get ``status`` (after Stripe started on them)."""
        self.failures.append(Failure(method.upper(), path_prefix, status, times, skip))

    def sent(self, method: str, path: str | re.Pattern[str]) -> list[StripeRequest]:
        match: Callable[[str], bool] = (
            (lambda p: path.fullmatch(p) is not None) if isinstance(path, re.Pattern) else (lambda p: p == path)
        )
        return [r for r in self.requests if r.method == method.upper() and match(r.path)]

    def add_customer(self, tenant_id: str = "", name: str = "Tenant") -> str:
        customer_id = new_id("cus")
        self.customers[customer_id] = shape("customer", id=customer_id, name=name, metadata={"tenant_id": tenant_id})
        return customer_id

    def add_subscription(
        self,
        customer_id: str,
        price_id: str,
        quantity: int = 1,
        status: str = "active",
        period: tuple[int, int] | None = None,
        trial_end: int | None = None,
        metered_prices: tuple[str, ...] = (),
    ) -> str:
        now = int(time.time())
        start, end = period or (now - 86400, now + 29 * 86400)
        subscription_id = new_id("sub")
        subscription = shape(
            "subscription",
            id=subscription_id,
            customer=customer_id,
            status=status,
            cancel_at_period_end=False,
            cancel_at=None,
            canceled_at=None,
            ended_at=None,
            trial_end=trial_end,
            trial_start=None,
            metadata={},
            latest_invoice=None,
        )
        template = subscription["items"]["data"][0]
        items = []
        for price, amount in ((price_id, quantity), *((p, None) for p in metered_prices)):
            item = copy.deepcopy(template)
            item.update(id=new_id("si"), subscription=subscription_id, quantity=amount)
            item.update(current_period_start=start, current_period_end=end)
            item["price"]["id"] = price
            items.append(item)
        subscription["items"]["data"] = items
        subscription["items"]["url"] = f"/v1/subscription_items?subscription={subscription_id}"
        self.subscriptions[subscription_id] = subscription
        return subscription_id

    def set_subscription(self, subscription_id: str, **fields: Any) -> dict[str, Any]:
        """Change Stripe's current state (what a later retrieve answers), as Stripe itself would."""
        self.subscriptions[subscription_id].update(fields)
        return copy.deepcopy(self.subscriptions[subscription_id])

    def seat_quantity(self, subscription_id: str) -> int:
        return int(self.subscriptions[subscription_id]["items"]["data"][0]["quantity"])

    def add_invoice(
        self, customer_id: str, subscription_id: str | None, status: str = "paid", total: int = 4900
    ) -> dict[str, Any]:
        invoice_id = new_id("in")
        now = int(time.time())
        invoice = shape(
            "invoice",
            id=invoice_id,
            customer=customer_id,
            status=status,
            number=f"FP-{next(_ids):04d}",
            total=total,
            subtotal=total,
            amount_due=total,
            amount_paid=total if status == "paid" else 0,
            amount_remaining=0 if status == "paid" else total,
            currency="eur",
            created=now,
            period_start=now - 30 * 86400,
            period_end=now,
            hosted_invoice_url=f"https://invoice.stripe.com/i/{invoice_id}",
            invoice_pdf=f"https://pay.stripe.com/invoice/{invoice_id}/pdf",
        )
        invoice["parent"] = {
            "quote_details": None,
            "subscription_details": {"metadata": None, "subscription": subscription_id},
            "type": "subscription_details",
        }
        self.invoices[invoice_id] = invoice
        return copy.deepcopy(invoice)

    def event(self, event_type: str, obj: Mapping[str, Any], created: int | None = None) -> str:
        """A webhook body as Stripe sends it: an event whose data.object is ``obj``."""
        body = shape(
            "event",
            id=new_id("evt"),
            type=event_type,
            created=created or int(time.time()),
            api_version=stripe.api_version,
            data={"object": dict(obj)},
        )
        return json.dumps(body)

    def completed_checkout(self, session_id: str, subscription_id: str) -> dict[str, Any]:
        session = copy.deepcopy(self.checkout_sessions[session_id])
        session.update(status="complete", payment_status="paid", subscription=subscription_id)
        return session

    # --- requests --------------------------------------------------------------------------------

    def _parse(self, method: str, url: str, headers: Mapping[str, str], post_data: Any) -> StripeRequest:
        parts = urlsplit(url)
        raw = post_data if method.lower() == "post" else parts.query
        if isinstance(raw, bytes):
            raw = raw.decode()
        request = StripeRequest(
            method=method.upper(),
            path=parts.path,
            params=dict(parse_qsl(raw or "", keep_blank_values=True)),
            idempotency_key=headers.get("Idempotency-Key"),
            stripe_version=headers.get("Stripe-Version"),
        )
        self.requests.append(request)
        return request

    def _violation(self, message: str) -> None:
        self.violations.append(message)
        raise AssertionError(message)

    def _check_headers(self, request: StripeRequest, headers: Mapping[str, str]) -> None:
        if headers.get("Authorization") != f"Bearer {API_KEY}":
            self._violation(f"{request.method} {request.path}: wrong API key {headers.get('Authorization')!r}")
        if request.stripe_version != stripe.api_version:
            self._violation(f"{request.method} {request.path}: Stripe-Version {request.stripe_version!r}")

    def _answer(self, request: StripeRequest, headers: Mapping[str, str]) -> Answer:
        self._check_headers(request, headers)
        key = request.idempotency_key
        if request.method == "POST" and key in self._saved:
            first, answer = self._saved[key]
            if (first.path, first.params) != (request.path, request.params):
                return _error(400, "idempotency_error", f"Keys for idempotent requests can only be used once: {key}")
            return answer
        answer = self._injected_failure(request) or self._route(request)
        if request.method == "POST" and key and answer.status != 400:
            self._saved[key] = (request, answer)
        return answer

    def _injected_failure(self, request: StripeRequest) -> Answer | None:
        for failure in self.failures:
            if failure.times > 0 and failure.method == request.method and request.path.startswith(failure.path_prefix):
                if failure.skip > 0:
                    failure.skip -= 1
                    continue
                failure.times -= 1
                return _error(failure.status, "api_error", "Something went wrong on Stripe's end.")
        return None

    def _route(self, request: StripeRequest) -> Answer:
        for method, pattern, handler in self._routes():
            found = re.fullmatch(pattern, request.path)
            if method == request.method and found:
                return handler(request, *found.groups())
        self._violation(f"unexpected request {request.method} {request.path}")
        raise AssertionError  # unreachable: _violation raises

    def _routes(self) -> list[tuple[str, str, Callable[..., Answer]]]:
        return [
            ("POST", r"/v1/customers", self._create_customer),
            ("POST", r"/v1/checkout/sessions", self._create_checkout_session),
            ("POST", r"/v1/billing_portal/sessions", self._create_portal_session),
            ("GET", r"/v1/subscriptions/([A-Za-z0-9_]+)", self._retrieve_subscription),
            ("POST", r"/v1/subscription_items/([A-Za-z0-9_]+)", self._update_subscription_item),
            ("GET", r"/v1/invoices/([A-Za-z0-9_]+)", self._retrieve_invoice),
            ("GET", r"/v1/invoices", self._list_invoices),
            ("POST", r"/v1/billing/meter_events", self._create_meter_event),
            ("GET", r"/v1/billing/meters/([A-Za-z0-9_]+)/event_summaries", self._meter_event_summaries),
        ]

    def _require(self, request: StripeRequest, *names: str, key_prefix: str | None = None) -> None:
        missing = [n for n in names if not request.params.get(n)]
        if missing:
            self._violation(f"{request.method} {request.path} without {missing}: {request.params}")
        if key_prefix is not None and not (request.idempotency_key or "").startswith(key_prefix):
            self._violation(f"{request.method} {request.path}: Idempotency-Key {request.idempotency_key!r}")

    def _known_customer(self, request: StripeRequest, name: str) -> str:
        customer_id = request.params.get(name, "")
        if customer_id not in self.customers:
            self._violation(f"{request.method} {request.path}: unknown customer {customer_id!r}")
        return customer_id

    # --- handlers ----------------------------------------------------------------------------------

    def _create_customer(self, request: StripeRequest) -> Answer:
        self._require(request, "name", "metadata[tenant_id]", key_prefix="fairpact-customer-")
        customer_id = self.add_customer(request.params["metadata[tenant_id]"], request.params["name"])
        self.customers[customer_id]["email"] = request.params.get("email")
        return Answer(200, self.customers[customer_id])

    def _create_checkout_session(self, request: StripeRequest) -> Answer:
        self._require(
            request,
            "mode",
            "customer",
            "line_items[0][price]",
            "line_items[0][quantity]",
            "success_url",
            "cancel_url",
            "metadata[tenant_id]",
            key_prefix="fairpact-checkout-",
        )
        customer_id = self._known_customer(request, "customer")
        session_id = new_id("cs")
        session = shape(
            "checkout.session",
            id=session_id,
            mode=request.params["mode"],
            customer=customer_id,
            client_reference_id=request.params.get("client_reference_id"),
            metadata={"tenant_id": request.params["metadata[tenant_id]"], "plan": request.params.get("metadata[plan]")},
            payment_intent=None,
            status="open",
            url=f"https://checkout.stripe.com/c/pay/{session_id}",
            success_url=request.params["success_url"],
            cancel_url=request.params["cancel_url"],
        )
        self.checkout_sessions[session_id] = session
        return Answer(200, session)

    def _create_portal_session(self, request: StripeRequest) -> Answer:
        self._require(request, "customer", "return_url", key_prefix="fairpact-portal-")
        customer_id = self._known_customer(request, "customer")
        session_id = new_id("bps")
        return Answer(
            200,
            shape(
                "billing_portal.session",
                id=session_id,
                customer=customer_id,
                return_url=request.params["return_url"],
                url=f"https://billing.stripe.com/p/session/{session_id}",
                flow=None,
                livemode=False,
            ),
        )

    def _retrieve_subscription(self, request: StripeRequest, subscription_id: str) -> Answer:
        if subscription_id not in self.subscriptions:
            return _error(404, "invalid_request_error", f"No such subscription: {subscription_id}", "resource_missing")
        return Answer(200, copy.deepcopy(self.subscriptions[subscription_id]))

    def _update_subscription_item(self, request: StripeRequest, item_id: str) -> Answer:
        self._require(request, "quantity", "proration_behavior", key_prefix="fairpact-seats-")
        if request.params["proration_behavior"] != "create_prorations":
            self._violation(f"seat change without prorations: {request.params}")
        for subscription in self.subscriptions.values():
            for item in subscription["items"]["data"]:
                if item["id"] == item_id:
                    item["quantity"] = int(request.params["quantity"])
                    return Answer(200, copy.deepcopy(item))
        return _error(404, "invalid_request_error", f"No such subscription item: {item_id}", "resource_missing")

    def _retrieve_invoice(self, request: StripeRequest, invoice_id: str) -> Answer:
        if invoice_id not in self.invoices:
            return _error(404, "invalid_request_error", f"No such invoice: {invoice_id}", "resource_missing")
        return Answer(200, copy.deepcopy(self.invoices[invoice_id]))

    def _list_invoices(self, request: StripeRequest) -> Answer:
        customer_id = request.params.get("customer")
        found = [copy.deepcopy(i) for i in self.invoices.values() if i["customer"] == customer_id]
        return Answer(200, {"object": "list", "data": found, "has_more": False, "url": "/v1/invoices"})

    def _create_meter_event(self, request: StripeRequest) -> Answer:
        self._require(request, "event_name", "identifier", "timestamp", "payload[stripe_customer_id]", "payload[value]")
        if not request.idempotency_key:
            self._violation(f"meter event without an Idempotency-Key: {request.params}")
        self._known_customer(request, "payload[stripe_customer_id]")
        identifier = request.params["identifier"]
        event = self.meter_events.setdefault(
            identifier,
            shape(
                "billing.meter_event",
                event_name=request.params["event_name"],
                identifier=identifier,
                payload={
                    "stripe_customer_id": request.params["payload[stripe_customer_id]"],
                    "value": request.params["payload[value]"],
                },
                timestamp=int(request.params["timestamp"]),
            ),
        )
        return Answer(200, event)

    def _meter_event_summaries(self, request: StripeRequest, meter_id: str) -> Answer:
        self._require(request, "customer", "start_time", "end_time")
        start, end = int(request.params["start_time"]), int(request.params["end_time"])
        event_name = self.meter_event_names.get(meter_id)
        total = sum(
            int(e["payload"]["value"])
            for e in self.meter_events.values()
            if e["event_name"] == event_name
            and e["payload"]["stripe_customer_id"] == request.params["customer"]
            and start <= e["timestamp"] < end
        )
        summary = shape(
            "billing.meter_event_summary",
            id=new_id("mtrusg"),
            meter=meter_id,
            aggregated_value=total,
            start_time=start,
            end_time=end,
        )
        return Answer(200, {"object": "list", "data": [summary], "has_more": False, "url": "/v1/billing/meters"})
