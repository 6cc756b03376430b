"""What a card says of a therapist for one responder besides the score: where they meet,
what it costs, whether they have room, and one line for each way they do not fit what the
responder said."""

from __future__ import annotations

from dataclasses import dataclass

from matching.scoring import factors
from matching.scoring.alliance import style_fits
from matching.scoring.eligibility import can_pay, in_person_reachable, office_distance
from matching.scoring.types import Candidate, Rules, Seeker
from matching.scoring.words import (
    CARRIER_WORDS,
    HOURS_WORDS,
    LANGUAGE_WORDS,
    PAYMENT_WORDS,
    STYLE_NAMES,
    listed,
    room_words,
)


@dataclass(frozen=True)
class CardLines:
    """What a card says of a therapist for this responder: where, cost, room, and what does
    not fit."""

    where: str
    cost: str
    mismatches: tuple[str, ...]
    # "Has room for new clients", "Few openings" (or, on a profile, "Not taking requests
    # right now"): never a number.
    room: str = ""


def _money(dollars: int) -> str:
    return f"${dollars:,d}"


def where_words(seeker: Seeker, c: Candidate) -> str:
    """Where and how they meet, for this responder."""
    telehealth = c.offers_telehealth_here
    if not c.offers_in_person:
        return "Telehealth only" if telehealth else "No way of meeting in your state"
    place = f"Office in {c.office_city}" if c.office_city else "Office"
    distance = office_distance(seeker, c)
    if distance is not None:
        place += f", {distance:.0f} miles away"
    return place + (" · telehealth too" if telehealth else " · in person only")


def cost_words(c: Candidate) -> str:
    """The fee range, as the therapist gave it."""
    low, high = c.fee_min_dollars, c.fee_max_dollars
    if low is None and high is None:
        fee = "Fee not listed"
    elif low is None or high is None or low == high:
        fee = f"{_money(low if low is not None else high)} a session"
    else:
        fee = f"{_money(low)} to {_money(high)} a session"
    return fee + (", sliding scale" if c.sliding_scale else "")


def _unpaid_ways(seeker: Seeker, c: Candidate) -> list[str]:
    ways = []
    for method in sorted(seeker.payment_methods):
        if method == "insurance":
            carrier = seeker.insurance_carrier
            if "insurance" not in c.payment_methods:
                ways.append("insurance")
            elif carrier and carrier not in c.insurance_carriers:
                ways.append(f"{CARRIER_WORDS[carrier]} insurance")
        elif method == "self_pay":
            budget, fee = seeker.self_pay_budget_dollars, c.fee_min_dollars
            if "self_pay" not in c.payment_methods:
                ways.append("self-pay")
            elif budget is not None and fee is not None and fee > budget:
                ways.append(f"self-pay within your {_money(budget)} budget")
        elif method not in c.payment_methods:
            ways.append(PAYMENT_WORDS[method])
    return ways


def mismatches(seeker: Seeker, c: Candidate) -> tuple[str, ...]:
    """Each way this therapist does not fit what the responder said, one line each."""
    lines = []
    if seeker.payment_methods and not can_pay(seeker, c):
        lines.append("Does not take " + " or ".join(_unpaid_ways(seeker, c) or ["your way to pay"]))
    if seeker.hours and not (seeker.hours & c.hours):
        text = f"Does not offer {listed(seeker.hours, HOURS_WORDS).replace(' and ', ' or ')}"
        text += " sessions" + (
            " (but reschedules around shifts)" if c.reschedules_around_shifts else ""
        )
        lines.append(text)
    distance = office_distance(seeker, c)
    office_only = c.offers_in_person and not c.offers_telehealth_here
    if seeker.format_preference == "in_person" and not in_person_reachable(seeker, c):
        lines.append("No office within your travel distance")
    elif seeker.format_preference == "telehealth" and not c.offers_telehealth_here:
        lines.append("No telehealth in your state")
    elif office_only and distance is not None and distance > seeker.travel_miles:
        lines.append(f"Office farther than your {seeker.travel_miles} miles")
    if seeker.languages and not (seeker.languages & c.languages):
        spoken = listed(seeker.languages, LANGUAGE_WORDS).replace(" and ", " or ")
        lines.append(f"Does not speak {spoken}")
    if seeker.therapist_gender and c.gender != seeker.therapist_gender:
        lines.append("Not the therapist gender you asked for")
    differs = [STYLE_NAMES[dim] for dim, fit in style_fits(seeker, c).items() if fit < 1]
    if differs:
        names = differs[0] if len(differs) == 1 else ", ".join(differs[:-1]) + " and " + differs[-1]
        lines.append(f"Works differently from what you asked about {names}")
    return tuple(lines)


def room_line(*, pending_requests: int, open_slots: int, per_opening: int) -> str:
    """Whether a therapist has room, in words, with the rules the list's order and requests
    use (factors.has_room, factors.takes_requests)."""
    load = factors.request_load(pending_requests, open_slots, per_opening)
    return room_words(
        has_room=bool(factors.has_room(load)), takes_requests=bool(factors.takes_requests(load))
    )


def capacity_words(c: Candidate, rules: Rules) -> str:
    return room_line(
        pending_requests=c.pending_requests,
        open_slots=c.open_slots,
        per_opening=rules.pending_requests_per_opening,
    )


def card_lines(seeker: Seeker, c: Candidate, rules: Rules) -> CardLines:
    return CardLines(
        where=where_words(seeker, c),
        cost=cost_words(c),
        mismatches=mismatches(seeker, c),
        room=capacity_words(c, rules),
    )
