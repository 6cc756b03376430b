"""After an accept: each side sees how to reach the other, and a short thread until a session."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from matching.intake import Intake
from matching.models import IntroMessage, IntroRequest
from matching.services import intros, threads
from profiles import choices
from profiles.models import AuditEntry
from tests.factories import (
    ResponderFactory,
    StaffFactory,
    intro_through_service,
    listed_therapist,
)

pytestmark = pytest.mark.django_db

SECRET = "Night shift on Friday, the overdose call keeps coming back"
RESPONDER_PHONE = "+17205550199"


@pytest.fixture
def therapist(totp_user_factory):
    therapist = listed_therapist(
        full_name="Robin Fictional",
        new_client_contact=choices.NewClientContact.PHONE,
        new_client_phone="+13035550142",
    )
    totp_user_factory(therapist.user)
    return therapist


@pytest.fixture
def responder():
    return ResponderFactory(
        pseudonym="Medic Seven",
        answers=Intake(state="CO", service=choices.Service.DISPATCH).to_dict(),
    )


@pytest.fixture
def intro(responder, therapist):
    return intro_through_service(
        responder, therapist, contact_method="phone", contact_phone=RESPONDER_PHONE
    )


@pytest.fixture
def accepted(intro):
    intros.intro_answer(intro=intro, decision="accepted", reply="I will call Thursday.")
    intro.refresh_from_db()
    return intro


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def my_intro_url(intro: IntroRequest, name: str = "my_intro") -> str:
    return reverse(f"matching:{name}", args=[intro.public_id])


def inbox_url(intro: IntroRequest, name: str = "inbox_detail") -> str:
    return reverse(f"matching:{name}", args=[intro.public_id])


# What each side sees


def test_the_therapist_sees_the_service_but_contact_details_only_after_accepting(
    intro, therapist
) -> None:
    client = client_for(therapist.user)
    before = client.get(inbox_url(intro)).text
    assert "911 dispatch" in before
    assert RESPONDER_PHONE not in before and "Shown once you accept." in before
    intros.intro_answer(intro=intro, decision="accepted", reply="I will call Thursday.")
    after = client.get(inbox_url(intro)).text
    assert f'href="tel:{RESPONDER_PHONE}"' in after


def test_the_responder_sees_how_to_reach_the_therapist_only_after_the_accept(
    intro, responder
) -> None:
    client = client_for(responder.user)
    assert "+13035550142" not in client.get(my_intro_url(intro)).text
    intros.intro_answer(intro=intro, decision="accepted", reply="I will call Thursday.")
    page = client.get(my_intro_url(intro)).text
    assert 'href="tel:+13035550142"' in page
    assert "How to reach Robin Fictional" in page


def test_a_booking_link_is_shown_to_the_responder_after_the_accept(accepted, responder) -> None:
    therapist = accepted.therapist
    therapist.new_client_contact = choices.NewClientContact.BOOKING
    therapist.booking_url = "https://booking.example.test/robin"
    therapist.save()
    page = client_for(responder.user).get(my_intro_url(accepted)).text
    assert 'href="https://booking.example.test/robin"' in page


def test_a_declined_request_opens_no_thread_and_shows_no_contact(intro, responder) -> None:
    intros.intro_answer(intro=intro, decision="declined", reply="")
    page = client_for(responder.user).get(my_intro_url(intro)).text
    assert "+13035550142" not in page and "Send the message" not in page
    response = client_for(responder.user).post(my_intro_url(intro), {"body": "Hello?"}, follow=True)
    assert response.status_code == 200
    assert "Messages open once the therapist accepts the request." in response.text
    assert not IntroMessage.objects.exists()


# The thread


def test_a_message_each_way_is_encrypted_and_announced_without_content(
    accepted, responder, therapist, eager_celery, django_capture_on_commit_callbacks
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(responder.user).post(my_intro_url(accepted), {"body": SECRET})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(therapist.user).post(
            inbox_url(accepted, "inbox_message"), {"body": "Thursday at 6 pm works for me."}
        )
    assert response.status_code == 302
    assert [m.sender for m in IntroMessage.objects.all()] == ["responder", "therapist"]

    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM matching_intromessage")
        raw = " ".join(row[0] for row in cursor.fetchall())
    assert "overdose" not in raw and "Thursday" not in raw

    to_therapist, to_responder = mail.outbox
    assert to_therapist.to == [therapist.user.email]
    assert to_responder.to == [responder.user.email]
    assert inbox_url(accepted) in to_therapist.body
    assert my_intro_url(accepted) in to_responder.body
    for email in (to_therapist, to_responder):
        everything = email.subject + email.body + email.alternatives[0][0]
        for secret in ("overdose", "Thursday", "Medic Seven", "Robin", "Fictional", "dispatch"):
            assert secret not in everything
        assert "therapist" not in email.subject.lower()

    page = client_for(responder.user).get(my_intro_url(accepted)).text
    assert SECRET in page and "Thursday at 6 pm works for me." in page


def test_the_therapists_reads_of_the_thread_are_audited(accepted, therapist) -> None:
    threads.thread_message_send(intro=accepted, sender="responder", body=SECRET)
    before = AuditEntry.objects.filter(action=AuditEntry.Action.INTRO_READ).count()
    page = client_for(therapist.user).get(inbox_url(accepted)).text
    assert SECRET in page
    assert AuditEntry.objects.filter(action=AuditEntry.Action.INTRO_READ).count() == before + 1


def test_each_side_may_send_only_a_few_messages(accepted, responder, settings) -> None:
    settings.INTRO_THREAD_MESSAGES_PER_SIDE = 2
    client = client_for(responder.user)
    for n in range(2):
        assert client.post(my_intro_url(accepted), {"body": f"Message {n}"}).status_code == 302
    response = client.post(my_intro_url(accepted), {"body": "One too many"})
    assert response.status_code == 200
    assert 'id="id_body_error"' in response.text
    assert "You have sent the 2 messages" in response.text
    assert IntroMessage.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [("x" * 1001, "at most 1000 characters"), ("", "Write a message first."), ("   ", "Write")],
)
def test_a_bad_message_is_explained_next_to_the_box(
    accepted, responder, therapist, body: str, message: str
) -> None:
    for client, url in (
        (client_for(responder.user), my_intro_url(accepted)),
        (client_for(therapist.user), inbox_url(accepted, "inbox_message")),
    ):
        response = client.post(url, {"body": body})
        assert response.status_code == 200
        assert 'id="id_body_error"' in response.text
        assert message in response.text
    assert not IntroMessage.objects.exists()


@pytest.mark.parametrize("side", ["responder", "therapist"])
def test_marking_the_first_session_arranged_closes_the_thread(
    accepted, responder, therapist, side: str
) -> None:
    if side == "responder":
        client_for(responder.user).post(my_intro_url(accepted, "my_intro_session"))
    else:
        client_for(therapist.user).post(inbox_url(accepted, "inbox_session"))
    accepted.refresh_from_db()
    assert accepted.thread_closed_reason == "session"
    response = client_for(responder.user).post(my_intro_url(accepted), {"body": "Still there?"})
    assert "This conversation is closed." in response.text
    response = client_for(therapist.user).post(
        inbox_url(accepted, "inbox_message"), {"body": "See you then."}
    )
    assert "This conversation is closed." in response.text
    assert not IntroMessage.objects.exists()
    # Contact details stay: that is how the session happens.
    assert 'href="tel:+13035550142"' in client_for(responder.user).get(my_intro_url(accepted)).text


def test_either_side_can_close_the_thread_early(accepted, therapist) -> None:
    client_for(therapist.user).post(inbox_url(accepted, "inbox_close"))
    accepted.refresh_from_db()
    assert accepted.thread_closed_reason == "therapist"
    with pytest.raises(Exception, match="closed"):
        threads.thread_message_send(intro=accepted, sender="responder", body="Hello")


def test_a_blocked_therapist_can_send_nothing_and_loses_the_contact_details(
    accepted, responder, therapist
) -> None:
    response = client_for(responder.user).post(my_intro_url(accepted, "my_intro_block"))
    assert response.status_code == 302
    accepted.refresh_from_db()
    assert accepted.responder_blocked_at is not None
    therapist_client = client_for(therapist.user)
    response = therapist_client.post(inbox_url(accepted, "inbox_message"), {"body": "Please?"})
    assert response.status_code == 200
    assert "The responder closed this conversation." in response.text
    assert RESPONDER_PHONE not in therapist_client.get(inbox_url(accepted)).text
    assert not IntroMessage.objects.exists()


def test_a_message_notice_is_sent_once_and_the_sweep_sends_a_lost_one(accepted) -> None:
    message = IntroMessage.objects.create(intro=accepted, sender="responder", body=SECRET)
    IntroMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=10)
    )
    mail.outbox.clear()
    assert threads.thread_notify_sweep() == 1
    assert threads.thread_message_notify(message_id=message.pk) is True
    assert threads.thread_message_notify(message_id=message.pk) is False
    assert len(mail.outbox) == 1
    assert threads.thread_notify_sweep() == 0


# Who may reach what


def test_a_get_changes_nothing(accepted, responder, therapist) -> None:
    responder_client, therapist_client = client_for(responder.user), client_for(therapist.user)
    for name in ("my_intro_session", "my_intro_close", "my_intro_block"):
        assert responder_client.get(my_intro_url(accepted, name)).status_code == 405
    for name in ("inbox_session", "inbox_close", "inbox_message"):
        assert therapist_client.get(inbox_url(accepted, name)).status_code == 405
    accepted.refresh_from_db()
    assert accepted.thread_closed_at is None and accepted.responder_blocked_at is None


RESPONDER_VIEWS = ["my_intro", "my_intro_session", "my_intro_close", "my_intro_block"]
THERAPIST_VIEWS = ["inbox_detail", "inbox_message", "inbox_session", "inbox_close"]


@pytest.mark.parametrize("name", RESPONDER_VIEWS + THERAPIST_VIEWS)
def test_anonymous_visitors_are_sent_to_sign_in(accepted, name: str) -> None:
    response = Client().post(reverse(f"matching:{name}", args=[accepted.public_id]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", RESPONDER_VIEWS)
def test_another_responder_finds_nothing(accepted, name: str) -> None:
    other = ResponderFactory(answers=Intake(state="CO").to_dict())
    client = client_for(other.user)
    assert client.post(my_intro_url(accepted, name), {"body": "x"}).status_code == 404
    assert client.get(my_intro_url(accepted)).status_code == 404
    accepted.refresh_from_db()
    assert accepted.thread_closed_at is None and not IntroMessage.objects.exists()


@pytest.mark.parametrize("name", THERAPIST_VIEWS)
def test_another_therapist_finds_nothing(accepted, name: str, totp_user_factory) -> None:
    other = listed_therapist()
    totp_user_factory(other.user)
    response = client_for(other.user).post(inbox_url(accepted, name), {"body": "x"})
    assert response.status_code == 404
    accepted.refresh_from_db()
    assert accepted.thread_closed_at is None and not IntroMessage.objects.exists()


@pytest.mark.parametrize(
    ("who", "names"),
    [
        ("therapist", RESPONDER_VIEWS),
        ("staff", RESPONDER_VIEWS),
        ("responder", THERAPIST_VIEWS),
        ("staff", THERAPIST_VIEWS),
    ],
)
def test_other_roles_are_refused(accepted, therapist, responder, who: str, names) -> None:
    user = {
        "therapist": therapist.user,
        "responder": responder.user,
        "staff": StaffFactory(),
    }[who]
    client = client_for(user)
    for name in names:
        response = client.post(
            reverse(f"matching:{name}", args=[accepted.public_id]), {"body": "x"}
        )
        assert response.status_code == 403, name
    accepted.refresh_from_db()
    assert accepted.thread_closed_at is None and not IntroMessage.objects.exists()


@pytest.mark.parametrize("name", ["my_intro_session", "my_intro_close", "my_intro_block"])
def test_closing_or_blocking_a_request_not_accepted_is_refused_with_a_reason(
    intro, responder, name: str
) -> None:
    response = client_for(responder.user).post(my_intro_url(intro, name), follow=True)
    assert response.status_code == 200
    assert "accepted request" in response.text
    intro.refresh_from_db()
    assert intro.thread_closed_at is None and intro.responder_blocked_at is None
