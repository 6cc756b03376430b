"""On a phone: a responder reads and downloads their data, deletes the account, and the
therapist then sees only that the conversation ended. Every page is checked by axe-core."""

from __future__ import annotations

import json
from typing import Any

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from matching.intake import Intake
from matching.services.intros import intro_answer
from matching.services.threads import thread_message_send
from profiles import choices
from tests.e2e.helpers import PASSWORD
from tests.e2e.test_intro_thread_flow import PHONE, accessible
from tests.e2e.test_vetting_flow import sign_in
from tests.factories import ResponderFactory, intro_through_service, listed_therapist

FIRST_MESSAGE = "Fictional: night shifts have been rough since the fire."
REPLY_MESSAGE = "Fictional: Thursday evening works for a first call."


def test_export_then_delete_then_the_therapist_sees_the_conversation_ended(
    page: Page, live_server: Any, axe: Axe, screenshot: Any, eager_celery: Any
) -> None:
    base = live_server.url
    page.set_viewport_size(PHONE)
    therapist = listed_therapist(full_name="Sage Fictional")
    therapist.user.set_password(PASSWORD)
    therapist.user.save()
    secret = generate_totp_secret()
    TOTP.activate(therapist.user, secret)
    responder = ResponderFactory(
        pseudonym="Engine Nine Fictional",
        answers=Intake(state="CO", service=choices.Service.FIRE).to_dict(),
    )
    responder.user.set_password(PASSWORD)
    responder.user.save()
    intro = intro_through_service(responder, therapist, message=FIRST_MESSAGE)
    intro_answer(intro=intro, decision="accepted", reply="Happy to help.")
    intro.refresh_from_db()
    thread_message_send(intro=intro, sender="therapist", body=REPLY_MESSAGE)

    # The responder reads everything Rapport holds about them, on a page to print.
    sign_in(page, base, responder.user.email)
    page.goto(base + "/me/")
    page.get_by_role("link", name="See all your data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Everything Rapport holds about you")
    expect(page.get_by_text(FIRST_MESSAGE)).to_be_visible()
    expect(page.get_by_text(REPLY_MESSAGE)).to_be_visible()
    expect(page.get_by_role("heading", name="Who read your data")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    accessible(page, axe)
    screenshot("my-data")

    # ...and downloads the same as JSON.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="download it as a JSON file").click()
    data = json.loads(open(download_info.value.path(), encoding="utf-8").read())  # noqa: SIM115
    assert data["profile"]["name_shown_to_therapists"] == "Engine Nine Fictional"
    assert [m["body"] for m in data["intro_requests"][0]["messages"]] == [REPLY_MESSAGE]

    # The delete page says what goes and what stays; the password confirms it.
    page.goto(base + "/me/")
    page.get_by_role("link", name="Delete your account").click()
    expect(page.get_by_role("heading", name="What stays, as anonymous figures")).to_be_visible()
    accessible(page, axe)
    screenshot("delete")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account and everything in it are deleted.")).to_be_visible()

    # The therapist sees, where the intro was, only that the conversation ended.
    sign_in(page, base, therapist.user.email, totp_secret=secret)
    page.goto(base + "/therapist/intros/")
    link = page.get_by_role("link", name="A responder who closed their account")
    expect(link).to_be_visible()
    expect(page.get_by_text("Engine Nine Fictional")).to_have_count(0)
    accessible(page, axe)
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Conversation ended")
    expect(page.get_by_role("status")).to_contain_text("closed their Rapport account")
    for gone in (FIRST_MESSAGE, REPLY_MESSAGE, "Engine Nine Fictional"):
        expect(page.get_by_text(gone)).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    accessible(page, axe)
    screenshot("therapist-view")
