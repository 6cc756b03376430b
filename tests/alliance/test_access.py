"""Who may reach each check-in page: every role that must not is refused."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliance.models import CheckIn
from alliance.services import checkins
from matching.intake import Intake
from matching.services import intros
from tests.factories import (
    ResponderFactory,
    StaffFactory,
    intro_through_service,
    listed_therapist,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(totp_user_factory):
    responder = ResponderFactory(answers=Intake(state="CO").to_dict())
    therapist = listed_therapist(full_name="Harper Fictional")
    totp_user_factory(therapist.user)
    intro = intro_through_service(responder, therapist)
    intros.intro_answer(intro=intro, decision="accepted", reply="Call me.")
    checkin = CheckIn.objects.get()
    other_therapist = listed_therapist()
    totp_user_factory(other_therapist.user)
    staff = StaffFactory()
    totp_user_factory(staff)
    return {
        "responder": responder,
        "therapist": therapist,
        "checkin": checkin,
        "other responder": ResponderFactory(),
        "therapist user": therapist.user,
        "other therapist": other_therapist.user,
        "staff": staff,
        "staff without two-factor": StaffFactory(),
    }


def client_as(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def checkin_urls(checkin: CheckIn) -> list[tuple[str, str]]:
    return [
        ("get", reverse("alliance:checkin", args=[checkin.public_id])),
        ("post", reverse("alliance:checkin", args=[checkin.public_id])),
        ("post", reverse("alliance:checkin_action", args=[checkin.public_id, "skip"])),
        ("post", reverse("alliance:checkin_action", args=[checkin.public_id, "stop"])),
        ("get", reverse("alliance:checkin_done", args=[checkin.public_id])),
        ("get", reverse("alliance:checkin_link", args=["any-token-at-all"])),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(world) -> None:
    urls = [
        *checkin_urls(world["checkin"]),
        ("get", reverse("alliance:dashboard")),
        ("get", reverse("alliance:staff")),
    ]
    for method, url in urls:
        response = getattr(client_as(None), method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


@pytest.mark.parametrize("role", ["therapist user", "other therapist", "staff"])
def test_therapists_and_staff_cannot_reach_a_responders_check_in(world, role) -> None:
    client = client_as(world[role].user if hasattr(world[role], "user") else world[role])
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        for method, url in checkin_urls(world["checkin"]):
            assert getattr(client, method)(url, {"met": "yes"}).status_code == 403, url
    assert CheckIn.objects.get().status == CheckIn.Status.DUE


def test_another_responder_finds_nothing_and_changes_nothing(world) -> None:
    client = client_as(world["other responder"].user)
    checkin = world["checkin"]
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        for method, url in checkin_urls(checkin)[:5]:
            assert getattr(client, method)(url, {"met": "not_yet"}).status_code == 404, url
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.DUE and checkin.snoozes == 0


def test_a_check_in_changes_nothing_on_a_get(world) -> None:
    client = client_as(world["responder"].user)
    checkin = world["checkin"]
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        response = client.get(reverse("alliance:checkin_action", args=[checkin.public_id, "stop"]))
    assert response.status_code == 405
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.DUE


def test_an_unknown_action_is_not_found(world) -> None:
    client = client_as(world["responder"].user)
    url = reverse("alliance:checkin_action", args=[world["checkin"].public_id, "delete"])
    assert client.post(url).status_code == 404


def test_a_check_in_of_an_intro_never_accepted_does_not_exist(world) -> None:
    responder = world["responder"]
    declined = intro_through_service(responder, listed_therapist())
    intros.intro_answer(intro=declined, decision="declined", reply="Try a colleague.")
    with pytest.raises(CheckIn.DoesNotExist):
        CheckIn.objects.get(plan__intro_id=declined.pk)
    assert CheckIn.objects.count() == 1


def test_the_done_page_is_only_for_an_answered_check_in(world) -> None:
    client = client_as(world["responder"].user)
    url = reverse("alliance:checkin_done", args=[world["checkin"].public_id])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ["other responder", "staff"])
def test_only_therapists_reach_the_therapist_dashboard(world, role) -> None:
    user = world[role].user if hasattr(world[role], "user") else world[role]
    assert client_as(user).get(reverse("alliance:dashboard")).status_code == 403


@pytest.mark.parametrize("role", ["other responder", "therapist user"])
def test_only_staff_reach_the_staff_overview(world, role) -> None:
    user = world[role].user if hasattr(world[role], "user") else world[role]
    assert client_as(user).get(reverse("alliance:staff")).status_code == 403


def test_staff_without_two_factor_are_sent_to_set_it_up(world) -> None:
    response = client_as(world["staff without two-factor"]).get(reverse("alliance:staff"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_a_check_in_is_refused_once_answered_from_any_page(world) -> None:
    responder, checkin = world["responder"], world["checkin"]
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        checkins.checkin_skip(checkin=checkin, responder=responder)
        page = client_as(responder.user).get(reverse("alliance:checkin", args=[checkin.public_id]))
    assert page.status_code == 410


def test_a_therapist_without_two_factor_is_sent_to_set_it_up_before_the_check_ins(world) -> None:
    from tests.factories import TherapistFactory

    response = client_as(TherapistFactory().user).get(reverse("alliance:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    assert "next=" in response["Location"]


def test_a_therapist_with_two_factor_reads_their_check_ins(world) -> None:
    response = client_as(world["therapist user"]).get(reverse("alliance:dashboard"))
    assert response.status_code == 200
