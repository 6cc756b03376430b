from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# A production deploy missing Redis, the broker or SMTP stops here, one line per error.
from config.checks import refuse_to_start_when_misconfigured  # noqa: E402

refuse_to_start_when_misconfigured("web")
