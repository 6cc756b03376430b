"""A responder reaches out; the therapist reads and accepts; the responder sees the answer."""

from __future__ import annotations

from typing import Any

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from playwright.sync_api import Page, expect

from matching.intake import Intake
from tests.e2e.helpers import PASSWORD
from tests.e2e.test_vetting_flow import sign_in, sign_out
from tests.factories import ResponderFactory, listed_therapist


def test_a_request_is_sent_read_accepted_and_the_answer_seen(
    page: Page, live_server: Any, assert_accessible: Any
) -> None:
    base = live_server.url
    therapist = listed_therapist(full_name="Quinn Fictional")
    therapist.user.set_password(PASSWORD)
    therapist.user.save()
    secret = generate_totp_secret()
    TOTP.activate(therapist.user, secret)
    responder = ResponderFactory(pseudonym="Medic Forty", answers=Intake(state="CO").to_dict())
    responder.user.set_password(PASSWORD)
    responder.user.save()

    sign_in(page, base, responder.user.email)
    page.goto(base + "/matches/")
    page.get_by_role("link", name="Ask for an introduction to Quinn Fictional").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ask Quinn Fictional for an introduction"
    )
    assert_accessible()
    page.get_by_label("A short message").fill("Rough year on the ambulance. Evenings work best.")
    page.get_by_label("By phone").check()
    page.get_by_label("Phone for the therapist").fill("(720) 555-0199")
    page.get_by_role("group", name="When can they reach you?").get_by_label("Evenings").check()
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Your request to Quinn Fictional is on its way.")).to_be_visible()
    expect(page.get_by_text("Waiting for an answer")).to_be_visible()
    sign_out(page)

    sign_in(page, base, therapist.user.email, totp_secret=secret)
    page.get_by_role("link", name="Intro requests").click()
    page.get_by_role("link", name="From Medic Forty").click()
    expect(page.get_by_text("Rough year on the ambulance. Evenings work best.")).to_be_visible()
    # The responder's number is shown once the request is accepted.
    expect(page.get_by_text("Shown once you accept.")).to_be_visible()
    assert_accessible()
    page.get_by_label("Accept").check()
    page.get_by_label("Your next step, or a colleague to suggest").fill(
        "I will call Thursday between 6 and 7 pm."
    )
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_text("Your answer is sent.")).to_be_visible()
    sign_out(page)

    sign_in(page, base, responder.user.email)
    page.get_by_role("link", name="Your requests").click()
    expect(page.get_by_text("Accepted")).to_be_visible()
    page.get_by_role("link", name="Quinn Fictional").click()
    expect(page.get_by_text("I will call Thursday between 6 and 7 pm.")).to_be_visible()
    assert_accessible()
    for message in mail.outbox:
        assert "ambulance" not in message.body and "Thursday" not in message.body
