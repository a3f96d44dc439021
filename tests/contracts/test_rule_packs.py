"""The rule packs: complete against the research's rule table, bilingual, and refused when malformed."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from service.contracts.fairness import NoRulesInForce, RulePackError, load_rule_book, rule_book
from service.contracts.fairness.rulebook import read_rule_pack

# contract-fairness.md §4: every rule and the severities its trigger column names.
REFERENCE_RULES = {
    "FAIR-PARTY-IDENTITY-INCOMPLETE": {"warn"},
    "FAIR-AGENCY-PAY-WHEN-PAID": {"block"},
    "FAIR-MINOR-WITHOUT-GUARDIAN": {"block"},
    "FAIR-DELIVERABLES-VAGUE": {"block", "warn"},
    "FAIR-BRIEF-UNILATERAL-CHANGE": {"warn"},
    "FAIR-KPI-CONTINGENT-FEE": {"warn"},
    "FAIR-LIVE-DURATION-UNBOUNDED": {"warn"},
    "FAIR-REVISIONS-UNLIMITED": {"block", "warn"},
    "FAIR-REVIEW-WINDOW-LONG": {"block", "warn", "info"},
    "FAIR-DEEMED-APPROVAL-MISSING": {"info"},
    "FAIR-APPROVAL-SOLE-DISCRETION-PAYMENT": {"warn"},
    "FAIR-POST-APPROVAL-EDITS": {"warn"},
    "FAIR-CREATIVE-NO-RIGHT-TO-REFUSE": {"block"},
    "FAIR-POSITIVE-ONLY": {"block"},
    "FAIR-PRODUCT-CLAIMS-UNWARRANTED": {"warn"},
    "FAIR-DISCLOSURE-DUTY-MISSING": {"block"},
    "FAIR-DISCLOSURE-LABEL-WEAK": {"warn"},
    "FAIR-DISCLOSURE-LIABILITY-SHIFTED": {"warn"},
    "FAIR-DISCLOSURE-SUPPRESSION": {"block"},
    "FAIR-FEE-EXPOSURE-ONLY": {"block"},
    "FAIR-FEE-PRODUCT-ONLY-WITH-OBLIGATIONS": {"warn"},
    "FAIR-COMMISSION-ONLY": {"warn"},
    "FAIR-PAYMENT-TERM-MAX-30-DAYS": {"block", "warn"},
    "FAIR-PAYMENT-TRIGGER-DELAYED": {"warn"},
    "FAIR-LATE-INTEREST-EXCLUDED": {"block"},
    "FAIR-DEPOSIT-MISSING": {"info"},
    "FAIR-EXPENSES-NOT-REIMBURSED": {"warn"},
    "FAIR-GIFT-CLAWBACK": {"warn"},
    "FAIR-USAGE-RIGHTS-PERPETUAL": {"block", "warn"},
    "FAIR-USAGE-DURATION-LONG": {"warn"},
    "FAIR-USAGE-CHANNELS-UNSPECIFIED": {"warn"},
    "FAIR-USAGE-UNKNOWN-MEDIA": {"block", "warn"},
    "FAIR-USAGE-EXCLUSIVE-LICENSE": {"warn"},
    "FAIR-PAID-MEDIA-UNCOMPENSATED": {"block", "warn"},
    "FAIR-WHITELISTING-UNCOMPENSATED": {"block", "warn"},
    "FAIR-WHITELISTING-UNBOUNDED": {"warn"},
    "FAIR-ACCOUNT-CREDENTIALS-REQUESTED": {"block"},
    "FAIR-EDITING-UNRESTRICTED": {"warn"},
    "FAIR-IP-ASSIGNMENT": {"warn"},
    "FAIR-RAW-FOOTAGE-BUYOUT": {"warn"},
    "FAIR-SUBLICENSING-OPEN": {"warn"},
    "FAIR-AI-LIKENESS-WITHOUT-CONSENT": {"block"},
    "FAIR-EXCLUSIVITY-UNCOMPENSATED": {"block", "warn"},
    "FAIR-EXCLUSIVITY-SCOPE-BROAD": {"block", "info"},
    "FAIR-EXCLUSIVITY-POST-TERM-LONG": {"block", "warn"},
    "FAIR-KILL-FEE-MISSING": {"block", "warn"},
    "FAIR-KILL-FEE-LOW": {"warn"},
    "FAIR-TERMINATION-ONE-SIDED": {"warn"},
    "FAIR-TERMINATION-FORFEITURE": {"block"},
    "FAIR-MORALITY-ONE-SIDED": {"warn"},
    "FAIR-MORALITY-VAGUE": {"warn"},
    "FAIR-MORALITY-CLAWBACK": {"warn"},
    "FAIR-LIABILITY-UNCAPPED": {"warn"},
    "FAIR-LIABILITY-BRAND-EXCLUDES-OWN-FAULT": {"block"},
    "FAIR-INDEMNITY-ONE-SIDED": {"warn"},
    "FAIR-PENALTY-EXCESSIVE": {"warn"},
    "FAIR-CONFIDENTIALITY-UNBOUNDED": {"info"},
    "FAIR-AUDIENCE-DATA-TRANSFER": {"block"},
    "FAIR-PRIVACY-NOTICE-MISSING": {"info"},
    "FAIR-PRICE-GROSS-INCLUSIVE": {"warn"},
    "FAIR-KSK-PASS-THROUGH": {"block"},
    "FAIR-FORUM-FOREIGN-TO-CREATOR": {"warn"},
    "FAIR-ARBITRATION-COST-BURDEN": {"block", "warn"},
    "FAIR-LANGUAGE-PRECEDENCE-MISSING": {"info"},
    "FAIR-FORM-BY-CONDUCT": {"warn"},
    "FAIR-AUDIENCE-AUTHENTICITY-MISSING": {"info"},
    "INFO-KSK-LEVY-APPLIES": {"info"},
    "INFO-VAT-SMALL-BUSINESS": {"info"},
    "INFO-REVERSE-CHARGE": {"info"},
    "INFO-WITHHOLDING-50A": {"info"},
    "LEGAL-SCHEINSELBST-RISK": {"warn"},
    "LEGAL-HANDELSVERTRETER-RISK": {"info"},
    "LEGAL-32B-MANDATORY": {"info"},
    "EMP-PARTICIPATION-NOT-VOLUNTARY": {"block"},
    "EMP-OPT-IN-NOT-DOCUMENTED": {"warn"},
    "EMP-NON-RETALIATION-MISSING": {"warn"},
    "EMP-LINKED-TO-PERFORMANCE": {"block"},
    "EMP-WITHDRAWAL-RESTRICTED": {"block", "warn"},
    "EMP-EXIT-PENALTY": {"block"},
    "EMP-WORKING-TIME-NOT-COUNTED": {"block"},
    "EMP-TIME-NOT-RECORDED": {"warn"},
    "EMP-OFF-HOURS-EXPECTED": {"warn"},
    "EMP-POSTING-QUOTA": {"warn"},
    "EMP-TIME-BUDGET-MISSING": {"info"},
    "EMP-ACCOUNT-OWNERSHIP-CLAIMED": {"block"},
    "EMP-CREDENTIALS-REQUESTED": {"block"},
    "EMP-CONTACT-HANDOVER-OVERBROAD": {"warn"},
    "EMP-SCRIPTED-CONTENT-MANDATORY": {"block"},
    "EMP-NO-RIGHT-TO-REFUSE": {"warn"},
    "EMP-GUIDELINES-OVERREACH": {"warn"},
    "EMP-PREAPPROVAL-ALL-POSTS": {"info"},
    "EMP-US-NLRA-CARVEOUT-MISSING": {"warn"},
    "EMP-DISCLOSURE-EMPLOYMENT-MISSING": {"block"},
    "EMP-DISCLOSURE-BIO-ONLY": {"warn"},
    "EMP-DISCLOSURE-TRAINING-MISSING": {"warn"},
    "EMP-INCENTIVE-LABEL": {"warn"},
    "EMP-IMAGE-CONSENT-NOT-WRITTEN": {"block"},
    "EMP-IMAGE-CONSENT-IRREVOCABLE": {"warn"},
    "EMP-BLANKET-REUSE": {"warn"},
    "EMP-POST-EXIT-LIKENESS-USE": {"warn"},
    "EMP-PRIVATE-CONTENT-RIGHTS-CLAIMED": {"block"},
    "EMP-INDIVIDUAL-MONITORING": {"block", "warn"},
    "EMP-CONSENT-AS-CONDITION": {"warn"},
    "EMP-DPIA-MISSING": {"warn"},
    "EMP-CODETERMINATION-MISSING": {"block"},
    "EMP-LIABILITY-SHIFTED": {"block", "warn"},
    "EMP-SUPPORT-MISSING": {"info"},
    "EMP-INCENTIVE-PRESSURE": {"warn"},
    "EMP-OFFBOARDING-DELETION-OVERBROAD": {"warn"},
    "EMP-FREELANCE-SECOND-CONTRACT-RISK": {"warn"},
    "EMP-MINOR-OR-TRAINEE": {"info"},
}


def test_every_rule_of_the_research_is_in_a_pack_with_its_severities() -> None:
    shipped = {rule.id: {tier.severity for tier in rule.tiers} for rule in rule_book().all_rules()}
    assert shipped == REFERENCE_RULES


def test_every_rule_has_a_citation_message_and_fix_in_english_and_german() -> None:
    for rule in rule_book().all_rules():
        assert rule.citation.en.strip() and rule.citation.de.strip(), rule.id
        assert rule.fix.en.strip() and rule.fix.de.strip(), rule.id
        assert rule.fix.de != rule.fix.en, f"{rule.id}: the German fix is a copy of the English one"
        for tier in rule.tiers:
            assert tier.message.de != tier.message.en, f"{rule.id}: the German message is a copy of the English one"


def test_the_packs_are_versioned_and_dated() -> None:
    for pack in rule_book().packs:
        assert re.fullmatch(r"\d{4}\.\d+", pack.version), pack.label
        assert pack.effective_from == date(2025, 1, 1)


def test_no_rules_before_the_packs_take_effect() -> None:
    with pytest.raises(NoRulesInForce, match="the earliest starts 2025-01-01"):
        rule_book().rules_for("influencer", date(2024, 12, 31))


# --- malformed packs --------------------------------------------------------------------------------------------

GOOD_RULE = {
    "id": "FAIR-TEST-RULE",
    "citation": "§1 Test",
    "tiers": [
        {
            "severity": "warn",
            "when": {"field": "payment.days", "gt": 30},
            "message": {"en": "Due in {payment.days} days.", "de": "Fällig in {payment.days} Tagen."},
        }
    ],
    "fix": {"en": "Pay sooner.", "de": "Früher zahlen."},
}


def pack_with(tmp_path: Path, rule: dict | None = None, name: str = "test.yaml", **pack: object) -> Path:
    document = {
        "pack": "test",
        "version": "2026.1",
        "contract_types": ["influencer"],
        "effective_from": date(2025, 1, 1),
        "rules": [rule if rule is not None else GOOD_RULE],
        **pack,
    }
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def with_tier(**changes: object) -> dict:
    return {**GOOD_RULE, "tiers": [{**GOOD_RULE["tiers"][0], **changes}]}


def test_a_good_pack_loads(tmp_path: Path) -> None:
    pack = read_rule_pack(pack_with(tmp_path))
    assert [rule.id for rule in pack.rules] == ["FAIR-TEST-RULE"]


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        (with_tier(when={"check": "no_such_check"}), "unknown check 'no_such_check'"),
        (with_tier(when={"field": "payment.dayz", "gt": 30}), "'payment.dayz' is not a field of the terms format"),
        (with_tier(when={"field": "payment.trigger", "eq": "whenever"}), "'whenever' is not one of"),
        (with_tier(when={"field": "payment.pay_when_paid", "eq": "yes"}), "the field is true/false"),
        (with_tier(when={"field": "payment.trigger", "gt": 3}), "gt compares numbers"),
        (with_tier(when={"field": "payment.days", "greater": 3}), "name exactly one operator"),
        (with_tier(when={"field": "payment.days", "gt": {"constant": "NO_SUCH_LAW"}}), "unknown legal constant"),
        (with_tier(when={"check": "penalty_exceeds_share_of_total_fee"}), "takes the params max_pct"),
        (with_tier(message={"en": "Due soon."}), "de: Missing data for required field"),
        (with_tier(message={"en": "Due in {payment.dayz} days.", "de": "x"}), "{payment.dayz} is not a field"),
        (with_tier(message={"en": "Due in {payment.days:>5} days.", "de": "x"}), "may not carry a format spec"),
        (with_tier(severity="fatal"), "Must be one of block, warn, info"),
        ({**GOOD_RULE, "id": "fair-lowercase"}, "Must look like FAIR-SOME-NAME"),
        ({**GOOD_RULE, "id": "EMP-TEST-RULE"}, "EMP-* rules do not belong in a pack for influencer contracts"),
        ({**GOOD_RULE, "colour": "red"}, "rules[0].colour: Unknown field"),
        ({**GOOD_RULE, "fix": {"en": "Pay {constant.DE_KSK_RATE.nope}.", "de": "x"}}, "has no such entry"),
        ({**GOOD_RULE, "effective_from": date(2024, 1, 1)}, "before the pack's effective_from"),
    ],
)
def test_a_malformed_rule_is_refused_with_a_clear_problem(tmp_path: Path, rule: dict, problem: str) -> None:
    path = pack_with(tmp_path, rule)
    with pytest.raises(RulePackError) as caught:
        read_rule_pack(path)
    assert "Rule pack test.yaml is invalid" in str(caught.value)
    assert problem in str(caught.value)


def test_tiers_must_run_from_the_most_severe(tmp_path: Path) -> None:
    info = {**GOOD_RULE["tiers"][0], "severity": "info"}
    block = {**GOOD_RULE["tiers"][0], "severity": "block"}
    with pytest.raises(RulePackError, match="from the most to the least severe"):
        read_rule_pack(pack_with(tmp_path, {**GOOD_RULE, "tiers": [info, block]}))


def test_a_constant_must_exist_when_the_rule_starts(tmp_path: Path) -> None:
    rule = with_tier(when={"field": "payment.days", "gt": {"constant": "DE_KSK_DEMINIMIS_EUR"}})
    read_rule_pack(pack_with(tmp_path, rule, effective_from=date(2015, 1, 1)))
    rule = {**GOOD_RULE, "fix": {"en": "{constant.DE_KSK_RATE}", "de": "{constant.DE_KSK_RATE}"}}
    with pytest.raises(RulePackError, match="first value applies from 2025-01-01"):
        read_rule_pack(pack_with(tmp_path, rule, effective_from=date(2024, 1, 1)))


def test_invalid_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("pack: [unclosed\n", encoding="utf-8")
    with pytest.raises(RulePackError, match=re.escape("Rule pack broken.yaml is invalid:\n  - not valid YAML")):
        read_rule_pack(path)


def test_the_same_rule_in_force_twice_is_refused(tmp_path: Path) -> None:
    pack_with(tmp_path, name="a.yaml")
    pack_with(tmp_path, name="b.yaml", pack="other")
    with pytest.raises(RulePackError, match=re.escape("FAIR-TEST-RULE is in force in both a.yaml and b.yaml")):
        load_rule_book(tmp_path)


def test_a_new_pack_version_takes_over_on_its_date(tmp_path: Path) -> None:
    pack_with(tmp_path, name="v1.yaml", effective_until=date(2026, 12, 31))
    stricter = with_tier(when={"field": "payment.days", "gt": 20})
    pack_with(tmp_path, stricter, name="v2.yaml", version="2027.1", effective_from=date(2027, 1, 1))
    book = load_rule_book(tmp_path)
    old_rules, old_packs = book.rules_for("influencer", date(2026, 12, 31))
    new_rules, new_packs = book.rules_for("influencer", date(2027, 1, 1))
    assert (old_packs, new_packs) == (("test@2026.1",), ("test@2027.1",))
    assert old_rules[0].tiers[0].condition != new_rules[0].tiers[0].condition
    with pytest.raises(NoRulesInForce):
        book.rules_for("corporate_influencer", date(2027, 1, 1))
