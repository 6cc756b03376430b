"""Reads about intro requests: who a responder may ask."""

from __future__ import annotations

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
