"""The Celery app; tasks live in each app's tasks.py."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

from billiard.util import set_pdeathsig
from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("rapport")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_filesystem_queue_folders(sender: Celery, **kwargs: object) -> None:
    """Create the embedded broker's folders, which kombu expects to exist."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if key in options:
            Path(options[key]).mkdir(parents=True, exist_ok=True)


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
def _task_started(**kwargs: object) -> None:
    _task_under_way.set()


@task_postrun.connect
def _task_ended(**kwargs: object) -> None:
    _task_under_way.clear()
