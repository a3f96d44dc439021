"""The Jinja sandbox contract templates render in: plain data in, escaped HTML out, nothing else reachable.

Three walls, each enough on its own for the common escapes:

1. ``validation.py`` refuses a tenant's template before it is stored (dunder names, method calls, unknown
   filters, includes of foreign files, URLs in HTML and CSS).
2. ``PlainDataSandbox`` below answers attribute access only on dicts (as item lookup) and loop variables,
   refuses every other attribute and every call except the template's own macros and ``range``.
3. ``plain_data`` copies the context into dicts, lists, text, numbers and dates, so even a bug in (1) or
   (2) finds no ORM object, function or module to climb from.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from jinja2 import BaseLoader, Environment, StrictUndefined, TemplateNotFound, Undefined
from jinja2.exceptions import SecurityError
from jinja2.runtime import BlockReference, Context, LoopContext, Macro
from jinja2.sandbox import SandboxedEnvironment, safe_range

from service.documents import filters

# Jinja's own filters that only transform plain values; everything that marks HTML safe, reaches
# attributes by name (``attr``), formats with Python's mini-language or prints object internals is left out.
_BUILTIN_FILTERS = (  # noqa: SIM905 (a word list reads better than one item per line)
    "abs capitalize count d default dictsort e escape first float int join last length list lower map "
    "max min reject rejectattr replace round select selectattr sort string sum title trim truncate "
    "upper wordcount"
).split()

_BUILTIN_TESTS = (  # noqa: SIM905
    "boolean defined divisibleby eq equalto escaped even false float ge gt in integer iterable le "
    "lower lt mapping ne none number odd sameas sequence string true undefined upper"
).split()

# What a ``loop`` variable may show; its methods (cycle, changed) are not needed for contract text.
_LOOP_ATTRIBUTES = frozenset(
    ("index index0 revindex revindex0 first last length depth depth0 previtem nextitem").split()  # noqa: SIM905
)

# Bounds for the two operators that can turn a short template into gigabytes of output.
MAX_REPEATED_LENGTH = 100_000
MAX_EXPONENT = 64


class SourcesLoader(BaseLoader):
    """Templates from memory that keep their file name, so errors can say "clauses.de.html line 12"."""

    def __init__(self, mapping: Mapping[str, str]):
        self.mapping = dict(mapping)

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Callable[[], bool]]:
        if template not in self.mapping:
            raise TemplateNotFound(template)
        return self.mapping[template], template, lambda: True

    def list_templates(self) -> list[str]:
        return sorted(self.mapping)


class PlainDataSandbox(SandboxedEnvironment):
    """A sandbox that treats every value as data: dict keys are readable, nothing else is."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, loader: BaseLoader, extra_filters: Mapping[str, Callable[..., Any]] | None = None):
        super().__init__(
            loader=loader,
            autoescape=True,
            undefined=StrictUndefined,
            auto_reload=False,
            # Newlines after tags stay (a sentence after {% endif %} needs its space); indentation goes.
            lstrip_blocks=True,
        )
        self.filters = {name: self.filters[name] for name in _BUILTIN_FILTERS}
        self.filters.update(filters.CONTRACT_FILTERS)
        self.filters.update(extra_filters or {})
        self.tests = {name: self.tests[name] for name in _BUILTIN_TESTS}
        self.globals = {"range": safe_range}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return False

    def is_safe_callable(self, obj: Any) -> bool:
        return isinstance(obj, (Macro, LoopContext, BlockReference)) or obj is safe_range

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Mapping):
            return self._lookup(obj, attribute)
        if isinstance(obj, LoopContext) and attribute in _LOOP_ATTRIBUTES:
            return getattr(obj, attribute)
        if isinstance(obj, Undefined):
            return self.undefined(obj=obj, name=attribute)
        raise SecurityError(f"{attribute!r} of a {type(obj).__name__} value is not available in contract templates")

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, Mapping):
            return self._lookup(obj, argument)
        if isinstance(obj, (list, tuple, str)) and isinstance(argument, (int, slice)):
            try:
                return obj[argument]
            except IndexError:
                return self.undefined(obj=obj, name=str(argument))
        if isinstance(obj, Undefined):
            return self.undefined(obj=obj, name=str(argument))
        raise SecurityError(f"[{argument!r}] of a {type(obj).__name__} value is not available in contract templates")

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if not __self.is_safe_callable(__obj):
            raise SecurityError("only the template's own macros and range() can be called in contract templates")
        return __context.call(__obj, *args, **kwargs)

    def call_binop(self, context: Context, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "*":
            _refuse_huge_repetition(left, right)
            return operator.mul(left, right)
        if isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"exponents above {MAX_EXPONENT} are not allowed in contract templates")
        return operator.pow(left, right)

    def _lookup(self, mapping: Mapping[Any, Any], key: Any) -> Any:
        # Keys only: a dict's methods (items, keys, get, update) are never reachable as "attributes".
        if isinstance(key, str) and key.startswith("_"):
            raise SecurityError(f"names starting with '_' ({key!r}) are not available in contract templates")
        try:
            return mapping[key]
        except (KeyError, TypeError):
            return self.undefined(obj=mapping, name=str(key))


def _refuse_huge_repetition(left: Any, right: Any) -> None:
    for sequence, count in ((left, right), (right, left)):
        repeatable = isinstance(sequence, (str, list, tuple)) and isinstance(count, int)
        if repeatable and len(sequence) * count > MAX_REPEATED_LENGTH:
            raise SecurityError("repeating text or lists that often is not allowed in contract templates")


class NotPlainData(TypeError):
    """A value that is not plain data was offered to a template."""


def plain_data(value: Any, path: str = "context") -> Any:
    """A deep copy of ``value`` made only of dicts, lists, text, numbers, booleans, dates and None.

    Text subclasses (``Markup``, ``StrEnum``) become plain ``str`` so nothing arrives pre-marked as safe HTML.

    :raises NotPlainData: naming the path of the first value of another type (an ORM object, a function…).
    """
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass")
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float, Decimal, dt.date)):
        return value
    if isinstance(value, Mapping):
        return {_plain_key(key, path): plain_data(item, f"{path}.{key}") for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_data(item, f"{path}[{index}]") for index, item in enumerate(value)]
    raise NotPlainData(
        f"{path} is a {type(value).__name__}; templates render from plain data only "
        "(dicts, lists, text, numbers, booleans, dates)"
    )


def _plain_key(key: Any, path: str) -> str:
    if not isinstance(key, str):
        raise NotPlainData(f"{path} has a key of type {type(key).__name__}; keys must be text")
    return plain_data(key, path)
