"""A tenant's template as uploaded: a .zip of its folder, or the files themselves, turned into name -> text.

Everything is checked before anything is decompressed further than the limits allow, and each refusal is a
``Problem`` naming the entry, so a bad upload is one 422 listing what to fix:

- at most ``MAX_ENTRIES`` entries, each at most ``MAX_FILE_BYTES`` and all together ``MAX_TOTAL_BYTES``
  uncompressed; sizes are counted while reading, never taken from the archive's own (forgeable) headers;
- plain file names only: no absolute paths, ``..``, backslashes, drive letters or nested folders (one
  top-level folder, as "Compress folder" makes, is taken off); no symbolic links, no encrypted entries;
- text in UTF-8. The file names themselves are checked by the template rules (``validation``) afterwards.

Zip archives made on macOS carry ``__MACOSX/`` resource forks and ``.DS_Store`` files: these are skipped, as
a user would expect, since they are never part of a template.
"""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from service.documents.errors import Problem, TemplateValidationError
from service.documents.validation import MAX_FILE_CHARS, MAX_FILES

MAX_ENTRIES = MAX_FILES
MAX_FILE_BYTES = MAX_FILE_CHARS
MAX_TOTAL_BYTES = 1024 * 1024
MAX_ARCHIVE_BYTES = 1024 * 1024
ARCHIVE = "archive"
_IGNORED_PREFIXES = ("__MACOSX/",)
_IGNORED_NAMES = (".DS_Store",)


@dataclass(frozen=True)
class UploadedFile:
    """One file of the upload as the client sent it (a form field's file name and its bytes)."""

    name: str
    data: bytes


def files_from_zip(data: bytes) -> dict[str, str]:
    """The template files in a .zip archive.

    :raises TemplateValidationError: every problem with the archive or its entries; nothing is kept.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise TemplateValidationError([Problem(ARCHIVE, None, f"not a readable .zip file ({exc})")]) from exc
    with archive:
        entries = [info for info in archive.infolist() if not _ignored(info)]
        problems = _entry_problems(entries)
        if problems:
            raise TemplateValidationError(problems)
        prefix = _common_folder([info.filename for info in entries])
        read = [UploadedFile(info.filename.removeprefix(prefix), _read_bounded(archive, info)) for info in entries]
    return files_from_uploads(read, counted=True)


def files_from_uploads(uploads: Iterable[UploadedFile], *, counted: bool = False) -> dict[str, str]:
    """The template files sent one by one (or read from an archive), decoded and within the limits.

    :raises TemplateValidationError: too many or too large files, a path instead of a name, not UTF-8.
    """
    uploads = list(uploads)
    problems: list[Problem] = []
    if not uploads:
        problems.append(Problem(ARCHIVE, None, "the upload has no files"))
    if not counted and len(uploads) > MAX_ENTRIES:
        problems.append(Problem(ARCHIVE, None, f"at most {MAX_ENTRIES} files, got {len(uploads)}"))
    total = 0
    files: dict[str, str] = {}
    for upload in uploads:
        total += len(upload.data)
        problem = _name_problem(upload.name) or _size_problem(upload.name, len(upload.data))
        if problem is None and upload.name in files:
            problem = Problem(upload.name, None, "this file is in the upload twice")
        if problem is None:
            try:
                files[upload.name] = upload.data.decode("utf-8-sig")
            except UnicodeDecodeError:
                problem = Problem(upload.name, None, "not UTF-8 text; save the file as UTF-8")
        if problem is not None:
            problems.append(problem)
    if total > MAX_TOTAL_BYTES:
        problems.append(Problem(ARCHIVE, None, f"the files add up to more than {MAX_TOTAL_BYTES // 1024} KB"))
    if problems:
        raise TemplateValidationError(problems)
    return files


def _ignored(info: zipfile.ZipInfo) -> bool:
    name = info.filename
    return info.is_dir() or name.startswith(_IGNORED_PREFIXES) or name.rsplit("/", 1)[-1] in _IGNORED_NAMES


def _entry_problems(entries: list[zipfile.ZipInfo]) -> list[Problem]:
    if len(entries) > MAX_ENTRIES:
        return [Problem(ARCHIVE, None, f"at most {MAX_ENTRIES} files, got {len(entries)}")]
    problems = []
    declared_total = 0
    for info in entries:
        declared_total += info.file_size
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            problems.append(Problem(info.filename, None, "symbolic links are not allowed in a template"))
        elif info.flag_bits & 0x1:
            problems.append(Problem(info.filename, None, "encrypted entries cannot be read; zip without a password"))
        elif _path_problem(info.filename):
            problems.append(Problem(info.filename, None, _path_problem(info.filename) or ""))
        elif info.file_size > MAX_FILE_BYTES:
            problems.append(_size_problem(info.filename, info.file_size) or Problem(info.filename, None, ""))
    if declared_total > MAX_TOTAL_BYTES:
        problems.append(Problem(ARCHIVE, None, f"the files add up to more than {MAX_TOTAL_BYTES // 1024} KB"))
    return problems


def _path_problem(path: str) -> str | None:
    """Why an archive path is refused: anything but ``name`` or ``folder/name``."""
    parts = path.split("/")
    if "\\" in path or path.startswith("/") or ":" in parts[0] or ".." in parts or "." in parts or "" in parts:
        return "only plain file names are allowed (no absolute paths, '..', backslashes or drive letters)"
    if len(parts) > 2:
        return "put the template's files in the top level of the archive (or in one folder), not in subfolders"
    return None


def _common_folder(names: list[str]) -> str:
    """The one top-level folder every entry is in ("acme/"), or "" when the files are at the top."""
    folders = {name.split("/", 1)[0] + "/" if "/" in name else "" for name in names}
    return folders.pop() if len(folders) == 1 else ""


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The entry's bytes, reading at most one byte beyond the limit whatever its header claims.

    :raises TemplateValidationError: a damaged entry (bad checksum, truncated data, unknown compression).
    """
    try:
        with archive.open(info) as entry:
            return entry.read(MAX_FILE_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise TemplateValidationError([Problem(info.filename, None, f"cannot be read from the .zip ({exc})")]) from exc


def _name_problem(name: str) -> Problem | None:
    if "/" in name or "\\" in name or name in ("", ".", "..") or ":" in name:
        return Problem(name or "(no name)", None, "a file name, not a path, is expected")
    return None


def _size_problem(name: str, size: int) -> Problem | None:
    if size > MAX_FILE_BYTES:
        return Problem(name, None, f"larger than {MAX_FILE_BYTES // 1000} KB")
    return None


def files_from_form(archive: Any, uploads: Iterable[Any]) -> dict[str, str]:
    """The template files of an upload form: ``archive`` (one .zip) or ``uploads`` (the files; a lone .zip
    among them is read as the archive, since that is what a person picking "the template" may choose).

    Both are werkzeug ``FileStorage`` objects (or None); at most the limits plus one byte is read from each.
    """
    given = [upload for upload in uploads if upload is not None and upload.filename]
    if archive is not None and archive.filename:
        if given:
            raise TemplateValidationError([Problem(ARCHIVE, None, "send either one .zip or the files, not both")])
        return files_from_zip(_read_archive(archive))
    if len(given) == 1 and given[0].filename.lower().endswith(".zip"):
        return files_from_zip(_read_archive(given[0]))
    if not given:
        raise TemplateValidationError(
            [Problem(ARCHIVE, None, "send the template as a .zip (field 'archive') or its files (field 'files')")]
        )
    if len(given) > MAX_ENTRIES:
        raise TemplateValidationError([Problem(ARCHIVE, None, f"at most {MAX_ENTRIES} files, got {len(given)}")])
    return files_from_uploads(UploadedFile(upload.filename, upload.read(MAX_FILE_BYTES + 1)) for upload in given)


def _read_archive(upload: Any) -> bytes:
    data = upload.read(MAX_ARCHIVE_BYTES + 1)
    if len(data) > MAX_ARCHIVE_BYTES:
        raise TemplateValidationError([Problem(ARCHIVE, None, f"larger than {MAX_ARCHIVE_BYTES // 1024} KB")])
    return data
