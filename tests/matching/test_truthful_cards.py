"""Every line a card shows is true of the therapist it describes, read from real requests."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from matching.intake import Intake
from matching.models import IntroRequest, TherapistResponsiveness
from matching.services.intros import responsiveness_refresh
from profiles.services.accounts import answers_to_session
from tests.factories import ResponderFactory, TrainingFactory, listed_therapist

pytestmark = pytest.mark.django_db

FIREFIGHTER = Intake(service="fire", state="CO", format_preference="telehealth")


def with_answers(client: Client, intake: Intake = FIREFIGHTER) -> Client:
    session = client.session
    answers_to_session(session=session, answers=intake.to_dict())
    session.save()
    return client


def card_of(page: str, name: str) -> str:
    start = page.index(name)
    return page[start : page.index("</article>", start)]


def history(therapist, outcomes: list[tuple[str, float | None]]) -> None:
    """Requests with their outcome, oldest first; hours to answer for answered ones."""
    responder = ResponderFactory()
    start = timezone.now() - dt.timedelta(days=200)
    for n, (status, hours) in enumerate(outcomes):
        created = start + dt.timedelta(days=n)
        IntroRequest.objects.create(
            responder=responder,
            therapist=therapist,
            submission_token=f"00000000-0000-4000-8000-{n:012d}",
            contact_method="rapport",
            status=status,
            created_at=created,
            delivered_at=created,
            expires_at=created + dt.timedelta(hours=72),
            answered_at=created + dt.timedelta(hours=hours) if hours is not None else None,
        )
    responsiveness_refresh(therapist_id=therapist.pk)


def test_a_therapist_who_answered_one_request_in_twenty_is_not_called_quick(
    client: Client,
) -> None:
    therapist = listed_therapist(full_name="Rarely Answers")
    history(therapist, [("accepted", 2.0)] + [("expired", None)] * 19)
    card = card_of(with_answers(client).get(reverse("matching:results")).text, "Rarely Answers")
    assert "Answered 1 of their last 20 intro requests, usually within a few hours" in card
    assert "Usually answers" not in card


def test_a_therapist_who_let_every_request_expire_says_so(client: Client) -> None:
    therapist = listed_therapist(full_name="Never Answers")
    history(therapist, [("expired", None)] * 10)
    card = card_of(with_answers(client).get(reverse("matching:results")).text, "Never Answers")
    assert "Has not answered any of their last 10 intro requests" in card


def test_only_the_last_twenty_requests_with_an_outcome_count() -> None:
    therapist = listed_therapist()
    history(therapist, [("expired", None)] * 5 + [("declined", 30.0)] * 20 + [("pending", None)])
    stats = TherapistResponsiveness.objects.get(therapist=therapist)
    assert (stats.decided, stats.answered, stats.median_answer_hours) == (20, 20, 30.0)


def test_a_pending_training_is_shown_as_awaiting_verification_and_earns_nothing(
    client: Client,
) -> None:
    claims = listed_therapist(full_name="Claims Certificate")
    TrainingFactory(therapist=claims, kind="certification", status="pending")
    listed_therapist(full_name="No Training")
    page = with_answers(client).get(reverse("matching:results")).text
    card = card_of(page, "Claims Certificate")
    assert "first-responder counselor certification: awaiting verification" in card
    assert "Verified first-responder counselor certification" not in card
    score = re.search(r"Match (\d+) of 100", card).group(1)
    other = re.search(r"Match (\d+) of 100", card_of(page, "No Training")).group(1)
    assert score == other


def test_the_card_shows_place_fee_and_what_does_not_fit(client: Client) -> None:
    listed_therapist(
        full_name="Office And Screen",
        formats={"in_person", "telehealth"},
        office_zip="80401",
        office_city="Golden",
        office_latitude=39.7555,
        office_longitude=-105.2211,
        fee_min_dollars=110,
        fee_max_dollars=150,
        payment_methods={"self_pay"},
        hours={"weekday_daytime"},
        agency_evaluations={"pre_employment"},
    )
    intake = FIREFIGHTER.updated(
        zip_code="80202",
        format_preference="either",
        hours=frozenset({"evenings"}),
        payment_methods=frozenset({"eap"}),
    )
    card = card_of(
        with_answers(client, intake).get(reverse("matching:results")).text, "Office And Screen"
    )
    assert "Office in Golden, 12 miles away · telehealth too" in card
    assert "$110 to $150 a session" in card
    assert "Does not take agency EAP" in card
    assert "Does not offer evening sessions" in card
    assert "Also does pre-employment screening for agencies" in card


def test_exact_ties_keep_their_order_for_one_visitor_and_differ_between_visitors() -> None:
    confirmed = timezone.now() - dt.timedelta(days=1)
    for n in range(12):
        listed_therapist(full_name=f"Twin {n:02d} Fictional", confirmed_at=confirmed)

    def order(client: Client) -> list[str]:
        page = client.get(reverse("matching:results")).text
        return re.findall(r'<h3 id="result-\d+"><a href="[^"]+">([^<]+)</a>', page)

    first = with_answers(Client())
    seen = order(first)
    assert order(first) == seen  # reloading never reshuffles
    others = {tuple(order(with_answers(Client()))) for _ in range(4)}
    assert others - {tuple(seen)}, "Every visitor saw the same order of identical therapists"


def test_a_card_names_credentials_once_and_says_each_fact_once(client: Client) -> None:
    therapist = listed_therapist(full_name="Robin Fictional", credentials="PsyD")
    therapist.licenses.update(license_type="psychologist")
    history(therapist, [("accepted", 2.0)] * 8)
    card = card_of(with_answers(client).get(reverse("matching:results")).text, "Robin Fictional")
    # The verified type beside the name; the therapist's own "PsyD" only in the panel,
    # marked as theirs, never beside a verified badge as if it were verified.
    assert "Robin Fictional</a>, Psychologist</h3>" in card
    assert "PsyD (self-reported)" not in card
    assert card.index("Also signs as PsyD") > card.index("Why this match")
    assert card.count("Answered 8 of their last 8 intro requests") == 1


def test_a_credential_both_verified_and_signed_is_shown_once(client: Client) -> None:
    """Issue 23: "Dr. Onboarding Test, LCSW, LCSW, CCTP (self-reported)". The verified LCSW
    goes beside the name; of what they sign with, only what it does not say."""
    listed_therapist(full_name="Dr. Robin Fictional", credentials="LCSW, CCTP")
    card = card_of(with_answers(client).get(reverse("matching:results")).text, "Robin Fictional")
    assert "Robin Fictional</a>, LCSW</h3>" in card
    assert "Also signs as CCTP <span" in card
    assert "LCSW, CCTP" not in card and "LCSW, LCSW" not in card
