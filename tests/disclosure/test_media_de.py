"""Germany: stories, long videos, product placement and livestreams."""

from __future__ import annotations

from tests.disclosure.helpers import COMPLIANT, DASH, outcome, violation


def story(*frames: str, **fields):
    return outcome(media_type="story", story_frames=list(frames), **fields)


def youtube(caption: str, overlays=(), duration_s=600, **fields):
    return outcome(
        platform="youtube",
        media_type="video",
        caption=caption,
        on_screen_text=list(overlays),
        duration_s=duration_s,
        **fields,
    )


def overlay(text: str, start: float, end: float) -> dict[str, object]:
    return {"text": text, "start_s": start, "end_s": end}


def test_every_story_frame_needs_the_label():
    assert story("Werbung | Riegel", "20 g Protein", "Code FIT10") == violation("DE-STORY-FRAME-UNLABELED")
    assert story("Werbung | Riegel", "Werbung | 20 g Protein", "Werbung | Code FIT10") == COMPLIANT


def test_a_story_without_any_label_misses_it_altogether():
    assert story("Riegel", "20 g Protein") == violation("DE-LABEL-MISSING")


def test_the_platform_label_shows_on_every_story_frame():
    assert story("Riegel", "20 g Protein", paid_partnership_tag=True) == COMPLIANT


def test_a_long_video_needs_the_label_in_the_video_for_its_whole_length():
    assert youtube("Uhrentest", [overlay("Werbung", 0, 600)]) == COMPLIANT
    assert youtube("Uhrentest", [overlay("Werbung", 0, 3)]) == violation("DE-VIDEO-LABEL")


def test_a_label_only_in_the_description_is_not_in_the_video():
    assert youtube("Uhrentest\n\nWerbung: in Zusammenarbeit mit SmartFit") == violation("DE-VIDEO-LABEL")


def test_a_video_without_any_label_is_missing_it():
    assert youtube("Uhrentest") == violation("DE-LABEL-MISSING")


def test_a_minor_product_placement_is_flagged_at_the_start():
    flagged = [overlay("Unterstützt durch Produktplatzierung", 0, 6)]
    assert youtube("Wochenend-Vlog\n\nEnthält Produktplatzierung", flagged) == COMPLIANT
    assert youtube("Wochenend-Vlog\n\nEnthält Produktplatzierung", [overlay("P", 0, 5)]) == COMPLIANT


def test_a_product_placement_flagged_late_or_not_at_all_is_unlabelled():
    late = [overlay("Unterstützt durch Produktplatzierung", 300, 306)]
    assert youtube("Vlog\n\nProduktplatzierung", late) == violation("DE-PRODUCT-PLACEMENT-UNLABELED")
    assert youtube("Vlog\n\nProduktplatzierung") == violation("DE-PRODUCT-PLACEMENT-UNLABELED")


def test_a_livestream_label_must_cover_the_sponsored_segment():
    transcript = "[10:00] Chillen ... [60:00] Jetzt kommt der Teil, der von GearForge bezahlt wird ... [80:00] Zurück."
    fields = dict(platform="twitch", media_type="live", caption="Chill-Stream", transcript=transcript, duration_s=10800)
    covered = [overlay(f"Werbung {DASH} präsentiert von @gearforge", 3600, 4800)]
    too_short = [overlay("Werbung", 3600, 3630)]
    assert outcome(on_screen_text=covered, **fields) == COMPLIANT
    assert outcome(on_screen_text=too_short, **fields) == violation("DE-VIDEO-LABEL")


def test_short_videos_are_labelled_in_the_caption():
    fields = dict(platform="tiktok", media_type="video", duration_s=30)
    assert outcome(caption="Werbung | Snacktest", **fields) == COMPLIANT
    assert outcome(caption="In Kooperation mit @snackbox", **fields) == violation("DE-LABEL-INSUFFICIENT-TERM")
    assert outcome(caption="Snacktest", on_screen_text=[overlay("Werbung", 0, 30)], **fields) == COMPLIANT
