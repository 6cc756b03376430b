"""The version of the scoring that every intro's snapshot records.

It names the weights and formulas in matching/scoring.py (COMPONENT_WEIGHTS, the factors,
the measured alliance's estimate). Change it in the same commit as any change to those, so
the staff report never mixes scores made by two different rankings without saying so. It
lives here only until it can move beside the weights in matching/scoring.py.
"""

from __future__ import annotations

# Weights 30 / 25 / 20 / 15 / 10 (competence, alliance, clinical, practical,
# responsiveness); alliance shrunk toward all therapists with a fixed prior of
# ALLIANCE_PRIOR_CHECKINS check-ins.
SCORING_VERSION = "2026.11-1"
