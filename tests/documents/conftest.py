"""Fixtures for the document library: sample constants, a development seal, a real local S3-compatible server.

None of these need PostgreSQL: the library works on plain data and bytes. The S3 server is moto's
ThreadedMotoServer on 127.0.0.1 (a real HTTP server speaking the S3 protocol), never the internet.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from PIL import Image, ImageDraw

from service.documents import catalogue, rendering, sealing
from service.documents.context import DocumentInfo
from service.documents.final import AuditEvent, FinalDocument, LabellingConfirmation, SignerRecord

SIGNED_AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def legal() -> dict[str, Any]:
    return rendering.sample_legal_constants()


@pytest.fixture(scope="session")
def seal_identity(tmp_path_factory: pytest.TempPathFactory) -> sealing.SealIdentity:
    return sealing.ensure_dev_certificate(tmp_path_factory.mktemp("instance") / "seal")


@pytest.fixture(scope="session")
def trusted(seal_identity: sealing.SealIdentity) -> list[x509.Certificate]:
    return [x509.load_pem_x509_certificate(seal_identity.certificate_path.read_bytes())]


@pytest.fixture(scope="session")
def contract_pdf(legal: dict[str, Any]) -> rendering.RenderedPdf:
    template = catalogue.load_template("influencer_collaboration")
    return rendering.render_contract_pdf(
        template, template.sample_terms, legal=legal, document=DocumentInfo("FP-TEST-0001"), languages=["de"]
    )


def drawn_signature_png(width: int = 300, height: int = 100) -> str:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(image).line(
        (10, height - 20, width // 3, 20, width - 10, height // 2), fill=(20, 20, 120, 255), width=4
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def final_document(contract: rendering.RenderedPdf) -> FinalDocument:
    return FinalDocument(
        document_id="FP-TEST-0001",
        title="Kooperationsvertrag Influencer-Marketing",
        contract_pdf=contract.data,
        contract_sha256=contract.sha256,
        languages=("de", "en"),
        signers=(
            SignerRecord(
                "Maria Schulz",
                "brand_signatory",
                "maria@nordlicht.example",
                SIGNED_AT,
                "203.0.113.7",
                "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
                typed_signature="Maria Schulz",
            ),
            SignerRecord(
                "Lena Hoffmann",
                "creator",
                "lena@example.org",
                SIGNED_AT + dt.timedelta(hours=3),
                "198.51.100.23",
                "Mozilla/5.0 (iPhone; CPU iPhone OS 19_0 like Mac OS X) Safari/604.1",
                drawn_signature=drawn_signature_png(),
                labelling=LabellingConfirmation("Werbung", "start_of_post", ("Instagram Reel 1", "TikTok Kurzvideo")),
            ),
        ),
        events=(
            AuditEvent(SIGNED_AT - dt.timedelta(days=1), "sent", "Maria Schulz", "203.0.113.7", "Firefox/140.0"),
            AuditEvent(SIGNED_AT, "signed", "Maria Schulz", "203.0.113.7", "Firefox/140.0"),
            AuditEvent(SIGNED_AT + dt.timedelta(hours=2), "opened", "Lena Hoffmann", "198.51.100.23", "Safari/604.1"),
            AuditEvent(SIGNED_AT + dt.timedelta(hours=3), "signed", "Lena Hoffmann", "198.51.100.23", "Safari/604.1"),
        ),
        verify_url="https://fairpact.test/verify",
    )


@pytest.fixture(scope="session")
def sealed_pdf(contract_pdf: rendering.RenderedPdf, seal_identity: sealing.SealIdentity) -> bytes:
    from service.documents.final import seal_final_document

    return seal_final_document(final_document(contract_pdf), seal_identity).data


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def instance_dir(tmp_path: Path) -> Path:
    return tmp_path / "instance"
