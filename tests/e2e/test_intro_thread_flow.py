"""On a phone: a request is accepted, a message goes each way, and each side sees the contact."""

from __future__ import annotations

from typing import Any

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from matching.intake import Intake
from profiles import choices
from tests.e2e.conftest import SCREENSHOT_DIR, SERIOUS_IMPACTS
from tests.e2e.helpers import PASSWORD
from tests.e2e.test_vetting_flow import sign_in
from tests.factories import ResponderFactory, listed_therapist

PHONE = {"width": 390, "height": 844}
RESPONDER_MESSAGE = "Evenings after 7 are best. Is Thursday possible?"
THERAPIST_MESSAGE = "Thursday at 7:30 pm works. I will call the number you gave."


def accessible(page: Page, axe: Axe) -> None:
    results = axe.run(page)
    serious = [v["id"] for v in results.response["violations"] if v["impact"] in SERIOUS_IMPACTS]
    assert serious == [], f"axe-core on {page.url}: {serious}"


def test_a_phone_intro_goes_from_request_to_messages_to_contact(
    page: Page,
    browser: Browser,
    live_server: Any,
    axe: Axe,
    screenshot: Any,
    eager_celery: Any,
) -> None:
    base = live_server.url
    page.set_viewport_size(PHONE)
    therapist = listed_therapist(
        full_name="Quinn Fictional",
        new_client_contact=choices.NewClientContact.PHONE,
        new_client_phone="+13035550142",
        office_state="CO",
    )
    therapist.user.set_password(PASSWORD)
    therapist.user.save()
    secret = generate_totp_secret()
    TOTP.activate(therapist.user, secret)
    responder = ResponderFactory(
        pseudonym="Medic Forty",
        answers=Intake(state="CO", service=choices.Service.EMS).to_dict(),
    )
    responder.user.set_password(PASSWORD)
    responder.user.save()

    # The responder asks.
    sign_in(page, base, responder.user.email)
    page.goto(base + f"/therapists/{therapist.public_id}/intro/")
    page.get_by_label("A short message").fill("Rough year on the ambulance.")
    page.get_by_label("By phone").check()
    page.get_by_label("Phone for the therapist").fill("(720) 555-0199")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Your request to Quinn Fictional is on its way.")).to_be_visible()

    # The therapist, on a phone of their own, lands on what waits and accepts.
    therapist_context = browser.new_context(viewport=PHONE)
    desk = therapist_context.new_page()
    sign_in(desk, base, therapist.user.email, totp_secret=secret)
    expect(desk.get_by_role("heading", name="Requests waiting for your answer")).to_be_visible()
    expect(desk.get_by_text("left", exact=False).first).to_be_visible()
    accessible(desk, axe)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    desk.screenshot(path=str(SCREENSHOT_DIR / "therapist-home-phone.png"), full_page=True)
    desk.get_by_role("link", name="From Medic Forty").click()
    expect(desk.get_by_text("EMS", exact=True)).to_be_visible()
    expect(desk.get_by_text("Shown once you accept.")).to_be_visible()
    desk.get_by_label("Accept").check()
    desk.get_by_label("Your next step, or a colleague to suggest").fill("I will call this week.")
    desk.get_by_role("button", name="Send the answer").click()
    expect(desk.get_by_text("Your answer is sent.")).to_be_visible()

    # The responder sees how to reach the therapist, and writes.
    page.goto(base + "/me/intros/")
    page.get_by_role("link", name="Quinn Fictional").click()
    expect(page.get_by_role("link", name="+13035550142")).to_be_visible()
    page.get_by_label("Your message").fill(RESPONDER_MESSAGE)
    page.get_by_role("button", name="Send the message").click()
    expect(page.get_by_text("Your message is sent.")).to_be_visible()

    # The therapist reads it, sees the responder's number now, and answers.
    desk.get_by_role("link", name="Intro requests").click()
    desk.get_by_role("link", name="From Medic Forty").click()
    expect(desk.get_by_text(RESPONDER_MESSAGE)).to_be_visible()
    expect(desk.get_by_role("link", name="+17205550199")).to_be_visible()
    desk.get_by_label("Your message").fill(THERAPIST_MESSAGE)
    desk.get_by_role("button", name="Send the message").click()
    expect(desk.get_by_text("Your message is sent.")).to_be_visible()
    accessible(desk, axe)
    desk.screenshot(path=str(SCREENSHOT_DIR / "thread-therapist-phone.png"), full_page=True)

    # The responder sees the answer; the thread at phone size is kept as a screenshot.
    page.reload()
    expect(page.get_by_text(THERAPIST_MESSAGE)).to_be_visible()
    expect(page.get_by_text("4 of 5 messages left for you.")).to_be_visible()
    accessible(page, axe)
    screenshot("thread")
    page.get_by_role("button", name="First session arranged").click()
    expect(
        page.get_by_text("The first session is arranged, so this conversation is closed.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="+13035550142")).to_be_visible()
    therapist_context.close()

    # Emails: a request, an answer, one per message; none holds what anyone wrote.
    message_emails = [m for m in mail.outbox if "message is waiting" in m.subject]
    assert len(message_emails) == 2
    assert {m.to[0] for m in message_emails} == {therapist.user.email, responder.user.email}
    for message in mail.outbox:
        everything = message.subject + message.body + message.alternatives[0][0]
        for secret_text in ("Thursday", "Evenings", "ambulance", "7:30", "0199", "0142"):
            assert secret_text not in everything
        assert "Medic Forty" not in everything and "Quinn" not in everything
        assert "therapist" not in message.subject.lower() or message.to == [therapist.user.email]
