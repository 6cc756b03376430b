from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from profiles.selectors import therapist_is_listed, therapists_due_confirmation_reminder
from profiles.tasks import queue_confirmation_reminders, send_confirmation_reminder
from tests.factories import listed_therapist

pytestmark = pytest.mark.django_db


def test_a_reminder_goes_out_after_30_days_once() -> None:
    therapist = listed_therapist()
    with time_machine.travel(timezone.now() + dt.timedelta(days=29)):
        assert queue_confirmation_reminders() == 0
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        assert therapists_due_confirmation_reminder() == [therapist.pk]
        assert send_confirmation_reminder(therapist.pk) is True
        assert send_confirmation_reminder(therapist.pk) is False
        assert queue_confirmation_reminders() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [therapist.user.email]
    assert "/therapist/profile/" in message.body
    assert message.alternatives[0][1] == "text/html"


def test_the_reminder_carries_nothing_but_a_link() -> None:
    therapist = listed_therapist(full_name="Casey Fictional", bio="Specific bio text")
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        send_confirmation_reminder(therapist.pk)
    body = mail.outbox[0].body + mail.outbox[0].alternatives[0][0]
    assert "Specific bio text" not in body and "Casey" not in body


def test_confirming_again_allows_the_next_reminder() -> None:
    from profiles.services.therapists import therapist_confirm

    therapist = listed_therapist()
    later = timezone.now() + dt.timedelta(days=31)
    with time_machine.travel(later):
        send_confirmation_reminder(therapist.pk)
        therapist.refresh_from_db()
        therapist_confirm(therapist=therapist)
    with time_machine.travel(later + dt.timedelta(days=31)):
        assert send_confirmation_reminder(therapist.pk) is True
    assert len(mail.outbox) == 2


def test_a_profile_unconfirmed_for_45_days_is_no_longer_listed() -> None:
    therapist = listed_therapist()
    with time_machine.travel(timezone.now() + dt.timedelta(days=44)):
        assert therapist_is_listed(therapist=therapist)
    with time_machine.travel(timezone.now() + dt.timedelta(days=46)):
        assert not therapist_is_listed(therapist=therapist)
