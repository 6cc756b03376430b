from __future__ import annotations

import hashlib
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models

from alliance.choices import STYLE_DIMENSIONS, STYLE_TITLES, Practice, Trait
from profiles import choices
from profiles.fields import ChoiceSetField, EncryptedTextField

STATEMENT_MAX_CHARS = 600


def token_hash(token: str) -> str:
    """What is stored of an emailed token: its SHA-256, so a database copy opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


STYLE_POINTS = (1, 5)


def _style_point() -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(STYLE_POINTS[0]), MaxValueValidator(STYLE_POINTS[1])],
    )


class AllianceApproach(models.Model):
    """How a therapist builds the alliance, in their own words and as structured practices."""

    therapist = models.OneToOneField(
        "profiles.TherapistProfile", on_delete=models.CASCADE, related_name="alliance_approach"
    )
    respect_trust = models.TextField(
        "Respect and trust", max_length=STATEMENT_MAX_CHARS, blank=True
    )
    collaboration = models.TextField("Collaboration", max_length=STATEMENT_MAX_CHARS, blank=True)
    empathy = models.TextField("Empathy", max_length=STATEMENT_MAX_CHARS, blank=True)
    adaptability = models.TextField("Adaptability", max_length=STATEMENT_MAX_CHARS, blank=True)
    practices = ChoiceSetField(of=Practice)
    # How they work (alliance.choices.STYLE_POLES): where they usually sit on each scale,
    # and how far they adapt (low to high). All empty until the therapist describes it.
    style_lead_usual = _style_point()
    style_lead_low = _style_point()
    style_lead_high = _style_point()
    style_focus_usual = _style_point()
    style_focus_low = _style_point()
    style_focus_high = _style_point()
    style_pace_usual = _style_point()
    style_pace_low = _style_point()
    style_pace_high = _style_point()
    style_tone_usual = _style_point()
    style_tone_low = _style_point()
    style_tone_high = _style_point()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Alliance approach of {self.therapist_id}"

    def statement(self, trait: str) -> str:
        return getattr(self, Trait(trait).value)

    def style(self, dimension: str) -> tuple[int, int, int] | None:
        """(usual, low, high) on one scale, or None when not described."""
        values = tuple(
            getattr(self, f"style_{dimension}_{part}") for part in ("usual", "low", "high")
        )
        return None if None in values else values

    def clean(self) -> None:
        """Each scale is unsaid or whole, its range runs low to high, and the usual point lies
        in it; every error names the scale and what is wrong (the admin writes here too)."""
        errors: dict[str, str] = {}
        for dim in STYLE_DIMENSIONS:
            usual, low, high = (
                getattr(self, f"style_{dim}_{part}") for part in ("usual", "low", "high")
            )
            title = STYLE_TITLES[dim]
            given = [value is not None for value in (usual, low, high)]
            if any(given) and not all(given):
                errors[f"style_{dim}_usual"] = (
                    f"{title}: give the usual point and both ends of the range, or none."
                )
            elif all(given) and low > high:
                errors[f"style_{dim}_low"] = (
                    f"{title}: the range cannot run from {low} down to {high}; "
                    f"give it as {high} to {low}."
                )
            elif all(given) and not low <= usual <= high:
                errors[f"style_{dim}_usual"] = (
                    f"{title}: the usual point, {usual}, lies outside the range {low} to {high}."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def missing_traits(self) -> list[str]:
        return [trait.label for trait in Trait if not self.statement(trait).strip()]


CHECKIN_NOTE_MAX_CHARS = 1000
RATING_MAX = 10
RATING_FIELDS = ("respect_trust", "collaboration", "empathy", "adaptability", "fit")
# How things are going for the responder (optional, 0 to 10). Read only by the staff report,
# never by the ranking, and never shown to the therapist.
WELLBEING_FIELDS = ("wellbeing_overall", "wellbeing_work", "wellbeing_home", "wellbeing_sleep")


class CheckInPlan(models.Model):
    """The check-ins that follow one accepted intro: with whom, and whether to keep asking.

    The intro itself belongs to the matching app, which passes its id in; the alliance app
    never reads it. When the responder deletes their account the plan stays without them,
    so their answers remain only in anonymous aggregates.
    """

    intro_id = models.PositiveBigIntegerField(unique=True)
    responder = models.ForeignKey(
        "profiles.ResponderProfile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checkin_plans",
    )
    therapist = models.ForeignKey(
        "profiles.TherapistProfile", on_delete=models.CASCADE, related_name="checkin_plans"
    )
    # The responder's service when the intro was accepted: "with responders like you".
    service = models.CharField(max_length=32, choices=choices.Service.choices, blank=True)
    # Who counts as one responder in the release batches: random, the same for every plan of
    # one responder with one therapist, and kept when the responder deletes their account, so
    # a deletion never turns one responder into two (alliance.services.totals).
    batch_key = models.UUIDField(default=uuid.uuid4, editable=False)
    accepted_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)

    class StopReason(models.TextChoices):
        RESPONDER = "responder", "The responder asked to stop"
        NOT_SEEING = "not_seeing", "No longer seeing the therapist"
        NOT_MET = "not_met", "Not met after two reminders a week apart"
        BLOCKED = "blocked", "The responder blocked the therapist"
        THERAPIST_CLOSED = "therapist_closed", "The therapist closed their account"
        ACCOUNT_DELETED = "account_deleted", "The responder deleted their account"

    # Why the plan stopped (empty while it runs, and for plans stopped before reasons were kept).
    stopped_reason = models.CharField(max_length=24, choices=StopReason.choices, blank=True)
    # When the responder was emailed that no more questions will come (therapist closed), once.
    stop_notice_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["therapist"], name="checkin_plan_therapist_idx")]

    def __str__(self) -> str:
        return f"Check-in plan {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.stopped_at is None and self.responder_id is not None


def _wellbeing() -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(RATING_MAX)]
    )


class CheckIn(models.Model):
    """One check-in: when it is due, how it ended, and the responder's answers if given."""

    class Kind(models.TextChoices):
        FIRST = "first", "About two weeks in"
        SECOND = "second", "About six weeks in"
        QUARTERLY = "quarterly", "Every three months"

    class Status(models.TextChoices):
        DUE = "due", "Due"
        ANSWERED = "answered", "Answered"
        SKIPPED = "skipped", "Skipped"
        STOPPED = "stopped", "Stopped"
        # The emailed link expired unanswered: the plan moves on to the next check-in.
        LAPSED = "lapsed", "Not answered in time"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(CheckInPlan, on_delete=models.CASCADE, related_name="checkins")
    number = models.PositiveSmallIntegerField()  # 1 for the first check-in of the plan
    kind = models.CharField(max_length=16, choices=Kind.choices)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DUE)
    snoozes = models.PositiveSmallIntegerField(default=0)
    # The emailed link: a random token kept only as its SHA-256, usable once, until expiry.
    emailed_at = models.DateTimeField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    # The one reminder, CHECKIN_REMINDER_DAYS after the email, while the link still works.
    reminded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    respect_trust = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(RATING_MAX)]
    )
    collaboration = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(RATING_MAX)]
    )
    empathy = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(RATING_MAX)]
    )
    adaptability = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(RATING_MAX)]
    )
    fit = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(RATING_MAX)]
    )
    wellbeing_overall = _wellbeing()
    wellbeing_work = _wellbeing()
    wellbeing_home = _wellbeing()
    wellbeing_sleep = _wellbeing()
    still_seeing = models.BooleanField(null=True, blank=True)
    note = EncryptedTextField(blank=True, validators=[MaxLengthValidator(CHECKIN_NOTE_MAX_CHARS)])
    shared = models.BooleanField(default=False)
    weak = models.BooleanField(default=False)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="checkin_once_per_number"),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__isnull": True})
                    | models.Q(**{f"{name}__gte": 0, f"{name}__lte": RATING_MAX}),
                    name=f"checkin_{name}_in_range",
                )
                for name in (*RATING_FIELDS, *WELLBEING_FIELDS)
            ],
            models.CheckConstraint(
                condition=~models.Q(status="answered")
                | models.Q(
                    answered_at__isnull=False,
                    respect_trust__isnull=False,
                    collaboration__isnull=False,
                    empathy__isnull=False,
                    adaptability__isnull=False,
                    fit__isnull=False,
                ),
                name="checkin_answered_has_every_rating",
            ),
            models.CheckConstraint(
                condition=models.Q(snoozes__lte=2), name="checkin_snoozed_at_most_twice"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="checkin_due_idx")]

    def __str__(self) -> str:
        return f"Check-in {self.public_id}"

    @property
    def ratings(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in RATING_FIELDS}

    @property
    def wellbeing(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in WELLBEING_FIELDS}


class ReleasedTotals(models.Model):
    """Sums over one therapist's released check-ins: all of them (service "") or one service's,
    each responder counted once (alliance.aggregation, step 1).

    Released means in stored closed batches (ReleasedBatch): the overall row sums every member,
    a service's row the members its batches released for that service. alliance.services.totals
    derives these rows from the stored batches whenever one closes, so the ranking and the
    dashboards read one short row per therapist instead of every check-in. Per item:
    `<item>_sum` adds up each responder's mean rating, `<item>_squares` those means squared,
    and `<item>_weak` each responder's share of weak answers.
    """

    therapist = models.ForeignKey(
        "profiles.TherapistProfile", on_delete=models.CASCADE, related_name="released_totals"
    )
    service = models.CharField(max_length=32, choices=choices.Service.choices, blank=True)
    checkins = models.PositiveIntegerField()
    responders = models.PositiveIntegerField()
    respect_trust_sum = models.FloatField()
    collaboration_sum = models.FloatField()
    empathy_sum = models.FloatField()
    adaptability_sum = models.FloatField()
    fit_sum = models.FloatField()
    respect_trust_weak = models.FloatField()
    collaboration_weak = models.FloatField()
    empathy_weak = models.FloatField()
    adaptability_weak = models.FloatField()
    fit_weak = models.FloatField()
    respect_trust_squares = models.FloatField(default=0.0)
    collaboration_squares = models.FloatField(default=0.0)
    empathy_squares = models.FloatField(default=0.0)
    adaptability_squares = models.FloatField(default=0.0)
    fit_squares = models.FloatField(default=0.0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["therapist", "service"], name="released_totals_once_per_service"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    checkins__gte=1, responders__gte=1, responders__lte=models.F("checkins")
                ),
                name="released_totals_counts",
            ),
        ]

    def __str__(self) -> str:
        return f"Released check-in totals {self.pk}"


class ReleasedBatch(models.Model):
    """One closed batch of a therapist's check-ins, fixed when it closed and never cut again.

    It holds unshared check-ins from at least ALLIANCE_MIN_RESPONDERS different responders
    (plan batch keys). Which check-ins belong to it is stored (CheckInRelease), so a later
    deletion or share changes neither its members nor its figures.
    """

    therapist = models.ForeignKey(
        "profiles.TherapistProfile", on_delete=models.CASCADE, related_name="released_batches"
    )
    number = models.PositiveIntegerField()  # 1 for the therapist's first batch
    released_at = models.DateTimeField()  # kept for order; shown as a month at most
    checkins = models.PositiveIntegerField()
    responders = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["therapist", "number"], name="released_batch_once_per_number"
            ),
            models.CheckConstraint(
                condition=models.Q(responders__gte=1, checkins__gte=models.F("responders")),
                name="released_batch_counts",
            ),
        ]

    def __str__(self) -> str:
        return f"Released batch {self.pk}"


class CheckInRelease(models.Model):
    """What became of one answered check-in in the release, decided once and kept.

    Either a member of a released batch (`batch` set), counted in the overall figure and,
    where `service` is set, in that service's figure too; or withheld for good (`batch`
    empty) because the responder shared it with the therapist, who could otherwise subtract
    it from a figure. A check-in with no row waits in the therapist's open batch.
    """

    checkin = models.OneToOneField(CheckIn, on_delete=models.CASCADE, related_name="release")
    batch = models.ForeignKey(
        ReleasedBatch, on_delete=models.CASCADE, null=True, blank=True, related_name="members"
    )
    service = models.CharField(max_length=32, choices=choices.Service.choices, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(batch__isnull=False) | models.Q(service=""),
                name="checkin_release_withheld_has_no_service",
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in release {self.pk}"
