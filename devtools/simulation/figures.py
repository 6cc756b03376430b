"""The figures of a simulated world against its hidden truth, month by month.

Invariants each figure keeps (tested in tests/devtools/test_simulation.py):
- Agreement is Spearman's rank correlation between a ranking of all therapists and their
  true alliance: between -1 and 1, NaN where the truth is flat (the null world). An
  unmeasured therapist sits at the population value, so each ranking covers every
  therapist. The plain mean is the product's own figure from the same released check-ins
  with no shrinkage (a prior strength of 0): the comparison isolates the shrinkage.
- The top-decile share is the share of the month's top-ten places (each responder's first
  look) held by the truly best tenth of therapists: between 0 and 1.
- The report's correlation is Spearman's between the intro snapshot's total and the first
  check-in's alliance, over intros with both; its bootstrap interval (the report's own,
  drawing each therapist's intros together) has low <= high. The
  planted value is what that correlation would be over endlessly many such intros in this
  world (fresh clients drawn for the same scores and therapists); 0 in the null world.
"""

from __future__ import annotations

import math
import random
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from alliance.models import CheckIn
from devtools.simulation.stats import bootstrap_interval, spearman
from devtools.simulation.truth import (
    TRAITS,
    Dyad,
    alliance_of,
    dyad_draw,
    ratings_draw,
    wellbeing_draw,
)
from matching.models import IntroSnapshot
from profiles.vocabulary import PRACTICE_TRAIT

if TYPE_CHECKING:
    from devtools.simulation.world import World

PLANTED_REPLICATES = 20  # fresh clients drawn per observed pair for the planted value
PRACTICES_PER_TRAIT_FULL = 2  # as the product's self-described trait value saturates
RISE_TOP_TEN_SHARE = 0.25  # "risen": in at least this share of the month's top tens
RANKINGS = ("measured", "plain mean", "self-description", "measured alone")


@dataclass(frozen=True)
class Measured:
    therapists: set[int]
    strength: float  # the estimator's prior strength k (mean over the traits)
    spread: float  # the standard deviation of measured therapists' trait values (0 to 1)


@dataclass(frozen=True)
class Correlation:
    n: int
    r: float
    low: float
    high: float
    planted: float

    def contains(self, value: float) -> bool:
        return not math.isnan(self.low) and self.low <= value <= self.high

    def text(self) -> str:
        if self.n < 3 or math.isnan(self.r):
            return f"n={self.n}: too few"
        return (
            f"{self.r:+.2f} [{self.low:+.2f}, {self.high:+.2f}] n={self.n}, "
            f"planted {self.planted:+.2f}"
        )


@dataclass(frozen=True)
class NewTherapist:
    joined_month: int
    responders_measured: int  # 0 while not measured
    measured_rank: int | None  # 1 for the highest measured alliance of all therapists
    top_ten_share: float  # share of the month's top tens that include them


@dataclass(frozen=True)
class MonthFigures:
    month: int
    therapists: int
    measured: int
    prior_strength: float
    measured_spread: float
    checkins: int
    agreement: dict[str, float]  # ranking -> Spearman with the truth, all therapists
    agreement_measured_only: dict[str, float]  # the same over the therapists measured
    top_tens: int
    top_decile_share: float
    top_decile_reached: int
    top_decile_size: int
    new_therapist: NewTherapist | None
    report: Correlation
    report_without_checkin: int
    outcome: Correlation

    def line(self) -> str:
        agreement = " / ".join(_r(self.agreement[k]) for k in RANKINGS)
        subset = " / ".join(_r(self.agreement_measured_only[k]) for k in RANKINGS)
        new = ""
        if self.new_therapist is not None:
            n = self.new_therapist
            measured = (
                f"measured ({n.responders_measured} responders, rank {n.measured_rank})"
                if n.responders_measured
                else "not measured"
            )
            new = f" | new therapist: {measured}, in {n.top_ten_share:.0%} of top tens"
        return (
            f"month {self.month:2d}: {self.therapists} therapists, {self.measured} measured "
            f"(k {self.prior_strength:.1f}, values' spread {self.measured_spread:.3f}), "
            f"{self.checkins} check-ins | agreement measured / plain / self / measured alone: "
            f"{agreement} "
            f"(measured ones: {subset}) | top decile: {self.top_decile_share:.0%} of top-ten "
            f"places, {self.top_decile_reached} of {self.top_decile_size} reached{new} | "
            f"report: {self.report.text()}, {self.report_without_checkin} without a check-in"
            f" | alliance-wellbeing: {self.outcome.text()}"
        )


def _r(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:+.2f}"


def self_description_value(practices: frozenset[str]) -> float:
    """The practices a therapist lists, as the product values them: per trait, up to two."""
    counts: dict[str, int] = defaultdict(int)
    for practice in practices:
        counts[PRACTICE_TRAIT[practice]] += 1
    return sum(min(counts[t], PRACTICES_PER_TRAIT_FULL) for t in TRAITS) / (
        PRACTICES_PER_TRAIT_FULL * len(TRAITS)
    )


def as_ranked(measured, practices: frozenset[str], therapist_id: int) -> float:
    """The mean of the four trait values the score gives this therapist."""
    from matching.scoring.factors import trait_value

    theirs = measured.values.get(therapist_id, {})
    total = 0.0
    for trait in TRAITS:
        named = sum(1 for p in practices if PRACTICE_TRAIT.get(p) == trait)
        value = theirs.get(trait, float("nan"))
        total += float(trait_value(value, named, measured.baseline.get(trait, 0.5)))
    return total / len(TRAITS)


def rankings(world: World) -> tuple[list[int], list[float], dict[str, list[float]], Measured]:
    """Therapist ids, their truth, each ranking's values (same order), and those measured.

    The measured ranking and the plain mean read the same released check-ins and give an
    unmeasured therapist the same value: they differ only in the shrinkage.
    """
    from devtools.simulation.world import measured_alliance, practices_by_therapist

    ids = sorted(world.therapists)
    truth = [world.therapists[t].truth.true_alliance for t in ids]
    measured = measured_alliance()
    plain = measured_alliance(unshrunk=True)
    practices = practices_by_therapist()
    values = {
        # As the score reads it: each trait measured (or the population's value), moved a
        # little by the practices named (matching.scoring.factors.trait_value).
        "measured": [as_ranked(measured, practices.get(t, frozenset()), t) for t in ids],
        "plain mean": [as_ranked(plain, practices.get(t, frozenset()), t) for t in ids],
        "self-description": [self_description_value(practices.get(t, frozenset())) for t in ids],
        "measured alone": [measured.ratings.get(t, measured.population) for t in ids],
    }
    spread = (
        statistics.pstdev(sum(v.values()) / len(v) for v in measured.values.values())
        if len(measured.values) > 1
        else 0.0
    )
    return ids, truth, values, Measured(set(measured.ratings), measured.strength, spread)


def _planted(pairs: list[tuple[float, Dyad]], world: World, *, seed: str, outcome: bool) -> float:
    """The correlation over endlessly many intros like these: each pair's score (or the
    first alliance) kept, fresh clients drawn for the same therapists and services."""
    if world.settings.null:
        return 0.0
    rng = random.Random(seed)  # noqa: S311 (simulation)
    xs, ys = [], []
    for score, dyad in pairs:
        for _ in range(PLANTED_REPLICATES):
            fresh = dyad_draw(rng, dyad.truth, dyad.service, world.settings)
            first = alliance_of(ratings_draw(rng, fresh, world.settings))
            if outcome:
                start = wellbeing_draw(rng, fresh, 1)["wellbeing_overall"]
                third = wellbeing_draw(rng, fresh, 3)["wellbeing_overall"]
                xs.append(first)
                ys.append(third - start)
            else:
                xs.append(score)
                ys.append(first)
    return spearman(xs, ys) if xs else float("nan")


def _correlation(
    xs: list[float],
    ys: list[float],
    pairs: list[tuple[float, Dyad]],
    world: World,
    *,
    groups: list[int],
    label: str,
    month: int,
    outcome: bool = False,
) -> Correlation:
    seed = world.settings.seed * 1000 + month
    low, high = bootstrap_interval(
        xs, ys, groups=groups, samples=world.settings.bootstrap_samples, seed=seed
    )
    planted = _planted(pairs, world, seed=f"{label}:{seed}", outcome=outcome)
    return Correlation(len(xs), spearman(xs, ys), low, high, planted)


def report_pairs(
    world: World,
) -> tuple[list[float], list[float], list[tuple[float, Dyad]], list[int], int]:
    """The staff report's pairs: the snapshot total at intro, the first check-in's alliance;
    each pair's therapist (the report's bootstrap draws a therapist's intros together)."""
    totals = dict(
        IntroSnapshot.objects.filter(total__isnull=False).values_list("for_intro_id", "total")
    )
    first = CheckIn.objects.filter(number=1, status=CheckIn.Status.ANSWERED).values_list(
        "plan__intro_id", "plan_id", "plan__therapist_id", *TRAITS
    )
    scores, alliances, pairs, therapists = [], [], [], []
    for intro_id, plan_id, therapist_id, *ratings in first.order_by("plan__intro_id"):
        if intro_id not in totals:
            continue
        score = float(totals[intro_id])
        scores.append(score)
        alliances.append(sum(ratings) / len(TRAITS))
        pairs.append((score, world.log.dyads[plan_id]))
        therapists.append(therapist_id)
    return scores, alliances, pairs, therapists, len(totals) - len(scores)


def outcome_pairs(
    world: World,
) -> tuple[list[float], list[float], list[tuple[float, Dyad]], list[int]]:
    """The first check-in's alliance against the change in overall wellbeing by the third,
    and each pair's therapist."""
    rows = CheckIn.objects.filter(
        status=CheckIn.Status.ANSWERED, number__in=(1, 3), wellbeing_overall__isnull=False
    ).values_list("plan_id", "plan__therapist_id", "number", "wellbeing_overall", *TRAITS)
    by_plan: dict[int, dict[int, tuple]] = defaultdict(dict)
    therapist_of: dict[int, int] = {}
    for plan_id, therapist_id, number, wellbeing, *ratings in rows.order_by("plan_id", "number"):
        by_plan[plan_id][number] = (wellbeing, sum(ratings) / len(TRAITS))
        therapist_of[plan_id] = therapist_id
    xs, ys, pairs, therapists = [], [], [], []
    for plan_id, answers in sorted(by_plan.items()):
        if 1 in answers and 3 in answers:
            xs.append(answers[1][1])
            ys.append(answers[3][0] - answers[1][0])
            pairs.append((answers[1][1], world.log.dyads[plan_id]))
            therapists.append(therapist_of[plan_id])
    return xs, ys, pairs, therapists


def month_figures(world: World, *, month: int) -> MonthFigures:
    """Every figure at the end of one month."""
    ids, truth, values, summary = rankings(world)
    measured = summary.therapists
    agreement = {name: spearman(v, truth) for name, v in values.items()}
    subset = [i for i, t in enumerate(ids) if t in measured]
    agreement_measured_only = {
        name: spearman([v[i] for i in subset], [truth[i] for i in subset])
        for name, v in values.items()
    }
    # The truly best tenth, and how often they reached this month's top tens.
    size = max(1, math.ceil(len(ids) / 10))
    best = {t for _, t in sorted(zip(truth, ids, strict=True), reverse=True)[:size]}
    lists = world.log.top_tens.get(month, [])
    places = sum(len(cards) for cards in lists)
    in_best = sum(1 for cards in lists for t in cards if t in best)
    reached = len(best & {t for cards in lists for t in cards})
    new = None
    new_id = world.log.new_therapist_id
    if new_id is not None:
        from devtools.simulation.world import measured_alliance

        measures = measured_alliance()
        ranked = sorted(measures.ratings, key=lambda t: -measures.ratings[t])
        new = NewTherapist(
            joined_month=world.therapists[new_id].joined_month,
            responders_measured=measures.responders.get(new_id, 0),
            measured_rank=ranked.index(new_id) + 1 if new_id in measures.ratings else None,
            top_ten_share=sum(1 for cards in lists if new_id in cards) / len(lists)
            if lists
            else 0.0,
        )
    scores, alliances, pairs, groups, without = report_pairs(world)
    xs, ys, outcome, outcome_groups = outcome_pairs(world)
    return MonthFigures(
        month=month,
        therapists=len(ids),
        measured=len(measured),
        prior_strength=summary.strength,
        measured_spread=summary.spread,
        checkins=CheckIn.objects.filter(status=CheckIn.Status.ANSWERED).count(),
        agreement=agreement,
        agreement_measured_only=agreement_measured_only,
        top_tens=len(lists),
        top_decile_share=in_best / places if places else 0.0,
        top_decile_reached=reached,
        top_decile_size=size,
        new_therapist=new,
        report=_correlation(
            scores, alliances, pairs, world, groups=groups, label="report", month=month
        ),
        report_without_checkin=without,
        outcome=_correlation(
            xs,
            ys,
            outcome,
            world,
            groups=outcome_groups,
            label="outcome",
            month=month,
            outcome=True,
        ),
    )


@dataclass(frozen=True)
class SeedResult:
    seed: int
    null: bool
    months: list[MonthFigures]
    seconds: float

    @property
    def last(self) -> MonthFigures:
        return self.months[-1]

    @property
    def measured_beats_baselines(self) -> bool:
        a = self.last.agreement
        return a["measured"] > max(a["plain mean"], a["self-description"])

    def months_until(self, reached: str) -> int | None:
        """Months from the new therapist's joining to being measured, or to being in at
        least RISE_TOP_TEN_SHARE of the month's top tens (None: not within the run)."""
        for figures in self.months:
            new = figures.new_therapist
            if new is None:
                continue
            done = (
                new.responders_measured > 0
                if reached == "measured"
                else new.top_ten_share >= RISE_TOP_TEN_SHARE
            )
            if done:
                return figures.month - new.joined_month + 1
        return None


def _months(value: int | None) -> str:
    return "-" if value is None else str(value)


def _paired_difference(results: list[SeedResult], baseline: str) -> str:
    """The measured ranking's agreement minus a baseline's, per seed: the mean, and its
    standard error over the seeds (the seeds are independent worlds)."""
    differences = [
        r.last.agreement["measured"] - r.last.agreement[baseline]
        for r in results
        if not math.isnan(r.last.agreement["measured"] - r.last.agreement[baseline])
    ]
    if not differences:
        return "n/a"
    mean = statistics.fmean(differences)
    if len(differences) < 2:
        return f"{mean:+.3f}"
    error = statistics.stdev(differences) / math.sqrt(len(differences))
    return f"{mean:+.3f} (standard error {error:.3f})"


def summary_lines(results: list[SeedResult]) -> list[str]:
    """One row per seed at the last month, then the counts the issue asks for."""
    lines = [
        "seed world   agreement measured / plain / self  beats both  "
        "report r [95% interval] (planted)  contains  new: measured / risen (months)  seconds"
    ]
    for result in results:
        last = result.last
        a = last.agreement
        report = last.report
        target = 0.0 if result.null else report.planted
        lines.append(
            f"{result.seed:4d} {'null' if result.null else 'plant':6s} "
            f"{_r(a['measured']):>6s} / {_r(a['plain mean']):>5s} / "
            f"{_r(a['self-description']):>5s}          "
            f"{'yes' if result.measured_beats_baselines else 'no':3s}         "
            f"{_r(report.r):>5s} [{_r(report.low)}, {_r(report.high)}] ({target:+.2f}) "
            f"n={report.n:<4d} {'yes' if report.contains(target) else 'no':3s}       "
            f"{_months(result.months_until('measured')):>2s} / "
            f"{_months(result.months_until('risen')):>2s}                     "
            f"{result.seconds:6.1f}"
        )
    planted = [r for r in results if not r.null]
    null = [r for r in results if r.null]
    if planted:
        beats = sum(r.measured_beats_baselines for r in planted)
        contains = sum(r.last.report.contains(r.last.report.planted) for r in planted)
        means = {k: sum(r.last.agreement[k] for r in planted) / len(planted) for k in RANKINGS}
        lines.append(
            f"planted world, {len(planted)} seeds, month {planted[0].last.month}: measured "
            f"beats both baselines in {beats}; mean agreement measured {means['measured']:+.2f},"
            f" plain mean {means['plain mean']:+.2f}, self-description "
            f"{means['self-description']:+.2f}; the report's interval contains the planted "
            f"correlation in {contains}"
        )
        lines.append(
            "measured minus each baseline, seed by seed (mean and its standard error over "
            "seeds): "
            + "; ".join(
                f"{name} {_paired_difference(planted, name)}"
                for name in ("plain mean", "self-description")
            )
        )
    if null:
        zero = sum(r.last.report.contains(0.0) for r in null)
        lines.append(
            f"null world, {len(null)} seeds: the report's interval contains zero in {zero}"
        )
    seconds = sum(r.seconds for r in results)
    lines.append(f"{len(results)} runs in {seconds:.0f} s ({seconds / len(results):.0f} s each)")
    return lines
