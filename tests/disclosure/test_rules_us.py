"""United States: FTC Endorsement Guides, Disclosures 101 and the 2017 warning letters."""

from __future__ import annotations

import pytest

from tests.disclosure.helpers import COMPLIANT, LONG_EN, outcome, review, violation


def us(**fields):
    return outcome(jurisdiction="US", **fields)


def overlay(text: str, start: float, end: float) -> dict[str, object]:
    return {"text": text, "start_s": start, "end_s": end}


@pytest.mark.parametrize(
    "caption", ["#ad Loving this cold brew", "Sponsored | my cold brew", "Paid partnership with @brewco: cold brew"]
)
def test_clear_disclosures_up_front_pass(caption):
    assert us(caption=caption) == COMPLIANT


def test_no_disclosure_of_a_material_connection():
    assert us(caption="Loving this cold brew from @brewco") == violation("US-DISCLOSURE-MISSING")


@pytest.mark.parametrize(
    "caption",
    ["#sp cold brew", "#spon cold brew", "#collab with @brewco", "Thanks @brewco! Cold brew", "#partner @brewco"],
)
def test_ambiguous_wording_is_a_violation(caption):
    assert us(caption=caption) == violation("US-AMBIGUOUS-TERM")


def test_a_disclosure_after_the_cut_or_in_a_hashtag_block_is_avoidable():
    assert us(caption=LONG_EN + " #sponsored") == violation("US-PLACEMENT")
    assert us(caption="Cold brew time\n\n#coffee #ad #morning #iced #brew") == violation("US-PLACEMENT")
    assert us(caption="Cold brew time", first_comment="#ad") == violation("US-PLACEMENT")


def test_ambiguous_wording_hidden_at_the_end_breaks_two_rules():
    caption = LONG_EN + "\n\n#summer #beach #sp #spf #skincare"
    assert us(caption=caption) == violation("US-AMBIGUOUS-TERM", "US-PLACEMENT")


@pytest.mark.parametrize("caption", ["#nikeambassador new shoes", "#affiliate my socks", "#RunfastPartner new shoes"])
def test_borderline_wording_goes_to_review(caption):
    assert us(caption=caption) == review("US-TERM-REVIEW")


def test_gifted_is_clear_for_a_gift_but_borderline_on_a_paid_deal():
    assert us(relationship="gifted", caption="#gifted serum from @dewdrop") == COMPLIANT
    assert us(caption="#gifted serum from @dewdrop") == review("US-TERM-REVIEW")


def test_plain_statements_for_gifts_commissions_employment_and_own_brands():
    assert us(relationship="gifted", caption="Thanks @dewdrop for the free serum!") == COMPLIANT
    assert us(relationship="affiliate", caption="I earn a commission if you buy through my link") == COMPLIANT
    assert us(relationship="employee", caption="I work at Metricly and our dashboard is out") == COMPLIANT
    assert us(relationship="own_brand", caption="I founded Kindred Kitchen, so yes I'm biased") == COMPLIANT


def test_employees_and_own_brands_without_disclosure():
    assert us(relationship="employee", caption="Best dashboard on the market") == violation(
        "EMPLOYEE-RELATIONSHIP-UNDISCLOSED"
    )
    assert us(relationship="own_brand", caption="Our pan just did a no-oil flip") == violation("US-DISCLOSURE-MISSING")


def test_the_platform_toggle_alone_goes_to_review():
    assert us(caption="POV: desk setup", paid_partnership_tag=True) == review("PLATFORM-TOOL-ONLY-REVIEW")


def test_stories_labelled_on_some_frames_only_go_to_review():
    assert us(media_type="story", story_frames=["#ad new socks", "so comfy"]) == review("US-STORY-FRAME-REVIEW")
    assert us(media_type="story", story_frames=["#ad new socks", "#ad so comfy"]) == COMPLIANT


def test_a_video_disclosed_only_in_its_description():
    fields = dict(platform="youtube", media_type="video", duration_s=900)
    assert us(caption="Blender test\n\n#ad sponsored by Vortex", **fields) == violation("US-VIDEO-IN-VIDEO")
    said = "[00:00] This video is sponsored by Vortex. [01:00] Test one"
    assert us(caption="Blender test", transcript=said, **fields) == COMPLIANT


def test_say_it_and_show_it():
    fields = dict(platform="youtube", media_type="video", duration_s=600, caption="Study routine")
    spoken_praise = "[00:00] Let's go. [02:00] This lamp is the best thing on my desk"
    shown_only = us(transcript=spoken_praise, on_screen_text=[overlay("#ad", 0, 600)], **fields)
    assert shown_only == review("US-VIDEO-VERBAL")
    both = us(
        transcript="[00:00] This video is sponsored by Zentro.", on_screen_text=[overlay("#ad", 0, 600)], **fields
    )
    assert both == COMPLIANT


def test_a_livestream_must_repeat_its_disclosure():
    fields = dict(platform="twitch", media_type="live", caption="Speedrun marathon", duration_s=10800)
    once = us(
        transcript="[00:01] today's stream is sponsored by Voltage", on_screen_text=[overlay("#ad", 0, 30)], **fields
    )
    assert once == violation("US-LIVESTREAM-REPEAT")
    repeated = "[00:01] sponsored by Voltage ... [01:00:00] reminder, sponsored by Voltage ... [02:00:00] #ad Voltage"
    assert us(transcript=repeated, **fields) == COMPLIANT


def test_the_disclosure_must_be_in_the_language_of_the_post():
    spanish = "Mi nueva crema favorita de @x, es muy buena para mi piel y la uso todos los días con mis amigas"
    assert us(caption="#ad " + spanish) == review("LABEL-LANGUAGE-REVIEW")
    assert us(caption="#publicidad " + spanish) == COMPLIANT
    assert us(caption="Werbung | my new favourite coffee and it is so good with my breakfast") == review(
        "LABEL-LANGUAGE-REVIEW"
    )
