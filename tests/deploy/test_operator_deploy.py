"""A production deploy done as the README's operator section says, from a fresh copy.

On loopback: PostgreSQL with the README's owner and application roles, a Redis of the
test's own, an SMTP server, and an S3-compatible server (moto). Rapport runs with DEBUG
off and plain-HTTP settings: gunicorn, a Celery worker and beat on an empty var folder.

1. The first staff user is made with createsuperuser, confirms their email through the
   link mailed to them, sets up two-factor, views a therapist's evidence (from the bucket)
   and verifies the license; the worker mails the therapist, carrying the request's id.
2. Redis is stopped: signing in answers the "try again in a minute" page (503), readiness
   fails naming Redis, and no session or sign-in was written. Redis comes back; all ready.
3. Keys are rotated in the README's order while a client keeps signing in and reading
   pages: no request fails.
4. Database and documents are backed up, restored into a second instance (its own
   database and bucket), which serves the same evidence and passes audit_verify.
5. Every line every process logged parses as JSON, with a UTC time and its offset.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import requests
from cryptography.fernet import Fernet

from tests.deploy.servers import (
    Process,
    RedisServer,
    S3Server,
    SmtpServer,
    free_port,
    wait_until,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PG = "postgres://postgres@127.0.0.1:5432/postgres"
STAFF_EMAIL = "first-staff@example.test"
STAFF_PASSWORD = "Fictional-staff-password-1"
READY_SECONDS = 90
PG_DUMP = ("pg_dump", "--format=custom", "--no-owner", "--no-privileges")
PG_RESTORE = ("pg_restore", "--no-owner", "--no-privileges", "--exit-on-error")
GUNICORN = (sys.executable, "-m", "gunicorn", "config.wsgi")
CELERY = (sys.executable, "-m", "celery", "-A", "config", "--quiet")


def _fresh_copy(target: Path) -> Path:
    """The repository's files as a clone has them (tracked and new, nothing ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = ROOT / name.decode()
        if source.is_file():
            (target / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name.decode())
    return target


def _readme_roles_sql() -> str:
    """The SQL the README gives for the roles and the database."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### Database roles") :]
    return re.search(r"```sql\n(.*?)```", section, re.S).group(1)


def _postgres(sql: str, dbname: str = "postgres") -> None:
    with psycopg.connect(PG.replace("/postgres", f"/{dbname}"), autocommit=True) as conn:
        for statement in filter(None, (s.strip() for s in sql.split(";"))):
            conn.execute(statement)


@dataclass
class Instance:
    """One deploy of Rapport: its database, bucket, var folder and processes."""

    name: str
    app_dir: Path
    env: dict[str, str]
    logs: Path
    port: int = field(default_factory=free_port)
    processes: dict[str, Process] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str, owner: bool = False, check: bool = True) -> str:
        env = dict(self.env)
        if owner:
            env["DATABASE_URL"] = env["OWNER_DATABASE_URL"]
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=self.app_dir,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if result.returncode == 0:  # a refusal's message is the command's answer, not a log
            with (self.logs / f"{self.name}-manage.log").open("a") as log:
                log.write(result.stderr)
        if check and result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)}: {result.stdout}{result.stderr}")
        return result.stdout + result.stderr

    def start(self, *parts: str) -> None:
        commands = {
            "web": [*GUNICORN, "--bind", f"127.0.0.1:{self.port}", "--workers", "2"],
            "worker": [*CELERY, "worker", "-c", "1", "-n", f"{self.name}@deploy"],
            "beat": [*CELERY, "beat"],
        }
        for part in parts:
            self.processes[part] = Process(
                f"{self.name}-{part}",
                commands[part],
                cwd=self.app_dir,
                env=self.env,
                logs=self.logs,
            ).start()

    def stop(self, *parts: str) -> None:
        for part in parts or list(self.processes):
            if part in self.processes:
                self.processes.pop(part).stop()

    def ready(self) -> dict:
        try:
            response = requests.get(f"{self.url}/health/ready/", timeout=5)
        except requests.ConnectionError:
            return {}
        return response.json() if response.status_code in (200, 503) else {}

    def wait_ready(self) -> None:
        def ready() -> bool:
            for process in self.processes.values():
                assert not process.exited(), f"{process.name} exited: see {process.log_path}"
            return self.ready().get("status") == "ready"

        wait_until(ready, seconds=READY_SECONDS, what=f"{self.name} ready")


class Browser:
    """A person at a browser: a cookie jar, CSRF tokens read from forms."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()

    def get(self, path: str) -> requests.Response:
        return self.session.get(self._url(path), timeout=30)

    def post_form(self, path: str, data: dict[str, str]) -> requests.Response:
        return self.submit(self.get(path), data)

    def submit(self, page: requests.Response, data: dict[str, str]) -> requests.Response:
        """Post the form of a page already loaded (a new load may change the form)."""
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, f"no form at {page.url} ({page.status_code})"
        return self.session.post(
            self._url(page.url),
            data={"csrfmiddlewaretoken": token.group(1), **data},
            headers={"Referer": page.url},
            timeout=30,
        )

    def _url(self, path: str) -> str:
        return path if path.startswith("http") else self.base + path


_used_counters: set[int] = set()


def _totp_code(secret: str) -> str:
    """A code the site has not seen yet: each is accepted once, two windows are valid."""
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    def fresh_counter() -> int | None:
        counters = sorted(yield_hotp_counters_from_time(), reverse=True)
        return next((c for c in counters if c not in _used_counters), None)

    counter = wait_until(fresh_counter, seconds=40, what="a fresh authenticator code")
    _used_counters.add(counter)
    return format_hotp_value(hotp_value(secret, counter))


def _sign_in(browser: Browser, secret: str) -> requests.Response:
    """Password, then the authenticator's code; returns the page signed in to."""
    answer = browser.post_form(
        "/accounts/login/", {"login": STAFF_EMAIL, "password": STAFF_PASSWORD}
    )
    if "/accounts/2fa/authenticate/" in answer.url:
        answer = browser.post_form(answer.url, {"code": _totp_code(secret)})
    return answer


@pytest.fixture
def deploy(tmp_path: Path) -> Iterator[dict]:
    logs = tmp_path / "logs"
    logs.mkdir()
    app_dir = _fresh_copy(tmp_path / "app")
    suffix = f"{os.getpid()}"
    owner, app, databases = f"deploy_owner_{suffix}", f"deploy_app_{suffix}", []
    redis, smtp, s3 = RedisServer(logs).start(), SmtpServer().start(), S3Server(logs).start()
    instances: list[Instance] = []

    def make_instance(name: str, *, redis_dbs: tuple[int, int]) -> Instance:
        database = f"deploy_{name}_{suffix}"
        sql = (
            _readme_roles_sql()
            .replace("rapport_owner", owner)
            .replace("rapport_app", app)
            .replace("DATABASE rapport ", f"DATABASE {database} ")
        )
        if instances:  # the roles exist: only the database is new
            sql = ";".join(s for s in sql.split(";") if "CREATE ROLE" not in s)
        _postgres(sql)
        databases.append(database)
        s3.create_bucket(f"documents-{name}")
        var_dir = tmp_path / f"var-{name}"  # empty: not even created
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1",
            "FIELD_ENCRYPTION_KEYS": instances[0].env["FIELD_ENCRYPTION_KEYS"]
            if instances
            else Fernet.generate_key().decode(),
            "RAPPORT_VAR_DIR": str(var_dir),
            "OWNER_DATABASE_URL": f"postgres://{owner}:owner-password@127.0.0.1:5432/{database}",
            "DATABASE_URL": f"postgres://{app}:app-password@127.0.0.1:5432/{database}",
            "DATABASE_APP_ROLE": app,
            "REDIS_URL": redis.url(redis_dbs[0]),
            "CELERY_BROKER_URL": redis.url(redis_dbs[1]),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "EMAIL_USE_TLS": "false",
            "PRIVATE_FILES_S3_BUCKET": f"documents-{name}",
            "PRIVATE_FILES_S3_ENDPOINT_URL": s3.url,
            "PRIVATE_FILES_S3_ACCESS_KEY_ID": "deploy-test",
            "PRIVATE_FILES_S3_SECRET_ACCESS_KEY": "deploy-test-secret",
            "DJANGO_SUPERUSER_PASSWORD": STAFF_PASSWORD,
            # A trial on plain HTTP with no proxy (README, "A first trial on plain HTTP").
            "SECURE_SSL_REDIRECT": "false",
            "USE_X_FORWARDED_PROTO": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
        }
        instance = Instance(name=name, app_dir=app_dir, env=env, logs=logs)
        instance.env["SITE_URL"] = instance.url
        instances.append(instance)
        return instance

    try:
        yield {
            "make_instance": make_instance,
            "redis": redis,
            "smtp": smtp,
            "s3": s3,
            "logs": logs,
            "tmp": tmp_path,
        }
    finally:
        for instance in instances:
            instance.stop()
        smtp.stop()
        s3.stop()
        if redis.process is not None:
            redis.process.stop()
        for database in databases:
            _postgres(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        _postgres(f"DROP ROLE IF EXISTS {app}; DROP ROLE IF EXISTS {owner}")


def test_a_deploy_from_the_readme_runs_fails_clearly_rotates_and_restores(deploy) -> None:
    smtp: SmtpServer = deploy["smtp"]
    redis: RedisServer = deploy["redis"]
    first = deploy["make_instance"]("first", redis_dbs=(0, 1))

    # Deploy as the README says: migrate as the owner, then everything as the app role.
    first.manage("migrate", "--noinput", owner=True)
    first.manage("collectstatic", "--noinput")
    first.manage("createsuperuser", "--noinput", "--email", STAFF_EMAIL)
    first.start("web", "worker", "beat")
    first.wait_ready()
    assert requests.get(f"{first.url}/health/live/", timeout=5).json() == {"status": "alive"}

    # A therapist's license waits for review, its evidence in the bucket.
    seeded = first.manage(
        "shell",
        "-c",
        "from tests.factories import LicenseFactory; "
        "l = LicenseFactory(status='pending'); print('SEEDED', l.pk, l.therapist.user.email)",
    )
    license_pk, therapist_email = re.search(r"SEEDED (\d+) (\S+)", seeded).groups()
    assert any(name.startswith("private/") for name in deploy["s3"].object_names("documents-first"))

    # 1. The first staff user: sign in, confirm the emailed link, set up two-factor.
    staff = Browser(first.url)
    answer = staff.post_form("/accounts/login/", {"login": STAFF_EMAIL, "password": STAFF_PASSWORD})
    assert answer.status_code == 200
    link = smtp.wait_for_link(STAFF_EMAIL, rf"{re.escape(first.url)}/accounts/confirm-email/\S+")
    answer = staff.post_form(link, {})
    assert answer.status_code == 200
    activate = staff.get("/staff/vetting/")
    if "/accounts/reauthenticate/" in activate.url:  # confirming is not a password sign-in
        activate = staff.post_form(activate.url, {"password": STAFF_PASSWORD})
    assert "/accounts/2fa/totp/activate/" in activate.url
    secret = re.search(r'id="authenticator-secret">([A-Z2-7]+)<', activate.text).group(1)
    activated = staff.submit(activate, {"code": _totp_code(secret)})
    assert "/accounts/2fa/totp/activate/" not in activated.url, re.findall(
        r'class="[^"]*error[^"]*"[^>]*>([^<]*)<', activated.text
    )
    queue = staff.get("/staff/vetting/")
    assert queue.status_code == 200 and "/staff/vetting/" in queue.url
    preview = staff.get(f"/documents/license/{license_pk}/preview/")
    assert preview.status_code == 200 and preview.content.startswith(b"\x89PNG")
    review = f"/staff/vetting/license/{license_pk}/"
    version = re.search(r'name="version" value="([^"]+)"', staff.get(review).text).group(1)
    decided = staff.post_form(
        review,
        {
            "decision": "verified",
            "board_lookup_url": "https://board.example.test/lookup",
            "version": version,
        },
    )
    assert decided.status_code == 200 and "/staff/vetting/" in decided.url
    request_id = decided.history[0].headers["X-Request-ID"]
    wait_until(lambda: smtp.bodies_to(therapist_email), seconds=60, what="the decision email")
    # The request's id went with the task it started. The worker's log line may be
    # written a moment after the email arrives, so wait for it too.
    worker_log = deploy["logs"] / "first-worker.log"
    wait_until(
        lambda: request_id in worker_log.read_text(),
        seconds=60,
        what="the request's id in the worker's log",
    )

    # 2. Redis stops: a clear page for signing in, readiness fails, nothing is written.
    def counts() -> tuple[int, int]:
        url = first.env["OWNER_DATABASE_URL"]
        with psycopg.connect(url) as conn:
            sessions = conn.execute("SELECT count(*) FROM django_session").fetchone()[0]
            last_login = conn.execute("SELECT count(last_login) FROM profiles_user").fetchone()[0]
        return sessions, last_login

    before = counts()
    redis.stop()
    stranger = Browser(first.url)
    login_page = stranger.get("/accounts/login/")
    refused = stranger.session.post(
        f"{first.url}/accounts/login/",
        data={
            "csrfmiddlewaretoken": re.search(
                r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.text
            ).group(1),
            "login": STAFF_EMAIL,
            "password": STAFF_PASSWORD,
        },
        headers={"Referer": f"{first.url}/accounts/login/"},
        timeout=30,
    )
    assert refused.status_code == 503, refused.text[:300]
    assert "try again in a minute" in refused.text
    readiness = first.ready()
    assert readiness["status"] == "not ready" and readiness["checks"]["redis"]["ok"] is False
    assert readiness["checks"]["database"]["ok"] is True
    assert counts() == before
    redis.start()
    first.wait_ready()

    # 3. Rotate keys in the README's order while a client keeps using the site.
    old_key, new_key = first.env["FIELD_ENCRYPTION_KEYS"], Fernet.generate_key().decode()
    failures: list[str] = []
    served = [0]
    stop = threading.Event()

    reader = Browser(first.url)
    _sign_in(reader, secret)

    def keep_using_the_site() -> None:
        """Read the staff pages and the evidence, signed in since before the rotation."""
        while not stop.is_set():
            for path in ("/staff/vetting/", f"/documents/license/{license_pk}/preview/"):
                page = reader.get(path)
                if page.status_code != 200 or path not in page.url:
                    failures.append(f"{page.status_code} {page.url}")
            served[0] += 1

    def restart_all_with(keys: str) -> None:
        first.stop("web", "worker", "beat")
        first.env["FIELD_ENCRYPTION_KEYS"] = keys
        first.start("web", "worker", "beat")
        first.wait_ready()

    restart_all_with(f"{new_key},{old_key}")  # step 1: new key first, everywhere
    user = threading.Thread(target=keep_using_the_site)
    user.start()
    try:
        checked = first.manage("rotate_field_keys", check=False)
        assert "Checked only" in checked
        rotated = first.manage("rotate_field_keys", "--new-key-rolled-out")  # step 2
        assert "safe to drop the old keys" in rotated
        # A sign-in now decrypts the two-factor secret just rotated, as processes hold both.
        during = Browser(first.url)
        _sign_in(during, secret)
        assert during.get("/staff/vetting/").url.endswith("/staff/vetting/")
        wait_until(lambda: served[0] >= 3, seconds=60, what="pages read during the rotation")
    finally:
        stop.set()
        user.join(timeout=60)
    assert failures == []
    restart_all_with(new_key)  # step 3: the old key goes
    after = Browser(first.url)
    _sign_in(after, secret)
    assert after.get("/staff/vetting/").url.endswith("/staff/vetting/")

    # 4. Back up database and documents; restore both into a second instance.
    backup = deploy["tmp"] / "backup"
    backup.mkdir()
    dump = backup / "rapport.dump"
    subprocess.run(
        [*PG_DUMP, "--file", str(dump), "--dbname", first.env["OWNER_DATABASE_URL"]],
        check=True,
        timeout=120,
    )
    first.manage("documents_backup", str(backup / "documents"))
    second = deploy["make_instance"]("second", redis_dbs=(2, 3))
    second.env["FIELD_ENCRYPTION_KEYS"] = new_key
    subprocess.run(
        [*PG_RESTORE, "--dbname", second.env["OWNER_DATABASE_URL"], str(dump)],
        check=True,
        timeout=120,
    )
    second.manage("migrate", "--noinput", owner=True)  # grants the app role again
    second.manage("collectstatic", "--noinput")
    second.manage("documents_restore", str(backup / "documents"))
    assert "The audit trail is whole" in second.manage("audit_verify")
    second.start("web", "worker", "beat")
    second.wait_ready()
    restored = Browser(second.url)
    _sign_in(restored, secret)
    again_preview = restored.get(f"/documents/license/{license_pk}/preview/")
    assert again_preview.status_code == 200
    assert again_preview.content == preview.content
    second.stop()
    first.stop()

    # 5. Every line every process logged is one JSON object with a UTC time.
    lines = 0
    for log in deploy["logs"].glob("*.log"):
        if log.name.startswith(("redis", "s3")):
            continue  # the test's own servers, not Rapport
        for line in log.read_text().splitlines():
            if not line.strip():
                continue
            entry = json.loads(line)
            assert entry["time"].endswith("+00:00"), line
            lines += 1
    assert lines > 50
