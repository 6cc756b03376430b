"""Servers the deploy test runs on loopback: Redis, SMTP, an S3-compatible store, Rapport's own.

Every port is chosen free at run time; every wait has a deadline.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

POLL_SECONDS = 0.2
NO_DISK = ("--save", "", "--appendonly", "no")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], Any], *, seconds: float, what: str) -> Any:
    """Poll until the condition gives a true value and return it, or fail at the deadline."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {seconds:.0f} s")
        time.sleep(POLL_SECONDS)


def _port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Process:
    """A subprocess whose output goes to a log file, stopped with SIGTERM then SIGKILL."""

    def __init__(self, name: str, args: list[str], *, cwd: Path, env: dict[str, str], logs: Path):
        self.name, self.args, self.cwd, self.env = name, args, cwd, env
        self.log_path = logs / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.args, cwd=self.cwd, env=self.env, stdout=log, stderr=log, start_new_session=True
        )
        log.close()
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None


class RedisServer:
    """A redis-server of the test's own on a free port, keeping nothing on disk."""

    def __init__(self, logs: Path) -> None:
        self.port = free_port()
        self.logs = logs
        self.process: Process | None = None

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> RedisServer:
        self.process = Process(
            "redis",
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", *NO_DISK],
            cwd=self.logs,
            env={"PATH": "/usr/bin:/bin:/usr/local/bin"},
            logs=self.logs,
        ).start()
        wait_until(lambda: _port_answers(self.port), seconds=15, what="Redis start")
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
        wait_until(lambda: not _port_answers(self.port), seconds=15, what="Redis stop")


class SmtpServer:
    """An SMTP server on loopback that keeps every message it accepts."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.messages: list[Message] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def bodies_to(self, address: str) -> list[str]:
        with self._lock:
            found = [m for m in self.messages if address in m.get("To", "")]
        bodies = []
        for message in found:
            for part in message.walk():
                if part.get_content_type() == "text/plain":
                    bodies.append(part.get_payload(decode=True).decode())
        return bodies

    def wait_for_link(self, address: str, pattern: str, *, after: int = 0) -> str:
        """Wait for a message to the address (beyond the first `after`) with a matching link."""

        def link() -> str | None:
            for body in self.bodies_to(address)[after:]:
                match = re.search(pattern, body)
                if match:
                    return match.group(0)
            return None

        return wait_until(link, seconds=60, what=f"an email to {address} matching {pattern}")


class S3Server:
    """moto's S3-compatible server on loopback, as a process of its own."""

    def __init__(self, logs: Path) -> None:
        self.port = free_port()
        self.process = Process(
            "s3",
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            cwd=logs,
            env={"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "us-east-1"},
            logs=logs,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> S3Server:
        self.process.start()
        wait_until(lambda: _port_answers(self.port), seconds=60, what="S3 server start")
        return self

    def create_bucket(self, name: str) -> None:
        self._client().create_bucket(Bucket=name)

    def object_names(self, bucket: str) -> list[str]:
        listed = self._client().list_objects_v2(Bucket=bucket)
        return [item["Key"] for item in listed.get("Contents", [])]

    def _client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="deploy-test",
            aws_secret_access_key="deploy-test-secret",
        )

    def stop(self) -> None:
        self.process.stop()
