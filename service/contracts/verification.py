"""Public verification: is an uploaded PDF an unaltered contract sealed by Fairpact, and which one?

The answer names a contract (title, account, version) only when the upload's SHA-256 is exactly the one
recorded for that contract's sealed PDF: the file itself proves it, so nothing is revealed that its holder
does not already have. An altered file is reported as altered, with only the document id it claims.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from service.contracts.queries import SealedRecord, sealed_record
from service.errors import Unprocessable

PDF_MAGIC = b"%PDF-"


class Outcome(StrEnum):
    UNALTERED = "unaltered"  # sealed by Fairpact, not one byte changed, and in our records
    UNKNOWN = "unknown_record"  # an intact Fairpact seal, but no contract here has this file
    ALTERED = "altered"  # carries a Fairpact seal, changed since
    NOT_FAIRPACT = "not_fairpact"  # not sealed at all, or signed by someone else


MESSAGES = {
    Outcome.UNALTERED: "This is an unaltered contract sealed by Fairpact.",
    Outcome.UNKNOWN: "The Fairpact seal is intact, but this file is not in this service's records.",
    Outcome.ALTERED: "This file carries a Fairpact seal but was changed after it was sealed. Do not rely on it.",
    Outcome.NOT_FAIRPACT: "This file is not a contract sealed by Fairpact.",
}


@dataclass(frozen=True)
class Verification:
    outcome: Outcome
    message: str
    sha256: str
    sealed: bool  # carries a Fairpact seal (intact or not)
    unaltered: bool
    claimed_document_id: str | None
    sealed_at: datetime | None
    record: SealedRecord | None


class NotAPdf(Unprocessable):
    code = "not_a_pdf"


def check_pdf(data: bytes) -> None:
    if not data:
        raise Unprocessable("Upload the PDF to check: the file is empty.", {"file": ["Empty file."]})
    if PDF_MAGIC not in data[:1024]:
        raise NotAPdf("This file is not a PDF. Upload the contract PDF you received.", {"file": ["Not a PDF."]})


def verify_upload(data: bytes) -> Verification:
    """Judge an uploaded file; raises 422 for an empty file or one that is not a PDF at all."""
    from service.documents.sealing import SealStatus, verify_pdf

    check_pdf(data)
    digest = hashlib.sha256(data).hexdigest()
    result = verify_pdf(data)
    record = sealed_record(digest, result.document_id) if result.status == SealStatus.VALID else None
    if result.status == SealStatus.VALID:
        outcome = Outcome.UNALTERED if record is not None else Outcome.UNKNOWN
    elif result.status == SealStatus.ALTERED:
        outcome = Outcome.ALTERED
    else:
        outcome = Outcome.NOT_FAIRPACT
    return Verification(
        outcome=outcome,
        message=MESSAGES[outcome],
        sha256=digest,
        sealed=result.has_fairpact_seal,
        unaltered=outcome == Outcome.UNALTERED,
        claimed_document_id=result.document_id if result.has_fairpact_seal else None,
        sealed_at=result.sealed_at if outcome in (Outcome.UNALTERED, Outcome.UNKNOWN) else None,
        record=record,
    )
