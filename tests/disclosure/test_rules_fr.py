"""France: loi 2023-451 as rewritten by the 2024 ordinance, with its retouched and virtual image mentions."""

from __future__ import annotations

import pytest

from tests.disclosure.helpers import COMPLIANT, LONG_FR, outcome, review, violation


def fr(**fields):
    return outcome(jurisdiction="FR", **fields)


@pytest.mark.parametrize(
    "caption",
    ["Publicité | ma routine", "Publicite | ma routine", "#publicité ma routine", "Collaboration commerciale"],
)
def test_the_statutory_mentions_pass(caption):
    assert fr(caption=caption) == COMPLIANT


def test_thanks_is_not_a_mention():
    assert fr(caption="Merci @croquant_bio pour ce granola ! Code JULIE15") == violation("FR-LABEL-MISSING")


@pytest.mark.parametrize("caption", ["#ad ma trottinette", "Sponsorisé par @volta", "Partenariat rémunéré avec @volta"])
def test_other_wordings_are_an_unsettled_equivalent(caption):
    assert fr(caption=caption) == review("FR-LABEL-EQUIVALENT-REVIEW")


def test_before_the_2024_ordinance_only_the_statutory_words_counted():
    assert fr(caption="#ad ma trottinette", posted_at="2024-05-01") == violation("FR-LABEL-MISSING")


def test_the_platform_label_alone_is_doubly_unsettled():
    assert fr(caption="ma routine", paid_partnership_tag=True) == review(
        "PLATFORM-TOOL-ONLY-REVIEW", "FR-LABEL-EQUIVALENT-REVIEW"
    )


def test_a_mention_buried_at_the_end_is_not_visible():
    assert fr(caption=LONG_FR + "\n\n#mode #ete #plage #soleil #publicité") == violation("FR-LABEL-VISIBILITY")


def test_an_on_screen_mention_shown_briefly_goes_to_review():
    fields = dict(media_type="reel", caption="Publicité | routine", duration_s=40)
    brief = [{"text": "Publicité", "start_s": 0, "end_s": 3}]
    whole = [{"text": "Publicité", "start_s": 0, "end_s": 40}]
    assert fr(on_screen_text=brief, **fields) == review("FR-LABEL-DURATION-REVIEW")
    assert fr(on_screen_text=whole, **fields) == COMPLIANT


def test_retouched_and_virtual_images_need_their_own_mention():
    assert fr(caption="Publicité | maillot", media_flags=["retouched_body_or_face"]) == violation("FR-RETOUCHED-IMAGE")
    assert fr(caption="Publicité | Images retouchées", media_flags=["retouched_body_or_face"]) == COMPLIANT
    assert fr(caption="Publicité | montre", media_flags=["ai_generated_person"]) == violation("FR-VIRTUAL-IMAGE")
    assert fr(caption="Publicité | Images virtuelles", media_flags=["ai_generated_person"]) == COMPLIANT


def test_a_retouched_image_outside_commercial_posts_is_unsettled():
    assert fr(relationship="none", caption="Mon été", media_flags=["retouched_body_or_face"]) == review(
        "FR-RETOUCHED-IMAGE"
    )
