"""Issue 23 on a 390 x 844 phone: the way in for therapists, the working style on one scale, a
warning before the idle limit, a save after it that loses nothing, and a rename that asks
first, says why the profile is off the list, and shows staff the reason."""

from __future__ import annotations

import time
from importlib import import_module
from typing import Any

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core import mail
from playwright.sync_api import Page, expect

from config.middleware import LAST_SEEN_AT_KEY
from profiles.models import TherapistProfile
from tests.e2e.helpers import PASSWORD
from tests.e2e.phone import PHONE, check_phone_page, open_menu
from tests.e2e.test_vetting_flow import sign_in
from tests.factories import StaffFactory, listed_therapist

LONG_BIO = ("I work with crews after hard calls; this bio is fictional and long. " * 22).strip()


def _idle_on_the_server(page: Page, minutes: float) -> None:
    """Make the server's note of the last request `minutes` old, as if no request came."""
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    store[LAST_SEEN_AT_KEY] = time.time() - minutes * 60
    store.save()


def _recovery_code(page: Page, user: Any) -> None:
    """The second sign-in within one 30-second period: the app's code was just used, so a
    recovery code, as a person without their phone would."""
    page.get_by_label("Code").fill(RecoveryCodes.activate(user).get_unused_codes()[0])
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.slow
def test_a_therapist_on_a_phone_finds_the_way_in_and_loses_nothing_on_the_way(
    page: Page, live_server: Any, axe: Axe, eager_celery: Any, totp_user_factory: Any
) -> None:
    base = live_server.url
    page.set_viewport_size(PHONE)

    # The home page to the page for therapists in one tap, then the sign-up with the role.
    page.goto(base + "/")
    check_phone_page(page, axe, "home-for-therapists")
    page.get_by_role("link", name="What Rapport asks of therapists, and how vetting works").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("For therapists")
    check_phone_page(page, axe, "for-therapists")
    page.get_by_role("link", name="Create your therapist account").first.click()
    expect(page.get_by_label("Your name, as on your license")).to_be_visible()
    expect(page.get_by_label("Name to show therapists")).to_have_count(0)
    check_phone_page(page, axe, "therapist-sign-up")
    # A plain sign-up shows the name of the role ticked, and only that one.
    page.goto(base + "/accounts/signup/")
    expect(page.get_by_label("Your name, as on your license")).to_be_hidden()
    page.get_by_label("A licensed therapist").check()
    expect(page.get_by_label("Your name, as on your license")).to_be_visible()
    expect(page.get_by_label("Name to show therapists")).to_be_hidden()
    open_menu(page)
    expect(page.get_by_role("link", name="For therapists").first).to_be_visible()

    therapist = listed_therapist(full_name="Phone Fictional", credentials="LCSW, CCTP")
    therapist.user.set_password(PASSWORD)
    therapist.user.save()
    secret = totp_user_factory(therapist.user)
    sign_in(page, base, therapist.user.email, totp_secret=secret)

    # The working style on one scale: a gap is named by its point, then the range saves.
    page.goto(base + "/therapist/profile/alliance/")
    tone = page.get_by_role("group", name="Tone")
    tone.get_by_label("Usually: 2: Mostly warm").check()
    tone.get_by_label("Can work here: 4: Mostly direct").check()
    page.get_by_role("button", name="Save alliance").click()
    expect(page.locator(".style-scale .field__error")).to_contain_text(
        "“3: Warm but direct” is not ticked, between 2 and 4"
    )
    check_phone_page(page, axe, "working-style")
    page.get_by_role("group", name="Tone").get_by_label("Can work here: 3: Warm but direct").check()
    page.get_by_role("button", name="Save alliance").click()
    expect(page.get_by_text("Alliance saved.")).to_be_visible()
    assert therapist.alliance_approach.__class__.objects.get(therapist=therapist).style("tone") == (
        2,
        2,
        4,
    )

    # Five minutes before the idle limit the page says so; "Stay signed in" keeps it going.
    page.clock.install()
    page.goto(base + "/therapist/profile/identity/")
    _idle_on_the_server(page, minutes=26)
    page.clock.fast_forward("25:30")
    warning = page.locator("#session-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("You will be signed out in about 4 minutes")
    check_phone_page(page, axe, "idle-warning")
    page.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()

    # A long bio typed, then the sign-in ends on the server: the save loses nothing.
    page.get_by_label("Short bio").fill(LONG_BIO)
    _idle_on_the_server(page, minutes=31)
    page.get_by_role("button", name="Save identity").click()
    expect(
        page.get_by_text("What you typed is kept: sign in, and it is back in the form.")
    ).to_be_visible()
    assert TherapistProfile.objects.get(pk=therapist.pk).bio != LONG_BIO
    page.get_by_label("Email").fill(therapist.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    _recovery_code(page, therapist.user)
    expect(page.get_by_text("You were signed out before this was saved.")).to_be_visible()
    expect(page.get_by_label("Short bio")).to_have_value(LONG_BIO)
    check_phone_page(page, axe, "draft-restored")

    # A rename asks first; after it, page and email say the profile is off the list and why.
    page.get_by_label("Your name, as on your license").fill("Phone Renamed")
    page.get_by_role("button", name="Save identity").click()
    expect(page.locator("#confirm-review")).to_contain_text(
        "Until it is verified again, your profile is not listed"
    )
    check_phone_page(page, axe, "rename-question")
    page.get_by_role("button", name="Save and send for review").click()
    expect(page.get_by_text("so your license went back to review")).to_be_visible()
    stored = TherapistProfile.objects.get(pk=therapist.pk)
    assert (stored.full_name, stored.bio) == ("Phone Renamed", LONG_BIO)
    page.goto(base + "/therapist/")
    expect(page.locator(".status-line")).to_contain_text("because you changed your name")
    check_phone_page(page, axe, "home-not-listed")
    assert [m.subject for m in mail.outbox if m.to == [therapist.user.email]] == [
        "Your Rapport profile is not listed while we check your license again"
    ]

    # Staff see why the license came back, on the phone too.
    page.context.clear_cookies()
    staff = StaffFactory(email="staff-way-in@example.test")
    staff.set_password(PASSWORD)
    staff.save()
    sign_in(page, base, staff.email, totp_secret=totp_user_factory(staff))
    page.goto(base + "/staff/vetting/")
    expect(page.locator(".review-reason").first).to_contain_text("The therapist changed their name")
    expect(page.locator(".review-reason").first).to_contain_text(
        "Name changed from “Phone Fictional” to “Phone Renamed”."
    )
    check_phone_page(page, axe, "vetting-queue-reason")
