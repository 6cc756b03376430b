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
3. The minimum: a therapist's measure is used and shown only from `min_checkins` check-ins
   given by at least `min_responders` different responders, so no single responder's
   answers can be read off. Below it, callers fall back to the therapist's own words.
4. "With responders like you": where a therapist has the minimum from responders of one
   service, that service's mean is shrunk toward the therapist's own shrunk mean (step 2)
   and used for responders of that service.
5. The value for the ranking (0 to 1) puts the mean and the weak share side by side,
   because ratings crowd near the top of any scale, where means differ little:
       value = (shrunk mean - WEAK_AT_MOST) / (SCALE_MAX - WEAK_AT_MOST) * (1 - weak share)
   that is, how far the mean sits above the weak line, discounted by how often answers
   fell on or below it. On the demo data this spreads therapists about twice as far apart
   as the plain mean out of 10 would, and a therapist at the population's mean lands near
   what a fully described profile earns from its own words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

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
    means: Mapping[str, float]
    weak_shares: Mapping[str, float]


@dataclass(frozen=True)
class Measures:
    population: Population
    overall: Mapping[int, AllianceMeasure]  # therapist id -> measure, minimum met
    by_service: Mapping[int, Mapping[str, AllianceMeasure]]  # therapist -> service -> measure


def shrink(total: float, count: int, prior_mean: float, prior_strength: float) -> float:
    """The mean of `count` values summing to `total`, pulled toward `prior_mean` (step 2)."""
    return (total + prior_strength * prior_mean) / (count + prior_strength)


def trait_value(rating: float, weak_share: float) -> float:
    """The ranking value of a shrunk rating and weak share (step 5)."""
    above = (rating - WEAK_AT_MOST) / (SCALE_MAX - WEAK_AT_MOST)
    not_weak = 1 - weak_share
    return max(0.0, min(1.0, above)) * max(0.0, min(1.0, not_weak))


def population_of(rows: Iterable[CheckinTotals]) -> Population:
    """The mean rating and weak share of all check-ins (step 1); neutral when there are none."""
    count = 0
    sums: dict[str, float] = dict.fromkeys(TRAITS, 0.0)
    weak: dict[str, float] = dict.fromkeys(TRAITS, 0.0)
    for row in rows:
        count += row.checkins
        for trait in TRAITS:
            sums[trait] += row.sums[trait]
            weak[trait] += row.weak[trait]
    if not count:
        return Population(0, dict.fromkeys(TRAITS, SCALE_MAX / 2), dict.fromkeys(TRAITS, 0.0))
    return Population(
        count,
        {t: sums[t] / count for t in TRAITS},
        {t: weak[t] / count for t in TRAITS},
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
) -> AllianceMeasure:
    traits = {}
    for trait in TRAITS:
        rating = shrink(sums[trait], checkins, prior_means[trait], prior_strength)
        weak_share = shrink(weak[trait], checkins, prior_weak[trait], prior_strength)
        traits[trait] = TraitMeasure(rating, weak_share, trait_value(rating, weak_share))
    return AllianceMeasure(traits, checkins, responders, service)


def measure_all(
    rows: Iterable[CheckinTotals],
    *,
    therapist_responders: Mapping[int, int],
    prior_strength: float,
    min_checkins: int,
    min_responders: int,
) -> Measures:
    """Every therapist's measure, overall and per service, where the minimum is met.

    `therapist_responders` counts each therapist's distinct responders over all services
    (a responder may appear under two services, so the per-service counts cannot be added).
    """
    rows = list(rows)
    population = population_of(rows)
    per_therapist: dict[int, list[CheckinTotals]] = defaultdict(list)
    for row in rows:
        per_therapist[row.therapist_id].append(row)
    overall: dict[int, AllianceMeasure] = {}
    by_service: dict[int, dict[str, AllianceMeasure]] = {}
    for therapist_id, parts in per_therapist.items():
        checkins = sum(p.checkins for p in parts)
        responders = therapist_responders.get(therapist_id, 0)
        if checkins < min_checkins or responders < min_responders:
            continue
        sums = {t: sum(p.sums[t] for p in parts) for t in TRAITS}
        weak = {t: sum(p.weak[t] for p in parts) for t in TRAITS}
        measure = _measure(
            checkins,
            responders,
            sums,
            weak,
            population.means,
            population.weak_shares,
            prior_strength,
        )
        overall[therapist_id] = measure
        services = {}
        for part in parts:
            if not part.service or part.checkins < min_checkins:
                continue
            if part.responders < min_responders:
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
