"""Running checks in workers: claim a batch of pending checks, snapshot, run the engine, store, alert, re-check.

Safe to run twice: only pending rows are claimed (row locks with SKIP LOCKED, so two workers never take the
same row), a finished check is never run again, and alerts and usage are unique per check. Re-checks are
new check rows due later (after 24 hours and 7 days by default); each is started by a delayed RQ job, and
the reconciler starts any whose job Redis lost.
"""

from __future__ import annotations

import importlib.metadata
import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update

from service.billing.usage import record_usage
from service.disclosure.alerts import alert_if_needed, previous_result
from service.disclosure.dispatch import CHECK_SHARDS, RUN_KIND, clear_flag, request_check_run, start_runs
from service.disclosure.engine import check_post
from service.disclosure.evidence import take_snapshot
from service.disclosure.fetchers import FetchError
from service.disclosure.model import Verdict
from service.disclosure.models import Check, CheckStatus, CheckTrigger, PostStatus
from service.disclosure.posts import PostError, parse_post
from service.disclosure.rulebook import RuleBook, default_rule_book
from service.extensions import db
from service.faults import pause_point
from service.jobs import DeferredJob, defer
from service.models import utcnow
from service.webhooks.events import emit_event
from tenants.context import unscoped

log = logging.getLogger(__name__)

CHECK_BATCH_SIZE = 200
RECHECK_AFTER = (timedelta(hours=24), timedelta(days=7))


def engine_version() -> str:
    try:
        return importlib.metadata.version("fairpact")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def pack_versions(book: RuleBook) -> dict[str, str]:
    versions = {code: pack.version for code, pack in book.packs.items()}
    versions["common"] = book.common.version
    return versions


def run_pending_checks(tenant_id: uuid.UUID, shard: int) -> int:
    """Check up to one batch of the tenant's due checks; ask for another run if there may be more."""
    clear_flag(tenant_id, shard)
    now = utcnow()
    claimed = list(
        db.session.execute(
            select(Check)
            .where(Check.status == CheckStatus.PENDING, Check.due_at <= now)
            .order_by(Check.due_at, Check.id)
            .limit(CHECK_BATCH_SIZE)
            .with_for_update(skip_locked=True, of=Check)
        ).scalars()
    )
    book = default_rule_book()
    for check in claimed:
        run_check(check, book)
        pause_point("disclosure.check_batch")
    if len(claimed) == CHECK_BATCH_SIZE:
        request_check_run(tenant_id)
    return len(claimed)


def run_scheduled_check(tenant_id: uuid.UUID, check_id: uuid.UUID) -> bool:
    """The delayed job of one re-check: run it if it is (still) waiting and due."""
    check = db.session.execute(
        select(Check).where(Check.id == check_id).with_for_update(skip_locked=True, of=Check)
    ).scalar_one_or_none()
    if check is None or check.status not in (CheckStatus.SCHEDULED, CheckStatus.PENDING) or check.due_at > utcnow():
        return False
    check.status = CheckStatus.PENDING
    run_check(check, default_rule_book())
    return True


def run_check(check: Check, book: RuleBook) -> None:
    """Snapshot, engine, result; failures to fetch or parse are stored on the check, never raised."""
    previous = previous_result(check)
    try:
        evidence = take_snapshot(check)
        check.evidence, check.evidence_sha256 = evidence.post, evidence.sha256
        check.evidence_source, check.evidence_url, check.evidence_taken_at = (
            evidence.source,
            evidence.url,
            evidence.taken_at,
        )
        post = parse_post(evidence.post)
        result = check_post(post, lang="en", book=book)
        findings = {"en": [f.as_dict() for f in result.findings]}
        findings["de"] = (
            []
            if result.verdict is Verdict.COMPLIANT
            else [f.as_dict() for f in check_post(post, lang="de", book=book).findings]
        )
    except (FetchError, PostError) as exc:
        _fail(check, str(exc))
        return
    check.verdict, check.rule_ids, check.findings = result.verdict.value, list(result.rule_ids), findings
    check.engine_version, check.pack_versions = engine_version(), pack_versions(book)
    check.status, check.completed_at = CheckStatus.DONE, utcnow()
    _update_post(check)
    db.session.flush()
    record_usage("disclosure_check", check.id, client_id=check.post.campaign.client_id)
    emit_event("check.completed", {"post_id": str(check.post_id), "check_id": str(check.id), "verdict": check.verdict})
    alert_if_needed(check, previous)
    if check.trigger != CheckTrigger.RECHECK:
        schedule_rechecks(check)


def _fail(check: Check, message: str) -> None:
    check.status, check.error, check.completed_at = CheckStatus.FAILED, message[:500], utcnow()
    db.session.flush()
    log.info("check %s failed: %s", check.id, message)


def _update_post(check: Check) -> None:
    # Checks run in due order, so the one finishing now is the post's latest word.
    post = check.post
    post.latest_check_id, post.latest_verdict = check.id, check.verdict
    post.status = PostStatus(check.verdict or PostStatus.SUBMITTED).value


def schedule_rechecks(check: Check) -> list[Check]:
    """Re-check later: labels get edited away after approval. Replaces re-checks still waiting."""
    db.session.execute(
        update(Check)
        .where(Check.post_id == check.post_id, Check.status == CheckStatus.SCHEDULED)
        .values(status=CheckStatus.FAILED, error="replaced by a newer submission's re-checks")
    )
    assert check.completed_at is not None
    rechecks = []
    for delay in RECHECK_AFTER:
        recheck = Check(
            post_id=check.post_id,
            submission_id=check.submission_id,
            trigger=CheckTrigger.RECHECK,
            status=CheckStatus.SCHEDULED,
            due_at=check.completed_at + delay,
        )
        db.session.add(recheck)
        rechecks.append(recheck)
    db.session.flush()
    for recheck in rechecks:
        delay = recheck.due_at - utcnow()
        defer("disclosure.recheck", check.tenant_id, recheck.id, job_id=f"disclosure-recheck-{recheck.id}", delay=delay)
    return rechecks


def waiting_check_runs(now: datetime, cutoff: datetime) -> list[DeferredJob]:
    """A source of the reconciler: make due re-checks pending, and return a run per shard for every tenant
    with due re-checks or with checks pending since before ``cutoff`` (their run was lost with Redis or
    with a killed worker, whose claimed rows went back to pending when its transaction died).

    The runs get fixed ids per tenant and shard, so a second reconciler run while they wait adds nothing;
    a run started by a submission (random id, see dispatch.py) and one of these may overlap harmlessly,
    as rows are claimed with SKIP LOCKED and a finished check is never run again.
    """
    with unscoped("find due disclosure checks of every tenant"):
        db.session.execute(
            update(Check)
            .where(Check.status == CheckStatus.SCHEDULED, Check.due_at <= now)
            .values(status=CheckStatus.PENDING)
        )
        stale = select(Check.tenant_id).where(Check.status == CheckStatus.PENDING, Check.due_at <= cutoff)
        rechecks = select(Check.tenant_id).where(
            Check.status == CheckStatus.PENDING, Check.trigger == CheckTrigger.RECHECK, Check.due_at <= now
        )
        tenants = set(db.session.execute(stale.distinct()).scalars()) | set(
            db.session.execute(rechecks.distinct()).scalars()
        )
    return [
        DeferredJob(RUN_KIND, (str(tenant_id), shard), f"disclosure-run-{tenant_id}-{shard}")
        for tenant_id in sorted(tenants)
        for shard in range(CHECK_SHARDS)
    ]


__all__ = ["run_pending_checks", "run_scheduled_check", "start_runs", "waiting_check_runs"]
