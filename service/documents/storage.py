"""Where contract PDFs are kept: the local disk by default, an S3-compatible bucket by configuration.

Both backends behave the same way:

- ``put(key, data)`` returns the SHA-256 to record with the contract. A key is written once: putting the
  same bytes again is a no-op (jobs may run twice), different bytes under an existing key raise
  ``StorageConflict`` (a signed document is never replaced).
- ``get(key, expected_sha256=...)`` re-hashes what it read and raises ``StorageIntegrityError`` on a mismatch,
  so nobody is ever shown a document other than the one that was signed.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from service.documents.errors import StorageConflict, StorageError, StorageIntegrityError

_KEY = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$")
MAX_KEY_LENGTH = 512


@dataclass(frozen=True)
class StoredDocument:
    key: str
    sha256: str
    size: int


class DocumentStorage(Protocol):
    def put(self, key: str, data: bytes, content_type: str = "application/pdf") -> StoredDocument: ...

    def get(self, key: str, expected_sha256: str | None = None) -> bytes: ...

    def exists(self, key: str) -> bool: ...


def document_key(tenant_id: object, document_id: object, name: str) -> str:
    """The conventional key: ``tenants/<tenant>/documents/<document>/<name>`` (tenant first, for listing)."""
    return check_key(f"tenants/{tenant_id}/documents/{document_id}/{name}")


def check_key(key: str) -> str:
    """Keys are relative paths of plain segments: no "..", no leading "/", nothing a shell or URL would mangle.

    ``fullmatch``: with ``match``, ``$`` also matches before a final newline, which let "a.pdf\\n" through.
    """
    if len(key) > MAX_KEY_LENGTH or not _KEY.fullmatch(key) or any(part in (".", "..") for part in key.split("/")):
        raise ValueError(f"{key!r} is not a valid document key")
    return key


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _verified(key: str, data: bytes, expected_sha256: str | None) -> bytes:
    if expected_sha256 is not None and sha256_hex(data) != expected_sha256.lower():
        raise StorageIntegrityError(f"{key} no longer has the SHA-256 recorded when it was stored")
    return data


class LocalDocumentStorage:
    """Files under one folder; each written to a temporary file and linked into place, never half-written."""

    def __init__(self, root: Path):
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes, content_type: str = "application/pdf") -> StoredDocument:
        path = self._path(key)
        stored = StoredDocument(key, sha256_hex(data), len(data))
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.link(temporary, path)  # fails if the key exists: two writers cannot both win
        except FileExistsError:
            self._accept_existing(key, stored)
        except OSError as exc:
            raise StorageError(f"could not store {key}: {exc.strerror or exc}") from exc
        finally:
            os.unlink(temporary)
        return stored

    def _accept_existing(self, key: str, stored: StoredDocument) -> None:
        if sha256_hex(self._path(key).read_bytes()) != stored.sha256:
            raise StorageConflict(f"{key} already holds a different document; stored documents are never replaced")

    def get(self, key: str, expected_sha256: str | None = None) -> bytes:
        try:
            data = self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise StorageError(f"{key} is not in the document store") from exc
        except OSError as exc:
            raise StorageError(f"could not read {key}: {exc.strerror or exc}") from exc
        return _verified(key, data, expected_sha256)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


class S3DocumentStorage:
    """An S3-compatible bucket (AWS S3, MinIO, Ceph, …) through boto3."""

    def __init__(self, client: Any, bucket: str, prefix: str = ""):
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def _object(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes, content_type: str = "application/pdf") -> StoredDocument:
        from botocore.exceptions import BotoCoreError, ClientError

        stored = StoredDocument(key, sha256_hex(data), len(data))
        digest = base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self._object(key),
                Body=data,
                ContentType=content_type,
                Metadata={"sha256": stored.sha256},
                ChecksumSHA256=digest,  # the server rejects a body damaged on the way
                IfNoneMatch="*",  # write-once, decided by the server, so two writers cannot both win
            )
        except ClientError as exc:
            if _error_code(exc) in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
                self._accept_existing(key, stored)
            else:
                raise StorageError(f"could not store {key} in bucket {self.bucket}: {_error_code(exc)}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"could not reach the document bucket {self.bucket}: {exc}") from exc
        return stored

    def _accept_existing(self, key: str, stored: StoredDocument) -> None:
        if sha256_hex(self.get(key)) != stored.sha256:
            raise StorageConflict(f"{key} already holds a different document; stored documents are never replaced")

    def get(self, key: str, expected_sha256: str | None = None) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._object(key))
            data = response["Body"].read()
        except ClientError as exc:
            raise StorageError(f"could not read {key} from bucket {self.bucket}: {_error_code(exc)}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"could not reach the document bucket {self.bucket}: {exc}") from exc
        return _verified(key, data, expected_sha256)

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._object(key))
        except ClientError as exc:
            if _error_code(exc) in ("404", "NoSuchKey", "NotFound"):
                return False
            raise StorageError(f"could not check {key} in bucket {self.bucket}: {_error_code(exc)}") from exc
        return True


def _error_code(exc: Any) -> str:
    return str(exc.response.get("Error", {}).get("Code", "unknown"))


def storage_from_config(config: Mapping[str, Any]) -> DocumentStorage:
    """The backend ``STORAGE_BACKEND`` selects: ``local`` (``STORAGE_DIR``) or ``s3`` (``S3_*`` settings)."""
    if config.get("STORAGE_BACKEND", "local") == "s3":
        return S3DocumentStorage(s3_client(config), config["S3_BUCKET"], config.get("S3_PREFIX") or "")
    return LocalDocumentStorage(Path(config["STORAGE_DIR"]))


def s3_client(config: Mapping[str, Any]) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=config.get("S3_ENDPOINT_URL"),
        region_name=config.get("S3_REGION"),
        aws_access_key_id=config.get("S3_ACCESS_KEY_ID"),
        aws_secret_access_key=config.get("S3_SECRET_ACCESS_KEY"),
        config=Config(
            connect_timeout=5,
            read_timeout=30,
            retries={"max_attempts": 3, "mode": "standard"},
            s3={"addressing_style": config.get("S3_ADDRESSING_STYLE") or "auto"},
        ),
    )
