"""What can go wrong with contract documents, each with a message that says what to fix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.errors import AppError, Unprocessable


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a template file: where it is and why it is refused."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file} line {self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class TemplateValidationError(Unprocessable):
    """A template version breaks the sandbox rules or its metadata is invalid; nothing was stored."""

    code = "template_invalid"

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors: dict[str, list[str]] = {}
        for problem in problems:
            where = f"line {problem.line}: " if problem.line else ""
            errors.setdefault(problem.file, []).append(where + problem.message)
        first = str(problems[0]) if problems else "unknown problem"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"The template was refused: {first}{more}.", errors)


class RenderError(AppError):
    """The template could not be rendered from the given terms (missing terms, undefined names, sandbox).

    ``file`` and ``line`` point into the template when the failure happened inside one.
    """

    status_code = 422
    code = "render_failed"

    def __init__(
        self, message: str, errors: dict[str, Any] | None = None, *, file: str | None = None, line: int | None = None
    ):
        super().__init__(message, errors)
        self.file = file
        self.line = line


class TemplateNotFound(AppError):
    status_code = 404
    code = "template_not_found"


class SignatureImageError(Unprocessable):
    """A drawn signature is not an acceptable PNG data URL."""

    code = "signature_image_invalid"


class StorageError(RuntimeError):
    """The document store could not read or write; the caller's job retries."""


class StorageConflict(StorageError):
    """A different document already exists under this key; stored documents are never overwritten."""


class StorageIntegrityError(StorageError):
    """A stored document no longer has the SHA-256 recorded when it was written."""


class SealingError(RuntimeError):
    """The seal could not be applied (certificate or key missing, unreadable, expired, not matching)."""
