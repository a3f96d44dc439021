"""The creator's journey on a phone in chromium: see the obligation, confirm the label, submit, see the fix."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.disclosure_flow.support import Brand, image_bytes
from tests.web.helpers import link_in, path_of

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}


def _sign_in_as_creator(page: Page, server: str, email: str, mailbox, run_jobs) -> None:
    page.goto(f"{server}/creator/login")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Send me a link").click()
    run_jobs()
    page.goto(f"{server}{path_of(link_in(mailbox, email))}")
    page.get_by_role("button", name="Continue and sign in").click()
    expect(page).to_have_url(f"{server}/creator")


def test_creator_confirms_the_label_submits_and_sees_the_fix_on_a_phone(
    page: Page, live_server, client, seed, mailbox, run_jobs
):
    page.set_viewport_size(PHONE)
    brand = Brand(client, seed, "Nordlicht Naturkosmetik")
    post = brand.post(brand.campaign(["DE"])["id"])
    _sign_in_as_creator(page, live_server, brand.creator.email, mailbox, run_jobs)

    page.get_by_role("link", name="Your posts").click()
    page.get_by_role("link", name="Sonnencreme Reel").click()
    expect(page).to_have_url(re.compile(rf"/me/posts/{post['id']}$"))
    expect(page.get_by_role("heading", name="How to label this post")).to_be_visible()
    example = page.get_by_label("Ready to copy").input_value()
    assert "Werbung" in example or "Anzeige" in example
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the page scrolls sideways"

    page.get_by_label("I will label this post with").fill("Werbung")
    page.get_by_role("button", name="Confirm label").click()
    expect(page.get_by_text("Thank you: your label is confirmed.")).to_be_visible()
    expect(page.locator("#confirmed")).to_contain_text("Werbung")

    page.get_by_label("Caption (as published)").fill("Mein Sommerbegleiter #sonnencreme")
    screenshot = {"name": "story.png", "mimeType": "image/png", "buffer": image_bytes("PNG", (390, 844))}
    page.get_by_label(re.compile(r"^Screenshots")).set_input_files(files=[screenshot])
    page.get_by_role("button", name="Submit post").click()
    expect(page.get_by_text("The check is running.")).to_be_visible()

    run_jobs()
    page.reload()
    result = page.locator("#result")
    expect(result).to_contain_text("Violation")
    expect(result).to_contain_text("DE-LABEL-MISSING")
    expect(result).to_contain_text("Fix:")
    check = brand.call("GET", f"/disclosure/posts/{post['id']}/checks", 200).json["items"][0]
    assert [(s["width"], s["height"]) for s in check["evidence"]["screenshots"]] == [(390, 844)]
