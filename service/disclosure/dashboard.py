"""The compliance dashboard of a brand or of one agency client: rate per week, open violations, per creator.

Computed from finished checks and each post's latest verdict; small enough per tenant to aggregate in
Python, which keeps the week arithmetic the same on PostgreSQL and SQLite. Only the columns the figures
need are read (not whole posts with their campaign and creator): a tenant with a thousand checked posts
costs a thousand short rows, not four thousand objects (bench/growth.py measures it).
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from service.accounts.models import Creator
from service.creators.models import CreatorRelation
from service.disclosure.models import Campaign, Check, CheckStatus, DeliverablePost
from service.extensions import db
from service.models import utcnow
from tenants.access import Principal


@dataclass
class Summary:
    compliance_rate: float | None
    posts_checked: int
    open_violations: list[dict[str, Any]]
    weekly: list[dict[str, Any]]
    per_creator: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "compliance_rate": self.compliance_rate,
            "posts_checked": self.posts_checked,
            "open_violations": self.open_violations,
            "weekly": self.weekly,
            "per_creator": self.per_creator,
        }


def _scoped(query: Any, principal: Principal, client_id: uuid.UUID | None) -> Any:
    if principal.client_ids is not None:
        query = query.where(Campaign.client_id.in_(principal.client_ids))
    if client_id is not None:
        query = query.where(Campaign.client_id == client_id)
    return query


def _rate(good: int, total: int) -> float | None:
    return round(good / total, 4) if total else None


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def summary(principal: Principal, client_id: uuid.UUID | None, weeks: int = 12) -> Summary:
    checked = db.session.execute(_scoped(_checked_posts(), principal, client_id)).all()
    compliant = sum(1 for p in checked if p.latest_verdict == "compliant")
    return Summary(
        compliance_rate=_rate(compliant, len(checked)),
        posts_checked=len(checked),
        open_violations=[_violation(p) for p in checked if p.latest_verdict == "violation"],
        weekly=_weekly(principal, client_id, weeks),
        per_creator=_per_creator(checked),
    )


def _checked_posts() -> Any:
    """Posts with a verdict, as rows of just what the dashboard shows about them."""
    relation = (CreatorRelation.tenant_id == DeliverablePost.tenant_id) & (
        CreatorRelation.id == DeliverablePost.creator_relation_id
    )
    return (
        select(
            DeliverablePost.id,
            DeliverablePost.title,
            DeliverablePost.latest_verdict,
            DeliverablePost.latest_check_id,
            DeliverablePost.creator_relation_id,
            Campaign.name.label("campaign_name"),
            Creator.name.label("creator_name"),
        )
        .join(DeliverablePost.campaign)
        .join(CreatorRelation, relation)
        .join(Creator, Creator.id == CreatorRelation.creator_id)
        .where(DeliverablePost.latest_verdict.is_not(None))
    )


def _violation(post: Any) -> dict[str, Any]:
    return {
        "post_id": str(post.id),
        "title": post.title,
        "campaign": post.campaign_name,
        "creator": post.creator_name,
        "check_id": str(post.latest_check_id) if post.latest_check_id else None,
    }


def _weekly(principal: Principal, client_id: uuid.UUID | None, weeks: int) -> list[dict[str, Any]]:
    first = week_start(utcnow().date()) - timedelta(weeks=weeks - 1)
    # Only the weeks shown: older checks would be read and dropped (ix_disclosure_checks_tenant_done).
    query = select(Check.completed_at, Check.verdict).where(
        Check.status == CheckStatus.DONE, Check.completed_at >= datetime.combine(first, time.min, tzinfo=UTC)
    )
    if principal.client_ids is not None or client_id is not None:  # the client is the post's campaign's
        query = query.join(
            DeliverablePost, (DeliverablePost.tenant_id == Check.tenant_id) & (DeliverablePost.id == Check.post_id)
        ).join(DeliverablePost.campaign)
    buckets: dict[date, list[int]] = {first + timedelta(weeks=i): [0, 0] for i in range(weeks)}
    for completed_at, verdict in db.session.execute(_scoped(query, principal, client_id)):
        start = week_start(completed_at.date())
        if start in buckets:
            buckets[start][0] += 1
            buckets[start][1] += verdict == "compliant"
    return [
        {"week": start.isoformat(), "checks": total, "compliant": good, "rate": _rate(good, total)}
        for start, (total, good) in sorted(buckets.items())
    ]


def _per_creator(posts: Sequence[Any]) -> list[dict[str, Any]]:
    rows: dict[uuid.UUID, dict[str, Any]] = {}
    for post in posts:
        row = rows.setdefault(
            post.creator_relation_id,
            {
                "creator_relation_id": str(post.creator_relation_id),
                "creator": post.creator_name,
                "posts": 0,
                "compliant": 0,
                "violations": 0,
            },
        )
        row["posts"] += 1
        row["compliant"] += post.latest_verdict == "compliant"
        row["violations"] += post.latest_verdict == "violation"
    for row in rows.values():
        row["rate"] = _rate(row["compliant"], row["posts"])
    return sorted(rows.values(), key=lambda r: (r["rate"] if r["rate"] is not None else 2, r["creator"]))


def summary_csv(data: Summary) -> str:
    from service.disclosure.bulk import spreadsheet_safe

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "name", "checks_or_posts", "compliant", "rate"])
    for week in data.weekly:
        writer.writerow(
            ["week", week["week"], week["checks"], week["compliant"], week["rate"] if week["rate"] is not None else ""]
        )
    for row in data.per_creator:
        writer.writerow(["creator", spreadsheet_safe(row["creator"]), row["posts"], row["compliant"], row["rate"]])
    for item in data.open_violations:
        writer.writerow(["open_violation", spreadsheet_safe(item["title"]), "", "", ""])
    return out.getvalue()


def chart_points(weekly: list[dict[str, Any]], width: int = 600, height: int = 160) -> list[dict[str, Any]]:
    """Where each week's rate sits in the server-rendered SVG chart (weeks without checks are left out)."""
    if not weekly:
        return []
    step = width / max(len(weekly) - 1, 1)
    return [
        {
            "x": round(i * step, 1),
            "y": round(height - week["rate"] * height, 1),
            "week": week["week"],
            "rate": week["rate"],
        }
        for i, week in enumerate(weekly)
        if week["rate"] is not None
    ]


def creator_bars(per_creator: list[dict[str, Any]], width: int = 400, bar: int = 22) -> list[dict[str, Any]]:
    """One horizontal bar per creator in the server-rendered SVG chart: its length is the compliance rate."""
    return [
        {
            "y": i * (bar + 8),
            "width": round((row["rate"] or 0) * width, 1),
            "height": bar,
            "creator": row["creator"],
            "rate": row["rate"],
            "posts": row["posts"],
        }
        for i, row in enumerate(per_creator)
    ]
