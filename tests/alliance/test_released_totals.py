"""Released check-in totals: stored per therapist, always equal to what the check-ins give.

The ranking and the dashboards read these rows instead of every check-in, so each test
compares them with the totals computed again from the check-ins themselves.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance import selectors
from alliance.aggregation import ITEMS, Population, population_moved, population_of
from alliance.batches import released_totals
from alliance.models import CheckIn, CheckInRelease, ReleasedBatch, ReleasedTotals
from alliance.selectors import alliance_measures, alliance_population
from alliance.services.checkins import checkin_answer
from matching.models import RankingChange
from matching.scoring import Seeker
from matching.selectors.ranking import LoadedStates, ranked_page
from matching.services.accounts import responder_account_delete
from tests.factories import CheckInPlanFactory, answered_checkins, listed_therapist

# Also run on the embedded SQLite default (make test's second pass): each database has its own
# triggers.
pytestmark = pytest.mark.sqlite

STRONG = {"respect_trust": 9, "collaboration": 8, "empathy": 9, "adaptability": 8, "fit": 9}
FIREFIGHTER_IN_COLORADO = Seeker(state="CO", service="fire", format_preference="telehealth")
LOCK_WAIT_SECONDS = 10.0


def stored(therapist_id: int) -> dict[str, dict[str, int]]:
    return {
        row.service: {
            "checkins": row.checkins,
            "responders": row.responders,
            **{f"{item}_sum": getattr(row, f"{item}_sum") for item in ITEMS},
            **{f"{item}_weak": getattr(row, f"{item}_weak") for item in ITEMS},
        }
        for row in ReleasedTotals.objects.filter(therapist_id=therapist_id)
    }


def recomputed(therapist_id: int) -> dict[str, dict[str, int]]:
    """The totals from the check-ins, as the aggregation module computes them."""
    return {
        totals.service: {
            "checkins": totals.checkins,
            "responders": totals.responders,
            **{f"{item}_sum": round(totals.sums[item]) for item in ITEMS},
            **{f"{item}_weak": totals.weak[item] for item in ITEMS},
        }
        for totals in released_totals(
            therapist_id,
            selectors.answered_checkins(therapist_id=therapist_id),
            settings.ALLIANCE_MIN_RESPONDERS,
        )
    }


def due_checkins(therapist, count: int, *, service: str = "fire") -> list[CheckIn]:
    """One due check-in from each of `count` new responders of the therapist."""
    now = timezone.now()
    return [
        CheckIn.objects.create(
            plan=CheckInPlanFactory(therapist=therapist, service=service),
            number=1,
            kind=CheckIn.Kind.FIRST,
            due_at=now - dt.timedelta(days=1),
        )
        for _ in range(count)
    ]


def answer(checkin: CheckIn, ratings: dict[str, int] = STRONG) -> CheckIn:
    return checkin_answer(
        checkin=checkin,
        responder=checkin.plan.responder,
        ratings=ratings,
        still_seeing=True,
        note="",
        shared=False,
    )


@pytest.mark.django_db
def test_answers_through_the_service_keep_the_totals_equal_to_the_check_ins() -> None:
    therapist = listed_therapist()
    fire, dispatch = due_checkins(therapist, 4), due_checkins(therapist, 3, service="dispatch")
    for checkin in fire:
        answer(checkin)
    # Four responders: no batch has closed, nothing is stored.
    assert stored(therapist.pk) == {} == recomputed(therapist.pk)
    answer(dispatch[0], {**STRONG, "empathy": 3})
    totals = stored(therapist.pk)
    assert set(totals) == {""}  # neither service has a closed batch of its own
    assert totals[""]["checkins"] == 5 and totals[""]["empathy_weak"] == 1
    assert totals[""]["empathy_sum"] == 4 * 9 + 3
    for checkin in dispatch[1:]:
        answer(checkin)
    assert stored(therapist.pk) == recomputed(therapist.pk)


@pytest.mark.django_db
def test_a_check_in_that_closes_no_batch_writes_no_totals_and_nothing_to_the_feed() -> None:
    therapist = listed_therapist()
    first, *rest = due_checkins(therapist, 6)
    for checkin in rest[:4]:
        answer(checkin)
    answer(first)
    before = stored(therapist.pk)
    changes = RankingChange.objects.filter(therapist_id=therapist.pk).count()
    answer(rest[4])  # the sixth responder opens the next batch
    assert stored(therapist.pk) == before
    assert RankingChange.objects.filter(therapist_id=therapist.pk).count() == changes


@pytest.mark.django_db
def test_a_closed_batch_notes_the_therapist_and_the_population_in_the_feed() -> None:
    therapist = listed_therapist()
    answered_checkins(therapist, 9, responders=5)
    rows = RankingChange.objects.filter(therapist_id=therapist.pk, population=True)
    assert rows.count() == 1  # the row over all services; the fire row notes only them


@pytest.mark.django_db
def test_a_deleted_responder_with_two_plans_still_counts_once_and_nothing_is_cut_again() -> None:
    therapist = listed_therapist()
    made = answered_checkins(therapist, 8, responders=4)
    # The fourth responder also saw the therapist a second time: a second plan, one check-in,
    # under the same batch key, as checkins_schedule gives it.
    first_plan = made[-1].plan
    again = first_plan.responder
    second = CheckInPlanFactory(
        therapist=therapist, responder=again, batch_key=first_plan.batch_key
    )
    CheckIn.objects.create(
        plan=second,
        number=1,
        kind=CheckIn.Kind.FIRST,
        due_at=timezone.now() - dt.timedelta(days=1),
    )
    answer(second.checkins.get())
    assert stored(therapist.pk) == {}  # still four different responders
    responder_account_delete(user=again.user)
    # Before, the two plans became two "responders" and a batch closed on the deletion
    # alone. The key stays with the plans: still four responders, nothing released.
    assert stored(therapist.pk) == {} == recomputed(therapist.pk)
    assert not ReleasedBatch.objects.filter(therapist=therapist).exists()


@pytest.mark.django_db
def test_a_deletion_leaves_every_released_batch_and_figure_as_it_was() -> None:
    therapist = listed_therapist()
    made = answered_checkins(therapist, 7, responders=6)  # one batch of 5, one waiting
    members = set(CheckInRelease.objects.filter(batch__isnull=False).values_list("checkin_id"))
    before = stored(therapist.pk)
    for checkin in made:
        responder_account_delete(user=checkin.plan.responder.user)
    assert stored(therapist.pk) == before
    assert set(CheckInRelease.objects.values_list("checkin_id")) == members
    assert ReleasedBatch.objects.get(therapist=therapist).checkins == 5


@pytest.mark.django_db
def test_the_migration_stores_the_same_batches_and_totals_from_existing_check_ins() -> None:
    from importlib import import_module

    one, two = listed_therapist(), listed_therapist()
    answered_checkins(one, 9, responders=6, each=2)
    answered_checkins(one, 4, responders=2, shared=True)
    answered_checkins(two, {"empathy": 2}, responders=5, service="dispatch")
    expected = {one.pk: stored(one.pk), two.pk: stored(two.pk)}
    releases = set(CheckInRelease.objects.values_list("checkin_id", "batch__number", "service"))
    assert all(expected.values())
    ReleasedTotals.objects.all().delete()
    CheckInRelease.objects.all().delete()
    ReleasedBatch.objects.all().delete()
    import_module("alliance.migrations.0006_stable_release_batches").release(
        apps, connection.schema_editor()
    )
    assert {one.pk: stored(one.pk), two.pk: stored(two.pk)} == expected
    assert (
        set(CheckInRelease.objects.values_list("checkin_id", "batch__number", "service"))
        == releases
    )


@pytest.mark.django_db
def test_the_population_from_stored_rows_equals_the_population_from_every_check_in() -> None:
    for rating, responders in ((9, 5), (6, 7), (3, 10)):
        answered_checkins(listed_therapist(), rating, responders=responders)
    totals = [
        row
        for therapist_id in ReleasedTotals.objects.values_list("therapist_id", flat=True).distinct()
        for row in released_totals(
            therapist_id,
            selectors.answered_checkins(therapist_id=therapist_id),
            settings.ALLIANCE_MIN_RESPONDERS,
        )
        if not row.service
    ]
    assert alliance_population() == population_of(totals)
    # Released: 5 of 5, 5 of 7 (the other two wait for their batch), 10 of 10.
    assert alliance_population().checkins == 20


# Committed, as in production: a reader inside the writer's own transaction sees the
# writer's feed rows as possibly late on every look.
@pytest.mark.django_db(transaction=True)
def test_a_ranked_page_reads_no_check_in_whatever_their_number() -> None:
    therapists = [listed_therapist() for _ in range(3)]
    for therapist in therapists:
        answered_checkins(therapist, 8, responders=5, each=3)
    with CaptureQueriesContext(connection) as first:
        ranked_page(seeker=FIREFIGHTER_IN_COLORADO, states=LoadedStates())
    states = LoadedStates()
    ranked_page(seeker=FIREFIGHTER_IN_COLORADO, states=states)
    with CaptureQueriesContext(connection) as warm:
        page = ranked_page(seeker=FIREFIGHTER_IN_COLORADO, states=states)
    assert len(page.cards) == 3
    assert all("(5 responders)" in str(card.score.components) for card in page.cards)
    for queries in (first, warm):
        assert not [q for q in queries if "alliance_checkin" in q["sql"]]
    # Cold: the feed, the population, the state's rows, their totals; then the page's
    # therapists' rows and their released totals. Warm, nothing changed: the feed alone
    # (the process keeps the page's cards until the feed names them).
    assert any("alliance_releasedtotals" in q["sql"] for q in first)
    assert len(warm) == 1, "\n".join(q["sql"][:150] for q in warm)
    assert "matching_rankingchange" in warm[0]["sql"]


@pytest.mark.django_db
def test_the_measure_read_for_a_few_therapists_equals_the_one_read_for_all() -> None:
    one, two = listed_therapist(), listed_therapist()
    answered_checkins(one, 9, responders=5)
    answered_checkins(two, {"collaboration": 4}, responders=6, service="ems")
    everyone = alliance_measures()
    assert alliance_measures(therapist_ids=[two.pk]).overall[two.pk] == everyone.overall[two.pk]
    assert (
        alliance_measures(therapist_ids=[two.pk]).by_service[two.pk] == everyone.by_service[two.pk]
    )


def test_the_population_moves_only_past_its_tolerance() -> None:
    items = ("respect_trust", "collaboration", "empathy", "adaptability", "fit")
    means = dict.fromkeys(items, 8.0)
    shares = dict.fromkeys(items, 0.1)
    strengths = dict.fromkeys(items, 9.0)

    def population(**changes) -> Population:
        values = {"means": means, "weak_shares": shares, "strengths": strengths, **changes}
        return Population(1000, therapists=200, **values)

    before = population()
    assert not population_moved(before, population())
    assert not population_moved(before, population(means={**means, "empathy": 8.009}))
    assert population_moved(before, population(means={**means, "empathy": 8.02}))
    assert population_moved(before, population(weak_shares={**shares, "empathy": 0.102}))
    assert population_moved(before, population(means={**means, "fit": 7.9}))
    # The prior's strength: a move of 1 % of it is nothing, 5 % remakes the columns.
    assert not population_moved(before, population(strengths={**strengths, "empathy": 9.09}))
    assert population_moved(before, population(strengths={**strengths, "empathy": 9.45}))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_two_answers_at_once_for_one_therapist_both_reach_the_totals() -> None:
    therapist = listed_therapist()
    *first_four, fifth, sixth = due_checkins(therapist, 6)
    for checkin in first_four:
        answer(checkin)
    done = threading.Event()
    failures: list[BaseException] = []

    def answer_in_another_connection() -> None:
        try:
            answer(sixth)
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()
            done.set()

    with transaction.atomic():
        answer(fifth)  # closes the first batch; its transaction still holds the lock
        other = threading.Thread(target=answer_in_another_connection)
        other.start()
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        with connection.cursor() as cursor:
            while True:
                # Inside a transaction PostgreSQL answers from one snapshot of the activity
                # statistics unless told to take a new one: without this the loop never saw
                # the wait and always ran to its deadline.
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
                if cursor.fetchone()[0] or done.is_set() or time.monotonic() > deadline:
                    break
                time.sleep(0.02)
        assert not done.is_set(), "the second answer did not wait for the first"
    other.join(LOCK_WAIT_SECONDS)
    assert done.is_set() and not failures
    assert stored(therapist.pk) == recomputed(therapist.pk)
    assert stored(therapist.pk)[""]["checkins"] == 5  # the sixth opens the next batch


@pytest.mark.django_db
def test_the_prior_strength_from_one_sql_aggregate_equals_the_one_from_the_rows() -> None:
    """alliance_population adds up in SQL what population_of adds up in Python; with enough
    therapists the strength is estimated, and both ways must give the same numbers."""
    from alliance.aggregation import PRIOR_MIN_THERAPISTS

    for n in range(PRIOR_MIN_THERAPISTS):
        therapist = listed_therapist()
        answered_checkins(therapist, 5 + n % 5, responders=3)
        answered_checkins(therapist, 4 + n % 6, responders=2)
    rows = [
        selectors.totals_from_row(values)
        for values in selectors.released_totals_rows()
        if values[1] == ""
    ]
    from_sql, from_rows = alliance_population(), population_of(rows)
    assert from_sql.strength_source == from_rows.strength_source == "estimated from the data"
    for item in from_rows.means:
        assert from_sql.means[item] == pytest.approx(from_rows.means[item])
        assert from_sql.weak_shares[item] == pytest.approx(from_rows.weak_shares[item])
        assert from_sql.strengths[item] == pytest.approx(from_rows.strengths[item])
