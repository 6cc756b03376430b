"""Reads about intro requests: who a responder may ask."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from matching.models import IntroMessage, IntroRequest, Side
from profiles.models import TherapistProfile
from profiles.selectors import therapist_licensed_states


def intro_refusal_reason(*, therapist: TherapistProfile, state: str) -> str | None:
    """Why a responder in this state cannot ask this listed therapist; None when they can.

    One rule for the profile page's button and for the request itself: the therapist takes
    new clients and holds a current, verified license in the responder's state. What the
    responder asked for (format, distance, the "only" filters) is theirs to relax, so it
    does not stop a request.
    """
    if not therapist.accepting_new_clients:
        return (
            "This therapist is not taking new requests through Rapport right now. "
            "Your next matches may be."
        )
    if state not in therapist_licensed_states(therapist=therapist):
        return "This therapist is not licensed in your state, so they cannot see you."
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
