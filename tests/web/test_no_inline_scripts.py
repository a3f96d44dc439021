"""The Content-Security-Policy blocks inline scripts, so no template may rely on one."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "service" / "templates"
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)


def test_templates_have_no_inline_handlers_or_scripts():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_HANDLER, INLINE_SCRIPT):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(TEMPLATES)}:{line}: {match.group(0).strip()}")
    assert not offenders, offenders
