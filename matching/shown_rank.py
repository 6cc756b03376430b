"""The place a therapist was shown at in a responder's ranked list, carried to the intro form.

The card's "Ask for an introduction" link carries a signed token: the therapist, the position
the card was shown at, and the list's filters (they live in the list's URL already). Signed,
so a rank cannot be made up; it expires, so an old link records no rank. The token holds
nothing the responder wrote, and nothing that names them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

SHOWN_RANK_SALT = "matching.shown-rank"
# A rank is "the one shown at that moment" only for a while.
SHOWN_RANK_MAX_AGE_SECONDS = 24 * 60 * 60
SHOWN_RANK_TOKEN_CHARS_MAX = 600
FILTERS_CHARS_MAX = 300


@dataclass(frozen=True)
class ShownRank:
    position: int  # 1 for the top of the list
    filters: str  # the list's filters, as a URL query (matching.forms.intake.refine_query)


def shown_rank_token(*, therapist_public_id: str, position: int, filters: str) -> str:
    """The signed token a card's intro link carries."""
    return signing.dumps(
        {"t": str(therapist_public_id), "p": position, "f": filters},
        salt=SHOWN_RANK_SALT,
        compress=True,
    )


def shown_rank_read(*, token: str, therapist_public_id: str) -> ShownRank | None:
    """The rank a token carries for this therapist; None when absent, forged, expired, for
    another therapist, or malformed."""
    if not token or len(token) > SHOWN_RANK_TOKEN_CHARS_MAX:
        return None
    try:
        data = signing.loads(token, salt=SHOWN_RANK_SALT, max_age=SHOWN_RANK_MAX_AGE_SECONDS)
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    if not isinstance(data, dict) or data.get("t") != str(therapist_public_id):
        return None
    position, filters = data.get("p"), data.get("f")
    if not isinstance(position, int) or isinstance(position, bool) or position < 1:
        return None
    if not isinstance(filters, str) or len(filters) > FILTERS_CHARS_MAX:
        return None
    return ShownRank(position=position, filters=filters)
