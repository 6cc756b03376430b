"""The short thread of an accepted intro: a few messages each way until the first session.

A message is saved first; the other side is emailed after the commit, by Celery, that a
message is waiting, never what it says. The thread closes when either side marks the first
session arranged or closes it; a responder may also block the therapist, who then can send
nothing more and no longer sees the responder's contact details.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from alliance.models import CheckInPlan
from alliance.services.plans import checkins_stop_for_intro
from matching.models import IntroMessage, IntroRequest, Side, ThreadClosed
from profiles.emails import send_templated_email


def _queue_message_notice(message_id: int) -> None:
    from matching.tasks import notify_intro_message

    notify_intro_message.delay(message_id)


def _locked(intro: IntroRequest) -> IntroRequest:
    return IntroRequest.objects.select_for_update().get(pk=intro.pk)


@transaction.atomic
def thread_message_send(*, intro: IntroRequest, sender: str, body: str) -> IntroMessage:
    """Save one message of an open thread; the other side is emailed after the commit."""
    intro = _locked(intro)
    if not intro.is_accepted:
        raise ValidationError("Messages open once the therapist accepts the request.")
    if sender == Side.THERAPIST and intro.responder_blocked_at is not None:
        raise ValidationError("The responder closed this conversation.")
    if intro.thread_closed_at is not None:
        raise ValidationError("This conversation is closed.")
    sent = intro.messages.filter(sender=sender).count()
    if sent >= settings.INTRO_THREAD_MESSAGES_PER_SIDE:
        raise ValidationError(
            f"You have sent the {settings.INTRO_THREAD_MESSAGES_PER_SIDE} messages this "
            "conversation allows. Use the contact details above to arrange the first session."
        )
    message = IntroMessage(intro=intro, sender=sender, body=body.strip())
    if not message.body:
        raise ValidationError("Write a message first.")
    message.full_clean()
    message.save()
    transaction.on_commit(lambda: _queue_message_notice(message.pk))
    return message


def _close(intro: IntroRequest, reason: str) -> IntroRequest:
    if not intro.is_accepted:
        raise ValidationError("Only an accepted request has a conversation to close.")
    if intro.thread_closed_at is None:
        intro.thread_closed_at = timezone.now()
        intro.thread_closed_reason = reason
        intro.save(update_fields=["thread_closed_at", "thread_closed_reason"])
    return intro


@transaction.atomic
def thread_session_arranged(*, intro: IntroRequest) -> IntroRequest:
    """Either side says the first session is arranged; the thread closes."""
    return _close(_locked(intro), ThreadClosed.SESSION_ARRANGED)


@transaction.atomic
def thread_close(*, intro: IntroRequest, side: str) -> IntroRequest:
    """Either side ends the conversation before a session is arranged."""
    reason = ThreadClosed.BY_RESPONDER if side == Side.RESPONDER else ThreadClosed.BY_THERAPIST
    return _close(_locked(intro), reason)


@transaction.atomic
def thread_block(*, intro: IntroRequest) -> IntroRequest:
    """The responder blocks the therapist: no more messages, contact details hidden, and no
    more check-in questions about them."""
    intro = _locked(intro)
    if not intro.is_accepted:
        raise ValidationError("Only an accepted request can be blocked.")
    if intro.responder_blocked_at is None:
        intro.responder_blocked_at = timezone.now()
        intro.save(update_fields=["responder_blocked_at"])
    checkins_stop_for_intro(intro_id=intro.pk, reason=CheckInPlan.StopReason.BLOCKED)
    return _close(intro, ThreadClosed.BLOCKED)


def thread_message_notify(*, message_id: int) -> bool:
    """Email the other side that a message waits; once, without its content or any name."""
    with transaction.atomic():
        message = (
            IntroMessage.objects.select_for_update(of=("self",))
            .select_related("intro__responder__user", "intro__therapist__user")
            .filter(pk=message_id, notified_at__isnull=True)
            .first()
        )
        if message is None:
            return False
        intro = message.intro
        if message.sender == Side.RESPONDER:
            to = intro.therapist.user.email
            path = reverse("matching:inbox_detail", args=[intro.public_id])
        else:
            to = intro.responder.user.email
            path = reverse("matching:my_intro", args=[intro.public_id])
        send_templated_email(to=to, template="intro-message", context={"thread_path": path})
        IntroMessage.objects.filter(pk=message.pk).update(notified_at=timezone.now())
        return True


def thread_notify_sweep(*, now: dt.datetime | None = None) -> int:
    """Queue again the notice of every message not yet emailed after a few minutes."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.INTRO_REQUEUE_AFTER_SECONDS)
    waiting = list(
        IntroMessage.objects.filter(notified_at__isnull=True, created_at__lte=stale).values_list(
            "pk", flat=True
        )
    )
    for pk in waiting:
        _queue_message_notice(pk)
    return len(waiting)
