"""The staff queue: filters by kind, state, age and name; pages of 25, oldest first."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from profiles.models import VettingStatus
from tests.factories import LicenseFactory, TherapistFactory, TrainingFactory

pytestmark = pytest.mark.django_db
QUEUE = reverse("profiles:vetting_queue")


@pytest.fixture
def staff_client(client: Client, staff_with_mfa) -> Client:
    client.force_login(staff_with_mfa)
    return client


def pending_license(name: str, state: str, days: float, **kwargs):
    return LicenseFactory(
        therapist=TherapistFactory(full_name=name),
        state=state,
        status=VettingStatus.PENDING,
        submitted_at=timezone.now() - dt.timedelta(days=days),
        **kwargs,
    )


def names_on(page: str) -> list[str]:
    return re.findall(r'<h2 id="queue-\d+">([^:<]+):', page)


@pytest.fixture
def queue_items():
    robin = pending_license("Robin Fictional", "CO", 10)
    pending_license("Sam Fictional", "NM", 1)
    training = TrainingFactory(
        therapist=robin.therapist,
        status=VettingStatus.PENDING,
        submitted_at=timezone.now() - dt.timedelta(days=3),
    )
    pending_license("Alex Fictional", "CO", 0.5)
    LicenseFactory(status=VettingStatus.VERIFIED)  # not waiting
    return training


def test_the_whole_queue_is_oldest_first(staff_client: Client, queue_items) -> None:
    page = staff_client.get(QUEUE).text
    assert "4 waiting" in page
    assert names_on(page) == [
        "Robin Fictional",
        "Robin Fictional",
        "Sam Fictional",
        "Alex Fictional",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "training"}, ["Robin Fictional"]),
        ({"kind": "license"}, ["Robin Fictional", "Sam Fictional", "Alex Fictional"]),
        ({"state": "CO"}, ["Robin Fictional", "Robin Fictional", "Alex Fictional"]),
        ({"state": "NM", "kind": "training"}, []),
        ({"age": "2"}, ["Robin Fictional", "Robin Fictional"]),
        ({"age": "7"}, ["Robin Fictional"]),
        ({"name": "sam"}, ["Sam Fictional"]),
        ({"name": "fictional", "state": "CO", "age": "2", "kind": "license"}, ["Robin Fictional"]),
    ],
)
def test_filters_narrow_the_queue(staff_client: Client, queue_items, query, expected) -> None:
    page = staff_client.get(QUEUE, query).text
    assert names_on(page) == expected
    if not expected:
        assert "Nothing waiting matches these filters." in page


def test_a_bad_filter_is_explained_and_the_page_still_works(
    staff_client: Client, queue_items
) -> None:
    response = staff_client.get(QUEUE, {"state": "ZZ", "age": "forever", "page": "x"})
    assert response.status_code == 200
    assert 'id="id_state_error"' in response.text and 'id="id_age_error"' in response.text
    assert len(names_on(response.text)) == 4


@pytest.mark.parametrize("query", [{"kind": "bogus"}, {"state": "ZZ"}, {"age": "-1"}])
def test_an_invalid_filter_value_says_so_and_filters_nothing(
    staff_client: Client, queue_items, query: dict[str, str]
) -> None:
    page = staff_client.get(QUEUE, query).text
    assert 'role="alert"' in page and "Some filters were not understood" in page
    assert f'id="id_{next(iter(query))}_error"' in page
    assert "that match" not in page
    assert len(names_on(page)) == 4


def test_pages_hold_25_and_keep_the_filters(staff_client: Client) -> None:
    for n in range(27):
        pending_license(f"Therapist {n:02d} Fictional", "CO", 30 - n)
    pending_license("Other State Fictional", "NM", 40)
    first = staff_client.get(QUEUE, {"state": "CO"}).text
    assert len(names_on(first)) == 25
    assert names_on(first)[0] == "Therapist 00 Fictional"
    assert "Page 1 of 2" in first
    assert 'href="?state=CO&amp;page=2"' in first
    second = staff_client.get(QUEUE, {"state": "CO", "page": "2"}).text
    assert names_on(second) == ["Therapist 25 Fictional", "Therapist 26 Fictional"]


def test_the_filter_form_shows_the_filters_of_the_url(staff_client: Client) -> None:
    from tests.browser_form import browser_form

    query = {"kind": "license", "state": "CO", "age": "7", "name": "Robin"}
    form = browser_form(staff_client.get(QUEUE, query).text, containing="age")
    assert form.method == "get"
    assert form.data() == {key: [value] for key, value in query.items()}


def test_the_queue_takes_a_fixed_number_of_queries(
    staff_client: Client, django_assert_max_num_queries
) -> None:
    for n in range(10):
        pending_license(f"Many {n} Fictional", "CO", n + 1)
        TrainingFactory(status=VettingStatus.PENDING)
    with django_assert_max_num_queries(12):
        staff_client.get(QUEUE)
