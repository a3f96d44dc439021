"""Classic server-side template injection payloads against the runtime sandbox that renders tenant templates.

tests/documents/test_sandbox.py shows the static check of an uploaded template refusing each construct with
its file and line, and a few runtime refusals. Here: the well-known escape chains, each of which must stop
with a refusal (never run, never print an object's internals), even if a static check let it through.
"""

from __future__ import annotations

import copy

import pytest
from jinja2.exceptions import SecurityError, TemplateNotFound, TemplateSyntaxError, UndefinedError

from service.documents.sandbox import PlainDataSandbox, SourcesLoader

TERMS = {"meta": {"contract_type": "influencer"}, "deliverables": [{"platform": "instagram"}]}
PAYLOADS = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ terms.__class__.__init__.__globals__ }}",
    "{{ terms['__class__'] }}",
    "{{ terms.meta|attr('__class__') }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ self._TemplateReference__context }}",
    "{{ self.__init__.__globals__ }}",
    "{{ config.items() }}",
    "{{ request.application.__globals__ }}",
    "{{ range.__self__ }}",
    "{{ '{0.__class__}'.format(terms) }}",
    "{{ '%s' % terms.__class__ }}",
    "{{ terms.deliverables.pop() }}",
    "{{ terms.meta.update({'contract_type': 'x'}) }}",
    "{% for i in range(10**8) %}{% endfor %}",
    "{{ range(10**9)|list|length }}",
    "{{ 'x' * 10**9 }}",
    "{{ 9 ** (9 ** 9) }}",  # Jinja's ** is left-associative: the brackets make it a huge power
    "{% include '/etc/passwd' %}",
    "{% include '../../service/config.py' %}",
    "{% extends '/etc/passwd' %}",
    "{% import 'os' as os %}",
]


REFUSALS = (SecurityError, UndefinedError, TemplateSyntaxError, TemplateNotFound, OverflowError)


def _render(payload: str, terms: dict) -> str | None:  # type: ignore[type-arg]
    """The output, or None when the sandbox refused."""
    env = PlainDataSandbox(SourcesLoader({}))
    try:
        return env.from_string(payload).render(terms=terms)
    except REFUSALS:
        return None


@pytest.mark.parametrize("payload", PAYLOADS)
def test_escape_chains_are_refused_at_render_time(payload):
    terms = copy.deepcopy(TERMS)
    output = _render(payload, terms)
    assert output is None, f"rendered instead of refused: {output[:200]!r}"
    assert terms == TERMS  # nothing in the data was changed
