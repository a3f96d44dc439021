"""The enumerated values of the contract terms format (contract-terms.md §4), in one place.

The terms schema validates against these, and the fairness rule packs are checked against them
when they load, so a rule can never test for a value the format does not have.
"""

from __future__ import annotations

CONTRACT_TYPES = ("influencer", "corporate_influencer")
BRAND_ROLES = ("brand", "agency_as_agent", "agency_as_principal")
LEGAL_FORMS = ("natural_person", "sole_trader", "partnership", "limited_partnership", "corporation")
VAT_STATUSES = ("regular", "small_business", "foreign_eu", "foreign_non_eu", "unknown")
SIGNATURE_METHODS = ("qes", "wet_ink", "advanced_esig", "simple_esig", "click", "by_performance")

PLATFORMS = ("instagram", "tiktok", "youtube", "linkedin", "x", "twitch", "podcast", "blog", "other")
FORMATS = ("post", "carousel", "reel", "story", "short", "video", "live", "article", "episode")
REPORTING = ("aggregated_screenshots", "none")

PLACEMENTS = ("start_of_post", "end_of_post", "hashtags_block", "bio")
DISCLOSURE_RESPONSIBILITIES = ("shared", "creator_only", "brand_only")

COMPENSATION_MODELS = ("flat", "per_deliverable", "hybrid", "commission_only", "product_only", "exposure_only")
PAYMENT_TRIGGERS = (
    "invoice_after_publication",
    "invoice_after_delivery",
    "milestones",
    "after_campaign_end",
    "after_client_payment",
)

LICENSE_TYPES = ("none", "non_exclusive", "exclusive")
USAGE_CHANNELS = (
    "brand_owned_social",
    "brand_website",
    "newsletter",
    "paid_social",
    "ooh",
    "print",
    "tv",
    "pos",
    "all_media",
)
EDITING_SCOPES = ("technical_only", "with_creator_approval", "unrestricted")
SUBLICENSING = ("none", "affiliates_and_agency", "any_third_party")
IP_MODELS = ("license", "assignment", "work_for_hire")

EXCLUSIVITY_SCOPES = ("none", "named_competitors", "product_category", "industry", "all_brands")
MORALITY_STANDARDS = ("objective", "sole_discretion")
MORALITY_TRIGGERS = (
    "criminal_conviction",
    "hate_speech",
    "discrimination",
    "fraud",
    "product_safety_scandal",
    "labour_abuse",
)
LIABILITY_CARVE_OUTS = ("intent", "gross_negligence", "personal_injury")
INDEMNITY_SCOPES = ("own_breach", "broad")
CONFIDENTIALITY_CARVE_OUTS = ("legal_duty", "advisers", "management", "authorities")
DATA_ROLES = ("independent_controllers", "creator_processor", "joint")
DATA_REPORTING = ("aggregated_screenshots", "platform_readonly_api", "raw_export")
PRICE_BASES = ("net_plus_vat", "gross_all_inclusive")

EMP_MODELS = ("employment_addendum", "separate_freelance")
EMP_ACCOUNT_TYPES = ("personal", "employer_handle")
EMP_CONTACT_HANDOVER = ("none", "business_records_only", "all_contacts")
EMP_GUIDELINES_SCOPES = ("program_content", "all_private_activity")
EMP_PREAPPROVAL = ("none", "claims_and_confidential_only", "all_posts")
EMP_CONSENT_FORMS = ("written", "electronic", "verbal", "none")
EMP_REUSE = ("none", "per_post_consent", "blanket")
EMP_INCENTIVES = ("none", "recognition", "training", "gifts", "time_off", "cash")
EMP_POST_DELETION = ("none", "confidential_or_outdated_only", "all_employer_related")
