"""Everything Rapport holds about one responder, decrypted, for them to take away.

One document feeds the JSON download (for programs) and the printable page (for people).
Invariants, each tested against a database holding one of everything
(tests/security/test_data_export.py):
- every value the responder gave, or that was written to them, is in it: account, the
  name therapists see, every answer (its code and its words), each intro request with the
  snapshot of what the list showed, the contact details given, the therapist's reply,
  every thread message both ways, every check-in with its answers, note, wellbeing answers
  and sharing choice, the coverage requests their addresses are known by, and every audited
  read of their intro requests (when, which role, which action);
- nothing of another person: a therapist is named as the responder saw them; a reader of
  their data is named by role only, never by email or id.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db.models import Prefetch
from django.utils import timezone

from alliance.forms import CHECKIN_ITEMS, WELLBEING_ITEMS
from alliance.models import RATING_FIELDS, WELLBEING_FIELDS, CheckIn
from matching.forms.intake import RESPONDER_STYLE_QUESTIONS
from matching.intake import Intake
from matching.models import (
    SNAPSHOT_COMPONENTS,
    CoverageWatch,
    IntroMessage,
    IntroRequest,
    IntroSnapshot,
    ThreadClosed,
)
from matching.selectors.intake import STYLE_ANSWER_WORDS
from matching.services.coverage import coverage_email_key
from profiles import choices
from profiles.models import AuditEntry, ResponderProfile, User

# Each answer of the intake: its question, and the choices whose words it takes (None for
# a number, a ZIP code or a yes/no).
ANSWER_QUESTIONS: dict[str, tuple[str, type | None]] = {
    "service": ("Service", choices.Service),
    "service_status": ("Serving now", choices.ServiceStatus),
    "state": ("State", choices.State),
    "zip_code": ("ZIP code", None),
    "travel_miles": ("Travel (miles)", None),
    "format_preference": ("Meeting", choices.FormatPreference),
    "concerns": ("Concerns", choices.Concern),
    "methods_wanted": ("Methods wanted", choices.Method),
    "methods_avoided": ("Methods to avoid", choices.Method),
    "therapist_gender": ("Therapist's gender", choices.Gender),
    "gender_required": ("Only this gender", None),
    "languages": ("Languages", choices.Language),
    "language_required": ("Only these languages", None),
    "avoid_fitness_evaluators": ("Leave out fitness-for-duty evaluators", None),
    "avoid_preemployment_evaluators": ("Leave out pre-employment screeners", None),
    "hours": ("When", choices.Hours),
    "hours_required": ("Only these hours", None),
    "payment_methods": ("Paying with", choices.Payment),
    "insurance_carrier": ("Insurance", choices.InsuranceCarrier),
    "self_pay_budget_dollars": ("Self-pay budget (dollars per session)", None),
    "payment_required": ("Only these ways of paying", None),
    **{f"style_{dim}": (question, None) for dim, question in RESPONDER_STYLE_QUESTIONS.items()},
    "importance": ("What matters most", None),
}
IMPORTANCE_WORDS = ("Not important", "Somewhat", "Important", "Matters most")


def _when(value: Any) -> str | None:
    return value.isoformat() if value else None


def _words(choice_class: type | None, value: Any) -> Any:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if choice_class is None:
        return value
    lookup = dict(choice_class.choices)
    if isinstance(value, list | set | frozenset | tuple):
        return [lookup.get(item, item) for item in sorted(value)]
    return lookup.get(value, value) if value else None


def _coded(choice_class: type, value: str) -> dict[str, Any]:
    return {"code": value, "label": dict(choice_class.choices).get(value, value)}


def answers_export(answers: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Each stored answer as {key, question, code, label}: the code as kept, in words too."""
    intake = Intake.from_dict(answers)
    rows = []
    for item in fields(Intake):
        question, choice_class = ANSWER_QUESTIONS[item.name]
        value = getattr(intake, item.name)
        if item.name.startswith("style_"):
            label = None if value is None else STYLE_ANSWER_WORDS[item.name[6:]][value]
        elif item.name == "importance":
            label = {key: IMPORTANCE_WORDS[level] for key, level in value.items()}
        else:
            label = _words(choice_class, value)
        code = sorted(value) if isinstance(value, frozenset) else value
        rows.append({"key": item.name, "question": question, "code": code, "label": label})
    return rows


def _snapshot_export(intro: IntroRequest) -> dict[str, Any] | None:
    snapshot = getattr(intro, "snapshot", None)
    if snapshot is None:
        return None
    return {
        "taken_on": _when(snapshot.taken_on),
        "scoring_version": snapshot.scoring_version,
        "within_your_filters": snapshot.eligible,
        "score": snapshot.total,
        "points": {key: getattr(snapshot, f"{key}_points") for key in SNAPSHOT_COMPONENTS},
        "alliance_from": _coded(IntroSnapshot.AllianceSource, snapshot.alliance_source),
        "alliance_checkins": snapshot.alliance_checkins,
        "alliance_responders": snapshot.alliance_responders,
        "place_in_the_list": snapshot.shown_rank,
    }


def _intro_export(intro: IntroRequest) -> dict[str, Any]:
    return {
        "reference": str(intro.public_id),
        "therapist": intro.therapist.full_name,
        "status": intro.status,
        "status_label": IntroRequest.Status(intro.status).label,
        "message": intro.message,
        "contact_method": intro.contact_method,
        "contact_method_label": IntroRequest.ContactMethod(intro.contact_method).label,
        "contact_email": intro.contact_email,
        "contact_phone": intro.contact_phone,
        "contact_hours": [_coded(choices.Hours, hour) for hour in sorted(intro.contact_hours)],
        "between_shifts": intro.between_shifts,
        "your_service_when_asked": _coded(choices.Service, intro.responder_service)
        if intro.responder_service
        else None,
        "your_state_when_asked": _coded(choices.State, intro.responder_state)
        if intro.responder_state
        else None,
        "your_list_had_someone_with_room": intro.list_had_room,
        "sent": _when(intro.created_at),
        "expires": _when(intro.expires_at),
        "first_read_by_therapist": _when(intro.first_read_at),
        "answered": _when(intro.answered_at),
        "therapist_reply": intro.therapist_reply,
        "thread_closed": _when(intro.thread_closed_at),
        "thread_closed_because": _coded(ThreadClosed, intro.thread_closed_reason)
        if intro.thread_closed_reason
        else None,
        "you_blocked_the_therapist": _when(intro.responder_blocked_at),
        "messages": [
            {
                "from": "you" if message.sender == "responder" else "therapist",
                "sent": _when(message.created_at),
                "body": message.body,
            }
            for message in intro.messages.all()
        ],
        "what_the_list_showed": _snapshot_export(intro),
    }


def _checkins_export(profile: ResponderProfile) -> list[dict[str, Any]]:
    """Every check-in: each answer with its question, the wellbeing ones, note and sharing."""
    checkins = (
        CheckIn.objects.filter(plan__responder=profile)
        .select_related("plan__therapist")
        .order_by("plan_id", "number")
    )
    return [
        {
            "therapist": checkin.plan.therapist.full_name,
            "number": checkin.number,
            "kind": checkin.kind,
            "due": _when(checkin.due_at),
            "status": checkin.status,
            "status_label": CheckIn.Status(checkin.status).label,
            "answered": _when(checkin.answered_at),
            # Keyed as in "check_in_questions" of the document.
            "answers": checkin.ratings if checkin.answered_at else None,
            "how_things_are_going": checkin.wellbeing if checkin.answered_at else None,
            "still_seeing": checkin.still_seeing,
            "note": checkin.note,
            "shared_with_therapist": checkin.shared,
        }
        for checkin in checkins
    ]


def _reads_export(intros: list[IntroRequest]) -> list[dict[str, Any]]:
    """Audited reads of the responder's intro requests: when, by which role, doing what."""
    by_pk = {intro.pk: intro for intro in intros}
    entries = (
        AuditEntry.objects.filter(target_type="intro", target_id__in=list(by_pk))
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    roles = dict(User.Role.choices)
    return [
        {
            "when": _when(entry.created_at),
            "role": roles.get(entry.actor.role, "Staff") if entry.actor else "Unknown",
            "action": _coded(AuditEntry.Action, entry.action),
            "intro_request": str(by_pk[entry.target_id].public_id),
        }
        for entry in entries
    ]


def _coverage_export(user: User) -> list[dict[str, Any]]:
    """Coverage requests made with any of the responder's addresses (known by keyed hash)."""
    addresses = {
        user.email,
        *EmailAddress.objects.filter(user=user).values_list("email", flat=True),
    }
    keys = {coverage_email_key(address) for address in addresses}
    return [
        {
            "state": _coded(choices.State, watch.state),
            "email": watch.email,
            "asked": _when(watch.created_at),
        }
        for watch in CoverageWatch.objects.filter(email_key__in=keys).order_by("created_at")
    ]


def responder_data_export(*, user: User) -> dict[str, Any]:
    """Everything Rapport keeps about a responder, in one document they can download."""
    profile = ResponderProfile.objects.get(user=user)
    intros = list(
        IntroRequest.objects.filter(responder=profile)
        .select_related("therapist", "snapshot")
        .prefetch_related(
            Prefetch("messages", queryset=IntroMessage.objects.order_by("created_at", "pk"))
        )
    )
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
            "two_factor": [
                {"type": kind, "added": _when(created), "last_used": _when(used)}
                for kind, created, used in Authenticator.objects.filter(user=user).values_list(
                    "type", "created_at", "last_used_at"
                )
            ],
            "joined": _when(user.date_joined),
            "last_sign_in": _when(user.last_login),
        },
        "profile": {
            "name_shown_to_therapists": profile.pseudonym,
            # As stored (codes), and each with its question and its words.
            "answers": profile.answers,
            "answers_in_words": answers_export(profile.answers),
            "created": _when(profile.created_at),
            "updated": _when(profile.updated_at),
        },
        "intro_requests": [_intro_export(intro) for intro in intros],
        "check_ins": _checkins_export(profile),
        "check_in_questions": {
            **{name: CHECKIN_ITEMS[name] for name in RATING_FIELDS},
            **{name: WELLBEING_ITEMS[name] for name in WELLBEING_FIELDS},
        },
        "coverage_requests": _coverage_export(user),
        "who_read_your_data": _reads_export(intros),
    }
