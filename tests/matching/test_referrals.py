"""Peer-support referral links: signed, never stored, opening the intake with a preset."""

from __future__ import annotations

import re

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.urls import reverse

from matching.intake import Intake
from matching.referrals import REFERRAL_SALT, referral_token
from profiles.models import ResponderProfile
from profiles.services.accounts import answers_from_session
from tests.factories import ResponderFactory

pytestmark = pytest.mark.django_db
LINE = "Shared by your peer support team"


def make_link(client: Client, **data: str) -> str:
    response = client.post(reverse("matching:referral_make"), data)
    assert response.status_code == 200
    return re.search(r'id="referral-link" type="text" readonly value="([^"]+)"', response.text)[1]


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables "
        )
        return dict(cursor.fetchall())


def test_anyone_makes_a_link_that_carries_only_the_service_and_state() -> None:
    link = make_link(Client(), service="fire", state="WY")
    token = re.search(r"/find/from/([^/]+)/$", link)[1]
    assert signing.loads(token, salt=REFERRAL_SALT) == {"service": "fire", "state": "WY"}


def test_the_link_opens_the_intake_with_the_service_and_state_preset() -> None:
    link = make_link(Client(), service="dispatch", state="NM")
    visitor = Client()
    landing = visitor.get(link)
    assert landing.status_code == 200
    assert LINE in landing.text and "New Mexico" in landing.text
    start = re.search(r'action="([^"]+/start/)"', landing.text)[1]
    response = visitor.post(start)
    assert response["Location"] == reverse("matching:intake")
    intake = Intake.from_dict(answers_from_session(session=visitor.session))
    assert (intake.service, intake.state) == ("dispatch", "NM")
    first_step = visitor.get(reverse("matching:intake")).text
    assert LINE in first_step
    assert re.search(r'value="dispatch"[^>]*checked', first_step)
    place = visitor.get(reverse("matching:intake_step", args=["place"])).text
    assert '<option value="NM" selected>' in place


def test_opening_a_link_stores_nothing_and_sets_no_session() -> None:
    token = referral_token(service="police", state="CO")
    before = row_counts()
    visitor = Client()
    response = visitor.get(reverse("matching:referral_open", args=[token]))
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert row_counts() == before
    # The check can fail: starting from the link does write (the visitor's own session).
    visitor.post(reverse("matching:referral_start", args=[token]))
    assert row_counts() != before


def test_a_signed_in_responder_starting_from_a_link_keeps_their_other_answers() -> None:
    responder = ResponderFactory(
        answers=Intake(state="CO", zip_code="80202", service_status="retired").to_dict()
    )
    client = Client()
    client.force_login(responder.user)
    client.post(
        reverse("matching:referral_start", args=[referral_token(service="ems", state="WY")]),
        {"answers": "replace"},
    )
    intake = Intake.from_dict(ResponderProfile.objects.get(pk=responder.pk).answers)
    assert (intake.service, intake.state, intake.zip_code) == ("ems", "WY", "")
    assert intake.service_status == "retired"


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        referral_token(service="fire", state="CO")[:-2] + "xx",
        signing.dumps({"service": "astronaut", "state": "CO"}, salt=REFERRAL_SALT),
        signing.dumps({"service": "fire", "state": "ZZ"}, salt=REFERRAL_SALT),
        signing.dumps({"service": "fire", "state": "CO"}, salt="another-purpose"),
    ],
    # Named, not by the tokens: they hold the time they were made, and parallel workers
    # must collect the same test ids.
    ids=["not-a-token", "altered", "unknown-service", "unknown-state", "other-salt"],
)
def test_an_altered_or_foreign_link_is_not_found(token: str) -> None:
    assert Client().get(reverse("matching:referral_open", args=[token])).status_code == 404
    response = Client().post(reverse("matching:referral_start", args=[token]))
    assert response.status_code == 404


def test_a_missing_state_is_explained_next_to_the_field() -> None:
    response = Client().post(reverse("matching:referral_make"), {"service": "fire", "state": ""})
    assert 'id="id_state_error"' in response.text
    assert "Choose the state your team serves." in response.text
    assert "referral-link" not in response.text


def test_starting_needs_a_post() -> None:
    token = referral_token(service="fire", state="CO")
    response = Client().get(reverse("matching:referral_start", args=[token]))
    assert response.status_code == 405


def test_a_signed_in_responder_is_asked_before_a_link_replaces_saved_answers() -> None:
    responder = ResponderFactory(
        answers=Intake(state="CO", zip_code="80202", service="fire").to_dict()
    )
    saved = dict(responder.answers)
    client = Client()
    client.force_login(responder.user)
    token = referral_token(service="police", state="TX")

    landing = client.get(reverse("matching:referral_open", args=[token])).text
    assert "You have saved answers" in landing
    assert re.search(
        r"<th scope=\"row\">State</th><td data-label=\"Your answer\">Colorado</td>"
        r"<td data-label=\"The link's answer\">Texas</td>",
        landing,
    )
    assert 'name="answers" value="replace"' in landing and 'name="answers" value="keep"' in landing

    # A post that does not say which (an old form, a forged one) changes nothing.
    asked = client.post(reverse("matching:referral_start", args=[token]))
    assert asked.status_code == 200 and "Nothing was changed" in asked.text
    assert ResponderProfile.objects.get(pk=responder.pk).answers == saved

    kept = client.post(reverse("matching:referral_start", args=[token]), {"answers": "keep"})
    assert kept["Location"] == reverse("matching:results")
    assert ResponderProfile.objects.get(pk=responder.pk).answers == saved

    client.post(reverse("matching:referral_start", args=[token]), {"answers": "replace"})
    intake = Intake.from_dict(ResponderProfile.objects.get(pk=responder.pk).answers)
    assert (intake.state, intake.service) == ("TX", "police")


def test_a_link_that_changes_nothing_asks_nothing() -> None:
    responder = ResponderFactory(answers=Intake(state="CO", service="fire").to_dict())
    client = Client()
    client.force_login(responder.user)
    token = referral_token(service="fire", state="CO")
    assert (
        "You have saved answers"
        not in client.get(reverse("matching:referral_open", args=[token])).text
    )
    response = client.post(reverse("matching:referral_start", args=[token]))
    assert response["Location"] == reverse("matching:intake")
