"""Deliver 1,000 intro requests through faults, and count what arrived: `make bench-intros`."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from config.celery import app as celery_app
from devtools.bench import (
    bench_database_create_if_missing,
    bench_therapists_clear,
    seed_bench_therapists,
)
from devtools.delivery_drill import (
    RedisServer,
    SmtpRecorder,
    environment_without_celery,
    run_drill,
)
from matching.intake import Intake
from matching.models import IntroRequest
from matching.services.intros import intro_create
from profiles.models import ResponderProfile, TherapistProfile, User
from profiles.selectors import therapists_listed
from profiles.services.therapists import therapist_capacity_update

REQUESTS_DEFAULT = 1_000
STATE = "CO"
THERAPISTS_NEEDED = 3  # a responder may have three requests open, one per therapist
THERAPISTS_SEEDED = 60  # enough for three of them to be listed and accepting in STATE
RESPONDER_DOMAIN = "intros.bench.rapport.localhost"
DEADLINE_SECONDS = 120
MOST_OPENINGS = 200  # what a therapist may say they have
TARGET_SECONDS = 60
RESULTS_PATH = Path(settings.BASE_DIR) / "var" / "bench" / "intros.json"


def start_from_nothing() -> list[TherapistProfile]:
    """Empty the accounts of earlier runs, seed therapists afresh, and return those to ask.

    Every run makes new encryption keys (the Makefile), so the requests and responders an
    earlier run left are unreadable now. TRUNCATE empties the accounts and every table that
    refers to them (requests, messages, responders) without reading a row, so nothing is
    decrypted; the ORM's delete would load each request and fail.
    """
    bench_therapists_clear()
    seed_bench_therapists(count=THERAPISTS_SEEDED, large_state=STATE)
    listed = list(
        therapists_listed()
        .filter(accepting_new_clients=True, licenses__state=STATE)
        .distinct()[:THERAPISTS_NEEDED]
    )
    if len(listed) < THERAPISTS_NEEDED:
        raise CommandError(
            f"The seed listed {len(listed)} therapists accepting in {STATE}, "
            f"not the {THERAPISTS_NEEDED} needed."
        )
    return listed


def make_room(therapists: list[TherapistProfile], requests: int) -> int:
    """Give the therapists asked enough openings for every request the bench sends them to
    wait at once (PENDING_REQUESTS_PER_OPENING per opening): this is a benchmark of
    delivery, not of capacity. Returns the openings each is given."""
    per_therapist = -(-requests // len(therapists))
    openings = -(-per_therapist // settings.PENDING_REQUESTS_PER_OPENING)
    if openings > MOST_OPENINGS:
        raise CommandError(
            f"{requests} requests need more than {MOST_OPENINGS} openings for each of "
            f"{len(therapists)} therapists; raise PENDING_REQUESTS_PER_OPENING or send fewer."
        )
    for therapist in therapists:
        therapist_capacity_update(
            therapist=therapist, accepting_new_clients=True, open_slots=max(1, openings)
        )
    return openings


class Command(BaseCommand):
    help = (
        "Deliver intro requests with a worker killed and Redis restarted; run `make bench-intros`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--requests", type=int, default=REQUESTS_DEFAULT)

    def handle(self, *args: Any, **options: Any) -> None:
        database = settings.DATABASES["default"]
        if not database["ENGINE"].endswith("postgresql") or "bench" not in str(database["NAME"]):
            raise CommandError("Run this on a benchmark database of its own: make bench-intros")
        count = options["requests"]
        bench_database_create_if_missing()
        call_command("migrate", interactive=False, verbosity=0)
        therapists = start_from_nothing()
        make_room(therapists, count)

        redis, smtp = RedisServer().start(), SmtpRecorder().start()
        try:
            # This process's deliveries go to the drill's own Redis, like every worker's.
            celery_app.conf.broker_url = redis.url
            started = time.monotonic()
            public_ids = self._create(count, therapists)
            created_seconds = time.monotonic() - started
            self.stdout.write(f"created {count} intro requests in {created_seconds:.1f} s")
            result = run_drill(
                public_ids=public_ids,
                delivered_count=lambda: IntroRequest.objects.filter(
                    delivered_at__isnull=False
                ).count(),
                base_env={
                    **environment_without_celery(),
                    "DJANGO_SETTINGS_MODULE": "config.settings",
                },
                redis=redis,
                smtp=smtp,
                deadline_seconds=DEADLINE_SECONDS,
                on_progress=lambda line: self.stdout.write(f"  {line}"),
            )
        finally:
            smtp.stop()
            redis.stop()
        total_seconds = created_seconds + result.seconds
        figures = {
            "requests": result.requests,
            "delivered": result.delivered,
            "lost": result.lost,
            "duplicated": result.duplicated,
            "seconds_total": round(total_seconds, 1),
            "seconds_creating": round(created_seconds, 1),
            "seconds_delivering": round(result.seconds, 1),
            "killed_after_deliveries": result.killed_at_delivered,
            "worker_restarts": result.worker_restarts,
            "pool_processes_left_behind": result.orphans_left,
        }
        RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
        RESULTS_PATH.write_text(json.dumps(figures, indent=2) + "\n")
        self.stdout.write("")
        for key in ("requests", "delivered", "lost", "duplicated"):
            self.stdout.write(f"{key:>12}: {figures[key]}")
        self.stdout.write(
            f"{'left behind':>12}: {result.orphans_left} of the killed worker's "
            f"{result.orphans_seen} pool processes"
        )
        self.stdout.write(
            f"{'total time':>12}: {total_seconds:.1f} s (target under {TARGET_SECONDS} s)"
        )
        if result.lost or result.duplicated:
            raise CommandError("Some requests were lost or sent twice: see the figures above.")

    def _create(self, count: int, therapists: list[Any]) -> list[str]:
        """Save the requests through the service; each is queued for delivery on commit."""
        responders_needed = -(-count // len(therapists))
        password = make_password(None)
        with transaction.atomic():
            users = User.objects.bulk_create(
                User(
                    email=f"responder{n:05d}@{RESPONDER_DOMAIN}",
                    role=User.Role.RESPONDER,
                    password=password,
                )
                for n in range(responders_needed)
            )
            responders = ResponderProfile.objects.bulk_create(
                ResponderProfile(
                    user=user, pseudonym=f"Bench {n}", answers=Intake(state=STATE).to_dict()
                )
                for n, user in enumerate(users)
            )
        public_ids = []
        for n in range(count):
            intro = intro_create(
                responder=responders[n // len(therapists)],
                state=STATE,
                therapist_public_id=therapists[n % len(therapists)].public_id,
                submission_token=uuid.uuid4(),
                message="A fictional benchmark request.",
                contact_method=IntroRequest.ContactMethod.RAPPORT,
                contact_email="",
                contact_phone="",
                contact_hours=frozenset(),
                between_shifts=False,
            )
            public_ids.append(str(intro.public_id))
        connection.close()
        return public_ids
