"""From "Ask for an introduction" as a visitor: why an account, then the form for that therapist."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from matching.intake import Intake
from profiles.models import ResponderProfile
from tests.factories import PASSWORD, ResponderFactory, listed_therapist

pytestmark = pytest.mark.django_db


@pytest.fixture
def therapist():
    return listed_therapist(full_name="Robin Fictional")


def intro_path(therapist) -> str:
    return reverse("matching:intro_new", args=[therapist.public_id])


def test_asking_as_a_visitor_leads_to_a_sign_in_page_that_says_why(therapist) -> None:
    client = Client()
    response = client.get(intro_path(therapist))
    assert response.status_code == 302
    page = client.get(response["Location"]).text
    assert "Why an account to ask Robin Fictional?" in page
    assert "A pseudonym is fine" in page
    assert "Your department never sees" in page
    # The way to sign up keeps where the visitor was going.
    signup_link = re.search(r'href="(/accounts/signup/\?[^"]+)"', page).group(1)
    signup_page = client.get(signup_link.replace("&amp;", "&")).text
    assert "Why an account to ask Robin Fictional?" in signup_page


@pytest.mark.parametrize(
    "next_url",
    ["", "/matches/", "https://elsewhere.example.test/therapists/{id}/intro/", "//x.test/"],
)
def test_the_reason_is_shown_only_for_a_local_intro_link(therapist, next_url: str) -> None:
    url = reverse("account_login")
    if next_url:
        url += "?next=" + next_url.format(id=therapist.public_id)
    page = Client().get(url).text
    assert "Why an account" not in page


def test_after_sign_up_and_confirming_the_intro_form_opens_for_that_therapist(
    therapist,
) -> None:
    client = Client()
    client.post(
        reverse("matching:intake_step", args=["place"]),
        {"state": "CO", "zip_code": "80202", "format_preference": "either", "travel_miles": "30"},
    )
    response = client.post(
        reverse("account_signup"),
        {
            "role": "responder",
            "pseudonym": "Night Medic",
            "email": "night.medic@example.test",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": intro_path(therapist),
        },
    )
    assert response.status_code == 302
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mail.outbox[-1].body)
    confirmed = client.post(link.group(1))
    assert confirmed["Location"] == intro_path(therapist)
    page = client.get(confirmed["Location"])
    assert page.status_code == 200
    assert "Ask Robin Fictional for an introduction" in page.text
    assert Intake.from_dict(ResponderProfile.objects.get().answers).state == "CO"


def test_signing_in_from_the_link_opens_the_intro_form(therapist) -> None:
    responder = ResponderFactory(answers=Intake(state="CO").to_dict())
    client = Client()
    response = client.post(
        reverse("account_login") + "?next=" + intro_path(therapist),
        {"login": responder.user.email, "password": PASSWORD},
    )
    assert response["Location"] == intro_path(therapist)


def test_an_outside_next_is_never_followed(therapist) -> None:
    responder = ResponderFactory(answers=Intake(state="CO").to_dict())
    response = Client().post(
        reverse("account_login") + "?next=https://elsewhere.example.test/",
        {"login": responder.user.email, "password": PASSWORD},
    )
    assert "elsewhere" not in response["Location"]
