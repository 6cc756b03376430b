"""Writes for the ranking benchmark: a steady mixed write load, and edits timed to visibility.

The write load stands for a busy day: sign-ins anywhere, profile edits in the large state
and in other states, answers to intro requests (the responsiveness row an answer rewrites),
and vetting decisions, one after another at a fixed rate, each in its own transaction.
"""

from __future__ import annotations

import itertools
import random
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import update_last_login
from django.db import close_old_connections, connection

from devtools.bench import BENCH_EMAIL_DOMAIN, BENCH_PASSWORD
from matching.models import TherapistResponsiveness
from profiles.models import License, ResponderTraining, TherapistProfile, User, VettingStatus
from profiles.selectors import license_valid_q, therapists_listed
from profiles.services.therapists import therapist_capacity_update, therapist_profile_update
from profiles.services.vetting import record_version, vetting_decide

WRITES_PER_SECOND_DEFAULT = 5.0
TARGETS_PER_KIND = 200
BENCH_STAFF_EMAIL = f"staff@{BENCH_EMAIL_DOMAIN}"
VISIBILITY_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class WriteTargets:
    """Who the write load writes to: fixed at the start, so every write is cheap to make."""

    users: list[int]
    large_state_therapists: list[int]
    other_state_therapists: list[int]
    trainings: list[int]
    staff_id: int


def _listed_in(state: str, *, exclude: bool = False) -> list[int]:
    licensed = License.objects.filter(license_valid_q(), state=state).values("therapist")
    listed = therapists_listed().filter(accepting_new_clients=True)
    listed = listed.exclude(pk__in=licensed) if exclude else listed.filter(pk__in=licensed)
    return list(listed.order_by("pk").values_list("pk", flat=True)[:TARGETS_PER_KIND])


def write_targets(*, large_state: str, keep_out: set[int]) -> WriteTargets:
    """Pick the rows the write load writes to, leaving alone the therapists in keep_out."""
    staff = User.objects.filter(email=BENCH_STAFF_EMAIL).first()
    if staff is None:
        staff = User.objects.create_superuser(BENCH_STAFF_EMAIL, BENCH_PASSWORD)
    large = [pk for pk in _listed_in(large_state) if pk not in keep_out]
    trainings = ResponderTraining.objects.filter(therapist_id__in=large).exclude(
        status=VettingStatus.PENDING
    )
    return WriteTargets(
        users=list(
            User.objects.filter(role=User.Role.THERAPIST)
            .order_by("-pk")
            .values_list("pk", flat=True)[:TARGETS_PER_KIND]
        ),
        large_state_therapists=large,
        other_state_therapists=_listed_in(large_state, exclude=True),
        trainings=list(trainings.order_by("pk").values_list("pk", flat=True)[:TARGETS_PER_KIND]),
        staff_id=staff.pk,
    )


def _sign_in(targets: WriteTargets, rng: random.Random) -> None:
    update_last_login(None, User.objects.get(pk=rng.choice(targets.users)))


def _edit(therapist_ids: list[int], rng: random.Random) -> None:
    therapist = TherapistProfile.objects.get(pk=rng.choice(therapist_ids))
    years = (therapist.years_serving_responders or 0) % 30 + 1
    therapist_profile_update(therapist=therapist, fields={"years_serving_responders": years})


def _answer(targets: WriteTargets, rng: random.Random) -> None:
    therapist_id = rng.choice(targets.large_state_therapists + targets.other_state_therapists)
    decided = rng.randint(1, 40)
    TherapistResponsiveness.objects.update_or_create(
        therapist_id=therapist_id,
        defaults={
            "decided": decided,
            "answered": rng.randint(0, decided),
            "median_answer_hours": rng.choice([2.0, 9.0, 30.0, 80.0]),
        },
    )


def _decide(targets: WriteTargets, rng: random.Random) -> None:
    training = ResponderTraining.objects.get(pk=rng.choice(targets.trainings))
    decision = (
        VettingStatus.REJECTED
        if training.status == VettingStatus.VERIFIED
        else VettingStatus.VERIFIED
    )
    vetting_decide(
        kind="training",
        record_id=training.pk,
        staff=User.objects.get(pk=targets.staff_id),
        decision=decision,
        reason="Benchmark decision.",
        version=record_version(training),
    )


WRITE_KINDS: dict[str, Callable[[WriteTargets, random.Random], None]] = {
    "sign_in": _sign_in,
    "edit_large_state": lambda t, rng: _edit(t.large_state_therapists, rng),
    "edit_other_state": lambda t, rng: _edit(t.other_state_therapists, rng),
    "intro_answer": _answer,
    "vetting_decision": _decide,
}


@dataclass
class WriteLoad:
    """Writes at a fixed rate from a thread of its own (with its own database connection)."""

    targets: WriteTargets
    per_second: float = WRITES_PER_SECOND_DEFAULT
    done: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _run(self) -> None:
        rng = random.Random(10)  # noqa: S311 (picks fictional rows, nothing secret)
        interval = 1.0 / self.per_second
        started = time.monotonic()
        try:
            for number, kind in enumerate(itertools.cycle(WRITE_KINDS)):
                # Paced on the clock, so a slow write does not lower the rate that follows.
                if self._stop.wait(max(0.0, started + number * interval - time.monotonic())):
                    break
                WRITE_KINDS[kind](self.targets, rng)
                self.done[kind] += 1
        finally:
            self.seconds = time.monotonic() - started
            connection.close()

    def __enter__(self) -> WriteLoad:
        self._thread = threading.Thread(target=self._run, name="bench-writes", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    @property
    def rate(self) -> float:
        return sum(self.done.values()) / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Visibility:
    """Seconds from a committed edit to the first ranked page that reflects it."""

    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def max(self) -> float:
        return max(self.seconds)


def edit_to_visibility(
    *, therapist_id: int, public_id: str, shows: Callable[[str], bool], edits: int
) -> Visibility:
    """Take a therapist off the list and back, timing each edit until a page shows it.

    `shows(public_id)` fetches the ranked list from the server (another process) and tells
    whether the therapist is on it. Odd edits stop accepting clients, even ones start again.
    """
    close_old_connections()
    therapist = TherapistProfile.objects.get(pk=therapist_id)
    seconds = []
    for number in range(edits):
        accepting = number % 2 == 1
        therapist_capacity_update(
            therapist=therapist, accepting_new_clients=accepting, open_slots=2 if accepting else 0
        )
        committed = time.perf_counter()
        deadline = committed + VISIBILITY_TIMEOUT_SECONDS
        while shows(public_id) != accepting:
            if time.perf_counter() > deadline:
                raise TimeoutError(
                    f"edit {number + 1} was not visible within {VISIBILITY_TIMEOUT_SECONDS} s"
                )
        seconds.append(time.perf_counter() - committed)
    if not therapist.accepting_new_clients:
        therapist_capacity_update(therapist=therapist, accepting_new_clients=True, open_slots=2)
    return Visibility(seconds)
