"""A therapist's way in: the page for therapists, a sign-up that asks only the chosen role's
questions, and each fact asked once, with why it is asked."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from profiles import selectors
from profiles.models import License, TherapistProfile, User, VettingStatus
from tests.browser_form import browser_form
from tests.factories import (
    PASSWORD,
    LicenseFactory,
    ResponderFactory,
    StaffFactory,
    TherapistFactory,
    listed_therapist,
)

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


def _decided(hours: float, *, days_ago: float = 1) -> License:
    decided = NOW - dt.timedelta(days=days_ago)
    return LicenseFactory(
        submitted_at=decided - dt.timedelta(hours=hours),
        decided_at=decided,
        status=VettingStatus.VERIFIED,
    )


# The page for therapists


def test_the_home_page_and_the_header_link_to_the_page_for_therapists(client: Client) -> None:
    home = client.get(reverse("home")).text
    url = reverse("profiles:for_therapists")
    assert home.count(f'href="{url}"') >= 2  # the page's own link and the header's


@pytest.mark.parametrize("role", ["anonymous", "responder", "therapist", "staff"])
def test_everyone_may_read_the_page_for_therapists(client: Client, role: str) -> None:
    user = {
        "anonymous": None,
        "responder": lambda: ResponderFactory().user,
        "therapist": lambda: TherapistFactory().user,
        "staff": lambda: StaffFactory(),
    }[role]
    if user is not None:
        client.force_login(user())
    page = client.get(reverse("profiles:for_therapists"))
    assert page.status_code == 200
    signup = reverse("account_signup") + "?role=therapist"
    assert (signup in page.text) == (role == "anonymous")
    assert ("Go to your profile" in page.text) == (role == "therapist")


def test_the_page_says_what_rapport_asks_and_what_it_costs(client: Client) -> None:
    page = client.get(reverse("profiles:for_therapists")).text
    for words in (
        "A license, with evidence.",
        "A profile.",
        "Answering intro requests.",
        "Check-ins, measured only in aggregate.",
        "Rapport charges therapists no fee to join or to be listed",
    ):
        assert words in page


def test_the_usual_vetting_time_is_the_median_of_recent_decisions(client: Client) -> None:
    for hours in (2, 10, 30, 50, 70):
        _decided(hours)
    _decided(1000, days_ago=120)  # decided before the window: not counted
    LicenseFactory(status=VettingStatus.PENDING, submitted_at=NOW - dt.timedelta(days=3))
    with time_machine.travel(NOW, tick=False):
        times = selectors.license_vetting_times()
        page = client.get(reverse("profiles:for_therapists")).text
    assert times.decisions == 5 and times.median == dt.timedelta(hours=30)
    assert "decided 5 licenses" in page
    assert "<strong>about 30 hours</strong>" in page
    assert "1 license is waiting now" in page


def test_below_five_decisions_the_page_says_there_are_not_enough(client: Client) -> None:
    for hours in (2, 10, 30, 50):
        _decided(hours)
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("profiles:for_therapists")).text
    assert "Not enough decisions yet to say" in page
    assert "decided 4 licenses in the last 90 days" in page


@pytest.mark.parametrize(
    ("hours", "words"),
    [(0.5, "under an hour"), (1, "about 1 hour"), (30, "about 30 hours"), (80, "about 3 days")],
)
def test_a_wait_is_said_in_plain_words(hours: float, words: str) -> None:
    assert selectors.duration_words(dt.timedelta(hours=hours)) == words


# Sign-up: the chosen role's questions only


def test_a_sign_up_for_therapists_has_the_role_chosen_and_asks_only_their_name(
    client: Client,
) -> None:
    url = reverse("account_signup") + "?role=therapist"
    page = client.get(url).text
    form = browser_form(page, containing="email")
    assert form.names - {"csrfmiddlewaretoken"} == {
        "role",
        "full_name",
        "email",
        "password1",
        "password2",
    }
    assert form.data()["role"] == ["therapist"]
    assert "Create your therapist account" in page
    response = client.post(
        url,
        {
            **form.data(),
            "full_name": "Jordan Fictional",
            "email": "jordan@example.test",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="jordan@example.test")
    assert user.role == User.Role.THERAPIST
    assert TherapistProfile.objects.get(user=user).full_name == "Jordan Fictional"


def test_a_sign_up_for_therapists_cannot_be_turned_into_another_role(client: Client) -> None:
    response = client.post(
        reverse("account_signup") + "?role=therapist",
        {
            "role": "responder",
            "pseudonym": "Night Medic",
            "full_name": "Jordan Fictional",
            "email": "jordan@example.test",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not User.objects.filter(email="jordan@example.test").exists()


def test_a_plain_sign_up_marks_each_name_for_its_role(client: Client) -> None:
    page = client.get(reverse("account_signup")).text
    assert 'class="field field--for-responder"' in page
    assert 'class="field field--for-therapist"' in page


@pytest.mark.parametrize("url_name", ["account_signup", "profiles:identity"])
def test_credentials_typed_into_the_name_are_refused_next_to_it(
    client: Client, url_name: str
) -> None:
    data = {"full_name": "Dr. Onboarding Fictional, LCSW", "bio": "Fictional.", "pronouns": ""}
    if url_name == "account_signup":
        data |= {
            "role": "therapist",
            "email": "dr@example.test",
            "password1": PASSWORD,
            "password2": PASSWORD,
        }
        url = reverse(url_name) + "?role=therapist"
    else:
        therapist = TherapistFactory(full_name="Onboarding Fictional", credentials="")
        client.force_login(therapist.user)
        url = reverse(url_name)
    response = client.post(url, data)
    assert response.status_code == 200
    assert 'id="id_full_name_error"' in response.text
    assert "Enter your name without “LCSW”" in response.text
    assert not TherapistProfile.objects.filter(full_name__contains="LCSW").exists()


# Each fact asked once, with why


def test_credentials_are_optional_the_license_type_stands_beside_the_name(
    client: Client,
) -> None:
    therapist = listed_therapist(credentials="")
    assert selectors.identity_missing(therapist) == []
    client.force_login(therapist.user)
    page = client.get(reverse("profiles:identity")).text
    assert "Other credentials you sign with (optional)" in page
    assert "no need to type it here" in page


def test_ride_along_hours_are_asked_in_experience_not_as_a_new_training(client: Client) -> None:
    client.force_login(TherapistFactory().user)
    training = browser_form(client.get(reverse("profiles:training_add")).text, containing="kind")
    assert "ride_along" not in client.get(reverse("profiles:training_add")).text
    assert "kind" in training.names
    assert (
        "ride_along_hours"
        in browser_form(
            client.get(reverse("profiles:experience")).text, containing="ride_along_hours"
        ).names
    )


@pytest.mark.parametrize(
    ("url_name", "words"),
    [
        ("profiles:practical", "Why we ask: some responders"),
        ("profiles:license_add", "Why we ask: our staff compare it with the licensing board"),
        ("profiles:clinical", "Trained: you completed training in the method"),
    ],
)
def test_fields_a_therapist_might_wonder_about_say_why(
    client: Client, url_name: str, words: str
) -> None:
    client.force_login(TherapistFactory().user)
    assert words in client.get(reverse(url_name)).text


def test_telehealth_states_start_from_the_license_states(client: Client) -> None:
    therapist = TherapistFactory(telehealth_states=frozenset(), formats=frozenset())
    LicenseFactory(therapist=therapist, state="NM", status=VettingStatus.PENDING)
    LicenseFactory(therapist=therapist, state="WY")
    client.force_login(therapist.user)
    url = reverse("profiles:practical")
    form = browser_form(client.get(url).text, containing="telehealth_states")
    assert form.data()["telehealth_states"] == ["NM", "WY"]
    # Kept once they offer telehealth; dropped for a therapist who meets in person only.
    data = form.data() | {"formats": ["in_person"], "office_zip": ["80202"]}
    client.post(url, data)
    assert TherapistProfile.objects.get(pk=therapist.pk).telehealth_states == frozenset()
    client.post(url, form.data() | {"formats": ["telehealth"]})
    assert TherapistProfile.objects.get(pk=therapist.pk).telehealth_states == {"NM", "WY"}


def test_a_therapist_who_chose_telehealth_states_keeps_them(client: Client) -> None:
    therapist = TherapistFactory(telehealth_states=frozenset({"CO"}))
    LicenseFactory(therapist=therapist, state="NM")
    client.force_login(therapist.user)
    form = browser_form(client.get(reverse("profiles:practical")).text, containing="formats")
    assert form.data()["telehealth_states"] == ["CO"]


def test_questions_that_depend_on_an_answer_are_marked_so(client: Client) -> None:
    client.force_login(TherapistFactory().user)
    page = client.get(reverse("profiles:practical")).text
    for wrapper in ("when-in-person", "when-telehealth", "when-insurance", "when-phone"):
        assert f"field--conditional field--{wrapper}" in page
