"""After an accepted intro: the check-in link, a weak check-in's re-match, and sharing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from alliance.models import CheckIn
from alliance.services.checkins import checkins_email_due
from matching.intake import Intake
from matching.services import intros
from profiles.models import ResponderProfile, TherapistProfile
from tests.e2e.helpers import PASSWORD
from tests.e2e.test_vetting_flow import sign_in, sign_out
from tests.factories import ResponderFactory, intro_through_service, listed_therapist

STRONG = {
    "I can tell them hard things": "9",
    "We decide together": "8",
    "They get what my job": "9",
    "When something does not work": "8",
    "The way we work fits me": "9",
}


def responder_named(pseudonym: str) -> ResponderProfile:
    responder = ResponderFactory(
        pseudonym=pseudonym, answers=Intake(state="CO", service="ems").to_dict()
    )
    responder.user.set_password(PASSWORD)
    responder.user.save()
    return responder


def accepted_and_due(responder: ResponderProfile, therapist: TherapistProfile) -> str:
    """Accept an intro, let two weeks pass for its check-in, and email it: the link's path."""
    intro = intro_through_service(responder, therapist)
    intros.intro_answer(intro=intro, decision="accepted", reply="Monday at six works.")
    CheckIn.objects.filter(plan__intro_id=intro.pk).update(
        due_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert checkins_email_due() == 1
    message = mail.outbox[-1]
    assert message.subject == "A quick question from Rapport"
    return re.search(r"https?://[^/\s]+(/check-in/\S+/)", message.body).group(1)


def scale_option(page: Page, question: str, value: str) -> Locator:
    """One number of a 0 to 10 scale: a radio named "7", or "0, Not at all" at an end."""
    group = page.get_by_role("group", name=question)
    return group.get_by_role("radio", name=re.compile(rf"^{re.escape(value)}(,|$)"))


def fill_check_in(page: Page, answers: dict[str, str], *, share: bool = False) -> None:
    page.get_by_role("group", name="Have you met them yet?").get_by_label("Yes").check()
    for label, value in answers.items():
        scale_option(page, label, value).check()
    page.get_by_role("group", name="Are you still seeing them?").get_by_label("Yes").check()
    page.get_by_label("A note for yourself (optional)").fill("Fictional: felt heard today.")
    if share:
        page.get_by_label("Share these answers with my therapist (not my note)").check()
    page.get_by_role("button", name="Send my answers").click()


def test_the_emailed_check_in_opens_is_answered_and_cannot_be_answered_twice(
    page: Page, live_server: Any, assert_accessible: Any
) -> None:
    base = live_server.url
    therapist = listed_therapist(full_name="Rowan Fictional")
    responder = responder_named("Medic Fifty")
    link = accepted_and_due(responder, therapist)
    assert "Rowan" not in mail.outbox[-1].body

    page.goto(base + link)
    page.get_by_label("Email").fill(responder.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "How is it going with Rowan Fictional?"
    )
    assert_accessible()
    fill_check_in(page, STRONG)
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert_accessible()

    page.goto(base + link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    expect(page.get_by_text("Nothing was recorded.")).to_be_visible()
    assert_accessible()
    answered = CheckIn.objects.get(number=1)
    assert answered.status == CheckIn.Status.ANSWERED and answered.empathy == 9
    for message in mail.outbox:
        assert "felt heard" not in message.body


def test_a_weak_check_in_offers_other_matches_without_that_therapist(
    page: Page, live_server: Any, assert_accessible: Any
) -> None:
    base = live_server.url
    therapist = listed_therapist(full_name="Sage Fictional")
    listed_therapist(full_name="Toni Fictional")
    responder = responder_named("Medic Fifty-One")
    link = accepted_and_due(responder, therapist)

    sign_in(page, base, responder.user.email)
    page.goto(base + "/me/")
    page.get_by_role("link", name="How is it going with Sage Fictional?").click()
    fill_check_in(page, {**STRONG, "They get what my job": "3"})
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for saying so")
    expect(page.get_by_text("That is common")).to_be_visible()
    assert_accessible()
    page.get_by_role("link", name="See other matches").click()
    expect(page.get_by_text("leaving out Sage Fictional")).to_be_visible()
    expect(page.get_by_role("link", name="Toni Fictional", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Sage Fictional", exact=True)).to_have_count(0)
    expect(
        page.get_by_role("link", name="Ask for an introduction to Sage Fictional")
    ).to_have_count(0)
    assert_accessible()
    assert link  # the emailed link was not needed: the responder's page lists it too


def test_a_shared_check_in_reaches_the_therapist_and_an_unshared_one_does_not(
    page: Page, live_server: Any, assert_accessible: Any
) -> None:
    base = live_server.url
    therapist = listed_therapist(full_name="Wren Fictional")
    therapist.user.set_password(PASSWORD)
    therapist.user.save()
    secret = generate_totp_secret()
    TOTP.activate(therapist.user, secret)
    sharing = responder_named("Medic Sharing")
    private = responder_named("Engine Private")
    for responder, share in ((sharing, True), (private, False)):
        link = accepted_and_due(responder, therapist)
        sign_in(page, base, responder.user.email)
        page.goto(base + link)
        fill_check_in(page, STRONG, share=share)
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
        sign_out(page)

    sign_in(page, base, therapist.user.email, totp_secret=secret)
    page.get_by_role("link", name="Check-ins").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your alliance, as responders see it")
    shared = page.get_by_role("region", name="Check-ins shared with you")
    expect(shared.get_by_text("Medic Sharing")).to_be_visible()
    expect(page.get_by_text("Engine Private")).to_have_count(0)
    expect(page.get_by_text("felt heard")).to_have_count(0)
    expect(page.get_by_text("Not measured yet: not enough check-ins.")).to_be_visible()
    assert_accessible()


def test_on_a_phone_the_optional_questions_are_taps_and_one_can_be_taken_back(
    page: Page, live_server: Any, assert_accessible: Any
) -> None:
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    therapist = listed_therapist(full_name="Quinn Fictional")
    responder = responder_named("Medic Wellbeing")
    link = accepted_and_due(responder, therapist)
    sign_in(page, base, responder.user.email)
    page.goto(base + link)
    group = page.get_by_role("group", name="How are things going for you? (optional)")
    expect(group).to_be_visible()
    scale_option(page, "How are things going at work?", "7").check()
    sleep = page.get_by_role("group", name="How well are you sleeping?")
    scale_option(page, "How well are you sleeping?", "6").check()
    sleep.get_by_role("radio", name="No answer").check()  # taken back
    page.get_by_role("group", name="Have you met them yet?").get_by_label("Yes").check()
    page.get_by_role("button", name="Send my answers").click()

    # Nothing else was answered: each missing item says so next to it, and the taps stay.
    expect(page.locator("#id_empathy_error")).to_have_text("Error: Choose a number from 0 to 10.")
    expect(scale_option(page, "How are things going at work?", "7")).to_be_checked()
    assert CheckIn.objects.get(number=1).status == CheckIn.Status.DUE
    assert_accessible()

    fill_check_in(page, STRONG)
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    answered = CheckIn.objects.get(number=1)
    assert (answered.wellbeing_work, answered.wellbeing_sleep) == (7, None)
