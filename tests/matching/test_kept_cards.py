"""The cards a process keeps: a page whose therapists did not change reads none of them again,
and a change to one shows on the very next page.

The tests commit (transaction=True): inside one test transaction, the change feed names the
rows the test wrote on every look, and nothing would ever be kept.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.intake import Intake
from matching.ranking import feed
from matching.ranking.feed import LoadedStates
from matching.selectors.ranking import ranked_page, seeker_from
from profiles.models import TherapistProfile
from profiles.services.accounts import answers_to_session
from tests.factories import listed_therapist

pytestmark = pytest.mark.django_db(transaction=True)

TELEHEALTH_IN_COLORADO = Intake(state="CO", format_preference="telehealth")


def names_on(page: str) -> list[str]:
    return re.findall(r'<h3 id="result-\d+"><a href="[^"]+">([^<]+)</a>', page)


def therapist_reads(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "profiles_therapistprofile" in q["sql"]]


def test_a_page_shown_again_reads_no_therapist_and_a_rename_shows_at_once(client: Client) -> None:
    for number in range(12):
        listed_therapist(full_name=f"Fictional Therapist {number:02d}")
    session = client.session
    answers_to_session(session=session, answers=TELEHEALTH_IN_COLORADO.to_dict())
    session.save()
    first = names_on(client.get(reverse("matching:results")).text)
    assert len(first) == 10

    with CaptureQueriesContext(connection) as queries:
        again = names_on(client.get(reverse("matching:results")).text)
    assert again == first
    assert therapist_reads(queries) == []  # the feed only: nothing changed

    shown = TherapistProfile.objects.get(full_name=first[3])
    shown.full_name = "Fictional Therapist Renamed"
    shown.save(update_fields=["full_name"])
    with CaptureQueriesContext(connection) as queries:
        after = names_on(client.get(reverse("matching:results")).text)
    assert "Fictional Therapist Renamed" in after and first[3] not in after
    assert len(therapist_reads(queries)) >= 1  # the renamed one was read again


def test_a_therapist_taken_off_the_list_leaves_the_page_and_the_rest_stay_kept() -> None:
    therapists = [listed_therapist(full_name=f"Fictional Listed {n}") for n in range(4)]
    states = LoadedStates()
    seeker = seeker_from(TELEHEALTH_IN_COLORADO, tie_seed=7)
    assert len(ranked_page(seeker=seeker, states=states).cards) == 4
    TherapistProfile.objects.filter(pk=therapists[0].pk).update(accepting_new_clients=False)
    with CaptureQueriesContext(connection) as queries:
        page = ranked_page(seeker=seeker, states=states)
    assert {card.facts.therapist_id for card in page.cards} == {t.pk for t in therapists[1:]}
    # One read: the changed therapist, to patch the state's columns; the three shown cards
    # were kept.
    assert len(therapist_reads(queries)) == 1


def test_at_most_the_set_number_of_therapists_is_kept(monkeypatch) -> None:
    monkeypatch.setattr(feed, "CARDS_KEPT", 3)
    for number in range(6):
        listed_therapist(full_name=f"Fictional Kept {number}")
    states = LoadedStates()
    page = ranked_page(seeker=seeker_from(TELEHEALTH_IN_COLORADO, tie_seed=7), states=states)
    assert len(page.cards) == 6  # every card shown, though not every one kept
    assert len(states._cards) == 3
