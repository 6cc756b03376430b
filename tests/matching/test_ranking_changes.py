"""Every process's ranked list follows committed writes, and only the writes that matter.

Each test holds two independent sets of loaded states, as two web processes would, and
commits real writes (transaction=True). These tests also run on the embedded SQLite
database: `make test` runs this file a second time with a SQLite DATABASE_URL.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import numpy as np
import psycopg
import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from matching.models import RANKING_CHANGES_KEPT_HOURS, RankingChange, TherapistResponsiveness
from matching.ranking.reference import rank_index
from matching.scoring import Seeker
from matching.selectors.ranking import LoadedStates, current_rules, ranked_page
from matching.services.ranking_changes import ranking_changes_prune
from profiles.models import AuditEntry, License, TherapistProfile, User, VettingStatus
from profiles.services.audit import audit_record
from profiles.services.therapists import (
    therapist_capacity_update,
    therapist_profile_update,
    therapist_unpublish,
)
from profiles.services.vetting import record_version, vetting_decide
from tests.factories import (
    LicenseFactory,
    ResponderFactory,
    StaffFactory,
    TherapistFactory,
    answered_checkins,
    intro_through_service,
    listed_therapist,
)

# Also run on the embedded SQLite default (make test's second pass): each database has its own
# triggers.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.sqlite]

VISIBLE_WITHIN_SECONDS = 2.0
POLL_SECONDS = 0.05
FIREFIGHTER_IN_COLORADO = Seeker(state="CO", service="fire", format_preference="telehealth")


def ranked_ids(states: LoadedStates, seeker: Seeker = FIREFIGHTER_IN_COLORADO) -> list[int]:
    ids, _ = rank_index(states.state(seeker.state), seeker, current_rules())
    return ids.tolist()


def within_deadline(condition: Callable[[], bool]) -> bool:
    """Whether the condition holds within the deadline, looking again and again."""
    deadline = time.monotonic() + VISIBLE_WITHIN_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(POLL_SECONDS)
    return True


def two_processes() -> tuple[LoadedStates, LoadedStates]:
    web_one, web_two = LoadedStates(), LoadedStates()
    web_one.state("CO")
    web_two.state("CO")
    return web_one, web_two


def reject_license(therapist: TherapistProfile) -> None:
    license = therapist.licenses.get()
    vetting_decide(
        kind="license",
        record_id=license.pk,
        staff=StaffFactory(),
        decision=VettingStatus.REJECTED,
        reason="The number does not match the board's record.",
        version=record_version(license),
    )


def stop_accepting(therapist: TherapistProfile) -> None:
    therapist_capacity_update(therapist=therapist, accepting_new_clients=False, open_slots=0)


def unpublish(therapist: TherapistProfile) -> None:
    therapist_unpublish(therapist=therapist)


def empty_a_section(therapist: TherapistProfile) -> None:
    """A published therapist left with no way of meeting: the profile is incomplete."""
    therapist_profile_update(therapist=therapist, fields={"formats": frozenset()})


def deactivate_account(therapist: TherapistProfile) -> None:
    User.objects.filter(pk=therapist.user_id).update(is_active=False)  # bulk: no signals


def delete_license(therapist: TherapistProfile) -> None:
    therapist.licenses.get().delete()


def one_opening(therapist: TherapistProfile) -> None:
    therapist_capacity_update(therapist=therapist, accepting_new_clients=True, open_slots=1)


def fill_the_places(therapist: TherapistProfile) -> None:
    """As many requests waiting as one opening allows: they may not be asked, for now."""
    one_opening(therapist)
    for _ in range(current_rules().pending_requests_per_opening):
        intro_through_service(ResponderFactory(), therapist)


def take_the_last_opening(therapist: TherapistProfile) -> None:
    from matching.services.intros import intro_answer

    one_opening(therapist)
    intro = intro_through_service(ResponderFactory(), therapist)
    intro_answer(intro=intro, decision="accepted", reply="Fictional: I will call Monday.")


def expire_license_in_bulk(therapist: TherapistProfile) -> None:
    License.objects.filter(therapist=therapist).update(
        expires_on=timezone.localdate() - dt.timedelta(days=1)
    )


@pytest.mark.parametrize(
    "change",
    [
        reject_license,
        stop_accepting,
        unpublish,
        empty_a_section,
        deactivate_account,
        delete_license,
        expire_license_in_bulk,
        fill_the_places,
        take_the_last_opening,
    ],
)
def test_a_therapist_who_stops_being_eligible_leaves_every_process_within_two_seconds(
    change: Callable[[TherapistProfile], None],
) -> None:
    staying, leaving = listed_therapist(), listed_therapist()
    web_one, web_two = two_processes()
    assert set(ranked_ids(web_two)) == {staying.pk, leaving.pk}

    change(leaving)

    assert within_deadline(lambda: ranked_ids(web_two) == [staying.pk])
    assert ranked_ids(web_one) == [staying.pk]


def test_a_change_of_working_style_reaches_every_process_within_two_seconds() -> None:
    from alliance.services.approach import alliance_approach_update

    therapist = listed_therapist()
    _, web_two = two_processes()
    wants_plan = Seeker(state="CO", format_preference="telehealth", style={"lead": 1})

    def listed_score() -> float:
        # The loaded columns of the second process, not a fresh read.
        _, totals = rank_index(web_two.state("CO"), wants_plan, current_rules())
        return float(totals[0])

    before = listed_score()
    alliance_approach_update(
        therapist=therapist,
        fields={"style_lead_usual": 1, "style_lead_low": 1, "style_lead_high": 2}
        | {
            f"style_{d}_{p}": 3 for d in ("focus", "pace", "tone") for p in ("usual", "low", "high")
        },
    )
    assert within_deadline(lambda: listed_score() > before)


def test_a_new_listing_appears_in_every_process_within_two_seconds() -> None:
    already = listed_therapist()
    web_one, web_two = two_processes()
    newcomer = listed_therapist()
    assert within_deadline(lambda: set(ranked_ids(web_two)) == {already.pk, newcomer.pk})
    assert set(ranked_ids(web_one)) == {already.pk, newcomer.pk}


def test_a_newly_verified_license_lists_the_therapist_in_another_process() -> None:
    waiting = LicenseFactory(therapist=TherapistFactory(), status=VettingStatus.PENDING)
    _, web_two = two_processes()
    assert ranked_ids(web_two) == []
    vetting_decide(
        kind="license",
        record_id=waiting.pk,
        staff=StaffFactory(),
        decision=VettingStatus.VERIFIED,
        reason="Matches the board's record.",
        version=record_version(waiting),
    )
    assert within_deadline(lambda: ranked_ids(web_two) == [waiting.therapist_id])


def test_an_expiring_license_leaves_the_list_on_its_expiry_date_without_any_write() -> None:
    therapist = listed_therapist()
    expiry = timezone.localdate() + dt.timedelta(days=3)
    therapist.licenses.update(expires_on=expiry)
    _, web_two = two_processes()
    changes = RankingChange.objects.count()
    with time_machine.travel(dt.datetime.combine(expiry - dt.timedelta(days=1), dt.time(12))):
        assert ranked_ids(web_two) == [therapist.pk]
    with time_machine.travel(dt.datetime.combine(expiry, dt.time(12))):
        assert ranked_ids(web_two) == []
    assert RankingChange.objects.count() == changes


def test_an_unconfirmed_profile_leaves_the_list_when_it_grows_too_old() -> None:
    therapist = listed_therapist()
    _, web_two = two_processes()
    with time_machine.travel(timezone.now() + dt.timedelta(days=44)):
        assert ranked_ids(web_two) == [therapist.pk]
    with time_machine.travel(timezone.now() + dt.timedelta(days=46)):
        assert ranked_ids(web_two) == []


def test_an_edit_reaches_the_cards_another_process_shows() -> None:
    # Not the name: a new name sends the therapist's licenses back to review.
    therapist = listed_therapist(credentials="LCSW", years_serving_responders=2)
    _, web_two = two_processes()
    therapist_profile_update(
        therapist=therapist, fields={"credentials": "LCSW, CCTP", "years_serving_responders": 20}
    )

    def shows_the_edit() -> bool:
        page = ranked_page(seeker=FIREFIGHTER_IN_COLORADO, states=web_two)
        card = page.cards[0]
        return card.facts.credentials == "LCSW, CCTP" and any(
            "20 years" in reason.text
            for component in card.score.components
            for reason in component.reasons
        )

    assert within_deadline(shows_the_edit)


def test_answers_to_intro_requests_reach_the_ranking_of_another_process() -> None:
    quick, slow = listed_therapist(), listed_therapist()
    _, web_two = two_processes()
    index = web_two.state("CO")
    assert index.rate[index.position[quick.pk]] == index.rate[index.position[slow.pk]]

    TherapistResponsiveness.objects.create(
        therapist=quick, decided=10, answered=10, median_answer_hours=2.0
    )
    TherapistResponsiveness.objects.create(
        therapist=slow, decided=10, answered=2, median_answer_hours=60.0
    )

    def quick_ranks_higher() -> bool:
        index = web_two.state("CO")
        return index.rate[index.position[quick.pk]] > index.rate[index.position[slow.pk]]

    assert within_deadline(quick_ranks_higher)
    assert ranked_ids(web_two)[0] == quick.pk


def test_a_request_answered_makes_room_in_every_process() -> None:
    from matching.services.intros import intro_answer

    therapist = listed_therapist()
    fill_the_places(therapist)
    _, web_two = two_processes()
    assert ranked_ids(web_two) == []

    intro_answer(
        intro=therapist.intro_requests.first(), decision="declined", reply="Fictional: full."
    )

    assert within_deadline(lambda: ranked_ids(web_two) == [therapist.pk])


def test_a_closed_batch_of_check_ins_reaches_the_ranking_of_another_process() -> None:
    steady, praised = listed_therapist(), listed_therapist()
    # Therapists measured elsewhere (no license in Colorado) make the population: 7.
    for _ in range(3):
        answered_checkins(TherapistFactory(), 7, responders=5)
    _, web_two = two_processes()
    index = web_two.state("CO")
    assert np.array_equal(
        index.traits[index.position[steady.pk]], index.traits[index.position[praised.pk]]
    )
    # Four responders: no batch closes, and the columns are neither read again nor patched.
    answered_checkins(praised, 10, responders=4)
    assert web_two.state("CO") is index
    # The fifth closes the batch: the therapist's totals and the population both move.
    answered_checkins(praised, 10, responders=1)

    def praised_ranks_first() -> bool:
        index = web_two.state("CO")
        traits = index.traits
        return bool((traits[index.position[praised.pk]] > traits[index.position[steady.pk]]).all())

    assert within_deadline(praised_ranks_first)
    assert ranked_ids(web_two)[0] == praised.pk


def test_a_batch_that_leaves_the_population_in_place_reloads_no_other_state() -> None:
    colorado = listed_therapist()
    new_mexico = TherapistFactory(telehealth_states={"NM"})
    LicenseFactory(therapist=new_mexico, state="NM")
    # Therapists measured elsewhere make the population: every item 8, no weak answer.
    for _ in range(4):
        answered_checkins(TherapistFactory(), 8, responders=5)
    web = LoadedStates()
    before = web.state("CO")
    untouched = web.state("NM")
    # Colorado's therapist measured at the population's mean: the population stays put, so
    # only their own rows are read again, and being measured at the average changes nothing.
    answered_checkins(colorado, 8, responders=5)
    assert within_deadline(lambda: web.state("CO") is not before)
    after = web.state("CO")
    assert np.array_equal(
        after.traits[after.position[colorado.pk]], before.traits[before.position[colorado.pk]]
    )
    assert web.state("NM") is untouched
    # Ratings far from everyone's move it: every state is read again, Colorado too, where
    # nobody changed.
    answered_checkins(new_mexico, 2, responders=5)
    assert within_deadline(lambda: web.state("CO") is not after)


def test_sign_ins_reminders_and_audit_entries_cost_the_ranking_nothing(client) -> None:
    therapist = listed_therapist()
    staff = StaffFactory()
    _, web_two = two_processes()
    loaded = web_two.state("CO")
    changes = RankingChange.objects.count()

    client.force_login(therapist.user)  # writes last_login
    User.objects.filter(pk=staff.pk).update(last_login=timezone.now())
    TherapistProfile.objects.filter(pk=therapist.pk).update(
        confirmation_reminder_sent_at=timezone.now()
    )
    License.objects.filter(therapist=therapist).update(last_expiry_reminder_days=30)
    audit_record(
        actor=staff,
        action=AuditEntry.Action.DOCUMENT_VIEWED,
        target_type="license",
        target_id=therapist.licenses.get().pk,
        therapist_id=therapist.pk,
    )

    assert RankingChange.objects.count() == changes
    assert web_two.state("CO") is loaded  # the columns were neither read again nor patched


def test_a_write_in_another_state_leaves_this_states_columns_alone() -> None:
    colorado = listed_therapist()
    new_mexico = TherapistFactory(telehealth_states={"NM"})
    LicenseFactory(therapist=new_mexico, state="NM")
    web = LoadedStates()
    colorado_before = web.state("CO")
    new_mexico_before = web.state("NM")

    therapist_profile_update(therapist=new_mexico, fields={"years_serving_responders": 30})

    new_mexico_after = web.state("NM")
    assert web.state("CO") is colorado_before
    assert new_mexico_after is not new_mexico_before
    assert colorado.pk in web.state("CO").position


def test_a_therapist_who_comes_back_is_listed_again_in_place() -> None:
    therapist = listed_therapist()
    _, web_two = two_processes()
    stop_accepting(therapist)
    assert within_deadline(lambda: ranked_ids(web_two) == [])
    therapist_capacity_update(therapist=therapist, accepting_new_clients=True, open_slots=2)
    assert within_deadline(lambda: ranked_ids(web_two) == [therapist.pk])
    assert len(web_two.state("CO")) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
def test_a_write_that_commits_after_a_later_one_is_still_seen() -> None:
    slow, fast = listed_therapist(), listed_therapist()
    _, web_two = two_processes()
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
    )
    try:
        # The slow transaction takes its change number first and commits last.
        other.execute(
            "UPDATE profiles_therapistprofile SET accepting_new_clients = false WHERE id = %s",
            [slow.pk],
        )
        stop_accepting(fast)
        assert within_deadline(lambda: ranked_ids(web_two) == [slow.pk])
        other.commit()
    finally:
        other.close()
    assert within_deadline(lambda: ranked_ids(web_two) == [])


def test_the_feed_forgets_changes_older_than_it_keeps() -> None:
    therapist = listed_therapist()
    *old, recent = RankingChange.objects.filter(therapist_id=therapist.pk).order_by("seq")
    RankingChange.objects.filter(pk__in=[row.pk for row in old]).update(
        changed_at=timezone.now() - dt.timedelta(hours=RANKING_CHANGES_KEPT_HOURS, minutes=1)
    )
    assert len(old) >= 1
    assert ranking_changes_prune() == len(old)
    assert list(RankingChange.objects.filter(therapist_id=therapist.pk)) == [recent]
