"""Term sets for the contract tests: fair base documents and a way to change a few fields of them."""

from __future__ import annotations

import copy
from typing import Any

INFLUENCER = {
    "meta": {"contract_type": "influencer", "jurisdiction": "DE"},
    "parties": {
        "brand": {"legal_name": "Nordlicht Naturkosmetik GmbH", "country": "DE"},
        "creator": {"legal_name": "Lena Hoffmann", "country": "DE"},
    },
    "deliverables": [{"platform": "instagram", "format": "reel", "quantity": 1}],
    "compensation": {"fee_net": 1800},
}

CORPORATE = {
    "meta": {"contract_type": "corporate_influencer", "jurisdiction": "DE"},
    "parties": {"brand": {"legal_name": "Rheinwerk Software AG"}, "creator": {"legal_name": "Anna Schmidt"}},
    "emp": {"codet": {"works_council_exists": False}},
}


def merged(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``base`` with ``changes`` applied: nested objects merge, everything else replaces."""
    result = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result
