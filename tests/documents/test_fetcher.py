"""While rendering, WeasyPrint may load only the bundled assets: never the network, never a foreign file."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from service.documents.errors import RenderError
from service.documents.fetcher import ResourceRefused, RestrictedURLFetcher
from service.documents.paths import FONTS_DIR
from service.documents.rendering import html_to_pdf
from tests.documents.conftest import drawn_signature_png


class _Recorder(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def web_server() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 that records every request it gets."""
    _Recorder.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="{url}/pixel.png">',
        '<link rel="stylesheet" href="{url}/style.css">',
        "<style>@import url({url}/style.css);</style>",
        '<p style="background: url({url}/bg.png)">x</p>',
    ],
)
def test_rendering_never_reaches_the_network(markup: str, web_server: str):
    html = "<html><body><p>Vertrag</p>" + markup.format(url=web_server) + "</body></html>"

    with pytest.raises(RenderError, match=f"refused to load {web_server}/.*never the network"):
        html_to_pdf(html)

    assert _Recorder.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "fairpact-asset://shared/../../../../etc/passwd",
        "fairpact-asset://shared/fonts/../../../pyproject.toml",
        "fairpact-asset://elsewhere/fonts/DejaVuSans.ttf",
        "fairpact-asset://template/logo.png",  # no template folder was opened to this fetcher
        "ftp://files.example/x.ttf",
        "data:text/html;base64,PGgxPng8L2gxPg==",
        "//cdn.example/font.ttf",
    ],
)
def test_the_fetcher_refuses_foreign_files_and_schemes(url: str):
    with pytest.raises(ResourceRefused):
        RestrictedURLFetcher().fetch(url)


def test_foreign_files_stop_the_render_with_a_clear_error():
    with pytest.raises(RenderError, match="refused to load file:///etc/hostname: files outside the template"):
        html_to_pdf('<html><body><img src="file:///etc/hostname"></body></html>')


def test_bundled_fonts_and_signature_images_are_served():
    fetcher = RestrictedURLFetcher()

    font = fetcher.fetch("fairpact-asset://shared/fonts/DejaVuSans.ttf")
    same_font_as_file = fetcher.fetch((FONTS_DIR / "DejaVuSans.ttf").as_uri())
    png = fetcher.fetch(drawn_signature_png())

    assert font.content_type == "font/ttf" and font.read() == (FONTS_DIR / "DejaVuSans.ttf").read_bytes()
    assert same_font_as_file.read()[:4] == b"\x00\x01\x00\x00"
    assert png.content_type == "image/png" and png.read().startswith(b"\x89PNG")


def test_a_template_folder_serves_its_own_assets_but_no_symlink_out(tmp_path: Path):
    folder = tmp_path / "v1"
    folder.mkdir()
    png = base64.b64decode(drawn_signature_png().split(",", 1)[1])
    (folder / "logo.png").write_bytes(png)
    (folder / "escape.png").symlink_to("/etc/passwd")
    (folder / "notes.txt").write_text("not an asset type")
    fetcher = RestrictedURLFetcher(folder)

    assert fetcher.fetch("fairpact-asset://template/logo.png").read() == png
    assert fetcher.fetch((folder / "logo.png").as_uri()).read() == png
    with pytest.raises(ResourceRefused, match="not a bundled asset"):
        fetcher.fetch("fairpact-asset://template/escape.png")
    with pytest.raises(ResourceRefused, match=r"assets of type \.txt are not served"):
        fetcher.fetch("fairpact-asset://template/notes.txt")
