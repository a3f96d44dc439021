"""The evidence snapshot of a check: exactly the post the engine saw, hashed, with when and where from.

The snapshot is the engine's input in the §12 post format, so anyone can re-run ``fairpact check-posts``
on it and get the same verdict; its SHA-256 is over a canonical JSON form (sorted keys, no spaces, UTF-8).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app

from service.disclosure.fetchers import FetchedPost, fetcher_for
from service.disclosure.models import Check, CheckTrigger, DeliverablePost, Submission
from service.extensions import db
from service.models import utcnow


@dataclass(frozen=True)
class Evidence:
    post: dict[str, Any]
    sha256: str
    source: str
    url: str | None
    taken_at: datetime


def canonical_json(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def post_input(post: DeliverablePost, submission: Submission) -> dict[str, Any]:
    """The post as the engine reads it: the brand's facts (audience, relationship) plus the creator's text."""
    data: dict[str, Any] = {
        "id": str(post.id),
        "jurisdiction": list(post.campaign.jurisdictions),
        "platform": post.platform,
        "media_type": post.media_type,
        "relationship": post.relationship,
        "paid_partnership_tag": submission.paid_partnership_tag,
        "caption": submission.caption,
    }
    optional = {
        "transcript": submission.transcript,
        "story_frames": submission.story_frames,
        "on_screen_text": submission.on_screen_text,
        "duration_s": submission.duration_s,
        "first_comment": submission.first_comment,
        # The images handed in, by hash: the engine reads text only, but the evidence names what was shown.
        "screenshots": submission.screenshot_evidence,
    }
    data.update({key: value for key, value in optional.items() if value})
    return data


def take_snapshot(check: Check, submission: Submission | None = None) -> Evidence:
    """What to check: the submission, or for a re-check the live post fetched again by its link.

    ``submission``: the check's submission when the caller has loaded it already (a batch loads them at once).

    :raises FetchError: the link could not be fetched (the check is recorded as failed, not as compliant).
    """
    submission = submission or db.session.get(Submission, (check.tenant_id, check.submission_id))
    assert submission is not None, "every check belongs to a submission"
    data = post_input(check.post, submission)
    source, url = "submission", None
    config = current_app.config
    live = check.trigger != CheckTrigger.SUBMISSION and submission.link
    fetcher = fetcher_for(submission.link, config) if live and submission.link else None
    if fetcher is not None and submission.link:
        fetched: FetchedPost = fetcher.fetch(submission.link, config)
        data["caption"] = fetched.caption
        data.pop("screenshots", None)  # the live post was checked, not the images handed in with it
        data.update(fetched.fields)
        source, url = fetcher.name, fetched.url
    return Evidence(data, hashlib.sha256(canonical_json(data)).hexdigest(), source, url, utcnow())
