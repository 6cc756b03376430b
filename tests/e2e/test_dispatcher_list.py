"""A 911 dispatcher's list: experience with dispatch comes first, and misfits are said."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.factories import listed_therapist


def test_a_dispatcher_sees_dispatch_experience_first_and_what_does_not_fit(
    page: Page, live_server: Any, assert_accessible: Any, screenshot: Any
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    listed_therapist(
        full_name="Fire And EMS Fictional",
        services_served={"fire", "ems"},
        years_serving_responders=14,
        responder_caseload_percent=60,
        hours={"evenings"},
    )
    listed_therapist(
        full_name="Dispatch Fictional",
        services_served={"dispatch"},
        years_serving_responders=9,
        responder_caseload_percent=40,
        hours={"weekday_daytime"},
        fee_min_dollars=90,
        fee_max_dollars=130,
    )
    page.goto(live_server.url + "/find/")
    page.get_by_label("911 dispatch / telecommunications").check()
    page.get_by_label("Active").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("State or territory you live in").select_option("CO")
    page.get_by_label("Telehealth (video or phone)").check()
    page.get_by_role("button", name="Continue").click()
    for _ in range(3):  # concerns, preferences, style
        page.get_by_role("button", name="Skip this step").click()
    page.get_by_label("Evenings").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Skip this step").click()
    page.get_by_role("link", name="See your matches").click()

    results = page.locator("#results")
    expect(results.get_by_role("heading", level=2)).to_have_text("2 therapists match")
    names = results.locator("h3").all_inner_texts()
    assert names[0].startswith("Dispatch Fictional")
    first = results.get_by_role("listitem").filter(has_text="Dispatch Fictional").first
    expect(first.locator(".result__reasons")).to_contain_text("Has worked with 911 dispatchers")
    expect(first.get_by_text("Telehealth only · $90 to $130 a session")).to_be_visible()
    expect(first.get_by_text("Does not offer evening sessions")).to_be_visible()
    first.get_by_text("Why this match").click()  # the rest of the card, one tap away
    expect(first.get_by_text("New to Rapport: no intro requests yet")).to_be_visible()
    assert_accessible()
    screenshot("dispatcher-list")
