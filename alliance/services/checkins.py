"""Check-ins after an accepted intro: scheduled, emailed with a one-time link, answered.

The matching app calls `checkins_schedule` when a therapist accepts an intro, passing the
ids it needs; this module never reads intros. Every write here is a service: keyword-only,
validated, atomic. Answers, notes and sharing choices never go into an email, a log line
or a URL: the email says only that a question waits, and links to it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from alliance.aggregation import is_weak
from alliance.models import (
    RATING_FIELDS,
    RATING_MAX,
    WELLBEING_FIELDS,
    CheckIn,
    CheckInPlan,
    token_hash,
)
from alliance.services.totals import released_totals_refresh
from profiles.emails import send_templated_email
from profiles.models import ResponderProfile, TherapistProfile

SNOOZE_DAYS = 7
SNOOZES_MAX = 2
DAYS_BETWEEN_CHECKINS_MIN = 7  # a late answer never brings the next one closer than this
TOKEN_BYTES = 32


def _due_after_acceptance(number: int) -> dt.timedelta:
    """When check-in `number` falls due, counted from the acceptance."""
    if number == 1:
        return dt.timedelta(days=settings.CHECKIN_FIRST_DAYS)
    second = dt.timedelta(days=settings.CHECKIN_SECOND_DAYS)
    return second + dt.timedelta(days=settings.CHECKIN_REPEAT_DAYS * (number - 2))


def _kind(number: int) -> str:
    return {1: CheckIn.Kind.FIRST, 2: CheckIn.Kind.SECOND}.get(number, CheckIn.Kind.QUARTERLY)


def _add_checkin(plan: CheckInPlan, number: int, now: dt.datetime) -> CheckIn:
    due = max(
        plan.accepted_at + _due_after_acceptance(number),
        now + dt.timedelta(days=DAYS_BETWEEN_CHECKINS_MIN if number > 1 else 0),
    )
    checkin, _ = CheckIn.objects.get_or_create(
        plan=plan, number=number, defaults={"kind": _kind(number), "due_at": due}
    )
    return checkin


@transaction.atomic
def checkins_schedule(
    *,
    intro_id: int,
    responder: ResponderProfile,
    therapist: TherapistProfile,
    accepted_at: dt.datetime,
    service: str,
) -> CheckInPlan:
    """Plan the check-ins that follow an accepted intro; a second call changes nothing.

    A responder's plans with one therapist share one batch key, so they count as one
    responder in the release batches, before and after any deletion.
    """
    earlier = CheckInPlan.objects.filter(responder=responder, therapist=therapist).first()
    plan, created = CheckInPlan.objects.get_or_create(
        intro_id=intro_id,
        defaults={
            "responder": responder,
            "therapist": therapist,
            "accepted_at": accepted_at,
            "service": service,
            **({"batch_key": earlier.batch_key} if earlier else {}),
        },
    )
    if created:
        plan.full_clean()
        _add_checkin(plan, 1, accepted_at)
    return plan


def _checkin_email(checkin_id: int, now: dt.datetime) -> bool:
    """Email one due check-in's link, once; the row stays locked until the server accepts."""
    with transaction.atomic():
        checkin = (
            CheckIn.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("plan__responder__user")
            .filter(
                pk=checkin_id,
                status=CheckIn.Status.DUE,
                due_at__lte=now,
                emailed_at__isnull=True,
                plan__stopped_at__isnull=True,
                plan__responder__user__is_active=True,
            )
            .first()
        )
        if checkin is None:
            return False
        token = secrets.token_urlsafe(TOKEN_BYTES)
        checkin.token_hash = token_hash(token)
        checkin.token_expires_at = now + dt.timedelta(days=settings.CHECKIN_LINK_DAYS)
        checkin.emailed_at = now
        checkin.save(update_fields=["token_hash", "token_expires_at", "emailed_at"])
        send_templated_email(
            to=checkin.plan.responder.user.email,
            template="checkin-due",
            context={
                "checkin_path": reverse("alliance:checkin_link", args=[token]),
                "link_days": settings.CHECKIN_LINK_DAYS,
            },
        )
        return True


def checkins_email_due(*, now: dt.datetime | None = None) -> int:
    """Email every due check-in not yet emailed; safe to run twice (beat runs it hourly)."""
    now = now or timezone.now()
    due = CheckIn.objects.filter(
        status=CheckIn.Status.DUE,
        due_at__lte=now,
        emailed_at__isnull=True,
        plan__stopped_at__isnull=True,
        plan__responder__user__is_active=True,
    ).values_list("pk", flat=True)
    return sum(_checkin_email(pk, now) for pk in list(due))


def _open_checkin_for(checkin: CheckIn, responder: ResponderProfile) -> CheckIn:
    """The check-in locked for a write, if it is this responder's and still open."""
    locked = (
        CheckIn.objects.select_for_update(of=("self",))
        .select_related("plan")
        .filter(pk=checkin.pk)
        .first()
    )
    if locked is None or locked.plan.responder_id != responder.pk:
        raise PermissionDenied
    if locked.status != CheckIn.Status.DUE or locked.plan.stopped_at is not None:
        raise ValidationError("This check-in is already answered, skipped or stopped.")
    if locked.due_at > timezone.now():
        raise ValidationError("This check-in is not due yet.")
    return locked


def _close(checkin: CheckIn, status: str) -> None:
    checkin.status = status
    checkin.token_hash = ""
    checkin.token_expires_at = None


@transaction.atomic
def checkin_answer(
    *,
    checkin: CheckIn,
    responder: ResponderProfile,
    ratings: dict[str, int],
    still_seeing: bool,
    note: str,
    shared: bool,
    wellbeing: Mapping[str, int | None] | None = None,
) -> CheckIn:
    """Record the responder's answers, once; plan the next check-in if they still meet.

    `wellbeing` holds the optional questions on how things are going for the responder
    (WELLBEING_FIELDS, each 0 to 10 or None). They are kept for the staff report only: the
    ranking and the released totals never read them, and the therapist never sees them.
    """
    checkin = _open_checkin_for(checkin, responder)
    if set(ratings) != set(RATING_FIELDS):
        raise ValidationError("Answer every question from 0 to 10.")
    for value in ratings.values():
        if not isinstance(value, int) or not 0 <= value <= RATING_MAX:
            raise ValidationError("Each answer is a number from 0 to 10.")
    wellbeing = dict(wellbeing or {})
    if not set(wellbeing) <= set(WELLBEING_FIELDS):
        raise ValidationError("Unknown question about how things are going.")
    for value in wellbeing.values():
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= RATING_MAX
        ):
            raise ValidationError("Each answer about how things are going is from 0 to 10.")
    previous = (
        CheckIn.objects.filter(plan=checkin.plan, status=CheckIn.Status.ANSWERED)
        .order_by("-number")
        .first()
    )
    now = timezone.now()
    for name, value in ratings.items():
        setattr(checkin, name, value)
    for name in WELLBEING_FIELDS:
        setattr(checkin, name, wellbeing.get(name))
    checkin.still_seeing = still_seeing
    checkin.note = note.strip()
    checkin.shared = shared
    checkin.answered_at = now
    checkin.weak = is_weak(ratings, previous.ratings if previous else None)
    _close(checkin, CheckIn.Status.ANSWERED)
    checkin.full_clean()
    checkin.save()
    if still_seeing:
        _add_checkin(checkin.plan, checkin.number + 1, now)
    else:
        _stop_plan(checkin.plan, now, CheckInPlan.StopReason.NOT_SEEING)
    released_totals_refresh(therapist_id=checkin.plan.therapist_id)
    return checkin


@transaction.atomic
def checkin_snooze(*, checkin: CheckIn, responder: ResponderProfile) -> CheckIn:
    """Ask again in a week, at most twice; after that, stop asking about this therapist."""
    checkin = _open_checkin_for(checkin, responder)
    now = timezone.now()
    if checkin.snoozes >= SNOOZES_MAX:
        _close(checkin, CheckIn.Status.STOPPED)
        checkin.save()
        _stop_plan(checkin.plan, now, CheckInPlan.StopReason.NOT_MET)
        return checkin
    checkin.snoozes += 1
    checkin.due_at = now + dt.timedelta(days=SNOOZE_DAYS)
    checkin.emailed_at = None
    checkin.reminded_at = None
    _close(checkin, CheckIn.Status.DUE)
    checkin.save()
    return checkin


@transaction.atomic
def checkin_skip(*, checkin: CheckIn, responder: ResponderProfile) -> CheckIn:
    """Let this check-in go unanswered; the next one comes as planned."""
    checkin = _open_checkin_for(checkin, responder)
    _close(checkin, CheckIn.Status.SKIPPED)
    checkin.save()
    _add_checkin(checkin.plan, checkin.number + 1, timezone.now())
    return checkin


@transaction.atomic
def checkins_stop(*, checkin: CheckIn, responder: ResponderProfile) -> CheckInPlan:
    """No more check-ins about this therapist."""
    checkin = _open_checkin_for(checkin, responder)
    _stop_plan(checkin.plan, timezone.now(), CheckInPlan.StopReason.RESPONDER)
    return checkin.plan


def _stop_plan(plan: CheckInPlan, now: dt.datetime, reason: str = "") -> None:
    CheckInPlan.objects.filter(pk=plan.pk, stopped_at__isnull=True).update(
        stopped_at=now, stopped_reason=reason
    )
    CheckIn.objects.filter(plan=plan, status=CheckIn.Status.DUE).update(
        status=CheckIn.Status.STOPPED, token_hash="", token_expires_at=None
    )


def checkins_forget_responder(*, responder_id: int) -> None:
    """Before a responder's profile goes: drop their notes and shares, stop their plans.

    The ratings stay, with no link to anyone, and count only in aggregates.
    """
    now = timezone.now()
    CheckIn.objects.filter(plan__responder_id=responder_id).update(note="", shared=False)
    for plan in CheckInPlan.objects.filter(responder_id=responder_id, stopped_at__isnull=True):
        _stop_plan(plan, now, CheckInPlan.StopReason.ACCOUNT_DELETED)


# Keeping the plan going (issue 26): a reminder, expired links that move the plan on, and
# plans that stop when the responder blocks the therapist or the therapist leaves.

# A notice of a stopped plan not sent this long after the stop (Redis was down, say) is sent
# by the sweep instead.
