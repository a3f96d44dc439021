"""Disclosure pages: campaigns, posts and checks, dashboard and bulk checks for staff; the creator's posts."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any, cast

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from service.body_limits import larger_body
from service.disclosure import bulk as bulk_ops
from service.disclosure import dashboard, screenshots
from service.disclosure import operations as ops
from service.disclosure.model import MEDIA_TYPES, PLATFORMS
from service.disclosure.models import Check, CheckStatus, DeliverablePost
from service.errors import AppError
from service.extensions import db
from service.web.pages import creator_required, form_expired, selected_client_id, staff_required, web_principal
from service.web.transaction import transactional
from tenants.access import Principal, PrincipalKind
from tenants.context import tenant_scope
from tenants.roles import Role

bp = Blueprint("web_disclosure", __name__)


def _lang() -> str:
    return "de" if str(get_locale()) == "de" else "en"


def _check_csrf() -> None:
    from flask_wtf.csrf import CSRFError, validate_csrf

    try:
        validate_csrf(request.form.get("csrf_token"))
    except CSRFError:
        form_expired()
    except Exception:  # the token is malformed or from another session
        form_expired()


def _problem(exc: AppError) -> str:
    details = [f"{name}: {' '.join(map(str, msgs))}" for name, msgs in (exc.errors or {}).items()]
    return " ".join([exc.message, *details])


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


# --- staff: campaigns and posts ------------------------------------------------------------------------


@bp.get("/disclosure")
@staff_required()
def campaigns() -> ResponseReturnValue:
    principal = web_principal()
    items = db.session.execute(ops.campaigns_query(principal, selected_client_id())).scalars().all()
    return render_template("disclosure/campaigns.html", campaigns=items, platforms=PLATFORMS)


@bp.post("/disclosure/campaigns")
@staff_required(Role.MANAGER)
@transactional
def create_campaign() -> ResponseReturnValue:
    _check_csrf()
    name = request.form.get("name", "").strip()
    if not name:
        flash(_("Give the campaign a name."), "error")
        return redirect(url_for(".campaigns"))
    data = {
        "name": name,
        "client_id": selected_client_id(),
        "jurisdictions": [c for c in request.form.get("jurisdictions", "").replace(",", " ").split() if c],
        "platforms": request.form.getlist("platforms"),
        "starts_on": _date(request.form.get("starts_on")),
        "ends_on": _date(request.form.get("ends_on")),
    }
    try:
        campaign = ops.create_campaign(data, web_principal())
    except AppError as exc:
        db.session.rollback()
        flash(_problem(exc), "error")
        return redirect(url_for(".campaigns"))
    return redirect(url_for(".campaign", campaign_id=campaign.id))


@bp.get("/disclosure/campaigns/<uuid:campaign_id>")
@staff_required()
def campaign(campaign_id: uuid.UUID) -> ResponseReturnValue:
    principal = web_principal()
    item = ops.get_campaign(campaign_id, principal)
    posts = db.session.execute(ops.posts_query(principal, item.id)).scalars().all()
    from service.contracts.models import ContractStatus
    from service.contracts.queries import contracts_query
    from service.creators.operations import creator_relations_query

    relations = db.session.execute(creator_relations_query(principal, item.client_id)).scalars().all()
    contracts = db.session.execute(contracts_query(principal, client_id=item.client_id).limit(200)).scalars().all()
    return render_template(
        "disclosure/campaign.html",
        campaign=item,
        posts=posts,
        relations=relations,
        contracts=[c for c in contracts if c.client_id == item.client_id and c.status != ContractStatus.VOIDED],
        relationships=ops.POST_RELATIONSHIPS,
        platforms=PLATFORMS,
        media_types=MEDIA_TYPES,
    )


@bp.post("/disclosure/campaigns/<uuid:campaign_id>/posts")
@staff_required(Role.MANAGER)
@transactional
def create_post(campaign_id: uuid.UUID) -> ResponseReturnValue:
    _check_csrf()
    principal = web_principal()
    item = ops.get_campaign(campaign_id, principal)
    try:
        data = {
            "title": request.form.get("title", "") or _("Post"),
            "creator_relation_id": uuid.UUID(request.form.get("creator_relation_id", "")),
            "contract_id": uuid.UUID(request.form["contract_id"]) if request.form.get("contract_id") else None,
            "relationship": request.form.get("relationship") or None,
            "platform": request.form.get("platform", ""),
            "media_type": request.form.get("media_type", ""),
            "due_on": _date(request.form.get("due_on")),
        }
        ops.create_post(item, data, principal)
    except ValueError:
        flash(_("Choose a creator."), "error")
    except AppError as exc:
        db.session.rollback()
        flash(_problem(exc), "error")
    return redirect(url_for(".campaign", campaign_id=campaign_id))


@bp.get("/disclosure/posts/<uuid:post_id>")
@staff_required()
def post(post_id: uuid.UUID) -> ResponseReturnValue:
    item = ops.get_post(post_id, web_principal())
    checks = cast(list[Check], db.session.execute(ops.checks_query(item).limit(20)).scalars().all())
    return render_template(
        "disclosure/post.html",
        post=item,
        screenshots=screenshots.screenshots_of(list({c.submission_id for c in checks if c.submission_id})),
        obligation=ops.obligation_of(item, _lang()),
        confirmation=ops.confirmation_of(item),
        checks=checks,
        lang=_lang(),
        rechecks=_scheduled(item),
    )


@bp.get("/disclosure/screenshots/<uuid:screenshot_id>")
@staff_required()
def screenshot(screenshot_id: uuid.UUID) -> ResponseReturnValue:
    shot = screenshots.get_screenshot(screenshot_id, web_principal())
    return screenshots.image_response(shot, screenshots.screenshot_bytes(shot))


def _scheduled(item: DeliverablePost) -> list[Check]:
    query = select(Check).where(Check.post_id == item.id, Check.status == CheckStatus.SCHEDULED).order_by(Check.due_at)
    return list(db.session.execute(query).scalars())


# --- staff: dashboard and bulk checks ------------------------------------------------------------------


@bp.get("/disclosure/dashboard")
@staff_required()
def compliance_dashboard() -> ResponseReturnValue:
    data = dashboard.summary(web_principal(), selected_client_id())
    if request.args.get("format") == "csv":
        return Response(
            dashboard.summary_csv(data),
            mimetype="text/csv",
            headers={"Content-Disposition": 'attachment; filename="fairpact-compliance.csv"'},
        )
    return render_template(
        "disclosure/dashboard.html",
        data=data,
        points=dashboard.chart_points(data.weekly),
        bars=dashboard.creator_bars(data.per_creator),
    )


@bp.get("/disclosure/bulk")
@staff_required()
def bulk_checks() -> ResponseReturnValue:
    items = db.session.execute(bulk_ops.bulk_checks_query(web_principal()).limit(50)).scalars().all()
    return render_template("disclosure/bulk.html", items=[bulk_ops.progress(b) for b in items])


@bp.post("/disclosure/bulk")
@staff_required(Role.MANAGER)
@transactional
def upload_bulk() -> ResponseReturnValue:
    _check_csrf()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a CSV or JSON Lines file."), "error")
        return redirect(url_for(".bulk_checks"))
    try:
        bulk = bulk_ops.create_bulk_check(
            upload.filename,
            upload.read(bulk_ops.MAX_FILE_BYTES + 1),
            web_principal(),
            lang=_lang(),
            client_id=selected_client_id(),
        )
    except AppError as exc:
        db.session.rollback()
        flash(_problem(exc), "error")
        return redirect(url_for(".bulk_checks"))
    return redirect(url_for(".bulk_check", bulk_id=bulk.id))


# While a bulk check runs the page refreshes itself: static/bulk.js polls the JSON below, and without
# scripts a <noscript> meta refresh reloads the page (the Content-Security-Policy forbids inline scripts).
BULK_REFRESH_SECONDS = 3


@bp.get("/disclosure/bulk/<uuid:bulk_id>")
@staff_required()
def bulk_check(bulk_id: uuid.UUID) -> ResponseReturnValue:
    item = bulk_ops.get_bulk_check(bulk_id, web_principal())
    return render_template(
        "disclosure/bulk_detail.html", bulk=_bulk_view(bulk_ops.progress(item)), refresh=BULK_REFRESH_SECONDS
    )


@bp.get("/disclosure/bulk/<uuid:bulk_id>/progress")
@staff_required()
def bulk_progress(bulk_id: uuid.UUID) -> ResponseReturnValue:
    """The page's progress as JSON for bulk.js, with the sentence already in the reader's language."""
    item = bulk_ops.get_bulk_check(bulk_id, web_principal())
    view = _bulk_view(bulk_ops.progress(item))
    body = {name: view[name] for name in ("status", "percent", "processed_rows", "total_rows", "bad_rows", "summary")}
    body["verdicts"] = sorted(view["verdicts"].items())
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


def _bulk_view(progress: dict[str, Any]) -> dict[str, Any]:
    summary = _(
        "%(done)s of %(total)s rows processed; %(bad)s could not be checked.",
        done=progress["processed_rows"],
        total=progress["total_rows"],
        bad=progress["bad_rows"],
    )
    return {**progress, "summary": summary}


@bp.get("/disclosure/bulk/<uuid:bulk_id>/results")
@staff_required()
def bulk_results(bulk_id: uuid.UUID) -> ResponseReturnValue:
    item = bulk_ops.get_bulk_check(bulk_id, web_principal())
    fmt = "csv" if request.args.get("format") == "csv" else "jsonl"
    body = bulk_ops.results_csv(item) if fmt == "csv" else bulk_ops.results_jsonl(item)
    mimetype = "text/csv" if fmt == "csv" else "application/x-ndjson"
    name = f"fairpact-check-{item.id}.{fmt}"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --- creators: their posts across the brands they work with --------------------------------------------


def creator_only(view: Any) -> Any:
    """Creator pages about one post: a signed-in staff user gets 404 (it is not theirs), not a sign-in page."""
    import functools

    from service.accounts.models import User

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if isinstance(current_user._get_current_object(), User):
            abort(404)
        return creator_required(view)(*args, **kwargs)

    return wrapper


def _creator_principal(tenant_id: uuid.UUID) -> Principal:
    return Principal(kind=PrincipalKind.CREATOR, id=current_user.id, label=current_user.email, tenant_id=tenant_id)


def _my_posts() -> list[tuple[Any, DeliverablePost]]:
    from service.creators.operations import tenants_of_creator

    found = []
    for tenant, relation in tenants_of_creator(current_user.id):
        with tenant_scope(tenant.id):
            query = (
                select(DeliverablePost)
                .where(DeliverablePost.creator_relation_id == relation.id)
                .order_by(DeliverablePost.due_on, DeliverablePost.id)
            )
            for item in db.session.execute(query).scalars():
                found.append((tenant, item))
    return found


@contextlib.contextmanager
def _my_post(post_id: uuid.UUID) -> Iterator[tuple[Any, DeliverablePost]]:
    """The creator's own post, in its tenant's scope; any other id is a 404."""
    from service.creators.operations import tenants_of_creator

    for tenant, relation in tenants_of_creator(current_user.id):
        with tenant_scope(tenant.id):
            item = db.session.execute(
                select(DeliverablePost).where(
                    DeliverablePost.id == post_id, DeliverablePost.creator_relation_id == relation.id
                )
            ).scalar_one_or_none()
            if item is not None:
                yield tenant, item
                return
    abort(404)


@bp.get("/me/posts")
@creator_required
def my_posts() -> ResponseReturnValue:
    return render_template("disclosure/my_posts.html", posts=_my_posts())


@bp.get("/me/posts/<uuid:post_id>")
@creator_only
def my_post(post_id: uuid.UUID) -> ResponseReturnValue:
    with _my_post(post_id) as (tenant, item):
        latest = db.session.get(Check, (item.tenant_id, item.latest_check_id)) if item.latest_check_id else None
        return render_template(
            "disclosure/my_post.html",
            tenant=tenant,
            post=item,
            obligation=ops.obligation_of(item, _lang()),
            confirmation=ops.confirmation_of(item),
            latest=latest,
            pending=item.status == "submitted",
            lang=_lang(),
            max_screenshots=screenshots.MAX_SCREENSHOTS,
            max_screenshot_mb=screenshots.MAX_SCREENSHOT_BYTES // 2**20,
        )


@bp.post("/me/posts/<uuid:post_id>/confirm")
@creator_only
def confirm_label(post_id: uuid.UUID) -> ResponseReturnValue:
    _check_csrf()
    with _my_post(post_id) as (tenant, item):
        try:
            ops.confirm_label(
                item,
                request.form.get("label", ""),
                _lang(),
                creator_id=current_user.id,
                actor=_creator_principal(tenant.id),
            )
            db.session.commit()
            flash(_("Thank you: your label is confirmed."), "success")
        except AppError as exc:
            db.session.rollback()
            flash(_problem(exc), "error")
    return redirect(url_for(".my_post", post_id=post_id))


def _lines(raw: str) -> list[str]:
    return [line.strip() for line in raw.splitlines() if line.strip()]


def _overlays(raw: str) -> list[dict[str, Any]]:
    """On-screen texts, one per line as ``start-end text`` in seconds (``0-5 Werbung``)."""
    overlays = []
    for line in _lines(raw):
        timing, _sep, text = line.partition(" ")
        start, _dash, end = timing.partition("-")
        try:
            overlays.append({"text": text.strip(), "start_s": float(start), "end_s": float(end)})
        except ValueError as exc:
            raise AppError(_("Write each on-screen text as: start-end text (for example 0-5 Werbung).")) from exc
    return overlays


def _read_upload(upload: Any) -> screenshots.ScreenshotUpload:
    try:
        return screenshots.ScreenshotUpload(upload.filename, upload.read(screenshots.MAX_SCREENSHOT_BYTES + 1))
    finally:
        upload.close()  # a large upload is spooled to a temporary file: release it now


@bp.post("/me/posts/<uuid:post_id>/submit")
@larger_body(screenshots.submission_body_limit)
@creator_only
def submit_post(post_id: uuid.UUID) -> ResponseReturnValue:
    _check_csrf()
    with _my_post(post_id) as (tenant, item):
        try:
            uploads = [_read_upload(f) for f in request.files.getlist("screenshots") if f.filename]
            data = {
                "link": request.form.get("link", "").strip() or None,
                "caption": request.form.get("caption", ""),
                "story_frames": _lines(request.form.get("story_frames", "")),
                "on_screen_text": _overlays(request.form.get("on_screen_text", "")),
                "transcript": request.form.get("transcript", ""),
                "paid_partnership_tag": request.form.get("paid_partnership_tag") == "on",
            }
            ops.submit_post(item, data, actor=_creator_principal(tenant.id), config=current_app.config, uploads=uploads)
            db.session.commit()
            flash(_("Submitted. The check runs now; this page shows its result."), "success")
        except AppError as exc:
            db.session.rollback()
            flash(_problem(exc), "error")
    return redirect(url_for(".my_post", post_id=post_id))


@bp.app_template_filter("pretty_json")
def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
