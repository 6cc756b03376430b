"""A seeded run of many responders asking their first match, with and without the capacity
rules: how many requests go beyond what therapists can take, and what it costs in the match
score responders reach (development only; `manage.py measure_openings`).

The world is the demo data (devtools.demo, seeded as `seed_demo` does) in one state. Fictional
responders with varied answers arrive over a number of days; each looks at their real ranked
list (`ranked_page`) and asks the first card through the real service (`intro_create`).
Therapists answer each request after one to three days through `intro_answer`, accepting
while they have an opening left and declining once they have none; one request in ten is
left unanswered and expires (`intro_sweep`). Nobody reopens during the run.

- With the rules: everything as the product does it. An accept takes an opening, the last
  one closes the therapist, requests wait within PENDING_REQUESTS_PER_OPENING per opening,
  and the list orders by load.
- Without: every accepting therapist is given 200 openings in the database, so that no rule
  binds (nothing is refused, no load is felt, as before openings counted). The run keeps each
  therapist's true openings (the demo's) itself, and therapists accept only that many.

"Beyond capacity": a request sent to a therapist who, at that moment, had no true opening
left or already held PENDING_REQUESTS_PER_OPENING requests waiting per true opening left.
The score reached is the match score (0 to 100) of the therapist asked, as the request's
snapshot keeps it (the same with and without the rules: only the order and who is listed
change).

Each run happens inside one transaction that is rolled back at the end, so the database is
left as it was; no email or task leaves it.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import random
import statistics
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import time_machine
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.test import override_settings

from devtools.demo import responder_intake
from matching.intake import Intake
from matching.models import IntroRequest, IntroSnapshot
from matching.ranking.feed import forget_loaded_states
from matching.selectors.ranking import ranked_page, seeker_from
from matching.services.intros import intro_answer, intro_create, intro_sweep
from profiles.models import License, ResponderProfile, TherapistProfile, User
from profiles.selectors import license_valid_q, therapists_taking_clients

# The demo's world is the one the ranking's golden test holds, on its date.
START = dt.datetime(2026, 6, 15, 9, tzinfo=dt.UTC)
RESPONDER_DOMAIN = "openings.measure.rapport.localhost"
UNANSWERED_SHARE = 0.1
ANSWER_DAYS = (1, 1, 2, 3)
DECLINE_WITH_OPENINGS_SHARE = 0.1
NO_RULES_OPENINGS = 200


@dataclass
class RunFigures:
    """What one run measured."""

    rules: bool
    seed: int
    responders: int = 0
    therapists: int = 0
    openings: int = 0
    requests: int = 0
    beyond_capacity: int = 0
    to_no_opening_left: int = 0
    found_no_one: int = 0
    refused: int = 0
    accepted: int = 0
    scores: list[float] = field(default_factory=list)
    accepted_scores: list[float] = field(default_factory=list)
    asked: Counter = field(default_factory=Counter)
    openings_of: dict[int, int] = field(default_factory=dict)

    @property
    def beyond_share(self) -> float:
        return self.beyond_capacity / self.requests if self.requests else 0.0

    @property
    def mean_score(self) -> float:
        return statistics.fmean(self.scores) if self.scores else float("nan")

    @property
    def mean_accepted_score(self) -> float:
        return statistics.fmean(self.accepted_scores) if self.accepted_scores else float("nan")

    @property
    def top_five_share(self) -> float:
        top = sum(n for _, n in self.asked.most_common(5))
        return top / self.requests if self.requests else 0.0

    @property
    def most_requests_per_opening(self) -> float:
        return max(
            (n / max(1, self.openings_of.get(t, 1)) for t, n in self.asked.items()), default=0.0
        )


def _responders(rng: random.Random, count: int, state: str) -> list[ResponderProfile]:
    password = make_password(None)
    users = User.objects.bulk_create(
        User(email=f"responder{n:05d}@{RESPONDER_DOMAIN}", role=User.Role.RESPONDER,
             password=password)
        for n in range(count)
    )  # fmt: skip
    return ResponderProfile.objects.bulk_create(
        ResponderProfile(
            user=user, pseudonym=f"Measured {n}", answers=responder_intake(rng, state).to_dict()
        )
        for n, user in enumerate(users)
    )


def _true_openings(state: str) -> dict[int, int]:
    """The openings of every therapist the state's list may show, as the demo gave them."""
    licensed_here = License.objects.filter(license_valid_q(), therapist=OuterRef("pk"), state=state)
    return dict(
        therapists_taking_clients().filter(Exists(licensed_here)).values_list("pk", "open_slots")
    )


def run_once(*, rules: bool, seed: int, state: str, responders: int, days: int) -> RunFigures:
    """One run in the demo world, on the current database state (rolled back by the caller)."""
    rng = random.Random(seed)  # noqa: S311 (fictional people, not secrets)
    per_opening = settings.PENDING_REQUESTS_PER_OPENING
    figures = RunFigures(rules=rules, seed=seed)
    openings = _true_openings(state)
    figures.therapists, figures.openings = len(openings), sum(openings.values())
    figures.openings_of = dict(openings)
    if not rules:
        TherapistProfile.objects.filter(pk__in=list(openings)).update(open_slots=NO_RULES_OPENINGS)
    forget_loaded_states()
    people = _responders(rng, responders, state)
    arrivals = sorted(rng.randrange(days) for _ in people)
    planned: dict[int, int | None] = {}  # intro id -> day of the answer (None: never)
    for day in range(days + max(ANSWER_DAYS) + 4):
        with time_machine.travel(START + dt.timedelta(days=day), tick=False):
            intro_sweep()
            for intro_id, answer_day in sorted(planned.items()):
                if answer_day is None or answer_day > day:
                    continue
                del planned[intro_id]
                intro = IntroRequest.objects.get(pk=intro_id)
                if intro.status != IntroRequest.Status.PENDING:
                    continue
                can = openings.get(intro.therapist_id, 0) > 0
                accept = can and rng.random() >= DECLINE_WITH_OPENINGS_SHARE
                intro_answer(
                    intro=intro,
                    decision="accepted" if accept else "declined",
                    reply="Fictional reply.",
                )
                if accept:
                    openings[intro.therapist_id] -= 1
                    figures.accepted += 1
                    snapshot = IntroSnapshot.objects.get(for_intro_id=intro_id)
                    if snapshot.total is not None:
                        figures.accepted_scores.append(snapshot.total)
            for number in [n for n, arrival in enumerate(arrivals) if arrival == day]:
                _ask_first_match(people[number], number, rng, openings, planned, figures,
                                 day=day, state=state, per_opening=per_opening)  # fmt: skip
    figures.responders = responders
    return figures


def _ask_first_match(
    responder: ResponderProfile,
    number: int,
    rng: random.Random,
    openings: dict[int, int],
    planned: dict[int, int | None],
    figures: RunFigures,
    *,
    day: int,
    state: str,
    per_opening: int,
) -> None:
    intake = Intake.from_dict(responder.answers)
    page = ranked_page(seeker=seeker_from(intake, tie_seed=number))
    if not page.cards:
        figures.found_no_one += 1
        return
    card = page.cards[0]
    therapist_id = card.facts.therapist_id
    waiting = IntroRequest.objects.filter(
        therapist_id=therapist_id, status=IntroRequest.Status.PENDING
    ).count()
    left = openings.get(therapist_id, 0)
    try:
        intro = intro_create(
            responder=responder,
            state=state,
            therapist_public_id=uuid.UUID(card.facts.public_id),
            submission_token=uuid.UUID(int=rng.getrandbits(128)),
            message="Measured request (fictional).",
            contact_method=IntroRequest.ContactMethod.RAPPORT,
            contact_email="",
            contact_phone="",
            contact_hours=frozenset(),
            between_shifts=False,
            ranking_intake=intake,
            shown_rank=1,
        )
    except ValidationError:
        figures.refused += 1
        return
    figures.requests += 1
    figures.asked[therapist_id] += 1
    figures.to_no_opening_left += left <= 0
    figures.beyond_capacity += left <= 0 or waiting >= left * per_opening
    snapshot = IntroSnapshot.objects.get(intro=intro)
    if snapshot.total is not None:
        figures.scores.append(snapshot.total)
    unanswered = rng.random() < UNANSWERED_SHARE
    planned[intro.pk] = None if unanswered else day + rng.choice(ANSWER_DAYS)


@contextmanager
def _nothing_leaves() -> Iterator[None]:
    """Tasks the services start run inline, and emails stay in memory: nothing of a run
    reaches a broker or a mail folder."""
    from config.celery import app

    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    trace = logging.getLogger("celery.app.trace")
    level = trace.level
    trace.setLevel(logging.WARNING)
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = before
        trace.setLevel(level)


def measure(
    *, seeds: list[int], state: str = "CO", responders: int = 349, days: int = 28
) -> list[RunFigures]:
    """Both kinds of run for each seed, each from the same demo world, all rolled back."""
    results = []
    with time_machine.travel(START, tick=False), _nothing_leaves(), transaction.atomic():
        # The demo seed runs inside the transaction undone below, so its published demo
        # password never outlives the run.
        call_command("seed_demo", verbosity=0, even_without_debug=True, stdout=io.StringIO())
        for seed in seeds:
            for rules in (False, True):
                with transaction.atomic():  # a savepoint: each run starts from the seed
                    results.append(
                        run_once(
                            rules=rules, seed=seed, state=state, responders=responders, days=days
                        )
                    )
                    transaction.set_rollback(True)
                forget_loaded_states()
        transaction.set_rollback(True)
    return results


def summary_lines(results: list[RunFigures]) -> list[str]:
    """A table of the runs, then the differences the README reports."""
    lines = [
        "seed  rules  therapists  openings  requests  beyond capacity     to none left  "
        "found no one  accepted  mean score asked  mean score accepted  top 5 share  "
        "most per opening"
    ]
    for r in results:
        lines.append(
            f"{r.seed:>4}  {'with' if r.rules else 'none':>5}  {r.therapists:>10}  "
            f"{r.openings:>8}  {r.requests:>8}  {r.beyond_capacity:>5} ({r.beyond_share:6.1%})"
            f"  {r.to_no_opening_left:>12}  {r.found_no_one:>12}  {r.accepted:>8}  "
            f"{r.mean_score:>16.1f}  {r.mean_accepted_score:>19.1f}  "
            f"{r.top_five_share:>11.0%}  {r.most_requests_per_opening:>16.1f}"
        )
    pairs = [
        (without, with_rules)
        for without in results
        if not without.rules
        for with_rules in results
        if with_rules.rules and with_rules.seed == without.seed
    ]
    if pairs:
        drops = [a.mean_score - b.mean_score for a, b in pairs]
        beyond = [(a.beyond_share, b.beyond_share) for a, b in pairs]
        lines.append(
            "mean score asked, drop with the rules: "
            + ", ".join(f"{d:+.1f}" for d in drops)
            + f" (mean {statistics.fmean(drops):+.1f} points)"
        )
        lines.append(
            "requests beyond capacity, without -> with: "
            + ", ".join(f"{a:.1%} -> {b:.1%}" for a, b in beyond)
        )
    return lines
