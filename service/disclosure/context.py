"""What the engine knows about one post, shared by all its audiences: folded texts and layout.

Everything is computed lazily and at most once: most posts are decided by one scan of the caption, and
the transcript, the language guess or the hashtag positions are only worked out when a rule asks. What the
phrases found mean for one audience is in ``view.py``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from service.disclosure.lazy import lazy
from service.disclosure.model import (
    JurisdictionPack,
    Settings,
)
from service.disclosure.posts import Post
from service.disclosure.rulebook import RuleBook
from service.disclosure.text import (
    HashtagBlock,
    closing_hashtag_block,
    detect_language,
    fold,
    has_url,
    mask_urls,
    title_end,
    transcript_markers,
    words_of,
)
from service.disclosure.view import PackView

_HASHTAG = re.compile(r"#\w+")
_DOMAIN = re.compile(
    r"\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|de|at|ch|net|org|shop|store|io|co|uk|fr|es|it|nl|eu|example|to|ly"
    r"|me|app|info|biz|link)\b(?:/\S*)?"
)
_CODE = re.compile(
    r"\b(?:code|rabattcode|gutscheincode|promo ?code|discount code|coupon)\b\s*:?\s*[a-z0-9]*\d[a-z0-9]*"
)


def video_kind(platform: str, media_type: str, duration_s: float | None, settings: Settings) -> str | None:
    """None for pictures and text, else "short" (reels, TikTok), "long" (YouTube and the like) or "live"."""
    if media_type == "live":
        return "live"
    if media_type in settings.short_form_media_types:
        return "short"
    if media_type != "video":
        return None
    if platform in settings.short_form_platforms:
        return "short"
    if (
        platform in settings.short_form_max_seconds_platforms
        and duration_s is not None
        and duration_s <= settings.short_form_max_seconds
    ):
        return "short"
    return "long"


_JOIN_SEPARATOR = "\n\x1f\n"


class Joined(NamedTuple):
    """Several short texts (story frames, overlays) scanned as one; each hit is mapped back to its item.

    The separator is not a word character and not one a phrase may span, so no phrase runs across items.
    """

    text: str
    offsets: list[int]

    @classmethod
    def folded(cls, texts: Iterable[str]) -> Joined:
        """Fold and mask the texts in one go; the separators survive folding and mark where items start."""
        # A text carrying the separator's control character itself would shift every later item.
        text = mask_urls(fold(_JOIN_SEPARATOR.join(text.replace("\x1f", " ") for text in texts)))
        if not text:
            return cls("", [])
        offsets, position = [0], text.find(_JOIN_SEPARATOR)
        while position >= 0:
            offsets.append(position + len(_JOIN_SEPARATOR))
            position = text.find(_JOIN_SEPARATOR, position + 1)
        return cls(text, offsets)

    def item_at(self, position: int) -> int:
        return bisect_right(self.offsets, position) - 1


class PostContext:
    def __init__(self, post: Post, book: RuleBook, on: date):
        self.post = post
        self.book = book
        self.settings: Settings = book.common.settings
        self.on = on
        self._views: dict[str, PackView] = {}
        # Every post needs its caption and where it is cut off; the rest is worked out when asked for.
        self.caption = fold(post.caption)
        self.caption_scan = mask_urls(self.caption)
        self.title_end = title_end(self.caption) if post.platform in self.settings.title_platforms else 0
        shown = self.settings.truncation.get(post.platform, 125)
        self.window_end = self.title_end + shown if self.title_end else shown

    def view(self, country: str, pack: JurisdictionPack) -> PackView:
        if country not in self._views:
            self._views[country] = PackView(self, pack, country)
        return self._views[country]

    # --- folded texts ----------------------------------------------------------------------------

    @lazy
    def comment(self) -> str:
        return mask_urls(fold(self.post.first_comment))

    @lazy
    def bio(self) -> str:
        return mask_urls(fold(self.post.bio))

    @lazy
    def overlays(self) -> tuple[str, ...]:
        return tuple(mask_urls(fold(overlay.text)) for overlay in self.post.on_screen_text)

    @lazy
    def frames_joined(self) -> Joined:
        return Joined.folded(self.post.story_frames)

    @lazy
    def overlays_joined(self) -> Joined:
        return Joined.folded(overlay.text for overlay in self.post.on_screen_text)

    @lazy
    def transcript(self) -> str:
        return mask_urls(fold(self.post.transcript))

    @lazy
    def markers(self) -> list[tuple[int, float]]:
        return transcript_markers(self.transcript)

    # --- layout ----------------------------------------------------------------------------------

    @lazy
    def block(self) -> HashtagBlock | None:
        settings = self.settings
        return closing_hashtag_block(
            self.caption_scan, settings.hashtag_block_min_tags, settings.hashtag_block_tail_words
        )

    @lazy
    def first_hash(self) -> int:
        position = self.caption_scan.find("#")
        return len(self.caption_scan) if position < 0 else position

    @lazy
    def hashtag_starts(self) -> list[int]:
        return [match.start() for match in _HASHTAG.finditer(self.caption_scan)]

    def caption_prominent(self, start: int, hashtag_limit: int | None) -> bool:
        if start >= self.window_end:
            return False
        if hashtag_limit is not None and self.caption_scan.startswith("#", start):
            return self.hashtag_starts.index(start) < hashtag_limit if start in self.hashtag_starts else True
        if start <= self.first_hash:
            return True  # before any hashtag, or the very first one: cannot be buried in the closing block
        block = self.block
        if block is None or start < block.start:
            return True
        # Inside the closing block only its first tag counts, and only if the block starts before the cut.
        return start == block.start

    @lazy
    def video_kind(self) -> str | None:
        post = self.post
        return video_kind(post.platform, post.media_type, post.duration_s, self.settings)

    @lazy
    def duration(self) -> float:
        ends = [overlay.end_s for overlay in self.post.on_screen_text]
        return max([self.post.duration_s or 0.0, *ends])

    @lazy
    def language(self) -> str | None:
        """The language the post speaks, when its common words say so clearly."""
        s = self.settings
        text = " ".join(part for part in (self.caption_scan, self.frames_joined.text, self.transcript) if part)
        return detect_language(
            text,
            s.stopwords,
            s.stopword_pattern,
            min_hits=s.language_min_hits,
            ratio=s.language_ratio,
            max_chars=s.language_max_chars,
        )

    @lazy
    def link_anchors(self) -> list[int]:
        """Positions of links and discount codes in the caption (where an affiliate mark must stand)."""
        anchors = [m.start() for m in _DOMAIN.finditer(self.caption)]
        anchors += [m.start() for m in _CODE.finditer(self.caption)]
        if has_url(self.caption):
            anchors += [m.start() for m in re.finditer(r"(?:https?://|www\.)\S+", self.caption)]
        return sorted(set(anchors))

    @lazy
    def has_link(self) -> bool:
        return has_url(self.caption) or _DOMAIN.search(self.caption) is not None

    @lazy
    def words(self) -> list[str]:
        return words_of(self.caption_scan)
