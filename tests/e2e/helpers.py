"""Steps the browser tests share: reading emails, two-factor codes, files to upload."""

from __future__ import annotations

import re

from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from playwright.sync_api import Page

from tests.factories import image_bytes, pdf_bytes

PASSWORD = "a-long-fictional-passphrase"


def confirmation_link(address: str) -> str:
    """The email-confirmation path from the last email sent to an address."""
    for message in reversed(mail.outbox):
        if address in message.to:
            found = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", message.body)
            if found:
                return found.group(1)
    raise AssertionError(f"no confirmation email to {address}")


def current_totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def sign_up(page: Page, base_url: str, *, role: str, email: str, name: str) -> None:
    page.goto(base_url + "/accounts/signup/")
    if role == "therapist":
        page.get_by_label("A licensed therapist").check()
        page.get_by_label("Your name, as on your license").fill(name)
    else:
        page.get_by_label("A first responder looking for a therapist").check()
        page.get_by_label("Name to show therapists").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()


def confirm_email(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + confirmation_link(email))
    page.get_by_role("button", name="Confirm").click()


def pdf_file(name: str = "license.pdf") -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes()}


def png_file(name: str = "photo.png") -> dict:
    return {"name": name, "mimeType": "image/png", "buffer": image_bytes("PNG", (400, 300))}


def turn_on_two_factor(page: Page, attempts: int = 3) -> None:
    """On the set-up page, type the app's code as a person would, again with a fresh code if
    the server refused it (on a busy machine the 30-second period can turn meanwhile)."""
    heading = page.get_by_role("heading", level=1)
    for _ in range(attempts):
        secret = page.locator("#authenticator-secret").inner_text().replace(" ", "")
        page.get_by_label("Authenticator code").fill(current_totp_code(secret))
        with page.expect_navigation():
            page.get_by_role("button", name="Turn on two-factor authentication").click()
        if heading.inner_text() != "Set up an authenticator app":
            return
    raise AssertionError("the set-up refused every code: " + page.locator("main").inner_text())
