"""Real captions: case and spacing, Unicode disguises, emoji, hashtag blocks, the "more" cut, several audiences."""

from __future__ import annotations

import pytest

from tests.disclosure.helpers import COMPLIANT, DASH, LONG_DE, LONG_EN, outcome, review, violation


def full_width(text: str) -> str:
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


def math_bold(text: str) -> str:
    """Letters in MATHEMATICAL SANS-SERIF BOLD, the alphabet "bold text" generators use."""
    return "".join(
        chr(0x1D5D4 + ord(char) - ord("A")) if char.isupper() else chr(0x1D5EE + ord(char) - ord("a")) for char in text
    )


@pytest.mark.parametrize(
    "caption",
    [
        "WERBUNG | Kaffee",
        "werbung: Kaffee",
        "Werbung    |    Kaffee",
        "🔥Werbung🔥 Kaffee",
        "✨ #Werbung ✨ Kaffee",
        "[WERBUNG] Kaffee",
        "*Werbung* Kaffee",
        "Werbung\u00a0| Kaffee",  # no-break space
        full_width("Werbung") + " | Kaffee",
        math_bold("Werbung") + " | Kaffee",  # what "fancy font" caption generators produce
        "Wer\u200bbung | Kaffee",  # zero-width space inside the word
        "W\u0332e\u0332r\u0332b\u0332u\u0332n\u0332g\u0332 | Kaffee",  # combining underline
    ],
)
def test_case_spacing_and_unicode_variants_of_the_label(caption):
    assert outcome(caption=caption) == COMPLIANT


def test_a_label_word_inside_another_word_is_not_a_label():
    assert outcome(caption="Die Anzeigetafel am Gleis, Kaffee von @bohnenwerk") == violation("DE-LABEL-MISSING")
    assert outcome(jurisdiction="US", caption="Add this to your cart, shoes by @runfast") == violation(
        "US-DISCLOSURE-MISSING"
    )


def test_a_label_inside_a_link_is_not_a_label():
    assert outcome(caption="Kaffee: https://shop.example/werbung/kaffee") == violation("DE-LABEL-MISSING")


def test_a_negated_label_is_not_a_label():
    # The words "keine Werbung" are no label; they also describe a gift as no advertising.
    assert outcome(relationship="gifted", caption="Keine Werbung, ich mag es einfach: Serum von @glowlab") == violation(
        "DE-LABEL-MISSING", "RELATIONSHIP-MISREPRESENTED"
    )
    assert outcome(jurisdiction="US", caption="Not sponsored! I just love these shoes") == violation(
        "US-DISCLOSURE-MISSING", "RELATIONSHIP-MISREPRESENTED"
    )


def test_a_hashtag_block_closing_even_a_short_caption_buries_the_label():
    assert outcome(caption="Neue Jacke! #fashion #ootd #werbung #style #herbst") == violation("DE-LABEL-PLACEMENT")


def test_the_first_tag_of_a_block_that_starts_before_the_cut_is_seen():
    assert outcome(caption="#werbung #fashion #ootd #style #herbst") == COMPLIANT


def test_a_label_right_at_the_start_of_a_long_caption_is_fine():
    assert outcome(caption="Werbung | " + LONG_DE + "\n\n#a #b #c #d #e #f") == COMPLIANT


def test_the_cut_depends_on_the_platform():
    late = "x" * 160 + " Werbung Kaffee"  # after Instagram's 125 characters, before LinkedIn's 200
    assert outcome(platform="instagram", caption=late) == violation("DE-LABEL-PLACEMENT")
    assert outcome(platform="linkedin", media_type="text", caption=late) == COMPLIANT


def test_for_youtube_the_title_line_is_always_shown():
    caption = (
        f"Mein ehrlicher Test der SmartFit Uhr nach dreißig Tagen Training im Alltag {DASH} lohnt sie sich? | Werbung"
    )
    assert outcome(platform="youtube", media_type="image", caption=caption) == COMPLIANT


def test_several_audiences_must_all_pass():
    assert outcome(jurisdiction=["DE", "AT"], caption="Werbung | Kaffee") == COMPLIANT
    assert outcome(jurisdiction=["DE", "US"], caption="#ad Kaffee for my morning") == violation(
        "DE-LABEL-INSUFFICIENT-TERM"
    )
    assert outcome(jurisdiction="DE,US", caption="Werbung | #ad my new favourite coffee") == COMPLIANT


def test_several_audiences_report_every_audiences_findings():
    verdict, rule_ids = outcome(jurisdiction=["GB", "FR"], caption="Sponsored by @velvetlip: lipstick")
    assert verdict == "violation"
    assert rule_ids == ["GB-LABEL-INSUFFICIENT-TERM", "FR-LABEL-EQUIVALENT-REVIEW"]


def test_one_audience_in_review_and_one_passing_is_review():
    assert outcome(jurisdiction=["GB", "US"], caption="Ad | desk setup", paid_partnership_tag=True) == COMPLIANT
    assert outcome(jurisdiction=["GB", "US"], caption="desk setup", paid_partnership_tag=True) == review(
        "PLATFORM-TOOL-ONLY-REVIEW"
    )


def test_uk_is_an_alias_of_gb():
    assert outcome(jurisdiction="UK", caption="Ad | skincare") == COMPLIANT


def test_a_list_of_relationships_takes_the_one_with_precedence():
    assert outcome(relationship=["own_brand", "paid"], caption="My brand's hoodie") == violation("DE-LABEL-MISSING")


def test_long_captions_in_english_with_a_hashtag_block():
    caption = LONG_EN + "\n\n#summer #beachday #sunscreen #spf #ad #vacay"
    assert outcome(jurisdiction="US", caption=caption) == violation("US-PLACEMENT")


def test_a_control_character_inside_a_frame_does_not_shift_the_frames():
    frames = ["Werbung | Riegel\x1f", "Werbung | 20 g Protein", "Werbung | Code FIT10"]
    assert outcome(media_type="story", story_frames=frames) == COMPLIANT
    overlays = [{"text": "x\x1fy", "start_s": 0, "end_s": 1}, {"text": "Werbung", "start_s": 0, "end_s": 600}]
    assert outcome(platform="youtube", media_type="video", caption="Test", on_screen_text=overlays, duration_s=600) == (
        COMPLIANT
    )
