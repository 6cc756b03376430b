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


def _open_wyoming() -> None:
    LicenseFactory(therapist=TherapistFactory(telehealth_states=frozenset({"WY"})), state="WY")


def test_a_flood_of_200_posts_of_one_address_sends_at_most_one_email(eager_celery) -> None:
    """200 posts of one address for one state, from many clients: one row, one email."""
    accepted = 0
    for number in range(200):
        # Alternate the case and the client's address, as a flood would.
        address = ADDRESS.upper() if number % 2 else ADDRESS
        response = Client(REMOTE_ADDR=f"192.0.2.{number % 250}").post(
            reverse("matching:coverage_watch"), {"state": "WY", "email": address}
        )
        assert response.status_code in (302, 429)
        accepted += response.status_code == 302
    assert accepted <= coverage.COVERAGE_WATCH_PER_ADDRESS_PER_DAY
    assert CoverageWatch.objects.count() == 1
    _open_wyoming()
    coverage.coverage_sweep()
    coverage.coverage_sweep()
    assert [email.to for email in mail.outbox] == [[ADDRESS]]


def test_one_client_is_limited_across_addresses_and_told_so() -> None:
    client = Client(REMOTE_ADDR="198.51.100.7")
    limit = coverage.COVERAGE_WATCH_PER_CLIENT_PER_HOUR
    for number in range(limit):
        response = client.post(
            reverse("matching:coverage_watch"),
            {"state": "WY", "email": f"person{number}@example.test"},
        )
        assert response.status_code == 302
    refused = client.post(
        reverse("matching:coverage_watch"), {"state": "WY", "email": "one.more@example.test"}
    )
    assert refused.status_code == 429
    assert "too many of these requests" in refused.text and "Nothing was saved" in refused.text
    assert CoverageWatch.objects.count() == limit
    # Another client is not held back by this one.
    other = Client(REMOTE_ADDR="198.51.100.8").post(
        reverse("matching:coverage_watch"), {"state": "WY", "email": "one.more@example.test"}
    )
    assert other.status_code == 302


def test_the_same_address_for_two_states_is_two_watches_and_a_repeat_is_not_told_apart() -> None:
    first = Client().post(reverse("matching:coverage_watch"), {"state": "WY", "email": ADDRESS})
    again = Client().post(reverse("matching:coverage_watch"), {"state": "WY", "email": ADDRESS})
    other = Client().post(reverse("matching:coverage_watch"), {"state": "MT", "email": ADDRESS})
    assert first["Location"] == again["Location"] == other["Location"]
    assert sorted(CoverageWatch.objects.values_list("state", flat=True)) == ["MT", "WY"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT email_key FROM matching_coveragewatch")
        keys = [row[0] for row in cursor.fetchall()]
    assert all(len(key) == 64 and "medic" not in key for key in keys)
    assert keys[0] == keys[1] == coverage.coverage_email_key(ADDRESS.upper())
