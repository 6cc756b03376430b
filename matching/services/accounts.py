"""A responder's data, exported or deleted; a therapist's account, closed."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from alliance.models import CheckInPlan
from alliance.services.plans import checkins_stop_for_therapist
from alliance.services.totals import released_totals_refresh_many
from matching.models import IntroMessage, IntroRequest, IntroSnapshot, ThreadClosed
from matching.services.intros import responsiveness_refresh
from matching.tasks import notify_responder, tell_therapist_a_request_was_withdrawn
from profiles.models import AuditEntry, TherapistProfile, User
from profiles.selectors import therapist_is_listed
from profiles.services.audit import audit_record


@transaction.atomic
def responder_account_delete(*, user: User) -> None:
    """Delete a responder and all they told Rapport; requests in flight are withdrawn.

    What stays, and why:
    - an accepted intro stays as a closed conversation with no responder and no words (no
      message, contact details, reply, hours, service or thread messages), so the therapist
      sees where it was that the responder closed their account and the conversation ended;
    - the therapist of each withdrawn request is told that a request was withdrawn, nothing
      more; every other request goes;
    - snapshots stay, joined to no request (their `for_intro_id` meets the anonymous plan);
    - check-in ratings stay, anonymous, in the batches they were released in;
    - answer-time figures (an anonymous aggregate) stay as they were.
    """
    user = User.objects.select_for_update().get(pk=user.pk, role=User.Role.RESPONDER)
    waiting = IntroRequest.objects.select_for_update().filter(
        responder__user=user, status=IntroRequest.Status.PENDING
    )
    told = sorted({intro.therapist_id for intro in waiting})
    waiting.update(status=IntroRequest.Status.WITHDRAWN)
    rated = list(
        CheckInPlan.objects.filter(responder__user=user).values_list("therapist_id", flat=True)
    )
    # Cascades to the profile (answers), email addresses and two-factor authenticators.
    # Before the profile goes, its intros are ended or deleted (intros_forget_responder) and
    # its check-ins lose their notes and shares; check-in plans stay, without the responder.
    user.delete()
    # Their plans keep their batch keys and their check-ins stay in the batches they were
    # released in: no batch is cut again and no figure moves. The refresh only confirms it.
    released_totals_refresh_many(therapist_ids=rated)
    for therapist_id in told:
        tell_therapist_a_request_was_withdrawn.delay_on_commit(therapist_id)


@transaction.atomic
def therapist_account_close(*, user: User) -> None:
    """Unlist a therapist at once and close their account, audited; their audit trail stays.

    Requests waiting for them expire now, and each responder is told and offered their
    next matches. Check-ins about them stop, and each responder is told no more will come.
    """
    user = User.objects.select_for_update().get(pk=user.pk, role=User.Role.THERAPIST)
    therapist = TherapistProfile.objects.select_for_update().get(user=user)
    was_listed = therapist_is_listed(therapist=therapist)
    therapist.published_at = None
    therapist.accepting_new_clients = False
    therapist.open_slots = 0
    therapist.save(
        update_fields=["published_at", "accepting_new_clients", "open_slots", "updated_at"]
    )
    waiting = list(
        IntroRequest.objects.filter(
            therapist=therapist, status=IntroRequest.Status.PENDING
        ).values_list("pk", flat=True)
    )
    IntroRequest.objects.filter(pk__in=waiting).update(status=IntroRequest.Status.EXPIRED)
    responsiveness_refresh(therapist_id=therapist.pk)
    checkins_stop_for_therapist(therapist_id=therapist.pk)
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(
        actor=user,
        action=AuditEntry.Action.ACCOUNT_CLOSED,
        target_type=user._meta.label_lower,
        target_id=user.pk,
        therapist_id=therapist.pk,
        before={"is_active": True, "listed": was_listed},
        after={"is_active": False, "listed": False},
        reason=f"{len(waiting)} waiting request(s) expired; check-ins about them stopped.",
    )
    for intro_id in waiting:
        notify_responder.delay_on_commit(intro_id)


def intros_forget_responder(*, responder_id: int) -> None:
    """Before a responder's profile goes, by any path: end or delete each of their intros.

    An accepted intro stays as a closed conversation with no responder and no words (the
    constraint intro_without_responder_is_an_ended_conversation holds it so), so the
    therapist sees where it was that the responder closed their account. Its messages go,
    and its snapshot is joined to no request. Every other intro goes.
    """
    accepted = IntroRequest.objects.select_for_update().filter(
        responder_id=responder_id, status=IntroRequest.Status.ACCEPTED
    )
    ended = list(accepted.values_list("pk", flat=True))
    IntroMessage.objects.filter(intro_id__in=ended).delete()
    IntroSnapshot.objects.filter(intro_id__in=ended).update(intro=None)
    now = timezone.now()
    for intro in IntroRequest.objects.filter(pk__in=ended):
        intro.responder = None
        intro.message = intro.contact_email = intro.contact_phone = ""
        intro.therapist_reply = ""
        intro.contact_hours = frozenset()
        intro.between_shifts = False
        intro.responder_service = ""
        intro.responder_blocked_at = None
        intro.thread_closed_at = intro.thread_closed_at or now
        intro.thread_closed_reason = ThreadClosed.ACCOUNT_CLOSED
        # No one is left to tell of the answer.
        intro.responder_notified_at = intro.responder_notified_at or now
        intro.save()
    IntroRequest.objects.filter(responder_id=responder_id).exclude(pk__in=ended).delete()
