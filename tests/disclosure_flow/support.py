"""Helpers of the disclosure flow tests: a brand seen through its API key, and a local page server."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tenants.roles import Role
from tests.factories import bearer


class Brand:
    """A brand tenant with one creator, driven through the API."""

    def __init__(self, client: Any, seed: Any, name: str = "Sonnen GmbH", kind: Any = None):
        from tenants.models import TenantKind

        self.client = client
        self.tenant = seed.make_tenant(kind or TenantKind.BRAND, name)
        self.creator = seed.make_creator(self.tenant.id, email=f"creator-{uuid.uuid4().hex[:6]}@example.com")
        self.headers = bearer(seed.make_api_key(self.tenant.id, Role.ADMIN))

    def call(self, method: str, path: str, expect: int | None = None, **kwargs: Any) -> Any:
        response = self.client.open(f"/api/v1{path}", method=method, headers=self.headers, **kwargs)
        if expect is not None:
            assert response.status_code == expect, (response.status_code, response.get_data(as_text=True))
        return response

    def campaign(self, jurisdictions: list[str] | None = None) -> dict[str, Any]:
        body = {"name": "Sommer 2026", "jurisdictions": jurisdictions or ["DE"], "platforms": ["instagram"]}
        return self.call("POST", "/disclosure/campaigns", 201, json=body).json

    def post(self, campaign_id: str, media_type: str = "image", relationship: str = "paid") -> dict[str, Any]:
        body = {
            "title": "Sonnencreme Reel",
            "creator_relation_id": str(self.creator.relation_id),
            "relationship": relationship,
            "platform": "instagram",
            "media_type": media_type,
        }
        return self.call("POST", f"/disclosure/campaigns/{campaign_id}/posts", 201, json=body).json

    def submit(self, post_id: str, **fields: Any) -> dict[str, Any]:
        return self.call("POST", f"/disclosure/posts/{post_id}/submissions", 202, json=fields).json

    def subscribe(self, url: str, events: list[str]) -> None:
        self.call("POST", "/webhooks/endpoints", 201, json={"url": url, "event_types": events})


@dataclass
class PageServer:
    """Serves scripted pages on 127.0.0.1: ``pages[path] = (status, headers, body)``."""

    pages: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    port: int = 0
    hits: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def page(self, path: str, caption: str) -> str:
        html = f'<html><head><meta property="og:description" content="{caption}"></head><body></body></html>'
        self.pages[path] = (200, {"Content-Type": "text/html; charset=utf-8"}, html.encode())
        return self.url(path)

    def redirect(self, path: str, location: str) -> str:
        self.pages[path] = (302, {"Location": location}, b"")
        return self.url(path)


@contextmanager
def page_server() -> Iterator[PageServer]:
    server_state = PageServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server_state.hits.append(self.path)
            status, headers, body = server_state.pages.get(self.path, (404, {}, b"not found"))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_state
    finally:
        server.shutdown()
        server.server_close()


def image_bytes(image_format: str = "PNG", size: tuple[int, int] = (40, 30), **save_options: Any) -> bytes:
    """A small real image in ``image_format`` (PNG, JPEG, WEBP, GIF…), drawn so it is not blank."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).rectangle((2, 2, size[0] // 2, size[1] // 2), fill="red")
    out = io.BytesIO()
    image.save(out, format=image_format, **save_options)
    return out.getvalue()
