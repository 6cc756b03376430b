"""A fault drill for intro delivery: real workers, a real Redis, a real SMTP server.

Used by `make bench-intros` and by the fault test. Intro requests go to two Celery worker
processes through a Redis of the drill's own; midway one worker is killed with SIGKILL and
Redis is restarted (it keeps nothing on disk, so queued messages are lost). The sweep, run
every few seconds as production's beat would, queues again what is still not delivered.
A supervisor loop starts again any worker that exits, as systemd or Kubernetes would in
production. An SMTP server on loopback counts the emails each request produced.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
SWEEP_EVERY_SECONDS = 2.0
POLL_SECONDS = 0.2
WORKER_READY_SECONDS = 30.0
POOL_PROCESSES = 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], bool], *, seconds: float, what: str) -> None:
    """Poll until the condition holds, or fail after the deadline."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {seconds:.0f} s")
        time.sleep(POLL_SECONDS)


class SmtpRecorder:
    """An SMTP server on loopback that counts messages per intro request.

    `hold_from(n)` makes it leave every message after the n-th unanswered until `release()`:
    the senders wait mid-send, so a fault struck meanwhile finds deliveries under way
    however fast or slow the machine is.
    """

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        # aiosmtpd logs every SMTP command at INFO; the drill only needs the counts.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.port = free_port()
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._hold_from: int | None = None
        self._released = threading.Event()
        self.holding = threading.Event()

    def hold_from(self, count: int) -> None:
        self._hold_from = count

    def release(self) -> None:
        self._released.set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        intro = message_from_bytes(envelope.content).get("X-Rapport-Intro", "")
        with self._lock:
            reached = self._hold_from is not None and self.counts.total() >= self._hold_from
        if reached and not self._released.is_set():
            self.holding.set()
            while not self._released.is_set():
                await asyncio.sleep(POLL_SECONDS)
        # Counted once answered: a message the server never accepted was not delivered.
        with self._lock:
            self.counts[intro] += 1
        return "250 Message accepted for delivery"

    def start(self) -> SmtpRecorder:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def snapshot(self) -> Counter[str]:
        with self._lock:
            return Counter(self.counts)


class RedisServer:
    """A redis-server of the drill's own, keeping nothing on disk."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, seconds=10, what="Redis start")
        return self

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()


class Worker:
    """A `celery worker` process (prefork, two children) on the drill's Redis."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path | None = None) -> None:
        self.name = name
        self.env = env
        self.log_dir = log_dir
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        log = (
            open(self.log_dir / f"worker-{self.name}.log", "ab")  # noqa: SIM115
            if self.log_dir
            else subprocess.DEVNULL
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-n",
                f"{self.name}@drill",
                "-P",
                "prefork",
                "-c",
                str(POOL_PROCESSES),
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "WARNING",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=log,
        )
        return self

    def pool_processes(self) -> set[int]:
        """The ids of the worker's pool processes, read from /proc."""
        if self.process is None:
            return set()
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return {int(pid) for pid in children.read_text().split()}
        except OSError:
            return set()

    def wait_until_ready(self) -> None:
        """Wait until the pool processes have started: on a busy machine that takes a while."""
        wait_until(
            lambda: len(self.pool_processes()) >= POOL_PROCESSES,
            seconds=WORKER_READY_SECONDS,
            what=f"worker {self.name}'s pool processes starting",
        )

    def kill(self) -> set[int]:
        """SIGKILL the main process, as the OOM killer might; return its pool processes."""
        pool = self.pool_processes()
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        return pool

    @property
    def exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def stop(self) -> None:
        """Warm shutdown: tasks under way finish first."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def sweep(env: dict[str, str]) -> None:
    """Run the sweep once in its own process, as beat would."""
    subprocess.run(
        [sys.executable, "manage.py", "intro_sweep"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


@dataclass(frozen=True)
class DrillResult:
    requests: int
    delivered: int
    lost: int
    duplicated: int
    seconds: float
    killed_at_delivered: int
    worker_restarts: int
    orphans_seen: int
    orphans_left: int


def drill_environment(
    base: dict[str, str], *, redis: RedisServer, smtp: SmtpRecorder
) -> dict[str, str]:
    """The environment for workers and sweeps: the drill's Redis and SMTP server."""
    return {
        **base,
        "CELERY_BROKER_URL": redis.url,
        "CELERY_RESULT_BACKEND": "",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_USE_SSL": "false",
        # Queue again anything not delivered a few seconds after it was last queued.
        "INTRO_REQUEUE_AFTER_SECONDS": "5",
        "CELERY_VISIBILITY_TIMEOUT_SECONDS": "60",
        # Longer than the mail server's hold while the faults strike, even on a busy machine.
        "EMAIL_TIMEOUT": "60",
    }


def run_drill(
    *,
    public_ids: list[str],
    delivered_count: Callable[[], int],
    base_env: dict[str, str],
    redis: RedisServer,
    smtp: SmtpRecorder,
    deadline_seconds: float = 120.0,
    on_progress: Callable[[str], None] = lambda line: None,
    log_dir: Path | None = None,
) -> DrillResult:
    """Deliver the given (already saved) requests through the faults, and count the emails."""
    env = drill_environment(base_env, redis=redis, smtp=smtp)
    workers = [Worker("one", env, log_dir).start(), Worker("two", env, log_dir).start()]
    started = time.monotonic()
    killed_at = 0
    restarts = 0
    orphans: set[int] = set()
    # Midway, the mail server holds what arrives, so the kill finds worker one mid-send
    # rather than racing the deliveries (on a busy machine they could all finish between
    # two looks at the count).
    smtp.hold_from(len(public_ids) // 2)
    try:
        # The kill below must find the pool processes it means to orphan: on a slow machine
        # the other worker could deliver half of the requests before this one has forked.
        for worker in workers:
            worker.wait_until_ready()
        last_sweep = float("-inf")
        deadline = time.monotonic() + deadline_seconds
        while delivered_count() < len(public_ids) and time.monotonic() < deadline:
            if not killed_at and smtp.holding.is_set():
                if workers[0].exited:  # it had died and is being started again: wait for it
                    workers[0].start()
                    restarts += 1
                workers[0].wait_until_ready()
                killed_at = delivered_count()
                orphans = workers[0].kill()
                on_progress(f"killed worker one (SIGKILL) after {killed_at} deliveries")
                redis.restart()
                on_progress("restarted Redis; the messages it held are gone")
                smtp.release()
            for worker in workers:
                # As systemd or Kubernetes would: a worker that died is started again.
                # (A worker also exits on its own when Redis restarts under unacknowledged
                # messages; kombu's Redis transport fails while restoring them.)
                if worker.exited:
                    worker.start()
                    restarts += 1
                    on_progress(f"worker {worker.name} had exited; started it again")
            if time.monotonic() - last_sweep >= SWEEP_EVERY_SECONDS:
                sweep(env)  # as beat would: queues again whatever still waits
                last_sweep = time.monotonic()
            time.sleep(POLL_SECONDS)
    finally:
        smtp.release()
        for worker in workers:
            worker.stop()
    seconds = time.monotonic() - started
    # The killed worker's pool processes finish their task, then exit on their own.
    with contextlib.suppress(TimeoutError):
        wait_until(lambda: not any(_alive(pid) for pid in orphans), seconds=30, what="exit")
    received = smtp.snapshot()
    delivered = sum(1 for public_id in public_ids if received[public_id] >= 1)
    duplicated = sum(received[public_id] - 1 for public_id in public_ids if received[public_id] > 1)
    return DrillResult(
        requests=len(public_ids),
        delivered=delivered,
        lost=len(public_ids) - delivered,
        duplicated=duplicated,
        seconds=seconds,
        killed_at_delivered=killed_at,
        worker_restarts=restarts,
        orphans_seen=len(orphans),
        orphans_left=sum(1 for pid in orphans if _alive(pid)),
    )


def _alive(pid: int) -> bool:
    """Whether a process still runs (a zombie, already dead, does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def environment_without_celery() -> dict[str, str]:
    """The current environment without anything that would point workers elsewhere."""
    return {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
