"""The optional questions on how things are going for the responder: kept for the staff
report only, never ranked, never shown to the therapist, always in the responder's export."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliance.forms import WELLBEING_ITEMS
from alliance.models import CheckIn
from alliance.selectors import alliance_measures
from alliance.services import checkins
from matching.intake import Intake
from matching.services import intros
from tests.factories import ResponderFactory, intro_through_service, listed_therapist

pytestmark = pytest.mark.django_db

STRONG = {"respect_trust": 9, "collaboration": 9, "empathy": 9, "adaptability": 9, "fit": 9}


@pytest.fixture
def responder():
    return ResponderFactory(answers=Intake(state="CO", service="fire").to_dict())


@pytest.fixture
def therapist(totp_user_factory):
    therapist = listed_therapist(full_name="Avery Fictional")
    totp_user_factory(therapist.user)
    return therapist


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def due_checkin(responder, therapist) -> CheckIn:
    intro = intro_through_service(responder, therapist)
    intros.intro_answer(intro=intro, decision="accepted", reply="Fictional reply.")
    return CheckIn.objects.get(plan__intro_id=intro.pk)


def post_answers(responder, checkin: CheckIn, **wellbeing: str):
    data = {"met": "yes", **STRONG, "still_seeing": "yes", "note": "", **wellbeing}
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        return signed_in(responder.user).post(
            reverse("alliance:checkin", args=[checkin.public_id]), data
        )


def test_the_form_asks_the_optional_questions_in_a_group_of_their_own(responder, therapist):
    checkin = due_checkin(responder, therapist)
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        page = signed_in(responder.user).get(reverse("alliance:checkin", args=[checkin.public_id]))
    assert "<legend>How are things going for you? (optional)</legend>" in page.text
    for label in WELLBEING_ITEMS.values():
        assert label in page.text
    assert "never shown to Avery Fictional" in page.text


def test_answers_are_kept_and_any_may_be_left_empty(responder, therapist):
    checkin = due_checkin(responder, therapist)
    response = post_answers(responder, checkin, wellbeing_overall="6", wellbeing_sleep="0")
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.ANSWERED
    assert checkin.wellbeing == {
        "wellbeing_overall": 6,
        "wellbeing_work": None,
        "wellbeing_home": None,
        "wellbeing_sleep": 0,
    }


@pytest.mark.parametrize("bad", ["11", "-1", "seven", "7.5"])
def test_a_bad_answer_gets_a_message_next_to_it_and_nothing_is_saved(responder, therapist, bad):
    checkin = due_checkin(responder, therapist)
    response = post_answers(responder, checkin, wellbeing_overall="5", wellbeing_work=bad)
    assert response.status_code == 200
    error = (
        '<div class="field__error" id="id_wellbeing_work_error"><p><span class="visually-hidden">'
        "Error: </span>Choose a whole number from 0 to 10, or leave it empty.</p></div>"
    )
    assert error in response.text
    assert 'aria-invalid="true"' in response.text
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.DUE
    assert checkin.wellbeing_overall is None and checkin.respect_trust is None


def test_the_service_refuses_what_the_form_would(responder, therapist):
    checkin = due_checkin(responder, therapist)
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        for wellbeing in ({"wellbeing_work": 11}, {"wellbeing_home": "5"}, {"mood": 5}):
            with pytest.raises(ValidationError):
                checkins.checkin_answer(
                    checkin=checkin,
                    responder=responder,
                    ratings=STRONG,
                    still_seeing=True,
                    note="",
                    shared=False,
                    wellbeing=wellbeing,
                )
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.DUE


def test_they_never_move_the_measured_alliance(therapist):
    """Two therapists with the same answers and opposite wellbeing measure the same."""
    low, high = listed_therapist(), listed_therapist()
    for rated, feeling in ((low, 0), (high, 10)):
        for _ in range(5):
            responder = ResponderFactory(answers=Intake(state="CO", service="fire").to_dict())
            checkin = due_checkin(responder, rated)
            with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
                checkins.checkin_answer(
                    checkin=checkin,
                    responder=responder,
                    ratings=STRONG,
                    still_seeing=True,
                    note="",
                    shared=False,
                    wellbeing=dict.fromkeys(WELLBEING_ITEMS, feeling),
                )
    measures = alliance_measures(therapist_ids=[low.pk, high.pk])
    assert measures.overall[low.pk].checkins == 5
    assert measures.overall[low.pk].traits == measures.overall[high.pk].traits
    assert measures.overall[low.pk].fit == measures.overall[high.pk].fit


def test_the_therapist_never_sees_them_even_in_a_shared_check_in(responder, therapist):
    checkin = due_checkin(responder, therapist)
    post_answers(
        responder,
        checkin,
        shared="on",
        wellbeing_overall="3",
        wellbeing_work="3",
        wellbeing_home="3",
        wellbeing_sleep="3",
    )
    page = signed_in(therapist.user).get(reverse("alliance:dashboard")).text
    assert "<dd>9 of 10</dd>" in page  # the shared answers are there
    assert "3 of 10" not in page
    for label in WELLBEING_ITEMS.values():
        assert label not in page


def test_they_are_in_the_responders_data_export(responder, therapist):
    checkin = due_checkin(responder, therapist)
    post_answers(responder, checkin, wellbeing_home="4")
    data = json.loads(signed_in(responder.user).get(reverse("matching:export")).content)
    first = next(c for c in data["check_ins"] if c["number"] == 1)
    assert first["therapist"] == "Avery Fictional"
    assert first["answers"] == STRONG
    assert first["how_things_are_going"] == {
        "wellbeing_overall": None,
        "wellbeing_work": None,
        "wellbeing_home": 4,
        "wellbeing_sleep": None,
    }
    waiting = next(c for c in data["check_ins"] if c["number"] == 2)
    assert waiting["status"] == "due" and waiting["answers"] is None
