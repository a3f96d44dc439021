"""Every example of disclosure-dev-cases.jsonl: the verdict and the rule ids, exactly and in order."""

from __future__ import annotations

import json

import pytest

from service.disclosure import check_data
from tests.disclosure.helpers import DEV_CASES

CASES = [json.loads(line) for line in DEV_CASES.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_dev_file_holds_all_62_cases():
    assert len(CASES) == 62
    verdicts = [case["expected"] for case in CASES]
    assert (verdicts.count("compliant"), verdicts.count("violation"), verdicts.count("needs_review")) == (26, 30, 6)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_dev_case(case):
    result = check_data(case)
    assert (result.verdict.value, list(result.rule_ids)) == (case["expected"], case["rule_ids"]), case.get("notes")


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_every_finding_explains_itself_in_both_languages(case):
    for lang in ("en", "de"):
        for finding in check_data(case, lang=lang).findings:
            assert finding.message and finding.fix and finding.citation
            assert finding.severity in ("violation", "review")
