"""The template catalogue: built-in templates in ``contract_templates/<key>/v<version>/`` and tenant versions.

A template is a small set of text files::

    metadata.yaml       title, version, contract type, ordered clause ids, the terms and legal constants it reads
    sample_terms.json   terms in the contract-terms.md format, used for previews and tests
    style.css           optional extra styles (no URLs, no @import)
    clauses.de.html     optional: {% block <clause_id> %} … {% endblock %} overriding the shared clause text
    clauses.en.html     the same in English
    <partial>.html      optional partials the clause files include

Clause text comes from the template's own ``clauses.<lang>.html`` when it has a block for the clause, else from
the shared clause library ``_shared/clauses/<contract_type>.<lang>.html``. Both kinds pass the same validation.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from marshmallow import ValidationError

from service.documents import validation
from service.documents.errors import Problem, TemplateNotFound, TemplateValidationError
from service.documents.metadata import LANGUAGES, TemplateMeta, parse_metadata
from service.documents.paths import SHARED_DIR, TEMPLATES_DIR

METADATA_FILE = "metadata.yaml"
SAMPLE_TERMS_FILE = "sample_terms.json"
STYLE_FILE = "style.css"
_VERSION_DIR = re.compile(r"^v([1-9][0-9]{0,3})$")


@dataclass(frozen=True)
class ContractTemplate:
    """One version of a template, with its sources in memory (built-in or a tenant's)."""

    meta: TemplateMeta
    files: Mapping[str, str] = field(repr=False)
    sample_terms: Mapping[str, Any] = field(repr=False)
    origin: str = "builtin"
    asset_dir: Path | None = None

    @property
    def css(self) -> str:
        return self.files.get(STYLE_FILE, "")

    @cached_property
    def fingerprint(self) -> str:
        """Identifies these exact sources, so compiled Jinja environments can be cached safely."""
        digest = hashlib.sha256(f"{self.origin}\0{self.meta.ref}".encode())
        for name in sorted(self.files):
            digest.update(f"\0{name}\0{self.files[name]}".encode())
        return digest.hexdigest()


def shared_clause_name(contract_type: str, lang: str) -> str:
    """The Jinja name of a shared clause library file (names starting with '_' are never a template's own)."""
    return f"_shared/clauses/{contract_type}.{lang}.html"


@cache
def shared_clause_sources() -> dict[str, str]:
    return {
        shared_clause_name(path.name.split(".")[0], path.name.split(".")[1]): path.read_text(encoding="utf-8")
        for path in sorted((SHARED_DIR / "clauses").glob("*.*.html"))
    }


def list_templates() -> list[TemplateMeta]:
    """The newest version of every built-in template, sorted by key."""
    return [load_template(key).meta for key in sorted(_builtin_versions())]


def builtin_keys() -> frozenset[str]:
    """The keys of the built-in templates (a tenant's own templates may not reuse them)."""
    return frozenset(_builtin_versions())


def template_versions(key: str) -> list[int]:
    versions = _builtin_versions().get(key)
    if not versions:
        raise TemplateNotFound(f"There is no contract template {key!r}.")
    return versions


def load_template(key: str, version: int | None = None) -> ContractTemplate:
    """A built-in template version (the newest when ``version`` is None).

    :raises TemplateNotFound: for an unknown key or version.
    :raises TemplateValidationError: when the files in the repository break the rules (a developer error).
    """
    versions = template_versions(key)
    chosen = versions[-1] if version is None else version
    if chosen not in versions:
        raise TemplateNotFound(f"Contract template {key!r} has no version {chosen}; it has {versions}.")
    return _load_builtin(key, chosen)


@cache
def _builtin_versions() -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for folder in sorted(TEMPLATES_DIR.glob("*/v*")):
        match = _VERSION_DIR.match(folder.name)
        if folder.is_dir() and match and not folder.parent.name.startswith("_"):
            found.setdefault(folder.parent.name, []).append(int(match.group(1)))
    return {key: sorted(versions) for key, versions in found.items()}


@cache
def _load_builtin(key: str, version: int) -> ContractTemplate:
    folder = TEMPLATES_DIR / key / f"v{version}"
    files = {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.iterdir()) if path.is_file()}
    template = template_from_files(files, origin="builtin", asset_dir=folder)
    if (template.meta.key, template.meta.version) != (key, version):
        raise TemplateValidationError(
            [Problem(METADATA_FILE, None, f"key/version must match the folder {key}/v{version}")]
        )
    return template


def template_from_files(files: Mapping[str, str], *, origin: str, asset_dir: Path | None = None) -> ContractTemplate:
    """Build a template from its files, checking names, metadata, sample terms and every sandbox rule.

    :raises TemplateValidationError: listing every problem found, each with its file and line.
    """
    problems = validation.file_name_problems(files)
    meta = _parse_meta(files, problems)
    sample_terms = _parse_sample_terms(files, meta, problems)
    sources = {name: text for name, text in files.items() if name not in (METADATA_FILE, SAMPLE_TERMS_FILE)}
    problems += validation.source_problems(sources)
    if meta is not None:
        problems += _clause_problems(meta, sources)
    if problems or meta is None:
        raise TemplateValidationError(problems)
    return ContractTemplate(meta, sources, sample_terms, origin, asset_dir)


def _parse_meta(files: Mapping[str, str], problems: list[Problem]) -> TemplateMeta | None:
    if METADATA_FILE not in files:
        problems.append(Problem(METADATA_FILE, None, "the template needs a metadata.yaml"))
        return None
    try:
        return parse_metadata(files[METADATA_FILE])
    except ValidationError as exc:
        for where, messages in _flatten(exc.normalized_messages()):
            problems.append(Problem(METADATA_FILE, None, f"{where}: {messages}"))
        return None


def _flatten(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(messages, dict):
        return [pair for key, value in messages.items() for pair in _flatten(value, f"{prefix}{key}.")]
    return [(prefix.rstrip("."), "; ".join(map(str, messages)) if isinstance(messages, list) else str(messages))]


def _parse_sample_terms(files: Mapping[str, str], meta: TemplateMeta | None, problems: list[Problem]) -> dict[str, Any]:
    try:
        terms = json.loads(files.get(SAMPLE_TERMS_FILE, ""))
    except json.JSONDecodeError as exc:
        problems.append(Problem(SAMPLE_TERMS_FILE, exc.lineno, f"not valid JSON: {exc.msg}"))
        return {}
    if not isinstance(terms, dict):
        problems.append(Problem(SAMPLE_TERMS_FILE, None, "the sample terms must be one JSON object"))
        return {}
    contract_type = (terms.get("meta") or {}).get("contract_type")
    if meta is not None and contract_type != meta.contract_type:
        problems.append(Problem(SAMPLE_TERMS_FILE, None, f"meta.contract_type must be {meta.contract_type!r}"))
    return terms


def _clause_problems(meta: TemplateMeta, sources: Mapping[str, str]) -> list[Problem]:
    """Every clause and annex must have text in every language the template offers."""
    problems = []
    shared = shared_clause_sources()
    for lang in meta.languages:
        own_name = f"clauses.{lang}.html"
        available = validation.block_names(own_name, sources.get(own_name, ""))
        available |= validation.block_names("shared", shared.get(shared_clause_name(meta.contract_type, lang), ""))
        for clause_id in (*meta.clauses, *meta.annexes):
            if clause_id not in available:
                problems.append(Problem(own_name, None, f"no text for clause {clause_id!r} in {lang}; add a block"))
    extra = [name for name in sources if name.startswith("clauses.") and name.split(".")[1] not in meta.languages]
    problems += [Problem(name, None, "this language is not listed under languages") for name in extra]
    return problems


def clause_source_name(template: ContractTemplate, clause_id: str, lang: str) -> str:
    """The file whose block provides a clause's text: the template's own, else the shared library."""
    own = f"clauses.{lang}.html"
    if clause_id in validation.block_names(own, template.files.get(own, "")):
        return own
    return shared_clause_name(template.meta.contract_type, lang)


def template_reads(template: ContractTemplate, root: str = "terms") -> set[str]:
    """The paths under ``terms`` (or ``legal``) that the template's clauses read, for checking its metadata."""
    sources = {**shared_clause_sources(), **template.files}
    found: set[str] = set()
    for lang in template.meta.languages:
        for clause_id in (*template.meta.clauses, *template.meta.annexes):
            name = clause_source_name(template, clause_id, lang)
            found |= validation.block_term_paths(name, sources[name], clause_id, root)
    partials = {name: text for name, text in template.files.items() if name.endswith(".html")}
    partials = {name: text for name, text in partials.items() if not name.startswith("clauses.")}
    return found | validation.referenced_term_paths(partials, root)


__all__ = ["LANGUAGES", "ContractTemplate", "list_templates", "load_template", "template_versions"]
