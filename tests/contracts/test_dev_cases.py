"""The linter against the developer cases of fairness-dev-cases.jsonl.

Every expected block and warn finding must be reported at that severity and no other block or warn
finding may appear; info findings are checked only where a case lists them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service.contracts.fairness import lint_terms

DEV_CASES_FILE = Path(__file__).parent / "data" / "fairness-dev-cases.jsonl"
DEV_CASES = [json.loads(line) for line in DEV_CASES_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]


def _pairs(findings: list[dict[str, Any]], *, info: bool) -> set[tuple[str, str]]:
    return {(f["rule_id"], f["severity"]) for f in findings if (f["severity"] == "info") is info}


@pytest.mark.parametrize("case", DEV_CASES, ids=[case["id"] for case in DEV_CASES])
def test_dev_case(case: dict[str, Any]) -> None:
    result = lint_terms(case["terms"])
    reported = [finding.as_dict() for finding in result.findings]

    assert _pairs(reported, info=False) == _pairs(case["expected"], info=False), case["why"]
    assert _pairs(case["expected"], info=True) <= _pairs(reported, info=True), case["why"]
    assert result.fair is case["expected_fair"]


def test_there_are_dev_cases_for_both_contract_types() -> None:
    types = {case["terms"]["meta"]["contract_type"] for case in DEV_CASES}
    assert types == {"influencer", "corporate_influencer"}
    assert len(DEV_CASES) >= 30
