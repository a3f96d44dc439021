"""Render a contract template to HTML (previews) and to PDF (what is sent, hashed and signed).

Pipeline: terms and legal constants become plain data (``context``), each clause block renders in the
sandbox per language, the shared layout frames them (cover, numbered clauses, page header and footer), and
WeasyPrint turns the HTML into a PDF through ``RestrictedURLFetcher``.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml
from jinja2 import FileSystemLoader, Template, TemplateError
from jinja2.exceptions import SecurityError
from markupsafe import Markup

from service.documents.catalogue import ContractTemplate, shared_clause_name, shared_clause_sources
from service.documents.context import (
    DocumentInfo,
    clause_context,
    document_languages,
    language_precedence,
    resolve_legal,
    resolve_terms,
)
from service.documents.errors import RenderError
from service.documents.paths import SHARED_DIR
from service.documents.sandbox import PlainDataSandbox, SourcesLoader

_ENV_CACHE_SIZE = 64
_environments: OrderedDict[str, PlainDataSandbox] = OrderedDict()
_environments_lock = threading.Lock()


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    sha256: str
    pages: int


# --- environments ----------------------------------------------------------------------------------


def template_environment(template: ContractTemplate) -> PlainDataSandbox:
    """The sandbox for one template version, compiled once and kept while it is in use."""
    with _environments_lock:
        env = _environments.get(template.fingerprint)
        if env is not None:
            _environments.move_to_end(template.fingerprint)
            return env
    env = PlainDataSandbox(SourcesLoader({**shared_clause_sources(), **template.files}))
    with _environments_lock:
        _environments[template.fingerprint] = env
        while len(_environments) > _ENV_CACHE_SIZE:
            _environments.popitem(last=False)
    return env


def css_string(value: Any) -> Markup:
    """A CSS string literal that cannot end the string, the rule or the <style> element."""
    # A hex escape ends at the one whitespace that follows it (CSS consumes it), so always write that space.
    escaped = "".join(
        ch if (ch.isascii() and ch.isalnum()) or ch in " .,:;-_/()@#+!?" else f"\\{ord(ch):06x} " for ch in str(value)
    )
    return Markup(f'"{escaped}"')  # noqa: S704 (every character outside a safe set is hex-escaped above)


@cache
def layout_environment() -> PlainDataSandbox:
    return PlainDataSandbox(FileSystemLoader(str(SHARED_DIR)), extra_filters={"css_string": css_string})


@cache
def base_css() -> Markup:
    return Markup((SHARED_DIR / "base.css").read_text(encoding="utf-8"))  # noqa: S704 (Fairpact's own file)


@cache
def frame_labels() -> dict[str, dict[str, Any]]:
    return yaml.safe_load((SHARED_DIR / "labels.yaml").read_text(encoding="utf-8"))


# --- clauses ---------------------------------------------------------------------------------------


def _clause_template(env: PlainDataSandbox, template: ContractTemplate, clause_id: str, lang: str) -> Template:
    own = f"clauses.{lang}.html"
    if own in template.files:
        compiled = env.get_template(own)
        if clause_id in compiled.blocks:
            return compiled
    return env.get_template(shared_clause_name(template.meta.contract_type, lang))


def render_clause(template: ContractTemplate, clause_id: str, context: dict[str, Any]) -> Markup:
    env = template_environment(template)
    compiled = _clause_template(env, template, clause_id, context["lang"])
    block = compiled.blocks.get(clause_id)
    if block is None:
        raise RenderError(f"Template {template.meta.ref} has no text for clause {clause_id!r} in {context['lang']}.")
    try:
        return Markup("".join(block(compiled.new_context(context))))  # noqa: S704 (the sandbox escaped it)
    except (TemplateError, SecurityError, ValueError, TypeError, ArithmeticError) as exc:
        file, line = template_location(exc, env)
        where = f"{file} line {line}: " if file else ""
        message = getattr(exc, "message", None) or str(exc)
        raise RenderError(
            f"Clause {clause_id!r} ({context['lang']}) of {template.meta.ref}: {where}{message}", file=file, line=line
        ) from exc


def template_location(exc: BaseException, env: PlainDataSandbox) -> tuple[str | None, int | None]:
    """The innermost template file and line in the traceback.

    Blocks are rendered by calling their compiled functions directly, so the traceback holds lines of the
    generated Python code; each template's debug info maps them back to lines of the source.
    """
    location: tuple[str | None, int | None] = (None, None)
    names = set(env.loader.list_templates()) if env.loader else set()
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename in names:
            location = (filename, env.get_template(filename).get_corresponding_lineno(tb.tb_lineno))
        tb = tb.tb_next
    return location


def render_version(
    template: ContractTemplate, context: dict[str, Any], languages: list[str], precedence: str | None
) -> dict[str, Any]:
    """One language's part of the document: its title, numbered clauses and annexes."""
    meta, lang = template.meta, context["lang"]
    entries = []
    for clause_id in (*meta.clauses, *meta.annexes):
        numbering = context["clauses"][clause_id]
        entries.append(
            {
                "id": clause_id,
                "number": numbering["number"],
                "heading": numbering["heading"],
                "annex": clause_id in meta.annexes,
                "html": render_clause(template, clause_id, context),
            }
        )
    labels = frame_labels()[lang]
    return {
        "lang": lang,
        "title": meta.title.in_language(lang),
        "labels": labels,
        "clauses": entries,
        "precedence_statement": labels["precedence"][precedence or "none"] if len(languages) > 1 else "",
    }


# --- documents -------------------------------------------------------------------------------------


def render_contract_html(
    template: ContractTemplate,
    terms: Mapping[str, Any],
    *,
    legal: Mapping[str, Any],
    document: DocumentInfo,
    languages: Sequence[str] | None = None,
) -> str:
    """The complete contract as one self-contained HTML document (inline CSS, fonts by asset URL).

    :param terms: the contract's terms with the fair defaults applied (contract-terms.md format).
    :param legal: the legal constants in force at the contract's effective date, by name (``DE_KSK_RATE``…).
    :param languages: ``["de"]``, ``["en"]`` or both; default ``terms.meta.languages``. The prevailing language
        (``meta.language_precedence``) is printed first and a bilingual document says which version prevails.
    :raises RenderError: missing terms or constants, non-plain data, an undefined name or a sandbox refusal.
    """
    meta = template.meta
    resolved_terms, derived = resolve_terms(meta, terms)
    resolved_legal = resolve_legal(meta, legal)
    chosen = document_languages(meta, resolved_terms, languages)
    precedence = language_precedence(resolved_terms)
    versions = [
        render_version(
            template,
            clause_context(meta, resolved_terms, derived, resolved_legal, lang, chosen, document),
            chosen,
            precedence,
        )
        for lang in chosen
    ]
    frame = {
        "doc": {
            "id": document.id,
            "footer_note": document.footer_note,
            "draft": document.draft,
            "template_ref": meta.ref,
        },
        "versions": versions,
        "base_css": base_css(),
        "template_css": Markup(template.css),  # noqa: S704 (validated: no URLs, nothing that closes <style>)
    }
    try:
        return layout_environment().get_template("layout.html").render(frame)
    except (TemplateError, SecurityError) as exc:
        raise RenderError(f"The document frame failed: {exc}") from exc


def render_preview_html(
    template: ContractTemplate,
    terms: Mapping[str, Any] | None = None,
    *,
    legal: Mapping[str, Any] | None = None,
    document_id: str = "PREVIEW",
    languages: Sequence[str] | None = None,
) -> str:
    """A draft preview, marked as such on the page; without terms it shows the template's sample terms."""
    return render_contract_html(
        template,
        template.sample_terms if terms is None else terms,
        legal=sample_legal_constants() if legal is None else legal,
        document=DocumentInfo(document_id, draft=True),
        languages=languages,
    )


def render_contract_pdf(
    template: ContractTemplate,
    terms: Mapping[str, Any],
    *,
    legal: Mapping[str, Any],
    document: DocumentInfo,
    languages: Sequence[str] | None = None,
) -> RenderedPdf:
    """The contract as PDF bytes with their SHA-256 (record it: every signer must see exactly these bytes)."""
    html = render_contract_html(template, terms, legal=legal, document=document, languages=languages)
    return html_to_pdf(html, template)


def html_to_pdf(html: str, template: ContractTemplate | None = None) -> RenderedPdf:
    """WeasyPrint with the restricted fetcher; ``template`` opens its own folder to the fetcher."""
    from weasyprint import HTML

    from service.documents.fetcher import ResourceRefused, RestrictedURLFetcher

    fetcher = RestrictedURLFetcher(template.asset_dir if template else None)
    try:
        rendered = HTML(string=html, base_url=None, url_fetcher=fetcher).render()
        data = rendered.write_pdf(custom_metadata=True)
    except ResourceRefused as exc:
        raise RenderError(f"The document was not rendered: {exc}") from exc
    if data is None:  # only when write_pdf is given a target; never here
        raise RenderError("WeasyPrint returned no PDF.")
    return RenderedPdf(data, hashlib.sha256(data).hexdigest(), len(rendered.pages))


@cache
def sample_legal_constants() -> dict[str, Any]:
    """Values for previews and tests only; real documents get the constants dated by the contract."""
    data = yaml.safe_load((SHARED_DIR / "sample_legal_constants.yaml").read_text(encoding="utf-8"))
    return dict(data["constants"])
