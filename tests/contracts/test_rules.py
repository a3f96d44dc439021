"""Every fairness rule, tier by tier: a term set that triggers it, and the fair alternative that does not.

Each case changes a few fields of a fair base document (tests/contracts/support.py). ``fair`` is the
change that makes the same point fairly; ``None`` means the base document (all fair defaults) itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from service.contracts.fairness import lint_terms, rule_book
from tests.contracts.support import CORPORATE, INFLUENCER, merged


@dataclass(frozen=True)
class Case:
    rule_id: str
    severity: str
    trigger: dict[str, Any]
    fair: dict[str, Any] | None = None

    @property
    def base(self) -> dict[str, Any]:
        return CORPORATE if self.rule_id.startswith("EMP-") else INFLUENCER


def pays(**compensation: Any) -> dict[str, Any]:
    return {"compensation": {"fee_net": 1800, **compensation}}


WHITELISTED = {"whitelisting": {"allowed": True, "spend_cap": 1000}, **pays(whitelisting_fee=600)}

CASES = [
    # --- parties, deliverables, scope
    Case("FAIR-PARTY-IDENTITY-INCOMPLETE", "warn", {"parties": {"creator": {"legal_name": None}}}),
    Case("FAIR-PARTY-IDENTITY-INCOMPLETE", "warn", {"parties": {"brand": {"legal_name": "   "}}}),
    Case("FAIR-AGENCY-PAY-WHEN-PAID", "block", {"payment": {"pay_when_paid": True}}),
    Case("FAIR-AGENCY-PAY-WHEN-PAID", "block", {"payment": {"trigger": "after_client_payment"}}),
    Case(
        "FAIR-MINOR-WITHOUT-GUARDIAN",
        "block",
        {"parties": {"creator": {"is_minor": True}}},
        {"parties": {"creator": {"is_minor": True, "guardian_consent": True}}},
    ),
    Case("FAIR-DELIVERABLES-VAGUE", "block", {"deliverables": []}),
    Case("FAIR-DELIVERABLES-VAGUE", "block", {"deliverables": [{"platform": "tiktok", "quantity": None}]}),
    Case("FAIR-DELIVERABLES-VAGUE", "warn", {"scope": {"additional_content_on_request": True}}),
    Case("FAIR-BRIEF-UNILATERAL-CHANGE", "warn", {"scope": {"brief_change_requires_consent": False}}),
    Case("FAIR-KPI-CONTINGENT-FEE", "warn", {"scope": {"fee_contingent_on_kpis": True}}),
    Case("FAIR-KPI-CONTINGENT-FEE", "warn", pays(fee_reduction_for_underperformance=True)),
    Case("FAIR-LIVE-DURATION-UNBOUNDED", "warn", {"scope": {"live_duration_days": None}}),
    Case(
        "FAIR-LIVE-DURATION-UNBOUNDED",
        "warn",
        {"scope": {"live_duration_days": 366}},
        {"scope": {"live_duration_days": 365}},
    ),
    # --- approval and creative control
    Case("FAIR-REVISIONS-UNLIMITED", "block", {"approval": {"revision_rounds": None}}),
    Case(
        "FAIR-REVISIONS-UNLIMITED", "warn", {"approval": {"revision_rounds": 4}}, {"approval": {"revision_rounds": 3}}
    ),
    Case("FAIR-REVIEW-WINDOW-LONG", "block", {"approval": {"review_days": 23}}),
    Case("FAIR-REVIEW-WINDOW-LONG", "warn", {"approval": {"review_days": 22}}),
    Case("FAIR-REVIEW-WINDOW-LONG", "warn", {"approval": {"review_days": 12}}),
    Case("FAIR-REVIEW-WINDOW-LONG", "info", {"approval": {"review_days": 11}}, {"approval": {"review_days": 5}}),
    Case("FAIR-DEEMED-APPROVAL-MISSING", "info", {"approval": {"deemed_approval": False}}),
    Case(
        "FAIR-APPROVAL-SOLE-DISCRETION-PAYMENT", "warn", {"approval": {"sole_discretion_condition_for_payment": True}}
    ),
    Case("FAIR-POST-APPROVAL-EDITS", "warn", {"approval": {"brand_edits_after_approval": True}}),
    Case("FAIR-CREATIVE-NO-RIGHT-TO-REFUSE", "block", {"creative": {"creator_may_refuse_statements": False}}),
    Case("FAIR-CREATIVE-NO-RIGHT-TO-REFUSE", "block", {"creative": {"scripted_opinions_required": True}}),
    Case("FAIR-POSITIVE-ONLY", "block", {"creative": {"positive_only_required": True}}),
    Case("FAIR-POSITIVE-ONLY", "block", {"gifting": {"positive_review_required": True}}),
    Case("FAIR-PRODUCT-CLAIMS-UNWARRANTED", "warn", {"creative": {"brand_warrants_product_claims": False}}),
    # --- disclosure
    Case("FAIR-DISCLOSURE-DUTY-MISSING", "block", {"disclosure": {"clause_present": False}}),
    Case(
        "FAIR-DISCLOSURE-LABEL-WEAK", "warn", {"disclosure": {"label": "#ad"}}, {"disclosure": {"label": " anzeige "}}
    ),
    Case("FAIR-DISCLOSURE-LABEL-WEAK", "warn", {"disclosure": {"placement": "hashtags_block"}}),
    Case(
        "FAIR-DISCLOSURE-LABEL-WEAK",
        "warn",
        {"meta": {"jurisdiction": "US_NY"}, "disclosure": {"label": "Werbung"}},
        {"meta": {"jurisdiction": "US_NY"}, "disclosure": {"label": "Paid partnership"}},
    ),
    Case(
        "FAIR-DISCLOSURE-LABEL-WEAK",
        "warn",
        {"meta": {"jurisdiction": "UK"}, "disclosure": {"placement": "bio"}},
        {"meta": {"jurisdiction": "UK"}, "disclosure": {"label": "#AD"}},
    ),
    Case("FAIR-DISCLOSURE-LIABILITY-SHIFTED", "warn", {"disclosure": {"responsibility": "creator_only"}}),
    Case(
        "FAIR-DISCLOSURE-LIABILITY-SHIFTED",
        "warn",
        {"disclosure": {"creator_bears_fines_for_brand_approved_posts": True}},
        {"disclosure": {"responsibility": "brand_only"}},
    ),
    Case("FAIR-DISCLOSURE-SUPPRESSION", "block", {"disclosure": {"brand_may_request_removal_of_label": True}}),
    Case("FAIR-DISCLOSURE-SUPPRESSION", "block", {"confidentiality": {"blocks_ad_disclosure": True}}),
    # --- compensation and payment
    Case("FAIR-FEE-EXPOSURE-ONLY", "block", pays(fee_net=0, model="exposure_only"), pays(model="per_deliverable")),
    Case(
        "FAIR-FEE-PRODUCT-ONLY-WITH-OBLIGATIONS",
        "warn",
        pays(fee_net=0, model="product_only"),
        {**pays(fee_net=0, model="product_only"), "usage": {"license_type": "none"}},
    ),
    Case(
        "FAIR-FEE-PRODUCT-ONLY-WITH-OBLIGATIONS",
        "warn",
        {
            **pays(fee_net=0, model="product_only"),
            "usage": {"license_type": "none"},
            "gifting": {"posting_obligation": True},
        },
        {**pays(model="hybrid"), "gifting": {"posting_obligation": True}},
    ),
    Case("FAIR-COMMISSION-ONLY", "warn", pays(fee_net=0, model="commission_only"), pays(model="hybrid")),
    Case("FAIR-PAYMENT-TERM-MAX-30-DAYS", "block", {"payment": {"days": None}}),
    Case("FAIR-PAYMENT-TERM-MAX-30-DAYS", "block", {"payment": {"days": 61}}, {"payment": {"days": 14}}),
    Case("FAIR-PAYMENT-TERM-MAX-30-DAYS", "warn", {"payment": {"days": 60}}),
    Case(
        "FAIR-PAYMENT-TERM-MAX-30-DAYS",
        "warn",
        {"payment": {"days": 31}},
        # The 30-day presumption is about standard business terms; individually negotiated 45 days pass.
        {"payment": {"days": 45}, "meta": {"is_standard_terms": False}},
    ),
    Case(
        "FAIR-PAYMENT-TERM-MAX-30-DAYS",
        "block",
        {"payment": {"days": 90}, "meta": {"is_standard_terms": False}},
        {"payment": {"days": 30}},
    ),
    Case("FAIR-PAYMENT-TRIGGER-DELAYED", "warn", {"payment": {"trigger": "after_campaign_end"}}),
    Case("FAIR-LATE-INTEREST-EXCLUDED", "block", {"payment": {"late_interest_excluded": True}}),
    Case(
        "FAIR-DEPOSIT-MISSING",
        "info",
        {"expenses": {"creator_prefinances_max": 500}},
        {"expenses": {"creator_prefinances_max": 500}, **pays(deposit_pct=30)},
    ),
    Case("FAIR-DEPOSIT-MISSING", "info", pays(fee_net=2500), pays(fee_net=2499.99)),
    Case("FAIR-EXPENSES-NOT-REIMBURSED", "warn", {"expenses": {"required_costs_reimbursed": False}}),
    Case(
        "FAIR-GIFT-CLAWBACK",
        "warn",
        {"gifting": {"products_provided": True, "pay_if_not_posted": True}},
        # Without products the clause does not exist, so its terms are not judged.
        {"gifting": {"products_provided": False, "pay_if_not_posted": True}},
    ),
    Case(
        "FAIR-GIFT-CLAWBACK",
        "warn",
        {"gifting": {"products_provided": True, "creator_keeps": False}},
        {"gifting": {"products_provided": True, "creator_keeps": False, "is_loan": True}},
    ),
    # --- usage rights, paid media, whitelisting, AI
    Case("FAIR-USAGE-RIGHTS-PERPETUAL", "block", {"usage": {"duration_months": None}}),
    Case(
        "FAIR-USAGE-RIGHTS-PERPETUAL",
        "warn",
        {"usage": {"duration_months": None}, **pays(usage_fee=900)},
        {"usage": {"duration_months": 24}, **pays(usage_fee=900)},
    ),
    Case(
        "FAIR-USAGE-DURATION-LONG",
        "warn",
        {"usage": {"duration_months": 13}},
        {"usage": {"duration_months": 13}, **pays(usage_fee=400)},
    ),
    Case("FAIR-USAGE-CHANNELS-UNSPECIFIED", "warn", {"usage": {"channels": []}}),
    Case(
        "FAIR-USAGE-CHANNELS-UNSPECIFIED",
        "warn",
        {"usage": {"channels": ["brand_website", "all_media"]}},
        {"usage": {"channels": ["brand_owned_social", "brand_website", "newsletter"]}},
    ),
    Case("FAIR-USAGE-UNKNOWN-MEDIA", "block", {"usage": {"unknown_media_included": True}}),
    Case(
        "FAIR-USAGE-UNKNOWN-MEDIA",
        "warn",
        {"usage": {"unknown_media_included": True}, "signature": {"method": "qes"}},
        {"signature": {"method": "wet_ink"}},
    ),
    Case(
        "FAIR-USAGE-EXCLUSIVE-LICENSE",
        "warn",
        {"usage": {"license_type": "exclusive"}},
        {"usage": {"license_type": "non_exclusive"}},
    ),
    Case(
        "FAIR-PAID-MEDIA-UNCOMPENSATED",
        "block",
        {"usage": {"paid_media_allowed": True}},
        {"usage": {"paid_media_allowed": True}, **pays(usage_fee=600)},
    ),
    Case(
        "FAIR-PAID-MEDIA-UNCOMPENSATED",
        "warn",
        {"usage": {"paid_media_allowed": True, "paid_included_acknowledged": True}},
    ),
    Case(
        "FAIR-WHITELISTING-UNCOMPENSATED", "block", {"whitelisting": {"allowed": True, "spend_cap": 1000}}, WHITELISTED
    ),
    Case(
        "FAIR-WHITELISTING-UNCOMPENSATED",
        "warn",
        {"whitelisting": {"allowed": True, "spend_cap": 1000, "included_in_base_fee_acknowledged": True}},
        WHITELISTED,
    ),
    Case(
        "FAIR-WHITELISTING-UNBOUNDED", "warn", merged(WHITELISTED, {"whitelisting": {"spend_cap": None}}), WHITELISTED
    ),
    Case(
        "FAIR-WHITELISTING-UNBOUNDED",
        "warn",
        merged(WHITELISTED, {"whitelisting": {"duration_days": None}}),
        merged(WHITELISTED, {"whitelisting": {"duration_days": 90}}),
    ),
    Case("FAIR-WHITELISTING-UNBOUNDED", "warn", merged(WHITELISTED, {"whitelisting": {"duration_days": 91}})),
    Case(
        "FAIR-WHITELISTING-UNBOUNDED",
        "warn",
        merged(WHITELISTED, {"whitelisting": {"creator_preapproves_ads": False}}),
        # Whitelisting switched off: its terms describe a clause that does not exist.
        {"whitelisting": {"allowed": False, "creator_preapproves_ads": False}},
    ),
    # Checked even when whitelisting is off: a login must never change hands.
    Case("FAIR-ACCOUNT-CREDENTIALS-REQUESTED", "block", {"whitelisting": {"credentials_shared": True}}),
    Case("FAIR-ACCOUNT-CREDENTIALS-REQUESTED", "block", {"data": {"account_credentials_required": True}}),
    Case(
        "FAIR-EDITING-UNRESTRICTED",
        "warn",
        {"usage": {"editing": "unrestricted"}},
        {"usage": {"editing": "with_creator_approval"}},
    ),
    Case("FAIR-IP-ASSIGNMENT", "warn", {"usage": {"ip_model": "assignment"}}),
    Case("FAIR-IP-ASSIGNMENT", "warn", {"usage": {"ip_model": "work_for_hire"}}),
    Case(
        "FAIR-RAW-FOOTAGE-BUYOUT",
        "warn",
        {"usage": {"raw_footage_included": True}},
        {"usage": {"raw_footage_included": True}, **pays(usage_fee=500)},
    ),
    Case(
        "FAIR-SUBLICENSING-OPEN",
        "warn",
        {"usage": {"sublicensing": "any_third_party"}},
        {"usage": {"sublicensing": "none"}},
    ),
    Case(
        "FAIR-AI-LIKENESS-WITHOUT-CONSENT",
        "block",
        {"ai": {"training_allowed": True}},
        {"ai": {"training_allowed": True, "separate_consent_and_fee": True}},
    ),
    Case("FAIR-AI-LIKENESS-WITHOUT-CONSENT", "block", {"ai": {"synthetic_likeness_allowed": True}}),
    # --- exclusivity, cancellation, termination, morality
    Case(
        "FAIR-EXCLUSIVITY-UNCOMPENSATED",
        "block",
        {"exclusivity": {"scope": "named_competitors", "months_post_term": 4}},
        {"exclusivity": {"scope": "named_competitors", "months_post_term": 4}, **pays(exclusivity_fee=800)},
    ),
    Case(
        "FAIR-EXCLUSIVITY-UNCOMPENSATED",
        "warn",
        {"exclusivity": {"scope": "named_competitors", "months_during_term": 3}},
        {"exclusivity": {"scope": "named_competitors", "months_during_term": 3}, **pays(exclusivity_fee=300)},
    ),
    Case("FAIR-EXCLUSIVITY-SCOPE-BROAD", "block", {"exclusivity": {"scope": "industry"}}),
    Case(
        "FAIR-EXCLUSIVITY-SCOPE-BROAD",
        "block",
        {"exclusivity": {"scope": "all_brands"}},
        {"exclusivity": {"scope": "named_competitors", "named_competitors": ["Rival GmbH"]}},
    ),
    Case("FAIR-EXCLUSIVITY-SCOPE-BROAD", "info", {"exclusivity": {"scope": "product_category"}}),
    Case("FAIR-EXCLUSIVITY-POST-TERM-LONG", "block", {"exclusivity": {"months_post_term": 7}}),
    Case(
        "FAIR-EXCLUSIVITY-POST-TERM-LONG",
        "warn",
        {"exclusivity": {"months_post_term": 2}},
        {"exclusivity": {"months_post_term": 1}},
    ),
    Case(
        "FAIR-KILL-FEE-MISSING",
        "block",
        {
            "cancellation": {
                "kill_fee_pct": {"before_production": 25, "after_production_start": 50, "after_delivery": 0}
            }
        },
    ),
    Case(
        "FAIR-KILL-FEE-MISSING",
        "warn",
        {"cancellation": {"kill_fee_pct": None}},
        # A brand that may not cancel for convenience needs no kill-fee schedule.
        {"cancellation": {"brand_may_cancel": False, "kill_fee_pct": None}},
    ),
    Case(
        "FAIR-KILL-FEE-LOW",
        "warn",
        {
            "cancellation": {
                "kill_fee_pct": {"before_production": 25, "after_production_start": 40, "after_delivery": 100}
            }
        },
        # The stage before production is not judged.
        {
            "cancellation": {
                "kill_fee_pct": {"before_production": 0, "after_production_start": 50, "after_delivery": 100}
            }
        },
    ),
    Case(
        "FAIR-KILL-FEE-LOW",
        "warn",
        {
            "cancellation": {
                "kill_fee_pct": {"before_production": 25, "after_production_start": 50, "after_delivery": 99.5}
            }
        },
    ),
    Case("FAIR-TERMINATION-ONE-SIDED", "warn", {"termination": {"for_cause_mutual": False}}),
    Case(
        "FAIR-TERMINATION-ONE-SIDED",
        "warn",
        {"termination": {"brand_convenience_only": True}, "cancellation": {"kill_fee_pct": None}},
        {"termination": {"brand_convenience_only": True}},
    ),
    Case("FAIR-TERMINATION-FORFEITURE", "block", {"termination": {"fee_clawback_for_delivered_work": True}}),
    Case("FAIR-TERMINATION-FORFEITURE", "block", {"termination": {"pay_for_completed_work": False}}),
    Case(
        "FAIR-MORALITY-ONE-SIDED",
        "warn",
        {"morality": {"present": True, "mutual": False}},
        {"morality": {"present": False, "mutual": False}},
    ),
    Case(
        "FAIR-MORALITY-VAGUE",
        "warn",
        {"morality": {"present": True, "standard": "sole_discretion"}},
        {"morality": {"present": True, "standard": "objective"}},
    ),
    Case("FAIR-MORALITY-VAGUE", "warn", {"morality": {"present": True, "notice_and_response": False}}),
    Case(
        "FAIR-MORALITY-CLAWBACK",
        "warn",
        {"morality": {"present": True, "damages_or_clawback": True}},
        {"morality": {"present": True}},
    ),
    Case("FAIR-MORALITY-CLAWBACK", "warn", {"morality": {"present": True, "pay_for_delivered_work": False}}),
    # --- liability, confidentiality, data, tax, law, form
    Case("FAIR-LIABILITY-UNCAPPED", "warn", {"liability": {"creator_cap": None}}, {"liability": {"creator_cap": 5000}}),
    Case(
        "FAIR-LIABILITY-BRAND-EXCLUDES-OWN-FAULT",
        "block",
        {"liability": {"brand_excludes_intent_gross_negligence_injury": True}},
    ),
    Case("FAIR-INDEMNITY-ONE-SIDED", "warn", {"liability": {"creator_indemnity_scope": "broad"}}),
    Case("FAIR-INDEMNITY-ONE-SIDED", "warn", {"liability": {"brand_indemnifies_brand_materials": False}}),
    Case(
        "FAIR-PENALTY-EXCESSIVE",
        "warn",
        # 5 % of the total fee of 1,800 is 90.
        {"liability": {"penalty_per_breach": 90.01, "penalty_cap_total": 300}},
        {"liability": {"penalty_per_breach": 90, "penalty_cap_total": 300}},
    ),
    Case("FAIR-PENALTY-EXCESSIVE", "warn", {"liability": {"penalty_per_breach": 50}}),
    Case(
        "FAIR-PENALTY-EXCESSIVE",
        "warn",
        {"liability": {"penalty_per_breach": 50, "penalty_cap_total": 200, "penalty_mutual": False}},
        {"liability": {"penalty_per_breach": 0, "penalty_mutual": False}},
    ),
    Case("FAIR-CONFIDENTIALITY-UNBOUNDED", "info", {"confidentiality": {"duration_months": None}}),
    Case(
        "FAIR-CONFIDENTIALITY-UNBOUNDED",
        "info",
        {"confidentiality": {"duration_months": 37}},
        {"confidentiality": {"duration_months": 36}},
    ),
    Case("FAIR-CONFIDENTIALITY-UNBOUNDED", "info", {"confidentiality": {"mutual": False}}),
    Case("FAIR-AUDIENCE-DATA-TRANSFER", "block", {"data": {"audience_pii_required": True}}),
    Case(
        "FAIR-AUDIENCE-DATA-TRANSFER",
        "block",
        {"data": {"reporting": "raw_export"}},
        {"data": {"reporting": "platform_readonly_api"}},
    ),
    Case("FAIR-PRIVACY-NOTICE-MISSING", "info", {"data": {"privacy_notice_provided": False}}),
    Case(
        "FAIR-PRICE-GROSS-INCLUSIVE",
        "warn",
        {"tax": {"price_basis": "gross_all_inclusive"}, "parties": {"creator": {"vat_status": "regular"}}},
        {"tax": {"price_basis": "gross_all_inclusive"}, "parties": {"creator": {"vat_status": "small_business"}}},
    ),
    Case("FAIR-KSK-PASS-THROUGH", "block", {"tax": {"ksk_shifted_to_creator": True}}),
    Case(
        "FAIR-FORUM-FOREIGN-TO-CREATOR",
        "warn",
        {"law": {"forum_country": "AT"}},
        {"law": {"forum_country": "AT"}, "parties": {"creator": {"is_merchant": True}}},
    ),
    Case(
        "FAIR-ARBITRATION-COST-BURDEN",
        "block",
        {
            "law": {"arbitration": True, "arbitration_costs_on_creator": True},
            "parties": {"creator": {"is_consumer": True}},
        },
    ),
    Case(
        "FAIR-ARBITRATION-COST-BURDEN",
        "warn",
        {"law": {"arbitration": True, "arbitration_costs_on_creator": True}},
        {"law": {"arbitration": True}, "parties": {"creator": {"is_consumer": True}}},
    ),
    Case(
        "FAIR-LANGUAGE-PRECEDENCE-MISSING",
        "info",
        {"meta": {"language_precedence": None}},
        {"meta": {"language_precedence": None, "languages": ["de"]}},
    ),
    Case("FAIR-FORM-BY-CONDUCT", "warn", {"signature": {"method": "click"}}),
    Case(
        "FAIR-FORM-BY-CONDUCT",
        "warn",
        {"signature": {"method": "by_performance"}},
        {"signature": {"method": "advanced_esig"}},
    ),
    Case("FAIR-AUDIENCE-AUTHENTICITY-MISSING", "info", {"authenticity": {"creator_warranty": False}}),
    Case("FAIR-AUDIENCE-AUTHENTICITY-MISSING", "info", {"authenticity": {"brand_warranty": False}}),
    # --- legal status and information
    Case(
        "INFO-KSK-LEVY-APPLIES",
        "info",
        {},
        {"parties": {"creator": {"legal_form": "corporation"}}},
    ),
    Case(
        "INFO-KSK-LEVY-APPLIES",
        "info",
        # An agency commissioning creators itself owes the levy from the first euro.
        {**pays(fee_net=300), "parties": {"brand": {"role": "agency_as_principal"}}},
        # A brand advertising for itself pays below the yearly de-minimis.
        pays(fee_net=300),
    ),
    Case(
        "INFO-KSK-LEVY-APPLIES",
        "info",
        {**pays(fee_net=300), "tax": {"ksk_year_fee_sum": 4000}},
        {"parties": {"brand": {"country": "AT"}}},
    ),
    Case("INFO-VAT-SMALL-BUSINESS", "info", {"parties": {"creator": {"vat_status": "small_business"}}}),
    Case(
        "INFO-REVERSE-CHARGE",
        "info",
        {"parties": {"creator": {"country": "AT"}}, "law": {"forum_country": "AT"}},
        {"parties": {"creator": {"country": "DE"}}},
    ),
    Case(
        "INFO-WITHHOLDING-50A",
        "info",
        {"parties": {"creator": {"tax_resident": "AT"}}},
        {"parties": {"creator": {"tax_resident": "AT"}}, "usage": {"territory": ["AT", "CH"]}},
    ),
    Case(
        "LEGAL-SCHEINSELBST-RISK",
        "warn",
        {"status": {"single_client_share_pct": 83, "integrated_in_org": True, "term_months": 12}},
        {"status": {"single_client_share_pct": 83, "integrated_in_org": True, "term_months": 11}},
    ),
    Case(
        "LEGAL-SCHEINSELBST-RISK",
        "warn",
        {"status": {"single_client_share_pct": 95, "fixed_schedule": True, "term_months": 24}},
        {"status": {"single_client_share_pct": 95, "term_months": 24}},
    ),
    Case(
        "LEGAL-HANDELSVERTRETER-RISK",
        "info",
        {**pays(fee_net=0, model="commission_only"), "status": {"ongoing_commission_mandate": True}},
        pays(fee_net=0, model="commission_only"),
    ),
    Case(
        "LEGAL-32B-MANDATORY",
        "info",
        {"law": {"governing_law": "US"}, "usage": {"territory": ["DE", "AT"]}},
        {"law": {"governing_law": "US"}, "usage": {"territory": ["US"]}},
    ),
    # --- corporate influencer programmes
    Case("EMP-PARTICIPATION-NOT-VOLUNTARY", "block", {"emp": {"participation_voluntary": False}}),
    Case("EMP-OPT-IN-NOT-DOCUMENTED", "warn", {"emp": {"opt_in_written": False}}),
    Case("EMP-NON-RETALIATION-MISSING", "warn", {"emp": {"non_retaliation": False}}),
    Case("EMP-LINKED-TO-PERFORMANCE", "block", {"emp": {"linked_to_performance_review": True}}),
    Case("EMP-LINKED-TO-PERFORMANCE", "block", {"emp": {"linked_to_targets_or_bonus": True}}),
    Case("EMP-WITHDRAWAL-RESTRICTED", "block", {"emp": {"withdrawal_anytime": False}}),
    Case(
        "EMP-WITHDRAWAL-RESTRICTED",
        "warn",
        {"emp": {"withdrawal_notice_days": 15}},
        {"emp": {"withdrawal_notice_days": 14}},
    ),
    Case("EMP-WITHDRAWAL-RESTRICTED", "warn", {"emp": {"min_commitment_months": 1}}),
    Case("EMP-EXIT-PENALTY", "block", {"emp": {"exit_penalty_or_clawback": True}}),
    Case("EMP-MINOR-OR-TRAINEE", "info", {"emp": {"is_minor": True}}),
    Case("EMP-WORKING-TIME-NOT-COUNTED", "block", {"emp": {"time": {"counts_as_working_time": False}}}),
    Case(
        "EMP-TIME-NOT-RECORDED",
        "warn",
        {"emp": {"time": {"recorded": False}}},
        # The duty to record all working time is German.
        {"meta": {"jurisdiction": "AT"}, "emp": {"time": {"recorded": False}}},
    ),
    Case("EMP-OFF-HOURS-EXPECTED", "warn", {"emp": {"time": {"off_hours_expected": True}}}),
    Case("EMP-POSTING-QUOTA", "warn", {"emp": {"time": {"posting_quota_per_month": 4}}}),
    Case(
        "EMP-TIME-BUDGET-MISSING",
        "info",
        {"emp": {"time": {"weekly_budget_hours": None}}},
        {"emp": {"time": {"weekly_budget_hours": 1.5}}},
    ),
    Case(
        "EMP-ACCOUNT-OWNERSHIP-CLAIMED",
        "block",
        {"emp": {"account": {"employer_claims_followers": True}}},
        {"emp": {"account": {"type": "employer_handle", "employer_claims_followers": True}}},
    ),
    Case("EMP-CREDENTIALS-REQUESTED", "block", {"emp": {"account": {"credentials_to_employer": True}}}),
    Case(
        "EMP-CONTACT-HANDOVER-OVERBROAD",
        "warn",
        {"emp": {"account": {"contact_handover_on_exit": "all_contacts"}}},
        {"emp": {"account": {"contact_handover_on_exit": "none"}}},
    ),
    Case("EMP-SCRIPTED-CONTENT-MANDATORY", "block", {"emp": {"content": {"scripted_posts_mandatory": True}}}),
    Case("EMP-NO-RIGHT-TO-REFUSE", "warn", {"emp": {"content": {"right_to_refuse": False}}}),
    Case("EMP-GUIDELINES-OVERREACH", "warn", {"emp": {"content": {"guidelines_scope": "all_private_activity"}}}),
    Case(
        "EMP-PREAPPROVAL-ALL-POSTS",
        "info",
        {"emp": {"content": {"preapproval": "all_posts"}}},
        {"emp": {"content": {"preapproval": "none"}}},
    ),
    Case(
        "EMP-US-NLRA-CARVEOUT-MISSING",
        "warn",
        {"meta": {"jurisdiction": "US_IL"}, "emp": {"content": {"nlra_carveout": False}}},
        {"meta": {"jurisdiction": "UK"}, "emp": {"content": {"nlra_carveout": False}}},
    ),
    Case("EMP-DISCLOSURE-EMPLOYMENT-MISSING", "block", {"emp": {"disclosure": {"employment_required": False}}}),
    Case("EMP-DISCLOSURE-BIO-ONLY", "warn", {"emp": {"disclosure": {"bio_only_allowed": True}}}),
    Case("EMP-DISCLOSURE-TRAINING-MISSING", "warn", {"emp": {"disclosure": {"training_provided": False}}}),
    Case(
        "EMP-INCENTIVE-LABEL",
        "warn",
        {"emp": {"incentives": {"type": "gifts"}, "disclosure": {"incentives_disclosed": False}}},
        {"emp": {"incentives": {"type": "training"}, "disclosure": {"incentives_disclosed": False}}},
    ),
    Case("EMP-IMAGE-CONSENT-NOT-WRITTEN", "block", {"emp": {"image": {"consent_form": "verbal"}}}),
    Case(
        "EMP-IMAGE-CONSENT-NOT-WRITTEN",
        "block",
        {"emp": {"image": {"consent_form": "none"}}},
        {"emp": {"image": {"consent_form": "written"}}},
    ),
    Case("EMP-IMAGE-CONSENT-IRREVOCABLE", "warn", {"emp": {"image": {"revocable": False}}}),
    Case("EMP-BLANKET-REUSE", "warn", {"emp": {"image": {"employer_reuse": "blanket"}}}),
    Case("EMP-POST-EXIT-LIKENESS-USE", "warn", {"emp": {"image": {"stop_after_exit_days": None}}}),
    Case(
        "EMP-POST-EXIT-LIKENESS-USE",
        "warn",
        {"emp": {"image": {"stop_after_exit_days": 91}}},
        {"emp": {"image": {"stop_after_exit_days": 90}}},
    ),
    Case("EMP-PRIVATE-CONTENT-RIGHTS-CLAIMED", "block", {"emp": {"rights": {"claims_private_content": True}}}),
    Case("EMP-INDIVIDUAL-MONITORING", "block", {"emp": {"data": {"individual_metrics_to_managers": True}}}),
    Case(
        "EMP-INDIVIDUAL-MONITORING",
        "warn",
        {"emp": {"data": {"individual_metrics_to_managers": True}, "codet": {"works_agreement": True}}},
    ),
    Case(
        "EMP-INDIVIDUAL-MONITORING",
        "warn",
        {"meta": {"jurisdiction": "UK"}, "emp": {"data": {"individual_metrics_to_managers": True}}},
    ),
    Case("EMP-CONSENT-AS-CONDITION", "warn", {"emp": {"data": {"consent_as_condition": True}}}),
    Case(
        "EMP-DPIA-MISSING",
        "warn",
        {"emp": {"data": {"tool_used": True}}},
        {"emp": {"data": {"tool_used": True, "dpia_done": True}}},
    ),
    Case(
        "EMP-CODETERMINATION-MISSING",
        "block",
        {"emp": {"codet": {"works_council_exists": True}}},
        {"emp": {"codet": {"works_council_exists": True, "works_agreement": True}}},
    ),
    Case("EMP-LIABILITY-SHIFTED", "block", {"emp": {"liability": {"employee_penalties": True}}}),
    Case("EMP-LIABILITY-SHIFTED", "warn", {"emp": {"liability": {"employer_indemnifies_compliant_posts": False}}}),
    Case("EMP-SUPPORT-MISSING", "info", {"emp": {"support": {"legal_hotline": False}}}),
    Case("EMP-SUPPORT-MISSING", "info", {"emp": {"support": {"crisis": False}}}),
    Case("EMP-INCENTIVE-PRESSURE", "warn", {"emp": {"incentives": {"leaderboard": True}}}),
    Case("EMP-INCENTIVE-PRESSURE", "warn", {"emp": {"incentives": {"type": "cash", "reach_linked_cash": True}}}),
    Case(
        "EMP-OFFBOARDING-DELETION-OVERBROAD",
        "warn",
        {"emp": {"offboarding": {"post_deletion": "all_employer_related"}}},
        {"emp": {"offboarding": {"post_deletion": "none"}}},
    ),
    Case(
        "EMP-FREELANCE-SECOND-CONTRACT-RISK",
        "warn",
        {"emp": {"model": "separate_freelance"}},
        {"emp": {"model": "separate_freelance", "freelance_separation_clear": True}},
    ),
]


def case_id(case: Case) -> str:
    return f"{case.rule_id}:{case.severity}"


def severity_of(rule_id: str, terms: dict[str, Any]) -> str | None:
    findings = [finding for finding in lint_terms(terms).findings if finding.rule_id == rule_id]
    assert len(findings) <= 1, "a rule reports at most one finding"
    return findings[0].severity if findings else None


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_the_rule_fires_at_its_tier(case: Case) -> None:
    assert severity_of(case.rule_id, merged(case.base, case.trigger)) == case.severity


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_the_fair_alternative_does_not_fire(case: Case) -> None:
    assert severity_of(case.rule_id, merged(case.base, case.fair or {})) is None


@pytest.mark.parametrize("base", [INFLUENCER, CORPORATE], ids=["influencer", "corporate_influencer"])
def test_the_fair_defaults_raise_no_block_or_warning(base: dict[str, Any]) -> None:
    result = lint_terms(base)
    assert result.fair
    assert [f.rule_id for f in result.findings if f.severity != "info"] == []


def test_every_tier_of_every_rule_has_a_case() -> None:
    covered = {(case.rule_id, case.severity) for case in CASES}
    tiers = {(rule.id, tier.severity) for rule in rule_book().all_rules() for tier in rule.tiers}
    assert tiers - covered == set()
