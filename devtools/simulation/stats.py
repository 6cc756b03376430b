"""Spearman's rank correlation and its bootstrap interval, with numpy alone."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def average_ranks(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Ranks from 1, ties sharing the mean of the ranks they span."""
    _, inverse, counts = np.unique(
        np.asarray(values, dtype=float), return_inverse=True, return_counts=True
    )
    ends = np.cumsum(counts)
    return ((ends - counts + 1 + ends) / 2)[inverse]


def spearman(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    """Spearman's rank correlation (Pearson's on average ranks); NaN when either side is
    constant or there are fewer than 3 pairs.

    Invariants: between -1 and 1; unchanged by any strictly increasing transform of x or y;
    symmetric in x and y.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) != len(y):
        raise ValueError("x and y must have the same length.")
    if len(x) < 3:
        return float("nan")
    rx, ry = average_ranks(x), average_ranks(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    denominator = float(np.sqrt((rx * rx).sum() * (ry * ry).sum()))
    if denominator == 0:
        return float("nan")
    return float(np.clip((rx * ry).sum() / denominator, -1.0, 1.0))


def bootstrap_interval(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    *,
    samples: int,
    seed: int,
    level: float = 0.95,
) -> tuple[float, float]:
    """The percentile bootstrap interval of Spearman's correlation, resampling pairs.

    Resamples where one side is constant are left out; NaN bounds with fewer than 3 pairs.
    Invariant: the lower bound is at most the upper bound.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) < 3:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(x), size=(samples, len(x)))
    values = np.array([spearman(x[p], y[p]) for p in picks])
    values = values[~np.isnan(values)]
    if not len(values):
        return float("nan"), float("nan")
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)
