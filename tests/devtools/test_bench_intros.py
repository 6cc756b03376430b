"""`make bench-intros` starts from nothing of the run before, whatever keys encrypted it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from cryptography.fernet import Fernet
from django.db import connection, transaction

from devtools.bench import BENCH_EMAIL_DOMAIN, bench_therapists_clear
from devtools.management.commands.bench_intros import (
    REQUESTS_DEFAULT,
    STATE,
    THERAPISTS_NEEDED,
    make_room,
    start_from_nothing,
)
from matching.models import IntroRequest
from profiles.crypto import DecryptionError
from profiles.models import ResponderProfile, TherapistProfile, User
from profiles.selectors import therapists_listed
from tests.factories import ResponderFactory, intro_through_service, listed_therapist

EARLIER_RUN_KEY = Fernet.generate_key().decode()
THIS_RUN_KEY = Fernet.generate_key().decode()

# The earlier run committed, as a real one does; PostgreSQL refuses TRUNCATE while a
# transaction still holds its own deferred foreign-key checks.
pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def _named_as_a_bench() -> Iterator[None]:
    """Let the database name the clearing checks say "bench", on the test database's connection.

    The connection is opened first and kept: only the name the guard reads changes.
    """
    connection.ensure_connection()
    name = connection.settings_dict["NAME"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(connection.settings_dict, "NAME", f"{name}_bench")
        yield


def _an_earlier_run(settings) -> None:
    """Leave what a bench run leaves: a responder and a request, under that run's own key."""
    settings.FIELD_ENCRYPTION_KEYS = [EARLIER_RUN_KEY]
    responder = ResponderFactory(answers={"state": STATE})
    intro_through_service(responder, listed_therapist(), message="A fictional earlier request.")
    settings.FIELD_ENCRYPTION_KEYS = [THIS_RUN_KEY]


def test_a_run_with_new_keys_empties_what_the_earlier_run_encrypted(settings) -> None:
    _an_earlier_run(settings)
    # The ORM's delete, as the bench cleared before, loads each request and cannot read it.
    with pytest.raises(DecryptionError), transaction.atomic():
        IntroRequest.objects.all().delete()

    with _named_as_a_bench():
        bench_therapists_clear()

    assert not IntroRequest.objects.exists()
    assert not ResponderProfile.objects.exists()
    assert not TherapistProfile.objects.exists()
    assert not User.objects.exists()


def test_each_run_seeds_afresh_enough_therapists_to_ask(settings) -> None:
    _an_earlier_run(settings)

    with _named_as_a_bench():
        therapists = start_from_nothing()

    assert len(therapists) == THERAPISTS_NEEDED
    assert all(t.user.email.endswith(f"@{BENCH_EMAIL_DOMAIN}") for t in therapists)
    assert set(therapists) <= set(therapists_listed().filter(accepting_new_clients=True))
    assert all(t.licenses.filter(state=STATE).exists() for t in therapists)
    assert not IntroRequest.objects.exists()
    assert not ResponderProfile.objects.exists()


def test_a_database_whose_name_does_not_say_bench_is_never_emptied(settings) -> None:
    _an_earlier_run(settings)

    with pytest.raises(RuntimeError, match="bench"):
        bench_therapists_clear()

    assert IntroRequest.objects.count() == 1
    assert User.objects.count() == 2


def test_the_therapists_asked_have_room_for_every_request_the_bench_sends(settings) -> None:
    """The bench measures delivery: no request of it may be refused for capacity."""
    from matching.selectors.intros import therapist_takes_requests

    settings.PENDING_REQUESTS_PER_OPENING = 2
    therapists = [listed_therapist(open_slots=1) for _ in range(THERAPISTS_NEEDED)]
    assert make_room(therapists, REQUESTS_DEFAULT) == 167  # 334 requests each, 2 per opening
    for therapist in therapists:
        therapist.refresh_from_db()
        assert therapist.open_slots * 2 >= -(-REQUESTS_DEFAULT // THERAPISTS_NEEDED)
        assert therapist_takes_requests(therapist=therapist)
