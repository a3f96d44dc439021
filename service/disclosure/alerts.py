"""Telling brand and creator when a post's check result changes to something that needs action.

An alert is raised when a finished check is not compliant and differs (verdict or rule ids) from the
post's previous finished check: the first violation, a label edited away after approval, a new finding.
It is an email to the brand's managers and to the creator, each in their language, and the signed
``check.violation`` / ``check.needs_review`` webhook event. One alert per check (unique key), so a job
that runs twice alerts once.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select

from service.disclosure.models import Alert, Check, CheckStatus, DeliverablePost
from service.emails.operations import queue_email
from service.extensions import db
from service.webhooks.events import emit_event
from tenants.models import Membership, Tenant
from tenants.roles import Role

ALERT_VERDICTS = ("violation", "needs_review")


def previous_result(check: Check) -> Check | None:
    return db.session.execute(
        select(Check)
        .where(Check.post_id == check.post_id, Check.status == CheckStatus.DONE, Check.id != check.id)
        .order_by(Check.completed_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def result_changed(check: Check, previous: Check | None) -> bool:
    if previous is None:
        return True
    return (previous.verdict, sorted(previous.rule_ids)) != (check.verdict, sorted(check.rule_ids))


def alert_if_needed(check: Check, previous: Check | None) -> Alert | None:
    if check.verdict not in ALERT_VERDICTS or not result_changed(check, previous):
        return None
    existing = db.session.execute(select(Alert).where(Alert.check_id == check.id)).scalar_one_or_none()
    if existing is not None:
        return existing
    alert = Alert(post_id=check.post_id, check_id=check.id, verdict=check.verdict or "", rule_ids=list(check.rule_ids))
    db.session.add(alert)
    db.session.flush()
    post = check.post
    emit_event(f"check.{check.verdict}", event_data(check, previous))
    _email_brand(post, check)
    _email_creator(post, check)
    return alert


def event_data(check: Check, previous: Check | None) -> dict[str, Any]:
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


def _brand_recipients(post: DeliverablePost) -> list[tuple[str, str]]:
    members = db.session.execute(select(Membership)).scalars()
    recipients = []
    for member in members:
        if not member.role_enum.at_least(Role.MANAGER):
            continue
        if member.client_ids is not None and post.campaign.client_id not in member.client_ids:
            continue
        recipients.append((member.user.email, member.user.locale or "en"))
    return recipients


def _email_brand(post: DeliverablePost, check: Check) -> None:
    tenant = db.session.get(Tenant, post.tenant_id)
    link = f"{current_app.config['BASE_URL']}/disclosure/posts/{post.id}"
    for email, locale in _brand_recipients(post):
        lang = locale if locale in ("de", "en") else "en"
        subject, body = _render(
            "alert_brand", lang, post=post, check=check, tenant=tenant, link=link, findings=check.findings.get(lang, [])
        )
        queue_email(email, subject, body, tenant_id=post.tenant_id)


def _email_creator(post: DeliverablePost, check: Check) -> None:
    creator = post.creator_relation.creator
    tenant = db.session.get(Tenant, post.tenant_id)
    lang = creator.locale if creator.locale in ("de", "en") else (tenant.default_locale if tenant else "en")
    lang = lang if lang in ("de", "en") else "en"
    link = f"{current_app.config['BASE_URL']}/me/posts/{post.id}"
    subject, body = _render(
        "alert_creator", lang, post=post, check=check, tenant=tenant, link=link, findings=check.findings.get(lang, [])
    )
    queue_email(creator.email, subject, body, tenant_id=post.tenant_id)
