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
    responder = models.ForeignKey(
        "profiles.ResponderProfile", on_delete=models.CASCADE, related_name="intro_requests"
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

    Kept only for that one email, encrypted, and deleted once it is sent.
    """

    state = models.CharField(max_length=2, choices=choices.State.choices, db_index=True)
    email = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Coverage watch {self.pk} for {self.state}"
