"""The rule packs: complete, versioned by date, and a malformed pack is refused with a clear message."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from service.disclosure import RulePackError, check_data, default_rule_book, load_rule_book
from service.disclosure.rulebook import PACK_DIR
from tests.disclosure.helpers import post

# Every rule id of the reference's rule tables (disclosure-rules.md, "Rule IDs").
REFERENCE_RULE_IDS = [
    "DE-LABEL-MISSING",
    "DE-LABEL-INSUFFICIENT-TERM",
    "DE-LABEL-PLACEMENT",
    "DE-LABEL-TERM-REVIEW",
    "DE-STORY-FRAME-UNLABELED",
    "DE-VIDEO-LABEL",
    "DE-PRODUCT-PLACEMENT-UNLABELED",
    "DE-AFFILIATE-UNMARKED",
    "DE-OWN-BRAND-UNCLEAR",
    "DE-EXCESS-PROMO-REVIEW",
    "DE-GIFT-REVIEW",
    "AT-LABEL-MISSING",
    "AT-LABEL-INSUFFICIENT-TERM",
    "AT-LABEL-PLACEMENT",
    "AT-LABEL-TERM-REVIEW",
    "AT-GIFT-REVIEW",
    "EU-HIDDEN-ADVERTISING",
    "US-DISCLOSURE-MISSING",
    "US-AMBIGUOUS-TERM",
    "US-PLACEMENT",
    "US-VIDEO-IN-VIDEO",
    "US-VIDEO-VERBAL",
    "US-LIVESTREAM-REPEAT",
    "US-STORY-FRAME-REVIEW",
    "US-TERM-REVIEW",
    "GB-LABEL-MISSING",
    "GB-LABEL-INSUFFICIENT-TERM",
    "GB-LABEL-PLACEMENT",
    "GB-STORY-FRAME-UNLABELED",
    "GB-AFFILIATE-LABEL",
    "GB-GIFTED-LABEL-REVIEW",
    "GB-OWN-BRAND-UNCLEAR",
    "FR-LABEL-MISSING",
    "FR-LABEL-EQUIVALENT-REVIEW",
    "FR-LABEL-VISIBILITY",
    "FR-LABEL-DURATION-REVIEW",
    "FR-RETOUCHED-IMAGE",
    "FR-VIRTUAL-IMAGE",
    "ES-LABEL-MISSING",
    "ES-LABEL-TERM-REVIEW",
    "NL-LABEL-MISSING",
    "NL-LABEL-PLACEMENT",
    "IT-LABEL-MISSING",
    "IT-LABEL-PLACEMENT",
    "IT-LABEL-TERM-REVIEW",
    "IT-GIFT-LABEL-MISSING",
    "EMPLOYEE-RELATIONSHIP-UNDISCLOSED",
    "EMPLOYEE-DISCLOSURE-REVIEW",
    "PLATFORM-TOOL-ONLY-REVIEW",
    "RELATIONSHIP-MISREPRESENTED",
    "LABEL-LANGUAGE-REVIEW",
]
REVIEW_LEVEL = {rule_id for rule_id in REFERENCE_RULE_IDS if rule_id.endswith("-REVIEW")} | {"US-VIDEO-VERBAL"}


def test_the_shipped_packs_hold_exactly_the_reference_rules():
    assert set(default_rule_book().rules) == set(REFERENCE_RULE_IDS)


def test_severities_follow_the_reference():
    book = default_rule_book()
    for rule_id in REFERENCE_RULE_IDS:
        expected = "review" if rule_id in REVIEW_LEVEL else "violation"
        assert book.rules[rule_id].severity.value == expected, rule_id


def test_every_rule_is_in_force_today_with_a_citation_and_both_languages():
    book = default_rule_book()
    for rule in book.rules.values():
        version = rule.version_on(date.today())
        assert version is not None and version.citation, rule.rule_id
        assert set(rule.message) == set(rule.fix) == {"en", "de"}


def test_every_jurisdiction_of_the_reference_has_a_pack():
    book = default_rule_book()
    assert {"DE", "AT", "US", "GB", "FR", "ES", "NL", "IT", "EU"} <= set(book.packs)
    assert book.pack_for("PL") is book.packs["EU"]


def test_dated_values_are_chosen_by_the_posts_date():
    before = check_data(post(caption="Kaffee", posted_at="2023-01-10")).findings[0].citation
    after = check_data(post(caption="Kaffee", posted_at="2025-01-10")).findings[0].citation
    assert "TMG § 6" in before and "DDG § 6" in after


def test_a_rule_not_yet_in_force_is_not_applied():
    assert check_data(post(jurisdiction="FR", caption="Mon café", posted_at="2022-01-01")).verdict.value == "compliant"


def test_dated_parameters_fill_the_fix_text():
    finding = check_data(
        post(platform="youtube", media_type="video", caption="Vlog\n\nProduktplatzierung", duration_s=600)
    ).findings[0]
    assert finding.rule_id == "DE-PRODUCT-PLACEMENT-UNLABELED"
    assert "3 seconds" in finding.fix


# --- malformed packs -----------------------------------------------------------------------------


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    target = tmp_path / "packs"
    shutil.copytree(PACK_DIR, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def refused(pack_dir: Path) -> str:
    with pytest.raises(RulePackError) as caught:
        load_rule_book(pack_dir)
    return str(caught.value)


def test_a_copy_of_the_shipped_packs_loads(pack_dir):
    assert set(load_rule_book(pack_dir).rules) == set(REFERENCE_RULE_IDS)


def test_broken_yaml_is_refused_naming_the_file(pack_dir):
    edit(pack_dir / "de.yaml", "pack: DE", "pack: [DE")
    assert "de.yaml" in refused(pack_dir)


def test_an_unknown_setting_is_refused(pack_dir):
    edit(pack_dir / "us.yaml", "spoken_counts: true", "spoken_counts: true\nspoken_count: true")
    assert "spoken_count: Unknown field" in refused(pack_dir)


def test_a_rule_without_its_fix_is_refused(pack_dir):
    edit(pack_dir / "nl.yaml", "    fix:\n      en: 'Start the post with", "    fixx:\n      en: 'Start the post with")
    message = refused(pack_dir)
    assert "nl.yaml" in message and "rules.NL-LABEL-MISSING.fix: Missing data for required field." in message


def test_a_wrong_severity_is_refused(pack_dir):
    edit(pack_dir / "es.yaml", "severity: violation", "severity: serious")
    assert "severity: Must be one of: violation, review." in refused(pack_dir)


def test_a_reference_to_an_undefined_rule_is_refused(pack_dir):
    edit(pack_dir / "gb.yaml", "placement_rule: GB-LABEL-PLACEMENT", "placement_rule: GB-LABEL-PLACE")
    assert "placement_rule: rule GB-LABEL-PLACE is not defined" in refused(pack_dir)


def test_a_phrase_with_two_meanings_is_refused(pack_dir):
    edit(pack_dir / "it.yaml", 'phrases: ["pubblicità", "#pubblicità",', 'phrases: ["#collab", "pubblicità",')
    assert re.search(r"phrase '#collab' means both", refused(pack_dir))


def test_a_placeholder_without_its_dated_value_is_refused(pack_dir):
    edit(
        pack_dir / "de.yaml", "params: {min_seconds: 3, start_within_seconds: 10}", "params: {start_within_seconds: 10}"
    )
    assert "{min_seconds} has no value in the version from 2021-04-15" in refused(pack_dir)


def test_a_country_in_two_packs_is_refused(pack_dir):
    edit(pack_dir / "nl.yaml", "countries: [NL]", "countries: [NL, BE]")
    edit(pack_dir / "nl.yaml", "languages: {NL: [nl]}", "languages: {NL: [nl], BE: [nl]}")
    assert "country BE is covered by both" in refused(pack_dir)


def test_a_phrase_that_cannot_be_compiled_is_refused(pack_dir):
    edit(pack_dir / "fr.yaml", 'phrases: ["publicité", "collaboration commerciale"]', 'phrases: ["publi*cité"]')
    assert "'*' only stands at a word edge" in refused(pack_dir)


def test_a_signal_that_does_not_exist_is_refused(pack_dir):
    edit(pack_dir / "de.yaml", "when_signal: unsolicited_gift", "when_signal: unsolicited")
    assert "no signal named 'unsolicited'" in refused(pack_dir)


def test_overlapping_versions_of_a_rule_are_refused(pack_dir):
    edit(pack_dir / "gb.yaml", "effective_until: 2025-04-05", "effective_until: 2025-09-01")
    assert "overlap" in refused(pack_dir)
