from __future__ import annotations

import uuid

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone

from profiles import choices
from profiles.fields import ChoiceSetField, EncryptedTextField

# How long the change feed keeps its rows. A process that has not looked for a good part of
# this reads its states again (matching/selectors/ranking.py).
RANKING_CHANGES_KEPT_HOURS = 24


class RankingChange(models.Model):
    """One write that changed what the ranking or a profile page reads about one therapist.

    Database triggers, generated from matching/feed_triggers/ (which names, per table, the
    columns that matter), append a row for every insert, delete, or update of a column that
    matters, in the tables behind the ranking: a sign-in, a reminder sent or any other
    bookkeeping write appends nothing. Bulk updates and raw SQL are seen too.
    Each web process reads the rows new since it last looked and re-reads only those
    therapists (matching/selectors/ranking.py). Rows are only ever appended, from a
    sequence, so writes never wait on one another here; old rows are pruned hourly.
    """

    seq = models.BigAutoField(primary_key=True)
    # None when a whole table was emptied: every process reads its states again.
    therapist_id = models.BigIntegerField(null=True)
    # True when the therapist's released check-in totals over all services changed: the
    # population that every measured alliance is shrunk toward moved too. (Nullable, so
    # SQLite adds the column in place and keeps the triggers that write to this table.)
    population = models.BooleanField(null=True)
    changed_at = models.DateTimeField(db_default=Now())

    class Meta:
        indexes = [
            models.Index(fields=["therapist_id", "seq"], name="ranking_change_therapist_idx"),
            models.Index(fields=["changed_at"], name="ranking_change_time_idx"),
        ]

    def __str__(self) -> str:
        return f"ranking change {self.seq} of therapist {self.therapist_id}"


INTRO_MESSAGE_MAX_CHARS = 1000
INTRO_REPLY_MAX_CHARS = 1000
THREAD_MESSAGE_MAX_CHARS = 1000


class Side(models.TextChoices):
    """The two people of an intro."""

    RESPONDER = "responder", "Responder"
    THERAPIST = "therapist", "Therapist"


class ThreadClosed(models.TextChoices):
    SESSION_ARRANGED = "session", "First session arranged"
    BY_RESPONDER = "responder", "Closed by the responder"
    BY_THERAPIST = "therapist", "Closed by the therapist"
    BLOCKED = "blocked", "Blocked by the responder"
    ACCOUNT_CLOSED = "account_closed", "The responder closed their account"


class IntroRequest(models.Model):
    """A responder asking one therapist for an introduction.

    The message and contact details are encrypted at rest and never leave the site: emails
    only say that something happened.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired without an answer"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class ContactMethod(models.TextChoices):
        RAPPORT = "rapport", "Through Rapport (answer in my list of requests)"
        EMAIL = "email", "By email"
        PHONE = "phone", "By phone"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Empty only once the responder deleted their account after the therapist accepted:
    # the row stays so the therapist sees, where the intro was, that the conversation ended
    # (matching.services.accounts.responder_account_delete), with nothing of what was said.
    responder = models.ForeignKey(
        "profiles.ResponderProfile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="intro_requests",
    )
    therapist = models.ForeignKey(
        "profiles.TherapistProfile", on_delete=models.CASCADE, related_name="intro_requests"
    )
    # A form's one-time token: a double click or a resubmitted form finds the same request.
    submission_token = models.UUIDField()
    message = EncryptedTextField(
        blank=True, validators=[MaxLengthValidator(INTRO_MESSAGE_MAX_CHARS)]
    )
    contact_method = models.CharField(max_length=16, choices=ContactMethod.choices)
    contact_email = EncryptedTextField(blank=True)
    contact_phone = EncryptedTextField(blank=True)
    contact_hours = ChoiceSetField(of=choices.Hours)
    between_shifts = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivery_attempts = models.PositiveIntegerField(default=0)
    last_queued_at = models.DateTimeField(null=True, blank=True)
    first_read_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    therapist_reply = EncryptedTextField(
        blank=True, validators=[MaxLengthValidator(INTRO_REPLY_MAX_CHARS)]
    )
    # When the responder was emailed about the answer or the expiry, so it is sent once.
    responder_notified_at = models.DateTimeField(null=True, blank=True)
    # The responder's service when they asked, which the request form promises to show.
    responder_service = models.CharField(max_length=24, choices=choices.Service.choices, blank=True)
    # The state they asked from, and whether any therapist on their list (their filters
    # applied) had room then: staff see supply against demand per state and service from
    # these, in aggregates only. Empty for requests made before they were kept.
    responder_state = models.CharField(max_length=2, choices=choices.State.choices, blank=True)
    list_had_room = models.BooleanField(null=True, blank=True)
    # After an accept, a short thread until the first session is arranged or either side
    # closes it; a responder's block also hides their contact details from the therapist.
    thread_closed_at = models.DateTimeField(null=True, blank=True)
    thread_closed_reason = models.CharField(max_length=16, choices=ThreadClosed.choices, blank=True)
    responder_blocked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["responder", "therapist"],
                condition=models.Q(status="pending"),
                name="intro_one_open_per_therapist",
            ),
            models.UniqueConstraint(
                fields=["responder", "submission_token"], name="intro_submission_once"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="pending") | models.Q(answered_at__isnull=True),
                name="intro_pending_is_unanswered",
            ),
            # What stays of a deleted responder's accepted intro: a closed thread, no words.
            models.CheckConstraint(
                condition=models.Q(responder__isnull=False)
                | models.Q(
                    status="accepted",
                    thread_closed_reason="account_closed",
                    message="",
                    contact_email="",
                    contact_phone="",
                    therapist_reply="",
                ),
                name="intro_without_responder_is_an_ended_conversation",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "delivered_at", "last_queued_at"], name="intro_delivery_idx"
            ),
            models.Index(fields=["therapist", "status"], name="intro_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"Intro request {self.public_id}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def is_accepted(self) -> bool:
        return self.status == self.Status.ACCEPTED

    @property
    def thread_is_open(self) -> bool:
        return self.is_accepted and self.thread_closed_at is None

    @property
    def responder_closed_account(self) -> bool:
        return self.thread_closed_reason == ThreadClosed.ACCOUNT_CLOSED


# The score's five components, as matching.scoring names them (Component.key).
SNAPSHOT_COMPONENTS = ("competence", "alliance", "clinical", "practical", "responsiveness")


def _points() -> models.FloatField:
    return models.FloatField(null=True, blank=True)


class IntroSnapshot(models.Model):
    """What the ranking said of a therapist for one responder when they asked for an intro.

    Taken once, in the transaction that saves the request, and never changed: answers,
    check-ins and weights move later, and the staff report compares what the ranking said
    then with the alliance measured afterwards. Invariants (constraints below):
    - eligible: total and every component's points are set, total is their sum (0 to 100);
      not eligible (the therapist did not pass the responder's filters at that moment):
      no score at all;
    - alliance measured: the check-ins and responders that stood behind it are set, with
      responders at most check-ins; self-described (the therapist's own words): neither;
    - shown_rank is the card's position (1 = top) in the list the responder asked from, or
      None when they asked from a page that showed no rank (the therapist's own page).
    It holds nothing that names the responder, nor what they wrote: no link to them, no
    answers, only the date. When the intro request goes (the responder deletes their
    account), `intro` becomes empty and the snapshot stays; `for_intro_id` still meets the
    anonymous check-in plan of that intro (alliance.CheckInPlan.intro_id).
    """

    class AllianceSource(models.TextChoices):
        MEASURED = "measured", "Measured from check-ins"
        SELF_DESCRIBED = "self_described", "The therapist's own words"

    intro = models.OneToOneField(
        IntroRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="snapshot",
    )
    for_intro_id = models.PositiveBigIntegerField(unique=True)
    therapist = models.ForeignKey(
        "profiles.TherapistProfile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="intro_snapshots",
    )
    taken_on = models.DateField()
    scoring_version = models.CharField(max_length=32)
    eligible = models.BooleanField()
    total = _points()
    competence_points = _points()
    alliance_points = _points()
    clinical_points = _points()
    practical_points = _points()
    responsiveness_points = _points()
    alliance_source = models.CharField(max_length=16, choices=AllianceSource.choices)
    alliance_checkins = models.PositiveIntegerField(null=True, blank=True)
    alliance_responders = models.PositiveIntegerField(null=True, blank=True)
    shown_rank = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    eligible=True,
                    total__gte=0,
                    total__lte=100,
                    competence_points__isnull=False,
                    alliance_points__isnull=False,
                    clinical_points__isnull=False,
                    practical_points__isnull=False,
                    responsiveness_points__isnull=False,
                )
                | models.Q(
                    eligible=False,
                    total__isnull=True,
                    competence_points__isnull=True,
                    alliance_points__isnull=True,
                    clinical_points__isnull=True,
                    practical_points__isnull=True,
                    responsiveness_points__isnull=True,
                ),
                name="intro_snapshot_score_whole_or_none",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    alliance_source="measured",
                    alliance_checkins__isnull=False,
                    alliance_responders__gte=1,
                    alliance_responders__lte=models.F("alliance_checkins"),
                )
                | models.Q(
                    alliance_source="self_described",
                    alliance_checkins__isnull=True,
                    alliance_responders__isnull=True,
                ),
                name="intro_snapshot_alliance_source",
            ),
            models.CheckConstraint(
                condition=models.Q(shown_rank__isnull=True) | models.Q(shown_rank__gte=1),
                name="intro_snapshot_rank_from_one",
            ),
        ]

    def __str__(self) -> str:
        return f"Snapshot of intro {self.for_intro_id}"

    @property
    def points(self) -> dict[str, float | None]:
        return {key: getattr(self, f"{key}_points") for key in SNAPSHOT_COMPONENTS}


class IntroMessage(models.Model):
    """One short message between the two sides of an accepted intro; encrypted at rest."""

    intro = models.ForeignKey(IntroRequest, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=16, choices=Side.choices)
    body = EncryptedTextField(validators=[MaxLengthValidator(THREAD_MESSAGE_MAX_CHARS)])
    created_at = models.DateTimeField(default=timezone.now)
    # When the other side was emailed that a message waits, so it is sent once.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["notified_at", "created_at"], name="intro_msg_notify_idx")]

    def __str__(self) -> str:
        return f"Message {self.pk} on intro {self.intro_id}"


class TherapistResponsiveness(models.Model):
    """How reliably and how fast a therapist answers intro requests; feeds the ranking."""

    therapist = models.OneToOneField(
        "profiles.TherapistProfile", on_delete=models.CASCADE, related_name="responsiveness"
    )
    # Requests with an outcome: answered (accepted or declined) or expired.
    decided = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    median_answer_hours = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "therapist responsiveness"

    def __str__(self) -> str:
        return f"Responsiveness of {self.therapist_id}"


class CoverageWatch(models.Model):
    """An address to email once, when the first therapist licensed in a state is listed.

    Kept only for that one email, encrypted, and deleted once it is sent. Invariant: one row
    per address and state (`email_key`, a keyed hash of the address in lower case, is unique
    with the state), so a state opening sends each address one email however often it was
    given. The hash goes with the row; a database copy cannot test an address against it
    without SECRET_KEY.
    """

    state = models.CharField(max_length=2, choices=choices.State.choices, db_index=True)
    email = EncryptedTextField()
    email_key = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["state", "email_key"], name="coverage_watch_one_per_address_and_state"
            )
        ]

    def __str__(self) -> str:
        return f"Coverage watch {self.pk} for {self.state}"
