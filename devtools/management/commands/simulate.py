"""Run the simulated world (devtools.simulation) on a database of its own."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from devtools.bench import bench_database_create_if_missing
from devtools.simulation.figures import SeedResult, summary_lines
from devtools.simulation.parameters import WorldSettings, settings_lines
from devtools.simulation.world import World

DEFAULTS = WorldSettings()


class Command(BaseCommand):
    help = (
        "Run a simulated world with a hidden true alliance through Rapport's own services, and "
        "print month by month how well the measured alliance and the ranking find it. Empties "
        "the database first: it must be one whose name contains 'simulate'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULTS.seed)
        parser.add_argument("--seeds", type=int, default=1, help="Run this many seeds from --seed.")
        parser.add_argument("--null", action="store_true", help="A world where nothing is planted.")
        parser.add_argument(
            "--both", action="store_true", help="Run the planted and the null world per seed."
        )
        parser.add_argument("--therapists", type=int, default=DEFAULTS.therapists)
        parser.add_argument(
            "--responders-per-month", type=int, default=DEFAULTS.responders_per_month
        )
        parser.add_argument("--months", type=int, default=DEFAULTS.months)
        parser.add_argument("--therapist-share", type=float, default=DEFAULTS.therapist_share)
        parser.add_argument("--alliance-outcome-r", type=float, default=DEFAULTS.alliance_outcome_r)
        parser.add_argument("--self-description-r", type=float, default=DEFAULTS.self_description_r)
        parser.add_argument(
            "--quiet", action="store_true", help="Print only the settings and the summary."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = str(settings.DATABASES["default"]["NAME"])
        if "simulate" not in name:
            raise CommandError(
                f"The simulation empties its database; {name!r} does not say it is one. Set "
                "DATABASE_URL to a database whose name contains 'simulate' (make simulate does)."
            )
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            raise CommandError("The simulation runs on PostgreSQL.")
        for option in ("seeds", "therapists", "responders_per_month", "months"):
            if options[option] < 1:
                raise CommandError(f"--{option.replace('_', '-')} must be at least 1.")
        if not 0 <= options["therapist_share"] < 1:
            raise CommandError("--therapist-share must be from 0 to below 1.")
        bench_database_create_if_missing()
        call_command("migrate", verbosity=0, interactive=False)
        base = WorldSettings(
            therapists=options["therapists"],
            responders_per_month=options["responders_per_month"],
            months=options["months"],
            therapist_share=options["therapist_share"],
            alliance_outcome_r=options["alliance_outcome_r"],
            self_description_r=options["self_description_r"],
            new_therapist_month=max(2, options["months"] // 2),
        )
        worlds = [False, True] if options["both"] else [options["null"]]
        self.stdout.write("A simulated world (fictional people; the truth is hidden from Rapport)")
        self.stdout.write("Settings (and where each default comes from):")
        for line in settings_lines(base):
            self.stdout.write(line)
        self.stdout.write(
            "Rankings compared with the truth: measured = the trait values the score reads "
            "(the product's measured alliance from released check-ins; unmeasured therapists "
            "at the population value, moved a little by their practices); plain mean = the "
            "same with no shrinkage (a prior strength of 0); self-description = the practices "
            "listed; measured alone = the measured ratings, unmeasured at the population."
        )
        results = []
        for seed in range(options["seed"], options["seed"] + options["seeds"]):
            for null in worlds:
                world = base.with_changes(seed=seed, null=null)
                self.stdout.write(f"-- seed {seed}, {'null' if null else 'planted'} world")
                started = time.monotonic()
                write = None if options["quiet"] else (lambda f: self.stdout.write(f.line()))
                months = World(world, write=write).run()
                seconds = time.monotonic() - started
                results.append(SeedResult(seed, null, months, seconds))
                self.stdout.write(f"   {months[-1].line()} ({seconds:.0f} s)")
        self.stdout.write("Summary at the last month:")
        for line in summary_lines(results):
            self.stdout.write(line)
