"""Logging filters named in settings.LOGGING."""

from __future__ import annotations

import logging


class ForbiddenOnOneLine(logging.Filter):
    """Log a refused request (403) as its one line, without the traceback.

    A 403 is the site working as meant: someone reached a page that is not theirs. The
    traceback of the PermissionDenied says nothing more and buries real errors.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
