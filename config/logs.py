"""Structured logs: one JSON object per line, UTC times with their offset, a request id.

Every process (gunicorn, the Celery worker and beat, management commands) logs through
`JsonLineFormatter`. A web request gets an id (kept from a well-formed `X-Request-ID`
header, made otherwise); every line logged while it runs carries it, and so does every
Celery task it starts (see config/celery.py), so one id follows a request into its tasks.

What a line may hold is a fixed list of fields: a record's other attributes (Django hangs
the whole request on some of them, with its query string) never reach a log.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.json import JsonFormatter

# The id of the web request or task under way in this thread, or "" outside of one.
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
# An id a client or proxy sends is kept only when it looks like one: no free text in logs.
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9-]{8,64}$")
# The fields a record may add beyond time, level, logger and message (set with `extra=`).
EXTRA_FIELDS = (
    "status_code",
    "method",
    "route",
    "status",
    "duration_ms",
    "task_name",
    "task_id",
)


def new_request_id(offered: str | None = None) -> str:
    """Keep an offered id when well formed, otherwise make one."""
    if offered and REQUEST_ID_PATTERN.match(offered):
        return offered
    return uuid.uuid4().hex


def utc_timestamp(seconds: float) -> str:
    """An ISO 8601 time in UTC with its offset, to the millisecond."""
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat(timespec="milliseconds")


class JsonLineFormatter(JsonFormatter):
    """Write each record as one JSON object on one line (tracebacks as a string field)."""

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        log_data["time"] = utc_timestamp(record.created)
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        log_data["message"] = getattr(record, "message", "") or ""
        request_id = getattr(record, "request_id", "") or request_id_var.get()
        if request_id:
            log_data["request_id"] = request_id
        for field in EXTRA_FIELDS:
            value = getattr(record, field, None)
            if isinstance(value, str | int | float | bool):
                log_data[field] = value
        if message_dict.get("exc_info"):
            log_data["exc_info"] = message_dict["exc_info"]
        if message_dict.get("stack_info"):
            log_data["stack_info"] = message_dict["stack_info"]


def logging_config(level: str) -> dict[str, Any]:
    """The LOGGING dict every process uses: JSON lines on standard error."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "config.logs.JsonLineFormatter"}},
        "filters": {
            "forbidden_on_one_line": {"()": "config.log_filters.ForbiddenOnOneLine"},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json"},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "django.request": {"filters": ["forbidden_on_one_line"]},
            # runserver's own request lines; the access log below is the one that counts.
            "django.server": {"level": "WARNING"},
            # Python's warnings, as JSON lines like everything else.
            "py.warnings": {"handlers": ["console"], "propagate": False},
            # gunicorn's error log joins ours; its access log is off: rapport.access is it.
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
            # aiosmtpd and botocore speak at INFO about every command; not ours to log.
            "botocore": {"level": "WARNING"},
            "urllib3": {"level": "WARNING"},
        },
    }


def configure(config: dict[str, Any]) -> None:
    """Apply a LOGGING dict and send Python's warnings through it (settings.LOGGING_CONFIG)."""
    import logging.config

    logging.config.dictConfig(config)
    logging.captureWarnings(True)
