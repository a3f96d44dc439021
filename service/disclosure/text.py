"""Folding post text into one comparable form, and the layout facts the placement rules need.

Captions arrive in every Unicode disguise: full-width or "mathematical bold" letters, zero-width joiners
inside words, combining underlines, typographic dashes and quotes. Folding (NFKC, invisible and combining
marks dropped, case folded) removes the disguise; accented letters stay composed, and the rule packs list
each accented phrase with and without its accents (the loader adds the plain variant), so "Publicité" and
"#publicite" both match. Folding keeps character positions close to the original, so "within the first 125
characters" still means what the reader saw.
"""

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

# Invisible characters that split words without the reader seeing it, mapped away; typographic
# punctuation mapped to the plain form the phrase syntax uses.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\ufe0e\ufe0f\u180e"
_QUOTES = "\u2019\u2018\u02bc\u00b4"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u00ab\u00bb"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212"
_TRANSLATION = {
    **dict.fromkeys(_QUOTES, "'"),
    **dict.fromkeys(_DOUBLE_QUOTES, '"'),
    **dict.fromkeys(_DASHES, "-"),
}
# str.translate with a table walks a dict for every character (slow on long texts); regular expressions
# find the few characters that need dropping or mapping.
_NEEDS_TRANSLATION = re.compile("[" + _QUOTES + _DOUBLE_QUOTES + _DASHES + "]")
# After NFKC, combining marks are left only where no precomposed letter exists (styled "underlined" text).
_DROPPED = re.compile("[" + _INVISIBLE + "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_MARKER = re.compile(r"\[(\d{1,3}):(\d{2})(?::(\d{2}))?\]")
_WORD = re.compile(r"[^\W\d_][\w']*")


def _translated(match: re.Match[str]) -> str:
    return _TRANSLATION[match.group()]


def fold(text: str) -> str:
    """Lower-case, compatibility-normalised text with invisible and stray combining characters removed."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKC", text)
    if _DROPPED.search(text) is not None:
        text = _DROPPED.sub("", text)
    if _NEEDS_TRANSLATION.search(text) is not None:
        text = _NEEDS_TRANSLATION.sub(_translated, text)
    return text.casefold()


def without_accents(folded: str) -> str:
    """ "publicité" -> "publicite": the variant of a phrase for people who type without accents."""
    if folded.isascii():
        return folded
    stripped = _DROPPED.sub("", unicodedata.normalize("NFKD", folded))
    return unicodedata.normalize("NFC", stripped)


def mask_urls(folded: str) -> str:
    """Blank out links (keeping positions), so a label word inside a URL is not read as a label."""
    if "http" not in folded and "www." not in folded:
        return folded
    return _URL.sub(lambda m: " " * len(m.group()), folded)


def has_url(folded: str) -> bool:
    return _URL.search(folded) is not None


@dataclass(frozen=True, slots=True)
class HashtagBlock:
    """The run of hashtags closing a caption (plus a few trailing words, such as a late "Werbung")."""

    start: int
    first_tag_end: int


_TAG = re.compile(r"#\w+")
_WORD_CHAR = re.compile(r"\w")
_TAIL_WORD = re.compile(r"[^\W\d_]\w*")


def closing_hashtag_block(folded: str, min_tags: int, tail_words: int) -> HashtagBlock | None:
    """At least ``min_tags`` hashtags with nothing but spaces, punctuation or emoji between them, ending the
    caption (up to ``tail_words`` plain words may follow the last tag)."""
    if folded.count("#") < min_tags:
        return None
    tags = [match.span() for match in _TAG.finditer(folded)]
    if len(tags) < min_tags or len(_TAIL_WORD.findall(folded, tags[-1][1])) > tail_words:
        return None
    first = len(tags) - 1
    while first > 0 and _WORD_CHAR.search(folded, tags[first - 1][1], tags[first][0]) is None:
        first -= 1
    if len(tags) - first < min_tags:
        return None
    return HashtagBlock(tags[first][0], tags[first][1])


def title_end(folded: str) -> int:
    """End of the first line: the title of a YouTube video or a Twitch stream."""
    newline = folded.find("\n")
    return len(folded) if newline < 0 else newline


def transcript_markers(text: str) -> list[tuple[int, float]]:
    """``[mm:ss]`` / ``[hh:mm:ss]`` markers as (position, seconds), in text order."""
    markers = []
    for match in _MARKER.finditer(text):
        hours, minutes, seconds = ("0", *match.groups()[:2]) if match.group(3) is None else match.groups()
        markers.append((match.start(), float(int(hours) * 3600 + int(minutes) * 60 + int(seconds))))
    return markers


def detect_language(
    folded: str,
    stopwords: Mapping[str, str],
    pattern: re.Pattern[str],
    *,
    min_hits: int,
    ratio: float,
    max_chars: int,
) -> str | None:
    """The language whose common words dominate the text, or None when the text does not say clearly."""
    counts: dict[str, int] = {}
    for word in pattern.findall(folded[:max_chars]):
        language = stopwords[word]
        counts[language] = counts.get(language, 0) + 1
    if not counts:
        return None
    ranked = sorted(counts.items(), key=lambda item: item[1], reverse=True)
    best, hits = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if hits >= min_hits and hits >= ratio * runner_up:
        return best
    return None


def words_of(folded: str) -> list[str]:
    return _WORD.findall(folded)
