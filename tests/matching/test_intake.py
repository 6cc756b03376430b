"""The intake: a few skippable steps, kept encrypted, carried into the profile at sign-up."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from matching.intake import Intake
from profiles.models import ResponderProfile
from profiles.services.accounts import answers_from_session
from tests.factories import PASSWORD, ResponderFactory, TherapistFactory

pytestmark = pytest.mark.django_db


def step(name: str) -> str:
    return reverse("matching:intake_step", args=[name])


def answer_place(client: Client, **overrides: str):
    data = {"state": "CO", "zip_code": "80202", "format_preference": "either", "travel_miles": "30"}
    data.update(overrides)
    return client.post(step("place"), data)


def stored_intake(client: Client) -> Intake:
    return Intake.from_dict(answers_from_session(session=client.session))


def test_each_step_leads_to_the_next_and_keeps_the_answers(client: Client) -> None:
    response = client.post(step("work"), {"service": "fire", "service_status": "active"})
    assert response["Location"] == step("place")
    assert answer_place(client)["Location"] == step("concerns")
    client.post(step("concerns"), {"concerns": ["trauma", "sleep"]})
    client.post(step("preferences"), {"methods_wanted": ["emdr"], "therapist_gender": "woman"})
    client.post(step("schedule"), {"hours": ["evenings"], "payment_methods": ["eap"]})
    last = client.post(
        step("priorities"),
        {
            "respect_trust": "3",
            "collaboration": "1",
            "empathy": "2",
            "adaptability": "0",
            "responder_culture": "3",
        },
    )
    assert last.status_code == 302

    intake = stored_intake(client)
    assert (intake.service, intake.service_status, intake.state) == ("fire", "active", "CO")
    assert intake.concerns == {"trauma", "sleep"}
    assert intake.methods_wanted == {"emdr"}
    assert intake.hours == {"evenings"}
    assert intake.importance["respect_trust"] == 3 and intake.importance["adaptability"] == 0


def test_skipping_a_step_keeps_earlier_answers(client: Client) -> None:
    client.post(step("concerns"), {"concerns": ["grief"]})
    response = client.post(step("concerns"), {"skip": "1", "concerns": ["anger"]})
    assert response["Location"] == step("preferences")
    assert stored_intake(client).concerns == {"grief"}


def test_the_place_step_cannot_be_skipped(client: Client) -> None:
    response = client.post(step("place"), {"skip": "1"})
    assert response.status_code == 200
    assert "Choose your state: therapists must be licensed in it." in response.text
    assert "Skip this step" not in response.text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"zip_code": "99999"}, "We do not know the ZIP code 99999"),
        ({"zip_code": "8020"}, "Enter five digits, like 80202"),
        ({"zip_code": "10001"}, "10001 is in New York, not Colorado"),
        ({"zip_code": "", "format_preference": "in_person"}, "Enter your ZIP code so we can find"),
        ({"travel_miles": "0"}, "greater than or equal to 1"),
        ({"travel_miles": "5000"}, "less than or equal to 200"),
        ({"state": "XX"}, "Select a valid choice"),
    ],
)
def test_bad_place_answers_are_explained_and_typed_values_kept(
    client: Client, overrides: dict, message: str
) -> None:
    response = answer_place(client, **overrides)
    assert response.status_code == 200
    assert message in response.text
    if overrides.get("zip_code"):
        assert f'value="{overrides["zip_code"]}"' in response.text
    assert stored_intake(client).state == ""


def test_wanting_and_avoiding_the_same_method_is_explained(client: Client) -> None:
    response = client.post(
        step("preferences"), {"methods_wanted": ["emdr"], "methods_avoided": ["emdr", "group"]}
    )
    assert "You also chose to want: EMDR. Pick one." in response.text


def test_a_responder_in_crisis_sees_help_before_anything_else(client: Client) -> None:
    response = client.post(step("concerns"), {"concerns": ["trauma"], "in_crisis": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("matching:help_first"))
    page = client.get(response["Location"]).text
    assert 'Call or text <a href="tel:988">988</a>' in page
    assert "Safe Call Now" in page
    assert f'href="{step("preferences")}"' in page


def test_the_crisis_answer_is_never_stored(client: Client) -> None:
    client.post(step("concerns"), {"concerns": ["trauma"], "in_crisis": "on"})
    assert "in_crisis" not in stored_intake(client).to_dict()


def test_the_help_page_never_continues_to_another_site(client: Client) -> None:
    page = client.get(reverse("matching:help_first") + "?then=https://evil.example/").text
    assert "evil.example" not in page


def test_answers_in_the_session_are_encrypted(client: Client) -> None:
    client.post(step("concerns"), {"concerns": ["moral_injury"]})
    session = Session.objects.get(session_key=client.session.session_key)
    assert "moral_injury" not in session.session_data
    assert "moral_injury" not in str(session.get_decoded())


def test_answers_given_anonymously_are_carried_into_the_profile_at_sign_up(client: Client) -> None:
    answer_place(client)
    client.post(step("concerns"), {"concerns": ["burnout"]})
    client.post(
        reverse("account_signup"),
        {
            "role": "responder",
            "pseudonym": "Tower 3",
            "email": "tower3@example.test",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    profile = ResponderProfile.objects.get(user__email="tower3@example.test")
    intake = Intake.from_dict(profile.answers)
    assert intake.state == "CO" and intake.concerns == {"burnout"}


def test_a_signed_in_responder_keeps_answers_in_the_profile(client: Client) -> None:
    responder = ResponderFactory()
    client.force_login(responder.user)
    client.post(step("concerns"), {"concerns": ["anger"]})
    responder.refresh_from_db()
    assert Intake.from_dict(responder.answers).concerns == {"anger"}
    page = client.get(reverse("matching:me")).text
    assert responder.pseudonym in page and "Anger" in page


@pytest.mark.parametrize("role", ["anonymous", "therapist"])
def test_only_responders_have_a_me_page(client: Client, role: str) -> None:
    if role == "therapist":
        client.force_login(TherapistFactory().user)
    response = client.get(reverse("matching:me"))
    assert response.status_code == (302 if role == "anonymous" else 403)


def test_an_unknown_step_is_not_found(client: Client) -> None:
    assert client.get(step("nonsense")).status_code == 404


def test_old_answers_with_unknown_keys_still_load() -> None:
    intake = Intake.from_dict({"state": "TX", "retired_question": 1, "importance": {"empathy": 3}})
    assert intake.state == "TX"
    assert intake.importance["empathy"] == 3 and intake.importance["collaboration"] == 2


def test_every_intake_answer_reaches_the_score_or_is_named_as_read_another_way() -> None:
    from dataclasses import fields

    from matching.scoring import Seeker
    from matching.selectors.ranking import INTAKE_NOT_SCORED

    seeker_fields = {f.name for f in fields(Seeker)}
    for answer in fields(Intake):
        assert answer.name in seeker_fields or answer.name in INTAKE_NOT_SCORED, answer.name


def test_the_seeker_carries_each_shared_answer_as_given() -> None:
    from matching.selectors.ranking import seeker_from

    intake = Intake(
        service="dispatch", service_status="retired", state="CO", zip_code="80202",
        travel_miles=60, format_preference="in_person", concerns=frozenset({"sleep"}),
        methods_wanted=frozenset({"emdr"}), methods_avoided=frozenset({"group"}),
        therapist_gender="woman", gender_required=True, languages=frozenset({"es"}),
        language_required=True, avoid_fitness_evaluators=True, hours=frozenset({"evenings"}),
        hours_required=True, payment_methods=frozenset({"self_pay"}), insurance_carrier="aetna",
        self_pay_budget_dollars=90, payment_required=True, style_pace=2,
    )  # fmt: skip
    seeker = seeker_from(intake, tie_seed=7)
    assert seeker.state == "CO" and seeker.service == "dispatch"
    assert seeker.service_status == "retired" and seeker.travel_miles == 60
    assert seeker.concerns == {"sleep"} and seeker.methods_avoided == {"group"}
    assert seeker.gender_required and seeker.language_required and seeker.hours_required
    assert seeker.avoid_fitness_evaluators and not seeker.avoid_preemployment_evaluators
    assert seeker.self_pay_budget_dollars == 90 and seeker.payment_required
    assert seeker.style == {"pace": 2} and seeker.tie_seed == 7
    assert seeker.latitude is not None and seeker.longitude is not None
