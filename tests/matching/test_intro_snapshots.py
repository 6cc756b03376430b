"""Every intro request keeps a snapshot of the score it was made on, even after the responder
deletes their account."""

from __future__ import annotations

import html
import re
import uuid

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliance.models import CheckInPlan
from matching.intake import Intake
from matching.models import IntroRequest, IntroSnapshot
from matching.scoring.weights import SCORING_VERSION
from matching.selectors.ranking import match_for_therapist, ranked_page, seeker_from
from matching.services import intros
from matching.services.accounts import responder_account_delete
from matching.shown_rank import shown_rank_token
from profiles.models import ResponderProfile, User
from tests.factories import (
    ResponderFactory,
    answered_checkins,
    intro_through_service,
    listed_therapist,
)

pytestmark = pytest.mark.django_db

FIREFIGHTER = Intake(
    service="fire",
    state="CO",
    zip_code="80202",
    format_preference="telehealth",
    concerns=frozenset({"trauma"}),
    hours=frozenset({"evenings"}),
)


@pytest.fixture(autouse=True)
def _clock_stands_still():
    """The score moves with the clock (how long ago a profile was confirmed): a list seen
    and a request sent in the same instant must agree to the last digit."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


@pytest.fixture
def responder() -> ResponderProfile:
    return ResponderFactory(pseudonym="Ladder Four", answers=FIREFIGHTER.to_dict())


@pytest.fixture
def signed_in(responder) -> Client:
    client = Client()
    client.force_login(responder.user)
    return client


def three_therapists() -> list:
    """Three listed therapists who score apart: different years with responders."""
    return [
        listed_therapist(full_name=f"Fictional Therapist {years}", years_serving_responders=years)
        for years in (2, 9, 20)
    ]


def intro_links(page: str) -> dict[str, str]:
    """Each card's intro link on a ranked page, by therapist public id."""
    links = re.findall(r'href="(/therapists/([0-9a-f-]{36})/intro/\?shown=[^"]+)"', page)
    return {public_id: html.unescape(href) for href, public_id in links}


def send_from(client: Client, link: str) -> IntroRequest:
    """Open the intro form at the link and send it as a responder would."""
    form = client.get(link).text
    shown = re.search(r'name="shown" value="([^"]*)"', form)
    token = re.search(r'name="token" value="([^"]+)"', form).group(1)
    response = client.post(
        link,
        {
            "message": "Fictional message.",
            "contact_method": "rapport",
            "token": token,
            "shown": html.unescape(shown.group(1)) if shown else "",
        },
    )
    assert response.status_code == 302
    return IntroRequest.objects.get(public_id=response["Location"].split("/")[-2])


def test_an_intro_from_the_list_keeps_the_score_and_place_the_responder_saw(signed_in) -> None:
    three_therapists()
    page = signed_in.get(reverse("matching:results")).text
    seen = ranked_page(seeker=seeker_from(FIREFIGHTER)).cards
    assert len(seen) == 3 and len({round(c.score.total, 6) for c in seen}) == 3
    second = seen[1]
    link = intro_links(page)[second.facts.public_id]

    intro = send_from(signed_in, link)

    snapshot = IntroSnapshot.objects.get(intro=intro)
    assert snapshot.shown_rank == 2
    assert snapshot.total == pytest.approx(second.score.total, abs=1e-9)
    assert f"Match {round(snapshot.total)} of 100" in page
    assert snapshot.points == pytest.approx(
        {component.key: component.points for component in second.score.components}, abs=1e-9
    )
    assert snapshot.total == pytest.approx(sum(snapshot.points.values()), abs=1e-9)
    assert snapshot.scoring_version == SCORING_VERSION
    assert snapshot.eligible is True
    assert snapshot.alliance_source == IntroSnapshot.AllianceSource.SELF_DESCRIBED
    assert snapshot.alliance_checkins is None and snapshot.alliance_responders is None
    assert snapshot.for_intro_id == intro.pk
    assert snapshot.taken_on == timezone.localdate()


def test_the_score_is_the_one_of_the_lists_filters(signed_in, responder) -> None:
    """A list refined in its URL ranks on the refined answers; so does the snapshot."""
    therapist = listed_therapist(full_name="Fictional Both Ways")
    refined = FIREFIGHTER.updated(format_preference="either")
    page = signed_in.get(reverse("matching:results") + "?format=either&miles=25").text
    [card] = ranked_page(seeker=seeker_from(refined)).cards
    saved_answers_score = match_for_therapist(
        seeker=seeker_from(FIREFIGHTER), therapist_id=therapist.pk
    )[0]
    assert card.score.total != pytest.approx(saved_answers_score.total, abs=1e-6)

    intro = send_from(signed_in, intro_links(page)[str(therapist.public_id)])

    assert intro.snapshot.total == pytest.approx(card.score.total, abs=1e-9)
    assert intro.snapshot.shown_rank == 1


def test_an_intro_from_the_therapists_page_keeps_the_score_and_no_rank(signed_in) -> None:
    _, middle, _ = three_therapists()
    link = reverse("matching:intro_new", args=[middle.public_id])
    expected = match_for_therapist(seeker=seeker_from(FIREFIGHTER), therapist_id=middle.pk)[0]

    intro = send_from(signed_in, link)

    assert intro.snapshot.shown_rank is None
    assert intro.snapshot.total == pytest.approx(expected.total, abs=1e-9)


@pytest.mark.parametrize("how", ["forged", "other_therapist", "garbage"])
def test_a_rank_that_was_not_shown_is_not_recorded(signed_in, how) -> None:
    first, second, _ = three_therapists()
    token = {
        "forged": shown_rank_token(
            therapist_public_id=str(second.public_id), position=1, filters=""
        )[:-3]
        + "abc",
        "other_therapist": shown_rank_token(
            therapist_public_id=str(first.public_id), position=1, filters=""
        ),
        "garbage": "x" * 2000,
    }[how]
    link = reverse("matching:intro_new", args=[second.public_id]) + "?shown=" + token
    intro = send_from(signed_in, link)
    assert intro.snapshot.shown_rank is None
    assert intro.snapshot.total is not None


def test_a_measured_alliance_records_how_many_stood_behind_it(responder) -> None:
    therapist = listed_therapist(full_name="Fictional Measured")
    answered_checkins(therapist, 9, responders=5, service="fire")
    answered_checkins(therapist, 7, responders=6, service="ems")

    intro = intro_through_service(responder, therapist)

    # A firefighter is scored on firefighters' check-ins, where they alone have enough.
    snapshot = intro.snapshot
    assert snapshot.alliance_source == IntroSnapshot.AllianceSource.MEASURED
    assert (snapshot.alliance_checkins, snapshot.alliance_responders) == (5, 5)
    score = match_for_therapist(seeker=seeker_from(FIREFIGHTER), therapist_id=therapist.pk)[0]
    assert score.alliance_source == "Rated by 5 responders in check-ins after a match"
    dispatcher = ResponderFactory(answers=FIREFIGHTER.updated(service="dispatch").to_dict())
    other = intro_through_service(dispatcher, therapist)
    # A dispatcher, with no dispatchers' figure, on all released check-ins: batches close at
    # five responders, so 10 of the 11.
    assert (other.snapshot.alliance_checkins, other.snapshot.alliance_responders) == (10, 10)
    seeker = seeker_from(FIREFIGHTER.updated(service="dispatch"))
    score = match_for_therapist(seeker=seeker, therapist_id=therapist.pk)[0]
    assert score.alliance_source == "Rated by 10 responders in check-ins after a match"


def test_a_therapist_outside_the_responders_musts_is_snapshotted_without_a_score() -> None:
    spanish_only = FIREFIGHTER.updated(languages=frozenset({"es"}), language_required=True)
    responder = ResponderFactory(answers=spanish_only.to_dict())
    therapist = listed_therapist(languages=frozenset({"en"}))

    intro = intro_through_service(responder, therapist)

    assert intro.snapshot.eligible is False
    assert intro.snapshot.total is None
    assert set(intro.snapshot.points.values()) == {None}


def test_sending_the_same_form_twice_keeps_one_snapshot(responder) -> None:
    therapist = listed_therapist()
    token = uuid.uuid4()
    first = intro_through_service(responder, therapist, submission_token=token)
    again = intro_through_service(responder, therapist, submission_token=token)
    assert first.pk == again.pk
    assert IntroSnapshot.objects.count() == 1


def test_deleting_the_responder_keeps_the_snapshot_and_nothing_that_names_them(
    responder, django_capture_on_commit_callbacks
) -> None:
    therapist = listed_therapist(full_name="Fictional Kept")
    intro = intro_through_service(responder, therapist)
    intros.intro_answer(intro=intro, decision="accepted", reply="Fictional reply.")
    taken = IntroSnapshot.objects.get(intro=intro)
    user = responder.user

    with django_capture_on_commit_callbacks(execute=False):
        responder_account_delete(user=user)

    # The accepted intro stays only as an ended conversation, naming no one.
    ended = IntroRequest.objects.get(pk=intro.pk)
    assert ended.responder is None and ended.message == "" and ended.therapist_reply == ""
    assert not User.objects.filter(pk=user.pk).exists()
    kept = IntroSnapshot.objects.get(pk=taken.pk)
    assert kept.intro is None
    assert kept.total == taken.total and kept.shown_rank == taken.shown_rank
    # It still meets the (anonymous) check-in plan of its intro, for the staff report.
    plan = CheckInPlan.objects.get(intro_id=kept.for_intro_id)
    assert plan.responder is None and plan.therapist == therapist
    # No column of the snapshot can lead back to the responder.
    related = {
        field.related_model
        for field in IntroSnapshot._meta.get_fields()
        if field.is_relation and field.related_model
    }
    assert ResponderProfile not in related and User not in related
    values = " ".join(str(getattr(kept, f.attname)) for f in IntroSnapshot._meta.concrete_fields)
    for identifying in ("Ladder Four", user.email, str(user.pk) + "@"):
        assert identifying not in values


def test_the_database_refuses_a_half_snapshot(responder) -> None:
    intro = intro_through_service(responder, listed_therapist())
    snapshot = intro.snapshot
    with pytest.raises(IntegrityError), transaction.atomic():
        IntroSnapshot.objects.filter(pk=snapshot.pk).update(clinical_points=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        IntroSnapshot.objects.filter(pk=snapshot.pk).update(alliance_checkins=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        IntroSnapshot.objects.filter(pk=snapshot.pk).update(shown_rank=0)
