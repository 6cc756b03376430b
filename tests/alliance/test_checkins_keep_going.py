"""Check-ins keep going: one reminder, an expired link moves the plan on, and a block or a
therapist leaving stops it with the responder told."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliance.models import RATING_FIELDS, CheckIn, CheckInPlan
from alliance.services import checkins
from alliance.tasks import email_due_checkins, sweep_checkins, tell_responder_checkins_stopped
from config.celery import app as celery_app
from devtools.delivery_drill import wait_until
from matching.intake import Intake
from matching.services import intros
from matching.services.accounts import therapist_account_close
from tests.factories import ResponderFactory, intro_through_service, listed_therapist

THERAPIST_NAME = "Morgan Fictional"


@pytest.fixture
def responder():
    return ResponderFactory(
        pseudonym="Dispatch Twelve", answers=Intake(state="CO", service="dispatch").to_dict()
    )


@pytest.fixture
def therapist():
    return listed_therapist(full_name=THERAPIST_NAME)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def accept(responder, therapist):
    intro = intro_through_service(responder, therapist)
    intros.intro_answer(intro=intro, decision="accepted", reply="Fictional: Monday works.")
    return intro


def days_later(days: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def emailed_on(day: float) -> None:
    """Beat emails the first check-in on this day after the acceptance."""
    with time_machine.travel(days_later(day)):
        assert email_due_checkins() == 1


@pytest.mark.django_db
def test_one_reminder_goes_after_the_set_days_and_never_twice(responder, therapist) -> None:
    accept(responder, therapist)
    emailed_on(15)
    reminder_day = 15 + settings.CHECKIN_REMINDER_DAYS
    with time_machine.travel(days_later(reminder_day - 0.5)):
        assert sweep_checkins()["reminded"] == 0
    with time_machine.travel(days_later(reminder_day + 0.1)):
        assert sweep_checkins()["reminded"] == 1
        assert sweep_checkins()["reminded"] == 0
    with time_machine.travel(days_later(reminder_day + 3)):
        assert sweep_checkins()["reminded"] == 0
    assert len(mail.outbox) == 2
    reminder = mail.outbox[-1]
    assert reminder.subject == "A quick question from Rapport is still waiting"
    assert reminder.to == [responder.user.email]
    everything = reminder.subject + reminder.body + reminder.alternatives[0][0]
    assert "Morgan" not in everything and "Fictional" not in everything
    path = re.search(r"https?://[^/\s]+(/me/check-ins/[^\s]+/)", reminder.body).group(1)
    with time_machine.travel(days_later(reminder_day + 0.2)):
        page = signed_in(responder.user).get(path)
    assert page.status_code == 200
    assert f"How is it going with {THERAPIST_NAME}?" in page.text


@pytest.mark.django_db
def test_no_reminder_for_an_answered_or_never_emailed_check_in(responder, therapist) -> None:
    accept(responder, therapist)
    with time_machine.travel(days_later(15 + settings.CHECKIN_REMINDER_DAYS + 1)):
        assert sweep_checkins()["reminded"] == 0  # due, but never emailed
    emailed_on(15)
    with time_machine.travel(days_later(16)):
        checkins.checkin_answer(
            checkin=CheckIn.objects.get(number=1),
            responder=responder,
            ratings=dict.fromkeys(RATING_FIELDS, 8),
            still_seeing=True,
            note="",
            shared=False,
        )
    with time_machine.travel(days_later(15 + settings.CHECKIN_REMINDER_DAYS + 1)):
        assert sweep_checkins()["reminded"] == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_snoozed_check_in_can_be_reminded_again_after_its_new_email(responder, therapist) -> None:
    accept(responder, therapist)
    emailed_on(15)
    with time_machine.travel(days_later(15 + settings.CHECKIN_REMINDER_DAYS + 0.1)):
        assert sweep_checkins()["reminded"] == 1
        checkins.checkin_snooze(checkin=CheckIn.objects.get(), responder=responder)
    assert CheckIn.objects.get().reminded_at is None
    with time_machine.travel(days_later(28)):
        assert email_due_checkins() == 1
    with time_machine.travel(days_later(28 + settings.CHECKIN_REMINDER_DAYS + 0.1)):
        assert sweep_checkins()["reminded"] == 1
    assert len(mail.outbox) == 4


@pytest.mark.django_db
def test_an_expired_link_moves_the_plan_on_to_the_next_check_in(responder, therapist) -> None:
    accept(responder, therapist)
    plan = CheckInPlan.objects.get()
    emailed_on(15)
    expiry_day = 15 + settings.CHECKIN_LINK_DAYS
    with time_machine.travel(days_later(expiry_day - 0.5)):
        assert sweep_checkins()["lapsed"] == 0
    with time_machine.travel(days_later(expiry_day + 0.1)):
        assert sweep_checkins()["lapsed"] == 1
        assert sweep_checkins()["lapsed"] == 0
    first = CheckIn.objects.get(number=1)
    assert first.status == CheckIn.Status.LAPSED
    assert first.token_hash == "" and first.token_expires_at is None
    second = CheckIn.objects.get(number=2)
    assert second.status == CheckIn.Status.DUE
    assert second.due_at - plan.accepted_at == dt.timedelta(days=settings.CHECKIN_SECOND_DAYS)
    plan.refresh_from_db()
    assert plan.stopped_at is None
    with time_machine.travel(days_later(settings.CHECKIN_SECOND_DAYS + 1)):
        assert email_due_checkins() == 1
    assert len(mail.outbox) == 3  # first email, its one reminder, the second check-in


@pytest.mark.django_db
def test_the_lapsed_check_in_can_no_longer_be_answered(responder, therapist) -> None:
    accept(responder, therapist)
    emailed_on(15)
    first = CheckIn.objects.get(number=1)
    with time_machine.travel(days_later(15 + settings.CHECKIN_LINK_DAYS + 1)):
        sweep_checkins()
        response = signed_in(responder.user).get(
            reverse("alliance:checkin", args=[first.public_id])
        )
    assert response.status_code == 410


@pytest.mark.django_db
def test_blocking_the_therapist_stops_the_plan_and_the_page_says_so(responder, therapist) -> None:
    intro = accept(responder, therapist)
    client = signed_in(responder.user)
    response = client.post(reverse("matching:my_intro_block", args=[intro.public_id]), follow=True)
    assert "no more check-in questions will come about them" in response.text
    plan = CheckInPlan.objects.get()
    assert plan.stopped_at is not None
    assert plan.stopped_reason == CheckInPlan.StopReason.BLOCKED
    assert CheckIn.objects.get().status == CheckIn.Status.STOPPED
    with time_machine.travel(days_later(15)):
        assert email_due_checkins() == 0
        assert sweep_checkins() == {"lapsed": 0, "reminded": 0, "stop_notices": 0}
        page = client.get(reverse("matching:me")).text
    assert f"No more questions will come about {THERAPIST_NAME}: you blocked them." in page
    assert f"How is it going with {THERAPIST_NAME}?" not in page
    assert not mail.outbox


@pytest.mark.django_db
def test_a_therapist_closing_their_account_stops_the_plan_and_tells_the_responder_once(
    responder, therapist, eager_celery, django_capture_on_commit_callbacks
) -> None:
    accept(responder, therapist)
    other_plan = accept(ResponderFactory(answers=Intake(state="CO").to_dict()), therapist)
    with django_capture_on_commit_callbacks(execute=True):
        therapist_account_close(user=therapist.user)
    assert set(CheckInPlan.objects.values_list("stopped_reason", flat=True)) == {
        CheckInPlan.StopReason.THERAPIST_CLOSED
    }
    assert not CheckIn.objects.filter(status=CheckIn.Status.DUE).exists()
    told = [m for m in mail.outbox if m.subject.startswith("No more questions")]
    assert sorted(m.to[0] for m in told) == sorted(
        [responder.user.email, other_plan.responder.user.email]
    )
    notice = told[0]
    everything = notice.subject + notice.body + notice.alternatives[0][0]
    assert "Morgan" not in everything and "Fictional" not in everything
    assert "no more questions about them" in notice.body
    # Running the task again, or the sweep, sends nothing more.
    plan = CheckInPlan.objects.get(responder=responder)
    assert tell_responder_checkins_stopped.delay(plan.pk).get() is False
    with time_machine.travel(days_later(1)):
        assert sweep_checkins()["stop_notices"] == 0
        assert email_due_checkins() == 0
        page = signed_in(responder.user).get(reverse("matching:me")).text
    assert len([m for m in mail.outbox if m.subject.startswith("No more questions")]) == 2
    assert f"No more questions will come about {THERAPIST_NAME}: they closed their account" in page


@pytest.mark.django_db
def test_a_notice_lost_with_the_broker_is_sent_by_the_sweep(responder, therapist) -> None:
    accept(responder, therapist)
    # The commit hooks never run here: as if the queued notice were lost.
    therapist_account_close(user=therapist.user)
    assert not [m for m in mail.outbox if m.subject.startswith("No more questions")]
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1)):
        assert sweep_checkins()["stop_notices"] == 0  # give the queued task its chance
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=30)):
        assert sweep_checkins()["stop_notices"] == 1
        assert sweep_checkins()["stop_notices"] == 0
    assert len([m for m in mail.outbox if m.subject.startswith("No more questions")]) == 1


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_tells_the_responder_after_the_commit(responder, therapist) -> None:
    accept(responder, therapist)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        therapist_account_close(user=therapist.user)
        wait_until(
            lambda: CheckInPlan.objects.filter(stop_notice_sent_at__isnull=False).exists(),
            seconds=20,
            what="the notice that check-ins stopped",
        )
    told = [m for m in mail.outbox if m.subject.startswith("No more questions")]
    assert [m.to for m in told] == [[responder.user.email]]


def test_beat_runs_the_check_in_sweep_through_a_registered_task() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["checkin-sweep"]
    assert entry["task"] == sweep_checkins.name
    assert entry["task"] in celery_app.tasks
    assert tell_responder_checkins_stopped.name in celery_app.tasks
