"""A staff member reads "Does the ranking work?" on a phone and on a laptop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from tests.e2e.phone import open_menu
from tests.factories import StaffFactory
from tests.report_intros import intro

RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def _seed() -> None:
    """Twelve fictional intros in two bands, measured and self-described, six weeks on."""
    for index, alliance in enumerate((9, 9, 8, 8, 7, 8)):
        intro(
            88 + index,
            source="measured" if index % 2 else "self_described",
            checkins={1: (alliance, 8), 2: (alliance, 8 if index else 3)},
        )
    for index, alliance in enumerate((8, 7, 7, 6, 7, 6)):
        intro(
            72 + index,
            source="measured" if index % 2 else "self_described",
            checkins={1: (alliance, 8), 2: (alliance, 4 if index < 2 else 8)},
        )
    intro(60, status="declined")
    intro(65, checkins={1: "lapsed"})


def _sign_in(page: Page, base: str, user: Any) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )


def test_staff_read_the_report_on_a_phone_and_a_laptop(
    page: Page, live_server: Any, totp_user_factory: Any, assert_accessible: Any
) -> None:
    _seed()
    staff = StaffFactory(email="report-staff@example.test")
    totp_user_factory(staff)
    _sign_in(page, live_server.url, staff)
    page.add_init_script(LISTEN)
    RESULTS_DIR.mkdir(exist_ok=True)

    for label, width, height in (("phone", 390, 844), ("laptop", 1366, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(live_server.url + "/")
        open_menu(page)  # collapsed on a phone
        page.get_by_role("link", name="Ranking report").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Does the ranking work?")
        chart = page.get_by_role("img", name="Mean alliance at about six weeks, by score band")
        expect(chart).to_be_visible()
        band_table = page.get_by_role("table", name="Mean alliance at about six weeks").last
        expect(band_table.get_by_role("row", name="85 and above")).to_contain_text("8.2")
        expect(band_table.get_by_role("row", name="Below 50")).to_contain_text("Too few to show")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        # The interval stays beside its figure, not under the column's name (a phone stacks
        # each cell as the name, then what it holds).
        figure = band_table.get_by_role("row", name="70 to 84").locator("td").first
        value_box = figure.locator("strong").bounding_box()
        interval_box = figure.locator(".muted").bounding_box()
        assert interval_box["x"] >= value_box["x"] - 1, (label, value_box, interval_box)
        assert page.evaluate("window.__cspViolations") == []
        assert_accessible()
        page.screenshot(path=str(RESULTS_DIR / f"ranking-report-{label}.png"), full_page=True)
