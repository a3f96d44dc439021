"""Static checks a template version must pass before it is stored or rendered.

Each refusal is a ``Problem`` naming the file and line. The rules, and why:

- Jinja: no names or attributes starting with ``_`` (the way out of every Jinja sandbox escape), no method
  calls (``''.join``, ``x.items()``), only whitelisted filters and tests, no ``{% import %}``/``{% extends %}``,
  ``{% include %}`` only of the template's own files, no ``{% autoescape %}`` switches.
- HTML: an allowlist of text tags and attributes; no ``src``/``href`` except in-document ``#fragments``,
  so nothing points at a URL or a file.
- CSS (``style.css``, ``<style>`` and ``style=""``): no ``url()``, ``image-set()``, ``@import``, ``@font-face``
  (the bundled fonts are already declared), nothing that could close the ``<style>`` element.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from functools import cache, lru_cache
from html.parser import HTMLParser
from typing import Any

import tinycss2
from jinja2 import nodes
from jinja2.exceptions import TemplateSyntaxError

from service.documents.errors import Problem
from service.documents.sandbox import PlainDataSandbox, SourcesLoader

MAX_FILES = 40
MAX_FILE_CHARS = 200_000
_FILE_NAME = re.compile(
    r"^(metadata\.yaml|sample_terms\.json|style\.css|clauses\.(de|en)\.html|[a-z0-9_]{1,40}\.html)$"
)
_CLAUSE_FILE = re.compile(r"^clauses\.[a-z]{2}\.html$")
CALLABLE_GLOBALS = frozenset({"range", "caller", "loop", "super"})

ALLOWED_TAGS = frozenset(
    (  # noqa: SIM905 (a word list reads better than one item per line)
        "a abbr b blockquote br caption code col colgroup dd div dl dt em h1 h2 h3 h4 h5 h6 hr i li ol p "
        "section small span strong style sub sup table tbody td tfoot th thead tr u ul"
    ).split()
)
ALLOWED_ATTRIBUTES = frozenset(
    {"class", "id", "lang", "dir", "title", "colspan", "rowspan", "scope", "headers", "start", "reversed", "type"}
    | {"value", "style"}
)
FORBIDDEN_CSS_FUNCTIONS = frozenset({"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade"})
FORBIDDEN_AT_RULES = {
    "import": "@import is not allowed: styles cannot load other files",
    "namespace": "@namespace is not allowed",
    "font-face": "@font-face is not allowed: use the bundled fonts 'Fairpact Serif' and 'Fairpact Sans'",
}


def file_name_problems(files: Mapping[str, str]) -> list[Problem]:
    problems = []
    if len(files) > MAX_FILES:
        problems.append(Problem("template", None, f"at most {MAX_FILES} files, got {len(files)}"))
    for name, text in files.items():
        if not _FILE_NAME.match(name):
            problems.append(
                Problem(
                    name,
                    None,
                    "unexpected file name (allowed: metadata.yaml, sample_terms.json, "
                    "style.css, clauses.de.html, clauses.en.html, lower_case partials .html)",
                )
            )
        elif len(text) > MAX_FILE_CHARS:
            problems.append(Problem(name, None, f"longer than {MAX_FILE_CHARS} characters"))
    return problems


def source_problems(sources: Mapping[str, str]) -> list[Problem]:
    """Every sandbox, HTML and CSS problem in a template's html and css files."""
    html_files = {name for name in sources if name.endswith(".html")}
    problems: list[Problem] = []
    for name, text in sorted(sources.items()):
        if name.endswith(".css"):
            problems += css_problems(name, text)
        elif name.endswith(".html"):
            problems += jinja_problems(name, text, html_files - {name})
            problems += html_problems(name, text)
    problems += include_cycle_problems(sources)
    return problems


# --- Jinja -----------------------------------------------------------------------------------------


@cache
def _parser() -> PlainDataSandbox:
    return PlainDataSandbox(SourcesLoader({}))


@lru_cache(maxsize=256)
def parse(name: str, source: str) -> nodes.Template:
    """The Jinja syntax tree of a file (cached: checks walk the same files many times; nothing mutates it)."""
    return _parser().parse(source, name=name)


def jinja_problems(name: str, source: str, includable: set[str]) -> list[Problem]:
    try:
        tree = parse(name, source)
    except TemplateSyntaxError as exc:
        return [Problem(name, exc.lineno, f"Jinja syntax error: {exc.message}")]
    callable_names = CALLABLE_GLOBALS | {macro.name for macro in tree.find_all(nodes.Macro)}
    problems = [
        Problem(name, node.lineno, message) for node, message in _node_problems(tree, callable_names, includable)
    ]
    if _CLAUSE_FILE.match(name):
        problems += _top_level_problems(name, tree)
    return problems


def _node_problems(
    tree: nodes.Template, callable_names: AbstractSet[str], includable: AbstractSet[str]
) -> Iterator[tuple[Any, str]]:
    env = _parser()
    for node in tree.find_all(nodes.Node):
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            yield node, f"attribute {node.attr!r}: names starting with '_' are not allowed"
        elif isinstance(node, nodes.Getitem) and _is_private_constant(node.arg):
            yield node, f"item {node.arg.value!r}: names starting with '_' are not allowed"  # type: ignore[attr-defined]
        elif isinstance(node, nodes.Name) and node.name.startswith("_"):
            yield node, f"name {node.name!r}: names starting with '_' are not allowed"
        elif isinstance(node, nodes.Call):
            yield from _call_problems(node, callable_names)
        elif isinstance(node, nodes.Filter) and node.name not in env.filters:
            yield node, f"filter {node.name!r} is not available; allowed: {', '.join(sorted(env.filters))}"
        elif isinstance(node, nodes.Test) and node.name not in env.tests:
            yield node, f"test {node.name!r} is not available; allowed: {', '.join(sorted(env.tests))}"
        elif isinstance(node, nodes.Keyword) and node.key == "attribute" and _is_private_constant(node.value):
            yield node, "attribute names starting with '_' are not allowed"
        elif isinstance(node, nodes.Include):
            yield from _include_problems(node, includable)
        elif isinstance(node, (nodes.Import, nodes.FromImport)):
            yield node, "{% import %} is not allowed: define macros in the block that uses them"
        elif isinstance(node, nodes.Extends):
            yield node, "{% extends %} is not allowed: clause files are rendered into Fairpact's layout"
        elif isinstance(node, (nodes.EvalContextModifier, nodes.ScopedEvalContextModifier)):
            yield node, "{% autoescape %} is not allowed: all output is escaped"


def _is_private_constant(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Const) and isinstance(node.value, str) and node.value.startswith("_")


def _call_problems(node: nodes.Call, callable_names: AbstractSet[str]) -> Iterator[tuple[Any, str]]:
    target = node.node
    if isinstance(target, nodes.Name) and target.name in callable_names:
        return
    if isinstance(target, nodes.Getattr):
        yield node, f"calling {target.attr}() on a value is not allowed; use a filter instead"
    else:
        yield node, "only this file's own macros and range() can be called"


def _include_problems(node: nodes.Include, includable: AbstractSet[str]) -> Iterator[tuple[Any, str]]:
    target = node.template
    if not (isinstance(target, nodes.Const) and isinstance(target.value, str)):
        yield node, "{% include %} needs the literal name of one of this template's own files"
    elif target.value not in includable:
        yield node, f"{{% include {target.value!r} %}}: only this template's own files can be included"


def _top_level_problems(name: str, tree: nodes.Template) -> list[Problem]:
    problems = []
    for node in tree.body:
        if isinstance(node, nodes.Block):
            continue
        if isinstance(node, nodes.Output) and all(
            isinstance(child, nodes.TemplateData) and not child.data.strip() for child in node.nodes
        ):
            continue
        problems.append(Problem(name, node.lineno, "only {% block <clause_id> %} sections may stand at the top level"))
    return problems


def block_names(name: str, source: str) -> set[str]:
    try:
        return {block.name for block in parse(name, source).find_all(nodes.Block)}
    except TemplateSyntaxError:
        return set()


def include_cycle_problems(sources: Mapping[str, str]) -> list[Problem]:
    """An include loop would recurse until the worker dies; refuse it up front."""
    graph = {name: _included_names(name, text) for name, text in sources.items() if name.endswith(".html")}
    problems = []
    for start in sorted(graph):
        seen, stack = set(), list(graph[start])
        while stack:
            current = stack.pop()
            if current == start:
                problems.append(Problem(start, None, "it includes itself (directly or through other files)"))
                break
            if current not in seen:
                seen.add(current)
                stack.extend(graph.get(current, ()))
    return problems


def _included_names(name: str, source: str) -> set[str]:
    try:
        tree = parse(name, source)
    except TemplateSyntaxError:
        return set()
    return {
        include.template.value
        for include in tree.find_all(nodes.Include)
        if isinstance(include.template, nodes.Const) and isinstance(include.template.value, str)
    }


# --- HTML ------------------------------------------------------------------------------------------


def html_problems(name: str, source: str) -> list[Problem]:
    checker = _HtmlChecker(name)
    checker.feed(_html_view(source))
    checker.close()
    return checker.problems


def _html_view(source: str) -> str:
    """The template's literal HTML with every Jinja expression, tag and comment turned into 'x'.

    Built from Jinja's own lexer, so {% raw %} content is checked as the HTML it outputs and no
    Jinja syntax can hide markup from the HTML parser. Line breaks stay where they were.
    """
    parts = []
    try:
        tokens = list(_parser().lex(source))
    except TemplateSyntaxError:
        return ""  # jinja_problems reports the syntax error
    for _, kind, value in tokens:
        parts.append(value if kind == "data" else re.sub(r"[^\n]+", "x", value))
    return "".join(parts)


class _HtmlChecker(HTMLParser):
    def __init__(self, name: str):
        super().__init__(convert_charrefs=True)
        self.name = name
        self.problems: list[Problem] = []
        self._in_style = False

    def _add(self, message: str) -> None:
        self.problems.append(Problem(self.name, self.getpos()[0], message))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self._add(f"<{tag}> is not allowed: contract templates cannot embed images, links, scripts or files")
        for attribute, value in attrs:
            self._check_attribute(tag, attribute, value or "")
        self._in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in_style = False

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.problems += css_problems(self.name, data, first_line=self.getpos()[0])

    def handle_pi(self, data: str) -> None:
        self._add("processing instructions are not allowed")

    def _check_attribute(self, tag: str, attribute: str, value: str) -> None:
        if attribute == "href" and tag == "a":
            if not re.fullmatch(r"#[A-Za-z0-9_-]+", value):
                self._add(f'href="{value}": only links to a place in the same document (#id) are allowed')
        elif attribute == "style":
            self.problems += css_problems(self.name, value, first_line=self.getpos()[0], declarations=True)
        elif not (attribute in ALLOWED_ATTRIBUTES or re.fullmatch(r"(data|aria)-[a-z0-9-]+", attribute)):
            self._add(f"attribute {attribute!r} on <{tag}> is not allowed (no src, href, srcset or event handlers)")


# --- CSS -------------------------------------------------------------------------------------------


def css_problems(name: str, css: str, first_line: int = 1, declarations: bool = False) -> list[Problem]:
    problems = []
    closing = re.search(r"</|<!--", css)
    if closing:
        line = first_line + css[: closing.start()].count("\n")
        problems.append(Problem(name, line, "'</' and '<!--' are not allowed in styles"))
    parsed = tinycss2.parse_blocks_contents(css) if declarations else tinycss2.parse_stylesheet(css)
    for node in _walk_css(parsed):
        message = _css_node_problem(node)
        if message:
            problems.append(Problem(name, first_line + (getattr(node, "source_line", 1) or 1) - 1, message))
    return problems


def _css_node_problem(node: Any) -> str | None:
    kind = getattr(node, "type", None)
    if kind == "error":
        return f"CSS syntax error: {node.message}"
    if kind == "url":
        return f"url({node.value}) is not allowed: styles cannot load files or URLs"
    if kind == "function" and node.lower_name in FORBIDDEN_CSS_FUNCTIONS:
        return f"{node.lower_name}() is not allowed: styles cannot load files or URLs"
    if kind in ("at-rule", "at-keyword") and node.lower_at_keyword in FORBIDDEN_AT_RULES:
        return FORBIDDEN_AT_RULES[node.lower_at_keyword]
    return None


def _walk_css(parsed: list[Any]) -> Iterator[Any]:
    for node in parsed:
        yield node
        for attribute in ("prelude", "content", "arguments", "value"):
            children = getattr(node, attribute, None)
            if isinstance(children, list):
                yield from _walk_css(children)


# --- which terms a template reads ------------------------------------------------------------------


def referenced_term_paths(sources: Mapping[str, str], root: str = "terms") -> set[str]:
    """Dotted paths under ``terms`` the html files read, following ``{% set x = terms.a %}`` and loop aliases.

    List items appear as ``deliverables[].platform``. Used to check that a template's metadata declares
    every term it reads, so a caller learns about a missing term before rendering, not from a stack trace.
    """
    paths: set[str] = set()
    for name, source in sources.items():
        if name.endswith(".html"):
            try:
                tree = parse(name, source)
            except TemplateSyntaxError:
                continue
            paths |= _paths_in(tree, root)
    return paths


def block_term_paths(name: str, source: str, block: str, root: str = "terms") -> set[str]:
    """The paths one ``{% block %}`` of a file reads (see ``referenced_term_paths``)."""
    try:
        tree = parse(name, source)
    except TemplateSyntaxError:
        return set()
    found: set[str] = set()
    for node in tree.find_all(nodes.Block):
        if node.name == block:
            found |= _paths_in(node, root)
    return found


def _paths_in(tree: nodes.Node, root: str) -> set[str]:
    aliases = {root: ""}
    for node in tree.find_all((nodes.Assign, nodes.For)):
        # {% set x = terms.a %} makes x stand for "a"; {% for x in terms.a %} for the items "a[]".
        is_loop = isinstance(node, nodes.For)
        target: nodes.Node = node.target  # type: ignore[attr-defined]
        value: nodes.Node = node.iter if is_loop else node.node  # type: ignore[attr-defined]
        path = _chain(value, aliases)
        if isinstance(target, nodes.Name) and path is not None:
            aliases[target.name] = f"{path}[]" if is_loop else path
    chains = (_chain(access, aliases) for access in tree.find_all((nodes.Getattr, nodes.Getitem)))
    return {path for path in chains if path}


def _chain(node: nodes.Node, aliases: dict[str, str]) -> str | None:
    if isinstance(node, nodes.Name):
        return aliases.get(node.name)
    if isinstance(node, nodes.Getattr):
        key = node.attr
    elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        key = node.arg.value
    else:
        return None
    parent = _chain(node.node, aliases)
    if parent is None:
        return None
    return f"{parent}.{key}" if parent else key


def undeclared_term_paths(referenced: set[str], declared: set[str]) -> set[str]:
    """Referenced paths that no declared path covers (itself, an ancestor or a descendant of it)."""

    def covered(path: str) -> bool:
        return any(
            path == d or d.startswith((path + ".", path + "[]")) or path.startswith((d + ".", d + "[]"))
            for d in declared
        )

    return {path for path in referenced if not covered(path)}
