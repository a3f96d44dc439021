"""The labelling obligation shown to creators: words, placement, example, in English or German."""

from __future__ import annotations

import pytest

from service.disclosure import check_data
from service.disclosure.obligations import ObligationError, labelling_obligation
from tests.disclosure.helpers import post


def test_a_paid_german_instagram_post():
    duty = labelling_obligation("paid", "DE", "instagram", "image")
    assert duty.required
    (germany,) = duty.jurisdictions
    assert germany.accepted_words[:2] == ("Werbung", "Anzeige")
    assert "#ad" in germany.avoid_words
    assert "first 125 characters" in germany.placement
    assert duty.example.startswith("Werbung |")
    assert "UWG § 5a Abs. 4" in (germany.citation or "")


def test_the_ready_to_copy_example_passes_the_engine():
    for relationship in ("paid", "gifted", "affiliate", "press_trip", "employee", "own_brand"):
        for countries in (["DE"], ["US"], ["GB"], ["FR"], ["ES"], ["NL"], ["IT"], ["PL"], ["DE", "AT"], ["DE", "US"]):
            duty = labelling_obligation(relationship, countries, "instagram", "image")
            result = check_data(post(jurisdiction=countries, relationship=relationship, caption=duty.example))
            assert result.verdict.value == "compliant", (relationship, countries, duty.example, result.rule_ids)


def test_the_answer_speaks_german_when_asked():
    duty = labelling_obligation("gifted", "AT", "instagram", "story", lang="de")
    (austria,) = duty.jurisdictions
    assert austria.placement == "Auf jeder Story-Sequenz."
    assert "umstritten" in (austria.note or "")
    assert duty.on_screen_text == "Werbung"


def test_where_the_label_must_stand_depends_on_platform_and_media():
    assert (
        "every single story frame"
        in labelling_obligation("paid", "DE", "instagram", "story").jurisdictions[0].placement
    )
    video = labelling_obligation("paid", "DE", "youtube", "video").jurisdictions[0].placement
    assert "whole video (at least 90% of it)" in video
    live = labelling_obligation("paid", "US", "twitch", "live").jurisdictions[0].placement
    assert "repeated periodically" in live
    linkedin = labelling_obligation("paid", "US", "linkedin", "text").jurisdictions[0].placement
    assert "first 200 characters" in linkedin


def test_several_audiences_combine_their_labels():
    duty = labelling_obligation("paid", ["DE", "US"], "instagram", "reel")
    assert [item.jurisdiction for item in duty.jurisdictions] == ["DE", "US"]
    assert duty.example.startswith("Werbung | #ad |")
    assert duty.on_screen_text == "Werbung | #ad"


def test_the_affiliate_example_carries_the_asterisk_explanation():
    duty = labelling_obligation("affiliate", "DE", "instagram", "image", lang="de")
    assert "*Affiliate-Link" in duty.example


def test_no_relationship_and_the_brands_own_account_need_no_label():
    assert not labelling_obligation("none", "DE", "instagram", "image").required
    official = labelling_obligation("paid", "DE", "instagram", "image", account_type="brand_official")
    assert not official.required
    assert "official account" in (official.jurisdictions[0].note or "")


def test_the_eu_fallback_names_the_national_word():
    duty = labelling_obligation("paid", "SE", "instagram", "image")
    assert duty.jurisdictions[0].accepted_words[0] == "Reklam"
    assert duty.example.startswith("Reklam |")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("friend", "DE", "instagram", "image"), "relationship must be one of"),
        (("paid", "DE", "myspace", "image"), "platform must be one of"),
        (("paid", "DE", "instagram", "hologram"), "media_type must be one of"),
        (("paid", "CH", "instagram", "image"), "no rule pack covers CH"),
        (("paid", [], "instagram", "image"), "at least one audience"),
    ],
)
def test_questions_that_cannot_be_answered(args, message):
    with pytest.raises(ObligationError, match=message):
        labelling_obligation(*args)


def test_the_answer_serialises_for_the_api():
    data = labelling_obligation("paid", "GB", "instagram", "image").as_dict()
    assert data["jurisdictions"][0]["accepted_words"][0] == "Ad"
    assert set(data) >= {"required", "jurisdictions", "example", "on_screen_text"}
