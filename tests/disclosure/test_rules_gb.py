"""United Kingdom: CAP Code, the ASA's rulings and report, and the CMA's guidance."""

from __future__ import annotations

import pytest

from tests.disclosure.helpers import COMPLIANT, DASH, LONG_EN, outcome, review, violation


def gb(**fields):
    return outcome(jurisdiction="GB", **fields)


@pytest.mark.parametrize(
    "caption", ["Ad | skincare routine", "#ad skincare", "AD: skincare", f"Advert {DASH} skincare"]
)
def test_ad_up_front_passes(caption):
    assert gb(caption=caption) == COMPLIANT


def test_the_platform_label_is_an_alternative_to_ad():
    assert gb(caption="3 ways to style one blazer", paid_partnership_tag=True) == COMPLIANT


@pytest.mark.parametrize(
    "caption",
    [
        "Sponsored by @lumiskin",
        "In association with @lumiskin",
        "Thanks to @crunchies for making this possible!",
        "#spon new trainers",
        "#collab new trainers",
        "Brand ambassador for @kicklab",
        "#prtrip Three days in Bali",
    ],
)
def test_wording_the_asa_rejects(caption):
    assert gb(caption=caption) == violation("GB-LABEL-INSUFFICIENT-TERM")


def test_a_hidden_label_is_misplaced():
    assert gb(caption=LONG_EN + " #ad") == violation("GB-LABEL-PLACEMENT")


def test_incentivised_content_without_a_label():
    assert gb(relationship="affiliate", caption="15% off with code HOLLY15") == violation("GB-LABEL-MISSING")
    assert gb(relationship="gifted", caption="New trainers from @kicklab") == violation("GB-LABEL-MISSING")


def test_affiliate_tags_alone_are_not_enough():
    assert gb(relationship="affiliate", caption="#affiliate linen shirts") == violation("GB-AFFILIATE-LABEL")
    assert gb(relationship="affiliate", caption="#ad #affiliate linen shirts") == COMPLIANT


def test_gifted_on_a_genuine_gift_is_disputed_and_on_an_ad_is_wrong():
    assert gb(relationship="gifted", caption="#gifted bouquet from @petalandstem") == review("GB-GIFTED-LABEL-REVIEW")
    assert gb(caption="#gifted lipstick from @velvetlip") == violation(
        "GB-LABEL-INSUFFICIENT-TERM", "RELATIONSHIP-MISREPRESENTED"
    )


def test_every_frame_of_an_ad_story():
    assert gb(media_type="story", story_frames=[f"Ad {DASH} rucksack", "fits my laptop"]) == violation(
        "GB-STORY-FRAME-UNLABELED"
    )


def test_own_brand_must_be_said_in_the_post():
    assert gb(relationship="own_brand", caption="Restocked at noirthread.co.uk", bio="Co-owner of Noir Thread") == (
        violation("GB-OWN-BRAND-UNCLEAR")
    )
    assert gb(relationship="own_brand", caption="My brand just restocked hoodies") == COMPLIANT


def test_a_video_label_only_in_the_description_is_not_up_front():
    fields = dict(platform="youtube", media_type="video", duration_s=480)
    assert gb(caption="Cereal challenge\n\nAd: paid for by @crunchies", **fields) == violation("GB-LABEL-PLACEMENT")
    assert gb(caption="AD | Cereal challenge", **fields) == COMPLIANT


def test_employees_must_disclose_the_employment():
    assert gb(relationship="employee", caption="Best bank app out there") == violation(
        "EMPLOYEE-RELATIONSHIP-UNDISCLOSED"
    )
