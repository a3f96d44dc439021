"""Telling brand and creator when a post's check result changes to something that needs action.

An alert is raised when a finished check is not compliant and differs (verdict or rule ids) from the
post's previous finished check: the first violation, a label edited away after approval, a new finding.
It is an email to the brand's managers and to the creator, each in their language, and the signed
``check.violation`` / ``check.needs_review`` webhook event. One alert per check (unique key), so a job
that runs twice alerts once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import func, insert, select

from service.disclosure.models import Alert, Check, CheckStatus
from service.emails.operations import queue_email
from service.extensions import db
from service.models import utcnow
from service.webhooks.events import emit_events
from tenants.models import Membership, Tenant
from tenants.roles import Role

ALERT_VERDICTS = ("violation", "needs_review")


@dataclass(frozen=True)
class LatestResult:
    """What a post's last finished check said: the alert compares a new result with it."""

    check_id: uuid.UUID
    verdict: str | None
    rule_ids: tuple[str, ...]

    @classmethod
    def of(cls, check: Check) -> LatestResult:
        return cls(check.id, check.verdict, tuple(check.rule_ids))


def latest_results(post_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, LatestResult]:
    """Each post's last finished check, for a whole batch in one query."""
    ids = set(post_ids)
    if not ids:
        return {}
    rank = func.row_number().over(partition_by=Check.post_id, order_by=(Check.completed_at.desc(), Check.id))
    ranked = (
        select(Check.post_id, Check.id, Check.verdict, Check.rule_ids, rank.label("rank"))
        .where(Check.post_id.in_(ids), Check.status == CheckStatus.DONE)
        .subquery()
    )
    rows = db.session.execute(select(ranked).where(ranked.c.rank == 1))
    return {row.post_id: LatestResult(row.id, row.verdict, tuple(row.rule_ids or ())) for row in rows}


def result_changed(check: Check, previous: LatestResult | None) -> bool:
    if previous is None:
        return True
    return (previous.verdict, sorted(previous.rule_ids)) != (check.verdict, sorted(check.rule_ids))


def raise_alerts(results: Sequence[tuple[Check, LatestResult | None]]) -> list[Alert]:
    """Alerts for a batch of finished checks: rows, webhook events, and one email per recipient.

    A recipient gets the single alert's email when the batch has one for them, else one digest listing
    every post: a bulk submission must not send a manager a thousand emails.
    """
    wanted = [(check, previous) for check, previous in results if _needs_alert(check, previous)]
    if not wanted:
        return []
    already = set(
        db.session.execute(select(Alert.check_id).where(Alert.check_id.in_([c.id for c, _p in wanted]))).scalars()
    )
    wanted = [(check, previous) for check, previous in wanted if check.id not in already]
    alerts = [
        Alert(
            id=uuid.uuid4(),
            tenant_id=check.tenant_id,
            post_id=check.post_id,
            check_id=check.id,
            verdict=check.verdict or "",
            rule_ids=list(check.rule_ids),
            created_at=utcnow(),
        )
        for check, _previous in wanted
    ]
    if alerts:  # one INSERT for the batch; the objects are returned for the caller, not added to the session
        db.session.execute(insert(Alert), [_columns_of(alert) for alert in alerts])
    for verdict in ALERT_VERDICTS:
        emit_events(f"check.{verdict}", [event_data(c, p) for c, p in wanted if c.verdict == verdict])
    checks = [check for check, _previous in wanted]
    if checks:
        _email_alerts(checks)
    return alerts


def _columns_of(alert: Alert) -> dict[str, Any]:
    return {column.key: getattr(alert, column.key) for column in Alert.__table__.columns}


def _needs_alert(check: Check, previous: LatestResult | None) -> bool:
    return check.verdict in ALERT_VERDICTS and result_changed(check, previous)


def event_data(check: Check, previous: LatestResult | None) -> dict[str, Any]:
    return {
        "post_id": str(check.post_id),
        "check_id": str(check.id),
        "campaign_id": str(check.post.campaign_id),
        "verdict": check.verdict,
        "previous_verdict": previous.verdict if previous else None,
        "rule_ids": list(check.rule_ids),
        "findings": check.findings.get("en", []),
        "evidence_sha256": check.evidence_sha256,
        "evidence_source": check.evidence_source,
        "checked_at": check.completed_at.isoformat() if check.completed_at else None,
    }


def _render(template: str, locale: str, **context: Any) -> tuple[str, str]:
    with force_locale(locale if locale in ("de", "en") else "en"):
        rendered = render_template(f"disclosure/emails/{template}.txt", **context)
    subject, _, body = rendered.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def _brand_recipients() -> list[tuple[str, str, frozenset[uuid.UUID] | None]]:
    """Managers and above with their language and the clients they are limited to (None: all)."""
    members = db.session.execute(select(Membership)).scalars()
    return [
        (member.user.email, member.user.locale or "en", member.client_ids)
        for member in members
        if member.role_enum.at_least(Role.MANAGER)
    ]


def _email_alerts(checks: Sequence[Check]) -> None:
    # The posts, their campaigns, creators and the members' users came with the checks (joined loads).
    tenant = db.session.get(Tenant, checks[0].tenant_id)
    for email, locale, client_ids in _brand_recipients():
        mine = [c for c in checks if client_ids is None or c.post.campaign.client_id in client_ids]
        _send(email, _lang(locale), "alert_brand", mine, tenant, "/disclosure/posts")
    by_creator: dict[uuid.UUID, list[Check]] = {}
    for check in checks:
        by_creator.setdefault(check.post.creator_relation.creator_id, []).append(check)
    for creator_checks in by_creator.values():
        creator = creator_checks[0].post.creator_relation.creator
        lang = _lang(creator.locale if creator.locale in ("de", "en") else (tenant.default_locale if tenant else "en"))
        _send(creator.email, lang, "alert_creator", creator_checks, tenant, "/me/posts")


def _lang(locale: str | None) -> str:
    return locale if locale in ("de", "en") else "en"


def _send(to: str, lang: str, template: str, checks: Sequence[Check], tenant: Tenant | None, path: str) -> None:
    if not checks:
        return
    base = f"{current_app.config['BASE_URL']}{path}"
    items = [
        {"post": c.post, "check": c, "link": f"{base}/{c.post_id}", "findings": c.findings.get(lang, [])}
        for c in checks
    ]
    if len(items) == 1:
        subject, body = _render(template, lang, tenant=tenant, **items[0])
    else:
        subject, body = _render(f"{template}_digest", lang, tenant=tenant, items=items)
    queue_email(to, subject, body, tenant_id=checks[0].tenant_id)
