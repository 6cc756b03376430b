"""People who come back: a therapist edits a published profile, a responder changes one
answer, and the ranked list keeps its filters in step with Back and Forward."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from matching.intake import Intake
from profiles.models import License, ResponderProfile, TherapistProfile
from tests.e2e.helpers import PASSWORD
from tests.e2e.test_vetting_flow import sign_in
from tests.factories import ResponderFactory, listed_therapist


def _columns(instance: Any) -> dict[str, Any]:
    fresh = type(instance).objects.get(pk=instance.pk)
    return {f.attname: getattr(fresh, f.attname) for f in type(instance)._meta.concrete_fields}


def test_a_therapist_changes_one_field_in_every_section_and_keeps_everything_else(
    page: Page, live_server: Any, assert_accessible: Any
) -> None:
    therapist = listed_therapist(
        full_name="Morgan Fictional",
        pronouns="she/her",
        services_served={"fire", "dispatch"},
        agency_work={"contracted"},
        lived_experience={"family"},
        focus_concerns={"trauma", "sleep", "grief"},
        methods_trained={"emdr", "cbt"},
        methods_certified={"emdr"},
        formats={"in_person", "telehealth"},
        office_zip="80202",
        office_city="Denver",
        office_state="CO",
        office_latitude=39.7527,
        office_longitude=-104.9992,
        telehealth_states={"CO"},
        languages={"en", "es"},
        hours={"evenings", "weekends"},
        payment_methods={"insurance", "self_pay"},
        insurance_carriers={"aetna", "cigna"},
        fee_min_dollars=80,
        fee_max_dollars=150,
        confirmed_at=timezone.now() - dt.timedelta(days=5),
    )
    therapist.user.set_password(PASSWORD)
    therapist.user.save()
    license = License.objects.get(therapist=therapist)
    before = _columns(therapist)
    license_before = _columns(license)

    sign_in(page, live_server.url, therapist.user.email)
    editor = live_server.url + "/therapist/profile/"

    page.goto(editor + "identity/")
    page.get_by_label("Pronouns").fill("they/them")
    page.get_by_role("button", name="Save identity").click()
    expect(page.get_by_text("Identity saved.")).to_be_visible()

    page.goto(editor + "experience/")
    expect(
        page.get_by_role("group", name="Services you have worked with").get_by_label(
            "Fire", exact=True
        )
    ).to_be_checked()
    page.get_by_label("Hours of ride-alongs or station time").fill("40")
    page.get_by_role("button", name="Save responder experience").click()
    expect(page.get_by_text("Responder experience saved.")).to_be_visible()

    page.goto(editor + "clinical/")
    expect(page.get_by_label("Grief and line-of-duty loss").first).to_be_checked()
    page.get_by_label("CBT", exact=False).first.select_option("certified")
    page.get_by_role("button", name="Save clinical focus").click()
    expect(page.get_by_text("Clinical focus saved.")).to_be_visible()

    # The case that lost data: only the highest fee changes.
    page.goto(editor + "practical/")
    expect(page.get_by_label("In person", exact=True)).to_be_checked()
    page.get_by_label("Highest fee per session ($)").fill("170")
    page.get_by_role("button", name="Save practical details").click()
    expect(page.get_by_text("Practical details saved.")).to_be_visible()
    assert_accessible()

    page.goto(editor + "alliance/")
    page.get_by_label("How you show empathy").fill("I ride along twice a year. Fictional.")
    page.get_by_role("button", name="Save alliance").click()
    expect(page.get_by_text("Alliance saved.")).to_be_visible()

    # Re-opened and saved unchanged: nothing moves, and the license is not sent to review.
    page.goto(editor + f"licenses/{license.pk}/")
    page.get_by_role("button", name=re.compile("Save")).click()
    expect(page.get_by_text("The license is saved.")).to_be_visible()

    page.goto(editor)
    expect(page.locator(".status-line")).to_contain_text("Listed")

    after = _columns(therapist)
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {
        "pronouns",
        "ride_along_hours",
        "methods_certified",
        "fee_max_dollars",
        "updated_at",
    }
    assert after["methods_certified"] == frozenset({"emdr", "cbt"})
    assert after["insurance_carriers"] == frozenset({"aetna", "cigna"})
    assert _columns(license) == license_before
    assert TherapistProfile.objects.get(pk=therapist.pk).alliance_approach.empathy.startswith(
        "I ride along"
    )


def test_a_responder_changes_one_answer_from_the_answers_page(
    page: Page, live_server: Any, assert_accessible: Any
) -> None:
    answers = Intake(
        service="fire",
        state="CO",
        zip_code="80202",
        format_preference="telehealth",
        concerns=frozenset({"trauma", "sleep"}),
        languages=frozenset({"en", "es"}),
        language_required=True,
        hours=frozenset({"evenings", "weekends"}),
        payment_methods=frozenset({"eap"}),
    )
    responder = ResponderFactory(pseudonym="Engine Nine", answers=answers.to_dict())
    responder.user.set_password(PASSWORD)
    responder.user.save()
    sign_in(page, live_server.url, responder.user.email)

    page.goto(live_server.url + "/find/answers/")
    page.get_by_role("link", name="Change what you are dealing with").click()
    expect(page.get_by_label("Trauma / PTSD")).to_be_checked()
    expect(page.get_by_label("Sleep", exact=False).first).to_be_checked()
    page.get_by_label("Grief and line-of-duty loss").first.check()
    page.get_by_role("button", name="Save and go back to your answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your answers")
    assert_accessible()

    page.get_by_role("link", name="Change preferences").click()
    expect(page.get_by_label("Only show therapists who speak one of these")).to_be_checked()
    page.get_by_role("button", name="Save and go back to your answers").click()

    stored = Intake.from_dict(ResponderProfile.objects.get(pk=responder.pk).answers)
    assert stored == answers.updated(concerns=frozenset({"trauma", "sleep", "grief"}))


def test_back_and_forward_keep_the_filters_and_the_list_in_step(
    page: Page, live_server: Any
) -> None:
    office = {
        "office_zip": "80202",
        "office_city": "Denver",
        "office_latitude": 39.7508,
        "office_longitude": -104.9966,
    }
    listed_therapist(full_name="Tele Only Fictional")
    listed_therapist(full_name="Office Only Fictional", formats={"in_person"}, **office)
    listed_therapist(full_name="Both Ways Fictional", formats={"in_person", "telehealth"}, **office)
    responder = ResponderFactory(
        answers=Intake(state="CO", zip_code="80202", format_preference="either").to_dict()
    )
    responder.user.set_password(PASSWORD)
    responder.user.save()
    sign_in(page, live_server.url, responder.user.email)
    page.goto(live_server.url + "/matches/")

    results = page.locator("#results")
    heading = results.get_by_role("heading", level=2)
    either = page.get_by_label("Either is fine")
    in_person = page.get_by_label("In person", exact=True)
    telehealth = page.get_by_label("Telehealth (video or phone)")
    expect(heading).to_have_text("3 therapists match")

    page.locator("details.refine summary").click()  # Refine folds into a button
    in_person.check()
    expect(heading).to_have_text("2 therapists match")
    expect(page).to_have_url(re.compile("format=in_person"))
    telehealth.check()
    expect(page).to_have_url(re.compile("format=telehealth"))
    expect(heading).to_have_text("2 therapists match")
    expect(results.get_by_text("Office Only Fictional")).to_have_count(0)

    page.go_back()
    expect(page).to_have_url(re.compile("format=in_person"))
    expect(in_person).to_be_checked()
    expect(heading).to_have_text("2 therapists match")
    expect(results.get_by_text("Tele Only Fictional")).to_have_count(0)

    page.go_back()
    expect(either).to_be_checked()
    expect(heading).to_have_text("3 therapists match")

    page.go_forward()
    expect(page).to_have_url(re.compile("format=in_person"))
    expect(in_person).to_be_checked()
    expect(heading).to_have_text("2 therapists match")

    # The next tap after Back sends what the form shows, and only the tapped change.
    page.locator("details.refine summary").click()  # the page was loaded again: folded
    page.get_by_label("Distance for in-person meetings, in miles").fill("60")
    page.get_by_role("button", name="Update the list").click()
    expect(page).to_have_url(re.compile("miles=60"))
    assert "format=in_person" in page.url
    expect(heading).to_have_text("2 therapists match")
