"""Staff see supply against demand per state and service, and nothing about one responder."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from matching.intake import Intake
from matching.selectors.supply import supply_and_demand, weeks_window
from matching.services.intros import intro_answer
from matching.supply_figures import ALL_SERVICES, held_back
from tests.factories import (
    ResponderFactory,
    StaffFactory,
    TherapistFactory,
    intro_through_service,
    listed_therapist,
)

pytestmark = pytest.mark.django_db

URL = reverse("matching:supply_demand")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def last_week() -> dt.datetime:
    """Wednesday noon of last week: inside every window of whole past weeks."""
    since, _ = weeks_window(weeks=1)
    return timezone.make_aware(dt.datetime.combine(since + dt.timedelta(days=2), dt.time(12)))


def ask(therapist, *, service: str, pseudonym: str = "", count: int = 1) -> list:
    made = []
    with time_machine.travel(last_week(), tick=False):
        for _ in range(count):
            responder = ResponderFactory(
                answers=Intake(state="CO", service=service).to_dict(),
                **({"pseudonym": pseudonym} if pseudonym else {}),
            )
            made.append(intro_through_service(responder, therapist))
    return made


# --- who may see it ---------------------------------------------------------------------------


def test_only_staff_with_two_factor_reach_the_page(totp_user_factory, staff_with_mfa) -> None:
    assert Client().get(URL)["Location"].startswith(reverse("account_login"))
    assert signed_in(ResponderFactory().user).get(URL).status_code == 403
    therapist = TherapistFactory()
    totp_user_factory(therapist.user)  # two-factor does not make a therapist staff
    assert signed_in(therapist.user).get(URL).status_code == 403
    no_mfa = signed_in(StaffFactory(email="staff-without@example.test")).get(URL)
    assert no_mfa["Location"].startswith(reverse("mfa_activate_totp"))
    assert signed_in(staff_with_mfa).get(URL).status_code == 200


# --- the figures -------------------------------------------------------------------------------


def test_supply_now_and_demand_over_whole_weeks_per_state_and_service(
    settings, staff_with_mfa
) -> None:
    settings.PENDING_REQUESTS_PER_OPENING = 2
    busy = listed_therapist(open_slots=3, services_served=frozenset({"fire"}))
    closing = listed_therapist(open_slots=1, services_served=frozenset({"police"}))
    [taken] = ask(closing, service="police")
    with time_machine.travel(last_week() + dt.timedelta(hours=2), tick=False):
        intro_answer(intro=taken, decision="accepted", reply="Fictional: see you Monday.")
    ask(busy, service="fire", count=5)  # 5 of 6 places: few openings
    roomy = listed_therapist(open_slots=10, services_served=frozenset({"ems"}))
    ask(roomy, service="ems", count=6)

    figures = supply_and_demand(weeks=4)
    [colorado] = figures.states
    rows = {row.service: row for row in colorado.rows}
    overall = rows[ALL_SERVICES]
    assert (overall.supply.listed, overall.supply.taking, overall.supply.full) == (3, 2, 1)
    assert (overall.supply.with_room, overall.supply.openings) == (1, 13)
    assert overall.requests == 12
    assert overall.requests_per_opening == pytest.approx(12 / 13)
    assert rows["ems"].requests == 6
    assert rows["ems"].requests_per_opening == pytest.approx(6 / 10)
    assert rows["fire"].supply.listed == 1 and rows["police"].supply.full == 1
    # One police officer's request is held back, and the next smallest part with it, so
    # that the state's figure minus those shown gives nothing away.
    assert rows["police"].requests is None and rows["fire"].requests is None
    # The last four of the five firefighters found no therapist with room on their lists.
    assert [intro.list_had_room for intro in busy.intro_requests.order_by("pk")] == [
        True,
        True,
        True,
        False,
        False,
    ]
    assert overall.without_room is None  # two people: held back


def test_this_weeks_requests_wait_for_the_week_to_end(staff_with_mfa) -> None:
    therapist = listed_therapist()
    for _ in range(6):
        intro_through_service(ResponderFactory(answers={"state": "CO"}), therapist)  # today
    [colorado] = supply_and_demand(weeks=4).states
    assert colorado.overall.requests == 0


def test_the_page_names_no_responder_and_says_what_is_held_back(staff_with_mfa) -> None:
    therapist = listed_therapist(open_slots=2)
    ask(therapist, service="dispatch", pseudonym="Dispatch Fictional Nine")
    page = signed_in(staff_with_mfa).get(URL).content.decode()
    assert "Colorado" in page
    assert "held back" in page
    assert "Dispatch Fictional Nine" not in page
    assert "@example.test" not in page
    assert 'role="region"' in page and 'tabindex="0"' in page  # the table scrolls by keyboard


def test_a_weeks_value_not_understood_is_said_next_to_the_filter(staff_with_mfa) -> None:
    page = signed_in(staff_with_mfa).get(URL, {"weeks": "7"})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="id_weeks_error"' in text and "Choose 4, 8 or 12 weeks." in text
    assert "The last 8 weeks are shown." in text


# --- what is held back --------------------------------------------------------------------------


def test_parts_below_the_minimum_are_held_back_with_the_next_smallest() -> None:
    assert held_back({"fire": 9, "police": 6, "ems": 0}, minimum=5) == set()
    assert held_back({"fire": 9, "police": 6, "ems": 2}, minimum=5) == {"ems", "police"}
    assert held_back({"fire": 9, "police": 3, "ems": 2}, minimum=5) == {"ems", "police"}
    assert held_back({"fire": 9, "police": 1}, minimum=5) == {"fire", "police"}
    # Whatever is held back together covers the minimum, or everything is held back.
    for counts in ({"a": 1, "b": 1, "c": 1, "d": 7}, {"a": 4, "b": 4}, {"a": 1}):
        hidden = held_back(counts, minimum=5)
        assert not hidden or sum(counts[k] for k in hidden) >= 5 or hidden == set(counts)
