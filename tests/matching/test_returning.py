"""A responder who comes back: links out of an empty list, changing one answer, one rule
for who may be asked for an introduction."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from matching.intake import Intake
from matching.models import IntroRequest
from profiles.models import ResponderProfile
from profiles.services.accounts import answers_to_session
from tests.factories import ResponderFactory, listed_therapist

pytestmark = pytest.mark.django_db

# In person in Denver, within 25 miles, Spanish a must.
SPANISH_IN_DENVER = Intake(
    service="fire",
    state="CO",
    zip_code="80202",
    format_preference="in_person",
    travel_miles=25,
    languages=frozenset({"es"}),
    language_required=True,
)
# Colorado Springs: about 65 miles from Denver.
SPRINGS = {"office_zip": "80903", "office_latitude": 38.8339, "office_longitude": -104.8214}


def with_answers(client: Client, intake: Intake) -> Client:
    session = client.session
    answers_to_session(session=session, answers=intake.to_dict())
    session.save()
    return client


def link(page: str, words: str) -> str:
    match = re.search(r'<a href="([^"]*)">' + re.escape(words), page)
    assert match, f"No link {words!r} on the page"
    return html.unescape(match.group(1))


def names_on(page: str) -> list[str]:
    return re.findall(r'<h3 id="result-\d+"><a href="[^"]+">([^<]+)</a>', page)


def test_looking_further_away_keeps_the_must_haves(client: Client) -> None:
    listed_therapist(
        full_name="English Only Springs", formats={"in_person"}, languages={"en"}, **SPRINGS
    )
    listed_therapist(
        full_name="Habla Springs", formats={"in_person"}, languages={"en", "es"}, **SPRINGS
    )
    page = with_answers(client, SPANISH_IN_DENVER).get(reverse("matching:results")).text
    assert "No therapist matches all of this yet" in page
    further = link(page, "Look up to 200 miles away")
    assert parse_qs(urlsplit(further).query) == {
        "format": ["in_person"],
        "miles": ["200"],
        "language_only": ["on"],
    }
    assert names_on(client.get(reverse("matching:results") + further).text) == ["Habla Springs"]


def test_allowing_telehealth_keeps_the_distance_and_is_a_valid_filter(client: Client) -> None:
    listed_therapist(full_name="Habla Telehealth", languages={"es"})
    listed_therapist(full_name="English Telehealth", languages={"en"})
    page = with_answers(client, SPANISH_IN_DENVER).get(reverse("matching:results")).text
    either = link(page, "Allow both telehealth and in-person meetings")
    assert parse_qs(urlsplit(either).query) == {
        "format": ["either"],
        "miles": ["25"],
        "language_only": ["on"],
    }
    assert names_on(client.get(reverse("matching:results") + either).text) == ["Habla Telehealth"]


def test_the_links_start_from_the_filters_on_the_page_not_the_saved_answers(
    client: Client,
) -> None:
    # Someone is licensed in the state, so the ways to widen the search are offered.
    listed_therapist(full_name="English Only Springs", formats={"in_person"}, **SPRINGS)
    with_answers(client, SPANISH_IN_DENVER)
    page = client.get(reverse("matching:results") + "?format=in_person&miles=40").text
    further = parse_qs(urlsplit(link(page, "Look up to 200 miles away")).query)
    assert "language_only" not in further  # the page's filters had turned the must off
    assert further["miles"] == ["200"]


def test_change_on_the_answers_page_comes_back_to_the_answers_and_keeps_the_rest(
    client: Client,
) -> None:
    responder = ResponderFactory(
        answers=SPANISH_IN_DENVER.updated(concerns=frozenset({"trauma", "sleep"})).to_dict()
    )
    client.force_login(responder.user)
    answers = client.get(reverse("matching:answers")).text
    change = link(answers, "Change")
    assert change.endswith("?from=answers")
    concerns_url = reverse("matching:intake_step", args=["concerns"]) + "?from=answers"
    response = client.post(concerns_url, {"concerns": ["trauma", "sleep", "grief"]})
    assert response["Location"] == reverse("matching:answers")
    stored = Intake.from_dict(ResponderProfile.objects.get(pk=responder.pk).answers)
    assert stored == SPANISH_IN_DENVER.updated(concerns=frozenset({"trauma", "sleep", "grief"}))


def test_a_therapist_who_misses_a_wish_can_still_be_asked(client: Client) -> None:
    therapist = listed_therapist(languages={"en"})  # the responder made Spanish a must
    responder = ResponderFactory(answers=SPANISH_IN_DENVER.to_dict())
    client.force_login(responder.user)
    profile = client.get(reverse("matching:therapist_detail", args=[therapist.public_id])).text
    assert "You can still ask them" in profile
    url = reverse("matching:intro_new", args=[therapist.public_id])
    form = client.get(url).text
    assert 'name="message"' in form
    token = re.search(r'name="token" value="([^"]+)"', form).group(1)
    response = client.post(url, {"contact_method": "rapport", "token": token})
    assert response.status_code == 302
    assert IntroRequest.objects.filter(therapist=therapist).count() == 1


def test_a_therapist_the_page_offers_no_button_for_refuses_the_request_too(
    client: Client,
) -> None:
    therapist = listed_therapist(accepting_new_clients=False)
    responder = ResponderFactory(answers=SPANISH_IN_DENVER.to_dict())
    client.force_login(responder.user)
    profile = client.get(reverse("matching:therapist_detail", args=[therapist.public_id])).text
    assert "not taking new requests" in profile
    assert reverse("matching:intro_new", args=[therapist.public_id]) not in profile
    url = reverse("matching:intro_new", args=[therapist.public_id])
    page = client.get(url).text
    assert "not taking new requests" in page
    # The form stays, to be sent to a next match instead; nothing sends it to this therapist.
    assert "Send the request" not in page
    assert "Your next matches" in page
    client.post(url, {"contact_method": "rapport", "token": "3f2b6c0e-8a57-4b1e-9d4e-5a1c2b3d4e5f"})
    assert not IntroRequest.objects.exists()
