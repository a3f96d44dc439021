"""Running checks in workers: claim a batch of pending checks, snapshot, run the engine, store, alert, re-check.

Safe to run twice: only pending rows are claimed (row locks with SKIP LOCKED, so two workers never take the
same row), a finished check is never run again, and alerts and usage are unique per check. Re-checks are
new check rows due later (after 24 hours and 7 days by default); a batch's re-checks are started by one
delayed RQ job per delay, and the reconciler starts any whose job Redis lost.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import logging
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.orm.attributes import set_committed_value

from service.billing.usage import record_usages
from service.disclosure.alerts import LatestResult, latest_results, raise_alerts
from service.disclosure.dispatch import CHECK_SHARDS, RUN_KIND, clear_flag, request_check_run, start_runs
from service.disclosure.engine import check_post
from service.disclosure.evidence import take_snapshot
from service.disclosure.fetchers import FetchError
from service.disclosure.model import Verdict
from service.disclosure.models import Check, CheckStatus, CheckTrigger, PostStatus, Submission
from service.disclosure.posts import PostError, parse_post
from service.disclosure.rulebook import RuleBook, default_rule_book
from service.extensions import db
from service.faults import pause_point
from service.jobs import DeferredJob, defer
from service.models import utcnow
from service.webhooks.events import emit_events
from tenants.context import require_tenant_id, unscoped

log = logging.getLogger(__name__)

CHECK_BATCH_SIZE = 500  # a job's fixed costs (fork, claim, one email per recipient) spread over more posts
RECHECK_AFTER = (timedelta(hours=24), timedelta(days=7))


@functools.cache
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
    run_checks(claimed, default_rule_book())
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
    run_checks([check], default_rule_book())
    return True


def start_due_rechecks(tenant_id: uuid.UUID) -> int:
    """The delayed job of a batch's re-checks: make the tenant's due ones pending and start a check run."""
    result = db.session.execute(
        update(Check)
        .where(Check.status == CheckStatus.SCHEDULED, Check.due_at <= utcnow())
        .values(status=CheckStatus.PENDING)
        .execution_options(synchronize_session=False)
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        request_check_run(tenant_id)
    return count


def run_checks(checks: Sequence[Check], book: RuleBook) -> None:
    """Check a batch in due order: one query per kind of row read, one statement per table written.

    Snapshot, engine and result per check; failures to fetch or parse are stored on the check, never raised.
    Then, for the finished ones together: the posts' latest verdicts, usage, ``check.completed`` events,
    alerts where the result changed, and re-checks for each post's last first-time check.
    """
    if not checks:
        return
    submissions = _submissions_of(checks)
    latest = latest_results({check.post_id for check in checks})
    finished: list[tuple[Check, LatestResult | None]] = []
    for check in checks:
        if _check_one(check, submissions[check.submission_id], book):
            finished.append((check, latest.get(check.post_id)))
            latest[check.post_id] = LatestResult.of(check)
    _store_post_verdicts(check for check, _previous in finished)
    write_back(checks, CHECK_RESULT_COLUMNS)
    pause_point("disclosure.check_batch")  # fault tests kill the worker here: half written, nothing committed
    write_back([check.post for check, _previous in finished], POST_VERDICT_COLUMNS)
    record_usages("disclosure_check", [(check.id, check.post.campaign.client_id) for check, _previous in finished])
    emit_events(
        "check.completed",
        [
            {"post_id": str(check.post_id), "check_id": str(check.id), "verdict": check.verdict}
            for check, _previous in finished
        ],
    )
    raise_alerts(finished)
    last_per_post = {check.post_id: check for check, _previous in finished}
    schedule_rechecks([check for check in last_per_post.values() if check.trigger != CheckTrigger.RECHECK])


CHECK_RESULT_COLUMNS = (
    "status",
    "evidence",
    "evidence_sha256",
    "evidence_source",
    "evidence_url",
    "evidence_taken_at",
    "verdict",
    "rule_ids",
    "findings",
    "engine_version",
    "pack_versions",
    "error",
    "completed_at",
)
POST_VERDICT_COLUMNS = ("latest_check_id", "latest_verdict", "status", "updated_at")


def write_back(rows: Sequence[Any], columns: Sequence[str]) -> None:
    """Store ``columns`` of many loaded rows of one tenant-owned model in one UPDATE.

    The unit of work would send one UPDATE per row; on a busy database that is most of a batch's time. On
    PostgreSQL it is one ``UPDATE ... FROM json_to_recordset(<the batch as one JSON document>)`` keyed by
    (tenant_id, id): a fixed statement whatever the batch size, and one parameter. (An array per column
    was slower: psycopg quotes every element of a text array with a regular expression, and the JSON columns'
    quotes made that an eighth of a batch's time in the worker.) Elsewhere (the SQLite demo) it is an
    executemany. The rows are marked as stored first: the commit (or the autoflush before this very
    statement) must not write them again one by one.
    """
    unique = list({id(row): row for row in rows}.values())
    if not unique:
        return
    table = type(unique[0]).__table__
    if "updated_at" in columns:
        now = utcnow()
        for row in unique:
            row.updated_at = now
    keys = ("tenant_id", "id", *columns)
    values = [{key: getattr(row, key) for key in keys} for row in unique]
    for row in unique:  # stored by the statement below, so the unit of work must not send them row by row
        for key in columns:
            set_committed_value(row, key, getattr(row, key))
    dialect = db.session.get_bind().dialect
    if dialect.name == "postgresql":
        document = json.dumps(values, ensure_ascii=False, default=_json_scalar)
        db.session.execute(_recordset_update(table, keys, tuple(columns), dialect), {"rows": document})
    else:
        statement = (
            update(table)
            .where(table.c.tenant_id == bindparam("k_tenant_id"), table.c.id == bindparam("k_id"))
            .values({key: bindparam(f"k_{key}") for key in columns})
        )
        db.session.execute(statement, [{f"k_{key}": value[key] for key in keys} for value in values])


def insert_rows(model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many new rows of one model, each with the same keys (every column without a default), at once.

    On PostgreSQL one ``INSERT ... SELECT FROM json_to_recordset(<one JSON document>)``, for the reason given
    in ``write_back``: psycopg adapts the executemany's parameters one by one, eleven a row. Elsewhere the
    ORM's bulk insert.
    """
    if not rows:
        return
    dialect = db.session.get_bind().dialect
    if dialect.name != "postgresql":
        db.session.execute(insert(model), list(rows))
        return
    document = json.dumps(list(rows), ensure_ascii=False, default=_json_scalar)
    db.session.execute(_recordset_insert(model.__table__, tuple(rows[0]), dialect), {"rows": document})


@functools.cache
def _recordset_insert(table: Any, keys: tuple[str, ...], dialect: Any) -> Any:
    names = ", ".join(table.c[key].name for key in keys)
    # Table, column and type names come from our models (``table.c`` checks each), never from input.
    return text(
        f"INSERT INTO {table.name} ({names}) SELECT {names} "  # noqa: S608
        f"FROM json_to_recordset(CAST(:rows AS json)) AS v({_record_type(table, keys, dialect)})"
    )


def _record_type(table: Any, keys: Sequence[str], dialect: Any) -> str:
    return ", ".join(f"{key} {table.c[key].type.compile(dialect=dialect)}" for key in keys)


def _json_scalar(value: Any) -> str:
    """UUIDs and aware datetimes as PostgreSQL reads them back into their columns' types."""
    if isinstance(value, uuid.UUID | datetime):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not stored by write_back")


@functools.cache
def _recordset_update(table: Any, keys: tuple[str, ...], columns: tuple[str, ...], dialect: Any) -> Any:
    record = _record_type(table, keys, dialect)
    assignments = ", ".join(f"{key} = v.{key}" for key in columns)
    # Table, column and type names come from our models (``table.c`` checks each), never from input.
    return text(
        f"UPDATE {table.name} AS t SET {assignments} FROM json_to_recordset(CAST(:rows AS json)) "  # noqa: S608
        f"AS v({record}) WHERE t.tenant_id = v.tenant_id AND t.id = v.id"
    )


def _submissions_of(checks: Sequence[Check]) -> dict[uuid.UUID | None, Submission]:
    ids = {check.submission_id for check in checks}
    return {row.id: row for row in db.session.execute(select(Submission).where(Submission.id.in_(ids))).scalars()}


def _check_one(check: Check, submission: Submission, book: RuleBook) -> bool:
    """Snapshot and engine for one check; False (and stored as failed) when it could not be checked."""
    try:
        evidence = take_snapshot(check, submission)
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
        return False
    check.verdict, check.rule_ids, check.findings = result.verdict.value, list(result.rule_ids), findings
    check.engine_version, check.pack_versions = engine_version(), pack_versions(book)
    check.status, check.completed_at = CheckStatus.DONE, utcnow()
    return True


def _fail(check: Check, message: str) -> None:
    check.status, check.error, check.completed_at = CheckStatus.FAILED, message[:500], utcnow()
    log.info("check %s failed: %s", check.id, message)


def _store_post_verdicts(checks: Iterable[Check]) -> None:
    # Checks run in due order, so the last one of a post finishing now is the post's latest word.
    for check in checks:
        post = check.post
        post.latest_check_id, post.latest_verdict = check.id, check.verdict
        post.status = PostStatus(check.verdict or PostStatus.SUBMITTED).value


def schedule_rechecks(checks: Sequence[Check]) -> None:
    """Re-check later: labels get edited away after approval. Replaces the posts' re-checks still waiting.

    One delayed job per delay starts the whole batch's re-checks (``start_due_rechecks``), not one per check;
    batches finishing in the same minute share it. The reconciler starts any whose job Redis lost.
    """
    if not checks:
        return
    db.session.execute(
        update(Check)
        .where(Check.post_id.in_({check.post_id for check in checks}), Check.status == CheckStatus.SCHEDULED)
        .values(status=CheckStatus.FAILED, error="replaced by a newer submission's re-checks")
        .execution_options(synchronize_session=False)
    )
    tenant_id, now = require_tenant_id(), utcnow()
    rows: list[dict[str, Any]] = []
    for check in checks:
        assert check.completed_at is not None
        rows.extend(_recheck_row(tenant_id, check, check.completed_at + delay, now) for delay in RECHECK_AFTER)
    insert_rows(Check, rows)
    for delay in RECHECK_AFTER:
        last_due = max(check.completed_at for check in checks if check.completed_at) + delay
        slot = int(last_due.timestamp()) // 60 + 1  # the end of the minute every one of them is due in
        start_at = datetime.fromtimestamp(slot * 60, UTC)
        defer(
            "disclosure.start_rechecks",
            tenant_id,
            job_id=f"disclosure-rechecks-{tenant_id}-{slot}",
            delay=start_at - now,
        )


def _recheck_row(tenant_id: uuid.UUID, check: Check, due_at: datetime, now: datetime) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "tenant_id": tenant_id,
        "post_id": check.post_id,
        "submission_id": check.submission_id,
        "trigger": CheckTrigger.RECHECK.value,
        "status": CheckStatus.SCHEDULED.value,
        "due_at": due_at,
        "rule_ids": [],
        "findings": {},
        "pack_versions": {},
        "created_at": now,
    }


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


__all__ = ["run_pending_checks", "run_scheduled_check", "start_due_rechecks", "start_runs", "waiting_check_runs"]
