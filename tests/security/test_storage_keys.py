"""Path traversal in stored file names: every way a document key could leave the store, or name something a
shell or URL would read differently, is refused on write, read and lookup alike.

tests/documents/test_storage.py refuses a few keys on write; keys are also read (downloads, verification)
and looked up, and document ids and names are joined into keys by ``document_key``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from service.documents.storage import LocalDocumentStorage, document_key

BAD_KEYS = [
    "../outside.pdf",
    "tenants/t/../../outside.pdf",
    "/etc/passwd",
    "..",
    "./a.pdf",
    "a/./b.pdf",
    "a/.hidden.pdf",
    "a\\..\\..\\b.pdf",
    "%2e%2e/outside.pdf",
    "a.pdf\x00.txt",
    "a.pdf\n",
    "tenants/t/documents/d/a.pdf\n../../x",
    "a\u2025/b.pdf",  # a two-dot leader, which some tools normalise to ".."
    "C:/windows/a.pdf",
    "a" * 600,
]


@pytest.mark.parametrize("key", BAD_KEYS)
def test_bad_keys_are_refused_on_write_read_and_lookup(key: str, tmp_path: Path):
    store = LocalDocumentStorage(tmp_path / "store")
    with pytest.raises(ValueError, match="is not a valid document key"):
        store.put(key, b"%PDF-1.7")
    with pytest.raises(ValueError, match="is not a valid document key"):
        store.get(key)
    with pytest.raises(ValueError, match="is not a valid document key"):
        store.exists(key)
    assert not (tmp_path / "outside.pdf").exists()


@pytest.mark.parametrize(
    ("document_id", "name"), [("../../x", "sealed.pdf"), ("FP-1", "../sealed.pdf"), ("FP-1", "a/../../b.pdf")]
)
def test_document_ids_and_names_cannot_climb_out_of_their_folder(document_id: str, name: str):
    with pytest.raises(ValueError, match="is not a valid document key"):
        document_key("tenant", document_id, name)
