from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect


def test_home_page_shows_its_heading_and_the_crisis_line(
    page: Page, live_server: Any, screenshot: Any, assert_accessible: Any
) -> None:
    page.goto(live_server.url)

    expect(page.get_by_role("heading", level=1)).to_have_text("Find a therapist who knows the job")
    crisis = page.get_by_role("complementary", name="Crisis help")
    expect(crisis).to_contain_text("In crisis? Call or text 988")
    expect(crisis.get_by_role("link", name="988")).to_have_attribute("href", "tel:988")
    assert screenshot().stat().st_size > 0
    assert_accessible()


def test_skip_link_moves_keyboard_focus_to_the_main_content(page: Page, live_server: Any) -> None:
    page.goto(live_server.url)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
