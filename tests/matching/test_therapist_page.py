"""A therapist's public page: only listed therapists, verified facts marked as verified."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from profiles.models import VettingStatus
from profiles.services.therapists import therapist_profile_update
from tests.factories import (
    LicenseFactory,
    ResponderFactory,
    StaffFactory,
    TherapistFactory,
    TrainingFactory,
    listed_therapist,
)

pytestmark = pytest.mark.django_db


def page_of(client: Client, therapist) -> object:
    return client.get(reverse("matching:therapist_detail", args=[therapist.public_id]))


def test_a_listed_therapist_has_a_public_page(client: Client) -> None:
    therapist = listed_therapist(
        full_name="Alex Fictional", agency_evaluations={"fitness_for_duty"}
    )
    TrainingFactory(therapist=therapist, name="Verified course", status=VettingStatus.VERIFIED)
    TrainingFactory(therapist=therapist, name="Pending course", status=VettingStatus.PENDING)
    TrainingFactory(therapist=therapist, name="Rejected course", status=VettingStatus.REJECTED)

    page = page_of(client, therapist).text
    assert "Alex Fictional" in page
    assert "LCSW (clinical social worker), Colorado" in page
    assert "Verified by Rapport" in page
    assert "Verified course" in page and "Pending course" in page
    assert "Rejected course" not in page
    pending_item = page.split("Pending course")[1].split("</li>")[0]
    assert "Awaiting verification" in pending_item
    assert "Fitness-for-duty evaluations" in page
    assert "/evidence/" not in page and "document" not in page.lower()


@pytest.mark.parametrize(
    "make",
    [
        lambda: TherapistFactory(),  # no license at all
        lambda: LicenseFactory(status=VettingStatus.PENDING).therapist,
        lambda: LicenseFactory(status=VettingStatus.REJECTED).therapist,
        lambda: LicenseFactory(expires_on=timezone.localdate()).therapist,
        lambda: LicenseFactory(therapist=TherapistFactory(published_at=None)).therapist,
        lambda: (
            LicenseFactory(
                therapist=TherapistFactory(confirmed_at=timezone.now() - dt.timedelta(days=46))
            ).therapist
        ),
    ],
    ids=["no-license", "pending", "rejected", "expired-today", "unpublished", "unconfirmed"],
)
def test_an_unlisted_therapist_is_not_found(client: Client, make) -> None:
    assert page_of(client, make()).status_code == 404


def test_a_license_stops_counting_on_its_expiry_date(client: Client) -> None:
    therapist = listed_therapist()
    expiry = timezone.localdate() + dt.timedelta(days=10)
    therapist.licenses.update(expires_on=expiry)
    with time_machine.travel(dt.datetime.combine(expiry - dt.timedelta(days=1), dt.time(12))):
        assert page_of(client, therapist).status_code == 200
    with time_machine.travel(dt.datetime.combine(expiry, dt.time(12))):
        assert page_of(client, therapist).status_code == 404


def test_telehealth_is_shown_only_for_licensed_states(client: Client) -> None:
    therapist = listed_therapist(telehealth_states={"CO", "NM"})
    page = page_of(client, therapist).text
    telehealth = page.split("Telehealth in")[1].split("</dd>")[0]
    assert "Colorado" in telehealth and "New Mexico" not in telehealth


def test_the_owner_previews_an_unlisted_profile(client: Client) -> None:
    therapist = TherapistFactory(published_at=None, full_name="Sam Fictional")
    client.force_login(therapist.user)
    response = client.get(reverse("matching:therapist_preview"))
    assert response.status_code == 200
    assert "Preview." in response.text and "Sam Fictional" in response.text


@pytest.mark.parametrize("role", ["responder", "staff"])
def test_only_therapists_have_a_preview(client: Client, role: str) -> None:
    client.force_login(ResponderFactory().user if role == "responder" else StaffFactory())
    assert client.get(reverse("matching:therapist_preview")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in_for_a_preview(client: Client) -> None:
    response = client.get(reverse("matching:therapist_preview"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_fixed_part_of_a_profile_page_is_read_once_until_the_therapist_changes(
    client: Client,
) -> None:
    therapist = listed_therapist(bio="Fire service family.")
    with CaptureQueriesContext(connection) as first:
        assert "Fire service family." in page_of(client, therapist).text
    with CaptureQueriesContext(connection) as again:
        assert "Fire service family." in page_of(client, therapist).text
    assert len(again) == 1 < len(first)  # only the query that finds the listed therapist


def test_an_edit_shows_on_the_profile_page_at_once(client: Client) -> None:
    therapist = listed_therapist(bio="Old words.")
    assert "Old words." in page_of(client, therapist).text
    therapist_profile_update(therapist=therapist, fields={"bio": "New words."})
    page = page_of(client, therapist).text
    assert "New words." in page and "Old words." not in page


def test_a_new_verified_training_shows_on_the_profile_page_at_once(client: Client) -> None:
    therapist = listed_therapist()
    assert "Peer support course" not in page_of(client, therapist).text
    TrainingFactory(therapist=therapist, name="Peer support course")
    assert "Peer support course" in page_of(client, therapist).text
