"""The list on a phone: results in the first screen, filters applied in place, Ask in reach."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from matching.intake import Intake
from tests.e2e.helpers import PASSWORD
from tests.e2e.test_vetting_flow import sign_in
from tests.factories import ResponderFactory, listed_therapist

PHONE = {"width": 390, "height": 844}
OFFICE = {
    "office_zip": "80202",
    "office_city": "Denver",
    "office_latitude": 39.7508,
    "office_longitude": -104.9966,
}


def test_on_a_phone_results_come_first_and_filters_do_not_move_the_page(
    page: Page, live_server: Any, assert_accessible: Any, screenshot: Any
) -> None:
    page.set_viewport_size(PHONE)
    for n in range(12):
        listed_therapist(
            full_name=f"Phone {n:02d} Fictional",
            formats={"in_person", "telehealth"} if n % 2 else {"telehealth"},
            languages={"en", "es"} if n % 3 == 0 else {"en"},
            **(OFFICE if n % 2 else {}),
        )
    responder = ResponderFactory(
        answers=Intake(
            state="CO", zip_code="80202", format_preference="either", languages=frozenset({"es"})
        ).to_dict()
    )
    responder.user.set_password(PASSWORD)
    responder.user.save()
    sign_in(page, live_server.url, responder.user.email)
    page.goto(live_server.url + "/matches/")

    first_card = page.locator("#results .result").first
    top = first_card.bounding_box()["y"]
    assert top < PHONE["height"], f"The first card starts {top:.0f} px down"
    assert_accessible()
    screenshot("list")

    refine = page.locator("details.refine")
    refine.locator("summary").click()
    expect(page.locator("#filters-on")).to_have_text("(0 filters on)")
    page.evaluate("window.scrollTo(0, 400)")
    before = page.evaluate("window.scrollY")
    heading = page.locator("#results-heading")
    page.get_by_label("In person", exact=True).check()
    expect(heading).to_have_text("6 therapists match")
    page.get_by_label("Only therapists who speak a language I chose").check()
    expect(heading).to_have_text("2 therapists match")
    expect(page.locator("#filters-on")).to_have_text("(2 filters on)")
    assert page.evaluate("window.scrollY") == before
    expect(page.get_by_label("Only therapists who speak a language I chose")).to_be_focused()

    page.locator("#results h3 a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fictional")
    ask = page.locator(".ask-bar a")
    expect(ask).to_be_in_viewport()  # sticky at the bottom, three screens above the end
    assert_accessible()
    screenshot("profile")
