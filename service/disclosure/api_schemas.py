"""Request and response shapes of the disclosure API (``schemas.py`` holds the rule pack file schema)."""

from __future__ import annotations

import marshmallow as ma

from service.api import InputSchema, OutputSchema, PageArgs, StrictBoolean
from service.disclosure.model import MEDIA_TYPES, PLATFORMS
from service.disclosure.operations import POST_RELATIONSHIPS
from service.disclosure.screenshots import MAX_PIXELS, MAX_SCREENSHOT_BYTES, MAX_SCREENSHOTS, MAX_SIDE_PIXELS
from service.disclosure.submissions import MAX_BATCH_ITEMS

_LANGS = ma.validate.OneOf(("en", "de"))


class CampaignIn(InputSchema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    client_id = ma.fields.UUID(load_default=None, allow_none=True)
    jurisdictions = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=8)), required=True)
    platforms = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(PLATFORMS)), load_default=list)
    starts_on = ma.fields.Date(load_default=None, allow_none=True)
    ends_on = ma.fields.Date(load_default=None, allow_none=True)


class CampaignPatch(InputSchema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    jurisdictions = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=8)))
    platforms = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(PLATFORMS)))
    starts_on = ma.fields.Date(allow_none=True)
    ends_on = ma.fields.Date(allow_none=True)


class CampaignOut(OutputSchema):
    id = ma.fields.UUID()
    client_id = ma.fields.UUID(allow_none=True)
    name = ma.fields.String()
    jurisdictions = ma.fields.List(ma.fields.String())
    platforms = ma.fields.List(ma.fields.String())
    starts_on = ma.fields.Date(allow_none=True)
    ends_on = ma.fields.Date(allow_none=True)
    created_at = ma.fields.DateTime()


class CampaignListArgs(PageArgs):
    client_id = ma.fields.UUID(load_default=None)


class PostIn(InputSchema):
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    creator_relation_id = ma.fields.UUID(required=True)
    contract_id = ma.fields.UUID(load_default=None, allow_none=True)
    relationship = ma.fields.String(load_default=None, validate=ma.validate.OneOf(POST_RELATIONSHIPS))
    platform = ma.fields.String(required=True, validate=ma.validate.OneOf(PLATFORMS))
    media_type = ma.fields.String(required=True, validate=ma.validate.OneOf(MEDIA_TYPES))
    due_on = ma.fields.Date(load_default=None, allow_none=True)


class PostPatch(InputSchema):
    title = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    contract_id = ma.fields.UUID(allow_none=True)
    relationship = ma.fields.String(validate=ma.validate.OneOf(POST_RELATIONSHIPS))
    platform = ma.fields.String(validate=ma.validate.OneOf(PLATFORMS))
    media_type = ma.fields.String(validate=ma.validate.OneOf(MEDIA_TYPES))
    due_on = ma.fields.Date(allow_none=True)


class PostListArgs(PageArgs):
    campaign_id = ma.fields.UUID(load_default=None)
    status = ma.fields.String(load_default=None)


class LangArgs(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    lang = ma.fields.String(load_default="en", validate=_LANGS)


class PostOut(OutputSchema):
    id = ma.fields.UUID()
    campaign_id = ma.fields.UUID()
    creator_relation_id = ma.fields.UUID()
    contract_id = ma.fields.UUID(allow_none=True)
    title = ma.fields.String()
    relationship = ma.fields.String()
    platform = ma.fields.String()
    media_type = ma.fields.String()
    due_on = ma.fields.Date(allow_none=True)
    status = ma.fields.String()
    latest_verdict = ma.fields.String(allow_none=True)
    latest_check_id = ma.fields.UUID(allow_none=True)
    created_at = ma.fields.DateTime()


class ObligationOut(OutputSchema):
    relationship = ma.fields.String()
    platform = ma.fields.String()
    media_type = ma.fields.String()
    language = ma.fields.String()
    required = StrictBoolean()
    jurisdictions = ma.fields.List(ma.fields.Dict())
    example = ma.fields.String()
    on_screen_text = ma.fields.String(allow_none=True)


class ConfirmationIn(InputSchema):
    label = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))
    lang = ma.fields.String(load_default="en", validate=_LANGS)


class ConfirmationOut(OutputSchema):
    id = ma.fields.UUID()
    post_id = ma.fields.UUID()
    label = ma.fields.String()
    language = ma.fields.String()
    obligation = ma.fields.Dict()
    confirmed_at = ma.fields.DateTime()


class OverlayIn(InputSchema):
    text = ma.fields.String(required=True, validate=ma.validate.Length(max=2000))
    start_s = ma.fields.Float(required=True, validate=ma.validate.Range(min=0))
    end_s = ma.fields.Float(required=True, validate=ma.validate.Range(min=0))


class ScreenshotIn(InputSchema):
    filename = ma.fields.String(load_default="screenshot", validate=ma.validate.Length(min=1, max=200))
    data = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=MAX_SCREENSHOT_BYTES * 4 // 3 + 64),
        metadata={
            "format": "byte",
            "description": f"The image, base64 (a data: URL prefix is accepted): PNG, JPEG or WebP, at most "
            f"{MAX_SCREENSHOT_BYTES // 2**20} MB, {MAX_SIDE_PIXELS} pixels a side and {MAX_PIXELS // 10**6} "
            "megapixels. It is re-encoded without metadata; the stored image's SHA-256 is in the answer.",
        },
    )


class SubmissionIn(InputSchema):
    link = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=2000))
    caption = ma.fields.String(load_default="", validate=ma.validate.Length(max=20_000))
    story_frames = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=2000)), load_default=list)
    on_screen_text = ma.fields.List(ma.fields.Nested(OverlayIn), load_default=list)
    transcript = ma.fields.String(load_default="", validate=ma.validate.Length(max=100_000))
    duration_s = ma.fields.Float(load_default=None, allow_none=True, validate=ma.validate.Range(min=0))
    first_comment = ma.fields.String(load_default="", validate=ma.validate.Length(max=5000))
    paid_partnership_tag = StrictBoolean(load_default=False)
    screenshots = ma.fields.List(
        ma.fields.Nested(ScreenshotIn),
        load_default=list,
        validate=ma.validate.Length(max=MAX_SCREENSHOTS),
        metadata={"description": f"Up to {MAX_SCREENSHOTS} screenshots of the published post."},
    )


class SubmissionItemIn(SubmissionIn):
    """One post of a batch. Screenshots go with the single submission: base64 images would make a batch
    of 1,000 items far larger than any sensible request."""

    class Meta:
        exclude = ("screenshots",)

    post_id = ma.fields.UUID(required=True)


class SubmissionBatchIn(ma.Schema):
    """Not an InputSchema: its items are, so a problem is reported under the item's index."""

    class Meta:
        unknown = ma.RAISE

    items = ma.fields.List(
        ma.fields.Nested(SubmissionItemIn), required=True, validate=ma.validate.Length(min=1, max=MAX_BATCH_ITEMS)
    )


class SubmittedItemOut(OutputSchema):
    index = ma.fields.Integer()
    post_id = ma.fields.UUID()
    submission_id = ma.fields.UUID()
    check_id = ma.fields.UUID()


class SubmissionBatchOut(OutputSchema):
    count = ma.fields.Integer()
    items = ma.fields.List(ma.fields.Nested(SubmittedItemOut))


class CheckOut(OutputSchema):
    id = ma.fields.UUID()
    post_id = ma.fields.UUID()
    submission_id = ma.fields.UUID(allow_none=True)
    trigger = ma.fields.String()
    status = ma.fields.String()
    due_at = ma.fields.DateTime()
    verdict = ma.fields.String(allow_none=True)
    rule_ids = ma.fields.List(ma.fields.String())
    findings = ma.fields.Dict()
    evidence = ma.fields.Dict(allow_none=True)
    evidence_sha256 = ma.fields.String(allow_none=True)
    evidence_source = ma.fields.String(allow_none=True)
    evidence_url = ma.fields.String(allow_none=True)
    evidence_taken_at = ma.fields.DateTime(allow_none=True)
    engine_version = ma.fields.String(allow_none=True)
    pack_versions = ma.fields.Dict()
    error = ma.fields.String(allow_none=True)
    completed_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


class ScreenshotOut(OutputSchema):
    id = ma.fields.UUID()
    submission_id = ma.fields.UUID()
    filename = ma.fields.String()
    content_type = ma.fields.String()
    size = ma.fields.Integer()
    width = ma.fields.Integer()
    height = ma.fields.Integer()
    sha256 = ma.fields.String()
    created_at = ma.fields.DateTime()


class SubmissionOut(OutputSchema):
    submission_id = ma.fields.UUID()
    screenshots = ma.fields.List(ma.fields.Nested(ScreenshotOut))
    check = ma.fields.Nested(CheckOut)
