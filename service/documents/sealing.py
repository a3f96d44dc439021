"""The Fairpact seal: a PAdES certification signature by pyHanko over the whole final PDF, and its verification.

Sealing uses the configured certificate and key (``SEAL_CERT_PATH``, ``SEAL_KEY_PATH``, ``SEAL_KEY_PASSWORD``);
in development and test a self-signed certificate is created in the instance folder when none is configured.
Every way sealing can fail raises ``SealingError`` with a sentence an operator can act on, because a seal job
that fails quietly leaves contracts "pending" forever (the most common complaint about self-hosted signing).

``verify_pdf`` answers the verification page: is this an unaltered file sealed by Fairpact, and which
contract is it. One changed byte anywhere must read as altered, so besides pyHanko's checks (signed byte
range, digest, certificate, whole-file coverage) it checks the one region the signature cannot cover: the
hex-encoded signature itself, which must be exactly as written, zero padding included.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import fcntl
import io
import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from service.documents.errors import SealingError

SEAL_FIELD = "FairpactSeal"
INFO_DOCUMENT_ID = "/FairpactSealDocumentId"
INFO_CONTRACT_SHA256 = "/FairpactSealContractSHA256"
SEAL_REASON = "Fairpact seal: signed by all parties, audit certificate attached"
# Bytes only a sealed Fairpact PDF contains; one changed byte cannot remove both, so a damaged seal is
# reported as "altered", never as "not sealed".
SEAL_MARKERS = (f"({SEAL_FIELD})".encode(), INFO_DOCUMENT_ID.encode())
DEV_CERT_NAME = "dev-seal-cert.pem"
DEV_KEY_NAME = "dev-seal-key.pem"


@dataclass(frozen=True)
class SealIdentity:
    """Where the seal certificate and its private key are (PEM), and the key's password if it has one."""

    certificate_path: Path
    key_path: Path
    key_password: str | None = None


# --- configuration and the development certificate -------------------------------------------------


def seal_identity_from_config(config: Mapping[str, Any]) -> SealIdentity:
    """The configured seal, or in development/test the instance's self-signed one (created on first use).

    :raises SealingError: in production when no certificate is configured.
    """
    cert, key = config.get("SEAL_CERT_PATH"), config.get("SEAL_KEY_PATH")
    if cert and key:
        return SealIdentity(Path(cert), Path(key), config.get("SEAL_KEY_PASSWORD"))
    if config.get("FAIRPACT_ENV") in ("development", "test"):
        return ensure_dev_certificate(Path(config["INSTANCE_DIR"]) / "seal")
    raise SealingError("No seal certificate is configured: set SEAL_CERT_PATH and SEAL_KEY_PATH to PEM files.")


def trusted_seal_certificates(config: Mapping[str, Any]) -> list[x509.Certificate]:
    """The certificates whose seals count as Fairpact's: the current one and any earlier ones still trusted."""
    paths = [seal_identity_from_config(config).certificate_path]
    paths += [Path(extra) for extra in config.get("SEAL_EXTRA_TRUSTED_CERTS") or ()]
    return [_read_certificate(path) for path in paths]


def ensure_dev_certificate(folder: Path) -> SealIdentity:
    """A self-signed development seal in ``folder``, created once (safe when several processes race)."""
    identity = SealIdentity(folder / DEV_CERT_NAME, folder / DEV_KEY_NAME)
    if identity.certificate_path.exists() and identity.key_path.exists():
        return identity
    folder.mkdir(parents=True, exist_ok=True)
    # A web and a worker process starting together must not each write half of a different pair.
    with (folder / ".create.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (identity.certificate_path.exists() and identity.key_path.exists()):
            _create_dev_pair(identity)
    return identity


def _create_dev_pair(identity: SealIdentity) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = _self_signed_certificate(key, years=5)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # Key first, certificate last: the certificate's presence is what marks the pair complete.
    _write_atomically(identity.key_path, key_pem, mode=0o600)
    _write_atomically(identity.certificate_path, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)


def _self_signed_certificate(key: rsa.RSAPrivateKey, years: int) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Fairpact development seal"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Fairpact (development only)"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )


def _write_atomically(path: Path, data: bytes, mode: int) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


# --- loading the seal ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadedSeal:
    certificate: asn1_x509.Certificate
    private_key: asn1_keys.PrivateKeyInfo
    subject: str


def load_seal(identity: SealIdentity, now: dt.datetime | None = None) -> LoadedSeal:
    """Read and check the certificate and key: present, readable, matching and valid today.

    :raises SealingError: naming the file and what is wrong with it.
    """
    cert = _read_certificate(identity.certificate_path)
    key = _read_private_key(identity.key_path, identity.key_password)
    if cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) != key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo):
        raise SealingError(
            f"The seal key {identity.key_path} does not belong to the certificate {identity.certificate_path}."
        )
    moment = now or dt.datetime.now(dt.UTC)
    if not cert.not_valid_before_utc <= moment <= cert.not_valid_after_utc:
        raise SealingError(
            f"The seal certificate {identity.certificate_path} is valid from {cert.not_valid_before_utc:%Y-%m-%d} "
            f"to {cert.not_valid_after_utc:%Y-%m-%d}, not today; configure a current one."
        )
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return LoadedSeal(
        certificate=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        private_key=asn1_keys.PrivateKeyInfo.load(der_key),
        subject=cert.subject.rfc4514_string(),
    )


def _read_certificate(path: Path) -> x509.Certificate:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SealingError(f"The seal certificate {path} cannot be read: {exc.strerror or exc}.") from exc
    try:
        return x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data else x509.load_der_x509_certificate(data)
    except ValueError as exc:
        raise SealingError(f"The seal certificate {path} is not a PEM or DER X.509 certificate.") from exc


def _read_private_key(path: Path, password: str | None) -> Any:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SealingError(f"The seal key {path} cannot be read: {exc.strerror or exc}.") from exc
    try:
        return serialization.load_pem_private_key(data, password.encode() if password else None)
    except TypeError as exc:
        raise SealingError(f"The seal key {path} is encrypted: set SEAL_KEY_PASSWORD.") from exc
    except ValueError as exc:
        raise SealingError(f"The seal key {path} cannot be opened (wrong SEAL_KEY_PASSWORD or not a PEM key).") from exc


# --- sealing ---------------------------------------------------------------------------------------

T = TypeVar("T")


def outside_event_loop(work: Callable[[], T]) -> T:
    """Run ``work`` where pyHanko's synchronous API can run.

    pyHanko's sync calls use ``asyncio.run()``, which refuses to start while an event loop runs in the
    current thread (an async server, or a test harness such as Playwright's). Then the work moves to a
    short-lived helper thread, which has no loop of its own.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyhanko") as pool:
        return pool.submit(work).result()


def seal_pdf(pdf: bytes, identity: SealIdentity, *, location: str | None = None) -> bytes:
    """Seal ``pdf`` with a PAdES B-B certification signature that forbids any later change.

    :raises SealingError: the key material is unusable or pyHanko could not sign this PDF.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    seal = load_seal(identity)
    signer = signers.SimpleSigner(
        signing_cert=seal.certificate, signing_key=seal.private_key, cert_registry=SimpleCertificateStore()
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=SEAL_REASON,
        location=location,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        return outside_event_loop(lambda: signers.PdfSigner(metadata, signer=signer).sign_pdf(writer).getvalue())
    except Exception as exc:  # pyHanko raises many types (PdfReadError, SigningError, ValueError…); all mean the same
        raise SealingError(f"pyHanko could not seal the document: {type(exc).__name__}: {exc}") from exc


# --- verification ----------------------------------------------------------------------------------


class SealStatus(enum.StrEnum):
    VALID = "valid"  # sealed by a trusted Fairpact certificate, not changed since
    ALTERED = "altered"  # carries a Fairpact seal, but the file changed after sealing (or the seal is damaged)
    UNTRUSTED = "untrusted"  # intact signature, but not by a Fairpact certificate
    NOT_SEALED = "not_sealed"  # no Fairpact seal at all (includes files that are not PDFs)


@dataclass(frozen=True)
class VerificationResult:
    """What the verification page shows. ``document_id`` and ``contract_sha256`` come from the file itself:
    trustworthy when the status is VALID, only a hint ("claims to be contract X") when it is ALTERED."""

    status: SealStatus
    message: str
    document_id: str | None = None
    contract_sha256: str | None = None
    signer_subject: str | None = None
    sealed_at: dt.datetime | None = None

    @property
    def has_fairpact_seal(self) -> bool:
        """The file carries a seal made with a Fairpact certificate (intact or not)."""
        return self.status in (SealStatus.VALID, SealStatus.ALTERED)

    @property
    def intact(self) -> bool:
        """Not a single byte changed since the seal was applied."""
        return self.status == SealStatus.VALID

    @property
    def valid(self) -> bool:
        return self.status == SealStatus.VALID


def verify_pdf(data: bytes, trusted: Sequence[x509.Certificate] | None = None) -> VerificationResult:
    """Is ``data`` an unaltered PDF sealed by Fairpact, and which contract is it?

    :param trusted: the seal certificates to accept; default the app's (``trusted_seal_certificates``).
    """
    if trusted is None:
        from flask import current_app

        trusted = trusted_seal_certificates(current_app.config)
    claims_seal = any(marker in data for marker in SEAL_MARKERS)
    try:
        return outside_event_loop(lambda: _verify(data, list(trusted), claims_seal))
    except Exception as exc:  # a damaged file makes the PDF parser fail anywhere; never a 500 on upload
        if claims_seal:
            return VerificationResult(
                SealStatus.ALTERED, f"The file carries a Fairpact seal but is damaged ({type(exc).__name__})."
            )
        return VerificationResult(SealStatus.NOT_SEALED, "This file is not a PDF sealed by Fairpact.")


def _verify(data: bytes, trusted: list[x509.Certificate], claims_seal: bool) -> VerificationResult:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data))
    seal = next((sig for sig in reader.embedded_signatures if sig.field_name == SEAL_FIELD), None)
    if seal is None:
        if claims_seal or reader.embedded_signatures:
            status = SealStatus.ALTERED if claims_seal else SealStatus.UNTRUSTED
            return VerificationResult(status, "The file is signed, but carries no intact Fairpact seal.")
        return VerificationResult(SealStatus.NOT_SEALED, "This PDF carries no Fairpact seal.")
    return _judge(data, reader, seal, trusted)


def _judge(data: bytes, reader: Any, seal: Any, trusted: list[x509.Certificate]) -> VerificationResult:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    roots = [asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)) for cert in trusted]
    status = validate_pdf_signature(seal, ValidationContext(trust_roots=roots, allow_fetching=False))
    # Item access dereferences the indirect /Info object; dict.get would return the reference.
    info = reader.trailer["/Info"] if "/Info" in reader.trailer else {}  # noqa: SIM401
    details = {
        "document_id": _text(info.get(INFO_DOCUMENT_ID)),
        "contract_sha256": _text(info.get(INFO_CONTRACT_SHA256)),
        "signer_subject": status.signing_cert.subject.human_friendly,
        "sealed_at": status.signer_reported_dt,
    }
    unchanged = (
        status.intact
        and status.valid
        and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        and status.docmdp_ok is not False
        and _signature_bytes_as_written(data, seal)
    )
    if not unchanged:
        return VerificationResult(SealStatus.ALTERED, "The file was changed after Fairpact sealed it.", **details)
    if not status.trusted:
        return VerificationResult(SealStatus.UNTRUSTED, "The seal was not made with a Fairpact certificate.", **details)
    return VerificationResult(SealStatus.VALID, "Unaltered contract sealed by Fairpact.", **details)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _signature_bytes_as_written(data: bytes, seal: Any) -> bool:
    """The /Contents hex string (outside the signed byte range) must be exactly what the signer wrote:
    one hex case throughout, the DER signature, then zero padding only."""
    byte_range = list(seal.sig_object["/ByteRange"])
    gap = data[byte_range[1] : byte_range[2]]
    contents = bytes(seal.sig_object["/Contents"])
    if not re.fullmatch(rb"<[0-9A-F]*>|<[0-9a-f]*>", gap):
        return False
    if gap[1:-1].lower() != contents.hex().encode():
        return False
    return not any(contents[_der_length(contents) :])


def _der_length(der: bytes) -> int:
    """Total length of the DER value at the start of ``der`` (tag, length octets, content)."""
    if len(der) < 2:
        return len(der)
    first = der[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    return 2 + count + int.from_bytes(der[2 : 2 + count], "big")
