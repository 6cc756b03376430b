"""What responders' check-ins say about a therapist, per alliance trait, as plain numbers.

Pure Python with no Django import: the selectors read the totals from the database and
hand them here. The ranking (matching/scoring.py) and the dashboards use the result.

How a trait's measure is made:
1. The population: the mean rating of every answered check-in of every therapist, and the
   share of those at or below the weak threshold (WEAK_AT_MOST).
2. Shrinkage (empirical Bayes): a therapist's mean is pulled toward the population's mean
   as if `prior_checkins` average check-ins were added to theirs:
       shrunk = (n * mean + k * population_mean) / (n + k)
   The fewer their check-ins, the closer they stay to the population, so one
   enthusiastic check-in cannot outrank thirty good ones. The weak share shrinks the same.
3. The minimum, and release in batches: a therapist's unshared check-ins are taken in the
   order they were answered and grouped into batches; a batch closes once it holds
   check-ins from `min_responders` different responders (plan batch keys: one random key
   per responder and therapist, kept when the responder deletes their account). Shared
   check-ins, which the therapist sees one by one, never join a batch, so nothing known can
   be subtracted from a figure. Only closed batches count, and a measure needs
   `min_checkins` of their check-ins. The database keeps each batch's members once it
   closes (alliance.services.totals) and never cuts it again. So figures move only when a
   whole batch of at least `min_responders` responders closes. Below the minimum, callers
   fall back to the therapist's own words.
4. "With responders like you": a service's figure is made only of parts of closed batches
   (`service_cells`): in each batch, a service with `min_responders` different responders
   is shown only while the rest of that batch (its members outside every service shown)
   is empty or also covers `min_responders` responders. Every released figure, and every
   difference of figures, is then a sum of such cells. Where a therapist's released cells of
   one service meet the minimum, that service's mean is shrunk toward the therapist's own
   shrunk mean (step 2) and used for responders of that service.
5. The value for the ranking (0 to 1) puts the mean and the weak share side by side,
   because ratings crowd near the top of any scale, where means differ little:
       value = (shrunk mean - WEAK_AT_MOST) / (SCALE_MAX - WEAK_AT_MOST) * (1 - weak share)
   that is, how far the mean sits above the weak line, discounted by how often answers
   fell on or below it. On the demo data this spreads therapists almost twice as far apart
   as the plain mean out of 10 would, and a therapist at the population's mean lands near
   what a fully described profile earns from its own words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

TRAITS = ("respect_trust", "collaboration", "empathy", "adaptability")
ITEMS = (*TRAITS, "fit")  # the four traits, and "the way we work fits me"
SCALE_MAX = 10
WEAK_AT_MOST = 4  # an item at or below this is a weak answer
DROP_AT_LEAST = 3  # a fall this large on one item since the last check-in is weak too


def is_weak(answers: Mapping[str, int], previous: Mapping[str, int] | None = None) -> bool:
    """Any item at or below the threshold, or any item down by DROP_AT_LEAST or more."""
    if any(answers[item] <= WEAK_AT_MOST for item in ITEMS):
        return True
    if previous is None:
        return False
    return any(previous[item] - answers[item] >= DROP_AT_LEAST for item in ITEMS)


@dataclass(frozen=True)
class CheckinTotals:
    """Sums over one therapist's answered check-ins from responders of one service."""

    therapist_id: int
    service: str
    checkins: int
    responders: int
    sums: Mapping[str, float]  # per trait, the sum of ratings
    weak: Mapping[str, int]  # per trait, how many ratings were at or below WEAK_AT_MOST


@dataclass(frozen=True)
class TraitMeasure:
    rating: float  # shrunk mean, 0 to 10
    weak_share: float  # shrunk share of weak answers, 0 to 1
    value: float  # for the ranking, 0 to 1


@dataclass(frozen=True)
class AllianceMeasure:
    """A therapist's measured traits from enough check-ins (from one service, or all)."""

    traits: Mapping[str, TraitMeasure]
    checkins: int
    responders: int
    service: str = ""  # set when only responders of this service stand behind it
    # "The way we work fits me", measured the same way; the ranking uses it to weigh the
    # therapist's stated working style. None where the item is not in the totals.
    fit: TraitMeasure | None = None

    @property
    def values(self) -> dict[str, float]:
        return {trait: m.value for trait, m in self.traits.items()}

    @property
    def ratings(self) -> dict[str, float]:
        return {trait: m.rating for trait, m in self.traits.items()}

    @property
    def mean_value(self) -> float:
        return sum(m.value for m in self.traits.values()) / len(self.traits)


@dataclass(frozen=True)
class Population:
    checkins: int
    means: Mapping[str, float]  # per trait
    weak_shares: Mapping[str, float]
    # The same for "the way we work fits me", where every check-in has it.
    fit_mean: float | None = None
    fit_weak_share: float | None = None


@dataclass(frozen=True)
class Measures:
    population: Population
    overall: Mapping[int, AllianceMeasure]  # therapist id -> measure, minimum met
    by_service: Mapping[int, Mapping[str, AllianceMeasure]]  # therapist -> service -> measure


def shrink(total, count, prior_mean, prior_strength: float):
    """The mean of `count` values summing to `total`, pulled toward `prior_mean` (step 2)."""
    return (total + prior_strength * prior_mean) / (count + prior_strength)


def trait_value(rating, weak_share):
    """The ranking value of a shrunk rating and weak share (step 5), for one therapist or
    for whole columns."""
    above = np.clip((rating - WEAK_AT_MOST) / (SCALE_MAX - WEAK_AT_MOST), 0.0, 1.0)
    return above * np.clip(1 - weak_share, 0.0, 1.0)


def population_of(rows: Iterable[CheckinTotals]) -> Population:
    """The mean rating and weak share of all check-ins (step 1); neutral when there are none."""
    rows = list(rows)
    # The "fit" item counts only where every row has it (totals built from ratings do).
    items = ITEMS if rows and all("fit" in row.sums for row in rows) else TRAITS
    count = 0
    sums: dict[str, float] = dict.fromkeys(items, 0.0)
    weak: dict[str, float] = dict.fromkeys(items, 0.0)
    for row in rows:
        count += row.checkins
        for item in items:
            sums[item] += row.sums[item]
            weak[item] += row.weak[item]
    if not count:
        return Population(0, dict.fromkeys(TRAITS, SCALE_MAX / 2), dict.fromkeys(TRAITS, 0.0))
    has_fit = "fit" in items
    return Population(
        count,
        {t: sums[t] / count for t in TRAITS},
        {t: weak[t] / count for t in TRAITS},
        sums["fit"] / count if has_fit else None,
        weak["fit"] / count if has_fit else None,
    )


def _measure(
    checkins: int,
    responders: int,
    sums: Mapping[str, float],
    weak: Mapping[str, float],
    prior_means: Mapping[str, float],
    prior_weak: Mapping[str, float],
    prior_strength: float,
    service: str = "",
    prior_fit: tuple[float, float] | None = None,
) -> AllianceMeasure:
    traits = {}
    for trait in TRAITS:
        rating = shrink(sums[trait], checkins, prior_means[trait], prior_strength)
        weak_share = shrink(weak[trait], checkins, prior_weak[trait], prior_strength)
        traits[trait] = TraitMeasure(rating, weak_share, float(trait_value(rating, weak_share)))
    fit = None
    if "fit" in sums and prior_fit is not None:
        rating = shrink(sums["fit"], checkins, prior_fit[0], prior_strength)
        weak_share = shrink(weak["fit"], checkins, prior_fit[1], prior_strength)
        fit = TraitMeasure(rating, weak_share, float(trait_value(rating, weak_share)))
    return AllianceMeasure(traits, checkins, responders, service, fit)


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
    """The sums of some check-ins, as the shrinkage reads them (with "fit" where given)."""
    items = ITEMS if all("fit" in c.ratings for c in checkins) else TRAITS
    return CheckinTotals(
        therapist_id=therapist_id,
        service=service,
        checkins=len(checkins),
        responders=_responders(checkins),
        sums={t: float(sum(c.ratings[t] for c in checkins)) for t in items},
        weak={t: sum(1 for c in checkins if c.ratings[t] <= WEAK_AT_MOST) for t in items},
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
    prior_strength: float,
    min_checkins: int,
    min_responders: int,
) -> Measures:
    """Every therapist's measure from their released check-ins: closed batches only."""
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
        population=population_of(row for row in totals if not row.service),
        prior_strength=prior_strength,
        min_checkins=min_checkins,
        min_responders=min_responders,
    )


def measure_totals(
    rows: Iterable[CheckinTotals],
    *,
    population: Population,
    prior_strength: float,
    min_checkins: int,
    min_responders: int,
) -> Measures:
    """The measures of the therapists whose released totals are given (service "" rows for
    all services, the others per service), where the minimum is met.

    The population is given separately: it is every therapist's, while `rows` may be
    only a few therapists'.
    """
    overall: dict[int, CheckinTotals] = {}
    by_service: dict[int, list[CheckinTotals]] = defaultdict(list)
    for row in rows:
        if row.service:
            by_service[row.therapist_id].append(row)
        else:
            overall[row.therapist_id] = row
    return _measures(
        overall,
        by_service,
        population=population,
        prior_strength=prior_strength,
        min_checkins=min_checkins,
        min_responders=min_responders,
    )


def _measures(
    overall_totals: Mapping[int, CheckinTotals],
    service_totals: Mapping[int, list[CheckinTotals]],
    *,
    population: Population,
    prior_strength: float,
    min_checkins: int,
    min_responders: int,
) -> Measures:
    overall: dict[int, AllianceMeasure] = {}
    by_service: dict[int, dict[str, AllianceMeasure]] = {}
    for therapist_id, totals in overall_totals.items():
        if totals.checkins < min_checkins or totals.responders < min_responders:
            continue
        measure = _measure(
            totals.checkins,
            totals.responders,
            totals.sums,
            totals.weak,
            population.means,
            population.weak_shares,
            prior_strength,
            prior_fit=(
                (population.fit_mean, population.fit_weak_share)
                if population.fit_mean is not None and population.fit_weak_share is not None
                else None
            ),
        )
        overall[therapist_id] = measure
        services = {}
        for part in service_totals.get(therapist_id, []):
            if part.checkins < min_checkins or part.responders < min_responders:
                continue
            services[part.service] = _measure(
                part.checkins,
                part.responders,
                part.sums,
                part.weak,
                measure.ratings,
                {t: m.weak_share for t, m in measure.traits.items()},
                prior_strength,
                service=part.service,
            )
        if services:
            by_service[therapist_id] = services
    return Measures(population, overall, by_service)


# How far the population may drift before the ranking's columns are made again: on the
# 0-10 scale of the mean ratings, and on the weak shares.
POPULATION_RATING_TOLERANCE = 0.01
POPULATION_SHARE_TOLERANCE = 0.001


def population_moved(before: Population, after: Population) -> bool:
    """Whether the population moved far enough to change any measured alliance visibly.

    A batch of five check-ins moves the mean of a population of thousands by far less than
    the tolerance, so busy processes keep their columns; the drift adds up against the
    population they were made with, and once past the tolerance they are made again.
    """
    if (before.fit_mean is None) != (after.fit_mean is None):
        return True
    ratings = [(before.means[t], after.means[t]) for t in TRAITS]
    shares = [(before.weak_shares[t], after.weak_shares[t]) for t in TRAITS]
    if before.fit_mean is not None and after.fit_mean is not None:
        ratings.append((before.fit_mean, after.fit_mean))
        shares.append((before.fit_weak_share or 0.0, after.fit_weak_share or 0.0))
    return any(abs(a - b) > POPULATION_RATING_TOLERANCE for a, b in ratings) or any(
        abs(a - b) > POPULATION_SHARE_TOLERANCE for a, b in shares
    )
