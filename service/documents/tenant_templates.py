"""A tenant's own template version: every check it must pass before the contracts module stores it.

The checks, in order: file names and sizes, metadata, sample terms, the static sandbox/HTML/CSS rules
(``validation``), that the metadata declares every term the clauses read, and finally a trial render of
each language from the sample terms, which catches undefined names with their file and line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from service.documents import validation
from service.documents.catalogue import ContractTemplate, template_from_files, template_reads
from service.documents.context import DocumentInfo
from service.documents.errors import Problem, RenderError, TemplateValidationError
from service.documents.rendering import render_contract_html, sample_legal_constants


def validate_tenant_template(files: Mapping[str, str], version: int | None = None) -> ContractTemplate:
    """The validated template, ready to be stored with its files.

    :param files: file name -> text: ``metadata.yaml``, ``sample_terms.json``, ``clauses.<lang>.html``, optionally
        ``style.css`` and partials.
    :param version: the number Fairpact gives this upload of the key (the metadata's own ``version`` is ignored).
    :raises TemplateValidationError: listing every problem with its file and line; nothing should be stored.
    """
    template = numbered(template_from_files(files, origin="tenant"), version)
    problems = undeclared_term_problems(template) + legal_constant_problems(template)
    if not problems:
        problems = trial_render_problems(template)
    if problems:
        raise TemplateValidationError(problems)
    return template


def numbered(template: ContractTemplate, version: int | None) -> ContractTemplate:
    """The template as version ``version`` of its key (what its documents print as ``key@version``)."""
    if version is None:
        return template
    return dataclasses.replace(template, meta=dataclasses.replace(template.meta, version=version))


def stored_tenant_template(files: Mapping[str, str], version: int) -> ContractTemplate:
    """A stored tenant version, rebuilt from its files (checked again by every static rule on the way)."""
    return numbered(template_from_files(files, origin="tenant"), version)


def undeclared_term_problems(template: ContractTemplate) -> list[Problem]:
    declared = set(template.meta.required_terms) | set(template.meta.optional_terms)
    undeclared = validation.undeclared_term_paths(template_reads(template), declared)
    return [
        Problem("metadata.yaml", None, f"the clauses read terms.{path}; list it under terms.required or terms.optional")
        for path in sorted(undeclared)
    ]


def legal_constant_problems(template: ContractTemplate) -> list[Problem]:
    known = set(sample_legal_constants())
    used = template_reads(template, "legal") | set(template.meta.legal_constants)
    problems = [
        Problem("metadata.yaml", None, f"unknown legal constant {name}; known: {', '.join(sorted(known))}")
        for name in sorted(used - known)
    ]
    undeclared = template_reads(template, "legal") - set(template.meta.legal_constants)
    problems += [
        Problem("metadata.yaml", None, f"the clauses read legal.{name}; list it under legal_constants")
        for name in sorted(undeclared)
    ]
    return problems


def trial_render_problems(template: ContractTemplate) -> list[Problem]:
    problems = []
    for lang in template.meta.languages:
        try:
            render_contract_html(
                template,
                template.sample_terms,
                legal=sample_legal_constants(),
                document=DocumentInfo("VALIDATION", draft=True),
                languages=[lang],
            )
        except RenderError as exc:
            problems.append(Problem(exc.file or "sample_terms.json", exc.line, exc.message))
    return problems
