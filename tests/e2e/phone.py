"""What every page a phone test visits must meet, in one helper: no sideways scroll, a header
within its budget, and axe-core at zero serious or critical violations."""

from __future__ import annotations

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.conftest import SCREENSHOT_DIR, assert_no_serious_violations

PHONE = {"width": 390, "height": 844}
# The crisis line and the header bar together, from the top of the page. Before the compact
# header: 180 px signed out, 267 px for a responder, 315 px for a therapist; now 92 px.
HEADER_BUDGET_PX = 110
# One result card with "Why this match" closed. Before: 655 to 890 px; now about 340 to 450.
CARD_BUDGET_PX = 480


def open_menu(page: Page) -> None:
    """Open the header's menu where it is collapsed (a phone); wide screens show the links."""
    toggle = page.locator(".site-menu__toggle")
    if toggle.is_visible() and not page.locator(".site-menu[open]").count():
        toggle.click()
        expect(page.locator(".site-menu[open]")).to_have_count(1)


def check_phone_page(page: Page, axe: Axe, shot: str = "") -> dict[str, float]:
    """Fail unless the page is exactly as wide as the viewport, its header is within
    HEADER_BUDGET_PX and axe-core finds nothing serious; keep a screenshot when named."""
    page.wait_for_load_state()
    measured = page.evaluate(
        """() => ({
            document: document.documentElement.scrollWidth,
            viewport: window.innerWidth,
            header: document.querySelector('.site-header').getBoundingClientRect().bottom
                + window.scrollY,
        })"""
    )
    where = page.url
    assert measured["document"] == measured["viewport"] == PHONE["width"], (where, measured)
    assert measured["header"] <= HEADER_BUDGET_PX, (where, measured)
    assert_no_serious_violations(page, axe, where)
    if shot:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOT_DIR) / f"phone-{shot}.png"), full_page=True)
    return measured
