"""A tenant's own contract template, as files and as the .zip a person would upload."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

METADATA = """\
key: {key}
contract_type: influencer
title: {{de: "{title}", en: "{title}"}}
languages: [de, en]
clauses: [subject, disclosure, signatures]
terms:
  required: [meta.contract_type, disclosure, signature.method]
  optional: [meta.effective_date]
"""

CLAUSES = {
    "de": """\
{% block subject %}
<p>Die Creator:in stellt Inhalte für ACME her, ab {{ terms.meta.effective_date|date }}.</p>
{% endblock %}
""",
    "en": """\
{% block subject %}
<p>The Creator produces content for ACME, from {{ terms.meta.effective_date|date }}.</p>
{% endblock %}
""",
}
GERMAN_CLAUSE_TEXT = "Die Creator:in stellt Inhalte für ACME her"


def tenant_template_files(
    key: str = "acme_collaboration", title: str = "ACME Kooperation", **changes: str
) -> dict[str, str]:
    from service.documents import catalogue

    sample: dict[str, Any] = dict(catalogue.load_template("influencer_collaboration").sample_terms)
    files = {
        "metadata.yaml": METADATA.format(key=key, title=title),
        "sample_terms.json": json.dumps(sample, ensure_ascii=False, indent=1),
        "clauses.de.html": CLAUSES["de"],
        "clauses.en.html": CLAUSES["en"],
        "style.css": ".clause h2 { color: #225; }\n",
    }
    files.update(changes)
    return files


def with_german_line(line: str, **kwargs: Any) -> dict[str, str]:
    """The template with ``line`` as line 3 of clauses.de.html (inside the block)."""
    lines = CLAUSES["de"].splitlines()
    return tenant_template_files(**kwargs, **{"clauses.de.html": "\n".join([*lines[:2], line, *lines[2:]]) + "\n"})


def zipped(files: dict[str, str | bytes], folder: str = "") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(folder + name, text)
    return out.getvalue()
