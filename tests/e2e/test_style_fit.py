"""A responder who wants structure and a direct tone finds a therapist who works that way."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from alliance.models import AllianceApproach
from tests.factories import listed_therapist


def _style(therapist, **points: tuple[int, int, int]) -> None:
    values = {
        f"style_{dim}_{part}": value
        for dim, triple in points.items()
        for part, value in zip(("usual", "low", "high"), triple, strict=True)
    }
    AllianceApproach.objects.filter(therapist=therapist).update(**values)


def test_a_structured_direct_therapist_rises_for_a_responder_who_asks_for_that(
    page: Page, live_server: Any, assert_accessible: Any, screenshot: Any
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    # Otherwise equal; the non-directive one was listed first (an older account).
    follows = listed_therapist(full_name="Follows Your Lead Fictional")
    _style(follows, lead=(5, 4, 5), focus=(4, 3, 5), pace=(5, 4, 5), tone=(1, 1, 2))
    structured = listed_therapist(full_name="Brings A Plan Fictional")
    _style(structured, lead=(1, 1, 2), focus=(2, 1, 3), pace=(3, 2, 4), tone=(5, 4, 5))

    page.goto(live_server.url + "/find/place/")
    page.get_by_label("State or territory you live in").select_option("CO")
    page.get_by_label("Telehealth (video or phone)").check()
    page.get_by_role("button", name="Continue").click()
    page.goto(live_server.url + "/find/style/")
    expect(page.get_by_role("heading", level=1)).to_have_text("How you want therapy to work")
    assert_accessible()
    page.get_by_role("group", name="Who leads").get_by_label(
        "My therapist brings a plan, structure and practice between sessions", exact=True
    ).check()
    page.get_by_role("group", name="The tone you want").get_by_label(
        "Direct: challenges me", exact=True
    ).check()
    page.get_by_role("button", name="Continue").click()
    page.goto(live_server.url + "/matches/")

    results = page.locator("#results")
    names = results.locator("h3").all_inner_texts()
    assert names[0].startswith("Brings A Plan Fictional"), names
    first = results.get_by_role("listitem").filter(has_text="Brings A Plan Fictional").first
    expect(first.locator(".result__reasons")).to_contain_text(
        "Works the way you asked: brings a clear plan and is direct and challenges you"
    )
    second = results.get_by_role("listitem").filter(has_text="Follows Your Lead Fictional").first
    expect(
        second.get_by_text("Works differently from what you asked about who leads and the tone")
    ).to_be_visible()
    assert_accessible()
    screenshot("style-fit")

    first.get_by_role("link", name="Brings A Plan Fictional", exact=True).click()
    expect(
        page.get_by_text("Usually brings a plan, structure and practice between sessions.")
    ).to_be_visible()
