"""The simulated world: its statistics, its hidden truth, and small worlds run for real."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from alliance.models import CheckIn
from devtools.simulation.figures import (
    Correlation,
    SeedResult,
    self_description_value,
    summary_lines,
)
from devtools.simulation.parameters import WorldSettings, settings_lines
from devtools.simulation.stats import average_ranks, bootstrap_interval, spearman
from devtools.simulation.truth import (
    ITEMS,
    dyad_draw,
    outcome_weights,
    planted_practices,
    ratings_draw,
    therapist_truth,
)
from devtools.simulation.world import SIM_DOMAIN, World
from matching.models import IntroRequest, IntroSnapshot
from profiles.models import TherapistProfile, User

# A small world: a few therapists, a couple of months, enough responders to measure some.
SMALL = WorldSettings(
    seed=3,
    therapists=6,
    responders_per_month=20,
    months=3,
    new_clients_per_month=(8, 12),
    new_therapist_month=0,
    bootstrap_samples=200,
)


# Statistics, without a database.


def test_average_ranks_share_ties():
    assert average_ranks([10, 20, 20, 30]).tolist() == [1.0, 2.5, 2.5, 4.0]


def test_spearman_is_one_for_any_increasing_transform_and_minus_one_reversed():
    x = [1.0, 2.0, 3.5, 7.0, 9.0]
    assert spearman(x, [v**3 for v in x]) == pytest.approx(1.0)
    assert spearman(x, [-v for v in x]) == pytest.approx(-1.0)


def test_spearman_of_a_constant_side_is_undefined():
    assert math.isnan(spearman([1, 2, 3, 4], [5, 5, 5, 5]))
    assert math.isnan(spearman([1, 2], [1, 2]))


@given(
    st.lists(
        st.tuples(st.integers(0, 10), st.floats(0, 100, allow_nan=False)),
        min_size=3,
        max_size=40,
    )
)
def test_spearman_lies_between_minus_one_and_one_and_is_symmetric(pairs):
    x, y = [p[0] for p in pairs], [p[1] for p in pairs]
    r = spearman(x, y)
    if not math.isnan(r):
        assert -1.0 <= r <= 1.0
        assert spearman(y, x) == pytest.approx(r)


def test_bootstrap_interval_is_ordered_and_covers_a_strong_correlation():
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    y = x + rng.normal(scale=0.5, size=200)
    low, high = bootstrap_interval(x, y, groups=list(range(200)), samples=300, seed=1)
    assert low <= spearman(x, y) <= high
    assert low > 0.7


def test_bootstrap_interval_of_unrelated_values_contains_zero():
    rng = np.random.default_rng(5)
    therapists = [i // 5 for i in range(150)]  # 30 therapists of five intros each
    low, high = bootstrap_interval(
        rng.normal(size=150), rng.normal(size=150), groups=therapists, samples=300, seed=2
    )
    assert low < 0 < high


# The hidden truth, without a database.


def test_the_therapists_share_of_variance_is_the_setting():
    world = WorldSettings(therapist_share=0.1, rating_sd=2.0)
    assert world.therapist_sd**2 / world.rating_sd**2 == pytest.approx(0.1)
    assert world.therapist_sd**2 + world.client_sd**2 == pytest.approx(world.rating_sd**2)


def test_the_null_world_plants_no_therapist_effect_and_no_outcome_link():
    world = WorldSettings(null=True)
    assert world.therapist_sd == 0.0
    assert outcome_weights(world) == (0.0, 0.0)
    truth = therapist_truth(random.Random(1), world)
    assert set(truth.traits.values()) == {0.0}
    assert truth.effect_for(truth.service) == 0.0


@pytest.mark.parametrize("share, ratio", [(0.07, 3.0), (0.05, 1.0), (0.1, 5.0)])
def test_outcome_weights_give_the_planted_alliance_outcome_correlation(share, ratio):
    world = WorldSettings(therapist_share=share, therapist_slope_ratio=ratio)
    a, c = outcome_weights(world)
    assert a * math.sqrt(share) + c * math.sqrt(1 - share) == pytest.approx(0.28)
    # Per unit of alliance, the therapist part's slope is `ratio` times the client part's.
    assert (a / math.sqrt(share)) / (c / math.sqrt(1 - share)) == pytest.approx(ratio)
    assert a * a + c * c < 1


def test_ratings_stay_on_the_scale_and_crowd_near_the_top():
    world = WorldSettings()
    rng = random.Random(7)
    ratings = []
    for _ in range(400):
        truth = therapist_truth(rng, world)
        ratings.append(ratings_draw(rng, dyad_draw(rng, truth, "fire", world), world))
    values = [r[item] for r in ratings for item in ITEMS]
    assert min(values) >= 0 and max(values) <= 10
    assert 7.5 <= sum(values) / len(values) <= 8.8
    assert sum(v == 10 for v in values) / len(values) > 0.1  # the ceiling shows


def test_practices_follow_the_truth_only_as_far_as_planted():
    world = WorldSettings(therapist_share=0.5)
    rng = random.Random(11)

    def correlation(r: float) -> float:
        truths, described = [], []
        for _ in range(600):
            truth = therapist_truth(rng, world.with_changes(self_description_r=r))
            truths.append(truth.z)
            described.append(self_description_value(truth.practices))
        return spearman(truths, described)

    assert correlation(0.0) == pytest.approx(0.0, abs=0.1)
    assert correlation(0.9) > 0.6


def test_every_therapist_lists_at_least_one_practice():
    rng = random.Random(2)
    for _ in range(200):
        trait_z = dict.fromkeys(("respect_trust", "collaboration", "empathy", "adaptability"), -5.0)
        assert planted_practices(rng, trait_z, 1.0)


def test_the_summary_counts_seeds_whose_interval_contains_the_target():
    def result(seed: int, null: bool, low: float, high: float, plain: float = 0.3) -> SeedResult:
        from devtools.simulation.figures import MonthFigures

        month = MonthFigures(
            month=12,
            therapists=10,
            measured=5,
            prior_strength=9.0,
            measured_spread=0.04,
            checkins=100,
            agreement={
                "measured": 0.5,
                "plain mean": plain,
                "self-description": 0.1,
                "measured alone": 0.4,
            },
            agreement_measured_only={
                "measured": 0.5,
                "plain mean": 0.3,
                "self-description": 0.1,
                "measured alone": 0.4,
            },
            top_tens=10,
            top_decile_share=0.2,
            top_decile_reached=1,
            top_decile_size=1,
            new_therapist=None,
            report=Correlation(50, (low + high) / 2, low, high, 0.2),
            report_without_checkin=3,
            outcome=Correlation(0, float("nan"), float("nan"), float("nan"), 0.2),
        )
        return SeedResult(seed, null, [month], 1.0)

    lines = summary_lines(
        [
            result(1, False, 0.1, 0.3),
            result(2, False, 0.3, 0.5, plain=0.4),
            result(1, True, -0.1, 0.1),
        ]
    )
    assert any("contains the planted correlation in 1" in line for line in lines)
    assert any("contains zero in 1" in line for line in lines)
    assert any("measured beats both baselines in 2" in line for line in lines)
    # Measured minus the plain mean: 0.2 and 0.1, mean 0.15, standard error 0.05.
    assert any(
        "plain mean +0.150 (standard error 0.050); self-description +0.400 (standard error "
        "0.000)" in line
        for line in lines
    )


def test_every_default_with_a_source_is_printed_with_it():
    lines = settings_lines(WorldSettings())
    assert any("therapist_share = 0.07" in line and "Baldwin" in line for line in lines)
    assert any("alliance_outcome_r = 0.28" in line and "Flückiger" in line for line in lines)


# Small worlds, run through the product's services on PostgreSQL.


def _run(world: WorldSettings) -> list:
    return World(world).run()


@pytest.mark.django_db(transaction=True)
def test_a_small_world_runs_through_the_product_and_is_the_same_for_a_seed():
    world = SMALL.with_changes(months=2)
    first = _run(world)
    # Everything went through the product: fictional accounts, intros with snapshots,
    # check-ins answered and released as batches.
    assert not User.objects.exclude(email__endswith=f"@{SIM_DOMAIN}").exists()
    assert TherapistProfile.objects.count() == world.therapists
    assert IntroRequest.objects.filter(status=IntroRequest.Status.ACCEPTED).exists()
    assert IntroSnapshot.objects.count() == IntroRequest.objects.count()
    assert CheckIn.objects.filter(status=CheckIn.Status.ANSWERED).exists()
    assert [f.month for f in first] == [1, 2]
    assert first[-1].measured >= 1
    assert 0.0 <= first[-1].top_decile_share <= 1.0
    report = first[-1].report
    assert report.n >= 10 and report.low <= report.high
    # The same seed again, on the emptied database: the same figures to the last digit.
    again = _run(world)
    assert [f.line() for f in again] == [f.line() for f in first]
    other = _run(world.with_changes(seed=4))
    assert [f.line() for f in other] != [f.line() for f in first]


@pytest.mark.django_db(transaction=True)
def test_a_huge_planted_effect_is_recovered_by_the_measured_alliance():
    world = SMALL.with_changes(
        seed=8,
        responders_per_month=30,
        therapist_share=0.9,
        occasion_sd=0.3,
        self_description_r=0.0,
        service_effect_share=0.0,
    )
    last = _run(world)[-1]
    assert last.measured >= 4
    # Six therapists at most: with a therapist share of 0.9 the best of them crowd at the
    # scale's ceiling of 10, where neighbours may swap; 0.8 is two places apart in all.
    assert last.agreement_measured_only["measured"] >= 0.8
    assert last.agreement["measured"] > last.agreement["self-description"]


@pytest.mark.django_db(transaction=True)
def test_in_the_null_world_the_reports_interval_contains_zero():
    """A 95 % interval misses zero in about one null world in twenty by chance (seed 5 of
    this small world is one: +0.48 [+0.18, +0.75] over 27 intros; seeds 1 to 8 otherwise
    all contain it). The README gives the count over ten full-size seeds."""
    last = _run(SMALL.with_changes(null=True, seed=1))[-1]
    assert math.isnan(last.agreement["measured"])  # the truth is flat: nothing to agree with
    assert last.report.planted == 0.0
    assert last.report.n >= 10
    assert last.report.contains(0.0)


def test_the_command_refuses_a_database_that_is_not_the_simulations(monkeypatch):
    monkeypatch.setitem(settings.DATABASES["default"], "NAME", "rapport")
    with pytest.raises(CommandError, match="simulate"):
        call_command("simulate")
