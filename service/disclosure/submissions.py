"""Submitting many published posts in one request: checked item by item, stored all together or not at all.

Each item is the single submission's body plus its ``post_id``. Every item is validated before anything is
written; if one is wrong the whole batch is refused (422) with the problems keyed by the item's index, in the
same place as the schema's own errors (``errors.json.items.<index>.<field>``), and nothing is stored. A
compliance tool wants to know that either all of its posts are being checked or none are, and can resend the
fixed batch as it is. A post of another tenant (or of a client the caller may not see) is "not found" for
its item, the same words as the single route's 404.

A good batch costs one INSERT per table (submissions, checks, audit events) and one UPDATE of the posts,
whatever its size, and asks once for check runs: the workers check the posts in batched jobs.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update

from service.audit.operations import record_events
from service.billing.limits import require_within_plan
from service.disclosure.checking import insert_rows
from service.disclosure.dispatch import request_check_run
from service.disclosure.models import (
    Campaign,
    Check,
    CheckStatus,
    CheckTrigger,
    DeliverablePost,
    PostStatus,
    Submission,
)
from service.disclosure.operations import NO_CONTENT, check_link, has_content, submission_fields
from service.errors import Unprocessable
from service.extensions import db
from service.models import utcnow
from service.webhooks.events import emit_events
from tenants.access import Principal
from tenants.context import require_tenant_id

MAX_BATCH_ITEMS = 1000
NOT_FOUND = "No post with this id in your account."


@dataclass(frozen=True)
class SubmittedItem:
    index: int
    post_id: uuid.UUID
    submission_id: uuid.UUID
    check_id: uuid.UUID


def submit_posts(
    items: Sequence[Mapping[str, Any]], *, actor: Principal, config: Mapping[str, Any]
) -> list[SubmittedItem]:
    """Store every item's submission and queue its check, or raise ``Unprocessable`` and store nothing."""
    require_within_plan("disclosure_check", units=len(items))
    visible = _visible_posts([item["post_id"] for item in items], actor)
    links, errors = _validate(items, visible, config)
    if errors:
        raise Unprocessable(
            f"{len(errors)} of {len(items)} items cannot be submitted, so none was stored; "
            "errors.json.items lists each item's problems by its index.",
            errors={"json": {"items": errors}},
        )
    return _store(items, links, actor)


def _visible_posts(post_ids: Sequence[uuid.UUID], actor: Principal) -> set[uuid.UUID]:
    """The ids among ``post_ids`` the caller may submit for (the tenant's, and of a client they can see)."""
    rows = db.session.execute(
        select(DeliverablePost.id, Campaign.client_id)
        .join(DeliverablePost.campaign)
        .where(DeliverablePost.id.in_(set(post_ids)))
    )
    return {post_id for post_id, client_id in rows if actor.can_access_client(client_id)}


def _validate(
    items: Sequence[Mapping[str, Any]], visible: set[uuid.UUID], config: Mapping[str, Any]
) -> tuple[list[str | None], dict[str, dict[str, list[str]]]]:
    """Every item's checked link, and the problems per item index (empty when all are good)."""
    links: list[str | None] = []
    errors: dict[str, dict[str, list[str]]] = {}
    first_index: dict[uuid.UUID, int] = {}
    for index, item in enumerate(items):
        problems: dict[str, list[str]] = {}
        post_id = item["post_id"]
        if post_id not in visible:
            problems["post_id"] = [NOT_FOUND]
        elif post_id in first_index:
            problems["post_id"] = [f"Listed twice in this batch (first as item {first_index[post_id]})."]
        first_index.setdefault(post_id, index)
        if not has_content(item):
            problems["caption"] = [NO_CONTENT]
        links.append(_link(item, config, problems))
        if problems:
            errors[str(index)] = problems
    return links, errors


def _link(item: Mapping[str, Any], config: Mapping[str, Any], problems: dict[str, list[str]]) -> str | None:
    try:
        return check_link(item.get("link"), config)
    except Unprocessable as exc:
        problems.update(exc.errors)
        return None


def _store(items: Sequence[Mapping[str, Any]], links: Sequence[str | None], actor: Principal) -> list[SubmittedItem]:
    tenant_id, now = require_tenant_id(), utcnow()
    submitted = [SubmittedItem(index, item["post_id"], uuid.uuid4(), uuid.uuid4()) for index, item in enumerate(items)]
    db.session.execute(
        insert(Submission),
        [
            {
                "id": row.submission_id,
                "tenant_id": tenant_id,
                "post_id": row.post_id,
                "created_at": now,
                **submission_fields(item, link, actor),
            }
            for row, item, link in zip(submitted, items, links, strict=True)
        ],
    )
    insert_rows(
        Check,
        [
            {
                "id": row.check_id,
                "tenant_id": tenant_id,
                "post_id": row.post_id,
                "submission_id": row.submission_id,
                "trigger": CheckTrigger.SUBMISSION.value,
                "status": CheckStatus.PENDING.value,
                "due_at": now,
                "rule_ids": [],
                "findings": {},
                "pack_versions": {},
                "created_at": now,
            }
            for row in submitted
        ],
    )
    post_ids = [row.post_id for row in submitted]
    db.session.execute(
        update(DeliverablePost)
        .where(DeliverablePost.id.in_(post_ids))
        .values(status=PostStatus.SUBMITTED.value, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    record_events("disclosure.post_submitted", target_type="post", target_ids=post_ids, actor=actor)
    emit_events(
        "post.submitted",
        [
            {"post_id": str(row.post_id), "submission_id": str(row.submission_id), "check_id": str(row.check_id)}
            for row in submitted
        ],
    )
    request_check_run(tenant_id)
    return submitted
