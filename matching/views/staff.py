"""Staff pages of the matching app: whether the ranking works, and supply against demand."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from alliance.models import CheckInPlan
from matching.forms.supply import SupplyWeeksForm
from matching.models import IntroRequest
from matching.report_chart import band_chart
from matching.report_figures import BAND_FIGURES, FIGURES
from matching.report_statistics import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED
from matching.selectors import ranking_report as report_selectors
from matching.selectors.supply import SUPPLY_WEEKS_DEFAULT, supply_and_demand
from matching.supply_figures import where_to_recruit
from profiles.decorators import staff_required

CHECKIN_OUTCOME_LABELS = {
    "answered": "Answered",
    "skipped": "Skipped",
    "lapsed": "Link expired unanswered",
    "stopped": "Stopped before it was answered",
    "due": "Not answered yet (due or to come)",
    "not_planned": "Not planned (not yet, or the plan stopped first)",
}


@require_safe
@staff_required
def ranking_report(request: HttpRequest) -> HttpResponse:
    """Does a higher score at the intro go with a better alliance afterwards? Aggregates only."""
    report = report_selectors.ranking_report()
    groups = (report.overall, *report.by_source)
    bands = [(group.label, group.figures["six_alliance"]) for group in report.by_band]
    statuses = dict(IntroRequest.Status.choices)
    statuses[""] = "Responder deleted their account"
    reasons = dict(CheckInPlan.StopReason.choices)
    reasons[""] = "Still running"
    selection = report.selection
    return render(
        request,
        "matching/ranking_report.html",
        {
            "report": report,
            "source_rows": [
                (spec, [(g.label, g.figures[spec.key]) for g in groups]) for spec in FIGURES
            ],
            "band_rows": [
                (spec, [(g.label, g.figures[spec.key]) for g in report.by_band])
                for spec in FIGURES
                if spec.key in BAND_FIGURES
            ],
            "chart": band_chart(bands),
            "by_status": [(statuses.get(k, k), n) for k, n in selection.by_status.items()],
            "first_checkin": [
                (CHECKIN_OUTCOME_LABELS[k], n) for k, n in selection.first_checkin.items()
            ],
            "second_checkin": [
                (CHECKIN_OUTCOME_LABELS[k], n) for k, n in selection.second_checkin.items()
            ],
            "stopped": [(reasons.get(k, k), n) for k, n in selection.stopped.items()],
            "resamples": BOOTSTRAP_RESAMPLES,
            "seed": BOOTSTRAP_SEED,
            "first_days": settings.CHECKIN_FIRST_DAYS,
            "second_days": settings.CHECKIN_SECOND_DAYS,
        },
    )


@require_safe
@staff_required
def supply_demand(request: HttpRequest) -> HttpResponse:
    """Where responders outrun therapists' openings, per state and service: where to recruit.

    Aggregates only: no responder is named, and no figure stands on fewer than the minimum of
    responders (matching/supply_figures.py).
    """
    form = SupplyWeeksForm(request.GET or None)
    weeks = SUPPLY_WEEKS_DEFAULT
    if form.is_bound and form.is_valid():
        weeks = form.cleaned_data["weeks"]
    figures = supply_and_demand(weeks=weeks)
    return render(
        request,
        "matching/supply_demand.html",
        {
            "form": form,
            "figures": figures,
            "recruit": where_to_recruit(figures.states),
            "per_opening": settings.PENDING_REQUESTS_PER_OPENING,
        },
    )
