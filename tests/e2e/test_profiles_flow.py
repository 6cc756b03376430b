"""Issue flows tried as a new user would: a therapist builds a profile, a responder signs up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from playwright.sync_api import Page, expect

from profiles.models import TherapistProfile
from profiles.services.vetting import record_version, vetting_decide
from tests.e2e.helpers import (
    PASSWORD,
    confirm_email,
    pdf_file,
    png_file,
    sign_up,
    turn_on_two_factor,
)
from tests.factories import StaffFactory


@pytest.mark.slow
def test_a_therapist_goes_from_the_home_page_to_listed_without_a_dead_end(
    page: Page, live_server: Any, assert_accessible: Any, screenshot: Any, eager_celery: Any
) -> None:
    """Issue 23 on a laptop: the home page to the page for therapists in one tap, sign-up with
    the role chosen, every section, Publish through two-factor set-up and done, vetting, then
    listed; the card names each credential once; a rename asks first, then says why the
    profile is off the list, by page and by email."""
    base = live_server.url
    visited: list[str] = []
    page.on(
        "framenavigated",
        lambda frame: visited.append(frame.url) if frame == page.main_frame else None,
    )
    page.goto(base + "/")
    page.get_by_role("link", name="What Rapport asks of therapists, and how vetting works").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("For therapists")
    expect(page.get_by_text("Rapport charges therapists no fee")).to_be_visible()
    expect(page.get_by_text("Not enough decisions yet to say")).to_be_visible()
    assert_accessible()
    page.get_by_role("link", name="Create your therapist account").first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Create your therapist account")
    expect(page.get_by_label("Name to show therapists")).to_have_count(0)
    assert_accessible()
    page.get_by_label("Your name, as on your license").fill("Jordan Fictional, LCSW")
    page.get_by_label("Email").fill("jordan@example.test")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#id_full_name_error")).to_contain_text("Enter your name without “LCSW”")
    page.get_by_label("Your name, as on your license").fill("Jordan Fictional")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    confirm_email(page, base, "jordan@example.test")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(page.get_by_text("Profile 0% complete")).to_be_visible()
    expect(page.get_by_text("Your profile is empty. Responders cannot see it yet.")).to_be_visible()
    expect(page.get_by_role("button", name="Still accurate")).to_have_count(0)
    assert_accessible()

    # Each section, from the one next step the overview names.
    page.get_by_role("link", name="Start with identity: a short bio").click()
    expect(page.get_by_label("Your name, as on your license")).to_have_value("Jordan Fictional")
    page.get_by_label("Other credentials you sign with (optional)").fill("LCSW, CCTP")
    page.get_by_label("Pronouns").fill("they/them")
    page.get_by_label("Short bio").fill("I work with crews after hard calls. Fictional.")
    page.get_by_label("Photo", exact=True).set_input_files(png_file())
    page.get_by_role("button", name="Save identity").click()
    expect(page.get_by_text("Identity saved.")).to_be_visible()

    editor = base + "/therapist/profile/"
    page.goto(editor + "licenses/add/")
    expect(page.get_by_text("Why we ask: our staff compare it")).to_be_visible()
    page.get_by_label("State or territory").select_option("CO")
    page.get_by_label("License type").select_option("lcsw")
    page.get_by_label("License number").fill("CSW.0042")
    page.get_by_label("Expires on").fill((dt.date.today() + dt.timedelta(days=400)).isoformat())
    page.get_by_label("Document").set_input_files(pdf_file())
    page.get_by_role("button", name="Save the license").click()
    expect(page.get_by_text("waits for review by our staff")).to_be_visible()

    page.goto(editor + "experience/")
    page.get_by_label("Years you have served first responders").fill("9")
    page.get_by_label("Share of your current caseload who are responders (%)").fill("60")
    services = page.get_by_role("group", name="Services you have worked with")
    services.get_by_label("Fire").check()
    services.get_by_label("EMS").check()
    page.get_by_role("button", name="Save responder experience").click()
    expect(page.get_by_text("Responder experience saved.")).to_be_visible()

    page.goto(editor + "clinical/")
    expect(page.get_by_text("Trained: you completed training in the method")).to_be_visible()
    focus = page.get_by_role("group", name="What you help responders with")
    focus.get_by_label("Trauma / PTSD").check()
    focus.get_by_label("Sleep").check()
    page.get_by_label("EMDR").select_option("certified")
    page.get_by_label("Cognitive behavioral therapy (CBT)").select_option("trained")
    page.get_by_role("button", name="Save clinical focus").click()
    expect(page.get_by_text("Clinical focus saved.")).to_be_visible()

    page.goto(editor + "practical/")
    states = page.get_by_role("group", name="States you serve by telehealth")
    expect(states).to_be_hidden()  # asked once telehealth is chosen
    page.get_by_role("group", name="How you meet clients").get_by_label("Telehealth").check()
    expect(states.get_by_label("Colorado")).to_be_checked()  # from the license
    expect(page.get_by_text("Why we ask: some responders")).to_be_visible()
    page.get_by_role("group", name="Languages you work in").get_by_label("English").check()
    page.get_by_role("group", name="When you see clients").get_by_label("Evenings").check()
    page.get_by_role("group", name="How clients can pay").get_by_label("Agency EAP").check()
    practical_height = page.evaluate("document.documentElement.scrollHeight")
    screenshot("practical")
    page.get_by_role("button", name="Save practical details").click()
    expect(page.get_by_text("Practical details saved.")).to_be_visible()
    assert_accessible()

    page.goto(editor + "capacity/")
    page.get_by_label("I am taking new clients").check()
    page.get_by_label("How many new clients you can take now").fill("3")
    page.get_by_role("button", name="Save capacity").click()
    expect(page.get_by_text("Capacity saved")).to_be_visible()

    page.goto(editor + "alliance/")
    expect(
        page.get_by_text("pick where you usually work, and tick every other point")
    ).to_be_visible()
    page.get_by_label("How you build respect and trust").fill("What you say stays here.")
    page.get_by_label("How you collaborate with clients").fill("We set goals together.")
    page.get_by_label("How you show empathy").fill("I have done station time.")
    page.get_by_label("How you adapt when something is not working").fill("We change course.")
    page.get_by_label("We set goals together in the first sessions").check()
    pace = page.get_by_role("group", name="Pace")
    pace.get_by_label("Usually: 3: A steady pace").check()
    pace.get_by_label("Can work here: 2: Soon at the hard things").check()
    pace.get_by_label("Can work here: 4: Slowly at first").check()
    assert_accessible()
    screenshot("alliance")
    page.get_by_role("button", name="Save alliance").click()
    expect(page.get_by_text("Alliance saved.")).to_be_visible()

    # Publish without two-factor: set it up, come back to Publish, press it.
    page.goto(editor)
    expect(page.get_by_text("Profile 100% complete")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    # Signed in by the emailed link, not a password: set-up asks for it once.
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    turn_on_two_factor(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
    assert_accessible()
    page.get_by_role("button", name="I have saved them: publish my profile").click()
    expect(page.get_by_text("Your profile is published.")).to_be_visible()
    expect(
        page.get_by_text("Our staff are reviewing your license (LCSW, Colorado)")
    ).to_be_visible()
    assert_accessible()

    # Staff verify the license; the therapist is listed, and the card says each credential once.
    therapist = TherapistProfile.objects.get(user__email="jordan@example.test")
    license = therapist.licenses.get()
    staff = StaffFactory(email="vetting-fictional@example.test")
    vetting_decide(
        kind="license",
        record_id=license.pk,
        staff=staff,
        decision="verified",
        reason="",
        board_lookup_url="https://board.example.test/lookup",
        version=record_version(license),
    )
    page.goto(base + "/therapist/")
    expect(page.get_by_text("Listed: responders can find you in Colorado.")).to_be_visible()
    screens = _screens(visited)
    assert_accessible()

    responder = Client()
    responder.post(
        "/find/place/",
        {"state": "CO", "zip_code": "", "format_preference": "telehealth", "travel_miles": "25"},
    )
    card = responder.get("/matches/").content.decode()
    card = card[card.index("Jordan Fictional") :]
    card = card[: card.index("</article>")]
    assert "Jordan Fictional</a>, LCSW</h3>" in card
    assert "Also signs as CCTP" in card and "LCSW, CCTP" not in card and "LCSW, LCSW" not in card

    # A rename asks first, then says plainly that the profile is off the list and why.
    page.goto(editor + "identity/")
    page.get_by_label("Your name, as on your license").fill("Jordan Renamed")
    page.get_by_label("Short bio").fill("A new bio, typed before the question. Fictional.")
    page.get_by_role("button", name="Save identity").click()
    question = page.locator("#confirm-review")
    expect(question).to_be_focused()
    expect(question).to_contain_text("Before you save: your license will be checked again")
    expect(question).to_contain_text("Until it is verified again, your profile is not listed")
    expect(page.get_by_label("Short bio")).to_have_value(
        "A new bio, typed before the question. Fictional."
    )
    assert TherapistProfile.objects.get(pk=therapist.pk).full_name == "Jordan Fictional"
    assert_accessible()
    page.get_by_role("button", name="Save and send for review").click()
    expect(page.get_by_text("so your license went back to review")).to_be_visible()
    expect(page.locator(".editor-nav__status")).to_contain_text(
        "Your license is back in review because you changed your name."
    )
    page.goto(editor)
    expect(page.get_by_text("Your license (LCSW, Colorado) went back to review")).to_be_visible()
    screenshot("renamed")
    notices = [m for m in mail.outbox if "check your license again" in m.subject]
    assert len(notices) == 1 and "You changed your name" in notices[0].body
    assert "Jordan" not in notices[0].body and "CSW.0042" not in notices[0].body
    print(f"\nsign-up to listed: {len(screens)} screens: {screens}")
    print(f"practical section: {practical_height} px tall on a laptop")


def _screens(urls: list[str]) -> list[str]:
    """The pages a journey showed, in order, each path once in a row (a redirect lands once)."""
    paths = []
    for url in urls:
        path = url.split("://", 1)[-1].split("/", 1)[-1].split("#")[0]
        path = "/" + path
        if not paths or paths[-1] != path:
            paths.append(path)
    return paths


def test_a_responder_answers_anonymously_signs_up_and_finds_the_answers(
    page: Page, live_server: Any, assert_accessible: Any
) -> None:
    base = live_server.url
    page.goto(base + "/find/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work")
    assert_accessible()
    page.get_by_label("Fire", exact=True).check()
    page.get_by_role("button", name="Continue").click()

    page.get_by_label("State or territory you live in").select_option("CO")
    page.get_by_label("ZIP code").fill("80202")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("What you are dealing with")
    page.get_by_label("Trauma / PTSD").check()
    page.get_by_role("button", name="Continue").click()
    for _ in range(4):  # preferences, style, schedule, priorities
        page.get_by_role("button", name="Skip this step").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your answers")
    page.get_by_role("link", name="Create an account").click()
    sign_up(page, base, role="responder", email="medic@example.test", name="Medic 51")
    confirm_email(page, base, "medic@example.test")

    page.goto(base + "/me/")
    expect(page.get_by_text("Medic 51")).to_be_visible()
    expect(page.get_by_text("Trauma / PTSD")).to_be_visible()
    expect(page.get_by_text("Colorado")).to_be_visible()
    assert_accessible()
