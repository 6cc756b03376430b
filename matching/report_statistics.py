"""The few statistics the staff report "Does the ranking work?" needs, in numpy alone.

Pure Python over numpy arrays, with no Django import, so each function is tested by hand
(tests/matching/test_report_statistics.py). What each keeps:
- `average_ranks`: ranks from 1, ties sharing the mean of the places they take, so the
  ranks always sum to n (n + 1) / 2.
- `spearman`: the Pearson correlation of those ranks, from -1 to 1; None when it is not
  defined (fewer than two pairs, or one side all alike).
- `bootstrap_interval`: the percentile interval of a statistic over resamples drawn with
  replacement, from one seeded generator, so the same data always gives the same interval.
  It resamples whole rows, or, given `groups`, whole groups of rows (a cluster bootstrap:
  the report's intros of one therapist share that therapist, so they are drawn together).
  With every row a group of its own, the grouped draw is the row draw, interval for
  interval. Resamples in which the statistic is undefined (every pair alike) are left out;
  the interval is None when fewer than half of them are defined.
- `mean_interval`: the same bootstrap for a mean, drawn in one array.
- `wilson_interval`: the Wilson score interval of a share, inside 0 to 1 even at 0 or n.
- `clustered_wilson_interval`: the same for a share of rows that come in groups: Wilson's
  interval on the effective number of rows, n over the design effect, which is the
  groups' variance of the share against the variance independent rows would give (never
  below 1, so grouping never narrows the interval). With every row a group of its own,
  it is Wilson's interval exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

import numpy as np

# 2,000 resamples put the ends of a 95 % interval within about 0.01 of where endless
# resampling would (percentiles of 2,000 draws), in well under a second for a few hundred
# intros. The seed is fixed so the report reads the same each time for the same data.
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 26
INTERVAL_LEVEL = 0.95
WILSON_Z = 1.959963984540054  # the normal quantile for a two-sided 95 % interval

Statistic = Callable[..., float | None]


def average_ranks(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Ranks from 1, ties sharing the mean of the places they take."""
    array = np.asarray(values, dtype=float)
    _, inverse, counts = np.unique(array, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)  # the last place of each distinct value
    return (ends - (counts - 1) / 2.0)[inverse]


def pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    """The Pearson correlation, or None when undefined (n < 2 or a side without spread)."""
    if len(x) < 2:
        return None
    dx = x - x.mean()
    dy = y - y.mean()
    spread = float(np.sqrt((dx * dx).sum() * (dy * dy).sum()))
    if spread == 0.0:
        return None
    return float(np.clip((dx * dy).sum() / spread, -1.0, 1.0))


def spearman(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float | None:
    """The rank correlation of paired values (ties take average ranks)."""
    x_array, y_array = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x_array) != len(y_array):
        raise ValueError("spearman needs pairs: both sides of the same length")
    if len(x_array) < 2:
        return None
    return pearson(average_ranks(x_array), average_ranks(y_array))


def mean(values: Sequence[float] | np.ndarray) -> float | None:
    array = np.asarray(values, dtype=float)
    return float(array.mean()) if len(array) else None


def _percentile_ends(estimates: np.ndarray, level: float) -> tuple[float, float]:
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(estimates, [tail, 100.0 - tail])
    return float(low), float(high)


def _group_rows(n: int, groups: Sequence[Hashable] | None) -> list[np.ndarray]:
    """The row numbers of each group, groups in the order they first appear; without
    groups, every row is a group of its own."""
    if groups is None:
        return [np.array([row]) for row in range(n)]
    if len(groups) != n:
        raise ValueError("groups must name one group per row")
    rows: dict[Hashable, list[int]] = {}
    for row, group in enumerate(groups):
        rows.setdefault(group, []).append(row)
    return [np.array(members) for members in rows.values()]


def bootstrap_interval(
    statistic: Statistic,
    *columns: Sequence[float] | np.ndarray,
    groups: Sequence[Hashable] | None = None,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    level: float = INTERVAL_LEVEL,
) -> tuple[float, float] | None:
    """The percentile interval of `statistic(*columns)` over resamples of whole rows, or of
    whole groups of rows when `groups` names each row's group.

    1. Draw `resamples` sets of as many groups as there are, with replacement, from one
       generator seeded with `seed` (without `groups`, each row is a group).
    2. Compute the statistic on the rows of each set (the columns stay paired).
    3. Leave out the resamples where it is undefined; with fewer than half left, None.
    4. Return the (1 - level) / 2 and (1 + level) / 2 percentiles of what is left.
    """
    arrays = [np.asarray(column, dtype=float) for column in columns]
    n = len(arrays[0])
    if n < 2 or any(len(array) != n for array in arrays):
        return None
    members = _group_rows(n, groups)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(members), size=(resamples, len(members)))
    if groups is None:
        resampled = list(picks)
    else:
        resampled = [np.concatenate([members[group] for group in picked]) for picked in picks]
    estimates = [statistic(*(array[rows] for array in arrays)) for rows in resampled]
    defined = np.array([value for value in estimates if value is not None], dtype=float)
    if len(defined) < resamples / 2:
        return None
    return _percentile_ends(defined, level)


def mean_interval(
    values: Sequence[float] | np.ndarray,
    *,
    groups: Sequence[Hashable] | None = None,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    level: float = INTERVAL_LEVEL,
) -> tuple[float, float] | None:
    """The bootstrap percentile interval of a mean (as `bootstrap_interval`, in one array:
    a resample's mean is its groups' sums over their sizes)."""
    array = np.asarray(values, dtype=float)
    if len(array) < 2:
        return None
    members = _group_rows(len(array), groups)
    sums = np.array([array[rows].sum() for rows in members])
    sizes = np.array([len(rows) for rows in members], dtype=float)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(members), size=(resamples, len(members)))
    return _percentile_ends(sums[picks].sum(axis=1) / sizes[picks].sum(axis=1), level)


def wilson_interval(
    successes: float, n: float, *, z: float = WILSON_Z
) -> tuple[float, float] | None:
    """The Wilson score interval of `successes` out of `n`; None when n is 0. Both may be
    fractional (an effective count, as `clustered_wilson_interval` passes)."""
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError("successes must lie between 0 and n")
    share = successes / n
    z2 = z * z
    centre = (share + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * np.sqrt(share * (1 - share) / n + z2 / (4 * n * n))
    return max(0.0, float(centre - half)), min(1.0, float(centre + half))


def design_effect(values: Sequence[float] | np.ndarray, groups: Sequence[Hashable]) -> float:
    """How much wider a share's variance is for its groups than for independent rows.

    The share p of n rows in groups g has, counting each group as one draw, the variance
    sum over g of (successes_g - p n_g)^2 / n^2 (the linearised variance of a ratio, the
    same one the grouped bootstrap estimates); independent rows would give p (1 - p) / n.
    Their ratio, at least 1. At p = 0 or 1 every group agrees and it is 1.
    """
    array = np.asarray(values, dtype=float)
    n = len(array)
    share = float(array.mean()) if n else 0.0
    if share in (0.0, 1.0):
        return 1.0
    members = _group_rows(n, groups)
    residuals = np.array([array[rows].sum() - share * len(rows) for rows in members])
    grouped = float((residuals**2).sum()) / (n * n)
    return max(1.0, grouped / (share * (1.0 - share) / n))


def clustered_wilson_interval(
    values: Sequence[float] | np.ndarray,
    *,
    groups: Sequence[Hashable],
    z: float = WILSON_Z,
) -> tuple[float, float] | None:
    """Wilson's interval of the share of 1s among `values` (each 0 or 1), on the effective
    number of rows n / design effect; None when there are none."""
    array = np.asarray(values, dtype=float)
    if not len(array):
        return None
    if not np.isin(array, (0.0, 1.0)).all():
        raise ValueError("a share counts values of 0 or 1")
    effective = len(array) / design_effect(array, groups)
    return wilson_interval(float(array.mean()) * effective, effective, z=z)
