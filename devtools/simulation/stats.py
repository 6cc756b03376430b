"""Spearman's rank correlation and its bootstrap interval: the staff report's own
(matching.report_statistics), so the world checks the figure staff read, not a copy.

The simulation's figures print NaN where the report prints nothing, so these adapters turn
the report's None into NaN; the figures need at least 3 pairs where the report needs 2.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from matching import report_statistics
from matching.report_statistics import average_ranks

__all__ = ["average_ranks", "bootstrap_interval", "spearman"]

MIN_PAIRS = 3


def spearman(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    """Spearman's rank correlation (Pearson's on average ranks); NaN when either side is
    constant or there are fewer than 3 pairs.

    Invariants: between -1 and 1; unchanged by any strictly increasing transform of x or y;
    symmetric in x and y.
    """
    if len(x) != len(y):
        raise ValueError("x and y must have the same length.")
    if len(x) < MIN_PAIRS:
        return float("nan")
    value = report_statistics.spearman(x, y)
    return float("nan") if value is None else value


def bootstrap_interval(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    *,
    groups: Sequence[Hashable],
    samples: int,
    seed: int,
    level: float = 0.95,
) -> tuple[float, float]:
    """The report's percentile bootstrap interval of Spearman's correlation, resampling
    whole groups of pairs (the report's: each therapist's intros together); NaN bounds
    with fewer than 3 pairs or too few defined resamples.

    Invariant: the lower bound is at most the upper bound.
    """
    if len(x) < MIN_PAIRS:
        return float("nan"), float("nan")
    interval = report_statistics.bootstrap_interval(
        report_statistics.spearman,
        x,
        y,
        groups=groups,
        resamples=samples,
        seed=seed,
        level=level,
    )
    return (float("nan"), float("nan")) if interval is None else interval
