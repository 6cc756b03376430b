"""How Rapport scores one therapist for one responder: pure Python, no Django.

- weights.py: every weight and threshold, named once, and how a responder's answers about
  what matters most scale them.
- factors.py: each factor as one function over one therapist or whole columns alike.
- eligibility.py: the hard rules (a format the responder can use, their musts, the rules
  that move with the clock).
- components.py: the five components with the reasons a card shows; calibration.py: the
  ceiling each is measured against; total.py: the score and how it is made.
- cards.py and words.py: what a card says around the score.
- reference.py: the one-by-one ranking the tests compare the ranked list with.
The vocabularies (services, traits, style scales, practices) are profiles/vocabulary.py.
"""

from matching.scoring.calibration import ceilings, ideal_candidate
from matching.scoring.cards import CardLines, card_lines
from matching.scoring.eligibility import is_eligible
from matching.scoring.total import score
from matching.scoring.types import (
    Candidate,
    Checkins,
    Component,
    Reason,
    Rules,
    Score,
    Seeker,
)

__all__ = [
    "Candidate",
    "CardLines",
    "Checkins",
    "Component",
    "Reason",
    "Rules",
    "Score",
    "Seeker",
    "card_lines",
    "ceilings",
    "ideal_candidate",
    "is_eligible",
    "score",
]
