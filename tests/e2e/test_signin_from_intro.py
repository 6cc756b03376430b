"""On a phone, a visitor asks for an introduction: the sign-in page says why, sign-up follows."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.helpers import confirm_email
from tests.factories import listed_therapist


def test_a_visitor_asking_learns_why_signs_up_and_gets_the_form_for_that_therapist(
    page: Page, live_server: Any, assert_accessible: Any, screenshot: Any
) -> None:
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    therapist = listed_therapist(full_name="Quinn Fictional")
    page.goto(base + "/find/place/")
    page.get_by_label("State or territory you live in").select_option("CO")
    page.get_by_role("button", name="Continue").click()
    page.goto(base + f"/therapists/{therapist.public_id}/")
    page.get_by_role("link", name="Ask Quinn Fictional for an introduction").click()
    expect(
        page.get_by_role("heading", name="Why an account to ask Quinn Fictional?")
    ).to_be_visible()
    expect(page.get_by_text("A pseudonym is fine")).to_be_visible()
    expect(page.get_by_text("Your department never sees")).to_be_visible()
    assert_accessible()
    screenshot("sign-in")

    page.get_by_role("link", name="Create an account").click()
    expect(
        page.get_by_role("heading", name="Why an account to ask Quinn Fictional?")
    ).to_be_visible()
    assert_accessible()
    page.get_by_label("A first responder looking for a therapist").check()
    page.get_by_label("Name to show therapists").fill("Night Medic")
    page.get_by_label("Email").fill("night.medic@example.test")
    page.get_by_label("Password", exact=True).fill("a-long-fictional-passphrase")
    page.get_by_label("Password (again)").fill("a-long-fictional-passphrase")
    page.get_by_role("button", name="Create account").click()
    confirm_email(page, base, "night.medic@example.test")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ask Quinn Fictional for an introduction"
    )


def test_the_notify_page_is_accessible(
    page: Page, live_server: Any, assert_accessible: Any
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/find/notify-me/")
    page.get_by_role("button", name="Email me once").click()
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    assert_accessible()
