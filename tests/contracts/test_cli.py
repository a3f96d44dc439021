"""`fairpact lint-terms` through a real process, as scripts and evaluations run it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import SECRET_KEY
from tests.contracts.support import CORPORATE, INFLUENCER, merged
from tests.contracts.test_dev_cases import DEV_CASES, DEV_CASES_FILE

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def run_cli(tmp_path: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {
        "PATH": "/usr/bin:/bin",
        # A C locale: the output must still be UTF-8 JSON.
        "LC_ALL": "C",
        "FAIRPACT_ENV": "test",
        "SECRET_KEY": SECRET_KEY,
        "FAIRPACT_INSTANCE_DIR": str(tmp_path / "instance"),
    }
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "lint-terms", *args],
        input=stdin,
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        timeout=120,
        check=False,
    )


def output_lines(result: subprocess.CompletedProcess[bytes]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]


def jsonl(*documents: Any) -> bytes:
    return "".join(json.dumps(doc, ensure_ascii=False) + "\n" for doc in documents).encode("utf-8")


def test_the_dev_cases_file_gives_one_line_per_case_with_the_expected_verdicts(tmp_path: Path) -> None:
    result = run_cli(tmp_path, str(DEV_CASES_FILE))
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr == b""
    lines = output_lines(result)
    assert [line["id"] for line in lines] == [case["id"] for case in DEV_CASES]
    for line, case in zip(lines, DEV_CASES, strict=True):
        assert set(line) == {"id", "fair", "findings"}
        assert line["fair"] is case["expected_fair"], case["id"]
        reported = {(f["rule_id"], f["severity"]) for f in line["findings"] if f["severity"] != "info"}
        expected = {(e["rule_id"], e["severity"]) for e in case["expected"] if e["severity"] != "info"}
        assert reported == expected, case["id"]
        for finding in line["findings"]:
            assert set(finding) == {"rule_id", "severity", "message", "fix", "citation"}


def test_terms_are_read_from_stdin_with_fair_defaults_for_left_out_fields(tmp_path: Path) -> None:
    documents = jsonl(
        {"id": "clean", "terms": INFLUENCER},
        {"id": 7, "terms": merged(CORPORATE, {"emp": {"exit_penalty_or_clawback": True}})},
        {"id": "minimal", "terms": {"meta": {"contract_type": "corporate_influencer"}}},
    )
    result = run_cli(tmp_path, "-", stdin=documents)
    assert result.returncode == 0, result.stderr.decode()
    clean, penalised, minimal = output_lines(result)
    assert (clean["id"], clean["fair"]) == ("clean", True)
    assert (penalised["id"], penalised["fair"]) == (7, False)
    assert [f["rule_id"] for f in penalised["findings"]] == ["EMP-EXIT-PENALTY"]
    assert minimal == {"id": "minimal", "fair": True, "findings": []}


def test_bad_lines_are_reported_and_the_others_still_checked(tmp_path: Path) -> None:
    lines = [
        jsonl({"id": "first", "terms": INFLUENCER}),
        b'{"id": "broken", "terms": {\n',
        jsonl({"id": "typed", "terms": merged(INFLUENCER, {"payment": {"days": "45"}, "ai": {"fake": True}})}),
        b"\n",
        jsonl({"terms": INFLUENCER}),
        jsonl(["not", "an", "object"]),
        b'{"id": "latin1", "terms": "\xe9"}\n',
        jsonl({"id": "last", "terms": merged(INFLUENCER, {"payment": {"days": 90}})}),
    ]
    result = run_cli(tmp_path, stdin=b"".join(lines))  # no argument: stdin

    assert result.returncode == 1
    assert [line["id"] for line in output_lines(result)] == ["first", "last"]
    errors = result.stderr.decode("utf-8").splitlines()
    assert errors[0].startswith("line 2: not valid JSON")
    # The unknown ai.fake is ignored (the format says so); the mistyped value is still an error.
    assert errors[1] == "line 3: id \"typed\": invalid terms: payment.days: Must be a whole number, got the text '45'."

    assert errors[2] == 'line 5: "id" is missing or not a string or integer'
    assert errors[3] == 'line 6: expected a JSON object {"id": ..., "terms": {...}}'
    assert errors[4].startswith("line 7: not UTF-8 text")
    assert errors[5] == "5 line(s) could not be checked."


def test_german_messages_on_request(tmp_path: Path) -> None:
    terms = merged(INFLUENCER, {"payment": {"days": 45}})
    result = run_cli(tmp_path, "--lang", "de", stdin=jsonl({"id": "de", "terms": terms}))
    (line,) = output_lines(result)
    (payment,) = [f for f in line["findings"] if f["rule_id"] == "FAIR-PAYMENT-TERM-MAX-30-DAYS"]
    assert payment["message"] == "Die Zahlungsfrist beträgt 45 Tage; fair sind höchstens 30 Tage."


def test_an_unknown_language_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "--lang", "fr", stdin=b"")
    assert result.returncode == 2
    assert b"'fr' is not one of 'en', 'de'" in result.stderr


def test_unknown_fields_are_ignored_as_the_terms_format_says(tmp_path):
    """contract-terms.md §1: unknown fields are ignored, at any depth, and the document is still checked."""
    import json
    import subprocess
    import sys

    document = {
        "id": "extra",
        "terms": {
            "meta": {"contract_type": "influencer", "internal_ref": "CRM-42"},
            "parties": {"brand": {"legal_name": "Nordlicht GmbH"}, "creator": {"legal_name": "Lena Sommer"}},
            "deliverables": [{"platform": "instagram", "format": "reel", "colour": "blue"}],
            "compensation": {"fee_net": 1500},
            "x_custom": True,
        },
    }
    path = tmp_path / "terms.jsonl"
    path.write_text(json.dumps(document) + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "lint-terms", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout)
    assert line["id"] == "extra" and isinstance(line["fair"], bool)


def test_the_api_side_still_refuses_unknown_fields():
    import pytest

    from service.contracts.terms import TermsError, load_terms

    with pytest.raises(TermsError) as caught:
        load_terms({"meta": {"contract_type": "influencer", "colour": "blue"}})
    assert "meta.colour" in caught.value.errors
