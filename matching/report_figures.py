"""The figures of the staff report "Does the ranking work?", from plain records of intros.

Pure Python over numpy (matching.report_statistics), with no Django import: the selector
(matching/selectors/ranking_report.py) reads the intros, their snapshots, plans and first
three check-ins and hands them here as `IntroRecord`s.

What every figure keeps (tests/matching/test_ranking_report.py holds each):
1. It is made only of scored intros: the therapist passed the responder's filters when the
   intro was asked for, so the snapshot holds a score (IntroSnapshot.eligible).
2. The alliance of one check-in is the mean of its four trait items (not "fit"); a check-in
   is weak when any of its five items is at or below alliance.aggregation.WEAK_AT_MOST.
3. "First check-in" is check-in number 1 (about two weeks in), "about six weeks" number 2,
   "the third" number 3; a figure counts an intro only when that check-in was answered.
   Still seeing at about six weeks counts accepted intros whose six-week mark has passed.
4. Beside each figure stand the intros and the different responders behind it. A figure
   from fewer than `minimum` responders (settings.ALLIANCE_MIN_RESPONDERS) is not shown.
5. Where figures of parts are shown beside the figure of their whole (score bands, or
   measured against self-described, beside all scored intros), the parts not shown
   together hold at least `minimum` responders, or none: otherwise the next smallest part
   is held back too, so no part hidden for being small can be worked out as the whole
   minus the parts shown.
6. No figure names or describes one intro: there are no per-intro rows.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from matching.report_records import (
    MEASURED,
    SCORE_BANDS,
    SELF_DESCRIBED,
    IntroRecord,
    band_of,
    wellbeing_change,
)
from matching.report_statistics import (
    bootstrap_interval,
    clustered_wilson_interval,
    mean,
    mean_interval,
    spearman,
)

# A figure (mean, share or correlation) needs this many therapists behind it for an interval.
INTERVAL_MIN_THERAPISTS = 5


@dataclass(frozen=True)
class Figure:
    """One figure as the page shows it: its value and interval in words, and who is behind it.

    `shown` is False when it is held back: too few responders stand behind it (or behind
    the parts held back with it). `defined` is False when it has enough people but cannot
    be computed (a correlation where every score or every answer is alike).
    """

    name: str
    value: float | None
    interval: tuple[float, float] | None
    intros: int
    responders: int
    out_of: int  # the scored intros of the group the figure is about
    shown: bool
    kind: str  # "mean", "share" or "correlation"
    therapists: int = 0  # the different therapists behind it (intros whose therapist is gone
    # each count as one)

    @property
    def defined(self) -> bool:
        return self.value is not None

    @property
    def too_few_therapists_for_interval(self) -> bool:
        """A figure shown without an interval because fewer than
        INTERVAL_MIN_THERAPISTS therapists stand behind it."""
        return self.shown and self.defined and self.therapists < INTERVAL_MIN_THERAPISTS

    @property
    def value_text(self) -> str:
        return _format(self.value, self.kind) if self.value is not None else ""

    @property
    def interval_text(self) -> str:
        if self.interval is None:
            return ""
        low, high = (_format(end, self.kind) for end in self.interval)
        return f"{low} to {high}"

    @property
    def not_in_it(self) -> int:
        """Scored intros of the group that did not reach what this figure needs."""
        return self.out_of - self.intros


def _format(value: float, kind: str) -> str:
    if kind == "share":
        return f"{round(value * 100)} %"
    if kind == "correlation":
        return f"{value:+.2f}".replace("+0.00", "0.00")
    return f"{value:.1f}"


@dataclass(frozen=True)
class _Sample:
    """The rows behind one figure, before it is judged big enough to show."""

    values: tuple[tuple[float, ...], ...]  # one tuple per intro
    responders: frozenset[Hashable]
    therapists: tuple[Hashable, ...] = ()  # one per intro: the bootstrap's groups


# Each figure: its name, its kind, and which value(s) an intro brings to it (None: none).
FigureRows = Callable[[IntroRecord], tuple[float, ...] | None]


def _first_alliance_pair(intro: IntroRecord) -> tuple[float, ...] | None:
    first = intro.answered(1)
    return None if first is None else (float(intro.score), first.alliance)


def _first_alliance(intro: IntroRecord) -> tuple[float, ...] | None:
    first = intro.answered(1)
    return None if first is None else (first.alliance,)


def _six_week_alliance(intro: IntroRecord) -> tuple[float, ...] | None:
    second = intro.answered(2)
    return None if second is None else (second.alliance,)


def _six_week_weak(intro: IntroRecord) -> tuple[float, ...] | None:
    second = intro.answered(2)
    return None if second is None else (float(second.weak),)


def _six_week_seeing(intro: IntroRecord) -> tuple[float, ...] | None:
    return (float(intro.seeing_at_six_weeks),) if intro.six_weeks_passed else None


def _alliance_against_wellbeing(intro: IntroRecord) -> tuple[float, ...] | None:
    first, third = intro.answered(1), intro.answered(3)
    if first is None or third is None:
        return None
    change = wellbeing_change(first, third)
    return None if change is None else (first.alliance, change)


@dataclass(frozen=True)
class FigureSpec:
    key: str
    name: str
    kind: str
    rows: FigureRows


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "score_vs_first",
        "Rank correlation: score at the intro against the alliance at the first check-in",
        "correlation",
        _first_alliance_pair,
    ),
    FigureSpec("first_alliance", "Mean alliance at the first check-in", "mean", _first_alliance),
    FigureSpec("six_alliance", "Mean alliance at about six weeks", "mean", _six_week_alliance),
    FigureSpec("six_weak", "Weak at about six weeks", "share", _six_week_weak),
    FigureSpec(
        "six_seeing", "Still seeing the therapist at about six weeks", "share", _six_week_seeing
    ),
    FigureSpec(
        "alliance_vs_wellbeing",
        "Rank correlation: alliance at the first check-in against the change in wellbeing "
        "by the third",
        "correlation",
        _alliance_against_wellbeing,
    ),
)
FIGURE_KEYS = tuple(spec.key for spec in FIGURES)
BAND_FIGURES = ("six_alliance", "six_weak", "six_seeing")


def _sample(intros: Sequence[IntroRecord], spec: FigureSpec) -> _Sample:
    values, responders, therapists = [], set(), []
    for intro in intros:
        row = spec.rows(intro)
        if row is not None:
            values.append(row)
            responders.add(intro.responder)
            therapists.append(intro.therapist_group)
    return _Sample(tuple(values), frozenset(responders), tuple(therapists))


def _estimate(sample: _Sample, kind: str) -> tuple[float | None, tuple[float, float] | None]:
    """The figure and its 95 % interval. Means and correlations are bootstrapped by
    therapist: one therapist's intros share that therapist (and much of the score), so
    they are drawn together, and the interval is as wide as the therapists behind it
    allow, not as narrow as their intros would pretend. From fewer than
    INTERVAL_MIN_THERAPISTS therapists there is no interval: drawing among so few says
    little about therapists beyond them (from one, every draw is alike and the interval
    would be a point, as sure as it is wrong). Shares take Wilson's interval, which stays
    inside 0 to 1 even with no weak alliance at all, on the intros' effective number: n
    over the design effect of the therapists, so that there too a therapist's intros
    count as much as they are worth together; the same minimum of therapists holds."""
    columns = np.array(sample.values, dtype=float).T
    groups = list(sample.therapists)
    enough = len(set(groups)) >= INTERVAL_MIN_THERAPISTS
    if kind == "correlation":
        value = spearman(*columns)
        return value, bootstrap_interval(spearman, *columns, groups=groups) if enough else None
    if kind == "share":
        interval = clustered_wilson_interval(columns[0], groups=groups) if enough else None
        return float(columns[0].mean()), interval
    return mean(columns[0]), mean_interval(columns[0], groups=groups) if enough else None


def _figure(spec: FigureSpec, sample: _Sample, *, out_of: int, shown: bool) -> Figure:
    value, interval = _estimate(sample, spec.kind) if shown else (None, None)
    return Figure(
        name=spec.name,
        value=value,
        interval=interval,
        intros=len(sample.values),
        responders=len(sample.responders),
        out_of=out_of,
        shown=shown,
        kind=spec.kind,
        therapists=len(set(sample.therapists)),
    )


def parts_shown(whole: int, parts: Sequence[frozenset[Hashable]], minimum: int) -> list[bool]:
    """Which parts of a shown whole may be shown beside it (invariant 5).

    `whole` is the number of responders behind the whole, `parts` the responders behind
    each part. A part below `minimum` is held back; while the parts held back together
    hold fewer than `minimum` responders (but some), the smallest part still shown is held
    back too.
    """
    if whole < minimum:
        return [False] * len(parts)
    shown = [len(part) >= minimum for part in parts]
    while True:
        hidden = frozenset().union(*(p for p, s in zip(parts, shown, strict=True) if not s))
        if not hidden or len(hidden) >= minimum or not any(shown):
            return shown
        smallest = min(
            (index for index, is_shown in enumerate(shown) if is_shown),
            key=lambda index: (len(parts[index]), index),
        )
        shown[smallest] = False


@dataclass(frozen=True)
class Group:
    """One column of figures: a set of scored intros, and each figure about them."""

    label: str
    scored: int
    figures: Mapping[str, Figure]


def _group_figures(
    label: str,
    intros: Sequence[IntroRecord],
    samples: Mapping[str, _Sample],
    shown: Mapping[str, bool],
    keys: Sequence[str],
) -> Group:
    specs = {spec.key: spec for spec in FIGURES}
    return Group(
        label=label,
        scored=len(intros),
        figures={
            key: _figure(specs[key], samples[key], out_of=len(intros), shown=shown[key])
            for key in keys
        },
    )


def _partition(
    whole: Sequence[IntroRecord],
    parts: Sequence[tuple[str, Sequence[IntroRecord]]],
    keys: Sequence[str],
    minimum: int,
) -> tuple[Group, list[Group]]:
    """The whole's figures and each part's, with small parts held back (invariants 4, 5)."""
    specs = {spec.key: spec for spec in FIGURES}
    whole_samples = {key: _sample(whole, specs[key]) for key in keys}
    part_samples = [{key: _sample(intros, specs[key]) for key in keys} for _, intros in parts]
    whole_shown = {key: len(whole_samples[key].responders) >= minimum for key in keys}
    part_shown = [dict.fromkeys(keys, False) for _ in parts]
    for key in keys:
        flags = parts_shown(
            len(whole_samples[key].responders) if whole_shown[key] else 0,
            [samples[key].responders for samples in part_samples],
            minimum,
        )
        for index, flag in enumerate(flags):
            part_shown[index][key] = flag
    whole_group = _group_figures("All scored intros", whole, whole_samples, whole_shown, keys)
    part_groups = [
        _group_figures(label, intros, part_samples[index], part_shown[index], keys)
        for index, (label, intros) in enumerate(parts)
    ]
    return whole_group, part_groups


@dataclass(frozen=True)
class Selection:
    """How the intros behind the report were chosen: every count, none of them withheld.

    Counts say how many intros reached each step, never what anyone answered.
    """

    made: int  # intros that kept a snapshot
    scored: int  # ... whose therapist passed the responder's filters then
    by_status: Mapping[str, int]  # scored intros by the intro's status ("" = deleted)
    accepted: int
    first_checkin: Mapping[str, int]  # accepted intros by how check-in 1 ended
    second_checkin: Mapping[str, int]
    stopped: Mapping[str, int]  # accepted intros by why the plan stopped ("" = running)
    never_answered: int  # scored intros with no answered check-in at all


def _count(values: Sequence[str], order: Sequence[str]) -> dict[str, int]:
    counts = dict.fromkeys(order, 0)
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


CHECKIN_OUTCOMES = ("answered", "skipped", "lapsed", "stopped", "due", "not_planned")


def selection_of(intros: Sequence[IntroRecord], statuses: Sequence[str]) -> Selection:
    """The selection behind the report (every count shown, whatever its size)."""
    scored = [intro for intro in intros if intro.score is not None]
    accepted = [intro for intro in scored if intro.accepted]

    def outcome(intro: IntroRecord, number: int) -> str:
        checkin = intro.checkin(number)
        return "not_planned" if checkin is None else checkin.status

    return Selection(
        made=len(intros),
        scored=len(scored),
        by_status=_count([intro.status for intro in scored], [*statuses, ""]),
        accepted=len(accepted),
        first_checkin=_count([outcome(i, 1) for i in accepted], CHECKIN_OUTCOMES),
        second_checkin=_count([outcome(i, 2) for i in accepted], CHECKIN_OUTCOMES),
        stopped=_count([intro.stopped_reason or "" for intro in accepted], [""]),
        never_answered=sum(
            1 for intro in scored if not any(c.answered for c in intro.checkins.values())
        ),
    )


@dataclass(frozen=True)
class Report:
    minimum: int
    selection: Selection
    overall: Group  # every figure over all scored intros
    by_source: tuple[Group, Group]  # measured, self-described
    by_band: tuple[Group, ...]  # one per SCORE_BANDS, the six-week figures only

    @property
    def interval_min_therapists(self) -> int:
        return INTERVAL_MIN_THERAPISTS


def report_of(intros: Sequence[IntroRecord], *, minimum: int, statuses: Sequence[str]) -> Report:
    """Every figure of the report, from the records of every intro that kept a snapshot."""
    scored = [intro for intro in intros if intro.score is not None]
    overall, by_source = _partition(
        scored,
        [
            ("Measured", [i for i in scored if i.source == MEASURED]),
            ("Self-described", [i for i in scored if i.source == SELF_DESCRIBED]),
        ],
        FIGURE_KEYS,
        minimum,
    )
    _, by_band = _partition(
        scored,
        [
            (label, [i for i in scored if band_of(i.score) == index])
            for index, (_, _, label) in enumerate(SCORE_BANDS)
        ],
        BAND_FIGURES,
        minimum,
    )
    return Report(
        minimum=minimum,
        selection=selection_of(intros, statuses),
        overall=overall,
        by_source=(by_source[0], by_source[1]),
        by_band=tuple(by_band),
    )
