"""A state without any therapist is said plainly, with help now and one email when one comes."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from matching.models import CoverageWatch
from matching.services import coverage
from tests.factories import LicenseFactory, TherapistFactory, listed_therapist

pytestmark = pytest.mark.django_db
ADDRESS = "wyoming.medic@example.test"


def visitor_in(state: str) -> Client:
    client = Client()
    client.post(
        reverse("matching:intake_step", args=["place"]),
        {"state": state, "format_preference": "either", "travel_miles": "25"},
    )
    return client


def test_a_state_without_therapists_is_said_plainly_with_help_now() -> None:
    listed_therapist()  # Colorado has one; Wyoming has none
    page = visitor_in("WY").get(reverse("matching:results")).text
    assert "No therapist is licensed in Wyoming on Rapport yet" in page
    assert 'href="tel:988"' in page and "Safe Call Now" in page and "Copline" in page
    assert "200 miles" not in page
    assert "Email me once" in page


def test_a_therapist_who_is_not_taking_clients_does_not_count_as_coverage() -> None:
    therapist = listed_therapist(accepting_new_clients=False)
    LicenseFactory(therapist=therapist, state="WY", number="FICT-WY-9")
    page = visitor_in("WY").get(reverse("matching:results")).text
    assert "No therapist is licensed in Wyoming" in page


def test_a_state_with_therapists_but_strict_filters_keeps_the_usual_ways_out() -> None:
    listed_therapist(formats=frozenset({"telehealth"}))
    client = visitor_in("CO")
    page = client.get(reverse("matching:results"), {"format": "in_person", "miles": "10"}).text
    assert "No therapist is licensed" not in page
    assert "No therapist matches all of this yet" in page


def test_the_address_is_kept_encrypted_emailed_once_when_listed_then_deleted(
    eager_celery,
) -> None:
    client = visitor_in("WY")
    response = client.post(reverse("matching:coverage_watch"), {"state": "WY", "email": ADDRESS})
    assert response.status_code == 302
    assert response["Location"] == reverse("matching:coverage_watch_done")
    watch = CoverageWatch.objects.get()
    assert (watch.state, watch.email) == ("WY", ADDRESS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT email FROM matching_coveragewatch")
        assert "medic" not in cursor.fetchone()[0]

    assert coverage.coverage_sweep() == 0  # nobody in Wyoming yet
    assert mail.outbox == []

    therapist = TherapistFactory(telehealth_states=frozenset({"WY"}))
    LicenseFactory(therapist=therapist, state="WY")
    assert coverage.coverage_sweep() == 1
    [email] = mail.outbox
    assert email.to == [ADDRESS]
    assert "Wyoming" in email.body and "therapist" not in email.subject.lower()
    assert not CoverageWatch.objects.exists()
    assert coverage.coverage_sweep() == 0
    assert len(mail.outbox) == 1


def test_a_second_run_of_the_email_task_sends_nothing() -> None:
    watch = CoverageWatch.objects.create(state="WY", email=ADDRESS)
    LicenseFactory(therapist=TherapistFactory(), state="WY")
    assert coverage.coverage_watch_notify(watch_id=watch.pk) is True
    assert coverage.coverage_watch_notify(watch_id=watch.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"state": "WY", "email": "not-an-address"}, "email", "Enter a valid email address"),
        ({"state": "WY", "email": ""}, "email", "This field is required"),
        ({"state": "ZZ", "email": ADDRESS}, "state", "Select a valid choice"),
        ({"state": "CO", "email": ADDRESS}, "state", "already listed in this state"),
    ],
)
def test_bad_input_is_explained_next_to_the_field(data: dict, field: str, message: str) -> None:
    listed_therapist()
    response = Client().post(reverse("matching:coverage_watch"), data)
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.text
    assert message in response.text
    assert not CoverageWatch.objects.exists()


def test_the_page_opens_with_the_visitors_state_and_a_get_saves_nothing() -> None:
    page = visitor_in("WY").get(reverse("matching:coverage_watch") + "?email=" + ADDRESS)
    assert '<option value="WY" selected>' in page.text
    assert not CoverageWatch.objects.exists()
