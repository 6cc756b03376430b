"""Issue flows tried as a new user would: a therapist builds a profile, a responder signs up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import Page, expect

from profiles.models import TherapistProfile
from tests.e2e.helpers import (
    PASSWORD,
    confirm_email,
    current_totp_code,
    pdf_file,
    png_file,
    sign_up,
)


def test_a_therapist_signs_up_sets_up_mfa_fills_every_section_and_publishes(
    page: Page, live_server: Any, assert_accessible: Any, screenshot: Any
) -> None:
    base = live_server.url
    sign_up(page, base, role="therapist", email="jordan@example.test", name="Jordan Fictional")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    confirm_email(page, base, "jordan@example.test")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(page.get_by_text("Profile 0% complete")).to_be_visible()
    assert_accessible()

    # Two-factor authentication, with the secret read from the page as a person would type it.
    page.goto(base + "/accounts/2fa/totp/activate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    secret = page.locator(".secret").first.inner_text().replace(" ", "")
    page.get_by_label("Authenticator code").fill(current_totp_code(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_text("activated", exact=False).first).to_be_visible()

    editor = base + "/therapist/profile/"
    page.goto(editor + "identity/")
    page.get_by_label("Credentials").fill("LCSW")
    page.get_by_label("Pronouns").fill("they/them")
    page.get_by_label("Short bio").fill("I work with crews after hard calls. Fictional.")
    page.get_by_label("Photo", exact=True).set_input_files(png_file())
    page.get_by_role("button", name="Save identity").click()
    expect(page.get_by_text("Identity saved.")).to_be_visible()
    expect(page.get_by_role("img", name="Your current photo")).to_be_visible()

    page.goto(editor + "licenses/add/")
    page.get_by_label("State or territory").select_option("CO")
    page.get_by_label("License type").select_option("lcsw")
    page.get_by_label("License number").fill("CSW.0042")
    page.get_by_label("Expires on").fill((dt.date.today() + dt.timedelta(days=400)).isoformat())
    page.get_by_label("Document").set_input_files(pdf_file())
    page.get_by_role("button", name="Save the license").click()
    expect(page.get_by_text("waits for review by our staff")).to_be_visible()
    expect(page.get_by_text("Waiting for review")).to_be_visible()

    page.goto(editor + "experience/")
    page.get_by_label("Years you have served first responders").fill("9")
    page.get_by_label("Share of your current caseload who are responders (%)").fill("60")
    services = page.get_by_role("group", name="Services you have worked with")
    services.get_by_label("Fire").check()
    services.get_by_label("EMS").check()
    page.get_by_role("button", name="Save responder experience").click()
    expect(page.get_by_text("Responder experience saved.")).to_be_visible()

    page.goto(editor + "clinical/")
    focus = page.get_by_role("group", name="What you help responders with")
    focus.get_by_label("Trauma / PTSD").check()
    focus.get_by_label("Sleep").check()
    page.get_by_label("EMDR").select_option("certified")
    page.get_by_label("Cognitive behavioral therapy (CBT)").select_option("trained")
    page.get_by_role("button", name="Save clinical focus").click()
    expect(page.get_by_text("Clinical focus saved.")).to_be_visible()

    page.goto(editor + "practical/")
    page.get_by_role("group", name="How you meet clients").get_by_label("Telehealth").check()
    page.get_by_role("group", name="States you serve by telehealth").get_by_label(
        "Colorado"
    ).check()
    page.get_by_role("group", name="Languages you work in").get_by_label("English").check()
    page.get_by_role("group", name="When you see clients").get_by_label("Evenings").check()
    page.get_by_role("group", name="How clients can pay").get_by_label("Agency EAP").check()
    page.get_by_role("button", name="Save practical details").click()
    expect(page.get_by_text("Practical details saved.")).to_be_visible()
    assert_accessible()

    page.goto(editor + "capacity/")
    page.get_by_label("I am taking new clients").check()
    page.get_by_label("How many new clients you can take now").fill("3")
    page.get_by_role("button", name="Save capacity").click()
    expect(page.get_by_text("Capacity saved")).to_be_visible()

    page.goto(editor + "alliance/")
    page.get_by_label("How you build respect and trust").fill("What you say stays here.")
    page.get_by_label("How you collaborate with clients").fill("We set goals together.")
    page.get_by_label("How you show empathy").fill("I have done station time.")
    page.get_by_label("How you adapt when something is not working").fill("We change course.")
    page.get_by_label("We set goals together in the first sessions").check()
    page.get_by_role("button", name="Save alliance").click()
    expect(page.get_by_text("Alliance saved.")).to_be_visible()

    page.goto(editor)
    expect(page.get_by_text("Profile 100% complete")).to_be_visible()
    page.get_by_role("link", name="Preview as responders see it").click()
    # The license still waits for review: "LCSW" shows only as self-reported.
    expect(page.get_by_role("heading", level=1)).to_have_text("Jordan Fictional")
    expect(page.locator(".credentials")).to_have_text("As they sign: LCSW Self-reported")
    expect(page.get_by_text("We set goals together in the first sessions")).to_be_visible()
    assert_accessible()
    screenshot("preview")

    page.goto(editor)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Your profile is published.")).to_be_visible()
    page.get_by_role("button", name="Still accurate").click()
    expect(page.get_by_text("confirmed as accurate today")).to_be_visible()

    therapist = TherapistProfile.objects.get(user__email="jordan@example.test")
    assert therapist.published_at is not None
    assert therapist.methods_certified == {"emdr"}
    assert therapist.licenses.get().status == "pending"


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
