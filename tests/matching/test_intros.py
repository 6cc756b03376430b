"""Intro requests: saved, delivered once, answered or expired, and private throughout."""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from matching.intake import Intake
from matching.models import IntroRequest, TherapistResponsiveness
from matching.services import intros
from profiles.models import AuditEntry
from tests.factories import (
    ResponderFactory,
    StaffFactory,
    TherapistFactory,
    intro_through_service,
    listed_therapist,
)

pytestmark = pytest.mark.django_db

SECRET_MESSAGE = "Bad call on Tuesday, cannot sleep, do not tell my captain"
PHONE = "(303) 555-0142"


@pytest.fixture
def responder():
    return ResponderFactory(pseudonym="Engine Nine", answers=Intake(state="CO").to_dict())


@pytest.fixture
def responder_client(client: Client, responder) -> Client:
    client.force_login(responder.user)
    return client


@pytest.fixture
def therapist():
    return listed_therapist(full_name="Robin Listed")


def send(client: Client, therapist, **overrides: str):
    data = {
        "message": SECRET_MESSAGE,
        "contact_method": "phone",
        "contact_phone": PHONE,
        "contact_hours": ["evenings"],
        "token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return client.post(reverse("matching:intro_new", args=[therapist.public_id]), data)


def test_a_request_is_saved_encrypted_and_delivered_after_the_commit(
    responder_client: Client, therapist, eager_celery, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = send(responder_client, therapist)
    intro = IntroRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("matching:my_intro", args=[intro.public_id])
    assert intro.delivered_at is None and len(callbacks) == 1  # nothing sent before the commit
    assert mail.outbox == []
    callbacks[0]()
    intro.refresh_from_db()
    assert intro.delivered_at is not None
    assert (intro.message, intro.contact_phone) == (SECRET_MESSAGE, "+13035550142")

    with connection.cursor() as cursor:
        cursor.execute("SELECT message, contact_phone FROM matching_introrequest")
        raw = " ".join(cursor.fetchone())
    # The ciphertext is base64: a short string like "555" can turn up in it by chance.
    assert "captain" not in raw and "3035550142" not in raw


def test_the_therapists_email_says_only_that_a_request_waits(
    responder_client: Client, therapist, eager_celery, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send(responder_client, therapist)
    [email] = mail.outbox
    intro = IntroRequest.objects.get()
    assert email.to == [therapist.user.email]
    assert email.alternatives[0][1] == "text/html"
    assert reverse("matching:inbox_detail", args=[intro.public_id]) in email.body
    everything = email.subject + email.body + email.alternatives[0][0] + str(email.extra_headers)
    # The link's random id may hold any digits; what matters is the rest of the email.
    everything = everything.replace(str(intro.public_id), "")
    for secret in ("captain", "Engine Nine", "555", "0142", "evening", "sleep"):
        assert secret not in everything


def test_a_double_click_makes_one_request(responder_client: Client, therapist) -> None:
    token = str(uuid.uuid4())
    first = send(responder_client, therapist, token=token)
    second = send(responder_client, therapist, token=token)
    assert IntroRequest.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_a_fourth_open_request_is_refused(responder_client: Client, responder) -> None:
    for _ in range(3):
        send(responder_client, listed_therapist())
    fourth = listed_therapist()
    response = send(responder_client, fourth)
    assert response.status_code == 200
    assert "You have 3 requests waiting for an answer" in response.text
    assert SECRET_MESSAGE in response.text  # what was typed is kept
    assert IntroRequest.objects.count() == 3


def test_one_open_request_per_therapist(responder_client: Client, therapist) -> None:
    send(responder_client, therapist)
    response = send(responder_client, therapist)
    assert "You already have a request waiting with this therapist." in response.text
    assert IntroRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"message": "x" * 1001}, "message", "at most 1000 characters"),
        ({"contact_phone": "555-01"}, "contact_phone", "Enter a US phone number with area code"),
        ({"contact_phone": "+44 20 7946 0958"}, "contact_phone", "Enter a US phone number"),
        ({"contact_phone": ""}, "contact_phone", "Enter the number the therapist should call."),
        (
            {"contact_method": "email", "contact_email": "not-an-email"},
            "contact_email",
            "Enter a valid email address",
        ),
        (
            {"contact_method": "email", "contact_email": ""},
            "contact_email",
            "Enter the email the therapist should write to.",
        ),
        ({"contact_method": "pigeon"}, "contact_method", "Select a valid choice"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(
    responder_client: Client, therapist, overrides: dict, field: str, message: str
) -> None:
    response = send(responder_client, therapist, **overrides)
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.text
    assert message in response.text
    assert not IntroRequest.objects.exists()


@pytest.mark.parametrize(
    "make",
    [
        lambda: TherapistFactory(),  # no verified license: not listed
        lambda: listed_therapist(accepting_new_clients=False),
    ],
    ids=["not-listed", "not-accepting"],
)
def test_a_therapist_who_is_not_listed_or_not_accepting_gets_no_request(
    responder_client: Client, responder, make
) -> None:
    target = make()
    response = send(responder_client, target)
    assert response.status_code in {200, 404}
    assert not IntroRequest.objects.exists()
    with pytest.raises(Exception, match="not taking new requests"):
        intro_through_service(responder, target)


def test_a_therapist_licensed_in_another_state_gets_no_request(client: Client) -> None:
    responder = ResponderFactory(answers=Intake(state="NM").to_dict())
    client.force_login(responder.user)
    response = send(client, listed_therapist())
    assert "not licensed in your state" in response.text
    assert not IntroRequest.objects.exists()


def test_delivering_twice_sends_once(responder_client: Client, therapist) -> None:
    send(responder_client, therapist)
    intro = IntroRequest.objects.get()
    assert intros.intro_deliver(intro_id=intro.pk) is True
    assert intros.intro_deliver(intro_id=intro.pk) is False
    assert len(mail.outbox) == 1
    intro.refresh_from_db()
    assert intro.delivery_attempts == 1


def test_a_mail_server_error_leaves_the_request_undelivered(
    responder_client: Client, therapist, settings
) -> None:
    send(responder_client, therapist)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    intro = IntroRequest.objects.get()
    with pytest.raises(OSError):
        intros.intro_deliver(intro_id=intro.pk)
    intro.refresh_from_db()
    assert intro.delivered_at is None


def test_the_therapist_reads_and_accepts_and_the_responder_is_told(
    responder_client: Client,
    therapist,
    eager_celery,
    django_capture_on_commit_callbacks,
    totp_user_factory,
) -> None:
    send(responder_client, therapist)
    intro = IntroRequest.objects.get()
    totp_user_factory(therapist.user)
    therapist_client = Client()
    therapist_client.force_login(therapist.user)
    page = therapist_client.get(reverse("matching:inbox_detail", args=[intro.public_id])).text
    assert SECRET_MESSAGE in page and "Engine Nine" in page
    assert "+13035550142" not in page  # contact details are shown once accepted
    entry = AuditEntry.objects.get(action="intro_read")
    assert (entry.actor, entry.target_id) == (therapist.user, intro.pk)

    missing = therapist_client.post(
        reverse("matching:inbox_detail", args=[intro.public_id]),
        {"decision": "accepted", "reply": ""},
    )
    assert "Tell the responder the next step" in missing.text
    with django_capture_on_commit_callbacks(execute=True):
        therapist_client.post(
            reverse("matching:inbox_detail", args=[intro.public_id]),
            {"decision": "accepted", "reply": "I can call Thursday at 7 pm."},
        )
    intro.refresh_from_db()
    assert intro.status == "accepted" and intro.responder_notified_at is not None
    [notice] = mail.outbox
    assert notice.to == [intro.responder.user.email]
    assert "Thursday" not in notice.body and reverse("matching:my_intros") in notice.body
    mine = responder_client.get(reverse("matching:my_intro", args=[intro.public_id])).text
    assert "I can call Thursday at 7 pm." in mine
    stats = TherapistResponsiveness.objects.get(therapist=therapist)
    assert (stats.decided, stats.answered) == (1, 1)
    assert stats.median_answer_hours is not None


def test_a_decline_can_point_to_a_colleague(
    responder_client: Client, therapist, totp_user_factory
) -> None:
    send(responder_client, therapist)
    intro = IntroRequest.objects.get()
    intros.intro_answer(intro=intro, decision="declined", reply="Try my colleague Sam Vale.")
    intro.refresh_from_db()
    assert intro.status == "declined"
    page = responder_client.get(reverse("matching:my_intro", args=[intro.public_id])).text
    assert "Try my colleague Sam Vale." in page


def test_an_unanswered_request_expires_and_the_responder_is_offered_next_matches(
    responder_client: Client, therapist, eager_celery, django_capture_on_commit_callbacks
) -> None:
    send(responder_client, therapist)
    intro = IntroRequest.objects.get()
    with time_machine.travel(timezone.now() + dt.timedelta(hours=71)):
        assert intros.intro_sweep()["expired"] == 0
    with (
        time_machine.travel(timezone.now() + dt.timedelta(hours=73)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert intros.intro_sweep()["expired"] == 1
        with pytest.raises(Exception, match="already been answered, withdrawn or expired"):
            intros.intro_answer(intro=intro, decision="accepted", reply="Too late")
    intro.refresh_from_db()
    assert intro.status == "expired" and intro.responder_notified_at is not None
    notices = [m for m in mail.outbox if m.to == [intro.responder.user.email]]
    assert len(notices) == 1 and reverse("matching:results") in notices[0].body
    page = responder_client.get(reverse("matching:my_intros")).text
    assert "See your next best matches" in page
    assert TherapistResponsiveness.objects.get(therapist=therapist).decided == 1


def test_the_sweep_sends_again_what_was_not_delivered(
    responder_client: Client, therapist, eager_celery, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False):  # the delivery message is lost
        send(responder_client, therapist)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=60)):
        assert intros.intro_sweep()["requeued"] == 0  # too soon: it may still be on its way
    with (
        time_machine.travel(timezone.now() + dt.timedelta(seconds=200)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert intros.intro_sweep()["requeued"] == 1
    assert IntroRequest.objects.get().delivered_at is not None
    assert len(mail.outbox) == 1


def test_a_responder_can_withdraw_a_waiting_request(responder_client: Client, therapist) -> None:
    send(responder_client, therapist)
    intro = IntroRequest.objects.get()
    responder_client.post(reverse("matching:intro_withdraw", args=[intro.public_id]))
    intro.refresh_from_db()
    assert intro.status == "withdrawn"
    assert send(responder_client, therapist).status_code == 302  # a new one is allowed


def test_answers_feed_the_ranking(responder_client: Client, therapist) -> None:
    send(responder_client, therapist)
    intro = IntroRequest.objects.get()
    IntroRequest.objects.filter(pk=intro.pk).update(
        delivered_at=timezone.now() - dt.timedelta(hours=2)
    )
    intros.intro_answer(intro=intro, decision="accepted", reply="Call me.")
    page = responder_client.get(reverse("matching:results")).text
    assert "Answered 1 of their last 1 intro request, usually within a few hours" in page


def test_nothing_sensitive_reaches_a_log_line(
    responder_client: Client, therapist, caplog, eager_celery, django_capture_on_commit_callbacks
) -> None:
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        send(responder_client, therapist)
        send(responder_client, therapist, message="x" * 2000)  # a refused one too
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "captain" not in logged and "3035550142" not in logged and "555-0142" not in logged


def _intro(responder_client: Client, therapist) -> IntroRequest:
    send(responder_client, therapist)
    return IntroRequest.objects.get()


@pytest.mark.parametrize("who", ["other_responder", "other_therapist", "staff"])
def test_nobody_else_can_see_a_request(
    responder_client: Client, therapist, who: str, totp_user_factory
) -> None:
    intro = _intro(responder_client, therapist)
    user = {
        "other_responder": lambda: ResponderFactory().user,
        "other_therapist": lambda: TherapistFactory().user,
        "staff": lambda: StaffFactory(),
    }[who]()
    totp_user_factory(user)
    other = Client()
    other.force_login(user)
    for url in (
        reverse("matching:my_intro", args=[intro.public_id]),
        reverse("matching:inbox_detail", args=[intro.public_id]),
    ):
        response = other.get(url)
        assert response.status_code in {403, 404}
        assert SECRET_MESSAGE not in response.text
    answer = other.post(
        reverse("matching:inbox_detail", args=[intro.public_id]),
        {"decision": "declined", "reply": ""},
    )
    assert answer.status_code in {403, 404}
    withdraw = other.post(reverse("matching:intro_withdraw", args=[intro.public_id]))
    assert withdraw.status_code in {403, 404}
    intro.refresh_from_db()
    assert intro.status == "pending"
    assert not AuditEntry.objects.filter(action="intro_read").exists()


def test_anonymous_visitors_are_sent_to_sign_in(responder_client: Client, therapist) -> None:
    intro = _intro(responder_client, therapist)
    anonymous = Client()
    for url in (
        reverse("matching:my_intro", args=[intro.public_id]),
        reverse("matching:inbox_detail", args=[intro.public_id]),
        reverse("matching:intro_new", args=[therapist.public_id]),
        reverse("matching:inbox"),
        reverse("matching:my_intros"),
    ):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_ids_cannot_be_guessed(responder_client: Client, therapist) -> None:
    intro = _intro(responder_client, therapist)
    assert re.fullmatch(r"[0-9a-f-]{36}", str(intro.public_id))
    assert responder_client.get(f"/me/intros/{intro.pk}/").status_code == 404
    assert (
        responder_client.get(reverse("matching:my_intro", args=[uuid.uuid4()])).status_code == 404
    )


def test_a_therapist_without_two_factor_is_sent_to_set_it_up(
    responder_client: Client, therapist
) -> None:
    intro = _intro(responder_client, therapist)
    therapist_client = Client()
    therapist_client.force_login(therapist.user)
    response = therapist_client.get(reverse("matching:inbox_detail", args=[intro.public_id]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    assert not AuditEntry.objects.exists()


def test_the_inbox_lists_without_showing_messages(
    responder_client: Client, therapist, totp_user_factory
) -> None:
    _intro(responder_client, therapist)
    totp_user_factory(therapist.user)
    therapist_client = Client()
    therapist_client.force_login(therapist.user)
    page = therapist_client.get(reverse("matching:inbox")).text
    assert "From Engine Nine" in page and SECRET_MESSAGE not in page
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("url_name", "wrong_roles"),
    [
        ("matching:intro_new", ["therapist", "staff"]),
        ("matching:my_intros", ["therapist", "staff"]),
        ("matching:inbox", ["responder", "staff"]),
    ],
)
def test_each_side_of_intro_requests_refuses_the_other_roles(
    client: Client, therapist, url_name: str, wrong_roles: list[str]
) -> None:
    args = [therapist.public_id] if url_name == "matching:intro_new" else []
    for role in wrong_roles:
        user = {
            "therapist": lambda: TherapistFactory().user,
            "responder": lambda: ResponderFactory().user,
            "staff": lambda: StaffFactory(),
        }[role]()
        client.force_login(user)
        assert client.get(reverse(url_name, args=args)).status_code == 403
        assert client.post(reverse(url_name, args=args), {"message": "x"}).status_code in {403, 405}
    assert not IntroRequest.objects.exists()
