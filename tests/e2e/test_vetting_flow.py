"""A license goes from upload to a verified listing; a rejected one never shows; both audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import Page, expect

from tests.e2e.helpers import PASSWORD, current_totp_code, pdf_file
from tests.factories import AllianceApproachFactory, LicenseFactory, StaffFactory, TherapistFactory

TOTP_ATTEMPTS = 3


def sign_in(page: Page, base: str, email: str, *, totp_secret: str = "") -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if totp_secret:
        code = page.get_by_label("Code")
        for _ in range(TOTP_ATTEMPTS):
            # The code is computed only once its field is there: on a busy machine the
            # 30-second period can turn between an early computation and the server's check,
            # and then the next period's code is asked for.
            expect(code).to_be_visible()
            code.fill(current_totp_code(totp_secret))
            with page.expect_navigation():
                page.get_by_role("button", name="Sign in").click()
            if not code.count():
                return


def sign_out(page: Page) -> None:
    from tests.e2e.phone import open_menu

    open_menu(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def answers_for(page: Page, base: str, state: str) -> list[str]:
    page.context.clear_cookies()
    page.goto(base + "/find/place/")
    page.get_by_label("State or territory you live in").select_option(state)
    page.get_by_label("Telehealth (video or phone)").check()
    page.get_by_role("button", name="Continue").click()
    page.goto(base + "/matches/")
    return [name.split(",")[0] for name in page.locator("#results h3").all_inner_texts()]


def test_a_license_is_uploaded_approved_listed_in_its_state_only_and_audited(
    page: Page, live_server: Any, assert_accessible: Any
) -> None:
    base = live_server.url
    accepted = TherapistFactory(full_name="Morgan Approved", telehealth_states={"CO", "NM"})
    accepted.user.set_password(PASSWORD)
    accepted.user.save()
    AllianceApproachFactory(therapist=accepted)
    refused = TherapistFactory(full_name="Riley Refused", telehealth_states={"CO"})
    LicenseFactory(therapist=refused, status="pending", number="FAKE-1")
    staff = StaffFactory(email="staff@example.test")
    staff.set_password(PASSWORD)
    staff.save()
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)

    # The therapist uploads a license.
    sign_in(page, base, accepted.user.email)
    page.goto(base + "/therapist/profile/licenses/add/")
    page.get_by_label("State or territory").select_option("CO")
    page.get_by_label("License type").select_option("lpc")
    page.get_by_label("License number").fill("LPC.0007")
    page.get_by_label("Expires on").fill((dt.date.today() + dt.timedelta(days=500)).isoformat())
    page.get_by_label("Document").set_input_files(pdf_file())
    page.get_by_role("button", name="Save the license").click()
    expect(page.get_by_text("Waiting for review")).to_be_visible()
    sign_out(page)
    assert "Morgan Approved" not in answers_for(page, base, "CO")

    # Staff, with two-factor, approve one and reject the other.
    sign_in(page, base, "staff@example.test", totp_secret=secret)
    expect(page.get_by_role("heading", level=1)).to_have_text("Vetting queue")
    assert_accessible()
    page.get_by_role("link", name="Review the license of Morgan Approved").click()
    expect(page.get_by_text("LPC.0007")).to_be_visible()
    assert_accessible()
    page.get_by_label("Verify").check()
    page.get_by_label("Where you checked it").fill("https://board.example/lookup?lpc=0007")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.get_by_text("Decision saved for Morgan Approved.")).to_be_visible()

    page.get_by_role("link", name="Review the license of Riley Refused").click()
    page.get_by_label("Reject").check()
    page.get_by_role("button", name="Save the decision").click()
    expect(page.get_by_text("Give the therapist a reason for the rejection.")).to_be_visible()
    page.get_by_label("Reason, shown to the therapist").fill("The number is not on the board.")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.get_by_text("Nothing is waiting for review.")).to_be_visible()

    page.get_by_role("link", name="Audit trail").click()
    # Two decisions, and each time a review page drew its evidence, a document view.
    decisions = page.locator("tbody tr").filter(has_not_text="Viewed a document")
    expect(decisions).to_have_count(2)
    expect(decisions.nth(0)).to_contain_text("Rejected")
    expect(decisions.nth(0)).to_contain_text("The number is not on the board.")
    expect(decisions.nth(1)).to_contain_text("Verified")
    expect(decisions.nth(1)).to_contain_text("pending → verified")
    expect(page.locator("tbody tr").filter(has_text="Viewed a document")).not_to_have_count(0)
    assert_accessible()
    sign_out(page)

    # Listed in Colorado, where the license is, and not in New Mexico; the rejected never.
    colorado = answers_for(page, base, "CO")
    assert "Morgan Approved" in colorado and "Riley Refused" not in colorado
    assert "Morgan Approved" not in answers_for(page, base, "NM")
