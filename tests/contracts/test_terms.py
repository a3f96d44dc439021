"""Terms validation: exact types, no unknown fields, and every left-out field at its fair default."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from service.contracts.terms import TermsError, load_terms, terms_to_json
from service.errors import Unprocessable
from tests.contracts.support import CORPORATE, INFLUENCER, merged


def problems(terms: Any) -> dict[str, list[str]]:
    with pytest.raises(TermsError) as caught:
        load_terms(terms)
    return caught.value.errors


@pytest.mark.parametrize(
    ("changes", "path", "wording"),
    [
        ({"payment": {"days": "45"}}, "payment.days", "Must be a whole number, got the text '45'"),
        ({"payment": {"days": 45.0}}, "payment.days", "Must be a whole number"),
        ({"payment": {"days": True}}, "payment.days", "Must be a whole number, got true"),
        ({"payment": {"pay_when_paid": 1}}, "payment.pay_when_paid", "Must be true or false, got the number 1"),
        ({"payment": {"pay_when_paid": "false"}}, "payment.pay_when_paid", "Must be true or false"),
        ({"compensation": {"fee_net": "1800"}}, "compensation.fee_net", "Must be a number, got the text '1800'"),
        ({"compensation": {"fee_net": -1}}, "compensation.fee_net", "greater than or equal to 0"),
        ({"compensation": {"fee_net": 10.005}}, "compensation.fee_net", "at most 2 decimal places"),
        ({"compensation": {"currency": "EURO"}}, "compensation.currency", "ISO 4217"),
        ({"compensation": {"deposit_pct": 101}}, "compensation.deposit_pct", "less than or equal to 100"),
        ({"payment": {"trigger": "on_a_whim"}}, "payment.trigger", "Must be one of invoice_after_publication"),
        ({"meta": {"jurisdiction": "FR"}}, "meta.jurisdiction", "Must be one of DE, AT"),
        ({"meta": {"effective_date": "01.03.2026"}}, "meta.effective_date", "YYYY-MM-DD"),
        ({"meta": {"effective_date": "2026-02-30"}}, "meta.effective_date", "YYYY-MM-DD"),
        ({"parties": {"creator": {"country": "de"}}}, "parties.creator.country", "ISO 3166-1 alpha-2"),
        ({"parties": {"creator": {"country": "UK"}}}, "parties.creator.country", "is GB"),
        ({"usage": {"channels": ["tv", "tv"]}}, "usage.channels", "Must not list 'tv' twice"),
        ({"usage": {"channels": ["radio"]}}, "usage.channels[0]", "Must be one of brand_owned_social"),
        ({"usage": {"channels": "tv"}}, "usage.channels", "Not a valid list"),
        ({"deliverables": [{"quantity": 0}]}, "deliverables[0].quantity", "greater than or equal to 1"),
        ({"deliverables": {"platform": "x"}}, "deliverables", "Not a valid list"),
        ({"approval": {"revision_rounds": -1}}, "approval.revision_rounds", "greater than or equal to 0"),
        ({"approval": None}, "approval", "Field may not be null"),
        ({"approval": []}, "approval", "Must be a JSON object"),
        ({"payment": {"deemed_approval": True}}, "payment.deemed_approval", "Unknown field"),
        ({"parties": {"brand": {"handles": ["@x"]}}}, "parties.brand.handles", "Unknown field"),
        ({"deliverables": [{"platform": "x"}, {"length": 30}]}, "deliverables[1].length", "Unknown field"),
        ({"bonus": {"amount": 5}}, "bonus", "Unknown field"),
    ],
)
def test_a_wrong_value_is_refused_with_its_path(changes: dict[str, Any], path: str, wording: str) -> None:
    errors = problems(merged(INFLUENCER, changes))
    assert path in errors, errors
    assert wording in " ".join(errors[path])


def test_every_problem_is_reported_at_once() -> None:
    errors = problems(merged(INFLUENCER, {"payment": {"days": "45", "typo": 1}, "ai": {"training_allowed": "no"}}))
    assert set(errors) == {"payment.days", "payment.typo", "ai.training_allowed"}


def test_the_contract_type_is_required() -> None:
    assert "meta.contract_type" in problems({"meta": {"jurisdiction": "DE"}})
    assert "meta" in problems({"compensation": {"fee_net": 5}})
    assert problems([INFLUENCER]) == {"terms": ["Must be a JSON object."]}


def test_an_influencer_contract_states_its_fee() -> None:
    terms = merged(INFLUENCER, {})
    del terms["compensation"]
    assert "compensation.fee_net" in problems(terms)
    assert "compensation.fee_net" in problems(merged(INFLUENCER, {"compensation": {"fee_net": None}}))
    # An employee programme has no fee, so none is required.
    assert load_terms(CORPORATE)["compensation"]["fee_net"] is None


def test_a_kill_fee_schedule_is_stated_whole_or_not_at_all() -> None:
    errors = problems(merged(INFLUENCER, {"cancellation": {"kill_fee_pct": {"after_delivery": 80}}}))
    assert set(errors) == {
        "cancellation.kill_fee_pct.before_production",
        "cancellation.kill_fee_pct.after_production_start",
    }


def test_dates_must_be_in_order() -> None:
    errors = problems(
        merged(
            INFLUENCER,
            {
                "meta": {"effective_date": "2026-03-01", "end_date": "2026-02-01"},
                "deliverables": [{"publish_window_start": "2026-04-10", "publish_window_end": "2026-04-01"}],
            },
        )
    )
    assert set(errors) == {"meta.end_date", "deliverables[0].publish_window_end"}


def test_a_language_precedence_outside_the_languages_is_refused() -> None:
    errors = problems(merged(INFLUENCER, {"meta": {"languages": ["en"], "language_precedence": "de"}}))
    assert "meta.language_precedence" in errors


def test_terms_errors_have_the_api_error_shape() -> None:
    with pytest.raises(Unprocessable) as caught:
        load_terms(merged(INFLUENCER, {"payment": {"days": "45"}}))
    assert caught.value.status_code == 422
    assert caught.value.errors == {"payment.days": ["Must be a whole number, got the text '45'."]}


def test_left_out_fields_take_the_fair_defaults() -> None:
    terms = load_terms(INFLUENCER)
    assert terms["payment"] == {
        "days": 14,
        "trigger": "invoice_after_publication",
        "pay_when_paid": False,
        "late_interest_excluded": False,
    }
    assert terms["approval"]["review_days"] == 5
    assert terms["approval"]["revision_rounds"] == 2
    assert terms["usage"]["duration_months"] == 12
    assert terms["usage"]["channels"] == ["brand_owned_social"]
    assert terms["usage"]["paid_media_duration_days"] == 0
    assert terms["cancellation"]["kill_fee_pct"] == {
        "before_production": 25,
        "after_production_start": 50,
        "after_delivery": 100,
    }
    assert terms["deliverables"][0]["min_live_days"] == 90
    assert terms["confidentiality"]["carve_outs"] == ["legal_duty", "advisers", "management", "authorities"]
    assert terms["meta"]["languages"] == ["de", "en"]
    assert terms["emp"]["codet"]["works_council_exists"] is False


def test_defaults_that_follow_from_the_rest_of_the_document() -> None:
    terms = load_terms(
        merged(
            INFLUENCER,
            {
                "meta": {"jurisdiction": "UK"},
                "parties": {"creator": {"country": "GB", "is_minor": True}},
                "compensation": {"usage_fee": 500, "whitelisting_fee": 300.5},
                "usage": {"paid_media_allowed": True},
            },
        )
    )
    assert terms["disclosure"]["label"] == "Ad"
    assert terms["meta"]["language_precedence"] == "en"
    assert terms["law"]["governing_law"] == terms["law"]["forum_country"] == "GB"
    assert terms["parties"]["creator"]["tax_resident"] == "GB"
    assert terms["signature"]["guardian_signature"] is True
    assert terms["liability"]["creator_cap"] == Decimal("2600.5")
    assert terms["usage"]["paid_media_duration_days"] == 30
    assert terms["emp"]["disclosure"]["format"] == "#employee"


@pytest.mark.parametrize(("jurisdiction", "label"), [("DE", "Werbung"), ("US_CA", "#ad"), ("AT", None)])
def test_the_default_label_depends_on_the_jurisdiction(jurisdiction: str, label: str | None) -> None:
    terms = load_terms(merged(INFLUENCER, {"meta": {"jurisdiction": jurisdiction}}))
    assert terms["disclosure"]["label"] == label


def test_an_explicit_null_is_kept_and_not_replaced_by_the_default() -> None:
    terms = load_terms(
        merged(
            INFLUENCER,
            {"usage": {"duration_months": None}, "liability": {"creator_cap": None}, "payment": {"days": None}},
        )
    )
    assert terms["usage"]["duration_months"] is None
    assert terms["liability"]["creator_cap"] is None
    assert terms["payment"]["days"] is None


def test_the_tax_flags_are_computed_and_input_values_are_ignored() -> None:
    terms = load_terms(
        merged(
            INFLUENCER,
            {"parties": {"creator": {"country": "AT"}}, "tax": {"ksk_applicable": False, "reverse_charge": False}},
        )
    )
    assert terms["tax"]["ksk_applicable"] is True
    assert terms["tax"]["reverse_charge"] is True


def test_money_and_dates_come_back_exact() -> None:
    terms = load_terms(
        merged(INFLUENCER, {"compensation": {"fee_net": 1234.56}, "meta": {"effective_date": "2026-03-01"}})
    )
    assert terms["compensation"]["fee_net"] == Decimal("1234.56")
    assert terms["meta"]["effective_date"] == date(2026, 3, 1)


def test_loading_is_idempotent_and_survives_json_storage() -> None:
    first = load_terms(
        merged(INFLUENCER, {"compensation": {"fee_net": 1234.56}, "meta": {"effective_date": "2026-03-01"}})
    )
    assert load_terms(first) == first
    assert load_terms(terms_to_json(first)) == first


def test_benchmark_defaults_are_chosen_by_the_effective_date() -> None:
    # The benchmarks behind some defaults are dated legal constants; before the first value, loading refuses.
    errors = problems(merged(INFLUENCER, {"meta": {"effective_date": "2024-06-01"}}))
    assert "no value on 2024-06-01" in " ".join(errors["meta.effective_date"])
