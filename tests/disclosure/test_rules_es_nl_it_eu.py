"""Spain, the Netherlands, Italy and the EU/EEA fallback."""

from __future__ import annotations

import pytest

from tests.disclosure.helpers import COMPLIANT, LONG_FR, outcome, review, violation


@pytest.mark.parametrize("caption", ["#publi Mi café", "Publicidad | Mi café", "Patrocinado por @tostadero: Mi café"])
def test_spain_accepts_publi_and_publicidad(caption):
    assert outcome(jurisdiction="ES", caption=caption) == COMPLIANT


@pytest.mark.parametrize("caption", ["#colab mi café", "#regalo mi café", "Gracias a @tostadero por el café"])
def test_spain_sends_generic_tags_to_review(caption):
    assert outcome(jurisdiction="ES", relationship="gifted", caption=caption) == review("ES-LABEL-TERM-REVIEW")


def test_spain_calling_a_paid_post_a_gift_misdescribes_it():
    assert outcome(jurisdiction="ES", caption="#regalo mi café") == violation(
        "ES-LABEL-TERM-REVIEW", "RELATIONSHIP-MISREPRESENTED"
    )


def test_spain_without_a_label():
    assert outcome(jurisdiction="ES", caption="Mi café de @tostadero") == violation("ES-LABEL-MISSING")


def test_spain_english_only_label_is_a_language_question():
    assert outcome(jurisdiction="ES", caption="#ad mi café de @tostadero, está muy rico") == review(
        "LABEL-LANGUAGE-REVIEW"
    )


@pytest.mark.parametrize("caption", ["#reclame Mijn fiets", "#ad Mijn fiets", "#spon Mijn fiets", "#collab Mijn fiets"])
def test_the_netherlands_accepts_the_rsm_examples(caption):
    assert outcome(jurisdiction="NL", caption=caption) == COMPLIANT


def test_the_netherlands_without_a_label_and_with_a_buried_one():
    assert outcome(jurisdiction="NL", caption="Mijn fiets van @grachtbikes") == violation("NL-LABEL-MISSING")
    buried = LONG_FR + "\n\n#fiets #stad #amsterdam #zomer #reclame"
    assert outcome(jurisdiction="NL", caption=buried) == violation("NL-LABEL-PLACEMENT")


def test_the_netherlands_accepts_the_sponsor_named_in_the_video():
    fields = dict(platform="youtube", media_type="video", duration_s=660, caption="Maaltijdbox review")
    assert outcome(jurisdiction="NL", transcript="[00:00] Deze video is gesponsord door VersPakket", **fields) == (
        COMPLIANT
    )


@pytest.mark.parametrize("caption", ["Pubblicità | la mia moka", "#adv la mia moka", "#ad @caffettiera la mia moka"])
def test_italy_accepts_the_digital_chart_wordings(caption):
    assert outcome(jurisdiction="IT", caption=caption) == COMPLIANT


@pytest.mark.parametrize("caption", ["In collaborazione con @caffettiera", "#collab la mia moka", "#ad la mia moka"])
def test_italy_sends_old_and_english_only_wordings_to_review(caption):
    assert outcome(jurisdiction="IT", caption=caption) == review("IT-LABEL-TERM-REVIEW")


def test_italys_preposition_ad_is_not_a_label():
    assert outcome(jurisdiction="IT", caption="Ad esempio la mia moka") == violation("IT-LABEL-MISSING")


def test_italy_wants_the_label_among_the_first_three_hashtags():
    assert outcome(jurisdiction="IT", caption="Moka #caffe #adv #colazione #mattina #roma") == COMPLIANT
    assert outcome(jurisdiction="IT", caption="Moka #caffe #colazione #mattina #adv") == violation("IT-LABEL-PLACEMENT")


def test_italy_gifts_and_invitations_have_their_own_wording():
    assert outcome(jurisdiction="IT", relationship="gifted", caption="La crema di @rosa") == violation(
        "IT-GIFT-LABEL-MISSING"
    )
    assert outcome(jurisdiction="IT", relationship="gifted", caption="Prodotto inviato da @rosa: la crema") == COMPLIANT
    assert outcome(jurisdiction="IT", relationship="press_trip", caption="Invitato da @hotel: Roma") == COMPLIANT
    assert outcome(jurisdiction="IT", caption="Prodotto inviato da @rosa: la crema") == violation("IT-LABEL-MISSING")


@pytest.mark.parametrize(("country", "caption"), [("PL", "Reklama | moja kawa"), ("SE", "Reklam | mitt kaffe")])
def test_the_eu_fallback_accepts_the_national_word(country, caption):
    assert outcome(jurisdiction=country, caption=caption) == COMPLIANT


def test_the_eu_fallback_without_a_label_is_hidden_advertising():
    assert outcome(jurisdiction="PL", caption="moja kawa od @palarnia") == violation("EU-HIDDEN-ADVERTISING")


def test_the_eu_fallback_sends_anything_else_to_review():
    assert outcome(jurisdiction="PL", caption="#ad moja kawa") == review("LABEL-LANGUAGE-REVIEW")
    assert outcome(jurisdiction="PL", caption="#collab moja kawa") == review("EU-HIDDEN-ADVERTISING")
    assert outcome(jurisdiction="IE", caption="#ad my coffee") == COMPLIANT
