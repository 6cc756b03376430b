"""The report's statistics, against values worked out by hand (no database)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from matching.report_statistics import (
    BOOTSTRAP_RESAMPLES,
    average_ranks,
    bootstrap_interval,
    clustered_wilson_interval,
    design_effect,
    mean_interval,
    spearman,
    wilson_interval,
)


def test_tied_values_share_the_mean_of_their_places() -> None:
    assert average_ranks([20, 10, 20, 30]).tolist() == [2.5, 1.0, 2.5, 4.0]
    ranks = average_ranks([3, 3, 3, 1, 7, 7])
    assert ranks.tolist() == [3.0, 3.0, 3.0, 1.0, 5.5, 5.5]
    assert ranks.sum() == 6 * 7 / 2


def test_spearman_without_ties_is_one_minus_six_d_squared() -> None:
    # Ranks of y: 6.0 -> 1, 7.0 -> 2, 7.5 -> 3, 8.0 -> 4, 8.5 -> 5, 9.0 -> 6, so against
    # x's ranks 1..6 the differences are 0, -1, 1, 0, -1, 1: rho = 1 - 6 * 4 / (6 * 35).
    x = [45, 58, 66, 75, 88, 92]
    y = [6.0, 7.5, 7.0, 8.0, 9.0, 8.5]
    assert spearman(x, y) == pytest.approx(1 - 24 / 210)


def test_spearman_with_ties_is_pearson_of_the_average_ranks() -> None:
    # y ranks 1, 2, 3.5, 5, 3.5; about their mean 3: products 4 + 1 + 0 + 2 + 1 = 8,
    # squares 10 and 9.5.
    assert spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) == pytest.approx(8 / math.sqrt(95))


def test_spearman_is_undefined_without_spread_or_pairs() -> None:
    assert spearman([1, 2, 3], [4, 4, 4]) is None
    assert spearman([1], [2]) is None
    assert spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    with pytest.raises(ValueError):
        spearman([1, 2], [1, 2, 3])


def test_wilson_interval_matches_the_worked_values() -> None:
    low, high = wilson_interval(8, 10)
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and round(high, 4) == 0.2775
    low, high = wilson_interval(10, 10)
    assert round(low, 4) == 0.7225 and high == pytest.approx(1.0)
    assert wilson_interval(0, 0) is None


def test_a_share_of_rows_each_its_own_group_takes_wilsons_interval_exactly() -> None:
    values = [1, 0, 0, 1, 0, 0, 0, 1, 0, 0]
    assert design_effect(values, groups=list(range(10))) == pytest.approx(1.0)
    assert clustered_wilson_interval(values, groups=list(range(10))) == pytest.approx(
        wilson_interval(3, 10)
    )


def test_the_design_effect_of_a_share_worked_by_hand() -> None:
    # p = 4 / 10. Group a: 3 of 4 (3 - 1.6 = 1.4), b: 0 of 4 (-1.6), c: 1 of 1 (0.6),
    # d: 0 of 1 (-0.4). Grouped variance (1.96 + 2.56 + 0.36 + 0.16) / 100 = 0.0504 against
    # 0.4 * 0.6 / 10 = 0.024 for independent rows: a design effect of 2.1.
    values = [1, 1, 1, 0, 0, 0, 0, 0, 1, 0]
    groups = ["a"] * 4 + ["b"] * 4 + ["c", "d"]
    assert design_effect(values, groups) == pytest.approx(2.1)
    effective = 10 / 2.1
    interval = clustered_wilson_interval(values, groups=groups)
    assert interval == pytest.approx(wilson_interval(0.4 * effective, effective))
    low, high = interval
    plain_low, plain_high = wilson_interval(4, 10)
    assert low < plain_low and high > plain_high


def test_grouping_never_narrows_a_share_and_agreement_needs_no_correction() -> None:
    # Every group holds the overall share: the groups' variance is 0, below independent
    # rows'; the design effect stays 1 rather than claiming more than the rows tell.
    values = [1, 0, 1, 0, 1, 0]
    assert design_effect(values, ["a", "a", "b", "b", "c", "c"]) == 1.0
    # No success anywhere (or all): every group agrees, Wilson's interval as it stands.
    assert design_effect([0, 0, 0, 0], ["a", "a", "b", "b"]) == 1.0
    assert clustered_wilson_interval([0, 0, 0, 0], groups=["a", "a", "b", "b"]) == (
        wilson_interval(0, 4)
    )
    assert clustered_wilson_interval([], groups=[]) is None
    with pytest.raises(ValueError):
        clustered_wilson_interval([0.5, 1], groups=["a", "b"])


def test_the_bootstrap_is_seeded_and_keeps_pairs_together() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=40)
    y = x + rng.normal(size=40)
    first = bootstrap_interval(spearman, x, y)
    assert first == bootstrap_interval(spearman, x, y)
    assert first != bootstrap_interval(spearman, x, y, seed=27)
    low, high = first
    assert low < spearman(x, y) < high
    # y = x exactly: every resample with two different values has rho 1, so the whole
    # interval is 1; pairs split apart would not give that.
    assert bootstrap_interval(spearman, x, x) == (1.0, 1.0)


def test_the_bootstrap_gives_nothing_when_the_statistic_is_never_defined() -> None:
    assert bootstrap_interval(spearman, [1, 2, 3, 4], [5, 5, 5, 5]) is None
    assert bootstrap_interval(spearman, [1], [1]) is None


def test_mean_interval_of_two_values_spans_both() -> None:
    # Resample means of (0, 10) are 0, 5 or 10, a quarter of them at each end.
    assert mean_interval([0, 10]) == (0.0, 10.0)
    assert mean_interval([7, 7, 7]) == (7.0, 7.0)
    assert mean_interval([7]) is None


def test_the_documented_resamples_are_the_ones_used() -> None:
    calls = []

    def counted(x):
        calls.append(1)
        return float(np.mean(x))

    bootstrap_interval(counted, [1, 2, 3])
    assert len(calls) == BOOTSTRAP_RESAMPLES == 2000


def test_the_grouped_bootstrap_with_a_group_per_row_is_the_row_bootstrap() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=30)
    y = x + rng.normal(size=30)
    own = [f"row {i}" for i in range(30)]
    assert bootstrap_interval(spearman, x, y, groups=own) == bootstrap_interval(spearman, x, y)
    assert mean_interval(y, groups=own) == mean_interval(y)


def test_the_grouped_bootstrap_draws_a_group_whole() -> None:
    # Ten therapists with twenty intros each that all answer alike: as much is known as
    # from ten intros, and the grouped interval is the row interval of those ten exactly
    # (ranks of data repeated alike are the same ranks, scaled). Drawn as rows, the 200
    # look like 200 independent intros and the interval comes out far narrower.
    rng = np.random.default_rng(3)
    x = rng.normal(size=10)
    y = x + rng.normal(size=10)
    repeated_x, repeated_y = np.repeat(x, 20), np.repeat(y, 20)
    therapists = np.repeat(np.arange(10), 20).tolist()
    grouped = bootstrap_interval(spearman, repeated_x, repeated_y, groups=therapists)
    assert grouped == pytest.approx(bootstrap_interval(spearman, x, y))
    low, high = grouped
    row_low, row_high = bootstrap_interval(spearman, repeated_x, repeated_y)
    assert high - low > 2 * (row_high - row_low)
    assert mean_interval(repeated_y, groups=therapists) == pytest.approx(mean_interval(y))


def test_a_grouped_mean_weighs_each_drawn_group_by_its_size() -> None:
    # Groups (0, 0) and (10): a resample of two groups has mean 0, 10/3 or 10, the two
    # ends a quarter of the resamples each.
    assert mean_interval([0, 0, 10], groups=["a", "a", "b"]) == (0.0, 10.0)
    with pytest.raises(ValueError, match="one group per row"):
        mean_interval([1, 2, 3], groups=["a", "b"])
