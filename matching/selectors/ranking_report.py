"""Reads for the staff report "Does the ranking work?": three queries, whatever the size.

Snapshot -> intro -> check-in plan -> check-ins. The snapshot's `for_intro_id` meets the
plan's `intro_id`, so an intro whose responder deleted their account still counts, without
anything that names them. The figures themselves are computed in matching.report_figures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable

from django.conf import settings
from django.utils import timezone

from alliance.models import RATING_FIELDS, WELLBEING_FIELDS, CheckIn, CheckInPlan
from matching.models import IntroRequest, IntroSnapshot
from matching.report_figures import Report, report_of
from matching.report_records import CheckinRecord, IntroRecord

CHECKINS_READ = 3  # the first, about six weeks, and the third (for the change in wellbeing)


def _six_weeks(plan: dict, second: CheckinRecord | None, now: dt.datetime) -> tuple[bool, bool]:
    """(has the six-week mark passed, was the plan still running then).

    A plan stopped for any reason by the mark, or a second check-in answered "no longer
    seeing them", counts as not seeing.
    """
    mark = plan["accepted_at"] + dt.timedelta(days=settings.CHECKIN_SECOND_DAYS)
    if mark > now:
        return False, False
    stopped = plan["stopped_at"] is not None and plan["stopped_at"] <= mark
    said_not = second is not None and second.answered and plan["second_seeing"] is False
    return True, not (stopped or said_not)


def ranking_report_intros(*, now: dt.datetime | None = None) -> list[IntroRecord]:
    """Every intro that kept a snapshot, with its plan and first check-ins: three queries."""
    now = now or timezone.now()
    snapshot_ids = IntroSnapshot.objects.values("for_intro_id")
    snapshots = IntroSnapshot.objects.values_list(
        "for_intro_id",
        "eligible",
        "total",
        "alliance_source",
        "intro__status",
        "intro__responder",
        "therapist",
    ).order_by("for_intro_id")
    plans = {
        row["intro_id"]: row
        for row in CheckInPlan.objects.filter(intro_id__in=snapshot_ids).values(
            "intro_id", "responder_id", "batch_key", "accepted_at", "stopped_at", "stopped_reason"
        )
    }
    checkins: dict[int, dict[int, CheckinRecord]] = defaultdict(dict)
    for row in CheckIn.objects.filter(
        plan__intro_id__in=snapshot_ids, number__lte=CHECKINS_READ
    ).values(
        "plan__intro_id", "number", "status", "still_seeing", *RATING_FIELDS, *WELLBEING_FIELDS
    ):
        answered = row["status"] == CheckIn.Status.ANSWERED
        checkins[row["plan__intro_id"]][row["number"]] = CheckinRecord(
            status=row["status"],
            ratings={name: row[name] for name in RATING_FIELDS} if answered else {},
            wellbeing={name: row[name] for name in WELLBEING_FIELDS} if answered else {},
        )
        if row["number"] == 2 and row["plan__intro_id"] in plans:
            plans[row["plan__intro_id"]]["second_seeing"] = row["still_seeing"]
    records = []
    for intro_id, eligible, total, source, status, responder_id, therapist_id in snapshots:
        plan = plans.get(intro_id)
        intro_checkins = checkins.get(intro_id, {})
        passed, seeing = (False, False)
        if plan is not None:
            plan.setdefault("second_seeing", None)
            passed, seeing = _six_weeks(plan, intro_checkins.get(2), now)
        records.append(
            IntroRecord(
                intro_id=intro_id,
                score=total if eligible else None,
                source=source,
                status=status or "",
                responder=_responder_key(intro_id, responder_id, plan),
                therapist=therapist_id,
                accepted=plan is not None,
                stopped_reason=None if plan is None else plan["stopped_reason"],
                six_weeks_passed=passed,
                seeing_at_six_weeks=seeing,
                checkins=intro_checkins,
            )
        )
    return records


def _responder_key(intro_id: int, responder_id: int | None, plan: dict | None) -> Hashable:
    """Who asked, only to count different responders.

    Once a responder deleted their account nothing links their intros to one another but a
    plan's batch key (one per responder and therapist); each such intro then counts as a
    responder of its own, which can count one person more than once.
    """
    if responder_id is not None:
        return ("responder", responder_id)
    if plan is not None and plan["responder_id"] is not None:
        return ("responder", plan["responder_id"])
    if plan is not None:
        return ("deleted", plan["batch_key"])
    return ("deleted-intro", intro_id)


def ranking_report(*, now: dt.datetime | None = None) -> Report:
    """The staff report: every figure, and the selection behind them."""
    return report_of(
        ranking_report_intros(now=now),
        minimum=settings.ALLIANCE_MIN_RESPONDERS,
        statuses=IntroRequest.Status.values,
    )
