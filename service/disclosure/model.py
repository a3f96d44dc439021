"""The compiled form of the rule packs, and the shapes the engine returns.

Everything here is plain data: the loader (``rulebook.py``) builds it from the YAML packs, the engine reads it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum, StrEnum
from typing import Any

from service.disclosure.lexicon import Lexicon

# The order is the precedence of §11 when a post has several relationships.
RELATIONSHIPS = ("paid", "press_trip", "gifted", "affiliate", "employee", "own_brand", "none")
PLATFORMS = ("instagram", "tiktok", "youtube", "linkedin", "twitch", "x", "facebook")
MEDIA_TYPES = ("image", "video", "reel", "story", "live", "text")
MEDIA_FLAGS = ("retouched_body_or_face", "ai_generated_person")
ACCOUNT_TYPES = ("creator", "brand_official")
LANGUAGES = ("en", "de")


class Severity(StrEnum):
    VIOLATION = "violation"
    REVIEW = "review"


class Verdict(StrEnum):
    COMPLIANT = "compliant"
    VIOLATION = "violation"
    NEEDS_REVIEW = "needs_review"


@dataclass(frozen=True, slots=True)
class DateRange:
    start: date | None = None
    end: date | None = None

    def contains(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def overlaps(self, other: DateRange) -> bool:
        starts_before_other_ends = self.start is None or other.end is None or self.start <= other.end
        ends_after_other_starts = self.end is None or other.start is None or other.start <= self.end
        return starts_before_other_ends and ends_after_other_starts


@dataclass(frozen=True, slots=True)
class RuleRef:
    """A rule to report; ``severity`` overrides the rule's own where a pack says so (e.g. review instead)."""

    rule_id: str
    severity: Severity | None = None


class OutcomeKind(Enum):
    ACCEPT = "accept"
    IGNORE = "ignore"
    RULE = "rule"
    LANGUAGE_CHECK = "language_check"  # accepted when in the post's (or audience's) language, else review


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: OutcomeKind
    rule: RuleRef | None = None


ACCEPT = Outcome(OutcomeKind.ACCEPT)
IGNORE = Outcome(OutcomeKind.IGNORE)
LANGUAGE_CHECK = Outcome(OutcomeKind.LANGUAGE_CHECK)


@dataclass(frozen=True, slots=True)
class Term:
    """What a matched phrase means in one pack: per relationship, and which signals it carries."""

    name: str
    langs: frozenset[str]
    outcomes: Mapping[str, Outcome]
    signals: frozenset[str]
    valid: DateRange


TermChoice = tuple[Term, ...]  # date-disjoint meanings of the same phrase


@dataclass(frozen=True, slots=True)
class RuleVersion:
    valid: DateRange
    citation: str
    params: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Rule:
    rule_id: str
    severity: Severity
    message: Mapping[str, str]
    fix: Mapping[str, str]
    versions: tuple[RuleVersion, ...]
    pack: str

    def version_on(self, day: date) -> RuleVersion | None:
        for version in self.versions:
            if version.valid.contains(day):
                return version
        return None


@dataclass(frozen=True, slots=True)
class VideoRequirement:
    rule: RuleRef
    evidence: str  # coverage | in_video | in_video_or_title | repeat


@dataclass(frozen=True, slots=True)
class ProductPlacementPolicy:
    rule: RuleRef
    mention_signal: str
    label_signal: str
    symbol: str


@dataclass(frozen=True, slots=True)
class VideoPolicy:
    long_form: VideoRequirement | None = None
    live: VideoRequirement | None = None
    product_placement: ProductPlacementPolicy | None = None
    verbal: RuleRef | None = None
    on_screen_duration: RuleRef | None = None


@dataclass(frozen=True, slots=True)
class AffiliateMarking:
    rule: RuleRef
    explanation_signal: str
    label_distance: int


@dataclass(frozen=True, slots=True)
class Unsettled:
    relationships: frozenset[str]
    rule: RuleRef
    when_signal: str | None
    only_without_label: bool


@dataclass(frozen=True, slots=True)
class NoDutyReview:
    relationships: frozenset[str]
    rule: RuleRef
    signals: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MediaFlagRule:
    rule: RuleRef
    mention_signal: str


@dataclass(frozen=True, slots=True)
class Distorted:
    rule: RuleRef
    words: tuple[str, ...]
    typos: frozenset[str]  # every string one edit away from a word, real words left out
    patterns: tuple[re.Pattern[str], ...]  # the words with separators between letters ("w e r b u n g")


@dataclass(frozen=True, slots=True)
class MisrepresentationClaim:
    severity_by_relationship: Mapping[str, Severity]
    only_without_label: bool
    except_jurisdictions: frozenset[str]


@dataclass(frozen=True)
class Settings:
    relationship_precedence: tuple[str, ...]
    truncation: Mapping[str, int]
    title_platforms: frozenset[str]
    hashtag_block_min_tags: int
    hashtag_block_tail_words: int
    short_form_media_types: frozenset[str]
    short_form_platforms: frozenset[str]
    short_form_max_seconds: float
    short_form_max_seconds_platforms: frozenset[str]
    whole_video_fraction: float
    brief_flash_seconds: float
    live_repeat_min_gap_seconds: float
    live_repeat_min_gap_fraction: float
    language_min_hits: int
    language_ratio: float
    language_max_chars: int
    stopwords: Mapping[str, str]  # common word -> its language (words shared by languages are left out)
    stopword_pattern: re.Pattern[str]
    example_text: Mapping[str, str]


@dataclass(frozen=True)
class CommonPack:
    version: str
    rules: Mapping[str, Rule]
    signals: Mapping[str, tuple[str, ...]]
    misrepresentation_rule: str
    language_review_rule: str
    misrepresentation: Mapping[str, MisrepresentationClaim]
    settings: Settings
    obligation_texts: Mapping[str, Mapping[str, str]]

    claims_by_relationship: Mapping[str, tuple[tuple[str, MisrepresentationClaim, Severity], ...]] = field(
        default_factory=dict
    )

    def __post_init__(self) -> None:
        # Which misdescriptions matter for which relationship, worked out once instead of per post.
        index = {
            relationship: tuple(
                (name, claim, claim.severity_by_relationship[relationship])
                for name, claim in self.misrepresentation.items()
                if relationship in claim.severity_by_relationship
            )
            for relationship in RELATIONSHIPS
        }
        object.__setattr__(self, "claims_by_relationship", index)

    def claims_for(self, relationship: str) -> tuple[tuple[str, MisrepresentationClaim, Severity], ...]:
        """The misdescriptions that matter for ``relationship`` (most relationships have none)."""
        return self.claims_by_relationship[relationship]


@dataclass(frozen=True)
class JurisdictionPack:
    code: str
    version: str
    name: Mapping[str, str]
    countries: tuple[str, ...]
    languages: Mapping[str, frozenset[str]]
    duty: Mapping[str, bool]
    platform_tag_accepted: bool
    platform_tag_rules: tuple[RuleRef, ...]
    spoken_counts: bool
    allow_post_language: bool
    missing: Mapping[str, tuple[RuleRef, ...]]
    placement_rule: RuleRef
    story_rule: RuleRef
    hashtag_limit: int | None
    distorted: Distorted | None
    video: VideoPolicy
    affiliate_marking: AffiliateMarking | None
    unsettled: tuple[Unsettled, ...]
    no_duty_review: tuple[NoDutyReview, ...]
    media_flags: Mapping[str, MediaFlagRule]
    rules: Mapping[str, Rule]
    lexicon: Lexicon[TermChoice]
    obligation: Mapping[str, Any]

    def missing_for(self, relationship: str) -> tuple[RuleRef, ...]:
        return self.missing.get(relationship) or self.missing["default"]


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    severity: str
    message: str
    fix: str
    citation: str

    def as_dict(self) -> dict[str, str]:
        return {
            "rule_id": self.rule_id,
            "severity": self.severity,
            "message": self.message,
            "fix": self.fix,
            "citation": self.citation,
        }


@dataclass(slots=True)
class CheckResult:
    post_id: Any
    verdict: Verdict
    rule_ids: tuple[str, ...]
    findings: tuple[Finding, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.post_id,
            "verdict": self.verdict.value,
            "rule_ids": list(self.rule_ids),
            "findings": [finding.as_dict() for finding in self.findings],
        }
