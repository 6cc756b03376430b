"""The therapist's dashboard and the staff overview: aggregates, and only shared answers."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import answered_checkins, listed_therapist

pytestmark = pytest.mark.django_db

NOTE = "Fictional private note about the night shift"


def client_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def therapist(totp_user_factory):
    therapist = listed_therapist(full_name="Jordan Fictional")
    totp_user_factory(therapist.user)
    return therapist


def test_below_the_minimum_the_dashboard_shows_no_figures(therapist) -> None:
    answered_checkins(therapist, 9, responders=4, note=NOTE)
    page = client_as(therapist.user).get(reverse("alliance:dashboard")).text
    assert "Not measured yet" in page
    assert "of 10" not in page


def test_from_the_minimum_the_dashboard_shows_shrunk_traits_beside_all_therapists(
    therapist,
) -> None:
    other = listed_therapist()
    answered_checkins(other, 6, responders=10)
    answered_checkins(therapist, 10, responders=5)
    page = client_as(therapist.user).get(reverse("alliance:dashboard")).text
    # Population, each therapist once: (6 + 10) / 2 = 8.0. Two therapists are too few to
    # estimate how much therapists differ: the default strength, 9 responders.
    # Shrunk: (50 + 9 * 8.0) / (5 + 9) = 8.71.
    assert "Your traits, from 5 responders" in page
    assert '<td data-label="You, of 10">8.7</td><td data-label="All therapists">8.0</td>' in page
    assert "Batch by batch" in page


def test_a_shared_check_in_appears_and_an_unshared_one_does_not(therapist) -> None:
    shared = answered_checkins(therapist, {"empathy": 7, "fit": 6}, responders=1, shared=True)
    answered_checkins(therapist, {"empathy": 2, "fit": 3}, responders=1, note=NOTE)
    page = client_as(therapist.user).get(reverse("alliance:dashboard")).text
    pseudonym = shared[0].plan.responder.pseudonym
    assert pseudonym in page
    assert "<dd>6 of 10</dd>" in page
    assert "<dd>3 of 10</dd>" not in page and "<dd>2 of 10</dd>" not in page
    assert "night shift" not in page


def test_a_shared_note_is_still_never_shown(therapist) -> None:
    answered_checkins(therapist, 8, responders=1, shared=True, note=NOTE)
    page = client_as(therapist.user).get(reverse("alliance:dashboard")).text
    assert "night shift" not in page


def test_a_therapist_sees_only_their_own_shared_check_ins(therapist, totp_user_factory) -> None:
    other = listed_therapist()
    totp_user_factory(other.user)
    shared = answered_checkins(therapist, 8, responders=1, shared=True)
    page = client_as(other.user).get(reverse("alliance:dashboard")).text
    assert shared[0].plan.responder.pseudonym not in page


def test_staff_see_aggregates_and_those_well_below_the_rest(therapist, staff_with_mfa) -> None:
    low = listed_therapist(full_name="Kim Lowfictional")
    answered_checkins(therapist, 9, responders=20, note=NOTE)
    answered_checkins(low, 5, responders=20)
    few = listed_therapist(full_name="Lee Fewfictional")
    answered_checkins(few, 2, responders=3)
    page = client_as(staff_with_mfa).get(reverse("alliance:staff")).text
    assert "43 answered check-ins, 40 of them in closed batches; 2 therapists" in page
    assert "Kim Lowfictional" in page
    assert "Jordan Fictional" not in page
    assert "Lee Fewfictional" not in page  # too few check-ins to judge
    assert "night shift" not in page


def test_the_admin_shows_staff_no_individual_check_in() -> None:
    from django.contrib import admin

    from alliance.models import CheckIn, CheckInPlan

    assert not admin.site.is_registered(CheckIn)
    assert not admin.site.is_registered(CheckInPlan)


def test_one_more_check_in_changes_no_figure_until_a_new_batch_closes(therapist) -> None:
    """Comparing the page before and after one check-in must not reveal that answer."""
    other = listed_therapist()
    answered_checkins(other, 6, responders=10)
    answered_checkins(therapist, 10, responders=5)
    client = client_as(therapist.user)

    def main() -> str:
        page = client.get(reverse("alliance:dashboard")).text
        return page[page.index("<main") : page.index("</main>")]

    before = main()
    for _ in range(4):
        answered_checkins(therapist, 1, responders=1)
        assert main() == before
    answered_checkins(therapist, 1, responders=1)
    after = main()
    assert after != before
    assert "Your traits, from 10 responders" in after


def test_the_batch_mean_is_the_mean_of_the_four_traits_not_of_five_items(therapist) -> None:
    """Issue 26: the five items (four traits and fit) were added up and divided by four."""
    ratings = {"respect_trust": 7, "collaboration": 7, "empathy": 8, "adaptability": 8, "fit": 7}
    answered_checkins(therapist, ratings, responders=5)
    answered_checkins(therapist, {**ratings, "empathy": 6, "fit": 2}, responders=5)
    page = client_as(therapist.user).get(reverse("alliance:dashboard")).text
    # First batch: (7 + 7 + 8 + 8) / 4 = 7.5 (with fit added in: 9.25). Second: 7.0 (8.5).
    # A batch's mean shows as a band two points wide: both fall in 6 to 8, not 8 to 10.
    assert "Mean of the four traits" in page
    assert page.count('<td data-label="Mean of the four traits">6 to 8 of 10</td>') == 2
    assert "8 to 10 of 10" not in page
