"""An adversary against the released check-in figures: no unshared answer can be isolated.

A seeded, randomised history of check-ins for a few therapists (answers, shares, responders
with one and with two plans, service changes between plans, skips and stops, account
deletions) is driven through the real services. After every event the test captures what a
therapist and a visitor can see: every released figure (the ReleasedTotals rows that the
cards of every service and the ranking read, and the measures made from them), and the
therapist's dashboard (alliance.selectors.therapist_alliance_view).

The adversary knows more than anyone should: which check-ins stand behind each figure, and
every shared answer. It forms every figure, every difference of two figures (of one view
or of any two views over time), and in each view overall minus the services shown, and
removes what was shared. A combination whose remaining check-ins come from fewer than
ALLIANCE_MIN_RESPONDERS people (but at least one) gives those people's answers: a leak.

The old attacks are kept as named cases. `old_figures` is the former rule (one key per
responder id, or minus the plan id once deleted; every answered check-in, shared or not,
cut from scratch on every look; each service cut on its own). Each attack recovers an answer
from the old figures, and recovers nothing from what the services store now.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from alliance.aggregation import ITEMS, WEAK_AT_MOST
from alliance.models import CheckIn, CheckInPlan, CheckInRelease, ReleasedTotals
from alliance.selectors import (
    MEAN_BANDS,
    alliance_measures,
    mean_band,
    therapist_alliance_view,
)
from alliance.services.checkins import (
    checkin_answer,
    checkin_skip,
    checkins_schedule,
    checkins_stop,
)
from matching.services.accounts import responder_account_delete
from tests.factories import ResponderFactory, listed_therapist

pytestmark = pytest.mark.django_db

SEED = 20_261_207
EVENTS = 110
SERVICES = ("police", "fire", "ems", "")
Figures = dict[str, frozenset[int]]  # figure name -> the check-ins behind it


@dataclass
class Ledger:
    """What the test knows for certain: who gave each answered check-in, which were shared."""

    person_of: dict[int, int] = field(default_factory=dict)  # check-in -> person
    therapist_of: dict[int, int] = field(default_factory=dict)
    plan_of: dict[int, int] = field(default_factory=dict)
    service_of: dict[int, str] = field(default_factory=dict)
    order: list[int] = field(default_factory=list)  # check-ins in the order answered
    shared: set[int] = field(default_factory=set)  # seen one by one by the therapist
    deleted: set[int] = field(default_factory=set)  # persons who deleted their account

    def record(self, checkin: CheckIn, person: int) -> None:
        self.person_of[checkin.pk] = person
        self.therapist_of[checkin.pk] = checkin.plan.therapist_id
        self.plan_of[checkin.pk] = checkin.plan_id
        self.service_of[checkin.pk] = checkin.plan.service
        self.order.append(checkin.pk)
        if checkin.shared:
            self.shared.add(checkin.pk)


# The adversary.


def _persons(checkins: Iterable[int], ledger: Ledger) -> set[int]:
    return {ledger.person_of[pk] for pk in checkins}


def _combinations(views: list[Figures]) -> Iterator[tuple[str, frozenset[int]]]:
    """Every figure, every difference of two figures, and overall minus the services shown
    in a view (and the differences of those): as the check-ins with a coefficient left."""
    sets: dict[frozenset[int], str] = {}
    for number, view in enumerate(views):
        for name, members in view.items():
            sets.setdefault(members, f"view {number}: {name}")
        if "overall" in view:
            shown = frozenset().union(*(m for n, m in view.items() if n != "overall"))
            rest = view["overall"] - shown
            sets.setdefault(rest, f"view {number}: overall minus {sorted(view)}")
    items = list(sets.items())
    for members, name in items:
        yield name, members
    for i, (first, first_name) in enumerate(items):
        for second, second_name in items[i + 1 :]:
            # Coefficients +1 and -1: check-ins in both cancel; the rest keep a coefficient.
            yield f"{first_name} - {second_name}", first ^ second


def leaks(views: list[Figures], ledger: Ledger) -> list[tuple[str, set[int]]]:
    """Every combination that leaves the answers of fewer than the minimum of people."""
    found = []
    for name, members in _combinations(views):
        unknown = members - ledger.shared  # shared answers are known: subtracted out
        persons = _persons(unknown, ledger)
        if 0 < len(persons) < settings.ALLIANCE_MIN_RESPONDERS:
            found.append((name, persons))
    return found


def isolate(views: list[Figures], ledger: Ledger) -> tuple[str, set[int]] | None:
    """The first such combination, or None."""
    found = leaks(views, ledger)
    return found[0] if found else None


def isolated(views: list[Figures], ledger: Ledger) -> list[set[int]]:
    return [persons for _, persons in leaks(views, ledger)]


# The old rule, kept to show that the attacks worked on it.


def _old_cut(checkins: list[int], key: Mapping[int, int]) -> frozenset[int]:
    released: list[int] = []
    current: list[int] = []
    responders: set[int] = set()
    for pk in checkins:
        current.append(pk)
        responders.add(key[pk])
        if len(responders) >= settings.ALLIANCE_MIN_RESPONDERS:
            released += current
            current, responders = [], set()
    return frozenset(released)


def old_figures(ledger: Ledger, therapist_id: int) -> Figures:
    """The figures the old rule released for one therapist, from scratch, as of now."""
    theirs = [pk for pk in ledger.order if ledger.therapist_of[pk] == therapist_id]
    key = {
        pk: -ledger.plan_of[pk] if ledger.person_of[pk] in ledger.deleted else ledger.person_of[pk]
        for pk in theirs
    }
    figures = {"overall": _old_cut(theirs, key)}
    for service in {ledger.service_of[pk] for pk in theirs} - {""}:
        cut = _old_cut([pk for pk in theirs if ledger.service_of[pk] == service], key)
        if cut:
            figures[service] = cut
    return {name: members for name, members in figures.items() if members}


def new_figures(therapist_id: int) -> Figures:
    """The released figures as stored now, each checked against the check-ins behind it."""
    members: dict[str, set[int]] = defaultdict(set)
    for pk, service in CheckInRelease.objects.filter(batch__therapist_id=therapist_id).values_list(
        "checkin_id", "service"
    ):
        members["overall"].add(pk)
        if service:
            members[service].add(pk)
    members = dict(members)
    answered = CheckIn.objects.filter(pk__in=members.get("overall", ())).select_related("plan")
    ratings = {c.pk: c.ratings for c in answered}
    person = {c.pk: c.plan.batch_key for c in answered}
    rows = {
        row.service or "overall": row
        for row in ReleasedTotals.objects.filter(therapist_id=therapist_id)
    }
    assert set(rows) == set(members)
    for name, row in rows.items():
        # What the ranking, the cards and the dashboard read is exactly these check-ins,
        # each responder once: the sum over responders of their mean, and of their weak share.
        assert row.checkins == len(members[name])
        theirs: dict = defaultdict(list)
        for pk in members[name]:
            theirs[person[pk]].append(ratings[pk])
        assert row.responders == len(theirs)
        for item in ITEMS:
            means = [sum(r[item] for r in rs) / len(rs) for rs in theirs.values()]
            weak = [sum(r[item] <= WEAK_AT_MOST for r in rs) / len(rs) for rs in theirs.values()]
            assert getattr(row, f"{item}_sum") == pytest.approx(sum(means))
            assert getattr(row, f"{item}_weak") == pytest.approx(sum(weak))
    return {name: frozenset(pks) for name, pks in members.items()}


DAY_IN_A_LABEL = re.compile(r"\b\d{1,2},|\b\d{1,2}\s+\d{4}|\b[A-Z][a-z]+ \d{1,2}\b")


def band_pins_an_answer(band: str, checkins: int) -> bool:
    """Whether a batch's band of the four traits' mean forces any one answer's value."""
    low, high = next(
        (lowest, upper)
        for (lowest, words), upper in zip(
            MEAN_BANDS, (10.0, *(b[0] for b in MEAN_BANDS[:-1])), strict=True
        )
        if words == band
    )
    answers = len(("respect_trust", "collaboration", "empathy", "adaptability")) * checkins
    lowest_total = low * answers
    highest_total = min(high * answers, 10 * answers)
    # One answer can be 0 if the others can carry the lowest total; 10 if the highest leaves room.
    can_be_zero = lowest_total <= 10 * (answers - 1)
    can_be_ten = highest_total >= 10
    return not (can_be_zero and can_be_ten)


def dashboard_leaks(therapist, ledger: Ledger) -> list[str]:
    """What the dashboard itself shows that it must not."""
    view = therapist_alliance_view(therapist=therapist)
    problems = []
    for point in view.trend:
        if DAY_IN_A_LABEL.search(point.month):
            problems.append(f"a day in {point.month!r}")
        if point.responders < settings.ALLIANCE_MIN_RESPONDERS:
            problems.append(f"a batch of {point.responders} responders")
        if band_pins_an_answer(point.band, point.responders):
            problems.append(f"the band {point.band!r} names an answer")
    unshared = {c.pk for c in view.shared} - ledger.shared
    if unshared:
        problems.append(f"unshared check-ins listed: {unshared}")
    return problems


# The history, through the real services.


@dataclass
class World:
    ledger: Ledger
    therapists: list
    responders: list
    person: dict[int, int]  # responder profile id -> person
    new_views: dict[int, list[Figures]]
    old_views: dict[int, list[Figures]]
    intro_ids: Iterator[int]


def _ratings(rng: random.Random, mood: str) -> dict[str, int]:
    if mood == "glowing":  # homogeneous: every answer 10
        return dict.fromkeys(ITEMS, 10)
    if mood == "struggling":  # homogeneous weak answers
        return {item: rng.choice((1, 2, 3)) for item in ITEMS}
    return {item: rng.randint(2, 10) for item in ITEMS}


def _capture(world: World) -> None:
    for therapist in world.therapists:
        world.new_views[therapist.pk].append(new_figures(therapist.pk))
        world.old_views[therapist.pk].append(old_figures(world.ledger, therapist.pk))
        assert dashboard_leaks(therapist, world.ledger) == []
    measures = alliance_measures(therapist_ids=[t.pk for t in world.therapists])
    for therapist in world.therapists:
        # A visitor's card of any service reads a figure captured above, nothing else.
        shown = world.new_views[therapist.pk][-1]
        if therapist.pk in measures.overall:
            assert measures.overall[therapist.pk].checkins == len(shown["overall"])
        for service, measure in measures.by_service.get(therapist.pk, {}).items():
            assert measure.checkins == len(shown[service])


def _plan(world: World, rng: random.Random, responder, therapist) -> None:
    # Most of a therapist's responders share one service, so service figures get released.
    dominant = SERVICES[world.therapists.index(therapist) % 2]
    checkins_schedule(
        intro_id=next(world.intro_ids),
        responder=responder,
        therapist=therapist,
        accepted_at=timezone.now() - dt.timedelta(days=settings.CHECKIN_FIRST_DAYS),
        service=dominant if rng.random() < 0.7 else rng.choice(SERVICES),
    )


def _answer(world: World, rng: random.Random, checkin: CheckIn, mood: str) -> None:
    responder = checkin.plan.responder
    done = checkin_answer(
        checkin=checkin,
        responder=responder,
        ratings=_ratings(rng, mood),
        still_seeing=rng.random() < 0.8,
        note="Fictional note",
        shared=rng.random() < 0.2,
    )
    world.ledger.record(done, world.person[responder.pk])


def run_history(seed: int) -> World:
    rng = random.Random(seed)
    therapists = [listed_therapist() for _ in range(3)]
    moods = dict(zip((t.pk for t in therapists), ("glowing", "mixed", "struggling"), strict=True))
    responders = [ResponderFactory() for _ in range(24)]
    world = World(
        ledger=Ledger(),
        therapists=therapists,
        responders=responders,
        person={r.pk: n for n, r in enumerate(responders)},
        new_views=defaultdict(list),
        old_views=defaultdict(list),
        intro_ids=iter(range(9_000_000, 9_100_000)),
    )
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for responder in responders:
            _plan(world, rng, responder, rng.choice(therapists))
        for _ in range(EVENTS):
            clock.shift(dt.timedelta(days=4))
            alive = [r for r in responders if world.person[r.pk] not in world.ledger.deleted]
            due = list(
                CheckIn.objects.select_related("plan")
                .filter(
                    status=CheckIn.Status.DUE,
                    due_at__lte=timezone.now(),
                    plan__stopped_at__isnull=True,
                    plan__responder__isnull=False,
                )
                .order_by("pk")
            )
            roll = rng.random()
            if roll < 0.06 and len(alive) > 12:
                victim = rng.choice(alive)
                world.ledger.deleted.add(world.person[victim.pk])
                responder_account_delete(user=victim.user)
            elif roll < 0.16 and alive:
                # A second plan: with the same therapist (maybe under another service) or
                # with another one.
                responder = rng.choice(alive)
                plans = CheckInPlan.objects.filter(responder=responder)
                same = rng.random() < 0.6 and plans.exists()
                therapist = plans.first().therapist if same else rng.choice(therapists)
                _plan(world, rng, responder, therapist)
            elif roll < 0.22 and due:
                checkin = rng.choice(due)
                action = checkin_skip if rng.random() < 0.5 else checkins_stop
                action(checkin=checkin, responder=checkin.plan.responder)
            elif due:
                checkin = rng.choice(due)
                _answer(world, rng, checkin, moods[checkin.plan.therapist_id])
            _capture(world)
    return world


def test_a_randomised_history_gives_no_combination_of_views_that_isolates_an_answer() -> None:
    world = run_history(SEED)
    ledger = world.ledger
    # The history is rich enough to mean something.
    assert len(ledger.order) >= 60
    assert ledger.shared and len(ledger.deleted) >= 2
    two_plans = {
        pk
        for pk in ledger.order
        if len(
            {
                ledger.plan_of[o]
                for o in ledger.order
                if ledger.person_of[o] == ledger.person_of[pk]
                and ledger.therapist_of[o] == ledger.therapist_of[pk]
            }
        )
        > 1
    }
    assert two_plans
    released = sum(bool(views[-1]) for views in world.new_views.values())
    assert released >= 2
    assert any(len(views[-1]) > 1 for views in world.new_views.values())  # service figures
    for therapist in world.therapists:
        assert isolate(world.new_views[therapist.pk], ledger) is None
    # The same history, released the old way, gives answers away.
    assert any(isolate(world.old_views[t.pk], ledger) for t in world.therapists)


# The named attacks on the old batching.


class Scenario:
    """A small history through the services, with both the old and the new figures."""

    def __init__(self) -> None:
        self.therapist = listed_therapist()
        self.ledger = Ledger()
        self.people: dict[str, object] = {}
        self.new_views: list[Figures] = []
        self.old_views: list[Figures] = []
        self.intro_ids = iter(range(8_000_000, 8_100_000))
        self.clock = time_machine.travel(timezone.now(), tick=False)
        self.traveller = self.clock.start()

    def close(self) -> None:
        self.clock.stop()

    def person(self, name: str, service: str = "fire", *, again: bool = False):
        """A responder by name; `again` starts a second plan with the same therapist."""
        if name not in self.people:
            self.people[name] = ResponderFactory()
        responder = self.people[name]
        if again or not CheckInPlan.objects.filter(responder=responder).exists():
            checkins_schedule(
                intro_id=next(self.intro_ids),
                responder=responder,
                therapist=self.therapist,
                accepted_at=timezone.now() - dt.timedelta(days=settings.CHECKIN_FIRST_DAYS),
                service=service,
            )
        return responder

    def answer(self, name: str, *, shared: bool = False, rating: int = 8, **kwargs) -> None:
        responder = self.person(name, **kwargs)
        self.traveller.shift(dt.timedelta(hours=1))
        checkin = (
            CheckIn.objects.filter(plan__responder=responder, status=CheckIn.Status.DUE)
            .order_by("-plan_id")
            .first()
        )
        done = checkin_answer(
            checkin=checkin,
            responder=responder,
            ratings=dict.fromkeys(ITEMS, rating),
            still_seeing=False,
            note="",
            shared=shared,
        )
        self.ledger.record(done, list(self.people).index(name))
        self.look()

    def delete(self, name: str) -> None:
        self.ledger.deleted.add(list(self.people).index(name))
        responder_account_delete(user=self.people[name].user)
        self.look()

    def look(self) -> None:
        self.new_views.append(new_figures(self.therapist.pk))
        self.old_views.append(old_figures(self.ledger, self.therapist.pk))

    def named(self, *names: str) -> set[int]:
        return {list(self.people).index(n) for n in names}


@pytest.fixture
def scenario():
    made = Scenario()
    yield made
    made.close()


def test_attack_shared_answers_subtracted_from_a_batch(scenario) -> None:
    """Four of five share: the old batch minus their shared answers is the fifth's."""
    for name in "ABCD":
        scenario.answer(name, shared=True)
    scenario.answer("E", rating=2)
    assert scenario.named("E") in isolated(scenario.old_views, scenario.ledger)
    assert isolate(scenario.new_views, scenario.ledger) is None
    assert scenario.new_views[-1] == {}  # shared answers never count toward a batch


def test_attack_a_deletion_cuts_the_batches_again(scenario) -> None:
    """R, A, B, R (second plan), C, D: one batch of six; R deletes; the old cut gives a batch
    of five and puts D back in the open batch: the two figures differ by D's answer."""
    scenario.answer("R")
    scenario.answer("A")
    scenario.answer("B")
    scenario.answer("R", again=True)
    scenario.answer("C")
    scenario.answer("D", rating=1)
    scenario.delete("R")
    assert scenario.named("D") in isolated(scenario.old_views[-2:], scenario.ledger)
    assert isolate(scenario.new_views, scenario.ledger) is None
    assert scenario.new_views[-1] == scenario.new_views[-2]  # the deletion moved nothing


def test_attack_overall_minus_a_service(scenario) -> None:
    """X (no service), four police, a fifth, three more, the fifth again, a ninth: the old
    overall and police figures differ by exactly X's answer."""
    scenario.answer("X", service="")
    for name in ("P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8"):
        scenario.answer(name, service="police")
    scenario.answer("P5", service="police", again=True)
    scenario.answer("P9", service="police", rating=3)
    old = scenario.old_views[-1]
    assert old["overall"] - old["police"] == {
        pk for pk, person in scenario.ledger.person_of.items() if person in scenario.named("X")
    }
    assert scenario.named("X") in isolated(scenario.old_views, scenario.ledger)
    assert isolate(scenario.new_views, scenario.ledger) is None
    # Police is shown only as the part of a batch whose rest is empty or big enough.
    new = scenario.new_views[-1]
    assert len(_persons(new["overall"] - new.get("police", frozenset()), scenario.ledger)) in (
        0,
        *range(settings.ALLIANCE_MIN_RESPONDERS, 100),
    )


def weak_count_attack(page: Mapping[str, float], prior: int) -> set[int] | None:
    """From a page showing a trait's weak share as a whole percent beside all therapists'
    (and the check-ins behind it), the raw weak counts that fit; None without such figures."""
    if "weak_percent" not in page:
        return None
    n, shown, population = page["checkins"], page["weak_percent"], page["population_weak_percent"]
    fits = set()
    for w in range(int(n) + 1):
        for step in range(101):  # every population share that rounds to the one shown
            p = (population - 0.5 + step / 100) / 100
            if round(100 * (w + prior * p) / (n + prior)) == shown:
                fits.add(w)
                break
    return fits


def test_attack_a_homogeneous_weak_batch_read_from_whole_percentages(scenario) -> None:
    """Five weak answers close a batch: the old page's whole-number weak percentages, with
    the known prior, give the exact count, five of five: every member answered weak. The
    page now shows no weak share, a month instead of dates and a band instead of a mean."""
    from tests.factories import answered_checkins

    answered_checkins(listed_therapist(), 8, responders=10)  # other therapists' answers
    for name in "ABCDE":
        scenario.answer(name, rating=2)
    scenario.answer("F", rating=10, shared=True)
    prior = 10  # the old page's fixed prior strength, in check-ins
    n, weak = 5, 5  # the old batch: the five weak answers
    population = (weak + 0) / (n + 10)  # with the other therapist's ten strong ones
    old_page = {
        "checkins": n,
        "weak_percent": round(100 * (weak + prior * population) / (n + prior)),
        "population_weak_percent": round(100 * population),
    }
    assert weak_count_attack(old_page, prior) == {n}  # all five named as weak
    view = therapist_alliance_view(therapist=scenario.therapist)
    assert view.measure is not None and view.measure.checkins == n
    new_page = {"checkins": view.measure.checkins, **vars(view.traits[0])}
    assert weak_count_attack(new_page, prior) is None
    (point,) = view.trend
    assert point.band == "0 to 2" or point.band == "2 to 4"
    assert not band_pins_an_answer(point.band, point.responders)
    assert re.fullmatch(r"[A-Z][a-z]+ \d{4}", point.month)
    assert [c.pk for c in view.shared] == sorted(scenario.ledger.shared)
    assert isolate(scenario.new_views, scenario.ledger) is None


def test_the_band_of_a_batch_never_pins_an_answer_at_the_minimum() -> None:
    """Every band, at the smallest batch (the minimum of responders, one check-in each)."""
    for _, words in MEAN_BANDS:
        assert not band_pins_an_answer(words, settings.ALLIANCE_MIN_RESPONDERS)
    # A mean to one decimal would: "0.0" over five check-ins leaves every answer at 0.
    assert mean_band(0.0) == "0 to 2"
