"""lint_terms as other code calls it: the verdict, the order, the languages and the dates."""

from __future__ import annotations

from datetime import date

import pytest

from service.contracts.fairness import NoRulesInForce, lint_terms
from service.contracts.terms import TermsError
from tests.contracts.support import CORPORATE, INFLUENCER, merged

UNFAIR = merged(
    INFLUENCER,
    {
        "payment": {"days": 45, "late_interest_excluded": True},
        "approval": {"deemed_approval": False, "review_days": 12},
        "scope": {"brief_change_requires_consent": False},
        "tax": {"ksk_shifted_to_creator": True},
    },
)


def test_fair_is_false_exactly_when_a_block_finding_exists() -> None:
    assert lint_terms(UNFAIR).fair is False
    only_warnings = merged(INFLUENCER, {"payment": {"days": 45}, "approval": {"deemed_approval": False}})
    result = lint_terms(only_warnings)
    assert {f.severity for f in result.findings} == {"warn", "info"}
    assert result.fair is True


def test_findings_are_ordered_block_warn_info_then_by_rule_id() -> None:
    result = lint_terms(UNFAIR)
    assert [(f.severity, f.rule_id) for f in result.findings] == [
        ("block", "FAIR-KSK-PASS-THROUGH"),
        ("block", "FAIR-LATE-INTEREST-EXCLUDED"),
        ("warn", "FAIR-BRIEF-UNILATERAL-CHANGE"),
        ("warn", "FAIR-PAYMENT-TERM-MAX-30-DAYS"),
        ("warn", "FAIR-REVIEW-WINDOW-LONG"),
        ("info", "FAIR-DEEMED-APPROVAL-MISSING"),
        ("info", "INFO-KSK-LEVY-APPLIES"),
    ]
    assert lint_terms(UNFAIR) == result


def test_a_finding_names_the_offending_value_its_fix_and_citation() -> None:
    finding = next(f for f in lint_terms(UNFAIR).findings if f.rule_id == "FAIR-PAYMENT-TERM-MAX-30-DAYS")
    assert finding.as_dict() == {
        "rule_id": "FAIR-PAYMENT-TERM-MAX-30-DAYS",
        "severity": "warn",
        "message": "The payment term is 45 days; the fair maximum is 30 days.",
        "fix": "Pay within 14 days of the invoice, at most 30.",
        "citation": "§308 Nr. 1a, §271a BGB; Dir. 2011/7/EU Art. 3(5); CJEU C-677/22; NY Freelance Isn't Free Act",
    }


def test_german_findings_use_german_text_and_number_format() -> None:
    terms = merged(INFLUENCER, {"expenses": {"creator_prefinances_max": 1250.5}})
    (deposit,) = [f for f in lint_terms(terms, locale="de").findings if f.rule_id == "FAIR-DEPOSIT-MISSING"]
    assert deposit.message == "Die Creator:in finanziert bis zu 1.250,5 EUR vor, und es ist keine Anzahlung vereinbart."
    (english,) = [f for f in lint_terms(terms, locale="en").findings if f.rule_id == "FAIR-DEPOSIT-MISSING"]
    assert "1,250.5 EUR" in english.message


def test_every_message_is_filled_in_both_languages() -> None:
    for terms in (UNFAIR, merged(CORPORATE, {"emp": {"time": {"posting_quota_per_month": 3}}})):
        for locale in ("en", "de", "de_DE"):
            for finding in lint_terms(terms, locale=locale).findings:
                assert "{" not in finding.message + finding.fix + finding.citation


def test_an_unsupported_language_is_refused() -> None:
    with pytest.raises(ValueError, match="Unsupported language 'fr'"):
        lint_terms(INFLUENCER, locale="fr")


def ksk_message(terms: dict, on: date | None = None) -> str:
    return next(f.message for f in lint_terms(terms, on=on).findings if f.rule_id == "INFO-KSK-LEVY-APPLIES")


def test_the_ksk_rate_in_a_message_follows_the_contract_date() -> None:
    in_2025 = merged(INFLUENCER, {"meta": {"effective_date": "2025-06-01"}})
    in_2026 = merged(INFLUENCER, {"meta": {"effective_date": "2026-06-01"}})
    assert ksk_message(in_2025).endswith("levy (KSK) of 5 % on the fees paid to the creator.")
    assert ksk_message(in_2026).endswith("levy (KSK) of 4.9 % on the fees paid to the creator.")


def test_the_judged_date_can_be_given_explicitly() -> None:
    in_2026 = merged(INFLUENCER, {"meta": {"effective_date": "2026-06-01"}})
    assert "of 5 %" in ksk_message(in_2026, on=date(2025, 6, 1))


def test_a_date_without_rules_is_a_clear_error() -> None:
    # Every date-dependent default stated, so that only the rule packs' dates are in question.
    terms = merged(
        INFLUENCER,
        {
            "parties": {"brand": {"country": "AT"}},
            "approval": {"review_days": 5},
            "usage": {"duration_months": 12},
            "cancellation": {
                "kill_fee_pct": {"before_production": 25, "after_production_start": 50, "after_delivery": 100}
            },
        },
    )
    with pytest.raises(NoRulesInForce, match="No fairness rules for influencer contracts are in force on 2024-06-01"):
        lint_terms(terms, on=date(2024, 6, 1))


def test_invalid_terms_raise_terms_error() -> None:
    with pytest.raises(TermsError) as caught:
        lint_terms(merged(INFLUENCER, {"payment": {"days": "45"}}))
    assert list(caught.value.errors) == ["payment.days"]


def test_sections_of_the_other_contract_type_are_ignored() -> None:
    influencer_with_emp = merged(INFLUENCER, {"emp": {"participation_voluntary": False}})
    assert not any(f.rule_id.startswith("EMP-") for f in lint_terms(influencer_with_emp).findings)
    corporate_with_payment = merged(CORPORATE, {"payment": {"days": 90}})
    assert lint_terms(corporate_with_payment).findings == []


def test_the_result_names_the_rule_packs_used() -> None:
    assert lint_terms(INFLUENCER).rule_packs == ("fair-influencer@2026.1", "legal-influencer@2026.1")
    assert lint_terms(CORPORATE).rule_packs == ("emp-corporate-influencer@2026.1",)
