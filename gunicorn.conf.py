"""gunicorn's settings, read from the folder it starts in: its own lines as JSON too.

gunicorn's error log (start, stop, worker exits) goes through the same JSON formatter as
Rapport's; its access log stays off, since Rapport writes its own (`rapport.access`, which
names the URL pattern and never a path or query string).
"""

from __future__ import annotations

import logging
import os

from config.logs import logging_config

logconfig_dict = logging_config(os.environ.get("LOG_LEVEL", "INFO"))
accesslog = None
logging.captureWarnings(True)
