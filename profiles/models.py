from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from profiles import choices
from profiles.fields import ChoiceSetField, EncryptedJSONField


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.update(is_staff=True, is_superuser=True, role=User.Role.STAFF)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address; the role is fixed at sign-up."""

    class Role(models.TextChoices):
        RESPONDER = "responder", "First responder"
        THERAPIST = "therapist", "Therapist"
        STAFF = "staff", "Staff"

    email = models.EmailField("email address", max_length=254, unique=True)
    role = models.CharField(max_length=16, choices=Role.choices)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(role__in=["responder", "therapist", "staff"]),
                name="user_role_known",
            ),
            models.CheckConstraint(
                condition=models.Q(is_staff=False) | models.Q(role="staff"),
                name="user_staff_has_staff_role",
            ),
        ]

    def __str__(self) -> str:
        return self.email


def validate_https_url(value: str) -> None:
    """A link shown to responders must use HTTPS."""
    if value and not value.lower().startswith("https://"):
        raise ValidationError("Enter a booking link that starts with https://.")


def private_storage() -> Storage:
    """Uploaded files live on private storage, served only by views that check who asks."""
    return storages["private"]


def _range(low: int, high: int) -> list[Any]:
    return [MinValueValidator(low), MaxValueValidator(high)]


class ResponderProfile(models.Model):
    """A responder's pseudonymous profile; their answers are encrypted at rest."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="responder_profile")
    pseudonym = models.CharField(
        max_length=40,
        help_text="The name therapists see. Never your legal name.",
    )
    # The intake answers, interpreted by the matching app; opaque and encrypted here.
    answers = EncryptedJSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.pseudonym


class TherapistProfile(models.Model):
    """What a responder needs to know about a therapist before reaching out."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="therapist_profile")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    # Identity
    full_name = models.CharField(max_length=120)
    credentials = models.CharField(
        max_length=60, blank=True, help_text="As you sign them, e.g. LCSW or PsyD, CCTP."
    )
    pronouns = models.CharField(max_length=30, blank=True)
    bio = models.TextField(max_length=1500, blank=True)
    photo = models.FileField(
        upload_to="photos/", storage=private_storage, blank=True, max_length=200
    )

    # First-responder experience
    years_serving_responders = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=_range(0, 60)
    )
    responder_caseload_percent = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=_range(0, 100)
    )
    services_served = ChoiceSetField(of=choices.Service)
    agency_work = ChoiceSetField(of=choices.AgencyWork)
    ride_along_hours = models.PositiveSmallIntegerField(default=0, validators=_range(0, 5000))
    lived_experience = ChoiceSetField(of=choices.LivedExperience)
    works_with_retired = models.BooleanField(default=False)
    agency_evaluations = ChoiceSetField(of=choices.AgencyEvaluation)

    # Clinical
    focus_concerns = ChoiceSetField(of=choices.Concern)
    methods_trained = ChoiceSetField(of=choices.Method)
    methods_certified = ChoiceSetField(of=choices.Method)

    # Practical
    formats = ChoiceSetField(of=choices.Format)
    office_zip = models.CharField(max_length=5, blank=True)
    office_city = models.CharField(max_length=80, blank=True)
    office_state = models.CharField(max_length=2, choices=choices.State.choices, blank=True)
    office_latitude = models.FloatField(null=True, blank=True)
    office_longitude = models.FloatField(null=True, blank=True)
    telehealth_states = ChoiceSetField(of=choices.State)
    languages = ChoiceSetField(of=choices.Language)
    gender = models.CharField(max_length=16, choices=choices.Gender.choices, blank=True)
    hours = ChoiceSetField(of=choices.Hours)
    reschedules_around_shifts = models.BooleanField(default=False)
    payment_methods = ChoiceSetField(of=choices.Payment)
    insurance_carriers = ChoiceSetField(of=choices.InsuranceCarrier)
    fee_min_dollars = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=_range(0, 1000)
    )
    fee_max_dollars = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=_range(0, 1000)
    )
    sliding_scale = models.BooleanField(default=False)
    # How new clients reach the therapist, shown to a responder once an intro is accepted.
    new_client_contact = models.CharField(
        max_length=16,
        choices=choices.NewClientContact.choices,
        default=choices.NewClientContact.RAPPORT,
    )
    new_client_phone = models.CharField(max_length=16, blank=True)
    booking_url = models.URLField(max_length=300, blank=True, validators=[validate_https_url])

    # Capacity: accepting needs an opening (a constraint below); each accepted intro takes
    # one (profiles.services.openings), and the last one taken stops accepting until the
    # therapist reopens.
    accepting_new_clients = models.BooleanField(default=False)
    open_slots = models.PositiveSmallIntegerField(default=0, validators=_range(0, 200))
    # When an accepted intro took the last opening; empty once the therapist reopens or
    # saves their capacity. The reopen link in the email names this moment, so it works
    # once.
    openings_closed_at = models.DateTimeField(null=True, blank=True)
    # When the therapist was emailed that their openings are all taken, so it is sent once.
    openings_closed_notified_at = models.DateTimeField(null=True, blank=True)

    published_at = models.DateTimeField(null=True, blank=True)
    # Every editor section is complete. Kept in step by each service that saves a section, so
    # that the listing (a query) can require it: a profile emptied after publishing is hidden.
    profile_complete = models.BooleanField(default=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmation_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(years_serving_responders__lte=60),
                name="therapist_years_serving_at_most_60",
            ),
            models.CheckConstraint(
                condition=models.Q(responder_caseload_percent__lte=100),
                name="therapist_caseload_percent_at_most_100",
            ),
            models.CheckConstraint(
                condition=models.Q(fee_min_dollars__lte=models.F("fee_max_dollars"))
                | models.Q(fee_min_dollars__isnull=True)
                | models.Q(fee_max_dollars__isnull=True),
                name="therapist_fee_range_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    methods_certified=models.F("methods_certified").bitand(
                        models.F("methods_trained")
                    )
                ),
                name="therapist_certified_methods_are_offered",
            ),
            models.CheckConstraint(
                condition=models.Q(accepting_new_clients=False) | models.Q(open_slots__gte=1),
                name="therapist_accepting_has_an_opening",
                violation_error_message=(
                    "A therapist taking new clients needs at least one opening: enter how "
                    "many new clients they can take, or stop taking new clients."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class VettingStatus(models.TextChoices):
    PENDING = "pending", "Pending review"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Not verified"


class ReviewReason(models.TextChoices):
    """Why a record waits for review again; empty for its first review."""

    NAME_CHANGED = "name_changed", "The therapist changed their name"
    DETAILS_CHANGED = "details_changed", "The therapist changed what was checked"
    NEW_DOCUMENT = "new_document", "The therapist added a new document"
    RESUBMITTED = "resubmitted", "Sent again after a rejection"


def evidence_upload_to(instance: models.Model, filename: str) -> str:
    """Store evidence under a generated name; the uploaded name is never used."""
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"evidence/{uuid.uuid4().hex}.{extension}"


class VettedRecord(models.Model):
    """A claim a therapist makes, with its evidence, that staff verify or reject."""

    status = models.CharField(
        max_length=16, choices=VettingStatus.choices, default=VettingStatus.PENDING
    )
    decision_reason = models.TextField(max_length=1000, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    document = models.FileField(
        upload_to=evidence_upload_to, storage=private_storage, max_length=200
    )
    document_content_type = models.CharField(max_length=40)
    submitted_at = models.DateTimeField(default=timezone.now)
    # When the therapist was last emailed about a decision, so each decision is sent once.
    decision_notified_at = models.DateTimeField(null=True, blank=True)
    # Why it waits for review again, and what changed, for staff; empty on a first review.
    review_reason = models.CharField(max_length=20, choices=ReviewReason.choices, blank=True)
    review_note = models.CharField(max_length=300, blank=True)
    # When staff had verified it, if it came back after a verification: such re-reviews are
    # shown first in the queue, since the therapist was listed on it.
    previously_verified_at = models.DateTimeField(null=True, blank=True)
    # When the therapist was emailed that it went back to review, so each return is told once.
    review_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class License(VettedRecord):
    """A license to practise in one state or territory."""

    therapist = models.ForeignKey(
        TherapistProfile, on_delete=models.CASCADE, related_name="licenses"
    )
    state = models.CharField(max_length=2, choices=choices.State.choices)
    license_type = models.CharField(max_length=20, choices=choices.LicenseType.choices)
    number = models.CharField(max_length=40)
    expires_on = models.DateField()
    board_lookup_url = models.URLField(
        max_length=500, blank=True, help_text="The licensing board's look-up page staff used."
    )
    # The smallest reminder (in days before expiry) already sent, so each is sent once.
    last_expiry_reminder_days = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["therapist", "state", "number"], name="license_unique_per_therapist"
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.get_license_type_display()} {self.state} {self.number}"

    @property
    def short_name(self) -> str:
        """The type in short and the state, as a therapist says it: "LCSW, Colorado"."""
        return f"{self.get_license_type_display().split(' (')[0]}, {self.get_state_display()}"


class ResponderTraining(VettedRecord):
    """A responder-specific training or certification."""

    therapist = models.ForeignKey(
        TherapistProfile, on_delete=models.CASCADE, related_name="trainings"
    )
    kind = models.CharField(max_length=20, choices=choices.TrainingKind.choices)
    name = models.CharField(max_length=120)
    issuer = models.CharField(max_length=120)
    completed_on = models.DateField()
    hours = models.PositiveSmallIntegerField(null=True, blank=True, validators=_range(0, 5000))

    class Meta:
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return self.name


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Audit entries cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit entries cannot be deleted.")


class AuditEntry(models.Model):
    """One sensitive read or one decision: who, when, what, before and after, and why.

    Entries are only ever added, each chained by hash to the one before it. The application
    refuses to change or delete them; on PostgreSQL a trigger refuses UPDATE, DELETE and
    TRUNCATE too, and the application can run under a role that may only INSERT and SELECT
    this table (see `DATABASE_APP_ROLE`). An account named in an entry cannot be deleted,
    only closed, so every entry keeps saying who acted and about whom; the actor's email is
    kept as text as well.
    """

    class Action(models.TextChoices):
        VERIFIED = "verified", "Verified"
        REJECTED = "rejected", "Rejected"
        DOCUMENT_VIEWED = "document_viewed", "Viewed a document"
        INTRO_READ = "intro_read", "Read an intro request"
        ADMIN_ADDED = "admin_added", "Added in the admin"
        ADMIN_CHANGED = "admin_changed", "Changed in the admin"
        ADMIN_DELETED = "admin_deleted", "Deleted in the admin"
        ADMIN_PASSWORD_SET = "admin_password_set", "Set a password in the admin"
        ACCOUNT_CLOSED = "account_closed", "Closed their own account"

    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    # Required for every new entry; NULL only in entries written before accounts named in
    # the trail were protected from deletion.
    actor = models.ForeignKey(
        User, null=True, on_delete=models.PROTECT, related_name="audit_entries"
    )
    # Kept as text too, so the entry says who acted even read on its own.
    actor_email = models.EmailField(max_length=254)
    action = models.CharField(max_length=32, choices=Action.choices)
    target_type = models.CharField(max_length=40)
    target_id = models.PositiveBigIntegerField()
    therapist = models.ForeignKey(
        TherapistProfile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    previous_hash = models.CharField(max_length=64, editable=False)
    entry_hash = models.CharField(max_length=64, editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.actor_email} {self.action} {self.target_type} {self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit entries cannot be deleted.")

    @property
    def changes(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for each field the entry records, in name order."""
        before, after = self.before or {}, self.after or {}
        return [(name, before.get(name), after.get(name)) for name in sorted({*before, *after})]
