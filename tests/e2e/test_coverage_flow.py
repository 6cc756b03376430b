"""On a phone, in a state with no therapist: said plainly, help now, and one email later."""

from __future__ import annotations

from typing import Any

from django.core import mail
from playwright.sync_api import Page, expect

from matching.models import CoverageWatch
from matching.services import coverage
from tests.factories import LicenseFactory, TherapistFactory, listed_therapist


def test_wyoming_says_there_is_nobody_yet_and_emails_once_when_someone_is_listed(
    page: Page, live_server: Any, assert_accessible: Any, screenshot: Any, eager_celery: Any
) -> None:
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    listed_therapist()  # Colorado only
    page.goto(base + "/find/place/")
    page.get_by_label("State or territory you live in").select_option("WY")
    page.get_by_role("button", name="Continue").click()
    page.goto(base + "/matches/")
    expect(
        page.get_by_role("heading", name="No therapist is licensed in Wyoming on Rapport yet")
    ).to_be_visible()
    expect(page.get_by_text("200 miles")).to_have_count(0)
    expect(page.get_by_role("link", name="1-800-267-5463")).to_be_visible()
    assert_accessible()
    screenshot("wyoming")

    page.get_by_label("Your email").fill("wyoming.medic@example.test")
    page.get_by_role("button", name="Email me once").click()
    expect(page.get_by_role("heading", name="We will email you once")).to_be_visible()
    assert_accessible()
    assert CoverageWatch.objects.count() == 1

    LicenseFactory(therapist=TherapistFactory(telehealth_states=frozenset({"WY"})), state="WY")
    assert coverage.coverage_sweep() == 1
    assert [m.to for m in mail.outbox] == [["wyoming.medic@example.test"]]
    assert not CoverageWatch.objects.exists()
