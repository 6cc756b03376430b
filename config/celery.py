"""The Celery app; tasks live in each app's tasks.py."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from billiard.util import set_pdeathsig
from celery import Celery
from celery.signals import worker_process_init

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


@worker_process_init.connect
def _let_a_task_under_way_finish_if_the_worker_dies(**kwargs: object) -> None:
    """Keep a pool process alive until its current task ends when the main process dies.

    Celery has the kernel kill pool processes at once when their main process dies. A task
    killed between the mail server's acceptance and its own commit would then send its email
    again on the next attempt. Without that signal the task finishes (its commit included)
    and the pool process exits on its own when it finds no parent to read from.
    """
    if sys.platform.startswith("linux"):
        set_pdeathsig(0)
