"""The YouTube connector against a local server answering like the YouTube Data API v3 (videos.list)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from service.disclosure.fetchers import FetchError, fetcher_for
from service.disclosure.fetchers.http import GENERIC_FETCHER
from service.disclosure.fetchers.youtube import YOUTUBE_CONNECTOR, duration_seconds, video_id
from tests.disclosure_flow.support import Brand

KEY = "AIzaSyTestKey_0123456789abcdefghijk"
LABELLED_ID, UNLABELLED_ID, QUOTA_ID = "labelled_01", "unlabelled1", "quota_id_01"


def _video(vid: str, title: str, description: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "youtube#video",
        "etag": "x",
        "id": vid,
        "snippet": {"title": title, "description": description, "channelTitle": "Lena"},
        "contentDetails": {"duration": "PT1M30S"},
        **extra,
    }


def _error(code: int, message: str, reason: str, domain: str = "youtube.quota", **extra: Any) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
            **extra,
        }
    }


@dataclass
class FakeYouTube:
    port: int = 0
    requests: list[dict[str, list[str]]] = field(default_factory=list)
    videos: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/youtube/v3"

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        if path != "/youtube/v3/videos":
            return 404, "<html>not found</html>"
        if query.get("key") != [KEY]:
            details = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}]
            return 400, _error(
                400,
                "API key not valid. Please pass a valid API key.",
                "badRequest",
                "global",
                status="INVALID_ARGUMENT",
                details=details,
            )
        vid = query.get("id", [""])[0]
        if vid == QUOTA_ID:
            return 403, _error(
                403, "The request cannot be completed because you have exceeded your quota.", "quotaExceeded"
            )
        items = [self.videos[vid]] if vid in self.videos else []
        return 200, {"kind": "youtube#videoListResponse", "items": items, "pageInfo": {"totalResults": len(items)}}


@contextmanager
def fake_youtube() -> Iterator[FakeYouTube]:
    state = FakeYouTube()
    state.videos[LABELLED_ID] = _video(LABELLED_ID, "Werbung | Mein Sommer-Vlog", "Sonnencreme von Sonnen GmbH")
    state.videos[UNLABELLED_ID] = _video(
        UNLABELLED_ID,
        "Mein Sommer-Vlog",
        "Sonnencreme #sommer",
        paidProductPlacementDetails={"hasPaidProductPlacement": False},
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            state.requests.append(query)
            status, body = state.answer(parts.path, query)
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _config(youtube: FakeYouTube, key: str | None = KEY) -> dict[str, Any]:
    return {
        "YOUTUBE_API_KEY": key,
        "YOUTUBE_API_BASE_URL": youtube.base_url,
        "POST_FETCH_TIMEOUT_SECONDS": 5,
        "POST_FETCH_MAX_BYTES": 65536,
        "POST_FETCH_MAX_REDIRECTS": 2,
        "OUTBOUND_ALLOW_LOOPBACK": True,
    }


@pytest.mark.parametrize(
    ("url", "vid"),
    [
        ("https://www.youtube.com/watch?v=labelled_01&t=10s", "labelled_01"),
        ("https://youtu.be/labelled_01?si=abc", "labelled_01"),
        ("https://m.youtube.com/shorts/labelled_01", "labelled_01"),
        ("https://www.youtube.com/live/labelled_01", "labelled_01"),
        ("https://www.youtube.com/@lena", None),
        ("https://www.youtube.com/watch?v=short", None),
        ("https://notyoutube.com/watch?v=labelled_01", None),
        ("https://youtube.com.evil.example/watch?v=labelled_01", None),
    ],
)
def test_video_ids_come_only_from_youtube_links(url, vid):
    assert video_id(url) == vid


@pytest.mark.parametrize(
    ("iso", "seconds"),
    [("PT1M30S", 90.0), ("PT2H", 7200.0), ("P1DT1S", 86401.0), ("PT0S", 0.0), ("P0D", 0.0), ("", None)],
)
def test_youtube_durations_in_seconds(iso, seconds):
    assert duration_seconds(iso) == seconds


def test_the_connector_is_chosen_by_host_only_when_its_key_is_configured():
    with fake_youtube() as youtube:
        link = f"https://www.youtube.com/watch?v={LABELLED_ID}"
        assert fetcher_for(link, _config(youtube)) is YOUTUBE_CONNECTOR
        assert fetcher_for(link, _config(youtube, key=None)) is GENERIC_FETCHER
        assert fetcher_for("https://www.instagram.com/p/abc/", _config(youtube)) is GENERIC_FETCHER


def test_reads_title_description_length_and_the_paid_promotion_flag_when_youtube_gives_it():
    with fake_youtube() as youtube:
        labelled = YOUTUBE_CONNECTOR.fetch(f"https://youtu.be/{LABELLED_ID}", _config(youtube))
        unlabelled = YOUTUBE_CONNECTOR.fetch(f"https://www.youtube.com/watch?v={UNLABELLED_ID}", _config(youtube))
    assert labelled.caption == "Werbung | Mein Sommer-Vlog\nSonnencreme von Sonnen GmbH"
    assert labelled.url == f"https://youtu.be/{LABELLED_ID}"  # the post's link, never the API URL with the key
    assert labelled.fields == {"duration_s": 90.0}  # no flag in the answer: the creator's statement stands
    assert unlabelled.fields == {"duration_s": 90.0, "paid_partnership_tag": False}
    assert youtube.requests[0]["part"] == ["snippet,contentDetails,paidProductPlacementDetails"]
    assert youtube.requests[0]["id"] == [LABELLED_ID]


@pytest.mark.parametrize(
    ("vid", "key", "message"),
    [
        (QUOTA_ID, KEY, "quota of this Fairpact installation is used up"),
        ("gone_video1", KEY, "YouTube has no video with this link"),
        (LABELLED_ID, "AIzaWrongKey_0123456789abcdefghij", "refused the configured API key"),
    ],
)
def test_youtube_errors_are_a_clear_reason_without_the_key(vid, key, message):
    with fake_youtube() as youtube, pytest.raises(FetchError, match=message) as caught:
        YOUTUBE_CONNECTOR.fetch(f"https://www.youtube.com/watch?v={vid}", _config(youtube, key=key))
    assert key not in str(caught.value)


def test_an_unexpected_answer_is_a_fetch_error_not_a_crash():
    with fake_youtube() as youtube:
        config = {**_config(youtube), "YOUTUBE_API_BASE_URL": f"http://127.0.0.1:{youtube.port}/elsewhere"}
        with pytest.raises(FetchError, match="YouTube answered 404"):
            YOUTUBE_CONNECTOR.fetch(f"https://youtu.be/{LABELLED_ID}", config)


def test_the_api_request_goes_through_the_outbound_guard():
    with fake_youtube() as youtube:
        config = {**_config(youtube), "OUTBOUND_ALLOW_LOOPBACK": False}
        with pytest.raises(FetchError, match="refused") as caught:
            YOUTUBE_CONNECTOR.fetch(f"https://youtu.be/{LABELLED_ID}", config)
        assert youtube.requests == []
    assert KEY not in str(caught.value)


def test_a_recheck_of_a_youtube_post_reads_the_live_video_through_a_worker(app, client, seed, run_jobs, caplog):
    brand = Brand(client, seed)
    campaign = brand.campaign(["DE"])
    post = brand.call(
        "POST",
        f"/disclosure/campaigns/{campaign['id']}/posts",
        201,
        json={
            "title": "Vlog",
            "creator_relation_id": str(brand.creator.relation_id),
            "relationship": "paid",
            "platform": "youtube",
            "media_type": "video",
        },
    ).json
    link = f"https://www.youtube.com/watch?v={UNLABELLED_ID}"
    with fake_youtube() as youtube:
        saved = {name: app.config.get(name) for name in ("YOUTUBE_API_KEY", "YOUTUBE_API_BASE_URL")}
        app.config.update(YOUTUBE_API_KEY=KEY, YOUTUBE_API_BASE_URL=youtube.base_url)
        try:
            # The creator says YouTube's "includes paid promotion" flag is on.
            brand.submit(post["id"], link=link, caption="Werbung | Mein Sommer-Vlog", paid_partnership_tag=True)
            run_jobs()
            assert brand.call("GET", f"/disclosure/posts/{post['id']}", 200).json["latest_verdict"] == "compliant"
            # Label and flag were removed on YouTube: the manual re-check reads the live video, not the submission.
            recheck = brand.call("POST", f"/disclosure/posts/{post['id']}/checks", 202).json
            with caplog.at_level(logging.DEBUG):
                run_jobs()
            live = brand.call("GET", f"/disclosure/checks/{recheck['id']}", 200).json
            assert live["evidence_source"] == "youtube_data_api"
            assert live["evidence_url"] == link
            assert live["evidence"]["caption"] == "Mein Sommer-Vlog\nSonnencreme #sommer"
            assert live["evidence"]["paid_partnership_tag"] is False  # YouTube's answer, not the creator's
            assert live["evidence"]["duration_s"] == 90.0
            assert live["verdict"] == "violation"

            youtube.videos.pop(UNLABELLED_ID)  # the video was deleted
            gone = brand.call("POST", f"/disclosure/posts/{post['id']}/checks", 202).json
            run_jobs()
            failed = brand.call("GET", f"/disclosure/checks/{gone['id']}", 200).json
            assert failed["status"] == "failed"
            assert "YouTube has no video with this link" in failed["error"]
        finally:
            app.config.update(saved)
    assert KEY not in caplog.text
    assert all(KEY not in json.dumps(c) for c in (live, failed))
