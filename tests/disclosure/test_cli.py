"""``fairpact check-posts`` through a real process, as scripts and evaluations call it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.disclosure.helpers import DEV_CASES

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def run(tmp_path: Path):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "FAIRPACT_INSTANCE_DIR": str(tmp_path / "instance")}

    def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "service.cli", "check-posts", *args],
            input=stdin,
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
            check=False,
        )

    return run_cli


def expected_cases() -> list[dict]:
    return [json.loads(line) for line in DEV_CASES.read_text(encoding="utf-8").splitlines() if line.strip()]


def assert_all_dev_cases_match(stdout: str) -> None:
    results = [json.loads(line) for line in stdout.splitlines()]
    cases = expected_cases()
    assert [r["id"] for r in results] == [c["id"] for c in cases]
    mismatches = [
        (case["id"], result["verdict"], result["rule_ids"])
        for case, result in zip(cases, results, strict=True)
        if (result["verdict"], result["rule_ids"]) != (case["expected"], case["rule_ids"])
    ]
    assert mismatches == []
    for result in results:
        assert set(result) == {"id", "verdict", "rule_ids", "findings"}
        assert [finding["rule_id"] for finding in result["findings"]] == result["rule_ids"]


def test_the_dev_cases_file_all_62_match(run):
    done = run(str(DEV_CASES))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert_all_dev_cases_match(done.stdout)


def test_the_dev_cases_from_standard_input(run):
    done = run("-", stdin=DEV_CASES.read_text(encoding="utf-8"))
    assert done.returncode == 0, done.stderr
    assert_all_dev_cases_match(done.stdout)


def test_without_a_path_it_reads_standard_input_and_can_answer_in_german(run):
    case = expected_cases()[2]  # dev-003, "#ad" in Germany
    done = run("--lang", "de", stdin=json.dumps(case) + "\n")
    assert done.returncode == 0
    result = json.loads(done.stdout)
    assert (result["id"], result["verdict"], result["rule_ids"]) == (
        "dev-003",
        "violation",
        ["DE-LABEL-INSUFFICIENT-TERM"],
    )
    assert result["findings"][0]["fix"].startswith("Durch „Werbung“ oder „Anzeige“")


def test_bad_lines_are_reported_and_the_good_ones_still_checked(run, tmp_path):
    good = expected_cases()[2]  # dev-003, "#ad" in Germany
    lines = [
        json.dumps(good),
        "{not json",
        "",
        json.dumps({**good, "id": "bad-platform", "platform": "myspace"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({**good, "id": "last"}),
    ]
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run(str(path))
    assert done.returncode == 1
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == ["dev-003", "last"]
    errors = done.stderr.splitlines()
    assert errors[0].startswith("line 2: not valid JSON")
    assert errors[1].startswith("line 4: post 'bad-platform': platform: must be one of")
    assert errors[2].startswith("line 5: post: must be a JSON object")
    assert errors[3] == "3 line(s) could not be checked"


def test_an_unknown_language_is_refused(run):
    done = run("--lang", "fr", stdin="")
    assert done.returncode == 2
    assert "Invalid value for '--lang'" in done.stderr
