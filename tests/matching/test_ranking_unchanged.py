"""The ranking of the demo data and of a seeded 5,000-therapist state stays what it was.

tests/data/ranking_golden.json was written by this module (RAPPORT_WRITE_RANKING_GOLDEN=1)
from the code before the scoring and ranking modules were restructured; every later change
that means to change no one's score must leave it true. A change that means to move scores
writes the file again, in the same commit, and says why.

Therapists are named by their sign-in address (database ids differ between runs), and a
responder's whole eligible list is compared score by score; the first page's cards are
compared with their components, reasons and lines.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from devtools.bench import seed_bench_therapists, seed_bench_totals
from matching.ranking.kernels import rank_top
from matching.scoring import Seeker
from matching.selectors.ranking import LoadedStates, current_rules, ranked_page
from profiles.models import TherapistProfile

GOLDEN = Path(__file__).resolve().parent.parent / "data" / "ranking_golden.json"
WRITE = os.environ.get("RAPPORT_WRITE_RANKING_GOLDEN") == "1"
FROZEN_AT = dt.datetime(2026, 6, 15, 14, 30, tzinfo=dt.UTC)
TOLERANCE = 1e-9
# Denver, Colorado Springs and a rural point: in person, telehealth and far offices.
DENVER = (39.7392, -104.9903)
SPRINGS = (38.8339, -104.8214)
RURAL = (40.4850, -106.8317)


def seekers(state: str) -> dict[str, Seeker]:
    """Varied responders: every service, formats, must-haves, styles and priorities."""
    return {
        "plain": Seeker(state=state),
        "firefighter_near": Seeker(
            state=state, service="fire", latitude=DENVER[0], longitude=DENVER[1],
            travel_miles=30, concerns=frozenset({"trauma", "sleep"}),
            hours=frozenset({"evenings"}), payment_methods=frozenset({"eap", "insurance"}),
            insurance_carrier="aetna", methods_wanted=frozenset({"emdr"}),
            methods_avoided=frozenset({"group"}),
            importance={"empathy": 3, "responder_culture": 3}, tie_seed=11,
        ),
        "dispatcher_telehealth": Seeker(
            state=state, service="dispatch", format_preference="telehealth",
            concerns=frozenset({"burnout", "anxiety"}), style={"lead": 4, "pace": 5},
            importance={"collaboration": 3, "adaptability": 0}, tie_seed=12,
        ),
        "police_wary_in_person": Seeker(
            state=state, service="police", latitude=SPRINGS[0], longitude=SPRINGS[1],
            travel_miles=50, format_preference="in_person", avoid_fitness_evaluators=True,
            avoid_preemployment_evaluators=True, therapist_gender="man", gender_required=True,
            concerns=frozenset({"critical_incident", "moral_injury"}), tie_seed=13,
        ),
        "ems_self_pay": Seeker(
            state=state, service="ems", latitude=RURAL[0], longitude=RURAL[1],
            travel_miles=100, payment_methods=frozenset({"self_pay"}),
            self_pay_budget_dollars=120, payment_required=True,
            languages=frozenset({"es"}), style={"tone": 1, "focus": 3, "lead": 1},
            importance={"respect_trust": 3, "empathy": 3, "responder_culture": 0},
            tie_seed=14,
        ),
        "retired_corrections": Seeker(
            state=state, service="corrections", service_status="retired",
            hours=frozenset({"weekday_daytime", "weekends"}), hours_required=True,
            concerns=frozenset({"career", "substance", "relationships"}),
            methods_wanted=frozenset({"cbt", "act"}), methods_avoided=frozenset({"pe"}),
            tie_seed=15,
        ),
        "search_rescue_everything": Seeker(
            state=state, service="search_rescue", latitude=DENVER[0], longitude=DENVER[1],
            travel_miles=200, concerns=frozenset({"grief", "injury_pain"}),
            payment_methods=frozenset({"insurance", "workers_comp"}),
            insurance_carrier="blue_cross", languages=frozenset({"en"}),
            language_required=True, style={"lead": 3, "focus": 1, "pace": 2, "tone": 4},
            importance={"respect_trust": 1, "collaboration": 2, "empathy": 1,
                        "adaptability": 3, "responder_culture": 2},
            tie_seed=16,
        ),
        "other_service": Seeker(
            state=state, service="other", therapist_gender="woman",
            concerns=frozenset({"depression"}), tie_seed=17,
        ),
    }  # fmt: skip


def _emails() -> dict[int, str]:
    return dict(TherapistProfile.objects.values_list("id", "user__email"))


def _component(component) -> dict:
    return {
        "key": component.key,
        "weight": component.weight,
        "value": component.value,
        "reasons": [[r.text, r.points, r.source] for r in component.reasons],
    }


def rankings(state: str) -> dict:
    """Every responder's eligible list (address -> score) and first page, as plain data."""
    emails = _emails()
    states = LoadedStates()
    index, _ = states.current(state)
    rules = current_rules()
    result = {}
    for name, seeker in seekers(state).items():
        ids, totals, eligible = rank_top(index, seeker, rules, count=len(index) or 1)
        page = ranked_page(seeker=seeker, states=states)
        result[name] = {
            "eligible": eligible,
            "scores": {emails[t]: s for t, s in zip(ids.tolist(), totals.tolist(), strict=True)},
            "page": [
                {
                    "therapist": emails[card.facts.therapist_id],
                    "total": card.score.total,
                    "alliance_source": card.score.alliance_source,
                    "components": [_component(c) for c in card.score.components],
                    "lines": [card.lines.where, card.lines.cost, *card.lines.mismatches],
                }
                for card in page.cards
            ],
        }
    return result


def _assert_close(got, want, where: str) -> None:
    if isinstance(want, dict):
        assert sorted(got) == sorted(want), where
        for key in want:
            _assert_close(got[key], want[key], f"{where}.{key}")
    elif isinstance(want, list):
        assert len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _assert_close(g, w, f"{where}[{i}]")
    elif isinstance(want, float):
        assert abs(got - want) <= TOLERANCE, f"{where}: {got} != {want}"
    else:
        assert got == want, f"{where}: {got!r} != {want!r}"


def _pages_by_score(data: dict) -> dict:
    """First pages ordered by (score, address): exact ties shuffle by database id."""
    for entry in data.values():
        if "page" in entry:
            entry["page"].sort(key=lambda card: (-round(card["total"], 9), card["therapist"]))
        else:
            _pages_by_score(entry)
    return data


# Internal names changed since the file was written, for the same meaning: a reason from
# Rapport's own records was "measured", and is now "recorded".
RENAMED = {"measured": "recorded"}


def _renamed(data):
    if isinstance(data, dict):
        return {key: _renamed(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_renamed(value) for value in data]
    return RENAMED.get(data, data) if isinstance(data, str) else data


def _check(name: str, got: dict) -> None:
    got = json.loads(json.dumps(got))  # the same types as the stored file
    stored = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}
    if WRITE:
        stored[name] = got
        GOLDEN.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n")
        return
    assert name in stored, f"{GOLDEN} has no {name!r}: write it with the code it describes"
    _assert_close(_pages_by_score(got), _pages_by_score(_renamed(stored[name])), name)


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_datas_ranking_is_unchanged(settings) -> None:
    settings.DEBUG = True  # seed_demo is for development
    with time_machine.travel(FROZEN_AT, tick=False):
        call_command("seed_demo", verbosity=0)
        _check("demo", {state: rankings(state) for state in ("CO", "TX", "NY")})


@pytest.mark.slow
@pytest.mark.django_db
def test_a_seeded_5000_therapist_states_ranking_is_unchanged() -> None:
    with time_machine.travel(FROZEN_AT, tick=False):
        seed_bench_therapists(count=5_000, large_state="CO", large_state_listed_share=1.0)
        seed_bench_totals()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # fresh statistics, as autovacuum would give
                cursor.execute("ANALYZE")
        _check("bench_5000", rankings("CO"))
