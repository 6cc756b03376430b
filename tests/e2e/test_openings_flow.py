"""On a phone: a responder meets a therapist who just filled up and is offered the next match
without losing what they wrote; a therapist reopens from the email's link; staff read supply
against demand."""

from __future__ import annotations

from typing import Any

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse
from playwright.sync_api import Page, expect

from matching.intake import Intake
from matching.models import IntroRequest
from profiles.models import TherapistProfile
from profiles.services.openings import reopen_token
from tests.e2e.helpers import PASSWORD
from tests.e2e.test_vetting_flow import sign_in
from tests.factories import ResponderFactory, StaffFactory, intro_through_service, listed_therapist

PHONE = {"width": 390, "height": 844}
MESSAGE = "Fictional: rough month on the engine. Evenings after shift work best."


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px phone"


def test_a_responder_meets_a_full_therapist_and_sends_to_the_next_match_with_nothing_lost(
    page: Page, live_server: Any, assert_accessible: Any, screenshot: Any, settings: Any
) -> None:
    settings.PENDING_REQUESTS_PER_OPENING = 2
    page.set_viewport_size(PHONE)
    first = listed_therapist(
        full_name="Avery Lastplace",
        open_slots=1,
        years_serving_responders=20,
        responder_caseload_percent=80,
        services_served=frozenset({"fire"}),
    )
    listed_therapist(full_name="Blake Nextmatch", years_serving_responders=2)
    intro_through_service(ResponderFactory(), first)  # one of two places taken already
    responder = ResponderFactory(answers=Intake(state="CO", service="fire").to_dict())
    responder.user.set_password(PASSWORD)
    responder.user.save()

    sign_in(page, live_server.url, responder.user.email)
    page.goto(live_server.url + "/matches/")
    first_card = page.locator("#results .result").first
    expect(first_card).to_contain_text("Avery Lastplace")
    expect(first_card).to_contain_text("Few openings")
    expect(page.locator("#results .result").nth(1)).to_contain_text("Has room for new clients")
    page.get_by_role("link", name="Ask for an introduction to Avery Lastplace").click()
    page.get_by_label("A short message").fill(MESSAGE)
    page.get_by_role("group", name="When can they reach you?").get_by_label("Evenings").check()

    # While they write, another responder takes the last place.
    intro_through_service(ResponderFactory(), first)
    page.get_by_role("button", name="Send the request").click()

    expect(page.get_by_role("alert")).to_contain_text("not taking new ones")
    expect(page.get_by_label("A short message")).to_have_value(MESSAGE)
    evenings = page.get_by_role("group", name="When can they reach you?").get_by_label("Evenings")
    expect(evenings).to_be_checked()
    send_next = page.get_by_role("button", name="Send to Blake Nextmatch")
    expect(send_next).to_be_visible()
    expect(page.get_by_role("button", name="Send the request")).to_have_count(0)
    no_sideways_scroll(page)
    assert_accessible()
    screenshot("offered-the-next-match")

    send_next.click()
    expect(page.get_by_text("Your request to Blake Nextmatch is on its way.")).to_be_visible()
    intro = IntroRequest.objects.get(responder=responder)
    assert intro.therapist.full_name == "Blake Nextmatch"
    assert intro.message == MESSAGE
    assert intro.contact_hours == frozenset({"evenings"})
    assert not IntroRequest.objects.filter(responder=responder, therapist=first).exists()


def test_a_therapist_reopens_from_the_emails_link_on_a_phone(
    page: Page, live_server: Any, assert_accessible: Any
) -> None:
    page.set_viewport_size(PHONE)
    therapist = listed_therapist(full_name="Casey Reopens", open_slots=1)
    from matching.services.intros import intro_answer

    intro = intro_through_service(ResponderFactory(), therapist)
    intro_answer(intro=intro, decision="accepted", reply="Fictional: Monday at six.")
    therapist = TherapistProfile.objects.get(pk=therapist.pk)
    link = reverse("profiles:openings_reopen_link", args=[reopen_token(therapist=therapist)])

    page.goto(live_server.url + link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Reopen to new requests")
    assert_accessible()
    page.get_by_label("How many new clients can you take now?").fill("2")
    page.get_by_role("button", name="Reopen to new requests").click()
    expect(page.get_by_text("You are taking new requests again, with 2 openings.")).to_be_visible()
    assert TherapistProfile.objects.get(pk=therapist.pk).open_slots == 2


def test_staff_read_supply_and_demand_on_a_phone(
    page: Page, live_server: Any, assert_accessible: Any, screenshot: Any
) -> None:
    page.set_viewport_size(PHONE)
    listed_therapist(full_name="Dana Supply", open_slots=2)
    staff = StaffFactory(email="supply-staff@example.test")
    staff.set_password(PASSWORD)
    staff.save()
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)

    sign_in(page, live_server.url, staff.email, totp_secret=secret)
    page.goto(live_server.url + reverse("matching:supply_demand"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Supply and demand")
    expect(page.get_by_role("heading", name="Colorado", exact=True)).to_be_visible()
    table = page.get_by_role("region", name="Colorado by service")
    table.focus()  # the wide table scrolls by keyboard within its region
    page.keyboard.press("ArrowRight")
    no_sideways_scroll(page)
    assert_accessible()
    screenshot("supply")
