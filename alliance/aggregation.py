"""What responders' check-ins say about a therapist, per alliance item, as plain numbers.

Pure Python with no Django import: the selectors read the released totals from the
database and hand them here; the ranking (matching/scoring/, matching/ranking/) and the
dashboards use the result. Which check-ins are released, and in which batches and service
cells, is alliance/batches.py. Every formula below is one function that takes one therapist's
numbers or whole columns alike (numpy's arithmetic), so the cards and a state's columns
compute the same figure the same way.

How an item's measure is made:
1. Each responder counts once. A released figure keeps, per item, the sum over responders of
   each responder's mean rating, of its square, and of each responder's share of weak
   answers (at or below WEAK_AT_MOST): one responder answering ten times weighs as much as
   one answering once.
2. The population is a mean over therapists: the mean of every measured therapist's mean
   (each therapist counts once, however busy), and the same for the weak share.
3. How strongly a therapist's figure is pulled toward the population comes from how much
   therapists really differ (method of moments, per item): the spread of ratings between
   the responders of one therapist (within) against the spread of therapists' means beyond
   what that alone would give (between):
       within = sum(squares - sums**2 / n) / sum(n - 1)
       between = variance of therapist means - within * mean(1 / n)
       share = between / (between + within), 0 where between <= 0 (the therapist share)
       share = (m * share + PRIOR_SHARE_THERAPISTS * PRIOR_SHARE_DEFAULT)
               / (m + PRIOR_SHARE_THERAPISTS), m measured therapists
       k = (1 - share) / share, kept within PRIOR_STRENGTH_BOUNDS
   k is the number of average responders the population counts as. The default share, 10 %
   of the variance (k = 9), is the order that studies of therapist effects in the alliance
   report; the data's own share is weighed against it as if the default came from
   PRIOR_SHARE_THERAPISTS therapists. A share from a few dozen therapists is loose (its
   between part can come out at zero by chance, which alone would give k in the
   hundreds and pull every figure onto the population); the combination moves with the
   data and never jumps. With fewer than PRIOR_MIN_THERAPISTS measured therapists, k is
   the default alone. A setting may override k (an operator's choice, never the default).
4. Shrinkage (empirical Bayes): shrunk = (sum + k * population mean) / (n + k), n responders.
   It always lies between the therapist's raw mean and the population's.
5. "With responders like you": a service's figure is its own responders' mean, shrunk toward
   what the therapist's other responders say (themselves shrunk toward the population), at
   the same strength k; no check-in counts twice, and the same answers give the same figure
   whichever service gave them.
6. The value for the ranking (0 to 1) puts the mean and the weak share side by side, since
   ratings crowd near the top of any scale, where means differ little:
       value = (mean - WEAK_AT_MOST) / (SCALE_MAX - WEAK_AT_MOST) * (1 - weak share)
   An unmeasured therapist is given the population's value (population_values), so being
   measured at the population's mean changes nothing, and check-ins move a therapist above
   or below it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

TRAITS = ("respect_trust", "collaboration", "empathy", "adaptability")
FIT = "fit"
ITEMS = (*TRAITS, FIT)  # the four traits, and "the way we work fits me"
SCALE_MAX = 10
WEAK_AT_MOST = 4  # an item at or below this is a weak answer
DROP_AT_LEAST = 3  # a fall this large on one item since the last check-in is weak too

# Step 3: the prior strength k, in responders.
PRIOR_SHARE_DEFAULT = 0.10  # the therapist share of the variance (an ICC)
PRIOR_STRENGTH_DEFAULT = (1 - PRIOR_SHARE_DEFAULT) / PRIOR_SHARE_DEFAULT  # k = 9
PRIOR_SHARE_THERAPISTS = 20  # the default counts as this many therapists' estimate
PRIOR_STRENGTH_BOUNDS = (2.0, 200.0)
PRIOR_MIN_THERAPISTS = 20
ESTIMATED, DEFAULT, SETTING = "estimated from the data", "default: too few therapists", "setting"
# Before any therapist is measured: where alliance ratings usually sit (near the top of the
# scale, a few weak answers), so an unmeasured therapist is neither flattered nor slighted.
EMPTY_POPULATION_MEAN = 8.0
EMPTY_POPULATION_WEAK_SHARE = 0.1


def is_weak(answers: Mapping[str, int], previous: Mapping[str, int] | None = None) -> bool:
    """Any item at or below the threshold, or any item down by DROP_AT_LEAST or more."""
    if any(answers[item] <= WEAK_AT_MOST for item in ITEMS):
        return True
    if previous is None:
        return False
    return any(previous[item] - answers[item] >= DROP_AT_LEAST for item in ITEMS)


@dataclass(frozen=True)
class CheckinTotals:
    """One therapist's released check-ins from responders of one service ("" for all), each
    responder counted once (step 1)."""

    therapist_id: int
    service: str
    checkins: int
    responders: int
    sums: Mapping[str, float]  # per item, the sum over responders of their mean rating
    weak: Mapping[str, float]  # per item, the sum over responders of their weak share
    squares: Mapping[str, float] = field(default_factory=dict)  # of the responders' means


@dataclass(frozen=True)
class TraitMeasure:
    rating: float  # shrunk mean, 0 to 10
    weak_share: float  # shrunk share of weak answers, 0 to 1
    value: float  # for the ranking, 0 to 1


@dataclass(frozen=True)
class AllianceMeasure:
    """A therapist's measured traits from enough responders (from one service, or all)."""

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
    """Every measured therapist together (steps 2 and 3), per item."""

    checkins: int
    means: Mapping[str, float]  # per item: the mean over therapists of their mean rating
    weak_shares: Mapping[str, float]
    strengths: Mapping[str, float] = field(default_factory=dict)  # k per item (step 3)
    therapists: int = 0
    strength_source: str = DEFAULT

    @property
    def fit_mean(self) -> float | None:
        return self.means.get(FIT)

    @property
    def fit_weak_share(self) -> float | None:
        return self.weak_shares.get(FIT)

    def strength(self, item: str) -> float:
        return self.strengths.get(item, PRIOR_STRENGTH_DEFAULT)


@dataclass(frozen=True)
class Measures:
    population: Population
    overall: Mapping[int, AllianceMeasure]  # therapist id -> measure, minimum met
    by_service: Mapping[int, Mapping[str, AllianceMeasure]]  # therapist -> service -> measure


def shrink(total, count, prior_mean, prior_strength):
    """The mean of `count` values summing to `total`, pulled toward `prior_mean` (step 4);
    the prior itself where there is nothing at all (no value and no strength)."""
    weight = count + prior_strength
    if isinstance(weight, np.ndarray):
        safe = np.where(weight > 0, weight, 1.0)
        return np.where(weight > 0, (total + prior_strength * prior_mean) / safe, prior_mean)
    if weight <= 0:
        return prior_mean
    return (total + prior_strength * prior_mean) / weight


def service_prior(total, count, service_total, service_count, population_mean, prior_strength):
    """What a therapist's responders outside one service say, shrunk toward the population:
    the prior of that service's figure (step 5)."""
    return shrink(total - service_total, count - service_count, population_mean, prior_strength)


def trait_value(rating, weak_share):
    """The ranking value of a shrunk rating and weak share (step 6), for one therapist or
    for whole columns."""
    above = np.clip((rating - WEAK_AT_MOST) / (SCALE_MAX - WEAK_AT_MOST), 0.0, 1.0)
    return above * np.clip(1 - weak_share, 0.0, 1.0)


@dataclass(frozen=True)
class PopulationSums:
    """What the population is made of (steps 2 and 3), per item, over therapists' overall
    released totals: what one SQL aggregate, or a loop over rows, adds up."""

    therapists: int
    checkins: int
    mean_sum: Mapping[str, float]  # sum over therapists of their mean
    mean_squares: Mapping[str, float]  # sum over therapists of their mean squared
    weak_sum: Mapping[str, float]  # sum over therapists of their weak share
    within_squares: Mapping[str, float]  # sum over therapists of squares - sums**2 / n
    within_df: float  # sum over therapists of n - 1
    inverse_n: float  # sum over therapists of 1 / n


def population_sums(rows: Iterable[CheckinTotals]) -> PopulationSums:
    """The population's sums from therapists' overall totals (one row each)."""
    rows = [row for row in rows if row.responders > 0]
    items = ITEMS if rows and all(FIT in row.sums for row in rows) else TRAITS
    mean_sum = dict.fromkeys(items, 0.0)
    mean_squares = dict.fromkeys(items, 0.0)
    weak_sum = dict.fromkeys(items, 0.0)
    within = dict.fromkeys(items, 0.0)
    for row in rows:
        n = row.responders
        for item in items:
            mean = row.sums[item] / n
            mean_sum[item] += mean
            mean_squares[item] += mean * mean
            weak_sum[item] += row.weak[item] / n
            within[item] += row.squares.get(item, 0.0) - row.sums[item] ** 2 / n
    return PopulationSums(
        therapists=len(rows),
        checkins=sum(row.checkins for row in rows),
        mean_sum=mean_sum,
        mean_squares=mean_squares,
        weak_sum=weak_sum,
        within_squares=within,
        within_df=float(sum(row.responders - 1 for row in rows)),
        inverse_n=sum(1 / row.responders for row in rows),
    )


def prior_strength(sums: PopulationSums, item: str) -> tuple[float, str]:
    """k for one item (step 3), and where it came from."""
    therapists = sums.therapists
    if therapists < PRIOR_MIN_THERAPISTS or sums.within_df <= 0:
        return PRIOR_STRENGTH_DEFAULT, DEFAULT
    low, high = PRIOR_STRENGTH_BOUNDS
    within = max(0.0, sums.within_squares[item]) / sums.within_df
    mean = sums.mean_sum[item] / therapists
    spread = (sums.mean_squares[item] - therapists * mean * mean) / (therapists - 1)
    between = spread - within * sums.inverse_n / therapists
    measured_share = between / (between + within) if between > 0 else 0.0
    share = (therapists * measured_share + PRIOR_SHARE_THERAPISTS * PRIOR_SHARE_DEFAULT) / (
        therapists + PRIOR_SHARE_THERAPISTS
    )
    return float(min(high, max(low, (1 - share) / share))), ESTIMATED


def population_from(sums: PopulationSums, *, strength_override: float | None = None) -> Population:
    """The population (steps 2 and 3); with no therapist measured yet, where alliance
    ratings usually sit, at the default strength."""
    if not sums.therapists:
        return Population(
            0,
            dict.fromkeys(ITEMS, EMPTY_POPULATION_MEAN),
            dict.fromkeys(ITEMS, EMPTY_POPULATION_WEAK_SHARE),
            {},
            0,
            DEFAULT,
        )
    strengths, sources = {}, set()
    for item in sums.mean_sum:
        if strength_override is not None:
            strengths[item], source = float(strength_override), SETTING
        else:
            strengths[item], source = prior_strength(sums, item)
        sources.add(source)
    return Population(
        checkins=sums.checkins,
        means={item: total / sums.therapists for item, total in sums.mean_sum.items()},
        weak_shares={item: total / sums.therapists for item, total in sums.weak_sum.items()},
        strengths=strengths,
        therapists=sums.therapists,
        strength_source=" and ".join(sorted(sources)),
    )


def population_of(
    rows: Iterable[CheckinTotals], *, strength_override: float | None = None
) -> Population:
    """The population of these therapists' overall totals (service "" rows)."""
    return population_from(population_sums(rows), strength_override=strength_override)


def population_values(population: Population) -> dict[str, float]:
    """The ranking value of each item at the population's figures: what an unmeasured
    therapist is given (step 6)."""
    return {
        item: float(trait_value(population.means[item], population.weak_shares[item]))
        for item in population.means
    }


def _item_measure(rating, weak_share) -> TraitMeasure:
    return TraitMeasure(float(rating), float(weak_share), float(trait_value(rating, weak_share)))


def _measure(
    totals: CheckinTotals,
    population: Population,
    *,
    overall: CheckinTotals | None = None,
) -> AllianceMeasure:
    """One figure: overall (steps 1 to 4), or one service's within `overall` (step 5)."""
    items = {}
    for item in (*TRAITS, FIT):
        if item not in totals.sums or item not in population.means:
            continue
        k = population.strength(item)
        prior_rating, prior_weak = population.means[item], population.weak_shares[item]
        if overall is not None:
            n, s = overall.responders, totals.responders
            prior_rating = service_prior(
                overall.sums[item], n, totals.sums[item], s, prior_rating, k
            )
            prior_weak = service_prior(overall.weak[item], n, totals.weak[item], s, prior_weak, k)
        rating = shrink(totals.sums[item], totals.responders, prior_rating, k)
        weak_share = shrink(totals.weak[item], totals.responders, prior_weak, k)
        items[item] = _item_measure(rating, weak_share)
    fit = items.pop(FIT, None)
    return AllianceMeasure(items, totals.checkins, totals.responders, totals.service, fit)


def measure_totals(
    rows: Iterable[CheckinTotals],
    *,
    population: Population,
    min_checkins: int,
    min_responders: int,
) -> Measures:
    """The measures of the therapists whose released totals are given (service "" rows for
    all services, the others per service), where the minimum is met.

    The population is given separately: it is every therapist's, while `rows` may be
    only a few therapists'.
    """
    overall_totals: dict[int, CheckinTotals] = {}
    service_totals: dict[int, list[CheckinTotals]] = defaultdict(list)
    for row in rows:
        if row.service:
            service_totals[row.therapist_id].append(row)
        else:
            overall_totals[row.therapist_id] = row

    def enough(totals: CheckinTotals) -> bool:
        return totals.checkins >= min_checkins and totals.responders >= min_responders

    overall: dict[int, AllianceMeasure] = {}
    by_service: dict[int, dict[str, AllianceMeasure]] = {}
    for therapist_id, totals in overall_totals.items():
        if not enough(totals):
            continue
        overall[therapist_id] = _measure(totals, population)
        services = {
            part.service: _measure(part, population, overall=totals)
            for part in service_totals.get(therapist_id, [])
            if enough(part)
        }
        if services:
            by_service[therapist_id] = services
    return Measures(population, overall, by_service)


# How far the population may drift before the ranking's columns are made again: on the
# 0-10 scale of the mean ratings, on the weak shares, and as a share of the prior strength.
POPULATION_RATING_TOLERANCE = 0.01
POPULATION_SHARE_TOLERANCE = 0.001
POPULATION_STRENGTH_TOLERANCE = 0.02


def population_moved(before: Population, after: Population) -> bool:
    """Whether the population moved far enough to change any measured alliance visibly.

    A batch of five check-ins moves the mean of a population of thousands by far less than
    the tolerance, so busy processes keep their columns; the drift adds up against the
    population they were made with, and once past the tolerance they are made again.
    """
    if set(before.means) != set(after.means):
        return True
    for item in before.means:
        if abs(before.means[item] - after.means[item]) > POPULATION_RATING_TOLERANCE:
            return True
        if abs(before.weak_shares[item] - after.weak_shares[item]) > POPULATION_SHARE_TOLERANCE:
            return True
        k_before, k_after = before.strength(item), after.strength(item)
        if abs(k_before - k_after) > POPULATION_STRENGTH_TOLERANCE * k_before:
            return True
    return False
