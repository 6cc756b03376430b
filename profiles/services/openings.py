"""A therapist's openings: each accepted intro takes one, and the last one taken closes them to
new clients until they reopen, in one tap from the email or from their home page.

The reopen link is signed and names the moment the openings ran out: it works until it
expires (OPENINGS_REOPEN_LINK_DAYS) or until the therapist reopens or changes their
capacity, whichever comes first, so it works once. Opening the link changes nothing; the
page it shows asks how many new clients they can take and reopens on a POST.
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from profiles.emails import send_templated_email
from profiles.models import TherapistProfile

OPENINGS_REOPEN_LINK_DAYS = 14
_REOPEN_SALT = "rapport.openings.reopen"


def _queue_closed_notice(therapist_id: int) -> None:
    from profiles.tasks import send_openings_closed_notice

    send_openings_closed_notice.delay(therapist_id)


@transaction.atomic
def therapist_opening_take(*, therapist_id: int) -> int:
    """Take one opening for an accepted intro, never going below none; the openings left.

    The row is locked, so two accepts at once take two openings. When the last is taken the
    therapist stops taking new clients (they are no longer ranked or asked) and, after the
    commit, is emailed how to reopen.
    """
    therapist = TherapistProfile.objects.select_for_update().get(pk=therapist_id)
    if therapist.open_slots <= 0:
        return 0
    therapist.open_slots -= 1
    fields = ["open_slots", "updated_at"]
    if therapist.open_slots == 0 and therapist.accepting_new_clients:
        therapist.accepting_new_clients = False
        therapist.openings_closed_at = timezone.now()
        therapist.openings_closed_notified_at = None
        fields += ["accepting_new_clients", "openings_closed_at", "openings_closed_notified_at"]
        transaction.on_commit(lambda: _queue_closed_notice(therapist_id))
    therapist.full_clean()
    therapist.save(update_fields=fields)
    return therapist.open_slots


@transaction.atomic
def therapist_openings_reopen(*, therapist: TherapistProfile, open_slots: int) -> TherapistProfile:
    """Take new clients again with this many openings (from the email's link or the home page)."""
    if not 1 <= open_slots <= 200:
        raise ValidationError("Enter how many new clients you can take now, from 1 to 200.")
    therapist = TherapistProfile.objects.select_for_update().get(pk=therapist.pk)
    therapist.accepting_new_clients = True
    therapist.open_slots = open_slots
    therapist.openings_closed_at = None
    therapist.openings_closed_notified_at = None
    therapist.full_clean()
    therapist.save(
        update_fields=[
            "accepting_new_clients",
            "open_slots",
            "openings_closed_at",
            "openings_closed_notified_at",
            "updated_at",
        ]
    )
    return therapist


def reopen_token(*, therapist: TherapistProfile) -> str:
    """The signed token of the email's reopen link, for the moment the openings ran out."""
    if therapist.openings_closed_at is None:
        raise ValueError("Only a therapist whose openings ran out has a reopen link.")
    closed = therapist.openings_closed_at.timestamp()
    return signing.dumps({"t": str(therapist.public_id), "c": closed}, salt=_REOPEN_SALT)


def therapist_for_reopen_token(token: str) -> TherapistProfile | None:
    """The therapist a reopen link names, while it still works; None for a forged, expired or
    used link."""
    try:
        payload = signing.loads(
            token, salt=_REOPEN_SALT, max_age=dt.timedelta(days=OPENINGS_REOPEN_LINK_DAYS)
        )
    except signing.BadSignature:  # includes an expired signature
        return None
    if not isinstance(payload, dict):
        return None
    therapist = (
        TherapistProfile.objects.filter(
            public_id=payload.get("t"), openings_closed_at__isnull=False, user__is_active=True
        )
        .select_related("user")
        .first()
    )
    if therapist is None or therapist.openings_closed_at.timestamp() != payload.get("c"):
        return None
    return therapist


def therapist_openings_closed_notify(*, therapist_id: int) -> bool:
    """Email a therapist that their openings are all taken, with the reopen link; once per
    closing, and nothing about any responder."""
    with transaction.atomic():
        therapist = (
            TherapistProfile.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(
                pk=therapist_id,
                openings_closed_at__isnull=False,
                openings_closed_notified_at__isnull=True,
                accepting_new_clients=False,
                user__is_active=True,
            )
            .first()
        )
        if therapist is None:
            return False
        send_templated_email(
            to=therapist.user.email,
            template="openings-closed",
            context={
                "reopen_path": reverse(
                    "profiles:openings_reopen_link", args=[reopen_token(therapist=therapist)]
                ),
                "home_path": reverse("matching:therapist_home"),
                "link_days": OPENINGS_REOPEN_LINK_DAYS,
            },
        )
        therapist.openings_closed_notified_at = timezone.now()
        therapist.save(update_fields=["openings_closed_notified_at"])
        return True
