"""Referral links: a service and a state, signed so they cannot be altered, never stored.

The link carries no identity: not who made it, not who opens it. Opening it records
nothing; starting from it only presets the visitor's own answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

from profiles import choices

REFERRAL_SALT = "rapport.referral-link"


@dataclass(frozen=True)
class Referral:
    service: str
    state: str


def referral_token(*, service: str, state: str) -> str:
    return signing.dumps({"service": service, "state": state}, salt=REFERRAL_SALT)


def referral_from_token(token: str) -> Referral | None:
    """The preset of a link; None when the link was altered or names an unknown choice."""
    try:
        data = signing.loads(token, salt=REFERRAL_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    service, state = data.get("service", ""), data.get("state", "")
    if service and service not in choices.Service.values:
        return None
    if state not in choices.State.values:
        return None
    return Referral(service=service, state=state)
