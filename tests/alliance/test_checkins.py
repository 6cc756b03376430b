"""Check-ins: scheduled on acceptance, emailed once with a one-time link, answered once."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliance.models import CheckIn, CheckInPlan
from alliance.services import checkins
from alliance.tasks import email_due_checkins
from matching.intake import Intake
from matching.services import intros
from tests.factories import ResponderFactory, intro_through_service, listed_therapist

pytestmark = pytest.mark.django_db

PRIVATE_NOTE = "Fictional: I did not tell them about the second call"
STRONG = {"respect_trust": 9, "collaboration": 8, "empathy": 9, "adaptability": 8, "fit": 9}


@pytest.fixture
def responder():
    return ResponderFactory(
        pseudonym="Dispatch Twelve", answers=Intake(state="CO", service="dispatch").to_dict()
    )


@pytest.fixture
def therapist():
    return listed_therapist(full_name="Morgan Fictional")


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def accept(responder, therapist, when: dt.datetime | None = None):
    intro = intro_through_service(responder, therapist)
    with time_machine.travel(when or timezone.now(), tick=False):
        intros.intro_answer(intro=intro, decision="accepted", reply="I will call on Monday.")
    return intro


def due_link(after_days: int = 15) -> str:
    """Run the beat task some days after acceptance; the link from the one email sent."""
    with time_machine.travel(timezone.now() + dt.timedelta(days=after_days)):
        sent = email_due_checkins()
    assert sent == 1
    body = mail.outbox[-1].body
    return re.search(r"https?://[^/\s]+(/check-in/[^\s]+/)", body).group(1)


def answer_data(**overrides) -> dict:
    return {"met": "yes", **STRONG, "still_seeing": "yes", "note": PRIVATE_NOTE, **overrides}


def test_accepting_an_intro_plans_the_first_check_in_two_weeks_later(responder, therapist):
    intro = accept(responder, therapist)
    plan = CheckInPlan.objects.get(intro_id=intro.pk)
    assert plan.responder == responder and plan.therapist == therapist
    assert plan.service == "dispatch"
    first = plan.checkins.get()
    assert first.kind == CheckIn.Kind.FIRST
    assert first.due_at - plan.accepted_at == dt.timedelta(days=14)


def test_a_declined_or_waiting_intro_plans_nothing(responder, therapist):
    declined = intro_through_service(responder, therapist)
    intros.intro_answer(intro=declined, decision="declined", reply="Try a colleague.")
    intro_through_service(responder, listed_therapist())
    assert not CheckInPlan.objects.exists()
    assert not CheckIn.objects.exists()


def test_scheduling_twice_plans_once(responder, therapist):
    intro = accept(responder, therapist)
    checkins.checkins_schedule(
        intro_id=intro.pk,
        responder=responder,
        therapist=therapist,
        accepted_at=timezone.now(),
        service="",
    )
    assert CheckInPlan.objects.count() == 1
    assert CheckIn.objects.count() == 1


def test_the_email_is_neutral_and_sent_once(responder, therapist):
    accept(responder, therapist)
    with time_machine.travel(timezone.now() + dt.timedelta(days=13)):
        assert email_due_checkins() == 0
    due_link()
    message = mail.outbox[-1]
    assert message.subject == "A quick question from Rapport"
    assert message.to == [responder.user.email]
    everything = message.subject + message.body + message.alternatives[0][0]
    assert "Morgan" not in everything and "Fictional" not in everything
    with time_machine.travel(timezone.now() + dt.timedelta(days=16)):
        assert email_due_checkins() == 0
    assert len(mail.outbox) == 1


def test_only_the_hash_of_the_emailed_token_is_stored(responder, therapist):
    accept(responder, therapist)
    link = due_link()
    token = link.split("/")[2]
    stored = CheckIn.objects.get()
    assert stored.token_hash == checkins.token_hash(token)
    assert token not in stored.token_hash


def test_the_link_opens_records_the_answers_and_cannot_be_used_twice(
    responder, therapist, client_for
):
    accept(responder, therapist)
    link = due_link()
    client = client_for(responder.user)
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        page = client.get(link)
        assert page.status_code == 200
        assert "How is it going with Morgan Fictional?" in page.text
        response = client.post(link, answer_data())
        checkin = CheckIn.objects.get(number=1)
        assert response.status_code == 302
        assert response["Location"] == reverse("alliance:checkin_done", args=[checkin.public_id])
        assert checkin.status == CheckIn.Status.ANSWERED
        assert checkin.ratings == STRONG
        assert checkin.shared is False and checkin.weak is False
        assert checkin.token_hash == ""
        again = client.post(link, answer_data(empathy="2"))
        assert again.status_code == 410
        assert "This link no longer works" in again.text
        assert client.get(link).status_code == 410
    assert CheckIn.objects.get(number=1).empathy == 9
    # The next one is planned: about six weeks after the acceptance.
    second = CheckIn.objects.get(number=2)
    assert second.kind == CheckIn.Kind.SECOND
    assert second.due_at - second.plan.accepted_at == dt.timedelta(days=42)


def test_the_note_is_encrypted_and_never_emailed(responder, therapist, client_for):
    accept(responder, therapist)
    link = due_link()
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        client_for(responder.user).post(link, answer_data())
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM alliance_checkin WHERE number = 1")
        (stored,) = cursor.fetchone()
    assert "second call" not in stored
    assert CheckIn.objects.get(number=1).note == PRIVATE_NOTE
    for message in mail.outbox:
        assert "second call" not in message.body


def test_a_forged_token_gets_the_clear_page_and_records_nothing(responder, therapist, client_for):
    accept(responder, therapist)
    due_link()
    client = client_for(responder.user)
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        forged = reverse("alliance:checkin_link", args=["not-a-real-token-" + "x" * 30])
        response = client.post(forged, answer_data())
    assert response.status_code == 410
    assert "This link no longer works" in response.text
    assert CheckIn.objects.get().status == CheckIn.Status.DUE


def test_an_expired_link_records_nothing(responder, therapist, client_for):
    accept(responder, therapist)
    link = due_link()
    with time_machine.travel(timezone.now() + dt.timedelta(days=15 + 15)):
        response = client_for(responder.user).post(link, answer_data())
    assert response.status_code == 410
    assert CheckIn.objects.get().status == CheckIn.Status.DUE


def test_another_responder_with_the_link_records_nothing(responder, therapist, client_for):
    accept(responder, therapist)
    link = due_link()
    other = ResponderFactory(answers=Intake(state="CO").to_dict())
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        response = client_for(other.user).post(link, answer_data())
    assert response.status_code == 410
    assert CheckIn.objects.get().status == CheckIn.Status.DUE


def test_an_answer_out_of_range_is_refused_and_shown_back(responder, therapist, client_for):
    accept(responder, therapist)
    link = due_link()
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        response = client_for(responder.user).post(link, answer_data(empathy="11", fit="-1"))
    assert response.status_code == 200
    for name in ("empathy", "fit"):
        error = f'id="id_{name}_error"><p><span class="visually-hidden">Error: </span>Choose'
        assert error in response.text
    assert CheckIn.objects.get().status == CheckIn.Status.DUE


def test_the_service_refuses_out_of_range_and_other_responders(responder, therapist):
    accept(responder, therapist)
    checkin = CheckIn.objects.get()
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        with pytest.raises(ValidationError):
            checkins.checkin_answer(
                checkin=checkin,
                responder=responder,
                ratings={**STRONG, "fit": 11},
                still_seeing=True,
                note="",
                shared=False,
            )
        with pytest.raises(PermissionDenied):
            checkins.checkin_answer(
                checkin=checkin,
                responder=ResponderFactory(),
                ratings=STRONG,
                still_seeing=True,
                note="",
                shared=False,
            )
    assert CheckIn.objects.get().status == CheckIn.Status.DUE


def test_a_check_in_not_yet_due_cannot_be_answered(responder, therapist):
    accept(responder, therapist)
    with pytest.raises(ValidationError):
        checkins.checkin_answer(
            checkin=CheckIn.objects.get(),
            responder=responder,
            ratings=STRONG,
            still_seeing=True,
            note="",
            shared=False,
        )


def test_not_yet_met_snoozes_a_week_at_most_twice_then_stops(responder, therapist, client_for):
    accept(responder, therapist)
    client = client_for(responder.user)
    now = timezone.now() + dt.timedelta(days=15)
    for snoozed in (1, 2):
        checkin = CheckIn.objects.get()
        with time_machine.travel(now, tick=False):
            client.post(reverse("alliance:checkin", args=[checkin.public_id]), {"met": "not_yet"})
        checkin.refresh_from_db()
        assert checkin.snoozes == snoozed
        assert checkin.due_at == now + dt.timedelta(days=7)
        assert checkin.emailed_at is None
        now += dt.timedelta(days=8)
    with time_machine.travel(now, tick=False):
        client.post(reverse("alliance:checkin", args=[checkin.public_id]), {"met": "not_yet"})
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.STOPPED
    assert CheckInPlan.objects.get().stopped_at is not None


def test_skip_plans_the_next_and_stop_ends_them_all(responder, therapist, client_for):
    accept(responder, therapist)
    client = client_for(responder.user)
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        first = CheckIn.objects.get()
        client.post(reverse("alliance:checkin_action", args=[first.public_id, "skip"]))
        first.refresh_from_db()
        assert first.status == CheckIn.Status.SKIPPED
    second = CheckIn.objects.get(number=2)
    with time_machine.travel(timezone.now() + dt.timedelta(days=43)):
        client.post(reverse("alliance:checkin_action", args=[second.public_id, "stop"]))
        assert email_due_checkins() == 0
    second.refresh_from_db()
    assert second.status == CheckIn.Status.STOPPED
    assert CheckIn.objects.count() == 2


def test_no_longer_seeing_them_ends_the_check_ins(responder, therapist, client_for):
    accept(responder, therapist)
    checkin = CheckIn.objects.get()
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        client_for(responder.user).post(
            reverse("alliance:checkin", args=[checkin.public_id]),
            answer_data(still_seeing="no"),
        )
    assert CheckIn.objects.get().status == CheckIn.Status.ANSWERED
    assert CheckInPlan.objects.get().stopped_at is not None
    assert CheckIn.objects.count() == 1


def test_quarterly_check_ins_follow_the_second(responder, therapist):
    accept(responder, therapist)
    now = timezone.now()
    for number, days in ((1, 15), (2, 43), (3, 43 + 91)):
        checkin = CheckIn.objects.get(number=number)
        with time_machine.travel(now + dt.timedelta(days=days)):
            checkins.checkin_skip(checkin=checkin, responder=responder)
    kinds = list(CheckIn.objects.order_by("number").values_list("kind", flat=True))
    assert kinds == ["first", "second", "quarterly", "quarterly"]
    third, fourth = CheckIn.objects.filter(number__in=(3, 4)).order_by("number")
    assert fourth.due_at - third.due_at == dt.timedelta(days=91)


def test_a_weak_check_in_gets_the_kind_page_and_a_rematch_without_the_therapist(
    responder, therapist, client_for
):
    accept(responder, therapist)
    checkin = CheckIn.objects.get()
    client = client_for(responder.user)
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        response = client.post(
            reverse("alliance:checkin", args=[checkin.public_id]), answer_data(empathy="3")
        )
        page = client.get(response["Location"])
    assert CheckIn.objects.get(number=1).weak is True
    assert "This is common" in page.text or "That is common" in page.text
    assert "worth raising with Morgan Fictional" in page.text
    assert f"/matches/?without={therapist.public_id}" in page.text


def test_a_drop_of_three_since_the_last_check_in_is_weak(responder, therapist, client_for):
    accept(responder, therapist)
    client = client_for(responder.user)
    now = timezone.now()
    with time_machine.travel(now + dt.timedelta(days=15)):
        first = CheckIn.objects.get(number=1)
        client.post(reverse("alliance:checkin", args=[first.public_id]), answer_data())
    with time_machine.travel(now + dt.timedelta(days=43)):
        second = CheckIn.objects.get(number=2)
        client.post(reverse("alliance:checkin", args=[second.public_id]), answer_data(fit="6"))
    assert CheckIn.objects.get(number=1).weak is False
    assert CheckIn.objects.get(number=2).weak is True


def test_nothing_about_a_weak_check_in_goes_to_the_therapist(responder, therapist, client_for):
    accept(responder, therapist)
    checkin = CheckIn.objects.get()
    outbox_before = len(mail.outbox)
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        client_for(responder.user).post(
            reverse("alliance:checkin", args=[checkin.public_id]), answer_data(empathy="1")
        )
    assert len(mail.outbox) == outbox_before
    dashboard = client_for(therapist.user).get(reverse("alliance:dashboard"))
    assert "Dispatch Twelve" not in dashboard.text


def test_the_responders_page_lists_due_check_ins(responder, therapist, client_for):
    accept(responder, therapist)
    client = client_for(responder.user)
    assert "How is it going with Morgan Fictional?" not in client.get(reverse("matching:me")).text
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        page = client.get(reverse("matching:me")).text
    assert "How is it going with Morgan Fictional?" in page


def test_a_deleted_responder_leaves_only_anonymous_ratings(responder, therapist, client_for):
    accept(responder, therapist)
    checkin = CheckIn.objects.get()
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        client_for(responder.user).post(
            reverse("alliance:checkin", args=[checkin.public_id]), answer_data(shared="on")
        )
    responder.user.delete()
    kept = CheckIn.objects.get(number=1)
    assert kept.plan.responder is None
    assert kept.note == "" and kept.shared is False
    assert kept.ratings == STRONG
    assert CheckIn.objects.get(number=2).status == CheckIn.Status.STOPPED


def test_beat_emails_due_check_ins_through_a_registered_task() -> None:
    from django.conf import settings

    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["checkin-emails"]
    assert entry["task"] == email_due_checkins.name
    assert entry["task"] in app.tasks


def test_the_beat_task_sends_each_due_check_in_once(responder, therapist, eager_celery) -> None:
    accept(responder, therapist)
    CheckIn.objects.update(due_at=timezone.now() - dt.timedelta(minutes=5))
    assert email_due_checkins.delay().get() == 1
    assert email_due_checkins.delay().get() == 0
    assert len(mail.outbox) == 1


def test_no_note_or_answer_reaches_a_log_line(responder, therapist, client_for, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    accept(responder, therapist)
    link = due_link()
    client = client_for(responder.user)
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        client.post(link, answer_data(empathy="12"))  # refused first
        client.post(link, answer_data(empathy="7"))
    assert CheckIn.objects.get(number=1).empathy == 7
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "second call" not in logged
    assert "empathy" not in logged


def test_a_deactivated_responder_is_not_emailed(responder, therapist) -> None:
    accept(responder, therapist)
    responder.user.is_active = False
    responder.user.save()
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        assert email_due_checkins() == 0
    assert not mail.outbox
