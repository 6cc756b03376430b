"""Benchmark the ranked list against a therapist's profile page, under gunicorn and wrk.

Run it through `make bench-ranking`, which points the settings at a database of its own
(rapport_bench), Redis databases of its own and production-like settings with keys made for
the run. This command seeds that database, starts gunicorn with the same environment, loads
both pages side by side and writes the figures to var/bench/ranking.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.models import ReleasedTotals
from devtools.bench import (
    LARGE_STATE_DEFAULT,
    LARGE_STATE_LISTED_SHARE,
    bench_database_create_if_missing,
    bench_tables_vacuum,
    bench_therapist_count,
    bench_therapists_clear,
    seed_bench_therapists,
    seed_bench_totals,
)
from devtools.bench_writes import (
    WRITES_PER_SECOND_DEFAULT,
    WriteLoad,
    edit_to_visibility,
    write_targets,
)
from devtools.demo import zip_codes_of
from matching.intake import Intake
from matching.ranking.feed import LoadedStates, load_state
from matching.ranking.kernels import rank_top
from matching.selectors.ranking import PAGE_SIZE, current_rules, seeker_from
from profiles import choices
from profiles.models import License, TherapistProfile
from profiles.selectors import license_valid_q, therapists_listed
from profiles.services.accounts import answers_to_session

RANKED_PATH = "/matches/"
HEALTH_PATH = "/healthz/"
THERAPISTS_DEFAULT = 50_000
GUNICORN_WORKERS = 2
WRK_THREADS = 2
WRK_CONNECTIONS = 8
DURATION_SECONDS_DEFAULT = 15
WARMUP_SECONDS = 5
SERVER_START_TIMEOUT_SECONDS = 60
SERVER_POLL_INTERVAL_SECONDS = 0.1
SERVER_STOP_TIMEOUT_SECONDS = 15
REQUEST_TIMEOUT_SECONDS = 30
PROFILE_LINK = re.compile(r'href="(/therapists/[0-9a-f-]{36}/)"')
RESULTS_PATH = Path(settings.BASE_DIR) / "var" / "bench" / "ranking.json"
VISIBILITY_EDITS = 20
COLD_LOADS = 3
WRITE_LOAD_ROUNDS = 3
RANK_REPEATS = 50
# wrk reports latency in microseconds; the script prints milliseconds after its run.
LATENCY_SCRIPT = """\
done = function(summary, latency, requests)
  io.write(string.format("rapport_p50_ms %.3f\\n", latency:percentile(50) / 1000))
  io.write(string.format("rapport_p95_ms %.3f\\n", latency:percentile(95) / 1000))
end
"""


@dataclass
class PageFigures:
    """What the benchmark measured for one page."""

    path: str
    requests_per_second: float = 0.0
    requests: int = 0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    sql_queries: int = 0
    therapists_linked: int | None = None
    app_cpu_ms_per_request: float | None = None
    db_cpu_ms_per_request: float | None = None


@dataclass
class WriteFigures:
    """The ranked list with no writes and with the mixed write load, run after run."""

    no_writes_runs: list[float]
    with_writes_runs: list[float]
    writes_per_second: float
    writes: dict[str, int]
    with_writes_p50_ms: float = 0.0
    with_writes_p95_ms: float = 0.0
    # CPU of gunicorn's workers per ranked request: steadier than requests/s on a busy machine.
    no_writes_app_cpu_ms: float | None = None
    with_writes_app_cpu_ms: float | None = None
    # Share of one core the writing itself took (Django services in this process).
    writer_cpu_share: float = 0.0

    @property
    def no_writes(self) -> float:
        return sum(self.no_writes_runs) / len(self.no_writes_runs)

    @property
    def with_writes(self) -> float:
        return sum(self.with_writes_runs) / len(self.with_writes_runs)

    @property
    def ratio(self) -> float:
        return self.with_writes / self.no_writes if self.no_writes else 0.0


@dataclass
class ProcessFigures:
    """Measured inside one process: cold loads, rank time and memory."""

    large_state_candidates: int
    cold_load_seconds: list[float]
    cold_load_app_cpu_seconds: list[float]
    cold_load_db_cpu_seconds: list[float]
    rank_ms_median: float
    all_states: int
    all_states_rows: int
    all_states_seconds: float
    all_states_columns_mb: float
    all_states_rss_mb: float
    process_rss_mb: float
    web_worker_rss_mb: float | None


@dataclass(frozen=True)
class LoadRun:
    requests: int
    requests_per_second: float
    app_cpu_seconds: float | None
    db_cpu_seconds: float | None


class Command(BaseCommand):
    help = (
        "Seed the benchmark database, start gunicorn, and compare the ranked list with a "
        "profile page under wrk. Run it with `make bench-ranking`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--therapists", type=_positive_int, default=THERAPISTS_DEFAULT)
        parser.add_argument("--large-state", default=LARGE_STATE_DEFAULT)
        parser.add_argument(
            "--duration",
            type=_positive_int,
            default=DURATION_SECONDS_DEFAULT,
            help="Seconds of each measured wrk run.",
        )
        parser.add_argument(
            "--skip-seed", action="store_true", help="Use the therapists already seeded."
        )
        parser.add_argument(
            "--ranked-path", default=RANKED_PATH, help="The ranked list's URL path."
        )
        parser.add_argument(
            "--writes-per-second",
            type=float,
            default=WRITES_PER_SECOND_DEFAULT,
            help="Rate of the mixed write load run beside the ranked list.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        _check_bench_settings()
        large_state: str = options["large_state"]
        if not zip_codes_of(large_state):
            raise CommandError(f"{large_state!r} is not a state with ZIP codes.")
        wrk = _wrk_path(stdout=self.stdout)
        bench_database_create_if_missing()
        call_command("migrate", interactive=False, verbosity=0)
        seed_seconds = self._seed(
            count=options["therapists"], large_state=large_state, skip=options["skip_seed"]
        )
        if not ReleasedTotals.objects.exists():
            rows = seed_bench_totals()
            self.stdout.write(f"Seeded {rows:,} rows of released check-in totals.")
        bench_tables_vacuum()
        call_command("collectstatic", interactive=False, verbosity=0)

        ranked = PageFigures(path=options["ranked_path"])
        profile = PageFigures(path=_profile_path(large_state=large_state))
        session = _responder_session(large_state=large_state)
        cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
        try:
            with tempfile.TemporaryDirectory(prefix="rapport-bench-") as run_dir:
                script = Path(run_dir) / "latency.lua"
                script.write_text(LATENCY_SCRIPT)
                with _gunicorn(run_dir=Path(run_dir)) as (base_url, master_pid):
                    self._check_pages(base_url, cookie, ranked=ranked, profile=profile)
                    for page in (ranked, profile):
                        page.sql_queries = _queries_per_page(path=page.path, cookie=cookie)
                    self._load(
                        wrk,
                        base_url,
                        cookie,
                        pages=(ranked, profile),
                        duration_seconds=options["duration"],
                        script=script,
                        master_pid=master_pid,
                    )
                    visible = self._visibility(base_url, cookie, ranked_path=ranked.path)
                    writes = self._under_writes(
                        wrk,
                        base_url + ranked.path,
                        cookie,
                        large_state=large_state,
                        keep_out=visible[0],
                        duration_seconds=options["duration"],
                        per_second=options["writes_per_second"],
                        script=script,
                        master_pid=master_pid,
                    )
                    worker_rss = _workers_rss_mb(master_pid=master_pid)
        finally:
            session.delete()
        process = self._in_process(large_state=large_state, worker_rss_mb=worker_rss)
        self._report(
            ranked=ranked,
            profile=profile,
            writes=writes,
            visibility=visible[1],
            process=process,
            therapists=bench_therapist_count(),
            large_state=large_state,
            seed_seconds=seed_seconds,
            duration_seconds=options["duration"],
        )

    def _seed(self, *, count: int, large_state: str, skip: bool) -> float | None:
        """Seed the therapists unless the database already holds that many, listed as planned.

        Profiles stop being listed 45 days after their confirmation, so an old seed, or one
        made for another large state, no longer has its share listed and is made again.
        """
        existing = bench_therapist_count()
        if skip:
            if not existing:
                raise CommandError("No benchmark therapists yet: run once without --skip-seed.")
            self.stdout.write(f"Using the {existing:,} therapists already seeded.")
            return None
        listed_target = round(count * LARGE_STATE_LISTED_SHARE)
        if existing == count and _listed_accepting_count(large_state=large_state) == listed_target:
            self.stdout.write(f"The benchmark database already holds {count:,} therapists.")
            return None
        self.stdout.write(f"Seeding {count:,} fictional therapists ...")
        started = time.perf_counter()
        bench_therapists_clear()
        counts = seed_bench_therapists(count=count, large_state=large_state)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Seeded {counts['therapists']:,} therapists in {seconds:.1f} s: "
            f"{counts['large_state_listed_accepting']:,} listed and accepting in {large_state} "
            f"(of {counts['large_state_therapists']:,} there), {counts['states']} states, "
            f"{counts['licenses']:,} licenses, {counts['trainings']:,} trainings."
        )
        return seconds

    def _check_pages(
        self, base_url: str, cookie: str, *, ranked: PageFigures, profile: PageFigures
    ) -> None:
        """Stop unless both pages answer 200 and the ranked list links to therapists.

        An empty list renders fast and would make the figures meaningless.
        """
        for page in (profile, ranked):
            status, body = _get(base_url + page.path, cookie=cookie)
            if status != 200:
                raise CommandError(
                    f"GET {page.path} answered {status}, not 200: the benchmark needs the "
                    "page to exist and render for an anonymous responder's session."
                )
            if page is ranked:
                ranked.therapists_linked = len(set(PROFILE_LINK.findall(body)))
                if not ranked.therapists_linked:
                    raise CommandError(
                        f"GET {page.path} links to no therapist profile: the ranked list came "
                        "out empty for the responder's answers."
                    )

    def _load(
        self,
        wrk: str,
        base_url: str,
        cookie: str,
        *,
        pages: tuple[PageFigures, ...],
        duration_seconds: int,
        script: Path,
        master_pid: int,
    ) -> None:
        """Warm both pages up, then measure throughput and one client's latency for each."""
        header = ["-H", f"Cookie: {cookie}"]
        self.stdout.write(f"Warming up for {WARMUP_SECONDS} s a page ...")
        for page in pages:
            _wrk(wrk, base_url + page.path, header, duration_seconds=WARMUP_SECONDS)
        load_args = ["-t", str(WRK_THREADS), "-c", str(WRK_CONNECTIONS)]
        for page in pages:
            self.stdout.write(
                f"wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{duration_seconds}s {page.path}"
            )
            run = _measured_wrk(
                wrk,
                base_url + page.path,
                [*load_args, *header],
                duration_seconds=duration_seconds,
                master_pid=master_pid,
            )
            page.requests = run.requests
            page.requests_per_second = run.requests_per_second
            if run.requests:
                page.app_cpu_ms_per_request = _per_request_ms(run.app_cpu_seconds, run.requests)
                page.db_cpu_ms_per_request = _per_request_ms(run.db_cpu_seconds, run.requests)
        for page in pages:
            self.stdout.write(f"wrk -t1 -c1 -d{duration_seconds}s {page.path} (latency)")
            output = _wrk(
                wrk,
                base_url + page.path,
                ["-t", "1", "-c", "1", "-s", str(script), *header],
                duration_seconds=duration_seconds,
            )
            page.p50_ms = _parsed_float(output, r"^rapport_p50_ms ([\d.]+)$")
            page.p95_ms = _parsed_float(output, r"^rapport_p95_ms ([\d.]+)$")

    def _visibility(
        self, base_url: str, cookie: str, *, ranked_path: str
    ) -> tuple[set[int], list[float]]:
        """Time edits made here until a page served by gunicorn (another process) shows them."""
        _, body = _get(base_url + ranked_path, cookie=cookie)
        public_id = PROFILE_LINK.findall(body)[0].split("/")[2]
        therapist_id = TherapistProfile.objects.get(public_id=public_id).pk
        self.stdout.write(f"Timing {VISIBILITY_EDITS} edits until another process shows them ...")

        def shows(public_id: str) -> bool:
            return f"/therapists/{public_id}/" in _get(base_url + ranked_path, cookie=cookie)[1]

        visibility = edit_to_visibility(
            therapist_id=therapist_id, public_id=public_id, shows=shows, edits=VISIBILITY_EDITS
        )
        return {therapist_id}, visibility.seconds

    def _under_writes(
        self,
        wrk: str,
        url: str,
        cookie: str,
        *,
        large_state: str,
        keep_out: set[int],
        duration_seconds: int,
        per_second: float,
        script: Path,
        master_pid: int,
    ) -> WriteFigures:
        """The ranked list with no writes and with the write load, taking turns
        WRITE_LOAD_ROUNDS times: on two cores one run can differ from the next by a tenth."""
        targets = write_targets(large_state=large_state, keep_out=keep_out)
        header = ["-H", f"Cookie: {cookie}"]
        load_args = ["-t", str(WRK_THREADS), "-c", str(WRK_CONNECTIONS), *header]
        figures = WriteFigures([], [], 0.0, {})
        loads = []
        quiet_runs, busy_runs = [], []
        writer_cpu = 0.0
        for _ in range(WRITE_LOAD_ROUNDS):
            self.stdout.write(f"wrk {url} with no writes")
            quiet = _measured_wrk(
                wrk, url, load_args, duration_seconds=duration_seconds, master_pid=master_pid
            )
            quiet_runs.append(quiet)
            figures.no_writes_runs.append(quiet.requests_per_second)
            self.stdout.write(f"wrk {url} with {per_second:g} writes per second")
            cpu_before = time.process_time()  # this process runs only the writer meanwhile
            with WriteLoad(targets, per_second=per_second) as load:
                busy = _measured_wrk(
                    wrk, url, load_args, duration_seconds=duration_seconds, master_pid=master_pid
                )
            writer_cpu += time.process_time() - cpu_before
            loads.append(load)
            busy_runs.append(busy)
            figures.with_writes_runs.append(busy.requests_per_second)
        figures.no_writes_app_cpu_ms = _app_cpu_ms(quiet_runs)
        figures.with_writes_app_cpu_ms = _app_cpu_ms(busy_runs)
        figures.writer_cpu_share = writer_cpu / sum(load.seconds for load in loads)
        self.stdout.write(f"wrk -t1 -c1 {url} (latency) with {per_second:g} writes per second")
        with WriteLoad(targets, per_second=per_second) as load:
            output = _wrk(
                wrk, url, ["-t", "1", "-c", "1", "-s", str(script), *header],
                duration_seconds=duration_seconds,
            )  # fmt: skip
        loads.append(load)
        figures.with_writes_p50_ms = _parsed_float(output, r"^rapport_p50_ms ([\d.]+)$")
        figures.with_writes_p95_ms = _parsed_float(output, r"^rapport_p95_ms ([\d.]+)$")
        figures.writes = dict(sum((load.done for load in loads), Counter()))
        figures.writes_per_second = sum(sum(load.done.values()) for load in loads) / sum(
            load.seconds for load in loads
        )
        return figures

    def _in_process(self, *, large_state: str, worker_rss_mb: float | None) -> ProcessFigures:
        """Cold loads, rank time and the memory of every state, measured in this process."""
        self.stdout.write(f"Cold loads of {large_state}, rank time, every state loaded ...")
        cold, cold_app_cpu, cold_db_cpu = [], [], []
        for _ in range(COLD_LOADS):
            db_before, app_before = _backend_cpu_seconds(), time.process_time()
            started = time.perf_counter()
            index = load_state(large_state)
            cold.append(time.perf_counter() - started)
            cold_app_cpu.append(time.process_time() - app_before)
            cold_db_cpu.append(_backend_cpu_seconds() - db_before)
        seeker = seeker_from(_bench_intake(large_state=large_state))
        rules = current_rules()
        ranks = []
        for _ in range(RANK_REPEATS):
            started = time.perf_counter()
            rank_top(index, seeker, rules, count=PAGE_SIZE)
            ranks.append(time.perf_counter() - started)
        del index
        rss_before = _rss_mb(os.getpid())
        states = LoadedStates()
        started = time.perf_counter()
        for state in choices.State.values:
            states.state(state)
        all_seconds = time.perf_counter() - started
        held = states.held()
        return ProcessFigures(
            large_state_candidates=len(held[large_state]),
            cold_load_seconds=cold,
            cold_load_app_cpu_seconds=cold_app_cpu,
            cold_load_db_cpu_seconds=cold_db_cpu,
            rank_ms_median=statistics.median(ranks) * 1000,
            all_states=len(held),
            all_states_rows=sum(len(index) for index in held.values()),
            all_states_seconds=all_seconds,
            all_states_columns_mb=sum(index.nbytes for index in held.values()) / 2**20,
            all_states_rss_mb=_rss_mb(os.getpid()) - rss_before,
            process_rss_mb=_rss_mb(os.getpid()),
            web_worker_rss_mb=worker_rss_mb,
        )

    def _report(
        self,
        *,
        ranked: PageFigures,
        profile: PageFigures,
        writes: WriteFigures,
        visibility: list[float],
        process: ProcessFigures,
        therapists: int,
        large_state: str,
        seed_seconds: float | None,
        duration_seconds: int,
    ) -> None:
        """Print the figures as tables and write them as JSON."""
        ratio = (
            ranked.requests_per_second / profile.requests_per_second
            if profile.requests_per_second
            else 0.0
        )
        listed = _listed_accepting_count(large_state=large_state)
        measured = ReleasedTotals.objects.filter(service="").count()
        rows = [
            (f"requests/s (wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS})", "requests_per_second", 1),
            ("p50 ms (one client)", "p50_ms", 2),
            ("p95 ms (one client)", "p95_ms", 2),
            ("SQL queries per page", "sql_queries", 0),
            ("app CPU ms per request", "app_cpu_ms_per_request", 2),
            ("db CPU ms per request", "db_cpu_ms_per_request", 2),
        ]
        out = self.stdout.write
        out("")
        out(
            f"Ranking benchmark: {therapists:,} therapists, {listed:,} listed and accepting "
            f"in {large_state}; gunicorn {GUNICORN_WORKERS} sync workers; {duration_seconds} s runs"
        )
        seeding = "skipped (already seeded)" if seed_seconds is None else f"{seed_seconds:.1f} s"
        out(f"  seeding: {seeding}")
        out(
            f"  released check-ins: {measured:,} therapists have totals "
            f"({measured / max(1, therapists):.0%})"
        )
        out(f"  ranked:  GET {ranked.path} ({ranked.therapists_linked} therapists linked)")
        out(f"  profile: GET {profile.path}")
        out(f"  {'':32} {'ranked':>10} {'profile':>10}")
        for label, name, digits in rows:
            cells = [_cell(getattr(page, name), digits) for page in (ranked, profile)]
            out(f"  {label:32} {cells[0]:>10} {cells[1]:>10}")
        out(f"  {'throughput ratio ranked/profile':32} {ratio:>10.3f}")
        out("")
        out(
            f"  Ranked list under writes ({writes.writes_per_second:.2f} writes/s achieved: "
            + ", ".join(f"{count} {kind}" for kind, count in sorted(writes.writes.items()))
            + ")"
        )
        out(f"  {'':32} {'no writes':>10} {'writes':>10}")
        runs = zip(writes.no_writes_runs, writes.with_writes_runs, strict=True)
        for number, (quiet, busy) in enumerate(runs, start=1):
            out(f"  {'requests/s, run ' + str(number):32} {quiet:>10.1f} {busy:>10.1f}")
        out(f"  {'requests/s, mean':32} {writes.no_writes:>10.1f} {writes.with_writes:>10.1f}")
        out(f"  {'ratio writes / no writes':32} {writes.ratio:>10.3f}   (target >= 0.9)")
        quiet_cpu = _cell(writes.no_writes_app_cpu_ms, 2)
        busy_cpu = _cell(writes.with_writes_app_cpu_ms, 2)
        out(f"  {'app CPU ms per ranked request':32} {quiet_cpu:>10} {busy_cpu:>10}")
        out(f"  {'writer CPU, share of one core':32} {'':>10} {writes.writer_cpu_share:>10.2f}")
        out(
            f"  {'p50 / p95 ms (one client)':32} "
            f"{ranked.p50_ms:>4.1f}/{ranked.p95_ms:<5.1f} "
            f"{writes.with_writes_p50_ms:>4.1f}/{writes.with_writes_p95_ms:<5.1f}"
        )
        out(
            f"  Edit to visibility in another process, {len(visibility)} edits: median "
            f"{statistics.median(visibility) * 1000:.0f} ms, max {max(visibility) * 1000:.0f} ms "
            "(target <= 2 s)"
        )
        out("")

        def ms(seconds: list[float]) -> str:
            return " / ".join(f"{s * 1000:.0f}" for s in seconds)

        out(
            f"  Cold load of {large_state} ({process.large_state_candidates:,} candidates), "
            f"{COLD_LOADS} runs: {ms(process.cold_load_seconds)} ms "
            f"(CPU app {ms(process.cold_load_app_cpu_seconds)} ms, "
            f"PostgreSQL {ms(process.cold_load_db_cpu_seconds)} ms); load average "
            f"{os.getloadavg()[0]:.1f} (targets: 150 ms for 5,000 candidates, 1.5 s for 70,000)"
        )
        out(
            f"  Ranking one page of {large_state}: {process.rank_ms_median:.2f} ms "
            f"(median of {RANK_REPEATS})"
        )
        out(
            f"  Every state loaded in one process: {process.all_states} states, "
            f"{process.all_states_rows:,} rows in {process.all_states_seconds:.1f} s; columns "
            f"{process.all_states_columns_mb:.1f} MiB, resident memory +"
            f"{process.all_states_rss_mb:.1f} MiB (process {process.process_rss_mb:.0f} MiB; "
            f"a web worker after the runs above: {_cell(process.web_worker_rss_mb, 0)} MiB)"
        )
        RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
        results = {
            "measured_at": timezone.now().isoformat(timespec="seconds"),
            "therapists": therapists,
            "large_state": large_state,
            "large_state_listed_accepting": listed,
            "seed_seconds": None if seed_seconds is None else round(seed_seconds, 1),
            "therapists_with_released_checkins": measured,
            "gunicorn_workers": GUNICORN_WORKERS,
            "wrk": {
                "threads": WRK_THREADS,
                "connections": WRK_CONNECTIONS,
                "duration_seconds": duration_seconds,
                "warmup_seconds": WARMUP_SECONDS,
            },
            "ranked": asdict(ranked),
            "profile": asdict(profile),
            "throughput_ratio_ranked_to_profile": round(ratio, 4),
            "writes": {
                **asdict(writes),
                "no_writes_mean": round(writes.no_writes, 1),
                "with_writes_mean": round(writes.with_writes, 1),
                "ratio": round(writes.ratio, 4),
            },
            "edit_to_visibility_seconds": [round(s, 4) for s in visibility],
            "process": asdict(process),
        }
        RESULTS_PATH.write_text(json.dumps(results, indent=2) + "\n")
        out(f"Written to {RESULTS_PATH.relative_to(settings.BASE_DIR)}")


def _app_cpu_ms(runs: list[LoadRun]) -> float | None:
    """gunicorn's CPU milliseconds per request over several wrk runs."""
    if any(run.app_cpu_seconds is None for run in runs):
        return None
    requests = sum(run.requests for run in runs)
    return sum(run.app_cpu_seconds or 0.0 for run in runs) * 1000 / requests if requests else None


def _per_request_ms(seconds: float | None, requests: int) -> float | None:
    return None if seconds is None else round(seconds * 1000 / requests, 3)


def _positive_int(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive whole number.")
    return int(value)


def _cell(value: float | int | None, digits: int) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def _check_bench_settings() -> None:
    """Refuse to run anywhere but on a benchmark database with production-like settings."""
    database = settings.DATABASES["default"]
    if not database["ENGINE"].endswith("postgresql") or "bench" not in str(database["NAME"]):
        raise CommandError(
            "The benchmark needs a PostgreSQL database of its own (e.g. rapport_bench) in "
            "DATABASE_URL, because it empties it. Run it with: make bench-ranking"
        )
    if settings.DEBUG:
        raise CommandError(
            "Set DEBUG=false (and the rest of the bench environment): run it "
            "with make bench-ranking"
        )
    if not settings.SESSION_ENGINE.endswith("cached_db"):
        raise CommandError("Set REDIS_URL so sessions go through Redis as in production.")


def _listed_accepting_count(*, large_state: str) -> int:
    return (
        therapists_listed()
        .filter(accepting_new_clients=True, licenses__state=large_state)
        .distinct()
        .count()
    )


def _profile_path(*, large_state: str) -> str:
    """The profile page of the first listed therapist licensed in the large state."""
    licensed = License.objects.filter(license_valid_q(), state=large_state).values("therapist")
    public_id = (
        therapists_listed()
        .filter(pk__in=licensed)
        .order_by("pk")
        .values_list("public_id", flat=True)
        .first()
    )
    if public_id is None:
        raise CommandError(f"No listed therapist in {large_state}: seed the database again.")
    return f"/therapists/{public_id}/"


def _bench_intake(*, large_state: str) -> Intake:
    """The benchmark's responder: a firefighter in the large state."""
    return Intake(
        service="fire",
        state=large_state,
        zip_code=zip_codes_of(large_state)[0][0],
        format_preference="either",
        travel_miles=50,
        concerns=frozenset({"trauma", "sleep"}),
        hours=frozenset({"evenings"}),
        payment_methods=frozenset({"eap"}),
    )


def _backend_cpu_seconds() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (same machine, Linux)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    """A process's resident memory in MiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _workers_rss_mb(*, master_pid: int) -> float | None:
    """The largest resident memory of gunicorn's workers, in MiB; None off Linux."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    try:
        return max(_rss_mb(int(pid)) for pid in children.read_text().split())
    except (OSError, ValueError):
        return None


def _responder_session(*, large_state: str) -> SessionBase:
    """Save an anonymous responder's session with intake answers, as the server reads them."""
    intake = _bench_intake(large_state=large_state)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    answers_to_session(session=session, answers=intake.to_dict())
    session.save()
    return session


def _queries_per_page(*, path: str, cookie: str) -> int:
    """Count the SQL queries of one request in-process, after a warm-up request."""
    client = Client(HTTP_HOST="127.0.0.1")
    name, value = cookie.split("=", 1)
    client.cookies[name] = value
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200:
        raise CommandError(f"GET {path} answered {response.status_code} in-process, not 200.")
    return len(queries)


def _wrk_path(*, stdout: Any) -> str:
    """Find wrk, installing the Debian package when running as root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise CommandError("wrk is not installed: install it with `sudo apt-get install wrk`.")
    stdout.write("Installing wrk (Debian package) ...")
    apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
        result = subprocess.run(  # noqa: S603 (fixed arguments)
            command, env=apt_env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise CommandError(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    found = shutil.which("wrk")
    if not found:
        raise CommandError("wrk was installed but is not on PATH.")
    return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str, *, cookie: str | None = None) -> tuple[int, str]:
    """GET a URL without following redirects; return the status code and the body."""
    host_port, _, path = url.removeprefix("http://").partition("/")
    host, _, port = host_port.partition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=REQUEST_TIMEOUT_SECONDS)
    try:
        conn.request("GET", "/" + path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        conn.close()


@contextmanager
def _gunicorn(*, run_dir: Path) -> Any:
    """Run gunicorn on a free port with this process's environment; stop it whatever happens."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = run_dir / "gunicorn.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--workers",
        str(GUNICORN_WORKERS),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--no-control-socket",
        "--error-logfile",
        str(log_path),
    ]
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603 (fixed arguments)
            command,
            cwd=settings.BASE_DIR,
            env=dict(os.environ),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_serving(server, base_url=base_url, log_path=log_path)
            yield base_url, server.pid
        finally:
            server.terminate()
            try:
                server.wait(timeout=SERVER_STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_serving(server: subprocess.Popen[bytes], *, base_url: str, log_path: Path) -> None:
    """Poll the health check until it answers 200, the server exits, or time runs out."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise CommandError(f"gunicorn exited with {server.returncode}:\n{_tail(log_path)}")
        try:
            if _get(base_url + HEALTH_PATH)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(SERVER_POLL_INTERVAL_SECONDS)
    raise CommandError(
        f"gunicorn did not answer within {SERVER_START_TIMEOUT_SECONDS} s:\n{_tail(log_path)}"
    )


def _tail(path: Path, *, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _wrk(wrk: str, url: str, extra: list[str], *, duration_seconds: int) -> str:
    """Run wrk and return what it printed; stop on errors or responses other than 2xx/3xx."""
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [
            wrk,
            "-d",
            f"{duration_seconds}s",
            "--timeout",
            f"{REQUEST_TIMEOUT_SECONDS}s",
            *extra,
            url,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise CommandError(f"wrk failed:\n{result.stdout}{result.stderr}")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    if bad:
        raise CommandError(f"{bad.group(1)} requests to {url} failed under load:\n{result.stdout}")
    return result.stdout


def _measured_wrk(
    wrk: str, url: str, extra: list[str], *, duration_seconds: int, master_pid: int
) -> LoadRun:
    """Run wrk and measure the CPU that gunicorn's workers and PostgreSQL spent meanwhile."""
    app_before, db_before = _cpu_seconds(master_pid=master_pid)
    output = _wrk(wrk, url, extra, duration_seconds=duration_seconds)
    app_after, db_after = _cpu_seconds(master_pid=master_pid)
    return LoadRun(
        requests=int(_parsed_float(output, r"(\d+) requests in")),
        requests_per_second=_parsed_float(output, r"^Requests/sec:\s+([\d.]+)"),
        app_cpu_seconds=_cpu_delta(app_before, app_after),
        db_cpu_seconds=_cpu_delta(db_before, db_after),
    )


def _parsed_float(output: str, pattern: str) -> float:
    match = re.search(pattern, output, re.MULTILINE)
    if not match:
        raise CommandError(f"Could not read {pattern!r} from wrk's output:\n{output}")
    return float(match.group(1))


def _cpu_seconds(*, master_pid: int) -> tuple[dict[int, float] | None, dict[int, float] | None]:
    """CPU seconds used so far by each gunicorn worker and each backend of the bench database.

    Read from /proc, so only on Linux and only with PostgreSQL on this machine; None otherwise.
    """
    proc = Path("/proc")
    if not proc.is_dir():
        return None, None
    ticks_per_second = os.sysconf("SC_CLK_TCK")
    # A backend's title names its database: "postgres: user rapport_bench 127.0.0.1(port) ...".
    database_marker = f" {settings.DATABASES['default']['NAME']} "
    workers: dict[int, float] = {}
    postgres: dict[int, float] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after the last one.
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        cpu = (int(fields[11]) + int(fields[12])) / ticks_per_second  # utime + stime
        if int(fields[1]) == master_pid:
            workers[int(entry.name)] = cpu
        elif name.startswith("postgres") and database_marker in _command_line(entry):
            postgres[int(entry.name)] = cpu
    return workers, (postgres or None)


def _command_line(process: Path) -> str:
    try:
        return (process / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _cpu_delta(before: dict[int, float] | None, after: dict[int, float] | None) -> float | None:
    if before is None or after is None:
        return None
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())
