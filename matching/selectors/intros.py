"""Reads about intro requests: who a responder may ask."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from matching.models import IntroMessage, IntroRequest, Side
from matching.scoring.eligibility import takes_requests_now
from matching.selectors.ranking import current_rules
from profiles.models import TherapistProfile
from profiles.selectors import therapist_licensed_states

NOT_TAKING_NEW_CLIENTS = (
    "This therapist is not taking new requests through Rapport right now. Your next matches may be."
)
AS_MANY_WAITING_AS_THEY_CAN_ANSWER = (
    "This therapist has as many requests waiting as they can answer right now, so they are "
    "not taking new ones. Your next matches may have room."
)


def pending_requests_of(*, therapist: TherapistProfile) -> int:
    """Requests waiting for the therapist's answer: the load the ranking counts too."""
    return IntroRequest.objects.filter(
        therapist=therapist, status=IntroRequest.Status.PENDING
    ).count()


def therapist_takes_requests(*, therapist: TherapistProfile) -> bool:
    """Fewer requests waiting than the therapist's openings allow (PENDING_REQUESTS_PER_OPENING
    per opening left): the rule the ranked list applies to its columns, here for one."""
    return bool(
        takes_requests_now(
            pending_requests=pending_requests_of(therapist=therapist),
            open_slots=therapist.open_slots,
            rules=current_rules(),
        )
    )


def intro_refusal_reason(*, therapist: TherapistProfile, state: str) -> str | None:
    """Why a responder in this state cannot ask this listed therapist; None when they can.

    One rule for the profile page's button and for the request itself: the therapist takes
    new clients, holds a current, verified license in the responder's state, and has fewer
    requests waiting than their openings allow. What the responder asked for (format,
    distance, the "only" filters) is theirs to relax, so it does not stop a request.
    """
    if not therapist.accepting_new_clients or therapist.open_slots <= 0:
        return NOT_TAKING_NEW_CLIENTS
    if state not in therapist_licensed_states(therapist=therapist):
        return "This therapist is not licensed in your state, so they cannot see you."
    if not therapist_takes_requests(therapist=therapist):
        return AS_MANY_WAITING_AS_THEY_CAN_ANSWER
    return None


@dataclass(frozen=True)
class Thread:
    """An intro's conversation as one side sees it."""

    messages: tuple[IntroMessage, ...]
    side: str
    messages_left: int
    per_side: int

    @property
    def can_send(self) -> bool:
        return self.messages_left > 0


def intro_thread(*, intro: IntroRequest, side: str) -> Thread:
    """The messages of an intro, oldest first, and how many more this side may send."""
    messages = tuple(intro.messages.all()) if intro.is_accepted else ()
    sent = sum(1 for message in messages if message.sender == side)
    left = settings.INTRO_THREAD_MESSAGES_PER_SIDE - sent
    if not intro.thread_is_open or (
        side == Side.THERAPIST and intro.responder_blocked_at is not None
    ):
        left = 0
    return Thread(
        messages=messages,
        side=side,
        messages_left=max(0, left),
        per_side=settings.INTRO_THREAD_MESSAGES_PER_SIDE,
    )


def intros_waiting_for(*, therapist: TherapistProfile) -> list[IntroRequest]:
    """Requests still waiting for this therapist's answer, the soonest to expire first."""
    return list(
        IntroRequest.objects.filter(
            therapist=therapist,
            status=IntroRequest.Status.PENDING,
            expires_at__gt=timezone.now(),
        )
        .select_related("responder")
        .order_by("expires_at", "pk")
    )
