"""Tenant template versions: valid ones are accepted, every kind of escape is refused with its file and line."""

from __future__ import annotations

import json
import textwrap

import pytest
from jinja2.exceptions import SecurityError

from service.documents import catalogue
from service.documents.errors import Problem, TemplateValidationError
from service.documents.sandbox import PlainDataSandbox, SourcesLoader, plain_data
from service.documents.tenant_templates import validate_tenant_template
from tests.support.contract_templates import CLAUSES

METADATA = """\
key: acme_collaboration
version: 3
contract_type: influencer
title: {de: ACME Kooperation, en: ACME collaboration}
languages: [de, en]
clauses: [subject, disclosure, signatures]
terms:
  required: [meta.contract_type, disclosure, signature.method]
  optional: [meta.effective_date]
"""


def tenant_files(**changes: str) -> dict[str, str]:
    sample = catalogue.load_template("influencer_collaboration").sample_terms
    files = {
        "metadata.yaml": METADATA,
        "sample_terms.json": json.dumps(sample),
        "clauses.de.html": CLAUSES["de"],
        "clauses.en.html": CLAUSES["en"],
        "style.css": ".clause h2 { color: #225; }\n",
    }
    files.update(changes)
    return files


def with_line_in_german_clause(line: str) -> dict[str, str]:
    """The German clause file with ``line`` inserted as line 3, inside the block."""
    lines = CLAUSES["de"].splitlines()
    return tenant_files(**{"clauses.de.html": "\n".join([*lines[:2], line, *lines[2:]]) + "\n"})


def refusal(files: dict[str, str]) -> list[Problem]:
    with pytest.raises(TemplateValidationError) as caught:
        validate_tenant_template(files)
    assert caught.value.status_code == 422 and caught.value.code == "template_invalid"
    return caught.value.problems


def test_a_valid_tenant_template_is_accepted_and_renders():
    from service.documents.context import DocumentInfo
    from service.documents.rendering import render_contract_html, sample_legal_constants

    template = validate_tenant_template(tenant_files())

    assert template.origin == "tenant" and template.meta.ref == "acme_collaboration@3"
    html = render_contract_html(
        template, template.sample_terms, legal=sample_legal_constants(), document=DocumentInfo("T-1"), languages=["de"]
    )
    assert "Die Creator:in stellt Inhalte für ACME her, ab 1. März 2026." in html
    assert "Werbekennzeichnung und Transparenz" in html  # the shared clause library fills the rest


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("{{ ''.__class__.__mro__ }}", "attribute '__mro__': names starting with '_' are not allowed"),
        ("{{ cycler.__init__.__globals__ }}", "attribute '__globals__': names starting with '_' are not allowed"),
        ("{{ terms['__class__'] }}", "item '__class__': names starting with '_' are not allowed"),
        ("{{ _secret }}", "name '_secret': names starting with '_' are not allowed"),
        ("{% include '/etc/passwd' %}", "{% include '/etc/passwd' %}: only this template's own files can be included"),
        ("{% include terms.x %}", "{% include %} needs the literal name of one of this template's own files"),
        ("{% import 'macros.html' as m %}", "{% import %} is not allowed"),
        ("{% from 'macros.html' import clause %}", "{% import %} is not allowed"),
        ("{{ terms.parties.items() }}", "calling items() on a value is not allowed; use a filter instead"),
        ("{{ ''.join(terms) }}", "calling join() on a value is not allowed"),
        ("{{ lipsum() }}", "only this file's own macros and range() can be called"),
        ("{{ terms.meta|safe }}", "filter 'safe' is not available"),
        ("{{ terms|attr('__class__') }}", "filter 'attr' is not available"),
        (
            "{{ terms.deliverables|map(attribute='__class__')|list }}",
            "attribute names starting with '_' are not allowed",
        ),
        ("{% autoescape false %}x{% endautoescape %}", "{% autoescape %} is not allowed"),
        (
            '<img src="http://tracker.example/pixel.png">',
            "<img> is not allowed: contract templates cannot embed images",
        ),
        (
            '<a href="https://phish.example">here</a>',
            'href="https://phish.example": only links to a place in the same document',
        ),
        ('<p style="background: url(https://x.example/a.png)">x</p>', "url(https://x.example/a.png) is not allowed"),
        ('<link rel="stylesheet" href="/etc/passwd">', "<link> is not allowed"),
        ("<script>alert(1)</script>", "<script> is not allowed"),
        ('<p onclick="x()">x</p>', "attribute 'onclick' on <p> is not allowed"),
        ('<img src="{{ terms.meta.logo }}">', "<img> is not allowed"),
        ('{% raw %}<object data="file:///etc/passwd"></object>{% endraw %}', "<object> is not allowed"),
        ("<style>@import url(https://fonts.example/x.css);</style>", "@import is not allowed"),
        ("{{ terms.meta.contract_type }", "Jinja syntax error"),
    ],
)
def test_escapes_in_a_clause_file_are_refused_naming_the_line(line: str, expected: str):
    problems = refusal(with_line_in_german_clause(line))

    assert any(p.file == "clauses.de.html" and p.line == 3 and expected in p.message for p in problems), problems


@pytest.mark.parametrize(
    ("css", "expected"),
    [
        (".x { background: url(file:///etc/passwd); }", "url(file:///etc/passwd) is not allowed"),
        ('.x { background: url("https://x.example/a.png"); }', "url() is not allowed"),
        ("@import url(https://fonts.example/x.css);", "@import is not allowed: styles cannot load other files"),
        ('@import "https://fonts.example/x.css";', "@import is not allowed"),
        ('@font-face { font-family: X; src: local("Arial"); }', "@font-face is not allowed"),
        (".x { background: u\\72l(https://x.example/a.png); }", "url(https://x.example/a.png) is not allowed"),
        (".x { background-image: image-set('a.png' 1x); }", "image-set() is not allowed"),
        (".x { color: red; } </style><script>alert(1)</script>", "'</' and '<!--' are not allowed"),
    ],
)
def test_urls_and_imports_in_the_stylesheet_are_refused(css: str, expected: str):
    problems = refusal(tenant_files(**{"style.css": "\n\n" + css + "\n"}))

    assert any(p.file == "style.css" and p.line == 3 and expected in p.message for p in problems), problems


def test_undefined_names_are_found_by_the_trial_render_with_their_line():
    problems = refusal(with_line_in_german_clause("<p>{{ terms.meta.campaign_name }}</p>"))

    assert [(p.file, p.line) for p in problems] == [("metadata.yaml", None)]
    assert "terms.meta.campaign_name; list it under terms.required or terms.optional" in problems[0].message

    declared = METADATA.replace(
        "optional: [meta.effective_date]", "optional: [meta.effective_date, meta.campaign_name]"
    )
    files = with_line_in_german_clause("<p>{{ terms.meta.typo }}</p>") | {"metadata.yaml": declared}
    files["clauses.de.html"] = files["clauses.de.html"].replace("terms.meta.typo", "campaign")
    problems = refusal(files)
    assert [(p.file, p.line) for p in problems] == [("clauses.de.html", 3)]
    assert "'campaign' is undefined" in problems[0].message


def test_structural_problems_are_listed_together():
    files = tenant_files(**{"clauses.fr.html": "{% block subject %}{% endblock %}", "../evil.html": "x"})
    files["clauses.en.html"] = "<p>outside any block</p>\n"
    files["metadata.yaml"] = METADATA.replace(
        "clauses: [subject, disclosure, signatures]", "clauses: [subject, mystery]"
    )

    messages = [str(problem) for problem in refusal(files)]

    assert any("../evil.html: unexpected file name" in m for m in messages)
    assert any("clauses.fr.html: unexpected file name" in m for m in messages)
    assert any(
        "clauses.en.html line 1: only {% block <clause_id> %} sections may stand at the top level" in m
        for m in messages
    )
    assert any("metadata.yaml: headings: no heading for mystery" in m for m in messages)


def test_a_partial_may_be_included_but_not_in_a_loop():
    partial = {"note.html": '<p class="note">{{ terms.meta.contract_type }}</p>'}
    ok = with_line_in_german_clause("{% include 'note.html' %}") | partial
    assert validate_tenant_template(ok).files["note.html"]

    looping = ok | {"note.html": "{% include 'other.html' %}", "other.html": "{% include 'note.html' %}"}
    messages = [str(problem) for problem in refusal(looping)]
    assert "note.html: it includes itself (directly or through other files)" in messages


def test_the_runtime_sandbox_refuses_what_a_static_check_might_miss():
    env = PlainDataSandbox(SourcesLoader({}))

    def render(source: str, **context: object) -> str:
        return env.from_string(source).render(**context)

    with pytest.raises(SecurityError):
        render("{{ value.upper }}", value="text")  # attributes of anything but a dict
    with pytest.raises(SecurityError):
        render("{{ terms[name] }}", terms={"a": 1}, name="__class__")
    with pytest.raises(SecurityError):
        render("{{ 'ab' * count }}", count=10**6)
    with pytest.raises(SecurityError):
        render("{{ 2 ** exponent }}", exponent=10**6)
    with pytest.raises(SecurityError):
        render("{{ f() }}", f=print)
    assert render("{{ d.items }}", d={"items": "key, not the method"}) == "key, not the method"


def test_context_values_are_copied_as_plain_data():
    from markupsafe import Markup

    copied = plain_data({"name": Markup("<b>x</b>"), "rows": ({"a": 1},)})

    assert copied == {"name": "<b>x</b>", "rows": [{"a": 1}]}
    assert type(copied["name"]) is str  # no longer marked safe: it will be escaped
    with pytest.raises(TypeError, match=r"context\.f is a function"):
        plain_data({"f": textwrap.dedent})
