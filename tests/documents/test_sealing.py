"""The final document: signature page, audit certificate, PAdES seal, and verification of any uploaded file."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from PIL import Image
from pypdf import PdfReader, PdfWriter

from service.documents import rendering, sealing
from service.documents.errors import SealingError, SignatureImageError, StorageIntegrityError
from service.documents.final import assemble_final_pdf, seal_final_document
from service.documents.sealing import SealIdentity, SealStatus, verify_pdf
from service.documents.signature_images import validated_signature_png
from tests.documents.conftest import drawn_signature_png, final_document


def flipped(data: bytes, position: int) -> bytes:
    changed = bytearray(data)
    changed[position] ^= 0x01
    return bytes(changed)


def test_a_sealed_contract_verifies_and_says_which_contract_it_is(
    sealed_pdf: bytes, contract_pdf: rendering.RenderedPdf, trusted: list[x509.Certificate]
):
    result = verify_pdf(sealed_pdf, trusted)

    assert result.status == SealStatus.VALID and result.valid and result.intact and result.has_fairpact_seal
    assert result.document_id == "FP-TEST-0001"
    assert result.contract_sha256 == contract_pdf.sha256
    assert "Fairpact development seal" in (result.signer_subject or "")
    assert result.sealed_at is not None and result.sealed_at.tzinfo is not None


def test_the_final_pdf_is_the_signed_contract_plus_signature_page_and_audit_certificate(
    sealed_pdf: bytes, contract_pdf: rendering.RenderedPdf
):
    reader = PdfReader(io.BytesIO(sealed_pdf))
    contract_reader = PdfReader(io.BytesIO(contract_pdf.data))
    assert len(reader.pages) == contract_pdf.pages + 2
    for index in range(contract_pdf.pages):  # the signed pages are carried over, not re-rendered
        assert reader.pages[index].extract_text() == contract_reader.pages[index].extract_text()

    signature_page = re.sub(r"\s+", " ", reader.pages[-2].extract_text())
    for expected in (
        "Unterschriftenseite / Signature page",
        "Maria Schulz",
        "maria@nordlicht.example",
        "2026-03-02 10:00:00 UTC",
        "Lena Hoffmann",
        "2026-03-02 13:00:00 UTC",
        "gezeichnete Unterschrift / drawn signature",
        "getippter Name / typed name",
        "„Werbung“",
        "am Anfang des Beitrags / at the start of the post",
        "Instagram Reel 1, TikTok Kurzvideo",
        "Einwilligung in die elektronische Unterschrift",
    ):
        assert expected in signature_page, expected
    images = reader.pages[-2].images
    assert len(images) == 1 and images[0].image is not None and images[0].image.size == (300, 100)

    audit = re.sub(r"\s+", "", reader.pages[-1].extract_text())
    assert contract_pdf.sha256 in audit
    for expected in (
        "2026-03-0110:00:00UTC",
        "zurUnterschriftversendet/sentforsignature",
        "Dokumentgeöffnet",
        "203.0.113.7",
        "198.51.100.23",
        "Firefox/140.0",
        "Safari/604.1",
        "https://fairpact.test/verify",
    ):
        assert expected in audit, expected


def test_every_changed_byte_is_reported_as_altered(sealed_pdf: bytes, trusted: list[x509.Certificate]):
    seal = re.search(rb"/Contents\s*<([0-9A-Fa-f]+)>", sealed_pdf)
    assert seal is not None
    padding_start = seal.start(1) + len(seal.group(1).rstrip(b"0")) + 4
    hex_letter = seal.start(1) + re.search(rb"[A-Fa-f]", seal.group(1)).start()  # type: ignore[union-attr]
    positions = {
        *range(0, len(sealed_pdf), len(sealed_pdf) // 150),
        len(sealed_pdf) - 1,
        0,
        5,
        seal.start(1),
        padding_start,
        seal.end(1) - 1,
        hex_letter,
    }

    undetected = [p for p in sorted(positions) if verify_pdf(flipped(sealed_pdf, p), trusted).status != "altered"]

    assert undetected == []
    case_flip = bytearray(sealed_pdf)
    case_flip[hex_letter] ^= 0x20  # 'A' -> 'a': the same signature value, but not the bytes that were sealed
    assert verify_pdf(bytes(case_flip), trusted).status == SealStatus.ALTERED


def test_appended_bytes_and_later_revisions_are_reported_as_altered(sealed_pdf: bytes, trusted: list[x509.Certificate]):
    assert verify_pdf(sealed_pdf + b"\n% appended\n", trusted).status == SealStatus.ALTERED
    assert verify_pdf(sealed_pdf[:-200], trusted).status == SealStatus.ALTERED

    writer = PdfWriter(io.BytesIO(sealed_pdf), incremental=True)
    writer.add_metadata({"/FairpactSealDocumentId": "FP-SOMEONE-ELSE"})
    revised = io.BytesIO()
    writer.write(revised)
    result = verify_pdf(revised.getvalue(), trusted)
    assert result.status == SealStatus.ALTERED and not result.intact and result.has_fairpact_seal


def test_files_without_a_fairpact_seal_are_reported_as_such(
    contract_pdf: rendering.RenderedPdf, trusted: list[x509.Certificate]
):
    unsealed = verify_pdf(contract_pdf.data, trusted)
    assert unsealed.status == SealStatus.NOT_SEALED and not unsealed.has_fairpact_seal and not unsealed.intact
    assert unsealed.message == "This PDF carries no Fairpact seal."
    assert verify_pdf(b"not a pdf at all", trusted).status == SealStatus.NOT_SEALED
    assert verify_pdf(b"", trusted).status == SealStatus.NOT_SEALED


def test_a_seal_made_with_another_certificate_is_not_a_fairpact_seal(
    sealed_pdf: bytes, contract_pdf: rendering.RenderedPdf, tmp_path: Path, trusted: list[x509.Certificate]
):
    impostor = sealing.ensure_dev_certificate(tmp_path / "impostor")
    forged = seal_final_document(final_document(contract_pdf), impostor).data

    result = verify_pdf(forged, trusted)

    assert result.status == SealStatus.UNTRUSTED and not result.has_fairpact_seal
    assert result.message == "The seal was not made with a Fairpact certificate."
    rotated = [*trusted, x509.load_pem_x509_certificate(impostor.certificate_path.read_bytes())]
    assert verify_pdf(forged, rotated).status == SealStatus.VALID  # SEAL_EXTRA_TRUSTED_CERTS after a key rotation


def test_a_contract_that_is_not_the_signed_one_is_never_sealed(contract_pdf: rendering.RenderedPdf):
    document = dataclasses.replace(final_document(contract_pdf), contract_pdf=contract_pdf.data + b" ")

    with pytest.raises(StorageIntegrityError, match="not the document the parties signed"):
        assemble_final_pdf(document)


def _write_key_and_cert(
    folder: Path, *, days_valid: int = 30, password: bytes | None = None, start: dt.datetime | None = None
) -> SealIdentity:
    folder.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test seal")])
    begin = start or dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(begin)
        .not_valid_after(begin + dt.timedelta(days=days_valid))
        .sign(key, hashes.SHA256())
    )
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    (folder / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    )
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return SealIdentity(folder / "cert.pem", folder / "key.pem", password.decode() if password else None)


def test_sealing_problems_raise_a_clear_error(tmp_path: Path, contract_pdf: rendering.RenderedPdf):
    good = _write_key_and_cert(tmp_path / "good", password=b"correct horse")
    other = _write_key_and_cert(tmp_path / "other")
    expired = _write_key_and_cert(tmp_path / "expired", start=dt.datetime(2020, 1, 1, tzinfo=dt.UTC), days_valid=30)
    cases = {
        "cannot be read": SealIdentity(tmp_path / "missing.pem", good.key_path),
        "is encrypted: set SEAL_KEY_PASSWORD": dataclasses.replace(good, key_password=None),
        "wrong SEAL_KEY_PASSWORD": dataclasses.replace(good, key_password="wrong"),
        "does not belong to the certificate": SealIdentity(good.certificate_path, other.key_path),
        "is valid from 2020-01-01 to 2020-01-31, not today": expired,
        "is not a PEM or DER X.509 certificate": SealIdentity(good.key_path, good.key_path, "correct horse"),
    }
    for message, identity in cases.items():
        with pytest.raises(SealingError, match=message):
            sealing.seal_pdf(contract_pdf.data, identity)
    with pytest.raises(SealingError, match="pyHanko could not seal the document"):
        sealing.seal_pdf(b"%PDF-1.7 but nothing else", good)
    assert (
        verify_pdf(
            sealing.seal_pdf(contract_pdf.data, good),
            [x509.load_pem_x509_certificate(good.certificate_path.read_bytes())],
        ).status
        == SealStatus.VALID
    )


def test_the_seal_comes_from_configuration_or_a_development_certificate(tmp_path: Path):
    configured = _write_key_and_cert(tmp_path / "configured")
    settings = {"SEAL_CERT_PATH": str(configured.certificate_path), "SEAL_KEY_PATH": str(configured.key_path)}
    assert sealing.seal_identity_from_config({"FAIRPACT_ENV": "production", **settings}).key_path == configured.key_path

    development = sealing.seal_identity_from_config({"FAIRPACT_ENV": "development", "INSTANCE_DIR": str(tmp_path)})
    assert development.certificate_path == tmp_path / "seal" / "dev-seal-cert.pem"
    assert oct(development.key_path.stat().st_mode & 0o777) == "0o600"
    assert (
        sealing.ensure_dev_certificate(tmp_path / "seal").certificate_path.read_bytes()
        == development.certificate_path.read_bytes()
    )  # created once, then reused
    with pytest.raises(SealingError, match="No seal certificate is configured"):
        sealing.seal_identity_from_config({"FAIRPACT_ENV": "production", "INSTANCE_DIR": str(tmp_path)})


def test_the_dev_certificate_command_creates_the_seal_in_the_instance_folder(tmp_path: Path):
    from service.app import create_app

    app = create_app(env={"FAIRPACT_ENV": "development", "FAIRPACT_INSTANCE_DIR": str(tmp_path)})

    result = app.test_cli_runner().invoke(args=["dev-certificate"])

    assert result.exit_code == 0, result.output
    assert "Development seal: O=Fairpact (development only),CN=Fairpact development seal" in result.output
    assert (tmp_path / "seal" / "dev-seal-cert.pem").is_file()


def _png_data_url(image: Image.Image, fmt: str = "PNG") -> str:
    out = io.BytesIO()
    image.save(out, format=fmt)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


@pytest.mark.parametrize(
    ("data_url", "message"),
    [
        ("data:image/svg+xml;base64,PHN2Zz4=", "must be a data:image/png;base64 URL"),
        ("data:image/png;base64,not base64!", "not valid base64"),
        ("data:image/png;base64," + base64.b64encode(b"GIF89a....").decode(), "not a PNG"),
        (_png_data_url(Image.new("RGBA", (300, 100), (0, 0, 0, 0))), "the signature is empty"),
        (_png_data_url(Image.new("RGBA", (5000, 50), (0, 0, 0, 255))), "at most 3000 pixels"),
        (_png_data_url(Image.new("RGBA", (10, 10), (0, 0, 0, 255))), "at least 20 pixels"),
        ("data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64).decode(), "damaged"),
    ],
)
def test_drawn_signatures_must_be_real_small_non_empty_pngs(data_url: str, message: str):
    with pytest.raises(SignatureImageError, match=f"(?i){message}"):
        validated_signature_png(data_url)


def test_an_accepted_signature_is_re_encoded_without_its_extra_bytes():
    original = drawn_signature_png()
    with_trailer = original + base64.b64encode(b"<script>").decode()

    cleaned = validated_signature_png(original)

    assert cleaned.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(cleaned.split(",", 1)[1])))
    assert image.format == "PNG" and image.size == (300, 100)
    with pytest.raises(SignatureImageError):
        validated_signature_png(with_trailer)  # the base64 no longer decodes cleanly


def test_inside_the_app_the_configured_seal_is_used_and_trusted(tmp_path: Path, contract_pdf: rendering.RenderedPdf):
    from service.app import create_app

    app = create_app(env={"FAIRPACT_ENV": "development", "FAIRPACT_INSTANCE_DIR": str(tmp_path)})
    with app.app_context():
        identity = sealing.seal_identity_from_config(app.config)
        sealed = seal_final_document(final_document(contract_pdf), identity).data

        assert verify_pdf(sealed).status == SealStatus.VALID
        assert verify_pdf(flipped(sealed, len(sealed) // 2)).status == SealStatus.ALTERED
