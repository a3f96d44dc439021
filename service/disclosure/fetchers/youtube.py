"""The YouTube connector: a video's title, description and length from the YouTube Data API v3 (``videos.list``).

Used for youtube.com and youtu.be links when ``YOUTUBE_API_KEY`` is set; without a key those links go to the
generic OpenGraph fetcher. The request goes through the shared outbound guard like every other fetch (public
addresses only, pinned connection, time and size limits).

The checked caption is the title, a line break and the description: the title is what viewers see first, so a
label there stands "before the truncation". YouTube's "includes paid promotion" flag
(``paidProductPlacementDetails.hasPaidProductPlacement``) is only answered to the video's owner; an API key
does not get it, and then the creator's own statement from the submission stands. When YouTube does answer
it, the answer is what the check uses.

YouTube's errors become a failed check with a reason a person can act on: quota used up, key refused or
restricted, video not found or private. The key travels in the query string (as the API requires) and never
appears in an error message, the evidence or a log.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from service.disclosure.fetchers import FetchedPost
from service.outbound import loopback_allowed
from service.outbound.transport import FetchError, fetch

HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com", "youtu.be", "www.youtu.be"}
_VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_PATH_PREFIXES = ("/shorts/", "/live/", "/embed/", "/v/")
_DURATION = re.compile(r"^P(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")
PARTS = "snippet,contentDetails,paidProductPlacementDetails"
# What YouTube's error reasons mean for the person reading the failed check.
_REASONS = {
    "quotaExceeded": "YouTube refused: the API quota of this Fairpact installation is used up for today; "
    "the check can be repeated once it resets",
    "dailyLimitExceeded": "YouTube refused: the API quota of this Fairpact installation is used up for today; "
    "the check can be repeated once it resets",
    "rateLimitExceeded": "YouTube refused: too many requests right now; repeat the check in a few minutes",
    "keyInvalid": "YouTube refused the configured API key (YOUTUBE_API_KEY is not valid); tell the operator",
    "API_KEY_INVALID": "YouTube refused the configured API key (YOUTUBE_API_KEY is not valid); tell the operator",
    "keyExpired": "YouTube refused the configured API key (it has expired); tell the operator",
    "accessNotConfigured": "the YouTube Data API is not enabled for the configured API key; tell the operator",
    "forbidden": "YouTube refused access to this video",
    "videoNotFound": "YouTube has no video with this link (deleted, private or mistyped)",
}


def video_id(url: str) -> str | None:
    """The 11-character video id of a YouTube link (watch, youtu.be, shorts, live, embed), or None."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host not in HOSTS:
        return None
    candidate = None
    if host.endswith("youtu.be"):
        candidate = parts.path.strip("/").split("/")[0]
    elif parts.path in ("/watch", "/watch/"):
        candidate = (parse_qs(parts.query).get("v") or [""])[0]
    else:
        for prefix in _PATH_PREFIXES:
            if parts.path.startswith(prefix):
                candidate = parts.path[len(prefix) :].split("/")[0]
    return candidate if candidate and _VIDEO_ID.match(candidate) else None


def duration_seconds(iso: str) -> float | None:
    """ISO 8601 durations as YouTube writes them (PT1M30S, P1DT2H) in seconds; None if it is something else."""
    match = _DURATION.match(iso or "")
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return days * 86400 + hours * 3600 + minutes * 60 + seconds


class YouTubeConnector:
    name = "youtube_data_api"

    def handles(self, url: str) -> bool:
        return video_id(url) is not None

    def configured(self, config: Mapping[str, Any]) -> bool:
        return bool(config.get("YOUTUBE_API_KEY"))

    def fetch(self, url: str, config: Mapping[str, Any]) -> FetchedPost:
        vid = video_id(url)
        if vid is None:
            raise FetchError("this is not a link to a YouTube video")
        key = str(config["YOUTUBE_API_KEY"])
        query = urlencode({"part": PARTS, "id": vid, "key": key})
        try:
            page = fetch(
                f"{config['YOUTUBE_API_BASE_URL']}/videos?{query}",
                timeout=config["POST_FETCH_TIMEOUT_SECONDS"],
                max_bytes=config["POST_FETCH_MAX_BYTES"],
                max_redirects=0,  # the API answers directly; a redirect would carry the key elsewhere
                allow_loopback=loopback_allowed(config),
                accept="application/json",
                error_answers=True,
            )
        except FetchError as exc:
            raise FetchError(f"YouTube could not be asked: {str(exc).replace(key, '***')}") from exc
        answer = _json(page.body)
        if page.status_code >= 400:
            raise FetchError(_error_message(page.status_code, answer))
        return _post_from(url, vid, answer)


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def _error_message(status: int, answer: Any) -> str:
    error = answer.get("error") if isinstance(answer, dict) else None
    reasons: list[str] = []
    if isinstance(error, dict):
        for item in error.get("errors") or []:
            if isinstance(item, dict) and isinstance(item.get("reason"), str):
                reasons.append(item["reason"])
        for detail in error.get("details") or []:
            if isinstance(detail, dict) and isinstance(detail.get("reason"), str):
                reasons.append(detail["reason"])
    for reason in reasons:
        if reason in _REASONS:
            return _REASONS[reason]
    named = f" ({', '.join(reasons)})" if reasons else ""
    return f"YouTube answered {status}{named}"


def _object(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name)
    return value if isinstance(value, dict) else {}


def _post_from(url: str, vid: str, answer: Any) -> FetchedPost:
    items = answer.get("items") if isinstance(answer, dict) else None
    if not isinstance(items, list):
        raise FetchError("YouTube's answer is not a video list")
    video = next((item for item in items if isinstance(item, dict) and item.get("id") == vid), None)
    if video is None:
        # videos.list answers 200 with no items for a deleted, private or unknown video.
        raise FetchError(_REASONS["videoNotFound"])
    snippet, details = _object(video, "snippet"), _object(video, "contentDetails")
    title, description = str(snippet.get("title") or ""), str(snippet.get("description") or "")
    fields: dict[str, Any] = {}
    length = duration_seconds(str(details.get("duration") or ""))
    if length is not None:
        fields["duration_s"] = length
    placement = video.get("paidProductPlacementDetails")
    if isinstance(placement, dict) and isinstance(placement.get("hasPaidProductPlacement"), bool):
        fields["paid_partnership_tag"] = placement["hasPaidProductPlacement"]
    return FetchedPost(url, f"{title}\n{description}".strip(), fields)


YOUTUBE_CONNECTOR = YouTubeConnector()
