"""Release in batches: which answered check-ins reach any figure, and in which cells.

Pure Python with no Django import; alliance.services.totals stores what these decide.
The rules (steps 3 and 4 of alliance/aggregation.py, where the figures are made):
- a therapist's unshared check-ins are taken in the order they were answered and grouped
  into batches; a batch closes once it holds check-ins from `min_responders` different
  responders (plan batch keys: one random key per responder and therapist, kept when the
  responder deletes their account). Shared check-ins, which the therapist sees one by
  one, never join a batch, so nothing known can be subtracted from a figure. Only closed
  batches count; the database keeps each batch's members once it closes and never cuts
  it again.
- a service's figure is made only of parts of closed batches (`service_cells`): in each
  batch, a service with `min_responders` different responders is shown only while the
  rest of that batch is empty or also covers `min_responders` responders. Every released
  figure, and every difference of figures, is then a sum of such cells.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from alliance.aggregation import (
    ITEMS,
    TRAITS,
    WEAK_AT_MOST,
    CheckinTotals,
    Measures,
    measure_totals,
    population_of,
)


@dataclass(frozen=True)
class AnsweredCheckin:
    therapist_id: int
    service: str
    responder_key: Hashable  # the same for every check-in of one responder with one therapist
    answered_epoch: float
    ratings: Mapping[str, int]  # per trait
    shared: bool = False  # shown to the therapist one by one: never part of a figure


def _responders(checkins: Iterable[AnsweredCheckin]) -> int:
    return len({c.responder_key for c in checkins})


def closed_batches(
    checkins: Iterable[AnsweredCheckin], min_responders: int
) -> list[list[AnsweredCheckin]]:
    """One therapist's unshared check-ins in the order answered, cut into batches (step 3).

    A batch closes with the check-in that brings it to `min_responders` different
    responders; the open batch at the end is left out, and shared check-ins are left out
    of every batch. New check-ins only ever join the open batch, so closed batches never
    change; the database stores them as they close and cuts only what is still open.
    """
    batches: list[list[AnsweredCheckin]] = []
    current: list[AnsweredCheckin] = []
    responders: set[Hashable] = set()
    for checkin in sorted(checkins, key=lambda c: c.answered_epoch):
        if checkin.shared:
            continue
        current.append(checkin)
        responders.add(checkin.responder_key)
        if len(responders) >= max(1, min_responders):
            batches.append(current)
            current, responders = [], set()
    return batches


def service_cells(
    batch: list[AnsweredCheckin], min_responders: int
) -> dict[str, list[AnsweredCheckin]]:
    """The parts of one closed batch released as service figures (step 4).

    Invariants: each part shown covers at least `min_responders` different responders, and
    so does the rest of the batch (overall minus every part shown) unless it is empty; so
    no figure, and no difference of figures, covers fewer. Among the choices that keep
    them, the one showing the most check-ins (then the first in the services' order).
    """
    groups: dict[str, list[AnsweredCheckin]] = defaultdict(list)
    for checkin in batch:
        if checkin.service:
            groups[checkin.service].append(checkin)
    candidates = sorted(s for s, group in groups.items() if _responders(group) >= min_responders)
    best: list[str] = []
    best_size = 0
    # Every subset of the candidates (at most the eight services: 255 of them), largest first.
    subsets = sorted(
        (
            [s for bit, s in enumerate(candidates) if mask >> bit & 1]
            for mask in range(1, 2 ** len(candidates))
        ),
        key=len,
        reverse=True,
    )
    for chosen in subsets:
        rest = _responders(c for c in batch if c.service not in chosen)
        if 0 < rest < min_responders:
            continue
        shown = sum(len(groups[s]) for s in chosen)
        if shown > best_size:
            best, best_size = chosen, shown
    return {service: groups[service] for service in best}


def totals_of(therapist_id: int, service: str, checkins: list[AnsweredCheckin]) -> CheckinTotals:
    """What a figure keeps of some check-ins: each responder once (their mean rating and
    their share of weak answers per item), summed over responders, with the squares of the
    means for the spread between responders ("fit" where every check-in has it)."""
    items = ITEMS if all("fit" in c.ratings for c in checkins) else TRAITS
    by_responder: dict[Hashable, list[AnsweredCheckin]] = defaultdict(list)
    for checkin in checkins:
        by_responder[checkin.responder_key].append(checkin)
    means: dict[str, float] = dict.fromkeys(items, 0.0)
    squares: dict[str, float] = dict.fromkeys(items, 0.0)
    weak: dict[str, float] = dict.fromkeys(items, 0.0)
    for theirs in by_responder.values():
        for item in items:
            mean = sum(c.ratings[item] for c in theirs) / len(theirs)
            means[item] += mean
            squares[item] += mean * mean
            weak[item] += sum(1 for c in theirs if c.ratings[item] <= WEAK_AT_MOST) / len(theirs)
    return CheckinTotals(
        therapist_id=therapist_id,
        service=service,
        checkins=len(checkins),
        responders=len(by_responder),
        sums=means,
        squares=squares,
        weak=weak,
    )


def totals_of_members(
    therapist_id: int, members: Iterable[tuple[AnsweredCheckin, str]]
) -> list[CheckinTotals]:
    """Released totals from the members of closed batches, each with the service whose
    figure it counts in ("" for the overall figure only): overall first, then each service.
    Empty while no batch has closed."""
    members = list(members)
    if not members:
        return []
    per_service: dict[str, list[AnsweredCheckin]] = defaultdict(list)
    for checkin, service in members:
        if service:
            per_service[service].append(checkin)
    return [totals_of(therapist_id, "", [c for c, _ in members])] + [
        totals_of(therapist_id, service, group) for service, group in sorted(per_service.items())
    ]


def released_totals(
    therapist_id: int, checkins: Iterable[AnsweredCheckin], min_responders: int
) -> list[CheckinTotals]:
    """One therapist's released totals, cut from scratch: all services first (service ""),
    then each service with released cells. Empty while no batch has closed.

    The stored batches give the same while no check-in's sharing has changed since it was
    answered (a deleted responder's shares are forgotten; their withheld check-ins stay
    withheld in the database).
    """
    return totals_of_members(therapist_id, batch_members(checkins, min_responders))


def batch_members(
    checkins: Iterable[AnsweredCheckin], min_responders: int
) -> list[tuple[AnsweredCheckin, str]]:
    """Every member of the closed batches, with the service whose figure it counts in."""
    members = []
    for batch in closed_batches(checkins, min_responders):
        cell_of = {
            id(checkin): service
            for service, cell in service_cells(batch, min_responders).items()
            for checkin in cell
        }
        members.extend((checkin, cell_of.get(id(checkin), "")) for checkin in batch)
    return members


def measure_checkins(
    checkins: Iterable[AnsweredCheckin],
    *,
    min_checkins: int,
    min_responders: int,
    strength_override: float | None = None,
) -> Measures:
    """Every therapist's measure from their released check-ins (closed batches only), the
    population and its prior strength made from the same."""
    per_therapist: dict[int, list[AnsweredCheckin]] = defaultdict(list)
    for checkin in checkins:
        per_therapist[checkin.therapist_id].append(checkin)
    totals = [
        row
        for therapist_id, theirs in per_therapist.items()
        for row in released_totals(therapist_id, theirs, min_responders)
    ]
    return measure_totals(
        totals,
        population=population_of(
            (row for row in totals if not row.service), strength_override=strength_override
        ),
        min_checkins=min_checkins,
        min_responders=min_responders,
    )
