"""REST operations of disclosure compliance: campaigns, posts, obligations, confirmations, submissions,
checks, bulk checks and the dashboard."""

from __future__ import annotations

import functools
import uuid
from typing import Any

import marshmallow as ma
from flask import Response, current_app
from flask_smorest.fields import Upload

from service.api import (
    ApiView,
    OutputSchema,
    PageArgs,
    api_blueprint,
    idempotent,
    page_of,
    paginate,
    principal,
    require_role,
)
from service.disclosure import bulk as bulk_ops
from service.disclosure import dashboard, screenshots, submissions
from service.disclosure import operations as ops
from service.disclosure.api_schemas import (
    CampaignIn,
    CampaignListArgs,
    CampaignOut,
    CampaignPatch,
    CheckOut,
    ConfirmationIn,
    ConfirmationOut,
    LangArgs,
    ObligationOut,
    PostIn,
    PostListArgs,
    PostOut,
    PostPatch,
    SubmissionBatchIn,
    SubmissionBatchOut,
    SubmissionIn,
    SubmissionOut,
)
from service.errors import NotFound, Unprocessable
from tenants.roles import Role

blp = api_blueprint(
    "disclosure", "/disclosure", "Campaigns, deliverable posts, labelling obligations and disclosure checks."
)


@blp.route("/campaigns")
class Campaigns(ApiView):
    @require_role(Role.VIEWER)
    @blp.arguments(CampaignListArgs, location="query")
    @blp.response(200, page_of(CampaignOut))
    def get(self, args: dict) -> Any:
        """List campaigns"""
        return paginate(ops.campaigns_query(principal(), args.get("client_id")), args["page"], args["per_page"])

    @require_role(Role.MANAGER)
    @idempotent
    @blp.arguments(CampaignIn)
    @blp.response(201, CampaignOut)
    def post(self, data: dict) -> Any:
        """Create a campaign with its audience jurisdictions and platforms"""
        return ops.create_campaign(data, principal())


@blp.route("/campaigns/<uuid:campaign_id>")
class CampaignById(ApiView):
    @require_role(Role.VIEWER)
    @blp.response(200, CampaignOut)
    def get(self, campaign_id: uuid.UUID) -> Any:
        """Get a campaign"""
        return ops.get_campaign(campaign_id, principal())

    @require_role(Role.MANAGER)
    @blp.arguments(CampaignPatch)
    @blp.response(200, CampaignOut)
    def patch(self, data: dict, campaign_id: uuid.UUID) -> Any:
        """Change a campaign"""
        return ops.update_campaign(ops.get_campaign(campaign_id, principal()), data, principal())

    @require_role(Role.MANAGER)
    @blp.response(204)
    def delete(self, campaign_id: uuid.UUID) -> None:
        """Delete a campaign with its posts and checks"""
        ops.delete_campaign(ops.get_campaign(campaign_id, principal()), principal())


@blp.route("/campaigns/<uuid:campaign_id>/posts")
class CampaignPosts(ApiView):
    @require_role(Role.MANAGER)
    @idempotent
    @blp.arguments(PostIn)
    @blp.response(201, PostOut)
    def post(self, data: dict, campaign_id: uuid.UUID) -> Any:
        """Add a deliverable post (the relationship follows from the linked contract unless given)"""
        return ops.create_post(ops.get_campaign(campaign_id, principal()), data, principal())


@blp.route("/posts")
class Posts(ApiView):
    @require_role(Role.VIEWER)
    @blp.arguments(PostListArgs, location="query")
    @blp.response(200, page_of(PostOut))
    def get(self, args: dict) -> Any:
        """List deliverable posts"""
        query = ops.posts_query(principal(), args.get("campaign_id"), args.get("status"), with_people=False)
        return paginate(query, args["page"], args["per_page"])


@blp.route("/posts/<uuid:post_id>")
class PostById(ApiView):
    @require_role(Role.VIEWER)
    @blp.response(200, PostOut)
    def get(self, post_id: uuid.UUID) -> Any:
        """Get a deliverable post"""
        return ops.get_post(post_id, principal(), with_people=False)

    @require_role(Role.MANAGER)
    @blp.arguments(PostPatch)
    @blp.response(200, PostOut)
    def patch(self, data: dict, post_id: uuid.UUID) -> Any:
        """Change a deliverable post"""
        return ops.update_post(ops.get_post(post_id, principal()), data, principal())

    @require_role(Role.MANAGER)
    @blp.response(204)
    def delete(self, post_id: uuid.UUID) -> None:
        """Delete a deliverable post"""
        ops.delete_post(ops.get_post(post_id, principal()), principal())


@blp.route("/posts/<uuid:post_id>/obligation")
class PostObligation(ApiView):
    @require_role(Role.VIEWER)
    @blp.arguments(LangArgs, location="query")
    @blp.response(200, ObligationOut)
    def get(self, args: dict, post_id: uuid.UUID) -> Any:
        """The labelling obligation: accepted words, placement, a ready-to-copy example (en or de)"""
        return ops.obligation_of(ops.get_post(post_id, principal()), args["lang"]).as_dict()


@blp.route("/posts/<uuid:post_id>/confirmation")
class PostConfirmation(ApiView):
    @require_role(Role.MANAGER)
    @blp.arguments(ConfirmationIn)
    @blp.response(200, ConfirmationOut)
    def put(self, data: dict, post_id: uuid.UUID) -> Any:
        """Record how the creator will label the post (on the creator's behalf)"""
        post = ops.get_post(post_id, principal())
        return ops.confirm_label(post, data["label"], data["lang"], creator_id=None, actor=principal())


def _larger_body_for_screenshots(view: Any) -> Any:
    """Outermost, so the limit is raised before anything reads the body (the idempotency key hashes it)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        screenshots.allow_screenshot_body()
        return view(*args, **kwargs)

    return wrapper


@blp.route("/posts/<uuid:post_id>/submissions")
class PostSubmissions(ApiView):
    @_larger_body_for_screenshots
    @require_role(Role.MANAGER)
    @idempotent
    @blp.arguments(SubmissionIn)
    @blp.response(202, SubmissionOut)
    def post(self, data: dict, post_id: uuid.UUID) -> Any:
        """Submit the published post, with screenshots as base64; its check is queued (poll the check, or
        subscribe to check.* events)"""
        post = ops.get_post(post_id, principal())
        uploads = [
            screenshots.ScreenshotUpload(item["filename"], screenshots.decode_base64(index, item["data"]))
            for index, item in enumerate(data.pop("screenshots"))
        ]
        submission, check = ops.submit_post(post, data, actor=principal(), config=current_app.config, uploads=uploads)
        shots = screenshots.screenshots_of([submission.id])[submission.id]
        return {"submission_id": submission.id, "check": check, "screenshots": shots}


@blp.route("/screenshots/<uuid:screenshot_id>")
class ScreenshotById(ApiView):
    @require_role(Role.VIEWER)
    @blp.response(200, description="The stored image (PNG, JPEG or WebP), as it was checked and hashed")
    def get(self, screenshot_id: uuid.UUID) -> Any:
        """A submission's screenshot (its SHA-256 is in the submission's answer and the check's evidence)"""
        shot = screenshots.get_screenshot(screenshot_id, principal())
        return screenshots.image_response(shot, screenshots.screenshot_bytes(shot))


@blp.route("/submissions")
class Submissions(ApiView):
    @require_role(Role.MANAGER)
    @idempotent
    @blp.arguments(SubmissionBatchIn)
    @blp.response(202, SubmissionBatchOut)
    def post(self, data: dict) -> Any:
        """Submit up to 1,000 published posts at once: all are stored and queued for checking, or none

        Each item is a submission body with its `post_id`. If any item is wrong the batch is refused with 422
        and nothing is stored; `errors.json.items.<index>` says what is wrong with each item (a post id not in
        your account is "not found" for its item). A batch needs room for all its checks in the plan.
        """
        items = submissions.submit_posts(data["items"], actor=principal(), config=current_app.config)
        return {"count": len(items), "items": items}


@blp.route("/posts/<uuid:post_id>/checks")
class PostChecks(ApiView):
    @require_role(Role.VIEWER)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(CheckOut))
    def get(self, args: dict, post_id: uuid.UUID) -> Any:
        """The post's checks, newest first (scheduled re-checks are not listed)"""
        return paginate(ops.checks_query(ops.get_post(post_id, principal())), args["page"], args["per_page"])

    @require_role(Role.MANAGER)
    @idempotent
    @blp.response(202, CheckOut)
    def post(self, post_id: uuid.UUID) -> Any:
        """Check the post again now (by its link when it has one)"""
        return ops.request_check(ops.get_post(post_id, principal()), principal())


@blp.route("/checks/<uuid:check_id>")
class CheckById(ApiView):
    @require_role(Role.VIEWER)
    @blp.response(200, CheckOut)
    def get(self, check_id: uuid.UUID) -> Any:
        """A check with its evidence snapshot (and hash), result and rule pack versions"""
        return ops.get_check(check_id, principal())


# --- bulk checks -------------------------------------------------------------------------------------


class BulkUploadIn(ma.Schema):
    file = Upload(required=True)


class BulkFormArgs(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    lang = ma.fields.String(load_default="en", validate=ma.validate.OneOf(("en", "de")))
    client_id = ma.fields.UUID(load_default=None)


class BulkOut(OutputSchema):
    id = ma.fields.UUID()
    filename = ma.fields.String()
    file_format = ma.fields.String()
    status = ma.fields.String()
    total_rows = ma.fields.Integer()
    processed_rows = ma.fields.Integer()
    checked_rows = ma.fields.Integer()
    bad_rows = ma.fields.Integer()
    percent = ma.fields.Integer()
    verdicts = ma.fields.Dict()
    created_at = ma.fields.DateTime()
    completed_at = ma.fields.DateTime(allow_none=True)


class ResultArgs(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    format = ma.fields.String(load_default="jsonl", validate=ma.validate.OneOf(("jsonl", "csv")))


@blp.route("/bulk-checks")
class BulkChecks(ApiView):
    @require_role(Role.VIEWER)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(BulkOut))
    def get(self, args: dict) -> Any:
        """List bulk checks with their progress"""
        page = paginate(bulk_ops.bulk_checks_query(principal()), args["page"], args["per_page"])
        page["items"] = [bulk_ops.progress(item) for item in page["items"]]
        return page

    @require_role(Role.MANAGER)
    @idempotent
    @blp.arguments(BulkFormArgs, location="query")
    @blp.arguments(BulkUploadIn, location="files")
    @blp.response(202, BulkOut)
    def post(self, args: dict, files: dict) -> Any:
        """Upload a CSV or JSON Lines file of posts (§12 fields) to check in batches"""
        upload = files["file"]
        data = upload.read(bulk_ops.MAX_FILE_BYTES + 1)
        bulk = bulk_ops.create_bulk_check(
            upload.filename or "upload", data, principal(), lang=args["lang"], client_id=args.get("client_id")
        )
        return bulk_ops.progress(bulk)


@blp.route("/bulk-checks/<uuid:bulk_id>")
class BulkCheckById(ApiView):
    @require_role(Role.VIEWER)
    @blp.response(200, BulkOut)
    def get(self, bulk_id: uuid.UUID) -> Any:
        """A bulk check's progress"""
        return bulk_ops.progress(bulk_ops.get_bulk_check(bulk_id, principal()))


@blp.route("/bulk-checks/<uuid:bulk_id>/results")
class BulkResults(ApiView):
    @require_role(Role.VIEWER)
    @blp.arguments(ResultArgs, location="query")
    @blp.response(200, description="JSON Lines or CSV, one row per input line")
    def get(self, args: dict, bulk_id: uuid.UUID) -> Any:
        """Download the results (available for finished batches while the rest still run)"""
        bulk = bulk_ops.get_bulk_check(bulk_id, principal())
        if args["format"] == "csv":
            body, mimetype = bulk_ops.results_csv(bulk), "text/csv"
        else:
            body, mimetype = bulk_ops.results_jsonl(bulk), "application/x-ndjson"
        name = f"fairpact-check-{bulk.id}.{args['format']}"
        return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --- dashboard ---------------------------------------------------------------------------------------


class DashboardArgs(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    client_id = ma.fields.UUID(load_default=None)
    weeks = ma.fields.Integer(load_default=12, validate=ma.validate.Range(min=1, max=104))


class DashboardOut(OutputSchema):
    compliance_rate = ma.fields.Float(allow_none=True)
    posts_checked = ma.fields.Integer()
    open_violations = ma.fields.List(ma.fields.Dict())
    weekly = ma.fields.List(ma.fields.Dict())
    per_creator = ma.fields.List(ma.fields.Dict())


@blp.route("/dashboard")
class Dashboard(ApiView):
    @require_role(Role.VIEWER)
    @blp.arguments(DashboardArgs, location="query")
    @blp.response(200, DashboardOut)
    def get(self, args: dict) -> Any:
        """Compliance per week, open violations and per creator (for the brand, or one agency client)"""
        if args.get("client_id"):
            _known_client(args["client_id"])
        return dashboard.summary(principal(), args.get("client_id"), args["weeks"]).as_dict()


def _known_client(client_id: uuid.UUID) -> None:
    """A client of this account the caller may see; any other id is a field error (not an empty dashboard)."""
    from tenants.operations import get_client

    try:
        get_client(client_id, principal())
    except NotFound as exc:
        raise Unprocessable(
            "Unknown client.", errors={"client_id": ["No client with this id in your account."]}
        ) from exc
