"""The Celery app; tasks live in each app's tasks.py."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from pathlib import Path

from billiard.util import set_pdeathsig
from celery import Celery
from celery.signals import (
    beat_init,
    before_task_publish,
    setup_logging,
    task_postrun,
    task_prerun,
    worker_init,
    worker_process_init,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("rapport")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_var_folders(sender: Celery, **kwargs: object) -> None:
    """Create the folders beat's schedule file and the embedded broker are written to.

    Neither beat nor kombu creates them, and a fresh deploy starts on an empty var folder.
    """
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if key in options:
            Path(options[key]).mkdir(parents=True, exist_ok=True)
    if sender.conf.beat_schedule_filename:
        Path(sender.conf.beat_schedule_filename).parent.mkdir(parents=True, exist_ok=True)


@setup_logging.connect
def _log_as_django_does(**kwargs: object) -> None:
    """Log through settings.LOGGING (JSON lines), not Celery's own plain-text format."""
    from django.conf import settings

    from config.logs import configure

    configure(settings.LOGGING)


def _say_as_json(message: str, f: object = None) -> None:
    """Celery's signal-handler messages ("worker: Warm shutdown"), as one JSON line.

    Celery prints them raw from signal handlers, where logging could deadlock; this writes
    the same line with os.write too, formatted like every other log line.
    """
    import json

    from config.logs import utc_timestamp

    line = {
        "time": utc_timestamp(time.time()),
        "level": "WARNING",
        "logger": "celery.apps.worker",
        "message": message.strip(),
    }
    with contextlib.suppress(OSError):
        os.write(2, (json.dumps(line) + "\n").encode())


@worker_init.connect
def _worker_refuses_to_start_when_misconfigured(**kwargs: object) -> None:
    import celery.apps.worker

    # Only Celery's module is patched: its shutdown messages become JSON lines.
    celery.apps.worker.safe_say = _say_as_json
    from config.checks import refuse_to_start_when_misconfigured

    refuse_to_start_when_misconfigured("worker")


@beat_init.connect
def _beat_refuses_to_start_when_misconfigured(**kwargs: object) -> None:
    from config.checks import refuse_to_start_when_misconfigured

    refuse_to_start_when_misconfigured("beat")


# The header that carries the id of the web request (or task) that started a task.
REQUEST_ID_HEADER = "rapport_request_id"


@before_task_publish.connect
def _carry_the_request_id(headers: dict[str, object] | None = None, **kwargs: object) -> None:
    """Stamp each task sent with the id of the request or task under way."""
    from config.logs import request_id_var

    request_id = request_id_var.get()
    if headers is not None and request_id:
        headers[REQUEST_ID_HEADER] = request_id


# A pool process whose main process died finishes the task under way, then exits.
ORPHAN_CHECK_SECONDS = 0.5
ORPHAN_TASK_GRACE_SECONDS = 60
_task_under_way = threading.Event()


@worker_process_init.connect
def _finish_the_task_under_way_if_the_worker_dies(**kwargs: object) -> None:
    """Let a pool process finish its task, commit included, when its main process dies.

    Celery has the kernel kill pool processes the instant their main process dies. A task
    killed between the mail server's acceptance and its own commit would send its email a
    second time on the next attempt. Instead, a watch thread notices the parent is gone,
    waits for the task under way (at most ORPHAN_TASK_GRACE_SECONDS), and exits.
    """
    if not sys.platform.startswith("linux"):
        return
    set_pdeathsig(0)
    watch = threading.Thread(
        target=_exit_once_orphaned, args=(os.getppid(),), name="orphan-watch", daemon=True
    )
    watch.start()


def _exit_once_orphaned(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(ORPHAN_CHECK_SECONDS)
    deadline = time.monotonic() + ORPHAN_TASK_GRACE_SECONDS
    while _task_under_way.is_set() and time.monotonic() < deadline:
        time.sleep(ORPHAN_CHECK_SECONDS / 10)
    os._exit(1)


@task_prerun.connect
def _task_started(task: object = None, **kwargs: object) -> None:
    _task_under_way.set()
    from config.logs import new_request_id, request_id_var

    # Lines a task logs carry the id of the request that started it (a fresh one for beat's).
    carried = getattr(getattr(task, "request", None), REQUEST_ID_HEADER, None)
    request_id_var.set(new_request_id(carried if isinstance(carried, str) else None))


@task_postrun.connect
def _task_ended(**kwargs: object) -> None:
    _task_under_way.clear()
    from config.logs import request_id_var

    request_id_var.set("")
