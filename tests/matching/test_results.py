"""The ranked list: only eligible therapists, with reasons, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from matching.intake import Intake
from profiles.models import License, VettingStatus
from profiles.services.accounts import answers_to_session
from tests.factories import LicenseFactory, TherapistFactory, TrainingFactory, listed_therapist

pytestmark = pytest.mark.django_db

FIREFIGHTER_IN_DENVER = Intake(
    service="fire",
    state="CO",
    zip_code="80202",
    format_preference="telehealth",
    concerns=frozenset({"trauma"}),
    hours=frozenset({"evenings"}),
)


def with_answers(client: Client, intake: Intake = FIREFIGHTER_IN_DENVER) -> Client:
    session = client.session
    answers_to_session(session=session, answers=intake.to_dict())
    session.save()
    return client


def names_on(page: str) -> list[str]:
    return re.findall(r'<h3 id="result-\d+"><a href="[^"]+">([^<]+)</a>', page)


def test_without_a_state_the_responder_is_asked_for_one(client: Client) -> None:
    response = client.get(reverse("matching:results"))
    assert response.status_code == 302
    assert response["Location"] == reverse("matching:intake_step", args=["place"])


def test_the_list_holds_only_therapists_licensed_here_who_offer_telehealth(client: Client) -> None:
    shown = listed_therapist(full_name="Shown Telehealth")
    listed_therapist(
        full_name="Office Only",
        formats={"in_person"},
        office_zip="80202",
        office_latitude=39.75,
        office_longitude=-104.99,
        telehealth_states=set(),
    )
    listed_therapist(full_name="Telehealth Elsewhere", telehealth_states={"NM"})
    elsewhere = TherapistFactory(full_name="Licensed In New Mexico", telehealth_states={"CO", "NM"})
    LicenseFactory(therapist=elsewhere, state="NM")
    LicenseFactory(
        therapist=TherapistFactory(full_name="Pending License"), status=VettingStatus.PENDING
    )
    LicenseFactory(
        therapist=TherapistFactory(full_name="Rejected License"), status=VettingStatus.REJECTED
    )
    LicenseFactory(
        therapist=TherapistFactory(full_name="Not Accepting", accepting_new_clients=False)
    )
    LicenseFactory(therapist=TherapistFactory(full_name="Unpublished", published_at=None))
    LicenseFactory(
        therapist=TherapistFactory(full_name="Expired License"),
        expires_on=timezone.localdate() - dt.timedelta(days=1),
    )

    page = with_answers(client).get(reverse("matching:results")).text
    assert names_on(page) == [shown.full_name]
    assert "1 therapist matches" in page


def test_each_card_shows_its_score_reasons_and_what_is_verified(client: Client) -> None:
    therapist = listed_therapist(
        full_name="Casey Fictional",
        services_served={"fire"},
        years_serving_responders=12,
        hours={"evenings", "weekends"},
        agency_evaluations={"fitness_for_duty"},
    )
    TrainingFactory(therapist=therapist, kind="certification")
    page = with_answers(client).get(reverse("matching:results")).text
    assert re.search(r"Match \d+ of 100", page)
    assert "Has worked with firefighters" in page
    assert "12 years serving first responders" in page
    assert "Verified first-responder counselor certification" in page
    assert "Casey Fictional</a>, LCSW</h3>" in page
    assert "License: LCSW (clinical social worker), Colorado" in page
    assert "Self-reported" in page
    assert "Also does fitness-for-duty evaluations for agencies" in page
    assert "Why this match" in page
    assert "New to Rapport: no intro requests yet" in page


def test_the_better_fit_comes_first(client: Client) -> None:
    listed_therapist(full_name="Generalist", services_served={"police"}, years_serving_responders=1)
    listed_therapist(
        full_name="Fire Specialist", services_served={"fire"}, years_serving_responders=15
    )
    page = with_answers(client).get(reverse("matching:results")).text
    assert names_on(page) == ["Fire Specialist", "Generalist"]


def test_each_kind_of_evaluator_is_left_out_when_the_responder_asks(client: Client) -> None:
    listed_therapist(full_name="Fitness Evaluator", agency_evaluations={"fitness_for_duty"})
    listed_therapist(full_name="Screener", agency_evaluations={"pre_employment"})
    listed_therapist(full_name="Therapy Only")
    fitness = FIREFIGHTER_IN_DENVER.updated(avoid_fitness_evaluators=True)
    screening = FIREFIGHTER_IN_DENVER.updated(avoid_preemployment_evaluators=True)
    listed = sorted(names_on(with_answers(client, fitness).get(reverse("matching:results")).text))
    assert listed == ["Screener", "Therapy Only"]
    other = Client()
    listed = sorted(names_on(with_answers(other, screening).get(reverse("matching:results")).text))
    assert listed == ["Fitness Evaluator", "Therapy Only"]


def test_answers_kept_before_the_split_leave_out_both_kinds() -> None:
    old = {"state": "CO", "avoid_agency_evaluators": True}
    intake = Intake.from_dict(old)
    assert intake.avoid_fitness_evaluators and intake.avoid_preemployment_evaluators


def test_filters_in_the_url_refine_the_list_and_stay_shareable(client: Client) -> None:
    listed_therapist(full_name="Telehealth Only")
    listed_therapist(
        full_name="Office In Denver",
        formats={"in_person"},
        office_zip="80202",
        office_latitude=39.7508,
        office_longitude=-104.9966,
        telehealth_states=set(),
    )
    with_answers(client)
    in_person = client.get(reverse("matching:results"), {"format": "in_person", "miles": "10"})
    assert names_on(in_person.text) == ["Office In Denver"]
    assert 'value="in_person" checked' in in_person.text or "checked" in in_person.text
    either = client.get(reverse("matching:results"), {"format": "either", "miles": "10"})
    assert set(names_on(either.text)) == {"Telehealth Only", "Office In Denver"}


@pytest.mark.parametrize(
    "query",
    [
        {"format": "teleport", "miles": "10"},
        {"format": "either", "miles": "-4"},
        {"page": "abc"},
        {"page": "99999"},
        {"format": "either", "miles": "x" * 500},
    ],
)
def test_bad_filters_never_break_the_page(client: Client, query: dict) -> None:
    listed_therapist()
    response = with_answers(client).get(reverse("matching:results"), query)
    assert response.status_code == 200
    assert len(names_on(response.text)) == 1


def test_an_htmx_request_gets_only_the_results(client: Client) -> None:
    listed_therapist()
    response = with_answers(client).get(
        reverse("matching:results"), {"format": "either", "miles": "30"}, HTTP_HX_REQUEST="true"
    )
    assert "<html" not in response.text
    assert 'id="results-heading"' in response.text
    assert 'hx-swap-oob="true"' in response.text
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(client: Client) -> None:
    listed_therapist()
    response = with_answers(client).get(
        reverse("matching:results"), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.text


def test_results_are_paginated(client: Client) -> None:
    for n in range(12):
        listed_therapist(full_name=f"Therapist {n:02d}")
    with_answers(client)
    first = client.get(reverse("matching:results")).text
    second = client.get(reverse("matching:results"), {"page": "2"}).text
    assert len(names_on(first)) == 10 and len(names_on(second)) == 2
    assert not set(names_on(first)) & set(names_on(second))
    assert "Page 2 of 2" in second


def test_an_empty_list_is_kind_and_offers_next_steps(client: Client) -> None:
    listed_therapist(
        formats={"in_person"},
        office_zip="80202",
        office_latitude=39.75,
        office_longitude=-104.99,
        telehealth_states=set(),
    )
    page = with_answers(client).get(reverse("matching:results")).text
    assert "No therapist matches all of this yet" in page
    assert "Allow both telehealth and in-person meetings" in page
    assert "988" in page


def test_a_new_verification_shows_up_at_once(client: Client) -> None:
    listed_therapist(full_name="Already Listed")
    waiting = LicenseFactory(
        therapist=TherapistFactory(full_name="Just Verified"), status=VettingStatus.PENDING
    )
    with_answers(client)
    assert names_on(client.get(reverse("matching:results")).text) == ["Already Listed"]
    License.objects.filter(pk=waiting.pk).update(status=VettingStatus.VERIFIED)  # no signals
    assert set(names_on(client.get(reverse("matching:results")).text)) == {
        "Already Listed",
        "Just Verified",
    }


@pytest.mark.parametrize("count", [20, 200])
def test_a_ranked_page_takes_the_same_few_queries_at_any_size(
    client: Client, count: int, django_assert_max_num_queries
) -> None:
    therapists = TherapistFactory.create_batch(count)
    for therapist in therapists:
        LicenseFactory(therapist=therapist)
    with_answers(client).get(reverse("matching:results"))  # loads the state once
    # The change feed; the therapists it names (in a test's one transaction, the rows just
    # written) and their measured alliance; the shown therapists' reasons and theirs.
    with django_assert_max_num_queries(5):
        response = client.get(reverse("matching:results"), {"page": "2"})
    assert response.status_code == 200
    assert len(names_on(response.text)) == 10


def test_the_profile_page_shows_the_same_reasons_as_the_card(client: Client) -> None:
    therapist = listed_therapist(services_served={"fire"}, years_serving_responders=9)
    with_answers(client)
    card = client.get(reverse("matching:results")).text
    profile = client.get(reverse("matching:therapist_detail", args=[therapist.public_id])).text
    card_score = re.search(r"Match (\d+) of 100", card).group(1)
    assert f"Match {card_score} of 100" in profile
    for reason in ("Has worked with firefighters", "9 years serving first responders"):
        assert reason in card and reason in profile


def test_the_profile_page_says_when_a_therapist_does_not_fit(client: Client) -> None:
    therapist = TherapistFactory()
    LicenseFactory(therapist=therapist, state="NM")
    therapist.telehealth_states = frozenset({"NM"})
    therapist.save()
    page = (
        with_answers(client, FIREFIGHTER_IN_DENVER.updated(state="NM"))
        .get(reverse("matching:therapist_detail", args=[therapist.public_id]))
        .text
    )
    assert "Match" in page
    other = (
        with_answers(Client())
        .get(reverse("matching:therapist_detail", args=[therapist.public_id]))
        .text
    )
    assert "not licensed in your state" in other
    assert reverse("matching:intro_new", args=[therapist.public_id]) not in other


def test_the_profile_page_offers_a_request_to_a_therapist_who_misses_a_wish(
    client: Client,
) -> None:
    """Format and the "only" answers are the responder's to relax; the button stays."""
    therapist = listed_therapist(languages=frozenset({"en"}))
    spanish_only = FIREFIGHTER_IN_DENVER.updated(
        languages=frozenset({"es"}), language_required=True
    )
    page = (
        with_answers(client, spanish_only)
        .get(reverse("matching:therapist_detail", args=[therapist.public_id]))
        .text
    )
    assert "Match " not in page
    assert "They do not fit everything you asked for" in page
    assert reverse("matching:intro_new", args=[therapist.public_id]) in page


def test_nothing_sensitive_reaches_the_url(client: Client) -> None:
    listed_therapist()
    page = with_answers(client).get(reverse("matching:results")).text
    hrefs = " ".join(re.findall(r'(?:href|hx-get)="([^"]*)"', page))
    for secret in ("trauma", "concern", "80202", "fire"):
        assert secret not in hrefs


def test_how_we_rank_lists_every_part_with_its_points(client: Client) -> None:
    page = client.get(reverse("matching:how_we_rank")).text
    for title, points in [
        ("How they build the working relationship", 30),
        ("Knows first responders", 25),
        ("Practical fit", 15),
        ("Answers and keeps their profile current", 10),
    ]:
        assert f"<dt>{title}</dt><dd>{points} points." in page
    assert "Nobody pays for a higher place" in page
    assert "Why the working relationship counts most" in page
    assert page.index("How they build the working relationship") < page.index(
        "Knows first responders"
    )
