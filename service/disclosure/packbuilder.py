"""Compiling validated pack files into the engine's model: rules with dated versions, references checked.

Every problem found is collected and reported together in one ``RulePackError``.
"""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from service.disclosure.lexicon import PhraseError, parse_phrase, words_pattern
from service.disclosure.model import (
    ACCEPT,
    IGNORE,
    LANGUAGE_CHECK,
    RELATIONSHIPS,
    AffiliateMarking,
    CommonPack,
    DateRange,
    Distorted,
    JurisdictionPack,
    MediaFlagRule,
    MisrepresentationClaim,
    NoDutyReview,
    Outcome,
    OutcomeKind,
    ProductPlacementPolicy,
    Rule,
    RuleRef,
    RuleVersion,
    Settings,
    Severity,
    Unsettled,
    VideoPolicy,
    VideoRequirement,
)
from service.disclosure.phrasebook import build_lexicon
from service.disclosure.schemas import CommonPackSchema, JurisdictionPackSchema, RulePackError, validated
from service.disclosure.text import fold

# Signals the engine derives from the post's structure rather than from phrases.
BUILT_IN_SIGNALS = frozenset({"link"})


# --- the common pack -----------------------------------------------------------------------------


def build_common(data: dict[str, Any], source: str) -> CommonPack:
    raw = validated(CommonPackSchema(), data, source)
    problems: list[str] = []
    rules = {rule_id: _build_rule(rule_id, spec, "COMMON", problems) for rule_id, spec in raw["rules"].items()}
    signals = {name: tuple(phrases) for name, phrases in raw["signals"].items()}
    for name, phrases in signals.items():
        _check_phrases(phrases, f"signals.{name}", problems)
    misrepresentation = raw["misrepresentation"]
    if misrepresentation["rule"] not in rules:
        problems.append(f"misrepresentation.rule: {misrepresentation['rule']} is not a rule of this pack")
    claims = {}
    for name, claim in misrepresentation["claims"].items():
        if name not in signals:
            problems.append(f"misrepresentation.claims.{name}: no signal of that name")
        claims[name] = MisrepresentationClaim(
            severity_by_relationship={rel: Severity(claim[rel]) for rel in RELATIONSHIPS if rel in claim},
            only_without_label=claim["only_without_label"],
            except_jurisdictions=frozenset(claim["except_jurisdictions"]),
        )
    for needed in ("not_required", "brand_account"):
        if needed not in raw["obligation_texts"]:
            problems.append(f"obligation_texts: {needed} is missing")
    if raw["language_review_rule"] not in rules:
        problems.append(f"language_review_rule: {raw['language_review_rule']} is not a rule of this pack")
    if problems:
        raise RulePackError(source, problems)
    return CommonPack(
        version=raw["version"],
        rules=rules,
        signals=signals,
        misrepresentation_rule=misrepresentation["rule"],
        misrepresentation=claims,
        language_review_rule=raw["language_review_rule"],
        settings=_build_settings(raw["settings"]),
        obligation_texts=raw["obligation_texts"],
    )


def _build_settings(raw: dict[str, Any]) -> Settings:
    short_form = raw["short_form"]
    detection = raw["language_detection"]
    stopwords = _stopword_index(raw["stopwords"])
    return Settings(
        relationship_precedence=tuple(raw["relationship_precedence"]),
        truncation=raw["truncation"],
        title_platforms=frozenset(raw["title_platforms"]),
        hashtag_block_min_tags=raw["hashtag_block_min_tags"],
        hashtag_block_tail_words=raw["hashtag_block_tail_words"],
        short_form_media_types=frozenset(short_form["media_types"]),
        short_form_platforms=frozenset(short_form["platforms"]),
        short_form_max_seconds=short_form["max_seconds"],
        short_form_max_seconds_platforms=frozenset(short_form["max_seconds_platforms"]),
        whole_video_fraction=raw["whole_video_fraction"],
        brief_flash_seconds=raw["brief_flash_seconds"],
        live_repeat_min_gap_seconds=raw["live_repeat_min_gap_seconds"],
        live_repeat_min_gap_fraction=raw["live_repeat_min_gap_fraction"],
        language_min_hits=detection["min_hits"],
        language_ratio=detection["ratio"],
        language_max_chars=detection["max_chars"],
        stopwords=stopwords,
        stopword_pattern=words_pattern(stopwords),
        example_text=raw["example_text"],
    )


def _stopword_index(lists: Mapping[str, list[str]]) -> dict[str, str]:
    """word -> language, leaving out words several languages share (they tell nothing)."""
    owners: dict[str, set[str]] = {}
    for language, words in lists.items():
        for word in words:
            owners.setdefault(fold(word), set()).add(language)
    return {word: next(iter(langs)) for word, langs in owners.items() if len(langs) == 1}


def _build_rule(rule_id: str, spec: dict[str, Any], pack: str, problems: list[str]) -> Rule:
    versions = tuple(
        RuleVersion(DateRange(v["effective_from"], v["effective_until"]), v["citation"], v["params"])
        for v in sorted(spec["versions"], key=lambda v: v["effective_from"])
    )
    for earlier, later in itertools.pairwise(versions):
        if earlier.valid.overlaps(later.valid):
            problems.append(f"rules.{rule_id}: versions from {earlier.valid.start} and {later.valid.start} overlap")
    for version in versions:
        for part in ("message", "fix"):
            for language, text in spec[part].items():
                missing = _placeholders(text) - set(version.params)
                if missing:
                    problems.append(
                        f"rules.{rule_id}.{part}.{language}: {{{', '.join(sorted(missing))}}} "
                        f"has no value in the version from {version.valid.start}"
                    )
    return Rule(rule_id, Severity(spec["severity"]), spec["message"], spec["fix"], versions, pack)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _check_phrases(phrases: Iterable[str], where: str, problems: list[str]) -> None:
    for phrase in phrases:
        try:
            parse_phrase(phrase)
        except PhraseError as exc:
            problems.append(f"{where}: {exc}")


# --- a jurisdiction pack -------------------------------------------------------------------------


@dataclass
class PackBuilder:
    raw: dict[str, Any]
    common: CommonPack
    problems: list[str] = field(default_factory=list)
    rules: dict[str, Rule] = field(default_factory=dict)

    def ref(self, raw: dict[str, Any], where: str) -> RuleRef:
        rule_id = raw["rule"]
        if rule_id not in self.rules and rule_id not in self.common.rules:
            self.problems.append(f"{where}: rule {rule_id} is not defined in this pack or the common pack")
        severity = raw.get("severity")
        return RuleRef(rule_id, Severity(severity) if severity else None)

    def signal(self, name: str | None, where: str) -> None:
        if name is not None and name not in self.common.signals and name not in BUILT_IN_SIGNALS:
            self.problems.append(f"{where}: no signal named {name!r} in the common pack")

    def outcome(self, raw: Any, where: str) -> Outcome:
        if raw == "accept":
            return ACCEPT
        if raw == "ignore":
            return IGNORE
        if raw == "language_check":
            return LANGUAGE_CHECK
        return Outcome(OutcomeKind.RULE, self.ref(raw, where))

    def outcomes(self, raw: Any, where: str) -> dict[str, Outcome]:
        if isinstance(raw, dict) and "by_relationship" in raw:
            by_relationship = {key: self.outcome(value, where) for key, value in raw["by_relationship"].items()}
            default = by_relationship.get("default", IGNORE)
            return {rel: by_relationship.get(rel, default) for rel in RELATIONSHIPS}
        single = self.outcome(raw, where)
        return dict.fromkeys(RELATIONSHIPS, single)


def build_pack(data: dict[str, Any], source: str, common: CommonPack) -> JurisdictionPack:
    raw = validated(JurisdictionPackSchema(), data, source)
    builder = PackBuilder(raw, common)
    builder.rules = {rid: _build_rule(rid, spec, raw["pack"], builder.problems) for rid, spec in raw["rules"].items()}
    lexicon = build_lexicon(builder)
    pack = JurisdictionPack(
        code=raw["pack"],
        version=raw["version"],
        name=raw["name"],
        countries=tuple(raw["countries"]),
        languages=_languages(builder),
        duty={rel: raw["duty"][rel] == "required" for rel in RELATIONSHIPS},
        platform_tag_accepted=raw["platform_tag"] == "accept",
        platform_tag_rules=()
        if raw["platform_tag"] == "accept"
        else tuple(builder.ref(item, "platform_tag") for item in raw["platform_tag"]),
        spoken_counts=raw["spoken_counts"],
        allow_post_language=raw["allow_post_language"],
        missing={key: tuple(builder.ref(r, f"missing.{key}") for r in refs) for key, refs in raw["missing"].items()},
        placement_rule=builder.ref(raw["placement_rule"], "placement_rule"),
        story_rule=builder.ref(raw["story_rule"], "story_rule"),
        hashtag_limit=raw["hashtag_limit"],
        distorted=_distorted(builder),
        video=_video(builder),
        affiliate_marking=_affiliate_marking(builder),
        unsettled=tuple(_unsettled(builder, index, spec) for index, spec in enumerate(raw["unsettled"])),
        no_duty_review=tuple(_no_duty(builder, index, spec) for index, spec in enumerate(raw["no_duty_review"])),
        media_flags=_media_flags(builder),
        rules=builder.rules,
        lexicon=lexicon,
        obligation=raw["obligation"],
    )
    if builder.problems:
        raise RulePackError(source, builder.problems)
    return pack


def _languages(builder: PackBuilder) -> dict[str, frozenset[str]]:
    raw = builder.raw
    for country in raw["countries"]:
        if country not in raw["languages"]:
            builder.problems.append(f"languages: no languages given for {country}")
    for country in raw["languages"]:
        if country not in raw["countries"]:
            builder.problems.append(f"languages: {country} is not among the pack's countries")
    return {country: frozenset(langs) for country, langs in raw["languages"].items()}


def _distorted(builder: PackBuilder) -> Distorted | None:
    spec = builder.raw["distorted"]
    if spec is None:
        return None
    words = tuple(fold(word) for word in spec["words"])
    patterns = tuple(
        re.compile(r"(?<!\w)" + r"[\W_]*".join(re.escape(letter) for letter in word) + r"(?!\w)") for word in words
    )
    real_words = {fold(word) for word in spec["except_words"]}
    typos = frozenset(typo for word in words for typo in _one_edit_variants(word)) - real_words
    return Distorted(builder.ref(spec["rule"], "distorted.rule"), words, typos, patterns)


_TYPO_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def _one_edit_variants(word: str) -> set[str]:
    """Strings one substitution, insertion, deletion or neighbour swap away from ``word`` (not longer forms)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    variants = {a + b[1:] for a, b in splits if b}
    variants |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    variants |= {a + c + b[1:] for a, b in splits if b for c in _TYPO_ALPHABET}
    variants |= {a + c + b for a, b in splits[:-1] for c in _TYPO_ALPHABET}  # not after the end: "werbungs"
    return variants - {word}


def _video(builder: PackBuilder) -> VideoPolicy:
    spec = builder.raw["video"]

    def requirement(name: str) -> VideoRequirement | None:
        if name not in spec:
            return None
        return VideoRequirement(builder.ref(spec[name]["rule"], f"video.{name}.rule"), spec[name]["evidence"])

    placement = spec.get("product_placement")
    product_placement = None
    if placement is not None:
        builder.signal(placement["mention_signal"], "video.product_placement.mention_signal")
        builder.signal(placement["label_signal"], "video.product_placement.label_signal")
        product_placement = ProductPlacementPolicy(
            builder.ref(placement["rule"], "video.product_placement.rule"),
            placement["mention_signal"],
            placement["label_signal"],
            fold(placement["symbol"]),
        )
    return VideoPolicy(
        long_form=requirement("long_form"),
        live=requirement("live"),
        product_placement=product_placement,
        verbal=builder.ref(spec["verbal"], "video.verbal") if "verbal" in spec else None,
        on_screen_duration=builder.ref(spec["on_screen_duration"], "video.on_screen_duration")
        if "on_screen_duration" in spec
        else None,
    )


def _affiliate_marking(builder: PackBuilder) -> AffiliateMarking | None:
    spec = builder.raw["affiliate_marking"]
    if spec is None:
        return None
    builder.signal(spec["explanation_signal"], "affiliate_marking.explanation_signal")
    return AffiliateMarking(
        builder.ref(spec["rule"], "affiliate_marking.rule"), spec["explanation_signal"], spec["label_distance"]
    )


def _unsettled(builder: PackBuilder, index: int, spec: dict[str, Any]) -> Unsettled:
    builder.signal(spec["when_signal"], f"unsettled[{index}].when_signal")
    return Unsettled(
        frozenset(spec["relationships"]),
        builder.ref(spec["rule"], f"unsettled[{index}].rule"),
        spec["when_signal"],
        spec["only_without_label"],
    )


def _no_duty(builder: PackBuilder, index: int, spec: dict[str, Any]) -> NoDutyReview:
    for name in spec["signals"]:
        builder.signal(name, f"no_duty_review[{index}].signals")
    return NoDutyReview(
        frozenset(spec["relationships"]),
        builder.ref(spec["rule"], f"no_duty_review[{index}].rule"),
        tuple(spec["signals"]),
    )


def _media_flags(builder: PackBuilder) -> dict[str, MediaFlagRule]:
    flags = {}
    for flag, spec in builder.raw["media_flags"].items():
        builder.signal(spec["mention_signal"], f"media_flags.{flag}.mention_signal")
        flags[flag] = MediaFlagRule(builder.ref(spec["rule"], f"media_flags.{flag}.rule"), spec["mention_signal"])
    return flags
