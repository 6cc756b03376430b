"""A simulated world run through Rapport's own services, on a moved clock.

Everything a person would do goes through the product's services: accounts and answers
(profiles.services), publishing and capacity (profiles.services.therapists), vetting
(profiles.services.vetting), the ranked list (matching.selectors.ranking.ranked_page),
intro requests and answers (matching.services.intros), check-ins (alliance.services.
checkins), and the periodic work beat runs (intro sweep, check-in emails and sweep), with
Celery tasks run inline and emails kept in memory. Only the people are simulated: who
arrives, whom they pick, what they answer; the hidden truth decides the answers.

The two functions that read the product's ranking and estimator, `top_ten` and
`measured_alliance`, are the only places to change when their public API changes.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import time_machine
from django.apps import apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import override_settings

from alliance.aggregation import population_values
from alliance.models import AllianceApproach, CheckIn, CheckInPlan
from alliance.selectors import alliance_measures, alliance_population
from alliance.services.approach import alliance_approach_update
from alliance.services.checkins import checkin_answer, checkins_email_due
from alliance.services.plans import checkins_sweep
from devtools.demo import STATEMENTS, demo_therapist, responder_intake
from devtools.simulation.figures import MonthFigures, month_figures
from devtools.simulation.parameters import SERVICE_MIX, WorldSettings
from devtools.simulation.truth import (
    TRAITS,
    Dyad,
    TherapistTruth,
    dyad_draw,
    ratings_draw,
    still_seeing_draw,
    therapist_truth,
    wellbeing_draw,
)
from matching.intake import Intake
from matching.models import IntroRequest
from matching.ranking.feed import forget_loaded_states
from matching.selectors.ranking import ranked_page, seeker_from
from matching.services.intros import intro_answer, intro_create, intro_sweep
from profiles.models import (
    License,
    ResponderProfile,
    ResponderTraining,
    TherapistProfile,
    User,
    VettingStatus,
)
from profiles.services.accounts import account_profile_create, responder_answers_update
from profiles.services.therapists import (
    therapist_capacity_update,
    therapist_confirm,
    therapist_profile_update,
    therapist_publish,
)
from profiles.services.vetting import record_version, vetting_decide
from profiles.vocabulary import PRACTICE_TRAIT

SIM_DOMAIN = "simulated.rapport.localhost"
# A fixed start, so the same seed gives the same run on any day.
SIM_START = dt.datetime(2027, 1, 4, 8, 0, tzinfo=dt.UTC)
DAYS_PER_MONTH = 30
MAX_TRIES = 3  # a responder asks at most this many therapists, one after another
ANSWER_DAYS = (0, 1, 1, 2)  # a therapist answers the same day (in the afternoon) or later
CHECKIN_ANSWER_DAYS_MAX = 6  # after the email, well inside the link's life
EXPIRED_RETRY_DAYS = 4  # an unanswered request has expired (72 hours) and been swept
EVIDENCE = {"document": "evidence/simulated.pdf", "document_content_type": "application/pdf"}
# Tables the emptying keeps: what migrations fill and nothing in the world writes.
KEPT_TABLES = frozenset({"django_content_type", "auth_permission", "django_site"})


# The adapter: the product's public reads, in one place each.


@dataclass(frozen=True)
class MeasuredAlliance:
    """The product's measured alliance: the mean of the four traits per measured therapist,
    the responders behind it, and where an unmeasured therapist sits (the population)."""

    ratings: dict[int, float]
    responders: dict[int, int]
    population: float
    # The ranking's values per trait (0 to 1), and the population's: what the score reads.
    values: dict[int, dict[str, float]] = field(default_factory=dict)
    baseline: dict[str, float] = field(default_factory=dict)
    strength: float = 0.0  # the prior strength k, mean over the four traits


def measured_alliance(*, unshrunk: bool = False) -> MeasuredAlliance:
    """Read the product's estimator through its public selector (alliance_measures).

    `unshrunk` reads the same released check-ins with a prior strength of 0: each
    therapist's plain mean over their responders, the baseline without shrinkage.
    """
    population = alliance_population()
    if unshrunk:
        population = replace(population, strengths=dict.fromkeys(population.means, 0.0))
    measures = alliance_measures(population=population)
    return MeasuredAlliance(
        ratings={
            therapist_id: sum(m.ratings[t] for t in TRAITS) / len(TRAITS)
            for therapist_id, m in measures.overall.items()
        },
        responders={therapist_id: m.responders for therapist_id, m in measures.overall.items()},
        population=sum(measures.population.means[t] for t in TRAITS) / len(TRAITS),
        values={therapist_id: dict(m.values) for therapist_id, m in measures.overall.items()},
        baseline=population_values(measures.population),
        strength=sum(measures.population.strength(t) for t in TRAITS) / len(TRAITS),
    )


@dataclass(frozen=True)
class Card:
    therapist_id: int
    public_id: str
    position: int


def top_ten(intake: Intake, *, tie_seed: int) -> list[Card]:
    """The first page of the responder's real ranked list (matching.selectors.ranking)."""
    page = ranked_page(seeker=seeker_from(intake, tie_seed=tie_seed))
    return [Card(c.facts.therapist_id, str(c.facts.public_id), c.position) for c in page.cards]


# The people of the world.


@dataclass
class SimTherapist:
    therapist_id: int
    number: int
    truth: TherapistTruth
    capacity: int  # new clients a month
    joined_month: int
    accepted_this_month: int = 0


@dataclass
class SimResponder:
    number: int
    profile_id: int
    intake: Intake
    asked: set[int] = field(default_factory=set)
    retry_day: int | None = None


@dataclass
class PlannedAnswer:
    """What a therapist will do with one request: answer on `day`, or never (None)."""

    responder: SimResponder
    therapist_id: int
    day: int | None


@dataclass
class WorldLog:
    """What the world did, for the figures: top tens seen each month, plans' dyads."""

    top_tens: dict[int, list[list[int]]] = field(default_factory=dict)  # month -> lists
    dyads: dict[int, Dyad] = field(default_factory=dict)  # plan id -> dyad
    new_therapist_id: int | None = None
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("responders", "intros", "accepted", "declined", "expired", "checkins", "emails"), 0
        )
    )


@contextmanager
def _tasks_inline() -> Iterator[None]:
    """Run Celery tasks inline, as a worker would right after each commit."""
    from config.celery import app

    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    # A line per task run would bury the figures.
    trace = logging.getLogger("celery.app.trace")
    level = trace.level
    trace.setLevel(logging.WARNING)
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = before
        trace.setLevel(level)


def simulation_database_empty() -> None:
    """Empty every table the world writes (a simulation's or a test database only)."""
    name = str(connection.settings_dict["NAME"])
    if "simulate" not in name and not name.startswith("test_"):
        raise RuntimeError(
            f"Refusing to empty database {name!r}: its name must contain 'simulate' "
            "(or it must be a test database)."
        )
    existing = set(connection.introspection.table_names())
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
        & existing - KEPT_TABLES
    )
    quoted = ", ".join(connection.ops.quote_name(table) for table in tables)
    # The audit trail refuses TRUNCATE unless the transaction says so (profiles 0003).
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL rapport.audit_truncate_allowed = 'on'")
            cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
        else:
            raise RuntimeError("The simulation runs on PostgreSQL.")


class World:
    """One simulated world: build it, run it month by month, and collect the figures."""

    def __init__(
        self, settings: WorldSettings, *, write: Callable[[MonthFigures], None] | None = None
    ) -> None:
        self.settings = settings
        self.write = write
        seed = settings.seed
        # Separate streams, so the truth does not depend on how people behave.
        self.rng_truth = random.Random(f"truth:{seed}")  # noqa: S311 (simulation, not secrets)
        self.rng_people = random.Random(f"people:{seed}")  # noqa: S311
        self.rng_answers = random.Random(f"answers:{seed}")  # noqa: S311
        self.therapists: dict[int, SimTherapist] = {}
        self.responders: list[SimResponder] = []
        self.planned: dict[int, PlannedAnswer] = {}  # intro id -> what the therapist does
        self.checkin_days: dict[int, int | None] = {}  # check-in id -> answer day, or never
        self.log = WorldLog()
        self.staff: User | None = None
        self.clock: time_machine.Coordinates | None = None

    # Running.

    def run(self) -> list[MonthFigures]:
        """Empty the database, build the world and run it; the figures of every month."""
        figures: list[MonthFigures] = []
        email = override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
        with time_machine.travel(SIM_START, tick=False) as clock, _tasks_inline(), email:
            self.clock = clock
            simulation_database_empty()
            forget_loaded_states()
            mail.outbox = []
            self._build()
            arrivals: dict[int, int] = {}
            for day in range(self.settings.months * DAYS_PER_MONTH):
                month = day // DAYS_PER_MONTH + 1
                if day % DAYS_PER_MONTH == 0:
                    arrivals = self._month_start(month, day)
                self._day(day, month, arrivals.get(day, 0))
                if day % DAYS_PER_MONTH == DAYS_PER_MONTH - 1:
                    self._at(day, hours=14)
                    self.log.counts["emails"] += len(mail.outbox)
                    mail.outbox = []
                    result = month_figures(self, month=month)
                    figures.append(result)
                    if self.write:
                        self.write(result)
        forget_loaded_states()
        return figures

    def _at(self, day: int, *, hours: float) -> None:
        if self.clock is None:
            raise RuntimeError("The clock moves only while the world runs.")
        self.clock.move_to(SIM_START + dt.timedelta(days=day, hours=hours))

    def _day(self, day: int, month: int, arrivals: int) -> None:
        # 08:00: what beat runs (every few minutes or hourly in production; daily is
        # enough here, since nothing in the world happens between these hours).
        self._at(day, hours=0)
        intro_sweep()
        checkins_email_due()
        checkins_sweep()
        # 10:00: new responders look and ask; those turned down look again.
        self._at(day, hours=2)
        for _ in range(arrivals):
            self._responder_arrives(month=month, day=day)
        for responder in self.responders:
            if responder.retry_day == day:
                responder.retry_day = None
                self._look_and_ask(responder, day=day, month=month, first_look=False)
        # 14:00: therapists answer requests.
        self._at(day, hours=6)
        self._therapists_answer(day)
        # 18:00: responders answer emailed check-ins.
        self._at(day, hours=10)
        self._checkins_answer(day)

    # Building.

    def _build(self) -> None:
        self.staff = User.objects.create_user(
            email=f"staff@{SIM_DOMAIN}", password=None, role=User.Role.STAFF, is_staff=True
        )
        for number in range(1, self.settings.therapists + 1):
            self._therapist_add(number, therapist_truth(self.rng_truth, self.settings), month=1)

    def _therapist_add(self, number: int, truth: TherapistTruth, *, month: int) -> int:
        """A fictional therapist, made as one would be: sign-up, profile, license and
        trainings vetted by staff, alliance practices, capacity, publish."""
        settings = self.settings
        today = SIM_START.date()
        demo = demo_therapist(number, settings.state, today=today, seed=settings.seed)
        user = User.objects.create_user(
            email=f"therapist{number:04d}@{SIM_DOMAIN}", password=None, role=User.Role.THERAPIST
        )
        therapist = account_profile_create(
            user=user, role=User.Role.THERAPIST, full_name=demo.profile["full_name"]
        )
        derived = {"office_city", "office_state", "office_latitude", "office_longitude"}
        fields = {
            name: value
            for name, value in demo.profile.items()
            if name not in derived | {"confirmed_days_ago", "accepting_new_clients", "open_slots"}
        }
        fields["bio"] = "Simulated therapist (fictional). " + fields["bio"]
        if not fields["services_served"]:  # a complete profile names at least one
            fields["services_served"] = frozenset({self.rng_truth.choice(list(SERVICE_MIX))})
        therapist = therapist_profile_update(therapist=therapist, fields=fields)
        license_values = dict(demo.licenses[0], status=VettingStatus.PENDING)
        license_values["expires_on"] = today + dt.timedelta(days=3 * 365)
        records: list[License | ResponderTraining] = [
            License.objects.create(therapist=therapist, **EVIDENCE, **license_values)
        ]
        for values in demo.trainings:
            training = ResponderTraining.objects.create(
                therapist=therapist,
                **EVIDENCE,
                **dict(values, status=VettingStatus.PENDING),
            )
            if values["status"] == VettingStatus.VERIFIED:
                records.append(training)
        if self.staff is None:
            raise RuntimeError("Staff vet therapists: build the world first.")
        for record in records:
            vetting_decide(
                kind="license" if isinstance(record, License) else "training",
                record_id=record.pk,
                staff=self.staff,
                decision=VettingStatus.VERIFIED,
                reason="",
                board_lookup_url="https://licensing-board.example/lookup",
                version=record_version(record),
            )
        alliance_approach_update(
            therapist=therapist,
            fields={
                **{trait: STATEMENTS[trait][0] for trait in TRAITS},
                "practices": truth.practices,
                **{k: v for k, v in demo.alliance.items() if k.startswith("style_")},
            },
        )
        capacity = self.rng_truth.randint(*settings.new_clients_per_month)
        therapist = TherapistProfile.objects.get(pk=therapist.pk)
        therapist_capacity_update(
            therapist=therapist, accepting_new_clients=True, open_slots=capacity
        )
        therapist_publish(therapist=therapist)
        self.therapists[therapist.pk] = SimTherapist(
            therapist.pk, number, truth, capacity, joined_month=month
        )
        return therapist.pk

    def _month_start(self, month: int, day: int) -> dict[int, int]:
        """Therapists open their month's capacity (which confirms their profile); a new
        strong therapist may join; this month's responders get their arrival days."""
        closed = set(
            TherapistProfile.objects.filter(accepting_new_clients=False).values_list(
                "pk", flat=True
            )
        )
        for therapist_id, sim in sorted(self.therapists.items()):
            sim.accepted_this_month = 0
            therapist = TherapistProfile.objects.get(pk=therapist_id)
            if therapist_id in closed:
                therapist_capacity_update(
                    therapist=therapist, accepting_new_clients=True, open_slots=sim.capacity
                )
            else:  # confirmed monthly, as the reminder asks, so they stay listed
                therapist_confirm(therapist=therapist)
        if month == self.settings.new_therapist_month and month > 1:
            truth = therapist_truth(self.rng_truth, self.settings, z=self.settings.new_therapist_z)
            # An ordinary self-description: one practice for each trait.
            practices = frozenset(
                next(p for p, t in _practice_traits() if t == trait) for trait in TRAITS
            )
            truth = TherapistTruth(
                truth.z, truth.traits, truth.service, truth.service_effect, practices
            )
            number = self.settings.therapists + 1
            self.log.new_therapist_id = self._therapist_add(number, truth, month=month)
        arrivals: dict[int, int] = {}
        for _ in range(self.settings.responders_per_month):
            when = day + self.rng_people.randrange(DAYS_PER_MONTH)
            arrivals[when] = arrivals.get(when, 0) + 1
        return arrivals

    # Responders.

    def _intake(self) -> Intake:
        return responder_intake(self.rng_people, self.settings.state)

    def _responder_arrives(self, *, month: int, day: int) -> None:
        number = len(self.responders) + 1
        intake = self._intake()
        user = User.objects.create_user(
            email=f"responder{number:05d}@{SIM_DOMAIN}", password=None, role=User.Role.RESPONDER
        )
        profile = account_profile_create(
            user=user, role=User.Role.RESPONDER, pseudonym=f"Simulated {number}"
        )
        responder_answers_update(profile=profile, answers=intake.to_dict())
        responder = SimResponder(number, profile.pk, intake)
        self.responders.append(responder)
        self.log.counts["responders"] += 1
        self._look_and_ask(responder, day=day, month=month, first_look=True)

    def _look_and_ask(
        self, responder: SimResponder, *, day: int, month: int, first_look: bool
    ) -> None:
        """Look at the ranked list and ask one therapist, most often one near the top."""
        cards = top_ten(responder.intake, tie_seed=responder.number)
        if first_look:
            self.log.top_tens.setdefault(month, []).append([c.therapist_id for c in cards])
        rng = self.rng_people
        open_cards = [c for c in cards if c.therapist_id not in responder.asked]
        while open_cards and len(responder.asked) < MAX_TRIES:
            weights = [self.settings.pick_decay ** (c.position - 1) for c in open_cards]
            card = rng.choices(open_cards, weights=weights)[0]
            open_cards.remove(card)
            responder.asked.add(card.therapist_id)
            try:
                intro = intro_create(
                    responder=_responder_profile(responder),
                    state=self.settings.state,
                    therapist_public_id=uuid.UUID(card.public_id),
                    submission_token=uuid.UUID(int=rng.getrandbits(128)),
                    message="Simulated request (fictional).",
                    contact_method=IntroRequest.ContactMethod.RAPPORT,
                    contact_email="",
                    contact_phone="",
                    contact_hours=frozenset(),
                    between_shifts=False,
                    ranking_intake=responder.intake,
                    shown_rank=card.position,
                )
            except ValidationError:
                continue  # no longer taking requests: the next card
            self.log.counts["intros"] += 1
            ignored = rng.random() < self.settings.ignore_rate
            self.planned[intro.pk] = PlannedAnswer(
                responder, card.therapist_id, None if ignored else day + rng.choice(ANSWER_DAYS)
            )
            if ignored:
                responder.retry_day = day + EXPIRED_RETRY_DAYS
            return

    # Therapists.

    def _therapists_answer(self, day: int) -> None:
        rng = self.rng_people
        for intro_id, planned in sorted(self.planned.items()):
            if planned.day is None or planned.day > day:
                continue
            del self.planned[intro_id]
            sim = self.therapists[planned.therapist_id]
            intro = IntroRequest.objects.get(pk=intro_id)
            full = sim.accepted_this_month >= sim.capacity
            accept = not full and rng.random() >= self.settings.decline_rate
            try:
                intro_answer(
                    intro=intro,
                    decision=IntroRequest.Status.ACCEPTED
                    if accept
                    else IntroRequest.Status.DECLINED,
                    reply="Simulated reply (fictional).",
                )
            except ValidationError:
                continue  # expired or withdrawn meanwhile
            if not accept:
                self.log.counts["declined"] += 1
                planned.responder.retry_day = day + 1
                continue
            self.log.counts["accepted"] += 1
            plan = CheckInPlan.objects.get(intro_id=intro_id)
            self.log.dyads[plan.pk] = dyad_draw(
                self.rng_answers, sim.truth, planned.responder.intake.service, self.settings
            )
            sim.accepted_this_month += 1
            if sim.accepted_this_month >= sim.capacity:
                therapist_capacity_update(
                    therapist=TherapistProfile.objects.get(pk=sim.therapist_id),
                    accepting_new_clients=False,
                    open_slots=0,
                )

    # Check-ins.

    def _checkins_answer(self, day: int) -> None:
        rng = self.rng_answers
        emailed = CheckIn.objects.filter(
            status=CheckIn.Status.DUE, emailed_at__isnull=False, plan__stopped_at__isnull=True
        ).order_by("pk")
        for checkin in emailed.select_related("plan__responder"):
            if checkin.pk not in self.checkin_days:
                answers = rng.random() < self.settings.checkin_answer_rate
                self.checkin_days[checkin.pk] = (
                    day + rng.randint(0, CHECKIN_ANSWER_DAYS_MAX) if answers else None
                )
            when = self.checkin_days[checkin.pk]
            if when is None or when > day:
                continue
            dyad = self.log.dyads[checkin.plan_id]
            wellbeing = (
                wellbeing_draw(rng, dyad, checkin.number)
                if rng.random() < self.settings.wellbeing_answer_rate
                else None
            )
            checkin_answer(
                checkin=checkin,
                responder=checkin.plan.responder,
                ratings=ratings_draw(rng, dyad, self.settings),
                still_seeing=still_seeing_draw(rng, dyad, self.settings),
                note="",
                shared=rng.random() < self.settings.share_rate,
                wellbeing=wellbeing,
            )
            self.log.counts["checkins"] += 1


def _responder_profile(responder: SimResponder) -> ResponderProfile:
    return ResponderProfile.objects.get(pk=responder.profile_id)


def _practice_traits() -> list[tuple[str, str]]:
    return list(PRACTICE_TRAIT.items())


def practices_by_therapist() -> dict[int, frozenset[str]]:
    """Every therapist's listed practices, as the product stores them."""
    return {
        therapist_id: frozenset(practices)
        for therapist_id, practices in AllianceApproach.objects.values_list(
            "therapist_id", "practices"
        )
    }
