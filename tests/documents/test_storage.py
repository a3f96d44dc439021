"""Document storage: the same behaviour on local disk and on a real S3-compatible server (moto, on 127.0.0.1)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.config import load_config
from service.documents.errors import StorageConflict, StorageError, StorageIntegrityError
from service.documents.storage import (
    DocumentStorage,
    LocalDocumentStorage,
    S3DocumentStorage,
    document_key,
    s3_client,
    storage_from_config,
)

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def s3_settings(endpoint: str, bucket: str) -> dict[str, Any]:
    return {
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": bucket,
        "S3_PREFIX": "fairpact",
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": "eu-central-1",
        "S3_ACCESS_KEY_ID": "test-access-key",
        "S3_SECRET_ACCESS_KEY": "test-secret-key",
        "S3_ADDRESSING_STYLE": "path",
    }


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DocumentStorage]:
    if request.param == "local":
        yield storage_from_config({"STORAGE_BACKEND": "local", "STORAGE_DIR": str(tmp_path / "documents")})
        return
    endpoint = request.getfixturevalue("s3_endpoint")
    config = s3_settings(endpoint, f"fairpact-docs-{uuid.uuid4().hex[:12]}")
    s3_client(config).create_bucket(
        Bucket=config["S3_BUCKET"], CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
    )
    yield storage_from_config(config)


def test_a_stored_pdf_comes_back_identical_with_its_sha256(storage: DocumentStorage):
    key = document_key(uuid.uuid4(), "FP-2026-0001", "contract-v1.pdf")

    stored = storage.put(key, PDF)

    assert stored.sha256 == hashlib.sha256(PDF).hexdigest() and stored.size == len(PDF)
    assert storage.exists(key) and not storage.exists(key + ".missing")
    assert storage.get(key, expected_sha256=stored.sha256) == PDF


def test_storing_the_same_document_twice_is_harmless_but_never_replaces_it(storage: DocumentStorage):
    key = document_key("tenant", "FP-1", "sealed.pdf")
    first = storage.put(key, PDF)

    assert storage.put(key, PDF) == first  # a job that runs twice
    with pytest.raises(StorageConflict, match="already holds a different document"):
        storage.put(key, PDF + b"changed")
    assert storage.get(key) == PDF


def test_reading_with_the_wrong_hash_or_a_missing_key_fails_loudly(storage: DocumentStorage):
    key = document_key("tenant", "FP-2", "contract.pdf")
    storage.put(key, PDF)

    with pytest.raises(StorageIntegrityError, match="no longer has the SHA-256"):
        storage.get(key, expected_sha256=hashlib.sha256(b"other").hexdigest())
    with pytest.raises(StorageError, match=r"tenants/tenant/documents/FP-2/nothing\.pdf"):
        storage.get(document_key("tenant", "FP-2", "nothing.pdf"))


@pytest.mark.parametrize("key", ["../outside.pdf", "/etc/passwd", "a/../../b.pdf", "a//b.pdf", "a/b c.pdf", ""])
def test_keys_cannot_leave_the_store(key: str, tmp_path: Path):
    with pytest.raises(ValueError, match="is not a valid document key"):
        LocalDocumentStorage(tmp_path).put(key, PDF)


def test_a_document_changed_on_disk_is_detected(tmp_path: Path):
    storage = LocalDocumentStorage(tmp_path)
    stored = storage.put("tenants/t/documents/d/contract.pdf", PDF)
    path = tmp_path / stored.key
    path.write_bytes(PDF.replace(b"%%EOF", b"%%EOX"))

    with pytest.raises(StorageIntegrityError):
        storage.get(stored.key, expected_sha256=stored.sha256)


def test_s3_objects_carry_their_sha256_and_live_under_the_prefix(s3_endpoint: str):
    config = s3_settings(s3_endpoint, "fairpact-prefix-check")
    client = s3_client(config)
    client.create_bucket(Bucket=config["S3_BUCKET"], CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    storage = storage_from_config(config)
    assert isinstance(storage, S3DocumentStorage)

    stored = storage.put("tenants/t/documents/d/contract.pdf", PDF)

    head = client.head_object(Bucket="fairpact-prefix-check", Key="fairpact/tenants/t/documents/d/contract.pdf")
    assert head["Metadata"]["sha256"] == stored.sha256 and head["ContentType"] == "application/pdf"


def test_an_unreachable_bucket_is_a_storage_error(s3_endpoint: str):
    storage = storage_from_config(s3_settings(s3_endpoint, "no-such-bucket"))

    with pytest.raises(StorageError, match=r"could not store .* in bucket no-such-bucket: NoSuchBucket"):
        storage.put("tenants/t/documents/d/contract.pdf", PDF)


def test_storage_settings_are_validated_at_start(tmp_path: Path):
    base = {"FAIRPACT_ENV": "development", "FAIRPACT_INSTANCE_DIR": str(tmp_path)}

    assert load_config(base)["STORAGE_DIR"] == str(tmp_path / "documents")
    with pytest.raises(Exception) as caught:
        load_config(base | {"STORAGE_BACKEND": "s3", "S3_ENDPOINT_URL": "ftp://x", "S3_ACCESS_KEY_ID": "a"})
    problems = caught.value.problems  # type: ignore[attr-defined]
    assert "S3_BUCKET is required when STORAGE_BACKEND=s3" in problems
    assert "S3_ENDPOINT_URL must be an http(s):// URL, got 'ftp://x'" in problems
    assert any("set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY" in problem for problem in problems)
    with pytest.raises(Exception, match="STORAGE_BACKEND='ftp' must be local or s3"):
        load_config(base | {"STORAGE_BACKEND": "ftp"})
