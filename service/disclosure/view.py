"""One audience's reading of a post: which phrases of that audience's rule pack were found where, what each
means for the post's relationship, and the questions the rules ask of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, NamedTuple

from service.disclosure.lazy import lazy
from service.disclosure.model import ACCEPT, IGNORE, JurisdictionPack, Outcome, OutcomeKind, RuleRef, Term, TermChoice

if TYPE_CHECKING:
    from service.disclosure.context import Joined, PostContext


_Predicate = Callable[[int], bool]


class Channel(Enum):
    CAPTION = "caption"
    COMMENT = "comment"
    BIO = "bio"
    FRAME = "frame"
    OVERLAY = "overlay"
    SPOKEN = "spoken"


OWN_CONTENT = frozenset({Channel.CAPTION, Channel.FRAME, Channel.OVERLAY, Channel.SPOKEN, Channel.COMMENT})


class Hit(NamedTuple):
    """A phrase found in the post, with what it means for this audience and relationship.

    A tuple rather than a frozen dataclass: one is made for every phrase in every post.
    """

    channel: Channel
    item: int  # index of the story frame or overlay; 0 otherwise
    start: int
    prominent: bool  # seen without expanding, outside a closing hashtag block, in the post itself
    term: Term
    outcome: Outcome

    @property
    def accepted(self) -> bool:
        return self.outcome.kind is OutcomeKind.ACCEPT

    @property
    def rule(self) -> RuleRef | None:
        return self.outcome.rule if self.outcome.kind is OutcomeKind.RULE else None

    @property
    def counts(self) -> bool:
        """A disclosure attempt, good or bad (not a phrase that is only a signal)."""
        return self.outcome.kind is not OutcomeKind.IGNORE


class PackView:
    """One audience's reading of the post: the pack's phrases found, each with its meaning."""

    def __init__(self, ctx: PostContext, pack: JurisdictionPack, country: str):
        self.ctx = ctx
        self.post = ctx.post
        self.pack = pack
        self.country = country
        self.relationship = ctx.post.relationship
        self.book = ctx.book
        # The brand's own official account: the commercial purpose is evident from the context.
        self.duty = pack.duty[self.relationship] and ctx.post.account_type != "brand_official"
        self.tag = ctx.post.paid_partnership_tag
        self._meanings: dict[int, tuple[Term | None, Outcome]] = {}

    # --- hits per channel ------------------------------------------------------------------------

    @lazy
    def caption_hits(self) -> list[Hit]:
        limit = self.pack.hashtag_limit
        return self._hits(
            self.ctx.caption_scan, Channel.CAPTION, lambda start: self.ctx.caption_prominent(start, limit)
        )

    @lazy
    def elsewhere_hits(self) -> list[Hit]:
        """The creator's comment and the bio: never a disclosure, but proof that one was meant."""
        if not self.post.first_comment and not self.post.bio:
            return []
        return self._hits(self.ctx.comment, Channel.COMMENT, _hidden) + self._hits(self.ctx.bio, Channel.BIO, _hidden)

    @lazy
    def frame_hits(self) -> list[list[Hit]]:
        """Hits per story frame (all frames scanned in one go)."""
        if not self.post.story_frames:
            return []
        joined = self.ctx.frames_joined
        per_frame: list[list[Hit]] = [[] for _ in joined.offsets]
        for hit in self._hits(joined.text, Channel.FRAME, _shown, joined):
            per_frame[hit.item].append(hit)
        return per_frame

    @lazy
    def overlay_hits(self) -> list[Hit]:
        if not self.post.on_screen_text:
            return []
        joined = self.ctx.overlays_joined
        return self._hits(joined.text, Channel.OVERLAY, _shown, joined)

    @lazy
    def spoken_hits(self) -> list[Hit]:
        if not self.post.transcript:
            return []
        return self._hits(self.ctx.transcript, Channel.SPOKEN, _shown)

    def _hits(self, text: str, channel: Channel, prominent: _Predicate, joined: Joined | None = None) -> list[Hit]:
        if not text:
            return []
        hits = []
        item = 0
        for start, _, choice in self.pack.lexicon.scan(text):
            meaning = self._meanings.get(id(choice))
            if meaning is None:
                meaning = self._meanings[id(choice)] = self._meaning(choice)
            term, outcome = meaning
            if term is None:
                continue
            if outcome is ACCEPT and self._negated(text, start):
                outcome = IGNORE
            if outcome is IGNORE and not term.signals:
                continue
            if joined is not None:
                item = joined.item_at(start)
            hits.append(Hit(channel, item, start, prominent(start), term, outcome))
        return hits

    def _meaning(self, choice: TermChoice) -> tuple[Term | None, Outcome]:
        """The term in force on the day and its outcome for this relationship (the same for every match)."""
        for term in choice:
            if term.valid.contains(self.ctx.on):
                return term, self._outcome(term)
        return None, IGNORE

    def _outcome(self, term: Term) -> Outcome:
        outcome = term.outcomes[self.relationship]
        if outcome.kind is not OutcomeKind.LANGUAGE_CHECK:
            return outcome
        if term.langs & self.acceptable_languages:
            return ACCEPT
        return self.book.language_review

    @lazy
    def acceptable_languages(self) -> frozenset[str]:
        if self.pack.allow_post_language and self.ctx.language is not None:
            return frozenset({self.ctx.language})
        return self.pack.languages[self.country]

    @staticmethod
    def _negated(text: str, start: int) -> bool:
        """ "keine Werbung", "not sponsored": the label word is there but says the opposite."""
        return _NEGATION.search(text, max(0, start - 24), start) is not None

    # --- questions the rules ask -----------------------------------------------------------------

    def surface_hits(self, *, in_video: bool) -> list[Hit]:
        hits = self.caption_hits + self.elsewhere_hits
        if in_video:
            hits = hits + self.in_video_hits
        return hits

    @lazy
    def in_video_hits(self) -> list[Hit]:
        return self.overlay_hits + (self.spoken_hits if self.pack.spoken_counts else [])

    @lazy
    def own_hits(self) -> list[Hit]:
        hits = self.caption_hits + self.elsewhere_hits
        post = self.post
        if post.story_frames:
            hits += [hit for frame in self.frame_hits for hit in frame]
        if post.on_screen_text:
            hits += self.overlay_hits
        if post.transcript:
            hits += self.spoken_hits
        return hits

    @lazy
    def signals(self) -> frozenset[str]:
        found: set[str] = set()
        for hit in self.own_hits:
            if hit.term.signals and hit.channel in OWN_CONTENT:
                found.update(hit.term.signals)
        return frozenset(found)

    def has_signal(self, name: str) -> bool:
        if name == "link":
            # A link in the caption, or words pointing to one ("Link in Bio").
            return self.ctx.has_link or "link_mention" in self.signals
        return name in self.signals

    @lazy
    def has_accepted_label(self) -> bool:
        return any(hit.accepted for hit in self.own_hits)

    @lazy
    def has_prominent_label(self) -> bool:
        if self.tag and self.pack.platform_tag_accepted:
            return True
        return any(hit.accepted and hit.prominent for hit in self.own_hits)


def _shown(start: int) -> bool:
    """Overlays, story frames and spoken words are in the content itself: always seen."""
    return True


def _hidden(start: int) -> bool:
    """A comment or the bio is never where a disclosure counts."""
    return False


_NEGATION = re.compile(
    r"\b(?:kein|keine|keinerlei|nicht|ohne|not|no|non|pas de|sans|sin|geen|niet|senza)\b[^\w.!?\n]+(?:\w+[^\w.!?\n]+)?$"
)
