"""Every built-in template renders, in each language and bilingually, to a PDF a reader would accept."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from service.documents import catalogue, rendering, validation
from service.documents.context import DocumentInfo, clause_numbers
from service.documents.errors import RenderError, TemplateNotFound

TEMPLATE_KEYS = ["affiliate", "corporate_influencer_programme", "influencer_collaboration", "product_gifting"]
LANGUAGE_SETS = [("de",), ("en",), ("de", "en")]


def pdf_text(data: bytes) -> tuple[int, str, list[str]]:
    reader = PdfReader(io.BytesIO(data))
    pages = [page.extract_text() for page in reader.pages]
    return len(reader.pages), "\n".join(pages), pages


def normalised(text: str) -> str:
    # Extraction breaks lines and may hyphenate; compare on single spaces without soft line breaks.
    return re.sub(r"\s+", " ", text.replace("-\n", ""))


def numbered_headings_in_order(text: str, entries: Any) -> list[str]:
    """The numbered headings ("§ 7 Vergütung", "7. Fee") not found after the previous one."""
    missing, position = [], 0
    for entry in entries:
        found = re.compile(re.escape(entry["number"]) + r"\s*" + re.escape(entry["heading"])).search(text, position)
        if found is None:
            missing.append(f"{entry['number']} {entry['heading']}")
        else:
            position = found.end()
    return missing


def test_the_catalogue_offers_the_four_templates_in_german_and_english():
    templates = {meta.key: meta for meta in catalogue.list_templates()}

    assert sorted(templates) == TEMPLATE_KEYS
    for meta in templates.values():
        assert meta.languages == ("de", "en")
        assert meta.title.de and meta.title.en and meta.version == 1
    assert catalogue.template_versions("affiliate") == [1]
    assert catalogue.load_template("affiliate", 1).meta.contract_type == "influencer"
    assert catalogue.load_template("corporate_influencer_programme").meta.contract_type == "corporate_influencer"


def test_unknown_templates_and_versions_are_a_clear_not_found():
    with pytest.raises(TemplateNotFound, match="no contract template 'lease'"):
        catalogue.load_template("lease")
    with pytest.raises(TemplateNotFound, match="has no version 7"):
        catalogue.load_template("affiliate", 7)


@pytest.mark.parametrize("languages", LANGUAGE_SETS, ids="+".join)
@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_template_renders_its_sample_terms_to_a_valid_pdf(key: str, languages: tuple[str, ...], legal: dict[str, Any]):
    template = catalogue.load_template(key)
    document = DocumentInfo("FP-2026-0815", footer_note="Override approved by the owner")

    rendered = rendering.render_contract_pdf(
        template, template.sample_terms, legal=legal, document=document, languages=list(languages)
    )

    pages, text, page_texts = pdf_text(rendered.data)
    assert rendered.data.startswith(b"%PDF-") and pages == rendered.pages > 0
    flat = normalised(text)
    for lang in languages:
        assert numbered_headings_in_order(flat, clause_numbers(template.meta, lang).values()) == []
        assert template.meta.title.in_language(lang) in flat
    first_words = "Seite 1 von" if languages[0] == "de" else "Page 1 of"
    assert f"{first_words} {pages}" in normalised(page_texts[0])
    assert all("FP-2026-0815" in page for page in page_texts)
    assert all("Override approved by the owner" in normalised(page) for page in page_texts)


def test_a_bilingual_contract_states_which_language_prevails_and_prints_it_first(legal: dict[str, Any]):
    template = catalogue.load_template("influencer_collaboration")
    english_first = {**template.sample_terms, "meta": {**template.sample_terms["meta"], "language_precedence": "en"}}

    html = rendering.render_contract_html(
        template, english_first, legal=legal, document=DocumentInfo("FP-1"), languages=["de", "en"]
    )

    assert html.index('class="version version-en"') < html.index('class="version version-de"')
    assert "If the versions differ, the English version prevails." in html
    assert "Bei Abweichungen ist die englische Fassung maßgeblich." in html


def test_legal_numbers_come_from_the_context_not_the_template(legal: dict[str, Any]):
    template = catalogue.load_template("influencer_collaboration")
    changed = {**legal, "DE_KSK_RATE": 5.1, "DE_LATE_FLAT_FEE_EUR": 45}

    html = rendering.render_contract_html(
        template, template.sample_terms, legal=changed, document=DocumentInfo("FP-1"), languages=["de"]
    )

    assert "derzeit 5,1\u00a0% der Honorarsumme" in html
    assert "Pauschale von 45,00\u00a0€" in html


def test_every_template_declares_the_terms_and_legal_constants_it_reads():
    for key in TEMPLATE_KEYS:
        template = catalogue.load_template(key)
        declared = set(template.meta.required_terms) | set(template.meta.optional_terms)
        assert validation.undeclared_term_paths(catalogue.template_reads(template), declared) == set(), key
        assert catalogue.template_reads(template, "legal") <= set(template.meta.legal_constants), key


def test_templates_read_legal_constants_only_from_the_context():
    """No rate or threshold of the legal-constants table appears as a literal number in a clause file."""
    literals = re.compile(r"4[,.]9|\b700\b|\b1[.,]?000\b|\b25[.,]?000\b|\b100[.,]?000\b|\+ ?9|\b40(?:,00)? ?€")
    files = {**catalogue.shared_clause_sources()}
    for key in TEMPLATE_KEYS:
        files.update({f"{key}/{name}": text for name, text in catalogue.load_template(key).files.items()})
    offenders = {name: literals.findall(text) for name, text in files.items() if literals.search(text)}
    assert offenders == {}


def test_built_in_templates_pass_the_same_checks_as_tenant_templates():
    assert validation.source_problems(catalogue.shared_clause_sources()) == []
    for key in TEMPLATE_KEYS:
        assert validation.source_problems(catalogue.load_template(key).files) == [], key


def test_missing_terms_are_named_before_rendering(legal: dict[str, Any]):
    template = catalogue.load_template("influencer_collaboration")
    terms = {**template.sample_terms, "payment": {"days": 14}}

    with pytest.raises(RenderError, match=r"payment\.late_interest_excluded, payment\.pay_when_paid, payment\.trigger"):
        rendering.render_contract_html(template, terms, legal=legal, document=DocumentInfo("FP-1"))


def test_missing_legal_constants_are_named(legal: dict[str, Any]):
    template = catalogue.load_template("influencer_collaboration")
    without_ksk = {name: value for name, value in legal.items() if name != "DE_KSK_RATE"}

    with pytest.raises(RenderError, match=r"Legal constants missing .*DE_KSK_RATE"):
        rendering.render_contract_html(
            template, template.sample_terms, legal=without_ksk, document=DocumentInfo("FP-1")
        )


def test_optional_terms_may_be_left_out(legal: dict[str, Any]):
    template = catalogue.load_template("influencer_collaboration")
    parties = template.sample_terms["parties"]
    minimal_parties = {
        "brand": {"legal_name": parties["brand"]["legal_name"], "role": "brand"},
        "creator": {key: value for key, value in parties["creator"].items() if key not in ("address", "handles")},
    }
    terms = {**template.sample_terms, "parties": minimal_parties, "meta": {**template.sample_terms["meta"]}}
    del terms["meta"]["effective_date"]

    html = rendering.render_contract_html(template, terms, legal=legal, document=DocumentInfo("FP-1"), languages=["de"])

    assert "Der Vertrag gilt ab der Unterzeichnung durch beide Parteien" in html
    assert "USt-IdNr." not in html


def test_an_omitted_liability_cap_means_the_total_fee_and_null_means_uncapped(legal: dict[str, Any]):
    template = catalogue.load_template("influencer_collaboration")
    terms = {**template.sample_terms, "liability": dict(template.sample_terms["liability"])}
    del terms["liability"]["creator_cap"]
    html = rendering.render_contract_html(template, terms, legal=legal, document=DocumentInfo("FP-1"), languages=["en"])
    assert "capped at €3,100.00" in html

    terms["liability"]["creator_cap"] = None
    html = rendering.render_contract_html(template, terms, legal=legal, document=DocumentInfo("FP-1"), languages=["en"])
    assert "The Creator's liability is not capped." in html


def test_terms_of_the_wrong_contract_type_or_not_plain_data_are_refused(legal: dict[str, Any]):
    template = catalogue.load_template("corporate_influencer_programme")
    influencer_terms = catalogue.load_template("affiliate").sample_terms
    with pytest.raises(RenderError, match="is for corporate_influencer contracts"):
        rendering.render_contract_html(template, influencer_terms, legal=legal, document=DocumentInfo("FP-1"))

    class Row:  # what an ORM object would look like to the renderer
        legal_name = "Donau Bank AG"

    terms = {**template.sample_terms, "parties": {"brand": Row(), "creator": {"legal_name": "K"}}}
    with pytest.raises(RenderError, match=r"terms\.parties\.brand is a Row; templates render from plain data only"):
        rendering.render_contract_html(template, terms, legal=legal, document=DocumentInfo("FP-1"))


def test_values_are_escaped_not_interpreted_as_html(legal: dict[str, Any]):
    template = catalogue.load_template("product_gifting")
    terms = {**template.sample_terms, "parties": dict(template.sample_terms["parties"])}
    terms["parties"]["creator"] = {**terms["parties"]["creator"], "legal_name": '<img src="http://evil.example/x">'}

    html = rendering.render_contract_html(template, terms, legal=legal, document=DocumentInfo("FP-1"), languages=["en"])

    assert '<img src="http://evil.example/x">' not in html
    assert "&lt;img src=&#34;http://evil.example/x&#34;&gt;" in html


def test_preview_html_is_marked_as_draft_and_loads_nothing_from_outside():
    template = catalogue.load_template("affiliate")

    html = rendering.render_preview_html(template)

    assert "ENTWURF \u2013 Vorschau, nicht zur Unterschrift" in html
    assert "DRAFT \u2013 preview, not for signature" in html
    assert "Affiliate-Partnerschaftsvertrag" in html and "AYLIN10" in html
    urls = set(re.findall(r"url\(\"?([^\")]+)", html)) | set(re.findall(r'(?:src|href)="([^"]+)"', html))
    assert urls and all(url.startswith("fairpact-asset://shared/fonts/") for url in urls)


def test_the_pdf_embeds_the_bundled_fonts_not_system_fonts(contract_pdf: rendering.RenderedPdf):
    reader = PdfReader(io.BytesIO(contract_pdf.data))
    fonts: set[str] = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        fonts |= {str(font["/BaseFont"]).split("+", 1)[-1] for font in resources["/Font"].values()}
    assert fonts and all(name.startswith("Fairpact-") for name in fonts), fonts
    assert reader.metadata is not None
    assert reader.metadata["/fairpactdocumentid"] == "FP-TEST-0001"  # WeasyPrint drops the hyphens


def test_a_footer_note_that_is_too_long_is_refused():
    with pytest.raises(RenderError, match="longer than 400 characters"):
        DocumentInfo("FP-1", footer_note="x" * 401)
