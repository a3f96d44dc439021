"""Austria: § 26 MedienG's words, the strict equivalence standard, and the disputed gift question."""

from __future__ import annotations

import pytest

from tests.disclosure.helpers import COMPLIANT, LONG_DE, outcome, review, violation


def at(**fields):
    return outcome(jurisdiction="AT", **fields)


@pytest.mark.parametrize("caption", ["Werbung | Kamera", "Anzeige: Kamera", "Entgeltliche Einschaltung: Kräuterlimo"])
def test_the_statutory_words_are_accepted(caption):
    assert at(caption=caption) == COMPLIANT


def test_a_paid_post_without_a_label_is_missing_it():
    assert at(caption="Danke @alpenbank für den Abend! Das Jugendkonto lohnt sich") == violation("AT-LABEL-MISSING")


@pytest.mark.parametrize("caption", ["Kooperation mit @alpenoptik: Kamera", "Danke an @alpenoptik für die Kamera"])
def test_words_that_do_not_say_paid_are_insufficient(caption):
    assert at(caption=caption) == violation("AT-LABEL-INSUFFICIENT-TERM")


@pytest.mark.parametrize("caption", ["#ad Kamera von @alpenoptik", "Sponsored | Kamera von @alpenoptik"])
def test_english_labels_are_disputed(caption):
    assert at(caption=caption) == review("AT-LABEL-TERM-REVIEW")


def test_a_hidden_label_is_misplaced():
    assert at(caption=LONG_DE + " #werbung") == violation("AT-LABEL-PLACEMENT")


@pytest.mark.parametrize("relationship", ["gifted", "press_trip"])
def test_gifts_and_trips_without_a_label_are_an_open_question(relationship):
    assert at(relationship=relationship, caption="Mein Paket von @zirbenduft ist angekommen") == review(
        "AT-GIFT-REVIEW"
    )
    assert at(relationship=relationship, caption="Werbung | Mein Paket von @zirbenduft") == COMPLIANT


def test_the_platform_toggle_alone_is_unconfirmed():
    assert at(caption="Kamera", paid_partnership_tag=True) == review("PLATFORM-TOOL-ONLY-REVIEW")


def test_employees_who_name_the_employer_without_werbung_go_to_review():
    assert at(relationship="employee", caption="Ich arbeite bei @alpenbank und liebe unser neues Konto") == review(
        "EMPLOYEE-DISCLOSURE-REVIEW"
    )
    assert at(relationship="employee", caption="Unser neues Konto ist das beste") == violation(
        "EMPLOYEE-RELATIONSHIP-UNDISCLOSED"
    )
