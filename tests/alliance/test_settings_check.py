"""The start-up check that refuses release batches too small to hide one responder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from alliance.checks import alliance_min_responders_check


@pytest.mark.parametrize("value", [0, 1, 4])
def test_fewer_than_five_responders_per_batch_is_refused(settings, value) -> None:
    settings.ALLIANCE_MIN_RESPONDERS = value
    errors = alliance_min_responders_check()
    assert [error.id for error in errors] == ["alliance.E001"]
    assert "ALLIANCE_MIN_RESPONDERS" in errors[0].msg
    with pytest.raises(SystemCheckError, match=r"alliance\.E001"):
        call_command("check")


@pytest.mark.parametrize("value", [5, 12])
def test_five_or_more_passes(settings, value) -> None:
    settings.ALLIANCE_MIN_RESPONDERS = value
    assert alliance_min_responders_check() == []


def test_the_site_does_not_start_with_it_below_five_in_the_environment() -> None:
    environment = {**os.environ, "ALLIANCE_MIN_RESPONDERS": "1"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    started = subprocess.run(
        [sys.executable, "manage.py", "check", "--settings=config.settings"],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode != 0
    assert "ALLIANCE_MIN_RESPONDERS" in started.stderr
