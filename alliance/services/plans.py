"""Check-in plans that keep going: a check-in whose link expired lapses and the next is
planned, one reminder goes while a link still works, and plans stop when the therapist is
blocked or leaves (the responder is told once). The sweep runs all of it from Celery beat;
each step takes ids and is safe to run twice."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from alliance.models import (
    CheckIn,
    CheckInPlan,
)
from alliance.services.checkins import _add_checkin, _close, _stop_plan
from profiles.emails import send_templated_email

STOP_NOTICE_RETRY_MINUTES = 10


def _queue_stop_notice(plan_id: int) -> None:
    from alliance.tasks import tell_responder_checkins_stopped

    tell_responder_checkins_stopped.delay(plan_id)


def _checkin_lapse(checkin_id: int, now: dt.datetime) -> bool:
    """Let one check-in whose emailed link expired unanswered lapse, and plan the next."""
    with transaction.atomic():
        checkin = (
            CheckIn.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("plan")
            .filter(
                pk=checkin_id,
                status=CheckIn.Status.DUE,
                token_expires_at__lte=now,
                plan__stopped_at__isnull=True,
            )
            .first()
        )
        if checkin is None:
            return False
        _close(checkin, CheckIn.Status.LAPSED)
        checkin.save(update_fields=["status", "token_hash", "token_expires_at"])
        _add_checkin(checkin.plan, checkin.number + 1, now)
        return True


def checkins_lapse_expired(*, now: dt.datetime | None = None) -> int:
    """Move on every plan whose emailed link expired unanswered: that check-in lapses (it
    can no longer be answered) and the next one is planned, as after a skip. Safe to repeat.
    """
    now = now or timezone.now()
    expired = CheckIn.objects.filter(
        status=CheckIn.Status.DUE, token_expires_at__lte=now, plan__stopped_at__isnull=True
    ).values_list("pk", flat=True)
    return sum(_checkin_lapse(pk, now) for pk in list(expired))


def _reminder_due(now: dt.datetime) -> dict[str, object]:
    return {
        "status": CheckIn.Status.DUE,
        "reminded_at__isnull": True,
        "emailed_at__lte": now - dt.timedelta(days=settings.CHECKIN_REMINDER_DAYS),
        "token_expires_at__gt": now,
        "plan__stopped_at__isnull": True,
        "plan__responder__user__is_active": True,
    }


def checkin_remind(*, checkin_id: int, now: dt.datetime | None = None) -> bool:
    """Email the one reminder of a check-in still unanswered CHECKIN_REMINDER_DAYS after its
    email, while its link works; never a second time. The email names no one and links to
    the check-in on the site (sign-in needed), so the first link keeps working too."""
    now = now or timezone.now()
    with transaction.atomic():
        checkin = (
            CheckIn.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("plan__responder__user")
            .filter(pk=checkin_id, **_reminder_due(now))
            .first()
        )
        if checkin is None:
            return False
        checkin.reminded_at = now
        checkin.save(update_fields=["reminded_at"])
        send_templated_email(
            to=checkin.plan.responder.user.email,
            template="checkin-reminder",
            context={"checkin_path": reverse("alliance:checkin", args=[checkin.public_id])},
        )
        return True


def checkins_remind_due(*, now: dt.datetime | None = None) -> int:
    """Remind every check-in that needs its one reminder; safe to run twice."""
    now = now or timezone.now()
    waiting = CheckIn.objects.filter(**_reminder_due(now)).values_list("pk", flat=True)
    return sum(checkin_remind(checkin_id=pk, now=now) for pk in list(waiting))


@transaction.atomic
def checkins_stop_for_intro(*, intro_id: int, reason: str) -> CheckInPlan | None:
    """Stop the plan that follows one intro (the responder blocked the therapist).

    The responder did it themselves: their page says no more questions will come about
    this therapist (alliance.plan_selectors); no email is sent. None when no plan exists.
    """
    plan = CheckInPlan.objects.select_for_update().filter(intro_id=intro_id).first()
    if plan is not None and plan.stopped_at is None:
        _stop_plan(plan, timezone.now(), reason)
        plan.refresh_from_db()
    return plan


@transaction.atomic
def checkins_stop_for_therapist(*, therapist_id: int) -> list[int]:
    """The therapist closed their account: stop every running plan about them, and email
    each responder, once and after the commit, that no more questions will come."""
    plan_ids = list(
        CheckInPlan.objects.select_for_update()
        .filter(therapist_id=therapist_id, stopped_at__isnull=True)
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    for plan_id in plan_ids:
        _stop_plan(CheckInPlan(pk=plan_id), now, CheckInPlan.StopReason.THERAPIST_CLOSED)
        transaction.on_commit(lambda plan_id=plan_id: _queue_stop_notice(plan_id))
    return plan_ids


def checkins_stop_notify(*, plan_id: int) -> bool:
    """Tell the responder no more questions will come about a therapist who left: once, and
    saying only that (no name, no date); their page says which therapist."""
    with transaction.atomic():
        plan = (
            CheckInPlan.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("responder__user")
            .filter(
                pk=plan_id,
                stopped_reason=CheckInPlan.StopReason.THERAPIST_CLOSED,
                stop_notice_sent_at__isnull=True,
                responder__user__is_active=True,
            )
            .first()
        )
        if plan is None:
            return False
        plan.stop_notice_sent_at = timezone.now()
        plan.save(update_fields=["stop_notice_sent_at"])
        send_templated_email(
            to=plan.responder.user.email,
            template="checkins-stopped",
            context={"me_path": reverse("matching:me")},
        )
        return True


def checkins_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Beat: lapse expired links (the plan moves on), send due reminders, and send any
    notice of a stopped plan that was not sent. Each step is safe to run twice."""
    now = now or timezone.now()
    unsent = CheckInPlan.objects.filter(
        stopped_reason=CheckInPlan.StopReason.THERAPIST_CLOSED,
        stop_notice_sent_at__isnull=True,
        stopped_at__lte=now - dt.timedelta(minutes=STOP_NOTICE_RETRY_MINUTES),
        responder__user__is_active=True,
    ).values_list("pk", flat=True)
    return {
        "lapsed": checkins_lapse_expired(now=now),
        "reminded": checkins_remind_due(now=now),
        "stop_notices": sum(checkins_stop_notify(plan_id=pk) for pk in list(unsent)),
    }
