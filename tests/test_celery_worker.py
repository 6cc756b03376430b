"""A real Celery worker, on the test Redis, runs tasks started on commit only after the commit."""

from __future__ import annotations

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from config.celery import app as celery_app
from profiles.models import User


@celery_app.task(name="tests.user_is_visible")
def user_is_visible(user_id: int) -> bool:
    """Report whether the worker's own database connection can see the user."""
    return User.objects.filter(pk=user_id).exists()


@pytest.fixture
def worker():
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


@pytest.mark.django_db(transaction=True)
def test_task_started_on_commit_runs_after_the_commit_and_not_before(worker: None) -> None:
    sent = []
    with transaction.atomic():
        user = User.objects.create_user("on-commit@example.test", role=User.Role.RESPONDER)
        transaction.on_commit(lambda: sent.append(user_is_visible.delay(user.pk)))
        assert sent == []  # nothing is sent while the transaction is open
    assert len(sent) == 1
    assert sent[0].get(timeout=20) is True


@pytest.mark.django_db(transaction=True)
def test_task_sent_inside_the_transaction_runs_before_the_row_exists(worker: None) -> None:
    # The contrast that makes on_commit necessary: sent early, the worker cannot see the row.
    with transaction.atomic():
        user = User.objects.create_user("too-early@example.test", role=User.Role.RESPONDER)
        assert user_is_visible.delay(user.pk).get(timeout=20) is False


@celery_app.task(name="tests.request_id_seen")
def request_id_seen() -> str:
    """Report the request id the worker's logs would carry for this task."""
    from config.logs import request_id_var

    return request_id_var.get()


def test_a_task_carries_the_id_of_the_request_that_started_it(worker: None) -> None:
    from config.logs import request_id_var

    token = request_id_var.set("web-request-0042")
    try:
        result = request_id_seen.delay()
    finally:
        request_id_var.reset(token)
    assert result.get(timeout=20) == "web-request-0042"
