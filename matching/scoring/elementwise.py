"""Elementwise operations on one number or a whole column alike.

The factor functions (factors.py) and the hard rules (eligibility.py) run on one therapist
in the per-therapist scorer and on whole columns in the ranked list: these run numpy's
operations on arrays and Python's own on plain numbers, which costs a card far less than
numpy on a number would.
"""

from __future__ import annotations

import numpy as np

_ARRAY = np.ndarray


def arrays(*values) -> bool:
    # A plain loop: any() over a generator cost a card's score a third more.
    for value in values:  # noqa: SIM110
        if isinstance(value, _ARRAY):
            return True
    return False


def minimum(a, b):
    if isinstance(a, _ARRAY) or isinstance(b, _ARRAY):
        return np.minimum(a, b)
    return a if a <= b else b


def maximum(a, b):
    if isinstance(a, _ARRAY) or isinstance(b, _ARRAY):
        return np.maximum(a, b)
    return a if a >= b else b


def clip(x, low: float, high: float):
    if isinstance(x, _ARRAY):
        return np.clip(x, low, high)
    return low if x < low else high if x > high else x


def where(condition, a, b):
    if isinstance(condition, _ARRAY) or isinstance(a, _ARRAY) or isinstance(b, _ARRAY):
        return np.where(condition, a, b)
    return a if condition else b


def isnan(x):
    return np.isnan(x) if isinstance(x, _ARRAY) else x != x


def nan_to_zero(x):
    if isinstance(x, _ARRAY):
        return np.nan_to_num(x)
    return 0.0 if x != x else x


def as_float(x):
    return x.astype(np.float64) if isinstance(x, _ARRAY) else float(x)


def constant(like, value: float):
    """`value` in the shape of `like`: a number for a number, a column for a column."""
    return np.full(like.shape, value) if arrays(like) else value
