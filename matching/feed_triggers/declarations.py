"""The ranking's change feed: which tables and columns it watches, declared once.

See the package's docstring (matching/feed_triggers/__init__.py) for the rules and the
invariants; sql.py generates both databases' triggers from these declarations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FEED_TABLE = "matching_rankingchange"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class WatchedTable:
    """One table behind the ranking or the profile page, and which of its writes count."""

    app_label: str
    model_name: str
    table: str
    # SQL naming the row's therapist, with {row} standing for OLD or NEW.
    therapist: str
    watched: tuple[str, ...]
    # Column -> why its changes do not matter.
    ignored: dict[str, str] = field(default_factory=dict)
    # SQL for the feed row's `population` flag, with {row} for OLD or NEW; None leaves it NULL.
    population: str | None = None
    # Whether inserting or deleting a row notes its therapist.
    inserts_and_deletes: bool = True

    def __post_init__(self) -> None:
        for name in (self.table, *self.watched, *self.ignored):
            if not _IDENTIFIER.match(name):
                raise ValueError(f"{name!r} is not a plain lower-case SQL identifier")
        both = set(self.watched) & set(self.ignored)
        if both:
            raise ValueError(f"{self.table}: {sorted(both)} both watched and ignored")

    @property
    def function_name(self) -> str:
        return f"matching_feed_{self.table}"

    def trigger_names(self, vendor: str) -> list[str]:
        """The names of this table's triggers on the vendor, in the order they are made."""
        if vendor == "postgresql":
            names = [f"{self.table}_feed_update", f"{self.table}_feed_reset"]
            if self.inserts_and_deletes:
                names.insert(0, f"{self.table}_feed_change")
            return names
        events = ("insert", "update", "delete") if self.inserts_and_deletes else ("update",)
        return [f"{self.table}_feed_{event}" for event in events]


_VETTING_BOOKKEEPING = {
    "updated_at": "set on every save, whatever changed",
    "decision_notified_at": "when the therapist was emailed the decision; shown nowhere",
    "review_reason": "why a record waits for review again; for staff and the therapist only",
    "review_note": "what changed before a review again; for staff only",
    "previously_verified_at": "orders the staff queue; status alone decides the listing",
    "review_notified_at": "when the therapist was emailed a review again; shown nowhere",
}
_UPDATED_AT = {"updated_at": "set on every save, whatever changed"}

# The therapist profile: everything on the card and the profile page, and who is listed.
_IDENTITY = ("id", "user_id", "public_id", "full_name", "credentials", "pronouns", "bio", "photo")
_EXPERIENCE = (
    "years_serving_responders", "responder_caseload_percent", "services_served", "agency_work",
    "ride_along_hours", "lived_experience", "works_with_retired", "agency_evaluations",
    "focus_concerns", "methods_trained", "methods_certified",
)  # fmt: skip
_PRACTICAL = (
    "formats", "office_zip", "office_city", "office_state", "office_latitude",
    "office_longitude", "telehealth_states", "languages", "gender", "hours",
    "reschedules_around_shifts", "payment_methods", "insurance_carriers", "fee_min_dollars",
    "fee_max_dollars", "sliding_scale",
    # How a responder reaches them once an intro is accepted.
    "new_client_contact", "new_client_phone", "booking_url",
)  # fmt: skip
_LISTING = (
    "accepting_new_clients", "open_slots", "published_at", "profile_complete", "confirmed_at",
)  # fmt: skip

THERAPIST_PROFILE = WatchedTable(
    app_label="profiles",
    model_name="TherapistProfile",
    table="profiles_therapistprofile",
    therapist="{row}.id",
    # created_at never changes after the insert; watched as the whole-row triggers always did.
    watched=(*_IDENTITY, *_EXPERIENCE, *_PRACTICAL, *_LISTING, "created_at"),
    ignored={
        "updated_at": "set on every save, whatever changed",
        "confirmation_reminder_sent_at": "when the last please-confirm email went out",
        "openings_closed_at": (
            "when the last opening was taken; written with open_slots and "
            "accepting_new_clients, which the listing reads"
        ),
        "openings_closed_notified_at": "when the openings-taken email went out",
    },
)

# A user row notes only when the account is switched on or off: an inactive therapist is not
# listed. Inserting a user notes nothing (no profile yet), and deleting one deletes the
# profile first, which notes itself.
USERS = WatchedTable(
    app_label="profiles",
    model_name="User",
    table="profiles_user",
    therapist="(SELECT id FROM profiles_therapistprofile WHERE user_id = {row}.id)",
    watched=("is_active",),
    ignored={
        "id": "a user's id never changes; the profile names it through user_id",
        "password": "a new password changes nothing a responder sees",
        "last_login": "written on every sign-in",
        "is_superuser": "staff rights, not the listing",
        "email": "the sign-in address, never shown on a card or profile",
        "role": "fixed at sign-up",
        "is_staff": "staff rights, not the listing",
        "date_joined": "shown nowhere the ranking reads",
    },
    inserts_and_deletes=False,
)

# The decision and the record the reviewer saw: status decides who is listed; the rest
# changes together with it or with a resubmission, and was always watched.
_VETTED_RECORD = (
    "id", "therapist_id", "status", "decision_reason", "decided_at", "decided_by_id",
    "document", "document_content_type", "submitted_at", "created_at",
)  # fmt: skip

LICENSES = WatchedTable(
    app_label="profiles",
    model_name="License",
    table="profiles_license",
    therapist="{row}.therapist_id",
    # State and expiry decide where a therapist is listed; type and number are on the page.
    watched=(*_VETTED_RECORD, "state", "license_type", "number", "expires_on", "board_lookup_url"),
    ignored={
        **_VETTING_BOOKKEEPING,
        "last_expiry_reminder_days": "which expiry reminder was sent last",
    },
)

TRAININGS = WatchedTable(
    app_label="profiles",
    model_name="ResponderTraining",
    table="profiles_respondertraining",
    therapist="{row}.therapist_id",
    # Kind and hours feed the training factor; the rest is listed on the profile page.
    watched=(*_VETTED_RECORD, "kind", "name", "issuer", "completed_on", "hours"),
    ignored=dict(_VETTING_BOOKKEEPING),
)

_STATEMENTS = ("respect_trust", "collaboration", "empathy", "adaptability")
_STYLE = tuple(
    f"style_{dimension}_{part}"
    for dimension in ("lead", "focus", "pace", "tone")
    for part in ("usual", "low", "high")
)

ALLIANCE_APPROACH = WatchedTable(
    app_label="alliance",
    model_name="AllianceApproach",
    table="alliance_allianceapproach",
    therapist="{row}.therapist_id",
    # Statements are on the profile page; practices and working style are scored.
    watched=("id", "therapist_id", *_STATEMENTS, "practices", *_STYLE),
    ignored=dict(_UPDATED_AT),
)

RESPONSIVENESS = WatchedTable(
    app_label="matching",
    model_name="TherapistResponsiveness",
    table="matching_therapistresponsiveness",
    therapist="{row}.therapist_id",
    # Answer rate and speed are scored.
    watched=("id", "therapist_id", "decided", "answered", "median_answer_hours"),
    ignored=dict(_UPDATED_AT),
)

# Intro requests: a therapist's load (requests waiting against openings) orders the list and
# keeps a full therapist off it, so a request made, answered, withdrawn, expired or deleted
# notes its therapist. Everything else an intro holds is its conversation and delivery.
_INTRO_CONVERSATION = "what the two sides said and chose; the ranking reads none of it"
INTRO_REQUESTS = WatchedTable(
    app_label="matching",
    model_name="IntroRequest",
    table="matching_introrequest",
    therapist="{row}.therapist_id",
    watched=("id", "therapist_id", "status"),
    ignored={
        "public_id": "a random id for URLs; never changes",
        "responder_id": "who asked; the load counts requests, not people",
        "submission_token": "a form's one-time token",
        "message": _INTRO_CONVERSATION,
        "contact_method": _INTRO_CONVERSATION,
        "contact_email": _INTRO_CONVERSATION,
        "contact_phone": _INTRO_CONVERSATION,
        "contact_hours": _INTRO_CONVERSATION,
        "between_shifts": _INTRO_CONVERSATION,
        "therapist_reply": _INTRO_CONVERSATION,
        "created_at": "set once, when the request is saved (the insert notes it)",
        "expires_at": "set once; the sweep's status change notes the expiry",
        "delivered_at": "delivery bookkeeping",
        "delivery_attempts": "delivery bookkeeping",
        "last_queued_at": "delivery bookkeeping",
        "first_read_at": "when the therapist first opened it",
        "answered_at": "written with status, which is watched",
        "responder_notified_at": "when the responder was emailed the answer",
        "responder_service": "staff figures; set once",
        "responder_state": "staff figures; set once",
        "list_had_room": "staff figures; set once",
        "thread_closed_at": "the conversation after an accept",
        "thread_closed_reason": "the conversation after an accept",
        "responder_blocked_at": "the conversation after an accept",
    },
)

_ITEMS = ("respect_trust", "collaboration", "empathy", "adaptability", "fit")
_SUMS = tuple(f"{item}_sum" for item in _ITEMS)
_WEAK = tuple(f"{item}_weak" for item in _ITEMS)
_SQUARES = tuple(f"{item}_squares" for item in _ITEMS)

# Released check-in totals: every column is measured alliance. A row over all services
# (service '') also makes the population every measured alliance is shrunk toward.
RELEASED_TOTALS = WatchedTable(
    app_label="alliance",
    model_name="ReleasedTotals",
    table="alliance_releasedtotals",
    therapist="{row}.therapist_id",
    watched=("id", "therapist_id", "service", "checkins", "responders", *_SUMS, *_WEAK, *_SQUARES),
    population="{row}.service = ''",
)

WATCHED_TABLES: tuple[WatchedTable, ...] = (
    USERS,
    THERAPIST_PROFILE,
    LICENSES,
    TRAININGS,
    ALLIANCE_APPROACH,
    RESPONSIVENESS,
    RELEASED_TOTALS,
    INTRO_REQUESTS,
)
