"""Account emails name Rapport and its domain; times are shown in each person's own zone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sites.models import Site
from django.core import mail
from django.test import Client
from django.urls import reverse

from matching.intake import Intake
from profiles.choices import State
from profiles.selectors import responder_time_zone, therapist_time_zone
from profiles.templatetags.local_times import local_time
from profiles.timezones import STATE_ZONES
from tests.factories import (
    PASSWORD,
    LicenseFactory,
    ResponderFactory,
    TherapistFactory,
    intro_through_service,
    listed_therapist,
)

pytestmark = pytest.mark.django_db


def test_the_site_is_named_rapport_with_the_domain_of_site_url(settings) -> None:
    site = Site.objects.get(pk=settings.SITE_ID)
    assert (site.name, site.domain) == ("Rapport", "127.0.0.1:8000")


def test_account_emails_name_rapport_never_example_com(client: Client) -> None:
    client.post(
        reverse("account_signup"),
        {
            "role": "responder",
            "pseudonym": "Night Medic",
            "email": "night.medic@example.test",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    client.post(reverse("account_reset_password"), {"email": "night.medic@example.test"})
    assert len(mail.outbox) == 2
    for email in mail.outbox:
        text = email.subject + email.body
        assert "example.com" not in text
        assert "Rapport" in text


def test_every_state_has_a_time_zone() -> None:
    assert set(STATE_ZONES) == set(State.values)


def test_a_time_is_shown_in_the_given_zone_with_the_zone_named() -> None:
    moment = dt.datetime(2026, 7, 1, 18, 30, tzinfo=dt.UTC)
    assert local_time(moment, "America/Los_Angeles") == "July 1, 2026, 11:30 a.m. PDT"
    assert local_time(moment, "America/New_York") == "July 1, 2026, 2:30 p.m. EDT"
    assert local_time(None, "America/New_York") == ""


def test_a_therapists_zone_comes_from_the_office_then_the_first_license() -> None:
    assert therapist_time_zone(therapist=TherapistFactory(office_state="CA")) == (
        "America/Los_Angeles"
    )
    remote = TherapistFactory(office_state="")
    LicenseFactory(therapist=remote, state="NY")
    LicenseFactory(therapist=remote, state="CA")
    assert therapist_time_zone(therapist=remote) == "America/New_York"


def test_a_responder_sees_their_request_in_their_own_zone() -> None:
    responder = ResponderFactory(answers=Intake(state="CO").to_dict())
    assert responder_time_zone(responder=responder) == "America/Denver"
    intro = intro_through_service(responder, listed_therapist())
    client = Client()
    client.force_login(responder.user)
    for url in (
        reverse("matching:my_intros"),
        reverse("matching:my_intro", args=[intro.public_id]),
    ):
        page = client.get(url).text
        assert " MST" in page or " MDT" in page
