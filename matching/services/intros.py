"""Intro requests: saved first, delivered by Celery after the commit, answered, or expired.

Delivery is at least once and, in practice, exactly once: the task locks the request's row,
sends only if no delivery is recorded, and records the delivery in the same transaction
right after the mail server accepts the message. A beat sweep sends again what is still
not delivered after a few minutes, so a lost message or a Redis restart delays a request
but never loses it.
"""

from __future__ import annotations

import datetime as dt
import statistics
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from alliance.services.checkins import checkins_schedule
from matching.intake import Intake
from matching.models import IntroRequest, TherapistResponsiveness
from matching.selectors.intros import intro_refusal_reason
from matching.selectors.ranking import list_has_room, seeker_from
from matching.services.snapshots import intro_snapshot_take
from profiles.emails import send_templated_email
from profiles.models import AuditEntry, ResponderProfile, TherapistProfile, User
from profiles.selectors import therapists_listed
from profiles.services.audit import audit_record
from profiles.services.openings import therapist_opening_take

ANSWERED = (IntroRequest.Status.ACCEPTED, IntroRequest.Status.DECLINED)
DECIDED = (*ANSWERED, IntroRequest.Status.EXPIRED)
SECONDS_PER_HOUR = 3600
# Responsiveness is judged on this many of the latest requests that had an outcome.
RESPONSIVENESS_WINDOW_REQUESTS = 20


def _queue_delivery(intro_id: int) -> None:
    from matching.tasks import deliver_intro

    deliver_intro.delay(intro_id)


def _queue_responder_notice(intro_id: int) -> None:
    from matching.tasks import notify_responder

    notify_responder.delay(intro_id)


@transaction.atomic
def intro_create(
    *,
    responder: ResponderProfile,
    state: str,
    therapist_public_id: uuid.UUID,
    submission_token: uuid.UUID,
    message: str,
    contact_method: str,
    contact_email: str,
    contact_phone: str,
    contact_hours: frozenset[str],
    between_shifts: bool,
    ranking_intake: Intake | None = None,
    shown_rank: int | None = None,
) -> IntroRequest:
    """Save a request, then deliver it after the commit; the same form twice saves once.

    The request keeps a snapshot of the score it was made on (matching.services.snapshots):
    `ranking_intake` is what the list was ranked on (the responder's answers with the list's
    filters; their saved answers when not given), `shown_rank` the card's position in that
    list, or None when no rank was shown.

    A therapist holds at most PENDING_REQUESTS_PER_OPENING requests waiting per opening
    left. The therapist's row is locked before their requests are counted, so two
    responders asking for the last place at once are served one after the other: the
    second counts the first's request and is refused.
    """
    # One responder's submissions go one at a time, so the limits below hold under races.
    ResponderProfile.objects.select_for_update().get(pk=responder.pk)
    existing = IntroRequest.objects.filter(
        responder=responder, submission_token=submission_token
    ).first()
    if existing is not None:
        return existing
    intake = ranking_intake or Intake.from_dict(responder.answers)
    # Read before the therapist is locked: ranking a cold state must not hold their row.
    had_room = list_has_room(seeker=seeker_from(intake.updated(state=state)))
    therapist = (
        therapists_listed()
        .filter(public_id=therapist_public_id)
        .select_for_update(of=("self",))
        .first()
    )
    if therapist is None:
        raise ValidationError(
            "This therapist is not taking new requests through Rapport right now. "
            "Your next matches may be."
        )
    refusal = intro_refusal_reason(therapist=therapist, state=state)
    if refusal:
        raise ValidationError(refusal)
    open_requests = IntroRequest.objects.filter(
        responder=responder, status=IntroRequest.Status.PENDING
    )
    if open_requests.filter(therapist=therapist).exists():
        raise ValidationError("You already have a request waiting with this therapist.")
    if open_requests.count() >= settings.INTRO_MAX_OPEN:
        raise ValidationError(
            f"You have {settings.INTRO_MAX_OPEN} requests waiting for an answer. Withdraw one, "
            "or wait for an answer, before you send another."
        )
    now = timezone.now()
    intro = IntroRequest(
        responder=responder,
        therapist=therapist,
        submission_token=submission_token,
        message=message.strip(),
        contact_method=contact_method,
        contact_email=contact_email if contact_method == IntroRequest.ContactMethod.EMAIL else "",
        contact_phone=contact_phone if contact_method == IntroRequest.ContactMethod.PHONE else "",
        contact_hours=contact_hours,
        between_shifts=between_shifts,
        responder_service=Intake.from_dict(responder.answers).service,
        responder_state=state,
        list_had_room=had_room,
        created_at=now,
        expires_at=now + dt.timedelta(hours=settings.INTRO_EXPIRY_HOURS),
        last_queued_at=now,
    )
    intro.full_clean()
    intro.save()
    intro_snapshot_take(intro=intro, intake=intake, shown_rank=shown_rank)
    transaction.on_commit(lambda: _queue_delivery(intro.pk))
    return intro


def _therapist_email(intro: IntroRequest) -> EmailMultiAlternatives:
    context = {
        "site_url": settings.SITE_URL,
        "inbox_path": reverse("matching:inbox_detail", args=[intro.public_id]),
        "expiry_hours": settings.INTRO_EXPIRY_HOURS,
    }
    subject = " ".join(render_to_string("emails/intro-new-subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/intro-new-body.txt", context),
        to=[intro.therapist.user.email],
        # Identifies the request to mail tools; the id is random and says nothing.
        headers={"X-Rapport-Intro": str(intro.public_id)},
    )
    message.attach_alternative(render_to_string("emails/intro-new-body.html", context), "text/html")
    return message


def intro_deliver(*, intro_id: int) -> bool:
    """Email the therapist that a request is waiting; does nothing if already delivered.

    The delivery is recorded before the email goes, in the transaction that holds the row,
    and that transaction commits the moment the mail server accepts the message. If the
    server refuses it, the transaction rolls back and the request is still waiting. Only a
    crash between the server's acceptance and the commit (a fraction of a millisecond) can
    make a later attempt send it again: SMTP offers no way to close that gap entirely.
    """
    mail = get_connection()
    try:
        with transaction.atomic():
            intro = (
                IntroRequest.objects.select_for_update(of=("self",))
                .select_related("therapist__user")
                .filter(pk=intro_id)
                .first()
            )
            if intro is None or intro.delivered_at is not None:
                return False
            if intro.status != IntroRequest.Status.PENDING:
                return False
            _commit_without_waiting_for_disk()
            IntroRequest.objects.filter(pk=intro.pk).update(
                delivered_at=timezone.now(), delivery_attempts=F("delivery_attempts") + 1
            )
            mail.open()
            mail.send_messages([_therapist_email(intro)])
        return True
    finally:
        mail.close()


def _commit_without_waiting_for_disk() -> None:
    """Let this transaction's commit return before PostgreSQL flushes it to disk.

    It keeps the commit right after the mail server's acceptance as short as it can be. The
    record is only there to avoid sending twice: if the database itself crashed in the next
    instant and lost it, the cost would be one repeated email, never a lost request.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def intro_read(*, intro: IntroRequest, user: User) -> None:
    """Record that the therapist opened the request; every read is audited."""
    audit_record(
        actor=user,
        action=AuditEntry.Action.INTRO_READ,
        target_type="intro",
        target_id=intro.pk,
        therapist_id=intro.therapist_id,
    )
    if intro.first_read_at is None:
        IntroRequest.objects.filter(pk=intro.pk, first_read_at__isnull=True).update(
            first_read_at=timezone.now()
        )


@transaction.atomic
def intro_answer(*, intro: IntroRequest, decision: str, reply: str) -> IntroRequest:
    """Accept (with a next step) or decline (optionally naming a colleague).

    An accept takes one of the therapist's openings (profiles.services.openings); the last
    one taken closes them to new requests until they reopen.
    """
    if decision not in ANSWERED:
        raise ValidationError("Choose to accept or to decline.")
    intro = IntroRequest.objects.select_for_update().get(pk=intro.pk)
    if intro.status != IntroRequest.Status.PENDING:
        raise ValidationError("This request has already been answered, withdrawn or expired.")
    if intro.expires_at <= timezone.now():
        raise ValidationError("This request expired before it was answered.")
    intro.status = decision
    intro.answered_at = timezone.now()
    intro.therapist_reply = reply.strip()
    intro.full_clean()
    intro.save(update_fields=["status", "answered_at", "therapist_reply"])
    responsiveness_refresh(therapist_id=intro.therapist_id)
    if decision == IntroRequest.Status.ACCEPTED:
        therapist_opening_take(therapist_id=intro.therapist_id)
        checkins_schedule(
            intro_id=intro.pk,
            responder=intro.responder,
            therapist=intro.therapist,
            accepted_at=intro.answered_at,
            service=Intake.from_dict(intro.responder.answers).service,
        )
    transaction.on_commit(lambda: _queue_responder_notice(intro.pk))
    return intro


@transaction.atomic
def intro_withdraw(*, intro: IntroRequest) -> None:
    """The responder takes back a request still waiting for an answer."""
    updated = IntroRequest.objects.filter(pk=intro.pk, status=IntroRequest.Status.PENDING).update(
        status=IntroRequest.Status.WITHDRAWN
    )
    if not updated:
        raise ValidationError("Only a request still waiting for an answer can be withdrawn.")


def intro_withdrawn_notify(*, therapist_id: int) -> bool:
    """Tell a therapist a request to them was withdrawn: no name, message or date."""
    therapist = TherapistProfile.objects.select_related("user").filter(pk=therapist_id).first()
    if therapist is None or not therapist.user.is_active:
        return False
    send_templated_email(
        to=therapist.user.email,
        template="intro-withdrawn",
        context={"inbox_path": reverse("matching:inbox")},
    )
    return True


def intro_notify_responder(*, intro_id: int) -> bool:
    """Tell the responder their request was answered or expired; once, and without content."""
    with transaction.atomic():
        intro = (
            IntroRequest.objects.select_for_update(of=("self",))
            .select_related("responder__user")
            .filter(pk=intro_id, status__in=DECIDED, responder_notified_at__isnull=True)
            .first()
        )
        if intro is None:
            return False
        send_templated_email(
            to=intro.responder.user.email,
            template="intro-expired"
            if intro.status == IntroRequest.Status.EXPIRED
            else "intro-answered",
            context={
                "requests_path": reverse("matching:my_intros"),
                "matches_path": reverse("matching:results"),
            },
        )
        IntroRequest.objects.filter(pk=intro.pk).update(responder_notified_at=timezone.now())
        return True


def responsiveness_refresh(*, therapist_id: int) -> TherapistResponsiveness:
    """Recount the last requests with an outcome: how many were answered (the rest expired
    unanswered), and the median time to answer."""
    last = (
        IntroRequest.objects.filter(therapist_id=therapist_id, status__in=DECIDED)
        .order_by("-created_at", "-pk")
        .values_list("status", "answered_at", "delivered_at", "created_at")[
            :RESPONSIVENESS_WINDOW_REQUESTS
        ]
    )
    decided = list(last)
    hours = [
        (answered_at - (delivered_at or created_at)).total_seconds() / SECONDS_PER_HOUR
        for status, answered_at, delivered_at, created_at in decided
        if status in ANSWERED
    ]
    stats, _ = TherapistResponsiveness.objects.update_or_create(
        therapist_id=therapist_id,
        defaults={
            "decided": len(decided),
            "answered": len(hours),
            "median_answer_hours": statistics.median(hours) if hours else None,
        },
    )
    return stats


def intro_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Expire what waited too long, and queue again what was not delivered or not notified.

    Runs from beat every minute; every step is safe to repeat.
    """
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.INTRO_REQUEUE_AFTER_SECONDS)
    counts = {"expired": 0, "requeued": 0, "renotified": 0}

    with transaction.atomic():
        expiring = list(
            IntroRequest.objects.select_for_update(skip_locked=True)
            .filter(status=IntroRequest.Status.PENDING, expires_at__lte=now)
            .values_list("pk", "therapist_id")
        )
        IntroRequest.objects.filter(pk__in=[pk for pk, _ in expiring]).update(
            status=IntroRequest.Status.EXPIRED
        )
        for therapist_id in {therapist_id for _, therapist_id in expiring}:
            responsiveness_refresh(therapist_id=therapist_id)
        for pk, _ in expiring:
            transaction.on_commit(lambda pk=pk: _queue_responder_notice(pk))
        counts["expired"] = len(expiring)

    with transaction.atomic():
        undelivered = list(
            IntroRequest.objects.select_for_update(skip_locked=True)
            .filter(status=IntroRequest.Status.PENDING, delivered_at__isnull=True)
            .filter(Q(last_queued_at__isnull=True) | Q(last_queued_at__lte=stale))
            .values_list("pk", flat=True)
        )
        IntroRequest.objects.filter(pk__in=undelivered).update(last_queued_at=now)
        for pk in undelivered:
            transaction.on_commit(lambda pk=pk: _queue_delivery(pk))
        counts["requeued"] = len(undelivered)

    unnotified = list(
        IntroRequest.objects.filter(status__in=DECIDED, responder_notified_at__isnull=True)
        .filter(Q(answered_at__lte=stale) | Q(answered_at__isnull=True, expires_at__lte=stale))
        .values_list("pk", flat=True)
    )
    for pk in unnotified:
        _queue_responder_notice(pk)
    counts["renotified"] = len(unnotified)
    return counts
