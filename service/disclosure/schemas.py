"""The shape of a rule-pack file, checked with marshmallow before anything is compiled.

Unknown keys are rejected (marshmallow's default), so a misspelt setting fails loudly instead of being
ignored. Cross-references (a rule id used but never defined, a signal that does not exist) are checked
afterwards by the loader, which sees all packs at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from service.disclosure.model import MEDIA_FLAGS, PLATFORMS, RELATIONSHIPS

SEVERITIES = ("violation", "review")
SIMPLE_OUTCOMES = ("accept", "ignore", "language_check")
VIDEO_EVIDENCE = ("coverage", "in_video", "in_video_or_title", "repeat")
PLACEMENT_CONTEXTS = ("caption", "story", "short_video", "long_video", "live")
RULE_ID = validate.Regexp(r"^[A-Z]{2,}(?:-[A-Z0-9]+)+$", error="not a rule id (like DE-LABEL-MISSING)")
NON_EMPTY = validate.Length(min=1)


def _rule_ref(value: Any) -> dict[str, Any]:
    """Accept ``"ID"`` or ``{rule: ID, severity: review|violation}``; return the mapping form."""
    if isinstance(value, str):
        value = {"rule": value}
    if not isinstance(value, dict) or set(value) - {"rule", "severity"} or "rule" not in value:
        raise ma.ValidationError('expected a rule id or {rule: ID, severity: "review"|"violation"}')
    RULE_ID(value["rule"])
    if value.get("severity") is not None and value["severity"] not in SEVERITIES:
        raise ma.ValidationError(f"severity must be one of {', '.join(SEVERITIES)}")
    return value


class RuleRefField(fields.Field):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict[str, Any]:
        return _rule_ref(value)


def _simple_outcome(value: Any) -> Any:
    if isinstance(value, str) and value in SIMPLE_OUTCOMES:
        return value
    return _rule_ref(value)


class OutcomeField(fields.Field):
    """``accept`` | ``ignore`` | ``language_check`` | a rule ref | ``{relationship: outcome, default: outcome}``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, dict) and "rule" not in value:
            unknown = set(value) - {*RELATIONSHIPS, "default"}
            if unknown:
                raise ma.ValidationError(f"unknown relationship(s): {', '.join(sorted(unknown))}")
            return {"by_relationship": {key: _simple_outcome(item) for key, item in value.items()}}
        return _simple_outcome(value)


class LocalizedSchema(ma.Schema):
    en = fields.String(required=True, validate=NON_EMPTY)
    de = fields.String(required=True, validate=NON_EMPTY)


class RuleVersionSchema(ma.Schema):
    effective_from = fields.Date(required=True)
    effective_until = fields.Date(load_default=None)
    citation = fields.String(required=True, validate=NON_EMPTY)
    params = fields.Dict(keys=fields.String(), load_default=dict)


class RuleSchema(ma.Schema):
    severity = fields.String(required=True, validate=validate.OneOf(SEVERITIES))
    message = fields.Nested(LocalizedSchema, required=True)
    fix = fields.Nested(LocalizedSchema, required=True)
    versions = fields.List(fields.Nested(RuleVersionSchema), required=True, validate=NON_EMPTY)


class TermGroupSchema(ma.Schema):
    name = fields.String(required=True, validate=NON_EMPTY)
    langs = fields.List(fields.String(validate=validate.Length(equal=2)), load_default=list)
    outcome = OutcomeField(required=True)
    phrases = fields.List(fields.String(validate=NON_EMPTY), validate=NON_EMPTY)
    signal = fields.String()
    effective_from = fields.Date(load_default=None)
    effective_until = fields.Date(load_default=None)

    @ma.validates_schema
    def _phrases_or_signal(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("phrases" in data) == ("signal" in data):
            raise ma.ValidationError("give either phrases or signal, not both or neither")


class DutySchema(ma.Schema):
    paid = fields.String(required=True, validate=validate.OneOf(("required", "none")))
    press_trip = fields.String(required=True, validate=validate.OneOf(("required", "none")))
    gifted = fields.String(required=True, validate=validate.OneOf(("required", "none")))
    affiliate = fields.String(required=True, validate=validate.OneOf(("required", "none")))
    employee = fields.String(required=True, validate=validate.OneOf(("required", "none")))
    own_brand = fields.String(required=True, validate=validate.OneOf(("required", "none")))
    none = fields.String(required=True, validate=validate.OneOf(("required", "none")))


class PlatformTagField(fields.Field):
    """``accept``, or the review rules reported when only the platform's toggle discloses the post."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if value == "accept":
            return value
        if isinstance(value, list) and value:
            return [_rule_ref(item) for item in value]
        raise ma.ValidationError('expected "accept" or a list of rule ids')


class VideoRequirementSchema(ma.Schema):
    rule = RuleRefField(required=True)
    evidence = fields.String(required=True, validate=validate.OneOf(VIDEO_EVIDENCE))


class ProductPlacementSchema(ma.Schema):
    rule = RuleRefField(required=True)
    mention_signal = fields.String(required=True)
    label_signal = fields.String(required=True)
    symbol = fields.String(required=True, validate=NON_EMPTY)


class VideoSchema(ma.Schema):
    long_form = fields.Nested(VideoRequirementSchema)
    live = fields.Nested(VideoRequirementSchema)
    product_placement = fields.Nested(ProductPlacementSchema)
    verbal = RuleRefField()
    on_screen_duration = RuleRefField()


class AffiliateMarkingSchema(ma.Schema):
    rule = RuleRefField(required=True)
    explanation_signal = fields.String(required=True)
    label_distance = fields.Integer(required=True, validate=validate.Range(min=1))


class UnsettledSchema(ma.Schema):
    relationships = fields.List(fields.String(validate=validate.OneOf(RELATIONSHIPS)), required=True)
    rule = RuleRefField(required=True)
    when_signal = fields.String(load_default=None)
    only_without_label = fields.Boolean(load_default=False)


class NoDutyReviewSchema(ma.Schema):
    relationships = fields.List(fields.String(validate=validate.OneOf(RELATIONSHIPS)), required=True)
    rule = RuleRefField(required=True)
    signals = fields.List(fields.String(), required=True, validate=NON_EMPTY)


class MediaFlagSchema(ma.Schema):
    rule = RuleRefField(required=True)
    mention_signal = fields.String(required=True)


class DistortedSchema(ma.Schema):
    rule = RuleRefField(required=True)
    words = fields.List(fields.String(validate=validate.Length(min=4)), required=True, validate=NON_EMPTY)
    except_words = fields.List(fields.String(), load_default=list)


class PlacementTextSchema(ma.Schema):
    caption = fields.Nested(LocalizedSchema, required=True)
    story = fields.Nested(LocalizedSchema, required=True)
    short_video = fields.Nested(LocalizedSchema, required=True)
    long_video = fields.Nested(LocalizedSchema, required=True)
    live = fields.Nested(LocalizedSchema, required=True)


_RELATIONSHIP_OR_DEFAULT = validate.OneOf((*RELATIONSHIPS, "default"))


class ObligationSchema(ma.Schema):
    words = fields.Dict(
        keys=fields.String(validate=_RELATIONSHIP_OR_DEFAULT), values=fields.List(fields.String()), required=True
    )
    words_by_country = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), load_default=dict)
    avoid = fields.List(fields.String(), load_default=list)
    example_label = fields.Dict(keys=fields.String(validate=_RELATIONSHIP_OR_DEFAULT), values=fields.String())
    example_label_by_country = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict)
    example_extra = fields.Dict(
        keys=fields.String(validate=_RELATIONSHIP_OR_DEFAULT), values=fields.Nested(LocalizedSchema), load_default=dict
    )
    notes = fields.Dict(
        keys=fields.String(validate=_RELATIONSHIP_OR_DEFAULT), values=fields.Nested(LocalizedSchema), load_default=dict
    )
    placement = fields.Nested(PlacementTextSchema, required=True)

    @ma.validates_schema
    def _defaults_present(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "default" not in data.get("words", {}):
            raise ma.ValidationError({"words": ["needs a default entry"]})
        if "default" not in data.get("example_label", {}):
            raise ma.ValidationError({"example_label": ["needs a default entry"]})


class JurisdictionPackSchema(ma.Schema):
    pack = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
    kind = fields.String(required=True, validate=validate.Equal("jurisdiction"))
    version = fields.String(required=True, validate=NON_EMPTY)
    name = fields.Nested(LocalizedSchema, required=True)
    countries = fields.List(fields.String(validate=validate.Regexp(r"^[A-Z]{2}$")), required=True, validate=NON_EMPTY)
    languages = fields.Dict(
        keys=fields.String(), values=fields.List(fields.String(), validate=NON_EMPTY), required=True
    )
    duty = fields.Nested(DutySchema, required=True)
    platform_tag = PlatformTagField(required=True)
    spoken_counts = fields.Boolean(required=True)
    allow_post_language = fields.Boolean(required=True)
    missing = fields.Dict(
        keys=fields.String(validate=_RELATIONSHIP_OR_DEFAULT),
        values=fields.List(RuleRefField(), validate=NON_EMPTY),
        required=True,
    )
    placement_rule = RuleRefField(required=True)
    story_rule = RuleRefField(required=True)
    hashtag_limit = fields.Integer(load_default=None, validate=validate.Range(min=1))
    distorted = fields.Nested(DistortedSchema, load_default=None)
    video = fields.Nested(VideoSchema, load_default=dict)
    affiliate_marking = fields.Nested(AffiliateMarkingSchema, load_default=None)
    unsettled = fields.List(fields.Nested(UnsettledSchema), load_default=list)
    no_duty_review = fields.List(fields.Nested(NoDutyReviewSchema), load_default=list)
    media_flags = fields.Dict(
        keys=fields.String(validate=validate.OneOf(MEDIA_FLAGS)),
        values=fields.Nested(MediaFlagSchema),
        load_default=dict,
    )
    terms = fields.List(fields.Nested(TermGroupSchema), required=True, validate=NON_EMPTY)
    rules = fields.Dict(keys=fields.String(validate=RULE_ID), values=fields.Nested(RuleSchema), required=True)
    obligation = fields.Nested(ObligationSchema, required=True)

    @ma.validates_schema
    def _default_missing_rule(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "default" not in data.get("missing", {}):
            raise ma.ValidationError({"missing": ["needs a default entry"]})


class MisrepresentationClaimSchema(ma.Schema):
    paid = fields.String(validate=validate.OneOf(SEVERITIES))
    press_trip = fields.String(validate=validate.OneOf(SEVERITIES))
    gifted = fields.String(validate=validate.OneOf(SEVERITIES))
    affiliate = fields.String(validate=validate.OneOf(SEVERITIES))
    employee = fields.String(validate=validate.OneOf(SEVERITIES))
    own_brand = fields.String(validate=validate.OneOf(SEVERITIES))
    only_without_label = fields.Boolean(load_default=False)
    except_jurisdictions = fields.List(fields.String(), load_default=list)


class MisrepresentationSchema(ma.Schema):
    rule = fields.String(required=True, validate=RULE_ID)
    claims = fields.Dict(keys=fields.String(), values=fields.Nested(MisrepresentationClaimSchema), required=True)


class ShortFormSchema(ma.Schema):
    media_types = fields.List(fields.String(), required=True)
    platforms = fields.List(fields.String(validate=validate.OneOf(PLATFORMS)), required=True)
    max_seconds = fields.Float(required=True, validate=validate.Range(min=0))
    max_seconds_platforms = fields.List(fields.String(validate=validate.OneOf(PLATFORMS)), required=True)


class LanguageDetectionSchema(ma.Schema):
    min_hits = fields.Integer(required=True, validate=validate.Range(min=1))
    ratio = fields.Float(required=True, validate=validate.Range(min=1))
    max_chars = fields.Integer(required=True, validate=validate.Range(min=50))


class SettingsSchema(ma.Schema):
    relationship_precedence = fields.List(fields.String(validate=validate.OneOf(RELATIONSHIPS)), required=True)
    truncation = fields.Dict(
        keys=fields.String(validate=validate.OneOf(PLATFORMS)),
        values=fields.Integer(validate=validate.Range(min=20)),
        required=True,
    )
    title_platforms = fields.List(fields.String(validate=validate.OneOf(PLATFORMS)), required=True)
    hashtag_block_min_tags = fields.Integer(required=True, validate=validate.Range(min=2))
    hashtag_block_tail_words = fields.Integer(required=True, validate=validate.Range(min=0))
    short_form = fields.Nested(ShortFormSchema, required=True)
    whole_video_fraction = fields.Float(required=True, validate=validate.Range(min=0.5, max=1))
    brief_flash_seconds = fields.Float(required=True, validate=validate.Range(min=0))
    live_repeat_min_gap_seconds = fields.Float(required=True, validate=validate.Range(min=0))
    live_repeat_min_gap_fraction = fields.Float(required=True, validate=validate.Range(min=0, max=1))
    language_detection = fields.Nested(LanguageDetectionSchema, required=True)
    stopwords = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True)
    example_text = fields.Nested(LocalizedSchema, required=True)


class CommonPackSchema(ma.Schema):
    pack = fields.String(required=True, validate=validate.Equal("COMMON"))
    kind = fields.String(required=True, validate=validate.Equal("common"))
    version = fields.String(required=True, validate=NON_EMPTY)
    name = fields.Nested(LocalizedSchema, required=True)
    rules = fields.Dict(keys=fields.String(validate=RULE_ID), values=fields.Nested(RuleSchema), required=True)
    signals = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[a-z_]+$")),
        values=fields.List(fields.String(validate=NON_EMPTY), validate=NON_EMPTY),
        required=True,
    )
    misrepresentation = fields.Nested(MisrepresentationSchema, required=True)
    language_review_rule = fields.String(required=True, validate=RULE_ID)
    obligation_texts = fields.Dict(keys=fields.String(), values=fields.Nested(LocalizedSchema), required=True)
    settings = fields.Nested(SettingsSchema, required=True)


# --- checking a file against its schema ----------------------------------------------------------


class RulePackError(Exception):
    """A rule pack that cannot be used; the message lists every problem found."""

    def __init__(self, source: str, problems: Iterable[str]):
        self.source = source
        self.problems = list(problems)
        super().__init__(f"Rule pack {source} is invalid:\n" + "\n".join(f"  - {p}" for p in self.problems))


def validated(schema: ma.Schema, data: dict[str, Any], source: str) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = schema.load(data)
    except ma.ValidationError as exc:
        raise RulePackError(source, _flatten(exc.messages)) from exc
    return loaded


def _flatten(messages: Any, path: str = "") -> list[str]:
    """marshmallow's nested error dict as "rules.X.fix: message" lines."""
    if isinstance(messages, dict):
        lines = []
        for key, value in messages.items():
            # A mapping's entry errors sit under "value"; the path reads better without it.
            child = path if key == "value" else (f"{path}.{key}" if path else str(key))
            lines += _flatten(value, child)
        return lines
    if isinstance(messages, list) and all(isinstance(item, str) for item in messages):
        return [f"{path}: {item}" for item in messages]
    if isinstance(messages, list):
        return [line for index, item in enumerate(messages) for line in _flatten(item, f"{path}[{index}]")]
    return [f"{path}: {messages}"]
