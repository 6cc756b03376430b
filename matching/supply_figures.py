"""Supply against demand, per state and service, as staff see it: the figures and which are
held back. Plain Python, no Django: matching/selectors/supply.py reads the rows.

What each figure means:
- supply, now: therapists listed with a current license in the state (serving the service,
  on a service's row); of them, those who may be asked now (taking new clients, fewer
  requests waiting than their openings allow), those with room (load below the room line,
  matching.scoring.factors.has_room), those full (every opening taken, or as many requests
  waiting as their openings allow), and the openings left of those taking new clients;
- demand, over whole past weeks: intro requests made from the state (by responders of the
  service, on a service's row), and the responders whose list, their filters applied, held
  no therapist with room when they asked;
- requests per opening: the weeks' requests over the openings left now. Above 1, requests
  outrun what therapists there can take: a place to recruit.

No figure is about one responder: a count of requests or of responders is shown only when
at least `minimum` different responders stand behind it, and when a service's figure is held
back, the next smallest are held back with it until what is held back covers the minimum,
so that the state's figure minus those shown never gives one away.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# The row of a state's figures over all services.
ALL_SERVICES = "*"
# Requests from responders who named no service.
NO_SERVICE = ""


@dataclass
class Supply:
    """Therapists of one state (and service), now."""

    listed: int = 0
    taking: int = 0
    with_room: int = 0
    full: int = 0
    openings: int = 0


@dataclass
class Demand:
    """Requests of one state (and service) over the weeks, and the people behind them."""

    requests: int = 0
    responders: set = field(default_factory=set)
    without_room: set = field(default_factory=set)


@dataclass(frozen=True)
class Row:
    """One line of a state's table. A figure of None is held back."""

    service: str
    label: str
    supply: Supply
    requests: int | None
    requests_per_opening: float | None
    without_room: int | None

    @property
    def no_opening(self) -> bool:
        return self.supply.openings == 0


@dataclass(frozen=True)
class StateFigures:
    state: str
    name: str
    rows: tuple[Row, ...]  # over all services first
    waiting_for_a_first: int | None  # addresses waiting for a therapist to take clients

    @property
    def overall(self) -> Row:
        return self.rows[0]


def held_back(counts: Mapping[str, int], *, minimum: int) -> set[str]:
    """The parts to hold back: each with people but fewer than the minimum, and with them the
    next smallest until those held back together cover the minimum (or all are)."""
    hidden = {key for key, n in counts.items() if 0 < n < minimum}
    shown = sorted((n, key) for key, n in counts.items() if key not in hidden and n > 0)
    while hidden and sum(counts[key] for key in hidden) < minimum and shown:
        hidden.add(shown.pop(0)[1])
    return hidden


def state_rows(
    *,
    supply: Mapping[str, Supply],
    demand: Mapping[str, Demand],
    labels: Mapping[str, str],
    minimum: int,
) -> tuple[Row, ...]:
    """A state's rows: over all services, then each service in `labels` order.

    `supply` and `demand` are keyed by service (ALL_SERVICES for the state's own figures).
    """
    overall = demand.get(ALL_SERVICES, Demand())
    services = [s for s in labels if s != ALL_SERVICES]
    # Requests: a responder counts in the service they named when they asked.
    request_people = {s: len(demand.get(s, Demand()).responders) for s in services}
    room_people = {s: len(demand.get(s, Demand()).without_room) for s in services}
    hidden_requests = held_back(request_people, minimum=minimum)
    hidden_room = held_back(room_people, minimum=minimum)
    if 0 < len(overall.responders) < minimum:
        hidden_requests |= {ALL_SERVICES, *services}
    if 0 < len(overall.without_room) < minimum:
        hidden_room |= {ALL_SERVICES, *services}
    rows = []
    for service in (ALL_SERVICES, *services):
        part = demand.get(service, Demand())
        there = supply.get(service, Supply())
        requests = None if service in hidden_requests else part.requests
        rows.append(
            Row(
                service=service,
                label=labels[service],
                supply=there,
                requests=requests,
                requests_per_opening=(
                    requests / there.openings
                    if requests is not None and there.openings > 0
                    else None
                ),
                without_room=None if service in hidden_room else len(part.without_room),
            )
        )
    return tuple(rows)


def waiting_shown(count: int, *, minimum: int) -> int | None:
    """Addresses waiting for a state's first therapist: shown from the minimum, or none."""
    return count if count == 0 or count >= minimum else None


def where_to_recruit(states: Iterable[StateFigures], *, most: int = 8) -> list[tuple[str, Row]]:
    """The rows most in need: requests outrunning openings, or responders finding no one
    with room, highest requests per opening first."""
    needy = []
    for figures in states:
        for row in figures.rows:
            outrun = row.requests is not None and (
                (row.no_opening and row.requests > 0) or (row.requests_per_opening or 0) > 1
            )
            if outrun or (row.without_room or 0) > 0:
                needy.append((figures.name, row))
    needy.sort(
        key=lambda item: (
            -(item[1].requests_per_opening or (float("inf") if item[1].no_opening else 0)),
            -(item[1].without_room or 0),
            item[0],
            item[1].label,
        )
    )
    return needy[:most]
