"""The marshmallow schemas of the contract terms format (contract-terms.md §4), one per section.

Each field states its exact type and its fair default; :data:`DERIVED` marks defaults that follow from
the rest of the document or the date (filled in by ``service.contracts.derived``). Loading goes through
``service.contracts.terms.load_terms``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from marshmallow import RAISE, Schema, fields, pre_load, validate

from service.contracts import vocabulary as v
from service.contracts.derived import DERIVED
from service.contracts.fields import (
    Choice,
    CountryCode,
    CurrencyCode,
    Flag,
    IsoDate,
    Number,
    Text,
    UniqueList,
    choices,
    count,
    money,
    percent,
)
from service.contracts.jurisdictions import JURISDICTIONS, LANGUAGES

ZERO = Decimal(0)


class Subsection(fields.Nested):
    """A nested object of the terms; when it is left out, all its fields take their defaults."""


class Section(Schema):
    class Meta:
        unknown = RAISE

    error_messages = {"type": "Must be a JSON object.", "unknown": "Unknown field: the terms format has no such field."}

    @pre_load
    def _default_left_out_subsections(self, data: Any, **kwargs: Any) -> Any:
        # marshmallow does not run a nested schema for a missing key, so its defaults would be lost.
        if not isinstance(data, Mapping):
            return data
        optional = [
            name for name, field in self.load_fields.items() if isinstance(field, Subsection) and not field.required
        ]
        return {**{name: {} for name in optional if name not in data}, **data}


def flag(default: Any) -> Flag:
    return Flag(load_default=default)


def one_of(values: tuple[str, ...], default: Any, **kwargs: Any) -> Choice:
    return Choice(values, load_default=default, **kwargs)


# --- shared: meta, parties, law, signature ------------------------------------------------------------------


class MetaSchema(Section):
    contract_type = Choice(v.CONTRACT_TYPES, required=True)
    jurisdiction = one_of(JURISDICTIONS, "DE")
    is_standard_terms = flag(True)
    languages = choices(LANGUAGES, load_default=lambda: ["de", "en"], validate=validate.Length(min=1))
    language_precedence = one_of(LANGUAGES, DERIVED, allow_none=True)
    legal_constants_version = Text(load_default=DERIVED, max_length=40)
    effective_date = IsoDate(load_default=None)
    end_date = IsoDate(load_default=None)


class BrandSchema(Section):
    legal_name = Text(load_default=None)
    address = Text(load_default=None)
    country = CountryCode(load_default=None)
    vat_id = Text(load_default=None, max_length=40)
    role = one_of(v.BRAND_ROLES, "brand")


class CreatorSchema(Section):
    legal_name = Text(load_default=None)
    address = Text(load_default=None)
    country = CountryCode(load_default=None)
    handles = UniqueList(Text(max_length=100), load_default=None)
    legal_form = one_of(v.LEGAL_FORMS, "natural_person")
    is_consumer = Flag(load_default=None)
    is_merchant = flag(False)
    is_minor = flag(False)
    guardian_consent = flag(False)
    vat_status = one_of(v.VAT_STATUSES, "unknown")
    tax_resident = CountryCode(load_default=DERIVED, allow_none=True)


class PartiesSchema(Section):
    brand = Subsection(BrandSchema)
    creator = Subsection(CreatorSchema)


class LawSchema(Section):
    governing_law = CountryCode(load_default=DERIVED, allow_none=True)
    forum_country = CountryCode(load_default=DERIVED, allow_none=True)
    mediation_first = flag(True)
    arbitration = flag(False)
    arbitration_costs_on_creator = flag(False)


class SignatureSchema(Section):
    method = one_of(v.SIGNATURE_METHODS, "simple_esig")
    guardian_signature = Flag(load_default=DERIVED)
    annexes_frozen = flag(True)


# --- influencer collaboration --------------------------------------------------------------------------------


class DeliverableSchema(Section):
    platform = one_of(v.PLATFORMS, None)
    format = one_of(v.FORMATS, None)
    quantity = count(minimum=1, load_default=1, allow_none=True)
    draft_due = IsoDate(load_default=None)
    publish_window_start = IsoDate(load_default=None)
    publish_window_end = IsoDate(load_default=None)
    min_live_days = count(load_default=90)


class ScopeSchema(Section):
    live_duration_days = count(load_default=90, allow_none=True)
    additional_content_on_request = flag(False)
    brief_change_requires_consent = flag(True)
    fee_contingent_on_kpis = flag(False)
    reporting = one_of(v.REPORTING, "aggregated_screenshots")


class ApprovalSchema(Section):
    review_days = count(load_default=DERIVED)
    deemed_approval = flag(True)
    revision_rounds = count(load_default=2, allow_none=True)
    extra_revision_fee = money(load_default=None)
    reshoot_paid_unless_creator_fault = flag(True)
    brand_edits_after_approval = flag(False)
    sole_discretion_condition_for_payment = flag(False)


class CreativeSchema(Section):
    creator_may_refuse_statements = flag(True)
    scripted_opinions_required = flag(False)
    positive_only_required = flag(False)
    brand_warrants_product_claims = flag(True)


class DisclosureSchema(Section):
    clause_present = flag(True)
    label = Text(load_default=DERIVED, allow_none=True, max_length=100)
    placement = one_of(v.PLACEMENTS, "start_of_post")
    platform_tool_required = flag(True)
    responsibility = one_of(v.DISCLOSURE_RESPONSIBILITIES, "shared")
    brand_guidance_provided = flag(True)
    brand_checks_at_approval = flag(True)
    brand_may_request_removal_of_label = flag(False)
    creator_bears_fines_for_brand_approved_posts = flag(False)


class CompensationSchema(Section):
    currency = CurrencyCode(load_default="EUR")
    model = one_of(v.COMPENSATION_MODELS, "flat")
    fee_net = money(load_default=None)
    usage_fee = money(load_default=ZERO)
    whitelisting_fee = money(load_default=ZERO)
    exclusivity_fee = money(load_default=ZERO)
    deposit_pct = percent(load_default=ZERO)
    fee_reduction_for_underperformance = flag(False)


class PaymentSchema(Section):
    days = count(load_default=14, allow_none=True)
    trigger = one_of(v.PAYMENT_TRIGGERS, "invoice_after_publication")
    pay_when_paid = flag(False)
    late_interest_excluded = flag(False)


class ExpensesSchema(Section):
    required_costs_reimbursed = flag(True)
    preapproval_required = flag(True)
    creator_prefinances_max = money(load_default=ZERO, allow_none=True)


class GiftingSchema(Section):
    products_provided = flag(False)
    product_value = money(load_default=ZERO)
    is_loan = flag(False)
    creator_keeps = flag(True)
    posting_obligation = flag(False)
    pay_if_not_posted = flag(False)
    positive_review_required = flag(False)


class UsageSchema(Section):
    license_type = one_of(v.LICENSE_TYPES, "non_exclusive")
    channels = choices(v.USAGE_CHANNELS, load_default=lambda: ["brand_owned_social"])
    # None = "the brand's markets", which the research leaves without a concrete value.
    territory = UniqueList(CountryCode(), load_default=None)
    duration_months = count(load_default=DERIVED, allow_none=True)
    paid_media_allowed = flag(False)
    paid_media_duration_days = count(load_default=DERIVED)
    paid_included_acknowledged = flag(False)
    unknown_media_included = flag(False)
    editing = one_of(v.EDITING_SCOPES, "technical_only")
    attribution = flag(True)
    sublicensing = one_of(v.SUBLICENSING, "affiliates_and_agency")
    ip_model = one_of(v.IP_MODELS, "license")
    raw_footage_included = flag(False)
    post_term_paid_takedown_days = count(load_default=7)
    renewal_rate_preagreed = flag(True)


class WhitelistingSchema(Section):
    allowed = flag(False)
    duration_days = count(load_default=30, allow_none=True)
    spend_cap = money(load_default=None)
    creator_preapproves_ads = flag(True)
    creator_may_revoke_for_cause = flag(True)
    dark_posts_allowed = flag(False)
    credentials_shared = flag(False)
    included_in_base_fee_acknowledged = flag(False)


class AiSchema(Section):
    training_allowed = flag(False)
    synthetic_likeness_allowed = flag(False)
    separate_consent_and_fee = flag(False)


class ExclusivitySchema(Section):
    scope = one_of(v.EXCLUSIVITY_SCOPES, "none")
    named_competitors = fields.List(Text(max_length=200), load_default=list)
    months_during_term = count(load_default=0)
    months_post_term = count(load_default=0)
    existing_deals_carved_out = flag(True)


class KillFeeSchema(Section):
    """Stated whole or not at all: a partial schedule would leave it unclear what the other stages owe."""

    before_production = percent(required=True)
    after_production_start = percent(required=True)
    after_delivery = percent(required=True)


class CancellationSchema(Section):
    brand_may_cancel = flag(True)
    # null = no kill-fee schedule at all.
    kill_fee_pct = fields.Nested(KillFeeSchema, load_default=DERIVED, allow_none=True)
    expenses_reimbursed = flag(True)
    unpaid_content_rights_revert = flag(True)


class TerminationSchema(Section):
    for_cause_mutual = flag(True)
    brand_convenience_only = flag(False)
    cure_days = count(load_default=7)
    pay_for_completed_work = flag(True)
    fee_clawback_for_delivered_work = flag(False)


class MoralitySchema(Section):
    present = flag(False)
    mutual = flag(True)
    standard = one_of(v.MORALITY_STANDARDS, "objective")
    triggers = choices(v.MORALITY_TRIGGERS, load_default=lambda: list(v.MORALITY_TRIGGERS))
    notice_and_response = flag(True)
    pay_for_delivered_work = flag(True)
    damages_or_clawback = flag(False)


class LiabilitySchema(Section):
    creator_cap = money(load_default=DERIVED, allow_none=True)
    cap_carve_outs = choices(v.LIABILITY_CARVE_OUTS, load_default=lambda: list(v.LIABILITY_CARVE_OUTS))
    brand_excludes_intent_gross_negligence_injury = flag(False)
    brand_indemnifies_brand_materials = flag(True)
    creator_indemnity_scope = one_of(v.INDEMNITY_SCOPES, "own_breach")
    penalty_per_breach = money(load_default=ZERO)
    penalty_cap_total = money(load_default=None)
    penalty_mutual = flag(True)


class ConfidentialitySchema(Section):
    present = flag(True)
    mutual = flag(True)
    duration_months = count(load_default=24, allow_none=True)
    blocks_ad_disclosure = flag(False)
    carve_outs = choices(v.CONFIDENTIALITY_CARVE_OUTS, load_default=lambda: list(v.CONFIDENTIALITY_CARVE_OUTS))


class DataSchema(Section):
    roles = one_of(v.DATA_ROLES, "independent_controllers")
    audience_pii_required = flag(False)
    account_credentials_required = flag(False)
    reporting = one_of(v.DATA_REPORTING, "aggregated_screenshots")
    privacy_notice_provided = flag(True)


class TaxSchema(Section):
    price_basis = one_of(v.PRICE_BASES, "net_plus_vat")
    ksk_shifted_to_creator = flag(False)
    # Computed from the parties on every load; a value sent in is checked for type and then replaced.
    ksk_applicable = Flag(load_default=DERIVED)
    reverse_charge = Flag(load_default=DERIVED)
    # The brand's yearly sum of fees to creatives, for the KSK de-minimis (not in the research's model).
    ksk_year_fee_sum = money(load_default=None)


class StatusSchema(Section):
    single_client_share_pct = percent(load_default=None)
    fixed_schedule = flag(False)
    integrated_in_org = flag(False)
    term_months = count(load_default=None)
    ongoing_commission_mandate = flag(False)


class AuthenticitySchema(Section):
    creator_warranty = flag(True)
    brand_warranty = flag(True)


# --- corporate influencer (emp.*) ----------------------------------------------------------------------------


class EmpTimeSchema(Section):
    counts_as_working_time = flag(True)
    weekly_budget_hours = Number(validate=validate.Range(min=0, max=168), load_default=Decimal(2), allow_none=True)
    recorded = flag(True)
    off_hours_expected = flag(False)
    posting_quota_per_month = count(load_default=None)


class EmpAccountSchema(Section):
    type = one_of(v.EMP_ACCOUNT_TYPES, "personal")
    credentials_to_employer = flag(False)
    employer_claims_followers = flag(False)
    contact_handover_on_exit = one_of(v.EMP_CONTACT_HANDOVER, "business_records_only")


class EmpContentSchema(Section):
    editorial_freedom = flag(True)
    scripted_posts_mandatory = flag(False)
    right_to_refuse = flag(True)
    guidelines_scope = one_of(v.EMP_GUIDELINES_SCOPES, "program_content")
    preapproval = one_of(v.EMP_PREAPPROVAL, "claims_and_confidential_only")
    nlra_carveout = flag(True)


class EmpDisclosureSchema(Section):
    employment_required = flag(True)
    format = Text(load_default=DERIVED, max_length=200)
    bio_only_allowed = flag(False)
    training_provided = flag(True)
    incentives_disclosed = flag(True)


class EmpImageSchema(Section):
    consent_form = one_of(v.EMP_CONSENT_FORMS, "electronic")
    revocable = flag(True)
    employer_reuse = one_of(v.EMP_REUSE, "per_post_consent")
    stop_after_exit_days = count(load_default=30, allow_none=True)


class EmpRightsSchema(Section):
    claims_private_content = flag(False)


class EmpDataSchema(Section):
    tool_used = flag(False)
    individual_metrics_to_managers = flag(False)
    dpia_done = flag(False)
    retention_months = count(load_default=12)
    consent_as_condition = flag(False)


class EmpCodetSchema(Section):
    # The research gives no default; a left-out value is read as "no works council" (contract-terms.md §1).
    works_council_exists = flag(False)
    works_agreement = flag(False)


class EmpLiabilitySchema(Section):
    employer_indemnifies_compliant_posts = flag(True)
    employee_penalties = flag(False)


class EmpSupportSchema(Section):
    legal_hotline = flag(True)
    crisis = flag(True)


class EmpIncentivesSchema(Section):
    type = one_of(v.EMP_INCENTIVES, "recognition")
    value_per_year = money(load_default=ZERO)
    leaderboard = flag(False)
    reach_linked_cash = flag(False)


class EmpOffboardingSchema(Section):
    post_deletion = one_of(v.EMP_POST_DELETION, "confidential_or_outdated_only")
    bio_update_days = count(load_default=30)


class EmpSchema(Section):
    model = one_of(v.EMP_MODELS, "employment_addendum")
    freelance_separation_clear = flag(False)
    participation_voluntary = flag(True)
    opt_in_written = flag(True)
    non_retaliation = flag(True)
    linked_to_performance_review = flag(False)
    linked_to_targets_or_bonus = flag(False)
    withdrawal_anytime = flag(True)
    withdrawal_notice_days = count(load_default=0)
    min_commitment_months = count(load_default=0)
    exit_penalty_or_clawback = flag(False)
    is_minor = flag(False)
    time = Subsection(EmpTimeSchema)
    account = Subsection(EmpAccountSchema)
    content = Subsection(EmpContentSchema)
    disclosure = Subsection(EmpDisclosureSchema)
    image = Subsection(EmpImageSchema)
    rights = Subsection(EmpRightsSchema)
    data = Subsection(EmpDataSchema)
    codet = Subsection(EmpCodetSchema)
    liability = Subsection(EmpLiabilitySchema)
    support = Subsection(EmpSupportSchema)
    incentives = Subsection(EmpIncentivesSchema)
    offboarding = Subsection(EmpOffboardingSchema)


class TermsSchema(Section):
    # `meta` carries the contract type, without which nothing can be checked: it is never defaulted.
    meta = Subsection(MetaSchema, required=True)
    parties = Subsection(PartiesSchema)
    law = Subsection(LawSchema)
    signature = Subsection(SignatureSchema)
    deliverables = fields.List(fields.Nested(DeliverableSchema), load_default=list)
    scope = Subsection(ScopeSchema)
    approval = Subsection(ApprovalSchema)
    creative = Subsection(CreativeSchema)
    disclosure = Subsection(DisclosureSchema)
    compensation = Subsection(CompensationSchema)
    payment = Subsection(PaymentSchema)
    expenses = Subsection(ExpensesSchema)
    gifting = Subsection(GiftingSchema)
    usage = Subsection(UsageSchema)
    whitelisting = Subsection(WhitelistingSchema)
    ai = Subsection(AiSchema)
    exclusivity = Subsection(ExclusivitySchema)
    cancellation = Subsection(CancellationSchema)
    termination = Subsection(TerminationSchema)
    morality = Subsection(MoralitySchema)
    liability = Subsection(LiabilitySchema)
    confidentiality = Subsection(ConfidentialitySchema)
    data = Subsection(DataSchema)
    tax = Subsection(TaxSchema)
    status = Subsection(StatusSchema)
    authenticity = Subsection(AuthenticitySchema)
    emp = Subsection(EmpSchema)
