"""In chromium: a brand user creates and sends a contract, the creator signs on a phone drawing the signature,
and the sealed PDF downloaded from the brand's page verifies."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from service.documents.sealing import SealStatus, trusted_seal_certificates, verify_pdf
from tests.contracts_flow.support import sign_link
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}


def test_a_contract_is_created_sent_and_signed_on_a_phone(
    app, page: Page, browser: Browser, live_server, seed, mailbox, run_jobs, tmp_path: Path
):
    brand = seed.make_tenant(name="Nordlicht Naturkosmetik")
    creator = seed.make_creator(brand.id, email="lena@creators.example")

    # The brand: sign in, start a contract from a template for Lena, watch the fairness panel, save, send.
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(brand.owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contracts").click()
    page.get_by_role("link", name="New contract").click()
    page.get_by_label("Influencer collaboration agreement").check()
    page.get_by_label("Creator who signs").select_option(value=str(creator.id))
    page.get_by_role("button", name="Continue to the terms").click()

    panel = page.locator("#fairness")
    expect(panel).to_contain_text("Fair: no findings that need a change.")
    page.get_by_label("Payment within (days)").fill("90")
    expect(panel).to_contain_text("Not fair yet")
    expect(panel).to_contain_text("FAIR-PAYMENT-TERM-MAX-30-DAYS")
    page.get_by_label("Payment within (days)").fill("21")
    expect(panel).to_contain_text("Fair: no findings that need a change.")
    page.get_by_label("Title", exact=True).fill("Frühjahrskampagne 2026")
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Frühjahrskampagne 2026")
    page.get_by_role("button", name="Send for signature").click()
    expect(page.get_by_role("status").first).to_contain_text("Sent.")
    run_jobs()

    # The brand's own signature (typed), from the link in the owner's email.
    page.goto(f"{live_server}{sign_link(mailbox, brand.owner.email)}")
    page.get_by_label("Type your full name").fill("Nora Owner")
    page.get_by_label("I agree to sign this contract electronically").check()
    page.get_by_role("button", name="Sign the contract").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, you signed.")

    # The creator, on a phone: reads, labels, draws the signature, signs.
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-US").new_page()
    phone.goto(f"{live_server}{sign_link(mailbox, creator.email)}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Frühjahrskampagne 2026")
    expect(phone.frame_locator("iframe.contract-frame").locator("body")).to_contain_text(
        "Kooperationsvertrag Influencer-Marketing"
    )
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the page scrolls sideways"
    phone.get_by_label("„Werbung“").check()
    phone.get_by_label("Where the label goes").select_option(value="start_of_post")
    canvas = phone.locator("canvas.signature-pad")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    phone.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    phone.mouse.down()
    for step in range(1, 12):
        phone.mouse.move(box["x"] + 20 + step * 25, box["y"] + box["height"] * (0.7 - 0.5 * (step % 2)))
    phone.mouse.up()
    assert phone.locator("input[name=drawn_signature]").input_value().startswith("data:image/png;base64,")
    phone.get_by_label("I agree to sign this contract electronically").check()
    phone.get_by_role("button", name="Sign the contract").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you, you signed.")
    phone.context.close()

    run_jobs()  # seal
    page.goto(f"{live_server}/contracts")
    page.get_by_role("link", name="Frühjahrskampagne 2026").click()
    expect(page.locator(".meta-line")).to_contain_text("Sealed")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the sealed PDF").click()
    saved = tmp_path / "sealed.pdf"
    download.value.save_as(saved)
    with app.app_context():
        result = verify_pdf(saved.read_bytes(), trusted_seal_certificates(app.config))
    assert result.status == SealStatus.VALID
