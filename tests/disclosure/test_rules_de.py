"""Germany: one test per rule of de.yaml, each with the defect and the post that gets it right."""

from __future__ import annotations

import pytest

from tests.disclosure.helpers import COMPLIANT, DASH, LONG_DE, outcome, review, violation


@pytest.mark.parametrize(
    "caption",
    ["Werbung | Mein neuer Kaffee", "Anzeige: Mein neuer Kaffee", "#werbung Mein neuer Kaffee", "(Werbung) Kaffee"],
)
def test_werbung_or_anzeige_at_the_start_is_enough(caption):
    assert outcome(caption=caption) == COMPLIANT


@pytest.mark.parametrize("relationship", ["paid", "gifted", "affiliate", "press_trip"])
def test_a_post_with_a_benefit_and_no_label_is_missing_its_label(relationship):
    assert outcome(relationship=relationship, caption="Mein neuer Lieblingskaffee von @bohnenwerk ☕") == violation(
        "DE-LABEL-MISSING"
    )


def test_self_bought_products_need_no_label_even_with_brand_names():
    assert outcome(relationship="none", caption="Selbst gekauft: Jacke von @hafenliebe, ich liebe sie") == COMPLIANT


@pytest.mark.parametrize(
    "caption",
    [
        "#ad Frühlingslook mit @hafenliebe",
        "Sponsored by @hafenliebe: Frühlingslook",
        "Gesponsert von @hafenliebe: Frühlingslook",
        "In freundlicher Unterstützung von @hafenliebe",
        "In Kooperation mit @hafenliebe: Frühlingslook",
        "Powered by @hafenliebe",
        "#sp Frühlingslook",
    ],
)
def test_english_and_vague_wording_is_an_insufficient_term(caption):
    assert outcome(caption=caption) == violation("DE-LABEL-INSUFFICIENT-TERM")


def test_a_label_at_the_end_of_a_long_caption_is_misplaced():
    assert outcome(caption=LONG_DE + " Werbung") == violation("DE-LABEL-PLACEMENT")


def test_ad_hidden_at_the_end_is_both_the_wrong_word_and_the_wrong_place():
    caption = LONG_DE + "\n\n#kaffee #ad #espresso #morgen #routine"
    assert outcome(caption=caption) == violation("DE-LABEL-INSUFFICIENT-TERM", "DE-LABEL-PLACEMENT")


def test_a_label_only_in_the_first_comment_or_the_bio_is_misplaced():
    assert outcome(caption="Mein neuer Kaffee", first_comment="Werbung") == violation("DE-LABEL-PLACEMENT")
    assert outcome(caption="Mein neuer Kaffee", bio="Alle Posts sind Werbung") == violation("DE-LABEL-PLACEMENT")


@pytest.mark.parametrize(
    "caption", ["W e r b u n g | Kaffee", "W-E-R-B-U-N-G Kaffee", "Werbunng | Kaffee", "Anzeie: Kaffee"]
)
def test_a_distorted_label_goes_to_review(caption):
    assert outcome(caption=caption) == review("DE-LABEL-TERM-REVIEW")


def test_real_words_close_to_a_label_are_not_typos():
    assert outcome(caption="Meine Wertung: 9 von 10 für den Kaffee von @bohnenwerk") == violation("DE-LABEL-MISSING")
    assert outcome(caption="Die Anzeigetafel zeigt Verspätung, Kaffee von @bohnenwerk") == violation("DE-LABEL-MISSING")


def test_the_platform_label_counts_in_germany():
    assert outcome(caption="Rezept speichern! #mealprep", paid_partnership_tag=True) == COMPLIANT


def test_own_brand_needs_ownership_or_a_label():
    assert outcome(relationship="own_brand", caption="Die Kerze gibt es auf lichtwerk.de") == violation(
        "DE-OWN-BRAND-UNCLEAR"
    )
    assert outcome(relationship="own_brand", caption="Meine eigene Marke: die Kerze „Nordlicht“") == COMPLIANT
    assert outcome(relationship="own_brand", caption="Eigenwerbung | die Kerze „Nordlicht“") == COMPLIANT


def test_on_the_brands_official_account_the_purpose_is_evident():
    assert outcome(relationship="own_brand", caption="Neu: Nordlicht", account_type="brand_official") == COMPLIANT


def test_affiliate_links_need_the_asterisk_explanation_or_a_label_next_to_them():
    unmarked = "Meine Sneaker: https://sneakr.example/ref/jana* #sneaker"
    explained = "Meine Sneaker: https://sneakr.example/ref/jana*\n*Affiliate-Link: Bei Kauf erhalte ich eine Provision."
    assert outcome(relationship="affiliate", caption=unmarked) == violation("DE-AFFILIATE-UNMARKED")
    assert outcome(relationship="affiliate", caption=explained) == COMPLIANT


def test_a_discount_code_needs_werbung_right_next_to_it():
    code_only = "Mit dem Code LISA10 spart ihr 10 % bei @bohnenwerk"
    labelled = "Mit dem Code LISA10 (Werbung) spart ihr 10 % bei @bohnenwerk"
    assert outcome(relationship="affiliate", caption=code_only) == violation("DE-AFFILIATE-UNMARKED")
    assert outcome(relationship="affiliate", caption=labelled) == COMPLIANT


def test_employee_without_any_disclosure_breaks_both_rules():
    caption = "Neu im Sortiment: GreenTank Pro. Unbedingt ausprobieren!"
    assert outcome(relationship="employee", caption=caption) == violation(
        "EMPLOYEE-RELATIONSHIP-UNDISCLOSED", "DE-LABEL-MISSING"
    )


def test_employee_who_names_the_employer_but_not_werbung_is_an_open_question():
    caption = "Ich arbeite bei @solarion und bin stolz auf unsere neue Wärmepumpe"
    assert outcome(relationship="employee", caption=caption) == review("EMPLOYEE-DISCLOSURE-REVIEW")
    assert outcome(relationship="employee", caption="Werbung | " + caption) == COMPLIANT


def test_an_unsolicited_gift_without_a_label_goes_to_review():
    caption = "Ungefragt und ohne Absprache kam dieses Serum von @glowlab, ich bin begeistert"
    assert outcome(relationship="gifted", caption=caption) == review("DE-GIFT-REVIEW")


def test_a_gift_is_presumed_to_be_consideration():
    assert outcome(relationship="gifted", caption="Danke @glowlab für das Paket!") == violation("DE-LABEL-MISSING")


def test_strong_promotion_with_a_shop_link_and_no_consideration_goes_to_review():
    caption = "Das beste Gerät überhaupt!!! Holt euch das hier: https://kochwerk.example/km-700"
    assert outcome(relationship="none", caption=caption) == review("DE-EXCESS-PROMO-REVIEW")


def test_over_labelling_unpaid_content_is_fine():
    assert (
        outcome(relationship="none", caption=f"Unbezahlte Werbung {DASH} selbst gekauft: mein Buch des Monats")
        == COMPLIANT
    )


@pytest.mark.parametrize("caption", ["Unbezahlte Werbung | Sonnenbrille", "Keine Werbung, ich liebe die Brille"])
def test_a_paid_post_called_unpaid_misrepresents_the_relationship(caption):
    verdict, rule_ids = outcome(caption=caption)
    assert verdict == "violation"
    assert "RELATIONSHIP-MISREPRESENTED" in rule_ids


def test_calling_a_gift_unpaid_is_literally_true_but_misleading():
    assert outcome(relationship="gifted", caption="Unbezahlte Werbung | Serum von @glowlab") == review(
        "RELATIONSHIP-MISREPRESENTED"
    )


def test_press_trip_wording_alone_is_not_the_german_label():
    assert outcome(relationship="press_trip", caption="Pressereise mit @visit_allgaeu") == violation(
        "DE-LABEL-INSUFFICIENT-TERM"
    )
    assert outcome(relationship="press_trip", caption="Werbung | Pressereise mit @visit_allgaeu") == COMPLIANT
