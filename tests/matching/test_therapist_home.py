"""The therapist's landing page: requests waiting with time left, vetting, then the editor."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from matching.intake import Intake
from tests.factories import (
    LicenseFactory,
    ResponderFactory,
    StaffFactory,
    TrainingFactory,
    intro_through_service,
    listed_therapist,
)

pytestmark = pytest.mark.django_db
HOME = "matching:therapist_home"


@pytest.fixture
def therapist():
    return listed_therapist(full_name="Robin Fictional", office_state="CO")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_requests_waiting_show_the_time_left_in_the_therapists_zone(
    therapist, totp_user_factory
) -> None:
    totp_user_factory(therapist.user)
    responder = ResponderFactory(pseudonym="Medic Seven", answers=Intake(state="CO").to_dict())
    with time_machine.travel(dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.UTC), tick=False):
        intro = intro_through_service(responder, therapist)
    with time_machine.travel(dt.datetime(2026, 11, 3, 15, 0, tzinfo=dt.UTC), tick=False):
        page = client_for(therapist.user).get(reverse(HOME)).text
    assert "1 request waiting" in page
    assert "2\xa0days left" in page
    # 72 hours after 15:00 UTC on November 2 is 8:00 a.m. in Denver, on standard time.
    assert "November 5, 2026, 8 a.m. MST" in page
    assert reverse("matching:inbox_detail", args=[intro.public_id]) in page
    assert "A fictional message." not in page  # no content on the landing page


def test_without_two_factor_the_requests_are_counted_but_not_opened(therapist) -> None:
    responder = ResponderFactory(answers=Intake(state="CO").to_dict())
    intro = intro_through_service(responder, therapist)
    page = client_for(therapist.user).get(reverse(HOME)).text
    assert "1 request waiting" in page
    assert reverse("matching:inbox_detail", args=[intro.public_id]) not in page
    assert "Set up two-factor authentication to read them" in page


def test_vetting_that_needs_the_therapist_is_shown_then_the_editor(therapist) -> None:
    LicenseFactory(
        therapist=therapist,
        state="NM",
        number="FICT-NM-1",
        status="rejected",
        decision_reason="The document is unreadable (fictional).",
    )
    TrainingFactory(therapist=therapist, status="pending", name="Peer course (fictional)")
    LicenseFactory(
        therapist=therapist,
        state="WY",
        number="FICT-WY-1",
        expires_on=timezone.localdate() + dt.timedelta(days=20),
    )
    page = client_for(therapist.user).get(reverse(HOME)).text
    assert "The document is unreadable (fictional)." in page
    assert "Peer course (fictional)" in page and "Waiting for review" in page
    assert "FICT-WY-1" in page and "Add the renewed license" in page
    assert page.index("Requests waiting") < page.index("Licenses and trainings")
    assert page.index("Licenses and trainings") < page.index("Edit your profile")


def test_nothing_waiting_says_so(therapist) -> None:
    page = client_for(therapist.user).get(reverse(HOME)).text
    assert "No request is waiting." in page
    assert "Listed: responders can find you in Colorado." in page
    assert "Every license and training is verified and current." in page


def test_only_therapists_reach_the_landing_page(therapist) -> None:
    anonymous = Client().get(reverse(HOME))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    responder = ResponderFactory()
    assert client_for(responder.user).get(reverse(HOME)).status_code == 403
    assert client_for(StaffFactory()).get(reverse(HOME)).status_code == 403
    assert client_for(therapist.user).post(reverse(HOME)).status_code == 405


def test_another_therapists_requests_are_not_shown(therapist) -> None:
    other = listed_therapist(full_name="Sam Fictional")
    intro_through_service(ResponderFactory(answers=Intake(state="CO").to_dict()), other)
    page = client_for(therapist.user).get(reverse(HOME)).text
    assert "No request is waiting." in page
