"""What a rule sees while it is evaluated: the complete terms and the date they are judged on."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from service.contracts.legal_constants import legal_constant

COMPUTED_PREFIX = "computed."
CONSTANT_PREFIX = "constant."


@dataclass(frozen=True)
class RuleContext:
    terms: Mapping[str, Any]
    on: date
    computed: Mapping[str, Callable[[RuleContext], Any]] = field(default_factory=dict)

    def value(self, path: str) -> Any:
        """A terms field by dotted path (``payment.days``), or a computed value (``computed.total_fee``)."""
        if path.startswith(COMPUTED_PREFIX):
            return self.computed[path.removeprefix(COMPUTED_PREFIX)](self)
        node: Any = self.terms
        for name in path.split("."):
            if node is None:  # inside a section set to null (e.g. no kill-fee schedule): the value is absent
                return None
            node = node[name]
        return node

    def constant(self, reference: str) -> Any:
        """A legal constant in force on the judged date; ``NAME.key`` reads one entry of a mapping value."""
        name, *keys = reference.split(".")
        value = legal_constant(name, on=self.on)
        for key in keys:
            value = value[key]
        return value

    def placeholder(self, name: str) -> Any:
        """The value a message placeholder such as ``{payment.days}`` or ``{constant.DE_KSK_RATE}`` stands for."""
        if name.startswith(CONSTANT_PREFIX):
            return self.constant(name.removeprefix(CONSTANT_PREFIX))
        return self.value(name)
