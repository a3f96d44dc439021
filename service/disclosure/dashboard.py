"""The compliance dashboard of a brand or of one agency client: rate per week, open violations, per creator.

Computed from finished checks and each post's latest verdict; small enough per tenant to aggregate in
Python, which keeps the week arithmetic the same on PostgreSQL and SQLite.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

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
    posts = list(
        db.session.execute(
            _scoped(select(DeliverablePost).join(DeliverablePost.campaign), principal, client_id)
        ).scalars()
    )
    checked = [p for p in posts if p.latest_verdict]
    compliant = sum(1 for p in checked if p.latest_verdict == "compliant")
    return Summary(
        compliance_rate=_rate(compliant, len(checked)),
        posts_checked=len(checked),
        open_violations=[_violation(p) for p in checked if p.latest_verdict == "violation"],
        weekly=_weekly(principal, client_id, weeks),
        per_creator=_per_creator(checked),
    )


def _violation(post: DeliverablePost) -> dict[str, Any]:
    return {
        "post_id": str(post.id),
        "title": post.title,
        "campaign": post.campaign.name,
        "creator": post.creator_relation.creator.name,
        "check_id": str(post.latest_check_id) if post.latest_check_id else None,
    }


def _weekly(principal: Principal, client_id: uuid.UUID | None, weeks: int) -> list[dict[str, Any]]:
    first = week_start(utcnow().date()) - timedelta(weeks=weeks - 1)
    query = (
        select(Check.completed_at, Check.verdict)
        .join(DeliverablePost, (DeliverablePost.tenant_id == Check.tenant_id) & (DeliverablePost.id == Check.post_id))
        .join(DeliverablePost.campaign)
        .where(Check.status == CheckStatus.DONE)
    )
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


def _per_creator(posts: list[DeliverablePost]) -> list[dict[str, Any]]:
    rows: dict[uuid.UUID, dict[str, Any]] = {}
    for post in posts:
        row = rows.setdefault(
            post.creator_relation_id,
            {
                "creator_relation_id": str(post.creator_relation_id),
                "creator": post.creator_relation.creator.name,
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
