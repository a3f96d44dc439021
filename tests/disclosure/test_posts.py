"""Parsing posts in the §12 format: what is accepted, what is ignored, and what is rejected with which message."""

from __future__ import annotations

import pytest

from service.disclosure import PostError, check_data, parse_post
from tests.disclosure.helpers import post


def test_case_file_fields_that_are_not_inputs_are_ignored():
    parsed = parse_post(post(expected="violation", rule_ids=["X"], source="s", notes="n", unknown_extra=1))
    assert parsed.id == "t-1"


def test_optional_fields_are_read():
    parsed = parse_post(
        post(
            media_type="video",
            transcript="[00:00] hi",
            on_screen_text=[{"text": "Werbung", "start_s": 0, "end_s": 5}],
            duration_s=60,
            first_comment="Werbung",
            account_type="brand_official",
            media_flags=["ai_generated_person"],
            posted_at="2025-01-31",
        )
    )
    assert parsed.on_screen_text[0].end_s == 5
    assert parsed.duration_s == 60
    assert parsed.account_type == "brand_official"
    assert parsed.media_flags == frozenset({"ai_generated_person"})
    assert str(parsed.posted_on) == "2025-01-31"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("DE", ("DE",)), ("de", ("DE",)), ("UK", ("GB",)), (["DE", "AT"], ("DE", "AT")), ("DE, US", ("DE", "US"))],
)
def test_jurisdictions_in_their_usual_spellings(raw, expected):
    assert parse_post(post(jurisdiction=raw)).jurisdictions == expected


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"platform": "myspace"}, "platform", "must be one of"),
        ({"media_type": "podcast"}, "media_type", "must be one of"),
        ({"relationship": "friend"}, "relationship", "must be one of"),
        ({"jurisdiction": "Germany"}, "jurisdiction", "ISO 3166"),
        ({"caption": 5}, "caption", "must be a string"),
        ({"paid_partnership_tag": "yes"}, "paid_partnership_tag", "true or false"),
        ({"story_frames": "one frame"}, "story_frames", "must be a list"),
        ({"on_screen_text": [{"text": "x", "start_s": 5, "end_s": 1}]}, "on_screen_text[0]", "ends before it starts"),
        ({"duration_s": -3}, "duration_s", "must not be negative"),
        ({"duration_s": float("nan")}, "duration_s", "must be a number of seconds"),
        ({"media_flags": ["sepia"]}, "media_flags[0]", "must be one of"),
        ({"id": None}, "id", "is required"),
    ],
)
def test_bad_fields_are_named_with_what_to_fix(fields, field, words):
    with pytest.raises(PostError) as caught:
        parse_post(post(**fields))
    assert words in " ".join(caught.value.errors[field])


def test_every_problem_is_reported_at_once():
    with pytest.raises(PostError) as caught:
        parse_post({"id": "x", "caption": "y"})
    assert {"jurisdiction", "platform", "media_type", "relationship"} <= set(caught.value.errors)


def test_not_an_object_is_rejected():
    with pytest.raises(PostError):
        parse_post(["a", "list"])


def test_a_jurisdiction_without_a_rule_pack_is_rejected_when_checked():
    with pytest.raises(PostError) as caught:
        check_data(post(jurisdiction="CH"))
    assert "no rule pack covers CH" in str(caught.value)


def test_the_findings_language_can_be_german():
    result = check_data(post(caption="Kaffee von @bohnenwerk"), lang="de")
    assert result.findings[0].message.startswith("Der Beitrag ist Werbung")
    with pytest.raises(ValueError, match="lang must be one of"):
        check_data(post(), lang="fr")


def test_the_result_has_the_command_line_shape():
    result = check_data(post(caption="Kaffee")).as_dict()
    assert set(result) == {"id", "verdict", "rule_ids", "findings"}
    assert set(result["findings"][0]) == {"rule_id", "severity", "message", "fix", "citation"}
