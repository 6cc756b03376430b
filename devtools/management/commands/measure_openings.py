"""Measure the capacity rules on the demo world: requests beyond capacity, with and without."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from devtools.bench import bench_database_create_if_missing
from devtools.openings_run import measure, summary_lines
from profiles.models import TherapistProfile


class Command(BaseCommand):
    help = (
        "Seed the demo world and let many fictional responders ask their first match, with "
        "and without the capacity rules; print requests beyond capacity and the match score "
        "reached. Every run is rolled back: the database is left as it was. Runs on an empty "
        "PostgreSQL database (make measure-openings makes one)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seeds", type=int, default=3, help="Runs of each kind.")
        parser.add_argument("--seed", type=int, default=1, help="The first seed.")
        parser.add_argument("--responders", type=int, default=349)
        parser.add_argument("--days", type=int, default=28)
        parser.add_argument("--state", default="CO")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
            raise CommandError("The measurement runs on PostgreSQL (make measure-openings).")
        for option in ("seeds", "responders", "days"):
            if options[option] < 1:
                raise CommandError(f"--{option} must be at least 1.")
        bench_database_create_if_missing()
        call_command("migrate", verbosity=0, interactive=False)
        if TherapistProfile.objects.exists():
            raise CommandError(
                "The database holds therapists already: the run seeds its own demo world, "
                "so give it an empty database (make measure-openings makes one)."
            )
        started = time.monotonic()
        seeds = list(range(options["seed"], options["seed"] + options["seeds"]))
        results = measure(
            seeds=seeds,
            state=options["state"],
            responders=options["responders"],
            days=options["days"],
        )
        self.stdout.write(
            f"{options['responders']} fictional responders over {options['days']} days in "
            f"{options['state']}, each asking their first match; "
            f"PENDING_REQUESTS_PER_OPENING={settings.PENDING_REQUESTS_PER_OPENING}"
        )
        for line in summary_lines(results):
            self.stdout.write(line)
        self.stdout.write(f"({time.monotonic() - started:.0f} s)")
