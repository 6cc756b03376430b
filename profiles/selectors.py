"""Reads of profiles: who is listed, what a therapist's profile still needs."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.conf import settings
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value
from django.utils import timezone

from profiles import choices
from profiles.models import (
    License,
    ResponderProfile,
    ResponderTraining,
    TherapistProfile,
    VettingStatus,
)
from profiles.timezones import zone_for_state


def confirmation_cutoff(*, now: dt.datetime | None = None) -> dt.datetime:
    """Profiles confirmed before this moment are too old to be listed."""
    now = now or timezone.now()
    return now - dt.timedelta(days=settings.PROFILE_CONFIRMATION_MAX_AGE_DAYS)


def license_valid_q(*, today: dt.date | None = None, prefix: str = "") -> Q:
    """Licenses that count: verified, and not yet at their expiry date.

    A license counts as expired from its expiry date on; this is checked wherever
    licenses are read, so no job has to run for an expired license to stop counting.
    """
    today = today or timezone.localdate()
    return Q(**{f"{prefix}status": VettingStatus.VERIFIED, f"{prefix}expires_on__gt": today})


def therapists_listed(*, now: dt.datetime | None = None) -> QuerySet[TherapistProfile]:
    """Therapists responders may see: published, recently confirmed, with a valid license."""
    now = now or timezone.now()
    valid_license = License.objects.filter(
        license_valid_q(today=timezone.localdate(now)), therapist=OuterRef("pk")
    )
    return TherapistProfile.objects.filter(
        Exists(valid_license),
        user__is_active=True,
        published_at__isnull=False,
        profile_complete=True,
        confirmed_at__gte=confirmation_cutoff(now=now),
    )


def therapists_taking_clients(*, now: dt.datetime | None = None) -> QuerySet[TherapistProfile]:
    """Listed therapists who accept new clients and have an opening left: those the ranked
    list ranks, whom responders may ask for an intro, and whom the benchmark counts.

    An accepted intro takes an opening; the last one taken stops the therapist accepting
    until they reopen (profiles.services.openings). How many requests may wait for them is
    matching's rule (PENDING_REQUESTS_PER_OPENING), applied over this set.
    """
    return therapists_listed(now=now).filter(accepting_new_clients=True, open_slots__gt=0)


def therapist_is_listed(*, therapist: TherapistProfile, now: dt.datetime | None = None) -> bool:
    return therapists_listed(now=now).filter(pk=therapist.pk).exists()


def therapist_licensed_states(
    *, therapist: TherapistProfile, today: dt.date | None = None
) -> list[str]:
    """The states where the therapist holds a verified license that has not expired."""
    return sorted(
        set(therapist.licenses.filter(license_valid_q(today=today)).values_list("state", flat=True))
    )


def identity_missing(therapist: TherapistProfile) -> list[str]:
    missing = []
    if not therapist.full_name.strip():
        missing.append("Your name")
    if not therapist.bio.strip():
        missing.append("A short bio")
    return missing


def credentials_missing(therapist: TherapistProfile) -> list[str]:
    if therapist.licenses.exists():
        return []
    return ["At least one license, with its document"]


def experience_missing(therapist: TherapistProfile) -> list[str]:
    missing = []
    if therapist.years_serving_responders is None:
        missing.append("Years serving first responders")
    if therapist.responder_caseload_percent is None:
        missing.append("Share of your caseload who are responders")
    if not therapist.services_served:
        missing.append("The services you have worked with")
    return missing


def clinical_missing(therapist: TherapistProfile) -> list[str]:
    missing = []
    if not therapist.focus_concerns:
        missing.append("What you help with")
    if not therapist.methods_trained:
        missing.append("At least one method you are trained in")
    return missing


def practical_missing(therapist: TherapistProfile) -> list[str]:
    missing = []
    if not therapist.formats:
        missing.append("How you meet clients (in person, telehealth)")
    if choices.Format.IN_PERSON in therapist.formats and not therapist.office_zip:
        missing.append("Your office ZIP code")
    if choices.Format.TELEHEALTH in therapist.formats and not therapist.telehealth_states:
        missing.append("The states you serve by telehealth")
    if not therapist.languages:
        missing.append("The languages you work in")
    if not therapist.hours:
        missing.append("When you see clients")
    if not therapist.payment_methods:
        missing.append("How clients can pay")
    return missing


def capacity_missing(therapist: TherapistProfile) -> list[str]:
    if therapist.confirmed_at is None:
        return ["Whether you are taking new clients"]
    return []


def therapists_due_confirmation_reminder(*, now: dt.datetime | None = None) -> list[int]:
    """Published therapists whose confirmation is old enough for a reminder not yet sent."""
    now = now or timezone.now()
    return list(
        TherapistProfile.objects.filter(
            published_at__isnull=False,
            confirmation_reminder_sent_at__isnull=True,
            confirmed_at__lte=now - dt.timedelta(days=settings.PROFILE_CONFIRMATION_REMINDER_DAYS),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def therapists_due_openings_closed_notice() -> list[int]:
    """Therapists whose openings ran out and who were not emailed yet (a lost task)."""
    return list(
        TherapistProfile.objects.filter(
            openings_closed_at__isnull=False,
            openings_closed_notified_at__isnull=True,
            accepting_new_clients=False,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


VETTING_QUEUE_PAGE_SIZE = 25


@dataclass(frozen=True)
class VettingQueueFilters:
    """What staff narrowed the queue to; empty values mean no filter."""

    kind: str = ""
    state: str = ""
    min_age_days: int | None = None
    name: str = ""


def vetting_queue(
    *, filters: VettingQueueFilters | None = None, now: dt.datetime | None = None
) -> QuerySet:
    """Licenses and trainings waiting for review as one list: those staff had verified before
    first (the therapist was listed on them), then the longest-waiting first.

    Returns rows of (record_kind, pk, submitted_at, verified_before) so the two kinds page
    together; a license's state is its own, and a training matches a state where its
    therapist holds a license.
    """
    filters = filters or VettingQueueFilters()
    now = now or timezone.now()
    licenses = License.objects.filter(status=VettingStatus.PENDING)
    trainings = ResponderTraining.objects.filter(status=VettingStatus.PENDING)
    if filters.state:
        licenses = licenses.filter(state=filters.state)
        trainings = trainings.filter(
            Exists(License.objects.filter(therapist=OuterRef("therapist"), state=filters.state))
        )
    if filters.min_age_days is not None:
        cutoff = now - dt.timedelta(days=filters.min_age_days)
        licenses = licenses.filter(submitted_at__lte=cutoff)
        trainings = trainings.filter(submitted_at__lte=cutoff)
    if filters.name:
        licenses = licenses.filter(therapist__full_name__icontains=filters.name)
        trainings = trainings.filter(therapist__full_name__icontains=filters.name)
    verified_before = ExpressionWrapper(
        Q(previously_verified_at__isnull=False), output_field=BooleanField()
    )
    parts = []
    columns = ("record_kind", "pk", "submitted_at", "verified_before")
    if filters.kind in ("", "license"):
        parts.append(
            licenses.annotate(record_kind=Value("license"), verified_before=verified_before).values(
                *columns
            )
        )
    if filters.kind in ("", "training"):
        parts.append(
            trainings.annotate(
                record_kind=Value("training"), verified_before=verified_before
            ).values(*columns)
        )
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return combined.order_by("-verified_before", "submitted_at", "pk")


def vetting_records(rows: list[dict]) -> list[License | ResponderTraining]:
    """The records of one page of the queue, in the page's order, with their therapists."""
    wanted = {"license": [], "training": []}
    for row in rows:
        wanted[row["record_kind"]].append(row["pk"])
    found = {
        ("license", record.pk): record
        for record in License.objects.filter(pk__in=wanted["license"]).select_related("therapist")
    }
    found |= {
        ("training", record.pk): record
        for record in ResponderTraining.objects.filter(pk__in=wanted["training"]).select_related(
            "therapist"
        )
    }
    keys = [(row["record_kind"], row["pk"]) for row in rows]
    return [found[key] for key in keys if key in found]


def licenses_due_expiry_reminder(*, today: dt.date | None = None) -> list[int]:
    """Verified licenses within 60 days of expiry that may be due a reminder."""
    today = today or timezone.localdate()
    return list(
        License.objects.filter(
            status=VettingStatus.VERIFIED,
            expires_on__gt=today,
            expires_on__lte=today + dt.timedelta(days=60),
        )
        .exclude(last_expiry_reminder_days__lte=7)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def audit_chain_first_break() -> str:
    """Walk the audit trail in order; describe the first entry that breaks the chain, or ''."""
    from profiles.audit_chain import CHAINED_FIELDS, GENESIS_HASH, entry_hash
    from profiles.models import AuditEntry

    expected_sequence, expected_previous = 1, GENESIS_HASH
    rows = AuditEntry.objects.order_by("sequence").values("id", "entry_hash", *CHAINED_FIELDS)
    for row in rows.iterator(chunk_size=2000):
        where = f"entry {row['sequence']} (id {row['id']})"
        if row["sequence"] != expected_sequence:
            return f"{where}: expected entry {expected_sequence} here; entries are missing."
        if row["previous_hash"] != expected_previous:
            return f"{where}: it does not follow the entry before it."
        if entry_hash(row) != row["entry_hash"]:
            return f"{where}: its content does not match its hash."
        expected_sequence, expected_previous = row["sequence"] + 1, row["entry_hash"]
    return ""


def therapist_time_zone(*, therapist: TherapistProfile) -> str:
    """The therapist's zone: their office's state, else the state of their first license."""
    state = therapist.office_state
    if not state:
        state = (
            License.objects.filter(therapist=therapist)
            .order_by("created_at", "pk")
            .values_list("state", flat=True)
            .first()
            or ""
        )
    return zone_for_state(state)


def responder_time_zone(*, responder: ResponderProfile) -> str:
    """The responder's zone, from the state in their answers."""
    answers = responder.answers if isinstance(responder.answers, dict) else {}
    return zone_for_state(answers.get("state") or "")


@dataclass(frozen=True)
class VettingNeed:
    """A license or training of the therapist that is waiting, refused or expiring."""

    kind: str
    record: License | ResponderTraining
    status: str
    expires_on: dt.date | None = None


LICENSE_EXPIRY_WARNING_DAYS = 60


def therapist_vetting_needs(
    *, therapist: TherapistProfile, today: dt.date | None = None
) -> list[VettingNeed]:
    """What of the therapist's vetting needs them: refused first, then waiting, then expiring."""
    today = today or timezone.localdate()
    needs: list[VettingNeed] = []
    licenses = list(therapist.licenses.order_by("submitted_at", "pk"))
    trainings = list(therapist.trainings.order_by("submitted_at", "pk"))
    for status in (VettingStatus.REJECTED, VettingStatus.PENDING):
        needs += [VettingNeed("license", r, status) for r in licenses if r.status == status]
        needs += [VettingNeed("training", r, status) for r in trainings if r.status == status]
    soon = today + dt.timedelta(days=LICENSE_EXPIRY_WARNING_DAYS)
    needs += [
        VettingNeed("license", r, "expiring", r.expires_on)
        for r in licenses
        if r.status == VettingStatus.VERIFIED and r.expires_on <= soon
    ]
    return needs


# How long vetting usually takes, as the page for therapists says it: the median time from a
# license's submission to its decision, over the decisions of the last 90 days (the latest
# 500 at most), said only from 5 decisions on.
VETTING_TIME_WINDOW_DAYS = 90
VETTING_TIME_MIN_DECISIONS = 5
VETTING_TIME_MAX_DECISIONS = 500


@dataclass(frozen=True)
class VettingTimes:
    decisions: int
    # None below VETTING_TIME_MIN_DECISIONS: too few to say what is usual.
    median: dt.timedelta | None
    waiting: int
    window_days: int = VETTING_TIME_WINDOW_DAYS


def license_vetting_times(*, now: dt.datetime | None = None) -> VettingTimes:
    """The vetting queue's own figures for licenses: decisions of the last 90 days, the
    median from submission to decision, and how many wait now. Two queries."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=VETTING_TIME_WINDOW_DAYS)
    rows = (
        License.objects.filter(decided_at__gte=since, decided_at__lte=now)
        .order_by("-decided_at")
        .values_list("submitted_at", "decided_at")[:VETTING_TIME_MAX_DECISIONS]
    )
    waits = [(decided - submitted).total_seconds() for submitted, decided in rows]
    waits = [max(wait, 0.0) for wait in waits]
    median = (
        dt.timedelta(seconds=statistics.median(waits))
        if len(waits) >= VETTING_TIME_MIN_DECISIONS
        else None
    )
    waiting = License.objects.filter(status=VettingStatus.PENDING).count()
    return VettingTimes(decisions=len(waits), median=median, waiting=waiting)


def duration_words(duration: dt.timedelta) -> str:
    """A wait in the words a person uses: "under an hour", "about 5 hours", "about 3 days"."""
    hours = duration.total_seconds() / 3600
    if hours < 1:
        return "under an hour"
    if hours < 36:
        count = round(hours)
        return f"about {count} hour{'s' if count != 1 else ''}"
    days = round(hours / 24)
    return f"about {days} days"


@dataclass(frozen=True)
class ReviewAhead:
    """What saving a change would do to verified licenses, told before the save."""

    licenses: tuple[License, ...]
    listed_now: bool
    # Listed still after these go back to review: another license keeps them listed.
    stays_listed: bool
    usual_wait: str


def license_review_ahead(*, therapist: TherapistProfile, licenses: list[License]) -> ReviewAhead:
    """Whether the therapist would leave the list if these licenses went back to review,
    and how long a review usually takes."""
    listed_now = therapist_is_listed(therapist=therapist)
    others = (
        therapist.licenses.filter(license_valid_q())
        .exclude(pk__in=[license.pk for license in licenses])
        .exists()
    )
    median = license_vetting_times().median
    return ReviewAhead(
        licenses=tuple(licenses),
        listed_now=listed_now,
        stays_listed=listed_now and others,
        usual_wait=duration_words(median) if median else "",
    )
