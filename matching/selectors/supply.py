"""Supply against demand for staff: therapists and openings now, requests over past weeks,
per state and service, in four queries (figures in matching/supply_figures.py)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from matching.models import CoverageWatch, IntroRequest
from matching.scoring import factors
from matching.supply_figures import (
    ALL_SERVICES,
    NO_SERVICE,
    Demand,
    StateFigures,
    Supply,
    state_rows,
    waiting_shown,
)
from profiles import choices
from profiles.fields import choice_set
from profiles.models import License
from profiles.selectors import license_valid_q, therapists_listed

SUPPLY_WEEKS_CHOICES = (4, 8, 12)
SUPPLY_WEEKS_DEFAULT = 8


@dataclass(frozen=True)
class SupplyDemand:
    weeks: int
    since: dt.date  # the first day counted (a Monday)
    until: dt.date  # the last day counted (a Sunday)
    states: tuple[StateFigures, ...]
    minimum: int


def _service_labels() -> dict[str, str]:
    labels = {ALL_SERVICES: "All services"}
    labels.update({value: str(label) for value, label in choices.Service.choices})
    labels[NO_SERVICE] = "No service named"
    return labels


def weeks_window(*, weeks: int, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last `weeks` whole weeks, Monday to Sunday, before this one: figures stay fixed
    through a week, so two looks in one week tell nothing of a single new request."""
    today = today or timezone.localdate()
    this_monday = today - dt.timedelta(days=today.weekday())
    return this_monday - dt.timedelta(weeks=weeks), this_monday - dt.timedelta(days=1)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _therapist_supply() -> dict[str, dict[str, Supply]]:
    """Per state and service, the listed therapists now (two queries)."""
    per_opening = settings.PENDING_REQUESTS_PER_OPENING
    therapists = {}
    for pk, services, accepting, open_slots, closed_at, waiting in (
        therapists_listed()
        .annotate(
            waiting=Count(
                "intro_requests", filter=Q(intro_requests__status=IntroRequest.Status.PENDING)
            )
        )
        .values_list(
            "pk",
            "services_served",
            "accepting_new_clients",
            "open_slots",
            "openings_closed_at",
            "waiting",
        )
    ):
        taking_clients = accepting and open_slots > 0
        load = factors.request_load(waiting, open_slots, per_opening) if taking_clients else None
        taking = load is not None and bool(factors.takes_requests(load))
        therapists[pk] = (
            choice_set(choices.Service, services) if isinstance(services, int) else services,
            taking,
            taking and bool(factors.has_room(load)),
            (taking_clients and not taking) or (not accepting and closed_at is not None),
            open_slots if taking_clients else 0,
        )
    supply: dict[str, dict[str, Supply]] = defaultdict(lambda: defaultdict(Supply))
    pairs = (
        License.objects.filter(license_valid_q(), therapist__in=therapists_listed())
        .values_list("state", "therapist_id")
        .distinct()
    )
    for state, therapist_id in pairs:
        facts = therapists.get(therapist_id)
        if facts is None:
            continue
        services, taking, with_room, full, openings = facts
        for service in (ALL_SERVICES, NO_SERVICE, *services):
            there = supply[state][service]
            there.listed += 1
            there.taking += taking
            there.with_room += with_room
            there.full += full
            there.openings += openings
    return supply


def _demand(*, since: dt.date, until: dt.date) -> dict[str, dict[str, Demand]]:
    """Per state and service, the requests of the window and who stands behind them."""
    demand: dict[str, dict[str, Demand]] = defaultdict(lambda: defaultdict(Demand))
    rows = (
        IntroRequest.objects.filter(
            created_at__gte=_start_of(since),
            created_at__lt=_start_of(until + dt.timedelta(days=1)),
        )
        .exclude(responder_state="")
        .values_list("responder_state", "responder_service", "responder_id", "list_had_room")
    )
    for state, service, responder_id, had_room in rows:
        # A deleted responder's kept requests count as one person: never more than were.
        person = responder_id if responder_id is not None else "deleted"
        for key in (ALL_SERVICES, service):
            part = demand[state][key]
            part.requests += 1
            part.responders.add(person)
            if had_room is False:
                part.without_room.add(person)
    return demand


def supply_and_demand(*, weeks: int = SUPPLY_WEEKS_DEFAULT) -> SupplyDemand:
    """Every state with a listed therapist, a request in the window, or someone waiting for
    its first therapist; by state name."""
    since, until = weeks_window(weeks=weeks)
    minimum = settings.ALLIANCE_MIN_RESPONDERS
    supply = _therapist_supply()
    demand = _demand(since=since, until=until)
    waiting = dict(
        CoverageWatch.objects.values("state").annotate(n=Count("id")).values_list("state", "n")
    )
    labels = _service_labels()
    names = dict(choices.State.choices)
    states = sorted(set(supply) | set(demand) | set(waiting), key=lambda s: str(names.get(s, s)))
    figures = tuple(
        StateFigures(
            state=state,
            name=str(names.get(state, state)),
            rows=state_rows(
                supply=supply.get(state, {}),
                demand=demand.get(state, {}),
                labels=labels,
                minimum=minimum,
            ),
            waiting_for_a_first=waiting_shown(waiting.get(state, 0), minimum=minimum),
        )
        for state in states
    )
    return SupplyDemand(weeks=weeks, since=since, until=until, states=figures, minimum=minimum)
