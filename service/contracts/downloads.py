"""Handing out a contract's documents: the stored PDFs (checked against their recorded SHA-256) and HTML views.

The HTML of a contract carries its own inline styles and no scripts (it comes out of the template sandbox),
so it is served under a policy of its own: inline styles only, nothing fetched but the bundled fonts (from
our own font route), framed only by our pages.
"""

from __future__ import annotations

from flask import Response

from service.contracts import operations as ops
from service.contracts.models import Contract, ContractVersion
from service.contracts.production import storage
from service.contracts.web.fonts import browser_html
from service.errors import Conflict

# For contract HTML only: its inline <style> is allowed, nothing else (no scripts, no fetches).
DOCUMENT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'self'; frame-ancestors 'self'; sandbox"
)


def pdf_bytes(version: ContractVersion, *, sealed: bool) -> bytes:
    """The stored PDF, re-hashed on read: a file that is not the recorded one is never handed out."""
    key, digest = (version.sealed_key, version.sealed_sha256) if sealed else (version.pdf_key, version.pdf_sha256)
    if key is None or digest is None:
        what = "sealed PDF" if sealed else "PDF"
        raise Conflict(
            f"The {what} of this contract is not ready yet; try again shortly.", {"document": ["Not ready."]}
        )
    return storage().get(key, expected_sha256=digest)


def pdf_response(version: ContractVersion, *, sealed: bool, inline: bool = False) -> Response:
    data = pdf_bytes(version, sealed=sealed)
    name = f"{version.document_id or 'contract'}{'-sealed' if sealed else ''}.pdf"
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{name}"'
    response.headers["X-Content-SHA256"] = version.sealed_sha256 if sealed else version.pdf_sha256 or ""
    response.headers["Cache-Control"] = "private, no-store"
    return response


def contract_pdf_response(contract: Contract, version: ContractVersion, *, sealed: bool) -> Response:
    return pdf_response(version, sealed=sealed)


def html_response(html: str) -> Response:
    """Contract HTML for a browser: its bundled fonts served by our font route, under the document policy."""
    response = Response(browser_html(html), mimetype="text/html")
    response.headers["Content-Security-Policy"] = DOCUMENT_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def preview_response(contract: Contract, version: ContractVersion) -> Response:
    """A draft rendered now; a sent version as the stored HTML the PDF was made from."""
    if version.html_key is not None:
        return html_response(storage().get(version.html_key).decode("utf-8"))
    return html_response(ops.preview_html(contract, version))
