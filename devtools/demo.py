"""Clearly fictional demo therapists and responders, generated from a fixed seed.

The same generator feeds `manage.py seed_demo` (a few hundred, saved one by one with their
documents) and the ranking benchmark (tens of thousands, bulk-inserted).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import zipcodes

from alliance.choices import STYLE_DIMENSIONS, Practice
from alliance.models import WELLBEING_FIELDS
from matching.intake import Intake
from profiles import choices

FIRST_NAMES = [
    "Avery",
    "Blake",
    "Casey",
    "Dana",
    "Eli",
    "Frankie",
    "Gray",
    "Harper",
    "Indy",
    "Jesse",
    "Kai",
    "Lane",
    "Morgan",
    "Noel",
    "Oakley",
    "Parker",
    "Quinn",
    "Reese",
    "Sage",
    "Taylor",
    "Umi",
    "Val",
    "Wren",
    "Xan",
    "Yael",
    "Zion",
    "Robin",
    "Shawn",
    "Toni",
    "Marlo",
]
LAST_NAMES = [
    "Alder",
    "Birch",
    "Cedar",
    "Dale",
    "Elm",
    "Fern",
    "Glen",
    "Heath",
    "Ivy",
    "Juniper",
    "Knoll",
    "Laurel",
    "Moss",
    "Night",
    "Oak",
    "Pine",
    "Quarry",
    "Ridge",
    "Stone",
    "Thorn",
    "Upland",
    "Vale",
    "Willow",
    "Yarrow",
    "Brook",
    "Cliff",
    "Forde",
    "Hollis",
    "Marsh",
    "Rowan",
]
CREDENTIALS = {
    choices.LicenseType.LCSW: "LCSW",
    choices.LicenseType.LMFT: "LMFT",
    choices.LicenseType.LPC: "LPC",
    choices.LicenseType.PSYCHOLOGIST: "PsyD",
    choices.LicenseType.PSYCHIATRIST: "MD",
    choices.LicenseType.PMHNP: "PMHNP-BC",
}
# A minimal, well-formed one-page PDF standing in for a license document.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
BIO_OPENINGS = (
    "I spent years answering calls alongside crews before I became a therapist.",
    "Most of the people I see wear a badge, carry a radio or work a headset.",
    "I work with responders who are tired of being told to just talk about it.",
    "My practice is built around shift work, hard calls and what they leave behind.",
    "I came to this work through my family: two generations of firefighters.",
)
BIO_CLOSINGS = (
    "We go at your pace, and you decide what we talk about.",
    "Sessions are practical: sleep, stress, and the calls that stay with you.",
    "I will never contact your department without your written consent.",
    "Evenings and early mornings are available for people coming off shift.",
)
TRAININGS = (
    (
        choices.TrainingKind.CERTIFICATION,
        "First Responder Counselor Certificate",
        "Responder Wellness Institute (fictional)",
    ),
    (
        choices.TrainingKind.CULTURAL_COURSE,
        "Fire Service Culture for Clinicians",
        "Example Fire Academy (fictional)",
    ),
    (
        choices.TrainingKind.CULTURAL_COURSE,
        "Law Enforcement Culture and Trauma",
        "Example Police Foundation (fictional)",
    ),
    (
        choices.TrainingKind.CRITICAL_INCIDENT,
        "Critical Incident Stress Management",
        "Example CISM Network (fictional)",
    ),
    (
        choices.TrainingKind.RIDE_ALONG,
        "Ride-along and station hours",
        "Example County EMS (fictional)",
    ),
)
STATEMENTS = {
    "respect_trust": (
        "On day one I explain exactly what stays in this room and the few limits of that.",
        "You will never be a case to me. Nothing goes to your department without your consent.",
    ),
    "collaboration": (
        "We write your goals together and look at them again every few weeks.",
        "You are the expert on your job; I bring the tools. We decide the plan together.",
    ),
    "empathy": (
        "I have sat in the station kitchen at 3 a.m. I will not flinch at what you tell me.",
        "I know the dark humor is how crews cope, and I will not judge it.",
    ),
    "adaptability": (
        "If an approach is not helping, I want to hear it, and we change course.",
        "Rotating shifts and mandatory overtime happen. We reschedule without penalty.",
    ),
}


@dataclass(frozen=True)
class DemoTherapist:
    number: int
    email: str
    profile: dict[str, Any]
    licenses: tuple[dict[str, Any], ...]
    trainings: tuple[dict[str, Any], ...]
    alliance: dict[str, Any]


@lru_cache(maxsize=64)
def zip_codes_of(state: str) -> tuple[tuple[str, str, float, float], ...]:
    """Standard ZIP codes of a state with coordinates, from the bundled data."""
    rows = []
    for row in zipcodes.filter_by(state=state, zip_code_type="STANDARD", active=True):
        try:
            rows.append((row["zip_code"], row["city"], float(row["lat"]), float(row["long"])))
        except (TypeError, ValueError):
            continue
    return tuple(rows)


def _subset(rng: random.Random, values: list[str], low: int, high: int) -> frozenset[str]:
    return frozenset(rng.sample(values, rng.randint(low, min(high, len(values)))))


def demo_style(rng: random.Random) -> dict[str, int]:
    """Where a fictional therapist usually works on each style scale, and how far they adapt.

    Some are structured and directive, some follow the client's lead; most adapt a point or
    two either way, and a few keep to one way of working.
    """
    leaning = rng.choice([1, 2, 3, 4, 5])
    style = {}
    for dim in STYLE_DIMENSIONS:
        usual = min(5, max(1, leaning + rng.choice([-1, 0, 0, 1])))
        if dim == "pace":  # directive therapists are not always fast
            usual = rng.randint(1, 5)
        reach = rng.choice([0, 1, 1, 2, 2, 3])
        style[f"style_{dim}_usual"] = usual
        style[f"style_{dim}_low"] = max(1, usual - rng.randint(0, reach))
        style[f"style_{dim}_high"] = min(5, usual + rng.randint(0, reach))
    return style


def demo_therapist(
    number: int, state: str, *, today: dt.date, seed: int = 20261127
) -> DemoTherapist:
    """One fictional therapist, the same every time for the same number and state."""
    rng = random.Random(seed * 1_000_003 + number)  # noqa: S311 (demo data, not secrets)
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    license_type = rng.choice(list(CREDENTIALS))
    zip_code, city, latitude, longitude = rng.choice(zip_codes_of(state))
    formats = rng.choice(
        [{"in_person"}, {"telehealth"}, {"in_person", "telehealth"}, {"in_person", "telehealth"}]
    )
    methods = _subset(rng, choices.Method.values, 1, 4)
    certified = frozenset(m for m in sorted(methods) if rng.random() < 0.35)
    payments = _subset(rng, choices.Payment.values, 1, 3)
    fee_low = rng.choice([80, 90, 100, 120, 140])
    profile = {
        "full_name": f"{first} {last}",
        "credentials": CREDENTIALS[license_type],
        "pronouns": rng.choice(["", "she/her", "he/him", "they/them"]),
        "bio": f"Fictional demo profile. {rng.choice(BIO_OPENINGS)} {rng.choice(BIO_CLOSINGS)}",
        "years_serving_responders": rng.choice([0, 1, 2, 3, 5, 7, 10, 12, 15, 20, 25]),
        "responder_caseload_percent": rng.choice([0, 5, 10, 20, 30, 50, 70, 90]),
        "services_served": _subset(rng, choices.Service.values[:6], 0, 4),
        "agency_work": _subset(rng, choices.AgencyWork.values, 0, 2),
        "ride_along_hours": rng.choice([0, 0, 0, 8, 20, 40, 100]),
        "lived_experience": _subset(rng, choices.LivedExperience.values, 0, 1),
        "works_with_retired": rng.random() < 0.3,
        "agency_evaluations": _subset(rng, choices.AgencyEvaluation.values[:2], 1, 2)
        if rng.random() < 0.12
        else frozenset(),
        "focus_concerns": _subset(rng, choices.Concern.values, 2, 7),
        "methods_trained": methods,
        "methods_certified": certified,
        "formats": frozenset(formats),
        "office_zip": zip_code if "in_person" in formats else "",
        "office_city": city if "in_person" in formats else "",
        "office_state": state if "in_person" in formats else "",
        "office_latitude": latitude if "in_person" in formats else None,
        "office_longitude": longitude if "in_person" in formats else None,
        "telehealth_states": frozenset({state}) if "telehealth" in formats else frozenset(),
        "languages": frozenset({"en"}) | (_subset(rng, choices.Language.values[1:6], 0, 1)),
        "gender": rng.choice(["woman", "woman", "man", "man", "nonbinary", "undisclosed"]),
        "hours": _subset(rng, choices.Hours.values, 1, 4),
        "reschedules_around_shifts": rng.random() < 0.5,
        "payment_methods": payments,
        "insurance_carriers": _subset(rng, choices.InsuranceCarrier.values, 1, 4)
        if "insurance" in payments
        else frozenset(),
        "fee_min_dollars": fee_low,
        "fee_max_dollars": fee_low + rng.choice([0, 20, 40, 60]),
        "sliding_scale": rng.random() < 0.3,
        "accepting_new_clients": rng.random() < 0.85,
        "open_slots": rng.randint(1, 6),
        "confirmed_days_ago": rng.randint(0, 40),
    }
    # Most licenses are verified; some wait for review or were rejected, for the vetting queue.
    status = rng.choices(["verified", "pending", "rejected"], weights=[88, 9, 3])[0]
    licenses = (
        {
            "state": state,
            "license_type": license_type,
            "number": f"DEMO-{state}-{number:05d}",
            "expires_on": today + dt.timedelta(days=rng.randint(60, 900)),
            "status": status,
        },
    )
    trainings = tuple(
        {
            "kind": kind,
            "name": name,
            "issuer": issuer,
            "completed_on": today - dt.timedelta(days=rng.randint(90, 3000)),
            "status": rng.choices(["verified", "pending"], weights=[75, 25])[0],
        }
        for kind, name, issuer in rng.sample(TRAININGS, rng.choice([0, 0, 1, 1, 2]))
    )
    alliance = {trait: rng.choice(texts) for trait, texts in STATEMENTS.items()}
    alliance["practices"] = _subset(rng, Practice.values, 1, 6)
    alliance.update(demo_style(rng))
    return DemoTherapist(
        number=number,
        email=f"therapist{number:05d}@demo.rapport.localhost",
        profile=profile,
        licenses=licenses,
        trainings=trainings,
        alliance=alliance,
    )


# Check-ins: each demo therapist has a hidden "alliance quality"; ratings crowd near the top
# of the scale, as real ones do, and weaker therapists get more low answers.
DEMO_CHECKIN_ITEMS = ("respect_trust", "collaboration", "empathy", "adaptability", "fit")


@dataclass(frozen=True)
class DemoCheckins:
    """One demo responder's check-ins with one therapist: the ratings of each, in order."""

    responder: int  # index into the demo check-in responders
    answers: tuple[dict[str, int], ...]
    shared: tuple[bool, ...]
    still_seeing: bool
    # The optional wellbeing questions of each check-in, or None where they were skipped.
    wellbeing: tuple[dict[str, int] | None, ...]


def demo_checkins(
    number: int, responders: int, *, seed: int = 20261127, services: int = 1
) -> list[DemoCheckins]:
    """The check-ins of demo therapist `number`, the same every time; many have none.

    Responder n serves in service n % `services`. Some therapists see mostly responders of
    one service (a department's assistance program), so that batches can release a figure
    for that service (alliance.batches.service_cells).
    """
    rng = random.Random(seed * 7_000_001 + number)  # noqa: S311 (demo data, not secrets)
    featured = number == 1  # the demo therapist who signs in: always enough to show
    if not featured and rng.random() < 0.35:
        return []
    quality = rng.gauss(0.0, 1.0)
    trait_bias = {item: rng.gauss(0.0, 0.4) for item in DEMO_CHECKIN_ITEMS}
    count = 12 if featured else rng.choice([2, 4, 6, 8, 10, 14, 20])
    pool = list(range(responders))
    if services > 1 and rng.random() < 0.4:
        focus = rng.randrange(services)
        pool = [n for n in pool if n % services == focus]
    chosen = rng.sample(pool, min(len(pool), count))
    # Wellbeing from a stream of its own, so adding it left every rating above unchanged.
    wellbeing_rng = random.Random(seed * 7_000_003 + number)  # noqa: S311 (demo data)
    result = []
    for responder in chosen:
        personal = rng.gauss(0.0, 0.6)  # some responders rate everyone higher
        trend = rng.gauss(0.1 * quality, 0.3)  # alliances grow, or fade, over time
        answers = []
        for step in range(rng.choice([1, 1, 2, 2, 3, 4])):
            level = 8.3 + 0.9 * quality + personal + trend * step
            answers.append(
                {
                    item: max(0, min(10, round(rng.gauss(level + trait_bias[item], 1.0))))
                    for item in DEMO_CHECKIN_ITEMS
                }
            )
        result.append(
            DemoCheckins(
                responder=responder,
                answers=tuple(answers),
                shared=tuple(rng.random() < 0.3 for _ in answers),
                still_seeing=rng.random() < 0.8,
                wellbeing=_demo_wellbeing(wellbeing_rng, answers),
            )
        )
    return result


def _demo_wellbeing(
    rng: random.Random, answers: list[dict[str, int]]
) -> tuple[dict[str, int] | None, ...]:
    """Fictional answers to the optional wellbeing questions, one per check-in.

    A responder starts mid-scale (sleep lowest) and mostly gets better over the check-ins,
    a little faster where the first check-in's alliance was higher: made up so that the
    staff report's wellbeing figure has something to show, not a finding. About one
    check-in in five skips the questions.
    """
    first = sum(answers[0][item] for item in DEMO_CHECKIN_ITEMS[:4]) / 4
    start = rng.gauss(5.5, 1.4)
    step = rng.gauss(0.5 + 0.25 * (first - 8.3), 0.6)
    offsets = {"wellbeing_overall": 0.0, "wellbeing_work": 0.3, "wellbeing_home": 0.4}
    result: list[dict[str, int] | None] = []
    for index in range(len(answers)):
        if rng.random() < 0.2:
            result.append(None)
            continue
        level = start + step * index
        result.append(
            {
                item: max(0, min(10, round(rng.gauss(level + offsets.get(item, -1.0), 0.9))))
                for item in WELLBEING_FIELDS
            }
        )
    return tuple(result)


# Responders' services (shares), roughly the sizes of the services in the US: police
# largest, then fire and EMS, then dispatch and corrections.
SERVICE_MIX = {
    "police": 0.35,
    "fire": 0.25,
    "ems": 0.2,
    "dispatch": 0.1,
    "corrections": 0.1,
}


def responder_intake(rng: random.Random, state: str) -> Intake:
    """Varied, fictional answers of one responder in the state (the simulated world's and
    the openings measurement's responders)."""
    zip_code = rng.choice(zip_codes_of(state))[0]
    style = {
        f"style_{dim}": rng.randint(1, 5)
        for dim in rng.sample(["lead", "focus", "pace", "tone"], rng.choice([0, 0, 1, 2]))
    }
    return Intake(
        service=rng.choices(list(SERVICE_MIX), weights=list(SERVICE_MIX.values()))[0],
        service_status=rng.choices(["active", "retired"], weights=[9, 1])[0],
        state=state,
        zip_code=zip_code,
        travel_miles=rng.choice([10, 25, 50, 100]),
        format_preference=rng.choice(["either", "either", "telehealth", "in_person"]),
        concerns=frozenset(rng.sample(choices.Concern.values[:-1], rng.randint(1, 3))),
        hours=frozenset(rng.sample(choices.Hours.values, rng.choice([0, 1, 2]))),
        payment_methods=frozenset(rng.sample(choices.Payment.values, rng.choice([0, 1]))),
        **style,
    )
