"""On a phone: a peer-support team makes a link; a responder opens it and starts preset."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect


def test_a_referral_link_opens_the_intake_with_service_and_state_chosen(
    page: Page, live_server: Any, assert_accessible: Any, screenshot: Any
) -> None:
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + "/share/")
    assert_accessible()
    page.get_by_label("Service").select_option("fire")
    page.get_by_label("State").select_option("WY")
    page.get_by_role("button", name="Make the link").click()
    link = page.get_by_label("Copy it into an email, a text or a poster:").input_value()
    assert link.startswith(base + "/find/from/")
    assert_accessible()

    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_text("Shared by your peer support team")).to_be_visible()
    assert_accessible()
    screenshot("landing")
    page.get_by_role("button", name="Start as Fire in Wyoming").click()
    expect(page.get_by_text("Shared by your peer support team")).to_be_visible()
    expect(page.get_by_label("Fire", exact=True)).to_be_checked()
    assert_accessible()
    page.goto(base + "/find/place/")
    expect(page.get_by_label("State or territory you live in")).to_have_value("WY")
