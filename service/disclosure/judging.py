"""The checks, applied to one audience's reading of a post (a ``PackView``). Each returns the rules it finds
broken, in the order they are reported; which rule id stands for which defect comes from the pack.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from service.disclosure.model import (
    ACCEPT,
    AffiliateMarking,
    ProductPlacementPolicy,
    RuleRef,
    Severity,
    VideoRequirement,
)
from service.disclosure.view import Hit, PackView

Interval = tuple[float, float]


def evaluate(view: PackView) -> list[RuleRef]:
    """Everything this audience's law finds wrong with the post."""
    refs = _duty_checks(view) if view.duty else _no_duty_reviews(view)
    if view.duty:
        refs = _settle_open_questions(view, refs)
    return refs + _misrepresentation(view) + _media_flags(view)


def _duty_checks(view: PackView) -> list[RuleRef]:
    kind = view.ctx.video_kind
    if view.post.media_type == "story":
        return judge_story(view)
    if kind == "long":
        refs = judge_long_video(view)
    elif kind == "live":
        refs = judge_live(view)
    else:
        refs = judge_label(view, view.surface_hits(in_video=kind == "short"))
        if view.relationship == "affiliate" and view.pack.affiliate_marking is not None:
            refs = _affiliate_marking(view, view.pack.affiliate_marking, refs)
    if kind is not None:
        refs += _verbal(view) + _on_screen_duration(view)
    return refs


# --- the label itself ----------------------------------------------------------------------------


def judge_label(view: PackView, hits: Sequence[Hit]) -> list[RuleRef]:
    """Is there an accepted label where readers see it? If not, say what is wrong with what is there."""
    pack = view.pack
    if view.tag and pack.platform_tag_accepted:
        return []
    accepted_somewhere = False
    for hit in hits:
        if hit.outcome is ACCEPT:
            if hit.prominent:
                return []
            accepted_somewhere = True
    refs: list[RuleRef] = []
    if not accepted_somewhere:
        # Wrong words only matter when the right ones are nowhere; otherwise the defect is where they stand.
        refs.extend(hit.rule for hit in hits if hit.rule is not None)
        refs.extend(_distorted_labels(view))
    if _hidden_disclosure(hits):
        refs.append(pack.placement_rule)
    if not refs:
        return list(pack.platform_tag_rules) if view.tag else list(pack.missing_for(view.relationship))
    if view.tag:
        refs.extend(pack.platform_tag_rules)
    return refs


def _hidden_disclosure(hits: Sequence[Hit]) -> bool:
    """A proper label exists only out of sight, or the only attempt at one is out of sight."""
    hidden = [hit for hit in hits if hit.counts and not hit.prominent]
    if any(hit.accepted for hit in hidden):
        return True
    return bool(hidden) and not any(hit.counts and hit.prominent for hit in hits)


def _distorted_labels(view: PackView) -> list[RuleRef]:
    """ "W e r b u n g" or "Werbunng": a label was meant but is not written recognisably."""
    distorted = view.pack.distorted
    if distorted is None:
        return []
    caption = view.ctx.caption_scan
    for pattern in distorted.patterns:
        match = pattern.search(caption)
        if match is not None and not match.group().isalpha():
            return [distorted.rule]
    if any(token in distorted.typos for token in view.ctx.words):
        return [distorted.rule]
    return []


def judge_story(view: PackView) -> list[RuleRef]:
    """Every frame of an advertising story needs its own label."""
    pack = view.pack
    if view.tag and pack.platform_tag_accepted:
        return []  # the platform shows its label on every frame
    frames = view.frame_hits
    if not frames:
        return judge_label(view, view.surface_hits(in_video=False))
    labelled = [any(hit.accepted for hit in hits) for hits in frames]
    if all(labelled):
        return []
    if any(labelled):
        return [pack.story_rule]
    every_frame = [hit for hits in frames for hit in hits]
    return judge_label(view, every_frame + view.surface_hits(in_video=False))


# --- videos and livestreams ----------------------------------------------------------------------


def judge_long_video(view: PackView) -> list[RuleRef]:
    video = view.pack.video
    placement = video.product_placement
    if placement is not None and (view.has_signal(placement.mention_signal) or view.has_signal(placement.label_signal)):
        return [] if _product_placement_flagged(view, placement) else [placement.rule]
    hits = view.surface_hits(in_video=True)
    return _with_video_requirement(view, hits, video.long_form)


def judge_live(view: PackView) -> list[RuleRef]:
    hits = view.surface_hits(in_video=True)
    return _with_video_requirement(view, hits, view.pack.video.live)


def _with_video_requirement(view: PackView, hits: Sequence[Hit], requirement: VideoRequirement | None) -> list[RuleRef]:
    base = judge_label(view, hits)
    if requirement is None or (view.tag and view.pack.platform_tag_accepted):
        return base
    if not any(hit.counts for hit in hits):
        return base  # nothing at all: the missing label is the finding
    if _video_evidence_ok(view, requirement.evidence):
        return base
    return [requirement.rule, *base]


def _video_evidence_ok(view: PackView, evidence: str) -> bool:
    in_video = [hit for hit in view.in_video_hits if hit.counts]
    if evidence == "in_video":
        return bool(in_video)
    if evidence == "in_video_or_title":
        return bool(in_video) or any(hit.counts and hit.start < view.ctx.title_end for hit in view.caption_hits)
    if evidence == "repeat":
        return _repeated(view)
    return _covered(view)


def _label_intervals(view: PackView) -> list[Interval]:
    overlays = view.post.on_screen_text
    items = sorted({hit.item for hit in view.overlay_hits if hit.counts})
    return [(overlays[item].start_s, overlays[item].end_s) for item in items]


def _covered(view: PackView) -> bool:
    """The label is on screen for (nearly) the whole video, or the whole sponsored part of it."""
    shown = _label_intervals(view)
    if not shown:
        return False
    duration = view.ctx.duration
    if duration <= 0:
        return True  # no length known: a label on screen is all that can be checked
    required = _sponsored_segments(view, duration) or [(0.0, duration)]
    needed = sum(end - start for start, end in required)
    seen = sum(_overlap(segment, shown) for segment in required)
    return needed <= 0 or seen / needed >= view.ctx.settings.whole_video_fraction


def _sponsored_segments(view: PackView, duration: float) -> list[Interval]:
    """Transcript stretches (from one [mm:ss] marker to the next) in which the sponsorship is talked about."""
    markers = view.ctx.markers
    if not markers:
        return []
    segments = []
    for hit in view.spoken_hits:
        if not (hit.counts or "sponsor_cue" in hit.term.signals):
            continue
        starts = [seconds for position, seconds in markers if position <= hit.start]
        ends = [seconds for position, seconds in markers if position > hit.start]
        if starts:
            segments.append((starts[-1], ends[0] if ends else duration))
    return _merged(segments)


def _merged(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _overlap(segment: Interval, shown: Sequence[Interval]) -> float:
    start, end = segment
    return sum(max(0.0, min(end, b) - max(start, a)) for a, b in _merged(shown))


def _repeated(view: PackView) -> bool:
    """A livestream repeats its disclosure: shown throughout, or disclosed again well after the first time."""
    settings = view.ctx.settings
    duration = view.ctx.duration
    shown = _label_intervals(view)
    if duration > 0 and _overlap((0.0, duration), shown) / duration >= settings.whole_video_fraction:
        return True
    moments = [start for start, _ in shown]
    moments += [_spoken_time(view, hit) for hit in view.spoken_hits if hit.counts]
    moments += [0.0 for hit in view.caption_hits if hit.counts]
    if len(moments) < 2:
        return False
    gap = settings.live_repeat_min_gap_seconds
    if duration > 0:
        gap = min(gap, settings.live_repeat_min_gap_fraction * duration)
    return max(moments) - min(moments) >= gap


def _spoken_time(view: PackView, hit: Hit) -> float:
    times = [seconds for position, seconds in view.ctx.markers if position <= hit.start]
    return times[-1] if times else 0.0


def _product_placement_flagged(view: PackView, policy: ProductPlacementPolicy) -> bool:
    """ "Unterstützt durch Produktplatzierung" (or "P") on screen at the start, long enough to read."""
    rule = view.book.rules[policy.rule.rule_id]
    version = rule.version_on(view.ctx.on)
    params = version.params if version else {}
    start_within = float(params.get("start_within_seconds", 10))
    min_seconds = float(params.get("min_seconds", 3))
    flagged_items = {hit.item for hit in view.overlay_hits if policy.label_signal in hit.term.signals}
    for item, overlay in enumerate(view.post.on_screen_text):
        is_label = item in flagged_items or view.ctx.overlays[item].strip(" ()[]") == policy.symbol
        if is_label and overlay.start_s <= start_within and overlay.end_s - overlay.start_s >= min_seconds:
            return True
    return _covered(view) and any(hit.accepted for hit in view.overlay_hits)


def _verbal(view: PackView) -> list[RuleRef]:
    """Say it and show it: a disclosure in only one of the two channels of a video."""
    rule = view.pack.video.verbal
    if rule is None or not view.post.transcript.strip():
        return []
    shown = any(hit.accepted for hit in view.overlay_hits)
    spoken = any(hit.accepted for hit in view.spoken_hits)
    if shown and not spoken:
        return [rule]  # a spoken endorsement disclosed only on screen
    if spoken and not shown and view.post.on_screen_text:
        return [rule]  # text on screen, but the disclosure only spoken
    return []


def _on_screen_duration(view: PackView) -> list[RuleRef]:
    """A label burned into the video but shown only briefly."""
    rule = view.pack.video.on_screen_duration
    shown = _label_intervals(view)
    duration = view.ctx.duration
    if rule is None or not shown or duration <= 0:
        return []
    seen = _overlap((0.0, duration), shown) / duration
    return [rule] if seen < view.ctx.settings.whole_video_fraction else []


# --- special cases -------------------------------------------------------------------------------


def _affiliate_marking(view: PackView, marking: AffiliateMarking, refs: list[RuleRef]) -> list[RuleRef]:
    """Affiliate links and codes: explained (the "*" note) or with the label right next to them."""
    anchors = view.ctx.link_anchors
    if not refs or not anchors:
        return refs
    if any(marking.explanation_signal in hit.term.signals for hit in view.caption_hits):
        return []
    labels = [hit.start for hit in view.caption_hits if hit.accepted]
    if all(any(abs(anchor - label) <= marking.label_distance for label in labels) for anchor in anchors):
        return []
    return [marking.rule]


def _settle_open_questions(view: PackView, refs: list[RuleRef]) -> list[RuleRef]:
    """Where the law is open for this relationship, a missing or weak label is a question, not a breach."""
    for question in view.pack.unsettled:
        if view.relationship not in question.relationships:
            continue
        if question.when_signal is not None and not view.has_signal(question.when_signal):
            continue
        if question.only_without_label and view.has_accepted_label:
            continue
        if any(_severity(view, ref) is Severity.VIOLATION for ref in refs):
            refs = [ref for ref in refs if _severity(view, ref) is not Severity.VIOLATION] + [question.rule]
    return refs


def _no_duty_reviews(view: PackView) -> list[RuleRef]:
    """No labelling duty, but a point the courts have not settled (e.g. strong promotion without payment)."""
    if view.post.account_type == "brand_official" or view.has_prominent_label:
        return []  # the commercial purpose is evident, or the post is labelled anyway
    return [
        review.rule
        for review in view.pack.no_duty_review
        if view.relationship in review.relationships and all(view.has_signal(name) for name in review.signals)
    ]


def _misrepresentation(view: PackView) -> list[RuleRef]:
    """ "unbezahlt", "selbst gekauft", "#gifted" where they are untrue (or literally true but misleading)."""
    common = view.book.common
    refs = []
    for claim_name, claim, severity in common.claims_for(view.relationship):
        if view.pack.code in claim.except_jurisdictions or not view.has_signal(claim_name):
            continue
        if claim.only_without_label and view.has_prominent_label:
            continue
        refs.append(RuleRef(common.misrepresentation_rule, severity))
    return refs


def _media_flags(view: PackView) -> list[RuleRef]:
    """Retouched or AI-generated people need their own mention; outside commercial posts that is open."""
    if not view.post.media_flags:
        return []
    refs = []
    for flag in sorted(view.post.media_flags):
        policy = view.pack.media_flags.get(flag)
        if policy is None or view.has_signal(policy.mention_signal):
            continue
        severity = policy.rule.severity if view.duty else Severity.REVIEW
        refs.append(RuleRef(policy.rule.rule_id, severity))
    return refs


def _severity(view: PackView, ref: RuleRef) -> Severity:
    return ref.severity or view.book.rules[ref.rule_id].severity
