"""The main pages of every role load in Chromium with no Content-Security-Policy violation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client
from playwright.sync_api import ConsoleMessage, Page, expect

from matching.intake import Intake
from tests.factories import (
    LicenseFactory,
    ResponderFactory,
    StaffFactory,
    TherapistFactory,
    intro_through_service,
    listed_therapist,
)

# Registered before any page script runs; a navigation starts a fresh list.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    event.violatedDirective + " blocked " + (event.blockedURI || "inline") + " at " +
    event.sourceFile + ":" + event.lineNumber
  );
});
"""


def _sign_in_as(page: Page, base: str, user: Any) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )


def _visit(page: Page, url: str, console: list[str]) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.status < 400, (url, response and response.status)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("load")
    found = page.evaluate("window.__cspViolations")
    found += [message for message in console if "Content Security Policy" in message]
    console.clear()
    return [f"{url}: {violation}" for violation in found]


def test_main_pages_of_every_role_load_without_a_policy_violation(
    page: Page, live_server: Any, totp_user_factory: Any
) -> None:
    base = live_server.url
    therapist = listed_therapist(full_name="Casey Fictional")
    pending = LicenseFactory(therapist=therapist, status="pending", state="NM", number="NM-1")
    totp_user_factory(therapist.user)
    responder = ResponderFactory(
        answers=Intake(state="CO", format_preference="telehealth").to_dict()
    )
    intro = intro_through_service(responder, therapist)
    staff = StaffFactory(email="csp-staff@example.test")
    totp_user_factory(staff)
    new_therapist = TherapistFactory(published_at=None)

    console: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        console.append(message.text)

    page.on("console", keep)
    page.add_init_script(LISTEN)

    tid = therapist.public_id
    pages_by_user: list[tuple[Any, list[str]]] = [
        (
            None,
            [
                "/",
                "/help-now/",
                "/how-we-rank/",
                "/find/",
                "/find/place/",
                "/accounts/login/",
                "/accounts/signup/",
                "/accounts/password/reset/",
            ],
        ),
        (
            responder.user,
            [
                "/me/",
                "/me/name/",
                "/find/answers/",
                "/matches/",
                f"/therapists/{tid}/",
                f"/therapists/{tid}/intro/",
                "/me/intros/",
                f"/me/intros/{intro.public_id}/",
            ],
        ),
        (
            therapist.user,
            [
                "/therapist/profile/",
                "/therapist/profile/identity/",
                "/therapist/profile/credentials/",
                "/therapist/profile/alliance/",
                "/therapist/profile/preview/",
                "/therapist/intros/",
                f"/therapist/intros/{intro.public_id}/",
                "/accounts/2fa/",
            ],
        ),
        (new_therapist.user, ["/accounts/2fa/totp/activate/"]),
        (
            staff,
            [
                "/staff/vetting/",
                f"/staff/vetting/license/{pending.pk}/",
                "/staff/audit/",
                "/staff/ranking-report/",
                "/staff/supply/",
                "/admin/",
                f"/admin/profiles/user/{therapist.user.pk}/change/",
            ],
        ),
    ]
    violations: list[str] = []
    for user, paths in pages_by_user:
        if user is not None:
            _sign_in_as(page, base, user)
        for path in paths:
            violations += _visit(page, base + path, console)
    assert violations == []


def test_the_ranked_list_still_refines_in_place_under_the_policy(
    page: Page, live_server: Any
) -> None:
    base = live_server.url
    listed_therapist(full_name="Casey Fictional")
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(LISTEN)
    page.goto(base + "/find/place/")
    page.get_by_label("State or territory you live in").select_option("CO")
    page.get_by_label("Telehealth (video or phone)").check()
    page.get_by_role("button", name="Continue").click()
    page.goto(base + "/matches/")
    expect(page.locator("#results h3").first).to_contain_text("Casey Fictional")
    page.locator("details.refine summary").click()
    with page.expect_request(lambda request: request.headers.get("hx-request") == "true"):
        page.get_by_role("button", name="Update the list").click()
    assert page.evaluate("window.__cspViolations") == []
    assert [m for m in console if "Content Security Policy" in m] == []
