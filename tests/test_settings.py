"""Settings come from the environment, strictly; production mode passes Django's deploy checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import Env

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x7#pQ2!vL9zR4mK8wT1yB6nC3hF5jD0sG-aE_uIoPlMkNbVcXz",
    "ALLOWED_HOSTS": "rapport.example.test",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/rapport",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1",
    "EMAIL_HOST": "smtp.example.test",
    "PRIVATE_FILES_S3_BUCKET": "rapport-documents",
    "FIELD_ENCRYPTION_KEYS": "mJ9HnQoZx0Jm6Yw1m0fJvVHk8b3M9r4Qm8o0nQzVZ5k=",
}


def _manage(*args: str, env: dict[str, str], var_dir: Path) -> subprocess.CompletedProcess[str]:
    # Only what the test gives: none of the suite's own service settings leak in.
    clean = {"PATH": os.environ["PATH"], "HOME": str(var_dir)}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings", RAPPORT_VAR_DIR=str(var_dir))
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_mode_passes_the_deploy_check(tmp_path: Path) -> None:
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV, var_dir=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEYS"])
def test_production_mode_refuses_to_start_without(missing: str, tmp_path: Path) -> None:
    env = {**PRODUCTION_ENV, missing: ""}
    result = _manage("check", env=env, var_dir=tmp_path)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_a_bad_value_stops_start_up_with_its_name(tmp_path: Path) -> None:
    result = _manage(
        "check",
        env={"DB_CONN_MAX_AGE": "forever", "DATABASE_URL": PRODUCTION_ENV["DATABASE_URL"]},
        var_dir=tmp_path,
    )
    assert result.returncode != 0
    assert "DB_CONN_MAX_AGE must be a whole number, not 'forever'" in result.stderr


def test_env_reads_booleans_strictly() -> None:
    env = Env({"A": "yes", "B": "off", "C": "maybe"})
    assert env.bool("A", False) is True
    assert env.bool("B", True) is False
    assert env.bool("MISSING", True) is True
    with pytest.raises(ImproperlyConfigured, match="C must be true or false"):
        env.bool("C", False)


def test_env_checks_numbers_against_their_bounds() -> None:
    env = Env({"N": "5", "LOW": "-1"})
    assert env.int("N", 0, minimum=0) == 5
    with pytest.raises(ImproperlyConfigured, match="LOW must be at least 0"):
        env.int("LOW", 0, minimum=0)


def test_env_checks_url_schemes() -> None:
    env = Env({"URL": "mysql://db/x"})
    with pytest.raises(ImproperlyConfigured, match="URL must be a URL starting with postgres://"):
        env.url("URL", None, schemes=("postgres",))


def test_env_lists_split_on_commas_and_ignore_blanks() -> None:
    assert Env({"L": " a.test, ,b.test "}).list("L") == ["a.test", "b.test"]


def test_embedded_default_needs_no_service(tmp_path: Path) -> None:
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.EMAIL_BACKEND)",
        env={},
        var_dir=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    engine, broker, email = result.stdout.splitlines()[-1].split()
    assert engine == "django.db.backends.sqlite3"
    assert broker == "filesystem://"
    assert email == "django.core.mail.backends.filebased.EmailBackend"


def test_a_malformed_encryption_key_is_refused(tmp_path: Path) -> None:
    env = {**PRODUCTION_ENV, "FIELD_ENCRYPTION_KEYS": "not-a-fernet-key"}
    result = _manage("check", env=env, var_dir=tmp_path)
    assert result.returncode != 0
    assert "Each FIELD_ENCRYPTION_KEYS entry must be a Fernet key" in result.stderr


def test_production_refuses_to_start_without_redis_broker_and_smtp(tmp_path: Path) -> None:
    env = {
        **PRODUCTION_ENV,
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "EMAIL_HOST": "",
    }
    result = _manage("check", env=env, var_dir=tmp_path)
    assert result.returncode != 0
    said = result.stderr
    assert "(rapport.E001) REDIS_URL is not set" in said
    assert "(rapport.E002) CELERY_BROKER_URL is not set" in said
    assert "(rapport.E003) EMAIL_HOST is not set" in said


def test_production_starts_on_stand_ins_only_when_told_they_are_meant(tmp_path: Path) -> None:
    env = {
        **PRODUCTION_ENV,
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "EMAIL_HOST": "",
        "ALLOW_LOCAL_CACHE": "true",
        "ALLOW_FILESYSTEM_BROKER": "true",
        "ALLOW_FILE_EMAIL": "true",
    }
    result = _manage("check", env=env, var_dir=tmp_path)
    assert result.returncode == 0, result.stderr


def test_gunicorn_refuses_to_start_with_one_json_line_per_missing_service(tmp_path: Path) -> None:
    env = {**PRODUCTION_ENV, "REDIS_URL": "", "EMAIL_HOST": ""}
    clean = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "RAPPORT_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", "127.0.0.1:0"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    refusals = [
        json.loads(line)["message"]
        for line in result.stderr.splitlines()
        if "refuses to start" in line
    ]
    assert refusals == [
        "web refuses to start: rapport.E001: REDIS_URL is not set: each process would keep "
        "its own cache, sessions and rate limits.",
        "web refuses to start: rapport.E003: EMAIL_HOST is not set: emails would be written "
        "to files, never sent.",
    ]
