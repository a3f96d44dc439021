"""The journeys of the web shell in a real browser: sign in, switch client, invite a creator, magic link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from service.creators.models import CreatorKind
from tenants.models import TenantKind
from tenants.roles import Role
from tests.factories import PASSWORD
from tests.web.helpers import link_in, path_of

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def sign_in(page: Page, server: str, email: str) -> None:
    page.goto(f"{server}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_team_member_signs_in_with_a_password(page: Page, live_server, seed):
    brand = seed.make_tenant(name="Nordlicht Naturkosmetik")

    sign_in(page, live_server, brand.owner.email)

    expect(page).to_have_url(f"{live_server}/app")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nordlicht Naturkosmetik")
    expect(page.get_by_text("You are signed in as Owner.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Members")).to_be_visible()


def test_a_wrong_password_is_refused_on_the_page(page: Page, live_server, seed):
    brand = seed.make_tenant()
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(brand.owner.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_have_text("Email or password is not correct.")


def test_an_agency_member_switches_client(page: Page, live_server, seed):
    agency = seed.make_tenant(TenantKind.AGENCY, name="Kollektiv Süd")
    berg = seed.make_client(agency.id, "Bergquelle")
    rad = seed.make_client(agency.id, "Radwerk")
    seed.make_creator(agency.id, email="berg@example.com", client_id=berg)
    seed.make_creator(agency.id, email="rad@example.com", client_id=rad)
    manager = seed.add_member(agency.id, Role.MANAGER)
    sign_in(page, live_server, manager.email)
    page.get_by_role("link", name="Creators", exact=True).click()
    expect(page.get_by_text("rad@example.com")).to_be_visible()

    page.wait_for_load_state()  # the switcher's script is deferred: a loaded machine can be slower than the click
    page.get_by_label("Client", exact=True).first.select_option(label="Bergquelle")

    expect(page.get_by_text("Showing the creators of Bergquelle")).to_be_visible()
    expect(page).to_have_url(f"{live_server}/creators")
    expect(page.get_by_text("berg@example.com")).to_be_visible()
    expect(page.get_by_text("rad@example.com")).to_have_count(0)
    page.get_by_role("link", name="Overview").click()
    expect(page.locator(".cards li", has_text="Bergquelle")).to_contain_text("selected")


def test_a_manager_invites_a_creator_who_accepts_from_the_email(
    page: Page, browser: Browser, live_server, seed, mailbox, run_jobs
):
    brand = seed.make_tenant(name="Nordlicht Naturkosmetik")
    manager = seed.add_member(brand.id, Role.MANAGER)
    sign_in(page, live_server, manager.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Creators").click()

    page.get_by_label("Email").fill("clara@example.com")
    page.get_by_label("Name").fill("Clara Klee")
    page.get_by_label("Works with you as").select_option(label="Influencer")
    page.get_by_label("Language of the invitation").select_option(label="English")
    page.get_by_role("button", name="Send invitation").click()

    expect(page.get_by_role("status")).to_have_text("Invitation sent to clara@example.com.")
    run_jobs()
    assert mailbox.to("clara@example.com")[0]["Subject"] == "Nordlicht Naturkosmetik wants to work with you on Fairpact"
    link = path_of(link_in(mailbox, "clara@example.com"))

    creator_page = browser.new_context(locale="en-US").new_page()
    creator_page.goto(f"{live_server}{link}")
    creator_page.get_by_role("button", name="Accept and sign in").click()

    expect(creator_page).to_have_url(f"{live_server}/creator")
    expect(creator_page.get_by_role("heading", level=1)).to_have_text("Hello Clara Klee")
    expect(creator_page.locator(".cards")).to_contain_text("Nordlicht Naturkosmetik · Influencer")
    creator_page.context.close()


def test_a_creator_signs_in_by_magic_link(page: Page, live_server, seed, mailbox, run_jobs):
    brand = seed.make_tenant(name="Nordlicht Naturkosmetik")
    creator = seed.make_creator(brand.id, CreatorKind.EMPLOYEE, email="emil@example.com")
    page.goto(live_server)
    page.get_by_role("link", name="Sign in as a creator").click()

    page.get_by_label("Email").fill(creator.email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    run_jobs()
    link = link_in(mailbox, creator.email)
    assert re.search(r"/creator/magic/[\w-]+$", link)

    page.goto(f"{live_server}{path_of(link)}")
    page.get_by_role("button", name="Continue and sign in").click()

    expect(page).to_have_url(f"{live_server}/creator")
    expect(page.get_by_text("You are signed in.")).to_be_visible()
    expect(page.locator(".cards")).to_contain_text("Nordlicht Naturkosmetik · Employee")


def _fits_the_screen(page: Page, *locators) -> None:  # type: ignore[no-untyped-def]
    width = PHONE["width"]
    page.wait_for_load_state("load")  # measured with the stylesheet applied
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    for locator in locators:
        expect(locator).to_be_visible()
        box = locator.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{locator} is cut off: {box}"


def test_the_main_controls_fit_a_phone_screen(new_context, live_server, seed):
    agency = seed.make_tenant(TenantKind.AGENCY, name="Kollektiv Süd Agentur")
    seed.make_client(agency.id, "Bergquelle Mineralbrunnen")
    seed.make_client(agency.id, "Radwerk München")
    seed.make_creator(agency.id, email="a-rather-long-address-of-a-creator@example.com")
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(page, live_server, agency.owner.email)
    page.get_by_role("link", name="Creators", exact=True).click()

    nav = page.get_by_role("navigation", name="Main")
    _fits_the_screen(
        page,
        page.locator("#client-switch"),
        page.get_by_role("button", name="Deutsch"),
        page.get_by_role("button", name="Sign out"),
        *(nav.get_by_role("link", name=name) for name in ("Overview", "Creators", "Members", "API keys", "Audit log")),
        page.get_by_text("a-rather-long-address-of-a-creator@example.com"),
        page.get_by_role("button", name="Send invitation"),
    )

    page.wait_for_load_state()
    page.locator("#client-switch").select_option(label="Radwerk München")
    expect(page.get_by_text("Showing the creators of Radwerk München")).to_be_visible()
    nav.get_by_role("link", name="Members").click()
    _fits_the_screen(
        page,
        page.locator("main").get_by_text(agency.owner.email),
        page.get_by_text("Change", exact=True),
        page.get_by_role("button", name="Send invitation"),
    )

    # German words are longer: the same screens in German still fit.
    page.get_by_role("button", name="Deutsch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mitglieder")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    _fits_the_screen(
        page,
        page.get_by_role("button", name="English"),
        page.get_by_role("button", name="Abmelden"),
        *(nav.get_by_role("link", name=name) for name in ("Übersicht", "Creator", "Mitglieder", "API-Schlüssel")),
        nav.get_by_role("link", name="Audit-Protokoll"),
        page.get_by_role("button", name="Einladung senden"),
    )
