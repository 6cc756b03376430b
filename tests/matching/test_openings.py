"""Openings that hold: an accept takes one, the last closes the therapist to new requests,
requests wait within the openings (even when two responders ask at once), and reopening works
from the email's link and from the therapist's home."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from matching.intake import Intake
from matching.models import IntroRequest, IntroSnapshot
from matching.selectors.intros import AS_MANY_WAITING_AS_THEY_CAN_ANSWER
from matching.services import intros
from profiles.models import TherapistProfile
from profiles.selectors import therapists_taking_clients
from profiles.services.openings import (
    OPENINGS_REOPEN_LINK_DAYS,
    reopen_token,
    therapist_openings_closed_notify,
)
from profiles.services.therapists import therapist_capacity_update
from tests.factories import ResponderFactory, intro_through_service, listed_therapist

pytestmark = pytest.mark.django_db

MESSAGE = "Fictional: two bad calls this week, nights are the worst"
COLORADO = Intake(state="CO", service="fire").to_dict()


def responder(**kwargs):
    return ResponderFactory(answers=COLORADO, **kwargs)


def accept(intro: IntroRequest) -> IntroRequest:
    return intros.intro_answer(intro=intro, decision="accepted", reply="Fictional: call me Monday.")


def fresh(therapist: TherapistProfile) -> TherapistProfile:
    return TherapistProfile.objects.get(pk=therapist.pk)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def to_therapist(therapist: TherapistProfile) -> list:
    return [message for message in mail.outbox if message.to == [therapist.user.email]]


def reopen_link(message) -> str:
    found = re.search(r"https?://[^/\s]+(/therapist/openings/reopen/[^/\s]+/)", message.body)
    assert found, "the email carries the reopen link"
    return found.group(1)


# --- an accept takes one opening -------------------------------------------------------------


def test_an_accepted_intro_takes_one_opening_and_a_declined_one_none() -> None:
    therapist = listed_therapist(open_slots=3)
    accept(intro_through_service(responder(), therapist))
    assert fresh(therapist).open_slots == 2
    intros.intro_answer(
        intro=intro_through_service(responder(), therapist), decision="declined", reply=""
    )
    assert fresh(therapist).open_slots == 2
    assert fresh(therapist).accepting_new_clients
    assert mail.outbox == []  # openings left: nothing to tell


def test_the_last_opening_taken_closes_the_therapist_to_new_requests(
    eager_celery, django_capture_on_commit_callbacks
) -> None:
    therapist = listed_therapist(open_slots=1, full_name="Robin Lastplace")
    asker = responder(pseudonym="Engine Forty")
    intro = intro_through_service(asker, therapist, message=MESSAGE)
    with django_capture_on_commit_callbacks(execute=True):
        accept(intro)

    closed = fresh(therapist)
    assert (closed.open_slots, closed.accepting_new_clients) == (0, False)
    assert closed.openings_closed_at is not None
    assert not therapists_taking_clients().filter(pk=therapist.pk).exists()
    with pytest.raises(ValidationError, match="not taking new requests"):
        intro_through_service(responder(), therapist)
    # The therapist's page says so, and no longer offers to ask them.
    client = signed_in(responder().user)
    page = client.get(reverse("matching:therapist_detail", args=[therapist.public_id])).text
    assert "Not taking new clients now" in page
    assert (
        "Send the request"
        not in client.get(reverse("matching:intro_new", args=[therapist.public_id])).text
    )

    # Emailed once, after the commit: that the openings are all taken, and how to reopen.
    [email] = to_therapist(therapist)
    assert "openings" in email.subject.lower()
    for private in (MESSAGE, "Engine Forty", asker.user.email, "fire"):
        assert private not in email.body and private not in email.subject
    assert reopen_link(email)
    assert therapist_openings_closed_notify(therapist_id=therapist.pk) is False
    assert len(to_therapist(therapist)) == 1


def test_the_therapist_is_told_when_an_accept_took_their_last_opening(
    totp_user_factory,
) -> None:
    therapist = listed_therapist(open_slots=1)
    totp_user_factory(therapist.user)
    intro = intro_through_service(responder(), therapist)
    url = reverse("matching:inbox_detail", args=[intro.public_id])
    answer = {"decision": "accepted", "reply": "Fictional: call me Monday."}
    page = signed_in(therapist.user).post(url, answer, follow=True).content.decode()
    assert "That was your last opening" in page


def test_openings_never_go_below_none() -> None:
    """Requests that waited before the last opening was taken can still be accepted."""
    therapist = listed_therapist(open_slots=1)
    first = intro_through_service(responder(), therapist)
    second = intro_through_service(responder(), therapist)
    accept(first)
    assert fresh(therapist).open_slots == 0
    accept(second)
    second.refresh_from_db()
    assert second.status == IntroRequest.Status.ACCEPTED
    assert fresh(therapist).open_slots == 0


def test_taking_new_clients_needs_an_opening_on_every_write_path() -> None:
    therapist = listed_therapist()
    therapist.open_slots = 0
    with pytest.raises(ValidationError, match="needs at least one opening"):
        therapist.full_clean()  # the message a form (the admin's too) shows
    with pytest.raises(IntegrityError), transaction.atomic():
        TherapistProfile.objects.filter(pk=therapist.pk).update(open_slots=0)  # raw writes too
    assert fresh(therapist).open_slots == 50


# --- requests wait within the openings ------------------------------------------------------


def test_requests_wait_within_the_openings_then_the_therapist_takes_no_more(settings) -> None:
    settings.PENDING_REQUESTS_PER_OPENING = 2
    therapist = listed_therapist(open_slots=1)
    first = intro_through_service(responder(), therapist)
    intro_through_service(responder(), therapist)
    with pytest.raises(ValidationError) as refused:
        intro_through_service(responder(), therapist)
    assert refused.value.messages == [AS_MANY_WAITING_AS_THEY_CAN_ANSWER]
    assert IntroRequest.objects.filter(therapist=therapist).count() == 2

    # An answer makes room again.
    intros.intro_answer(intro=first, decision="declined", reply="")
    intro_through_service(responder(), therapist)
    assert IntroRequest.objects.filter(therapist=therapist, status="pending").count() == 2


def test_a_withdrawn_or_expired_request_frees_its_place(settings) -> None:
    settings.PENDING_REQUESTS_PER_OPENING = 1
    therapist = listed_therapist(open_slots=1)
    intros.intro_withdraw(intro=intro_through_service(responder(), therapist))
    intro_through_service(responder(), therapist)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=settings.INTRO_EXPIRY_HOURS + 1)):
        assert intros.intro_sweep()["expired"] == 1
        intro_through_service(responder(), therapist)


def test_a_full_therapists_profile_says_so_without_a_number(settings) -> None:
    settings.PENDING_REQUESTS_PER_OPENING = 1
    therapist = listed_therapist(open_slots=1)
    client = signed_in(responder().user)
    url = reverse("matching:therapist_detail", args=[therapist.public_id])
    assert "Has room for new clients" in client.get(url).text
    intro_through_service(responder(), therapist)
    page = client.get(url).text
    assert "Not taking requests right now" in page
    assert AS_MANY_WAITING_AS_THEY_CAN_ANSWER in page
    assert "Your next matches" in page


def test_the_request_form_refuses_a_full_therapist_and_offers_the_next_matches_with_the_message(
    settings,
) -> None:
    settings.PENDING_REQUESTS_PER_OPENING = 1
    full = listed_therapist(open_slots=1, full_name="Avery Fullhouse")
    nextmatch = listed_therapist(full_name="Blake Hasroom")
    asker = responder()
    client = signed_in(asker.user)
    url = reverse("matching:intro_new", args=[full.public_id])
    token = re.search(r'name="token" value="([^"]+)"', client.get(url).text).group(1)
    intro_through_service(responder(), full)  # someone else took the last place meanwhile

    sent = {"message": MESSAGE, "contact_method": "rapport", "token": token, "shown": ""}
    page = client.post(url, sent)

    assert page.status_code == 200
    text = page.content.decode()
    assert AS_MANY_WAITING_AS_THEY_CAN_ANSWER in text
    assert "Nothing was sent" in text
    assert f"{MESSAGE}</textarea>" in text  # what was typed is kept
    assert not IntroRequest.objects.filter(responder=asker).exists()
    button = re.search(
        r'formaction="([^"]+)" name="shown" value="([^"]+)">Send to Blake Hasroom', text
    )
    assert button and button.group(1) == reverse("matching:intro_new", args=[nextmatch.public_id])

    # The button sends the same form to the next match, with the place it holds in the list.
    response = client.post(button.group(1), {**sent, "shown": button.group(2)})
    intro = IntroRequest.objects.get(responder=asker)
    assert response.status_code == 302
    assert (intro.therapist_id, intro.message) == (nextmatch.pk, MESSAGE)
    assert IntroSnapshot.objects.get(intro=intro).shown_rank == 1


def test_the_next_matches_keep_the_filters_of_the_list_the_responder_came_from(settings) -> None:
    from matching.shown_rank import shown_rank_token

    settings.PENDING_REQUESTS_PER_OPENING = 1
    office = {
        "formats": frozenset({"in_person", "telehealth"}),
        "office_zip": "80202",
        "office_latitude": 39.7508,
        "office_longitude": -104.9966,
    }
    full = listed_therapist(full_name="Gray Fullhouse", open_slots=1, **office)
    listed_therapist(full_name="Harper Screenonly")  # telehealth only
    listed_therapist(full_name="Indy Downtown", **office)
    intro_through_service(responder(), full)
    asker = ResponderFactory(answers=Intake(state="CO", zip_code="80202").to_dict())
    token = shown_rank_token(
        therapist_public_id=str(full.public_id), position=1, filters="format=in_person&miles=25"
    )
    url = reverse("matching:intro_new", args=[full.public_id]) + f"?shown={token}"
    page = signed_in(asker.user).get(url).content.decode()
    assert "Send to Indy Downtown" in page
    assert "Harper Screenonly" not in page  # the list was in person only


def test_the_list_says_who_has_room_and_leaves_out_who_is_full(settings) -> None:
    settings.PENDING_REQUESTS_PER_OPENING = 2
    listed_therapist(full_name="Casey Roomy", open_slots=3)
    filling = listed_therapist(full_name="Dana Filling", open_slots=1)
    full = listed_therapist(full_name="Eli Full", open_slots=1)
    intro_through_service(responder(), filling)
    for _ in range(2):
        intro_through_service(responder(), full)
    page = signed_in(responder().user).get(reverse("matching:results")).content.decode()
    cards = {name: page[page.index(name) :][:4000] for name in ("Casey Roomy", "Dana Filling")}
    assert "Has room for new clients" in cards["Casey Roomy"]
    assert "Few openings" in cards["Dana Filling"]
    assert "Eli Full" not in page


def test_a_request_keeps_where_it_came_from_and_whether_the_list_had_room(settings) -> None:
    settings.PENDING_REQUESTS_PER_OPENING = 2
    only = listed_therapist(open_slots=1)
    first = intro_through_service(responder(), only)
    second = intro_through_service(responder(), only)
    assert (first.responder_state, first.responder_service) == ("CO", "fire")
    assert first.list_had_room is True  # nobody waited yet
    assert second.list_had_room is False  # one of two places taken: few openings
    # Both are the responder's own data: in their export too.
    from matching.selectors.data_export import responder_data_export

    [exported] = responder_data_export(user=second.responder.user)["intro_requests"]
    assert exported["your_state_when_asked"] == {"code": "CO", "label": "Colorado"}
    assert exported["your_list_had_someone_with_room"] is False


# --- two responders ask for the last place at once ------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_responders_asking_for_the_last_place_at_once_exactly_one_gets_it(settings) -> None:
    """Real transactions on their own connections, started together, several times over."""
    if connections["default"].vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    settings.PENDING_REQUESTS_PER_OPENING = 1
    for _ in range(4):
        therapist = listed_therapist(open_slots=1)
        askers = [responder(), responder()]
        start = threading.Barrier(len(askers))
        outcomes: list[str] = []

        def ask(asker, therapist=therapist, start=start, outcomes=outcomes) -> None:
            try:
                start.wait()
                intro_through_service(asker, therapist)
                outcomes.append("sent")
            except ValidationError as error:
                outcomes.append(error.messages[0])
            finally:
                connections.close_all()

        threads = [threading.Thread(target=ask, args=(asker,)) for asker in askers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(outcomes) == sorted(["sent", AS_MANY_WAITING_AS_THEY_CAN_ANSWER])
        assert IntroRequest.objects.filter(therapist=therapist).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_second_request_waits_for_the_first_to_commit(settings) -> None:
    """The therapist's row lock orders the two: the second waits, then counts the first."""
    if connections["default"].vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    import time

    settings.PENDING_REQUESTS_PER_OPENING = 1
    therapist = listed_therapist(open_slots=1)
    first, second = responder(), responder()
    done = threading.Event()
    outcome: list[str] = []

    def ask_second() -> None:
        try:
            intro_through_service(second, therapist)
            outcome.append("sent")
        except ValidationError as error:
            outcome.append(error.messages[0])
        finally:
            connections.close_all()
            done.set()

    with transaction.atomic():
        intro_through_service(first, therapist)  # holds the therapist's row until the commit
        other = threading.Thread(target=ask_second)
        other.start()
        deadline = time.monotonic() + 10
        waited = False
        with connections["default"].cursor() as cursor:
            while not waited and not done.is_set() and time.monotonic() < deadline:
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
                waited = cursor.fetchone()[0] > 0
                time.sleep(0.02)
        assert waited and not done.is_set(), "the second request did not wait for the first"
    other.join(30)
    assert outcome == [AS_MANY_WAITING_AS_THEY_CAN_ANSWER]
    assert list(IntroRequest.objects.values_list("responder_id", flat=True)) == [first.pk]


# --- reopening ------------------------------------------------------------------------------


@pytest.fixture
def closed_therapist(eager_celery, django_capture_on_commit_callbacks) -> TherapistProfile:
    """A therapist whose last opening an accept just took, emailed as after the commit."""
    therapist = listed_therapist(open_slots=1)
    intro = intro_through_service(responder(), therapist)
    with django_capture_on_commit_callbacks(execute=True):
        accept(intro)
    assert not fresh(therapist).accepting_new_clients
    return fresh(therapist)


def test_the_emails_link_reopens_in_one_tap_once(closed_therapist) -> None:
    therapist = closed_therapist
    link = reopen_link(to_therapist(therapist)[-1])
    anyone = Client()  # the link needs no sign-in: it names the therapist itself

    page = anyone.get(link)
    assert page.status_code == 200
    assert "Reopen to new requests" in page.content.decode()
    assert not fresh(therapist).accepting_new_clients  # opening the link changes nothing

    response = anyone.post(link, {"open_slots": "2"})
    assert response.status_code == 302
    assert response["Location"] == reverse("profiles:openings_reopened")
    reopened = fresh(therapist)
    assert (reopened.accepting_new_clients, reopened.open_slots) == (True, 2)
    assert reopened.openings_closed_at is None
    assert therapists_taking_clients().filter(pk=therapist.pk).exists()
    intro_through_service(responder(), therapist)  # asked again

    # Used once: the link no longer works, and changes nothing.
    assert anyone.post(link, {"open_slots": "9"}).status_code == 410
    assert fresh(therapist).open_slots == 2


def test_a_bad_number_on_the_link_is_said_next_to_the_field(closed_therapist) -> None:
    therapist = closed_therapist
    link = reopen_link(to_therapist(therapist)[-1])
    page = Client().post(link, {"open_slots": "0"})
    assert page.status_code == 200
    assert 'id="id_open_slots_error"' in page.content.decode()
    assert "Enter at least 1" in page.content.decode()
    assert not fresh(therapist).accepting_new_clients


def test_a_link_that_is_forged_expired_or_for_an_old_closing_no_longer_works(
    closed_therapist,
) -> None:
    therapist = closed_therapist
    link = reopen_link(to_therapist(therapist)[-1])
    client = Client()
    token = link.rstrip("/").rsplit("/", 1)[1]
    forged = reverse("profiles:openings_reopen_link", args=[token[:-2] + "xx"])
    assert client.get(forged).status_code == 410
    later = timezone.now() + dt.timedelta(days=OPENINGS_REOPEN_LINK_DAYS, hours=1)
    with time_machine.travel(later):
        assert client.post(link, {"open_slots": "2"}).status_code == 410
    # The therapist set their capacity themselves: the closing's link is spent.
    therapist_capacity_update(therapist=therapist, accepting_new_clients=True, open_slots=1)
    assert client.post(link, {"open_slots": "2"}).status_code == 410
    assert fresh(therapist).open_slots == 1


def test_the_therapist_reopens_from_home(closed_therapist) -> None:
    therapist = closed_therapist
    client = signed_in(therapist.user)
    home = client.get(reverse("matching:therapist_home")).content.decode()
    assert "Your openings are all taken" in home
    assert reverse("profiles:openings_reopen") in home

    refused = client.post(reverse("profiles:openings_reopen"), {"open_slots": "-1"})
    assert refused.status_code == 200
    assert 'id="id_open_slots_error"' in refused.content.decode()
    assert not fresh(therapist).accepting_new_clients

    response = client.post(reverse("profiles:openings_reopen"), {"open_slots": "3"}, follow=True)
    assert "You are taking new requests again, with 3 openings." in response.content.decode()
    assert (fresh(therapist).accepting_new_clients, fresh(therapist).open_slots) == (True, 3)
    assert "3 openings left" in client.get(reverse("matching:therapist_home")).content.decode()


def test_only_a_signed_in_therapist_reopens_from_home(closed_therapist) -> None:
    therapist = closed_therapist
    url = reverse("profiles:openings_reopen")
    assert Client().post(url, {"open_slots": "2"})["Location"].startswith(reverse("account_login"))
    assert signed_in(responder().user).post(url, {"open_slots": "2"}).status_code == 403
    from tests.factories import StaffFactory

    assert signed_in(StaffFactory()).post(url, {"open_slots": "2"}).status_code == 403
    assert not fresh(therapist).accepting_new_clients
    # Another therapist reopens only their own openings.
    other = listed_therapist(open_slots=2)
    signed_in(other.user).post(url, {"open_slots": "7"})
    assert fresh(other).open_slots == 7
    assert not fresh(therapist).accepting_new_clients


def test_a_lost_email_goes_from_the_sweep_and_once(eager_celery) -> None:
    from profiles.tasks import queue_openings_closed_notices

    therapist = listed_therapist(open_slots=1)
    # The email task was lost (say, Redis restarted): nothing was sent.
    TherapistProfile.objects.filter(pk=therapist.pk).update(
        accepting_new_clients=False, open_slots=0, openings_closed_at=timezone.now()
    )
    assert queue_openings_closed_notices() == 1
    assert len(mail.outbox) == 1
    assert queue_openings_closed_notices() == 0
    assert len(mail.outbox) == 1
    assert reopen_token(therapist=fresh(therapist)) in mail.outbox[0].body
