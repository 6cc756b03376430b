"""The alliance component of one therapist's score, with the reasons a card shows: the four
traits (measured from check-ins, or the population's value, moved a little by practices) and
how the therapist works against how the responder asked, moved by what responders say of
the fit. The same factor functions serve the ranked list's columns (kernels._alliance)."""

from __future__ import annotations

import numpy as np

from matching.scoring import factors
from matching.scoring import weights as w
from matching.scoring.types import (
    CHECKINS,
    RECORDED,
    SELF_REPORTED,
    Candidate,
    Checkins,
    Component,
    Reason,
    Seeker,
)
from matching.scoring.words import (
    COMPONENT_TITLES,
    NOT_ENOUGH_CHECKINS,
    PRACTICE_WORDS,
    SERVICE_PEOPLE,
    STYLE_WORDS,
    TRAIT_WORDS,
    style_side,
)
from profiles.vocabulary import (
    FIT_ITEM as FIT,
)
from profiles.vocabulary import (
    PRACTICE_TRAIT,
    TRAITS,
)


def checkins_for(c: Candidate, service: str = "") -> Checkins | None:
    """Check-ins from responders of this service where there are enough, else from all."""
    if service and service in c.checkins_by_service:
        return c.checkins_by_service[service]
    return c.checkins


def practices_named(c: Candidate, trait: str) -> int:
    return sum(1 for p in c.practices if PRACTICE_TRAIT.get(p) == trait)


def _baseline(c: Candidate, item: str) -> float:
    return c.alliance_baseline.get(item, w.UNMEASURED_TRAIT_VALUE)


def trait_value(c: Candidate, trait: str, service: str = "") -> float:
    """One alliance trait: measured from check-ins when there are enough, else the
    population's value; the therapist's practices move it a little either way."""
    measured = checkins_for(c, service)
    value = np.nan if measured is None else measured.values.get(trait, np.nan)
    return float(factors.trait_value(value, practices_named(c, trait), _baseline(c, trait)))


def style_fits(seeker: Seeker, c: Candidate) -> dict[str, float]:
    """The fit on each dimension the responder stated; empty when the therapist gave none."""
    if c.style_ranges is None:
        return {}
    return {
        dim: float(factors.style_dimension_fit(wanted, *c.style_ranges[dim]))
        for dim, wanted in sorted(seeker.style.items())
    }


def stated_style_fit(seeker: Seeker, c: Candidate) -> float:
    """How well the way the therapist says they work covers the way the responder asked for;
    neutral without a preference, or for a therapist who has not described their style."""
    if not seeker.style or c.style_ranges is None:
        return w.NEUTRAL
    fits = style_fits(seeker, c)
    return sum(fits.values()) / len(fits)


def fit_shift(c: Candidate) -> float:
    """How far responders' "the way we work fits me" sits from the population's (0 when
    not measured)."""
    checkin = np.nan if c.checkin_style is None else c.checkin_style
    return float(factors.fit_measured_shift(checkin, _baseline(c, FIT)))


def style_fit(seeker: Seeker, c: Candidate) -> float:
    """The style factor: the stated fit, moved both ways by what responders say of the fit."""
    checkin = np.nan if c.checkin_style is None else c.checkin_style
    return float(factors.style_value(stated_style_fit(seeker, c), checkin, _baseline(c, FIT)))


def _checkin_reason_text(seeker: Seeker, c: Candidate, measured: Checkins, trait: str) -> str:
    same_service = c.checkins_by_service.get(seeker.service) is measured and seeker.service
    who = SERVICE_PEOPLE[seeker.service] if same_service else "Responders"
    who = who[0].upper() + who[1:]
    rating = measured.ratings.get(trait, 0.0)
    plural = "s" if measured.count != 1 else ""
    return (
        f"{who} rate their {TRAIT_WORDS[trait]} {rating:.1f} of 10 "
        f"({measured.count} responder{plural})"
    )


def _style_reasons(seeker: Seeker, c: Candidate, weight: float, style: float) -> list[Reason]:
    """What the style factor earned, in words; never "Works the way you asked" alone when
    responders say the fit is low."""
    reasons = []
    shift = fit_shift(c)
    low = shift < -w.FIT_LOW_MARGIN
    fitting = [dim for dim, fit in style_fits(seeker, c).items() if fit >= 1]
    points = weight * w.ALLIANCE_FACTORS["style"] * style
    if seeker.style and fitting:
        said = [STYLE_WORDS[dim][style_side(seeker.style[dim])] for dim in fitting]
        words = said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]
        if low:
            text = (
                f"Says they work the way you asked ({words}), but responders rate how the "
                "work fits them lower than for most therapists"
            )
            reasons.append(Reason(text=text, points=points, source=CHECKINS))
        else:
            reasons.append(
                Reason(f"Works the way you asked: {words}", points, source=SELF_REPORTED)
            )
    elif low:
        text = "Responders rate how the work fits them lower than for most therapists"
        reasons.append(Reason(text=text, points=0.0, source=CHECKINS))
    if shift > w.FIT_LOW_MARGIN:
        gained = weight * w.ALLIANCE_FACTORS["style"] * w.FIT_MEASURE_WEIGHT * shift
        text = "Responders say the way they work fits them better than for most therapists"
        reasons.append(Reason(text=text, points=gained, source=CHECKINS))
    return reasons


def alliance(seeker: Seeker, c: Candidate, weight: float) -> Component:
    shares = w.trait_shares(seeker.importance)
    measured = checkins_for(c, seeker.service)
    value, reasons = 0.0, []
    for trait in TRAITS:
        trait_score = trait_value(c, trait, seeker.service)
        value += shares[trait] * trait_score
        if measured is not None and trait in measured.values:
            points = weight * shares[trait] * trait_score
            text, source = _checkin_reason_text(seeker, c, measured, trait), CHECKINS
        else:
            # Unmeasured, the trait is the population's: only what the practices add is
            # this therapist's own.
            named = practices_named(c, trait)
            nudge = w.PRACTICE_NUDGE * (float(factors.practices_value(named)) - 0.5)
            points = weight * shares[trait] * nudge
            practices = sorted(p for p in c.practices if PRACTICE_TRAIT.get(p) == trait)
            text = PRACTICE_WORDS[practices[0]] if practices else ""
            source = SELF_REPORTED
        if text and points > 0:
            reasons.append(Reason(text=text, points=points, source=source))
    if measured is None:
        # Said, not scored: where the traits above come from until responders have spoken.
        reasons.append(Reason(text=NOT_ENOUGH_CHECKINS, points=0.0, source=RECORDED))
    style = style_fit(seeker, c)
    value += w.ALLIANCE_FACTORS["style"] * style
    reasons.extend(_style_reasons(seeker, c, weight, style))
    return Component("alliance", COMPONENT_TITLES["alliance"], weight, value, tuple(reasons))
