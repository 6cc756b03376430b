"""Check-ins in the ranking: measured traits replace the therapist's own words, in both paths."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliance import aggregation
from matching.intake import Intake
from matching.ranking.reference import build_index, rank_index
from matching.scoring import Candidate, Checkins, Seeker, factors, score, weights, words
from matching.scoring.reference import rank
from matching.selectors.ranking import match_for_therapist, ranked_page
from matching.templatetags.result_cards import why_panel
from profiles import vocabulary
from tests.factories import ResponderFactory, TherapistFactory, answered_checkins, listed_therapist
from tests.matching.strategies import RULES
from tests.matching.test_scoring import _top_level_imports

DISPATCHER = Seeker(state="CO", service="dispatch", format_preference="telehealth")


def twin(therapist_id: int, **overrides) -> Candidate:
    base = Candidate(
        therapist_id=therapist_id,
        licensed_until_ordinal=RULES.today_ordinal + 100,
        confirmed_epoch=RULES.now_epoch,
        offers_telehealth_here=True,
        practices=frozenset({"goals_together", "asks_feedback"}),
    )
    return dataclasses.replace(base, **overrides)


def measured(rating: float, weak: float = 0.0, count: int = 23) -> Checkins:
    value = aggregation.trait_value(rating, weak)
    return Checkins(
        values=dict.fromkeys(vocabulary.TRAITS, value),
        ratings=dict.fromkeys(vocabulary.TRAITS, rating),
        count=count,
    )


def equal_totals(seeker: Seeker, pool: list[Candidate]) -> bool:
    """Whether every candidate scores the same in both paths (an exact tie)."""
    reference = {s.total for s in rank(seeker, pool, RULES)}
    _, fast = rank_index(build_index(pool), seeker, RULES)
    return len(reference) == 1 and len(set(fast.tolist())) == 1


def both_orders(seeker: Seeker, pool: list[Candidate]) -> tuple[list[int], list[int]]:
    reference = [s.therapist_id for s in rank(seeker, pool, RULES)]
    fast, _ = rank_index(build_index(pool), seeker, RULES)
    return reference, fast.tolist()


def test_the_aggregation_module_imports_nothing_from_django() -> None:
    imported = _top_level_imports(Path(aggregation.__file__))
    assert imported == {"__future__", "collections", "collections.abc", "dataclasses", "numpy"}


def test_strong_check_ins_move_a_therapist_above_an_otherwise_equal_one_in_both_paths() -> None:
    # Without check-ins the two tie exactly; strong check-ins put therapist 2 first.
    pool = [twin(1), twin(2, checkins=measured(9.4, weak=0.02))]
    assert both_orders(DISPATCHER, pool) == ([2, 1], [2, 1])
    assert equal_totals(DISPATCHER, [twin(1), twin(2)])


def test_weak_check_ins_move_a_therapist_below_an_otherwise_equal_one_in_both_paths() -> None:
    pool = [twin(1, checkins=measured(6.0, weak=0.3)), twin(2)]
    assert both_orders(DISPATCHER, pool) == ([2, 1], [2, 1])


def test_check_ins_from_the_responders_own_service_are_preferred_in_both_paths() -> None:
    # Both are rated alike by all responders; dispatchers rate therapist 2 higher.
    everyone = measured(8.0, weak=0.1)
    pool = [
        twin(1, checkins=everyone),
        twin(2, checkins=everyone, checkins_by_service={"dispatch": measured(9.5, count=8)}),
    ]
    assert both_orders(DISPATCHER, pool) == ([2, 1], [2, 1])
    firefighter = dataclasses.replace(DISPATCHER, service="fire")
    assert equal_totals(firefighter, pool)


def test_a_measured_trait_says_where_it_comes_from_and_how_many_stand_behind_it() -> None:
    result = score(DISPATCHER, twin(1, checkins=measured(8.6)), RULES)
    alliance = next(c for c in result.components if c.key == "alliance")
    texts = {(r.text, r.source_label) for r in alliance.reasons}
    assert ("Responders rate their empathy 8.6 of 10 (23 responders)", "Measured") in texts
    assert result.alliance_source == "Rated by 23 responders in check-ins after a match"


def test_the_same_service_says_who_rated_them() -> None:
    candidate = twin(
        1, checkins=measured(8.0), checkins_by_service={"dispatch": measured(9.1, count=7)}
    )
    alliance = score(DISPATCHER, candidate, RULES).components[1]
    assert "911 dispatchers rate their collaboration 9.1 of 10 (7 responders)" in {
        r.text for r in alliance.reasons
    }


def test_without_enough_check_ins_the_traits_are_the_populations_and_marked_unmeasured() -> None:
    # Two practices for every trait: what they add is the only self-reported part.
    described = twin(1, practices=frozenset(vocabulary.PRACTICE_TRAIT))
    result = score(DISPATCHER, described, RULES)
    alliance = result.components[1]
    assert {r.source_label for r in alliance.reasons if r.points > 0} == {"Self-reported"}
    assert result.alliance_source == words.NOT_ENOUGH_CHECKINS
    assert words.NOT_ENOUGH_CHECKINS in {r.text for r in alliance.reasons}
    assert words.NOT_ENOUGH_CHECKINS in why_panel(result, "A. Fictional")
    assert not any(r.text == words.NOT_ENOUGH_CHECKINS for r in result.top_reasons)
    # Practices move an unmeasured trait by at most half PRACTICE_NUDGE either way.
    bare = score(DISPATCHER, twin(1, practices=frozenset()), RULES).components[1]
    assert alliance.value - bare.value == pytest.approx(
        weights.ALLIANCE_FACTORS["traits"] * weights.PRACTICE_NUDGE
    )


# The same, end to end from the database.


@pytest.mark.django_db
def test_answered_check_ins_reorder_the_ranked_list_from_the_minimum_count() -> None:
    confirmed = timezone.now()
    first = listed_therapist(full_name="Avery Fictional", confirmed_at=confirmed)
    second = listed_therapist(full_name="Blake Fictional", confirmed_at=confirmed)
    assert first.pk < second.pk
    # A responder whose shuffle of exact ties puts the first therapist first.
    seed = next(
        seed
        for seed in range(64)
        if factors.tie_order(seed, first.pk) < factors.tie_order(seed, second.pk)
    )
    seeker = Seeker(state="CO", service="fire", format_preference="telehealth", tie_seed=seed)
    # Other therapists (in another state) measured at 6: the population responders expect.
    for _ in range(3):
        answered_checkins(TherapistFactory(), 6, responders=5)
    order = [c.facts.therapist_id for c in ranked_page(seeker=seeker).cards]
    assert order == [first.pk, second.pk]
    before = match_for_therapist(seeker=seeker, therapist_id=second.pk)[0].components[1]
    # Four strong check-ins from four responders: below the minimum, nothing changes.
    answered_checkins(second, 10, responders=4)
    assert match_for_therapist(seeker=seeker, therapist_id=second.pk)[0].components[1] == before
    order = [c.facts.therapist_id for c in ranked_page(seeker=seeker).cards]
    assert order == [first.pk, second.pk]
    # The fifth, from a fifth responder, reaches the minimum.
    answered_checkins(second, 10, responders=1)
    order = [c.facts.therapist_id for c in ranked_page(seeker=seeker).cards]
    assert order == [second.pk, first.pk]
    reasons = {
        r.text
        for r in match_for_therapist(seeker=seeker, therapist_id=second.pk)[0].components[1].reasons
    }
    assert any("(5 responders)" in text for text in reasons)


@pytest.mark.django_db
def test_a_therapist_below_the_minimum_shows_new_on_the_card() -> None:
    listed_therapist(full_name="Casey Fictional")
    responder = ResponderFactory(answers=Intake(state="CO").to_dict())
    client = Client()
    client.force_login(responder.user)
    page = client.get(reverse("matching:results"))
    assert page.text.count(words.NOT_ENOUGH_CHECKINS) == 1


@pytest.mark.django_db
def test_the_rematch_list_leaves_the_named_therapist_out() -> None:
    kept = listed_therapist(full_name="Dana Fictional")
    left_out = listed_therapist(full_name="Emery Fictional")
    responder = ResponderFactory(answers=Intake(state="CO").to_dict())
    client = Client()
    client.force_login(responder.user)
    everyone = client.get(reverse("matching:results")).text
    assert "Emery Fictional" in everyone and "Dana Fictional" in everyone
    page = client.get(reverse("matching:results"), {"without": str(left_out.public_id)}).text
    assert "Dana Fictional" in page
    assert 'Ask for an introduction<span class="visually-hidden"> to Emery' not in page
    assert "leaving out Emery Fictional" in page
    assert kept.full_name in page


@pytest.mark.django_db
def test_low_way_we_work_check_ins_make_a_stated_style_count_for_less() -> None:
    """Both claim to work the way the responder asked; responders say one of them does not."""
    from alliance.models import AllianceApproach

    confirmed = timezone.now()
    claims = listed_therapist(full_name="Claims Fictional", confirmed_at=confirmed)
    doubted = listed_therapist(full_name="Doubted Fictional", confirmed_at=confirmed)
    style = {
        f"style_{d}_{p}": 3 for d in vocabulary.STYLE_DIMENSIONS for p in ("usual", "low", "high")
    }
    AllianceApproach.objects.filter(therapist__in=[claims, doubted]).update(**style)
    answered_checkins(claims, {"fit": 9}, responders=5)
    answered_checkins(doubted, {"fit": 2}, responders=5)
    seeker = Seeker(state="CO", format_preference="telehealth", style={"pace": 3})
    order = [c.facts.therapist_id for c in ranked_page(seeker=seeker).cards]
    assert order == [claims.pk, doubted.pk]
    stated = match_for_therapist(seeker=seeker, therapist_id=doubted.pk)[0]
    assert stated.total < match_for_therapist(seeker=seeker, therapist_id=claims.pk)[0].total
    # The card does not say "Works the way you asked" alone: it says what responders say.
    texts = {r.text for r in stated.components[1].reasons}
    assert not any(t.startswith("Works the way you asked") for t in texts)
    assert any("responders rate how the work fits them lower" in t for t in texts)
    # The fit counts without a style wish too: what responders say of it works both ways.
    no_style = Seeker(state="CO", format_preference="telehealth")
    a = match_for_therapist(seeker=no_style, therapist_id=claims.pk)[0].total
    b = match_for_therapist(seeker=no_style, therapist_id=doubted.pk)[0].total
    assert a > b
