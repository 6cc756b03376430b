"""Sign-ins of therapists and staff end on time; a visitor's answers do not outlive the visit."""

from __future__ import annotations

import datetime as dt
from http.cookies import Morsel

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from matching.intake import Intake
from profiles.models import ResponderProfile
from profiles.tasks import clear_expired_sessions
from tests.factories import ResponderFactory, StaffFactory, TherapistFactory, listed_therapist

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def _signed_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


def _is_signed_out(response, path: str) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["therapist", "staff"])
def test_a_therapist_or_staff_sign_in_ends_after_thirty_idle_minutes(
    client: Client, who: str, staff_with_mfa
) -> None:
    user = TherapistFactory().user if who == "therapist" else staff_with_mfa
    url = reverse("profiles:editor" if who == "therapist" else "profiles:vetting_queue")
    with time_machine.travel(START, tick=False) as clock:
        _signed_in(client, user)
        assert client.get(url).status_code == 200
        clock.shift(dt.timedelta(minutes=29))
        assert client.get(url).status_code == 200  # activity moves the idle clock on
        clock.shift(dt.timedelta(minutes=29))
        assert client.get(url).status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        response = client.get(url)
    assert _is_signed_out(response, url)
    assert "_auth_user_id" not in client.session
    follow = client.get(response["Location"])
    assert "without activity" in follow.text


def test_a_therapist_sign_in_ends_after_twelve_hours_however_active(client: Client) -> None:
    user = TherapistFactory().user
    url = reverse("profiles:editor")
    with time_machine.travel(START, tick=False) as clock:
        _signed_in(client, user)
        for _ in range(12 * 60 // 20):
            assert client.get(url).status_code == 200
            clock.shift(dt.timedelta(minutes=20))
        clock.shift(dt.timedelta(minutes=1))  # 12 hours and a minute after signing in
        response = client.get(url)
    assert _is_signed_out(response, url)
    assert "_auth_user_id" not in client.session


def test_a_therapist_session_is_gone_from_the_server_after_the_idle_and_draft_limits(
    client: Client,
) -> None:
    """Refused from the idle limit on (above); kept on the server SESSION_DRAFT_SECONDS more,
    so that a save sent meanwhile is known to be theirs and kept (tests/profiles/test_drafts.py),
    then gone."""
    _signed_in(client, TherapistFactory().user)
    client.get(reverse("profiles:editor"))
    lifetime = settings.SESSION_IDLE_TIMEOUT_SECONDS + settings.SESSION_DRAFT_SECONDS
    assert client.session.get_expiry_age() == lifetime
    row = Session.objects.get(session_key=client.session.session_key)
    remaining = row.expire_date - timezone.now()
    assert dt.timedelta(seconds=lifetime - 60) < remaining <= dt.timedelta(seconds=lifetime)


def test_a_responder_is_not_signed_out_after_an_idle_hour(client: Client) -> None:
    responder = ResponderFactory()
    with time_machine.travel(START, tick=False) as clock:
        _signed_in(client, responder.user)
        assert client.get(reverse("matching:me")).status_code == 200
        clock.shift(dt.timedelta(hours=1))
        assert client.get(reverse("matching:me")).status_code == 200


def _answer_place(client: Client):
    return client.post(
        reverse("matching:intake_step", args=["place"]),
        {"state": "CO", "zip_code": "", "format_preference": "telehealth", "travel_miles": "25"},
    )


def test_a_visitors_answers_live_in_a_cookie_that_ends_with_the_browser(client: Client) -> None:
    assert _answer_place(client).status_code == 302
    cookie: Morsel = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert "Colorado" in client.get(reverse("matching:answers")).text


def test_clear_my_answers_forgets_a_visitors_answers(client: Client) -> None:
    listed_therapist()
    _answer_place(client)
    old_key = client.session.session_key
    for page in ("matching:answers", "matching:results"):
        assert "Clear my answers" in client.get(reverse(page)).text
    response = client.post(reverse("matching:clear_answers"))
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=old_key).exists()
    assert "Colorado" not in client.get(reverse("matching:answers")).text
    assert client.get(reverse("matching:results")).status_code == 302  # asks for a state again


def test_clear_my_answers_empties_a_responders_saved_answers(client: Client) -> None:
    responder = ResponderFactory(answers=Intake(state="CO").to_dict())
    _signed_in(client, responder.user)
    client.post(reverse("matching:clear_answers"))
    assert ResponderProfile.objects.get(pk=responder.pk).answers == {}


def test_clearing_answers_takes_a_post(client: Client) -> None:
    _answer_place(client)
    assert client.get(reverse("matching:clear_answers")).status_code == 405
    assert "Colorado" in client.get(reverse("matching:answers")).text


def test_expired_sessions_are_cleared_on_a_schedule(client: Client) -> None:
    schedule = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert "profiles.tasks.clear_expired_sessions" in schedule
    _answer_place(client)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    clear_expired_sessions()
    assert not Session.objects.filter(session_key=key).exists()


def test_flash_messages_are_kept_in_the_session_not_in_a_cookie(client: Client) -> None:
    StaffFactory()
    _answer_place(client)
    response = client.post(reverse("matching:clear_answers"))
    assert "messages" not in response.cookies
    page = client.get(response["Location"]).text
    assert "Your answers are cleared." in page
