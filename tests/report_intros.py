"""Intros with their snapshot, plan and check-ins, written straight to the database with the
scores and answers a test needs (the staff report's tests work figures out by hand)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from alliance.models import CheckIn, CheckInPlan
from matching.models import IntroRequest, IntroSnapshot
from tests.factories import ResponderFactory, TherapistFactory

NOW = timezone.now()
TRAITS = ("respect_trust", "collaboration", "empathy", "adaptability")


def _checkin(plan: CheckInPlan, number: int, answer) -> CheckIn:
    """`answer`: a status, or (alliance, fit) / (alliance, fit, wellbeing, still seeing)."""
    due = plan.accepted_at + dt.timedelta(days=(14, 42, 133)[number - 1])
    kind = ("first", "second", "quarterly")[number - 1]
    if isinstance(answer, str):
        return CheckIn.objects.create(
            plan=plan, number=number, kind=kind, due_at=due, status=answer
        )
    alliance, fit, *rest = answer
    # A half-point alliance (7.5) is two items a point apart: 7, 8, 7, 8.
    low, high = int(alliance), int(alliance) + (alliance % 1 == 0.5)
    assert alliance in (low, (low + high) / 2), alliance
    wellbeing = rest[0] if rest else None
    seeing = rest[1] if len(rest) > 1 else True
    return CheckIn.objects.create(
        plan=plan,
        number=number,
        kind=kind,
        due_at=due,
        status=CheckIn.Status.ANSWERED,
        answered_at=due + dt.timedelta(hours=3),
        still_seeing=seeing,
        fit=fit,
        **dict(zip(TRAITS, (low, high, low, high), strict=True)),
        **({"wellbeing_overall": wellbeing} if wellbeing is not None else {}),
    )


def intro(
    score: float | None,
    *,
    source: str = "self_described",
    status: str = "accepted",
    responder=None,
    therapist=None,
    checkins: dict | None = None,
    accepted_days_ago: int = 60,
    stopped_days_after: int | None = None,
    stop_reason: str = "",
) -> IntroRequest:
    """One intro with its snapshot and, when accepted, its plan and check-ins."""
    responder = responder or ResponderFactory()
    therapist = therapist or TherapistFactory()
    accepted = NOW - dt.timedelta(days=accepted_days_ago)
    request = IntroRequest.objects.create(
        responder=responder,
        therapist=therapist,
        submission_token=uuid.uuid4(),
        contact_method="rapport",
        status=status,
        created_at=accepted - dt.timedelta(days=1),
        expires_at=accepted + dt.timedelta(days=2),
        answered_at=accepted if status in ("accepted", "declined") else None,
    )
    measured = source == "measured"
    IntroSnapshot.objects.create(
        intro=request,
        for_intro_id=request.pk,
        therapist=therapist,
        taken_on=accepted.date(),
        scoring_version="test",
        eligible=score is not None,
        total=score,
        **(
            dict.fromkeys(
                ("alliance_points", "clinical_points", "practical_points", "responsiveness_points"),
                0.0,
            )
            | {"competence_points": score}
            if score is not None
            else {}
        ),
        alliance_source=source,
        alliance_checkins=8 if measured else None,
        alliance_responders=6 if measured else None,
        shown_rank=1,
    )
    if status == "accepted":
        plan = CheckInPlan.objects.create(
            intro_id=request.pk,
            responder=responder,
            therapist=therapist,
            service="fire",
            accepted_at=accepted,
            stopped_at=(
                accepted + dt.timedelta(days=stopped_days_after)
                if stopped_days_after is not None
                else None
            ),
            stopped_reason=stop_reason,
        )
        for number, answer in (checkins or {}).items():
            _checkin(plan, number, answer)
    return request
