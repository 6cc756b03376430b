"""The plain records the staff report is computed from: one per intro with a kept score,
its first three check-ins, and the score bands (matching/report_figures.py makes the figures).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

from alliance.aggregation import ITEMS, TRAITS, WEAK_AT_MOST

MEASURED, SELF_DESCRIBED = "measured", "self_described"

# Score bands, on the score the card showed (rounded to a whole number, as "Match 72 of
# 100"): (lowest, highest, label). They cover 0 to 100 without gaps or overlaps.
SCORE_BANDS: tuple[tuple[int, int, str], ...] = (
    (0, 49, "Below 50"),
    (50, 69, "50 to 69"),
    (70, 84, "70 to 84"),
    (85, 100, "85 and above"),
)


def band_of(score: float) -> int:
    """The index in SCORE_BANDS of the score the card showed."""
    shown = round(score)
    for index, (low, high, _) in enumerate(SCORE_BANDS):
        if low <= shown <= high:
            return index
    raise ValueError(f"score {score} lies outside 0 to 100")


@dataclass(frozen=True)
class CheckinRecord:
    """What the report reads of one check-in: how it ended, and the answers if given."""

    status: str  # alliance.models.CheckIn.Status
    ratings: Mapping[str, int] = field(default_factory=dict)  # the five items, when answered
    wellbeing: Mapping[str, int | None] = field(default_factory=dict)

    @property
    def answered(self) -> bool:
        return self.status == "answered"

    @property
    def alliance(self) -> float:
        """The mean of the four trait items."""
        return sum(self.ratings[trait] for trait in TRAITS) / len(TRAITS)

    @property
    def weak(self) -> bool:
        """Any of the five items at or below the weak line (the drop rule is not used)."""
        return any(self.ratings[item] <= WEAK_AT_MOST for item in ITEMS)


@dataclass(frozen=True)
class IntroRecord:
    """One intro that kept a snapshot, with what followed it; nothing that names anyone."""

    intro_id: int
    score: float | None  # None: the therapist did not pass the responder's filters then
    source: str  # MEASURED or SELF_DESCRIBED: where the alliance in the score came from
    status: str  # the intro's status, or "" once the responder deleted their account
    responder: Hashable  # who asked, only to count different responders
    accepted: bool
    stopped_reason: str | None = None  # None: no plan; "" while the plan runs
    six_weeks_passed: bool = False  # accepted, and the six-week mark lies in the past
    seeing_at_six_weeks: bool = False  # ... and the plan had not stopped by then
    checkins: Mapping[int, CheckinRecord] = field(default_factory=dict)
    # Which therapist, only to draw a therapist's intros together in the bootstrap; None
    # once the therapist's account is gone (the intro is then drawn on its own).
    therapist: Hashable | None = None

    @property
    def therapist_group(self) -> Hashable:
        """The group the bootstrap draws this intro with: its therapist's intros."""
        if self.therapist is None:
            return ("intro", self.intro_id)
        return ("therapist", self.therapist)

    def checkin(self, number: int) -> CheckinRecord | None:
        return self.checkins.get(number)

    def answered(self, number: int) -> CheckinRecord | None:
        checkin = self.checkins.get(number)
        return checkin if checkin is not None and checkin.answered else None


def wellbeing_change(first: CheckinRecord, third: CheckinRecord) -> float | None:
    """The mean change, third minus first, over the wellbeing items answered in both."""
    changes = [
        third.wellbeing[name] - first.wellbeing[name]
        for name in first.wellbeing
        if first.wellbeing[name] is not None and third.wellbeing.get(name) is not None
    ]
    return sum(changes) / len(changes) if changes else None
