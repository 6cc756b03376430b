"""A firefighter looks for evening telehealth for trauma, and refines the list in place."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.factories import LicenseFactory, TherapistFactory, TrainingFactory, listed_therapist


def _seed() -> None:
    for n, (name, extra) in enumerate(
        [
            (
                "Avery Fictional",
                {
                    "services_served": {"fire"},
                    "years_serving_responders": 12,
                    "hours": {"evenings", "weekends"},
                },
            ),
            ("Blake Fictional", {"services_served": {"police"}, "hours": {"weekday_daytime"}}),
            (
                "Casey Fictional",
                {
                    "formats": {"in_person", "telehealth"},
                    "office_zip": "80202",
                    "office_city": "Denver",
                    "office_latitude": 39.7508,
                    "office_longitude": -104.9966,
                },
            ),
            (
                "Dana Fictional",
                {
                    "formats": {"in_person"},
                    "telehealth_states": set(),
                    "office_zip": "80202",
                    "office_city": "Denver",
                    "office_latitude": 39.7508,
                    "office_longitude": -104.9966,
                },
            ),
        ]
    ):
        therapist = listed_therapist(full_name=name, **extra)
        if n == 0:
            TrainingFactory(therapist=therapist)
    # Licensed elsewhere only: never on a Colorado list.
    LicenseFactory(
        therapist=TherapistFactory(full_name="Elsewhere Fictional", telehealth_states={"NM"}),
        state="NM",
    )


def test_a_firefighter_sees_licensed_telehealth_therapists_with_reasons_and_refines(
    page: Page, live_server: Any, assert_accessible: Any, screenshot: Any
) -> None:
    _seed()
    base = live_server.url
    page.goto(base + "/")
    page.get_by_role("link", name="Start: a few short questions").click()
    page.get_by_label("Fire", exact=True).check()
    page.get_by_role("button", name="Continue").click()

    assert_accessible()
    page.get_by_label("State or territory you live in").select_option("CO")
    page.get_by_label("ZIP code").fill("80202")
    page.get_by_label("Telehealth (video or phone)").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Trauma / PTSD").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Skip this step").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How you want therapy to work")
    assert_accessible()
    page.get_by_role("button", name="Skip this step").click()
    page.get_by_label("Evenings").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Skip this step").click()
    page.get_by_role("link", name="See your matches").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Therapists for you")
    results = page.locator("#results")
    expect(results.get_by_role("heading", level=2)).to_have_text("3 therapists match")
    names = results.locator("h3").all_inner_texts()
    assert names[0].startswith("Avery Fictional")
    assert not any("Dana" in n or "Elsewhere" in n for n in names)  # office only / not licensed
    first = results.get_by_role("listitem").first
    top_reasons = first.locator(".result__reasons")
    expect(top_reasons).to_contain_text("Has worked with firefighters")
    expect(first).to_contain_text("12 years serving first responders")
    expect(first.get_by_role("heading", level=3)).to_have_text("Avery Fictional, LCSW")
    first.get_by_text("Why this match").click()
    expect(
        first.get_by_text("License: LCSW (clinical social worker), Colorado Verified")
    ).to_be_visible()
    expect(first.get_by_text("Knows first responders:")).to_be_visible()
    assert_accessible()
    screenshot("list")

    # Refine in place: the page is not reloaded, the URL follows, the back button returns.
    page.evaluate("window.__not_reloaded = true")
    page.locator("details.refine summary").click()  # Refine folds into a button
    page.get_by_label("In person", exact=True).check()
    expect(results.get_by_role("heading", level=2)).to_have_text("2 therapists match")
    assert page.evaluate("window.__not_reloaded") is True
    assert "format=in_person" in page.url
    refined = sorted(n.split(",")[0] for n in results.locator("h3").all_inner_texts())
    assert refined == ["Casey Fictional", "Dana Fictional"]
    page.go_back()
    expect(results.get_by_role("heading", level=2)).to_have_text("3 therapists match")

    results.get_by_role("link", name="Avery Fictional", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Avery Fictional")
    expect(page.get_by_text("Has worked with firefighters").first).to_be_visible()
    assert_accessible()


def test_a_responder_in_crisis_sees_help_before_any_list(page: Page, live_server: Any) -> None:
    page.goto(live_server.url + "/find/concerns/")
    page.get_by_label("I am having thoughts of suicide").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You do not have to wait for a therapist"
    )
    expect(page.get_by_role("main").get_by_role("link", name="988")).to_be_visible()
