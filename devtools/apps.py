from __future__ import annotations

from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Development-only tooling: demo data, benchmarks and the delivery drill.

    Installed in every environment, because `make run` seeds demo data and the tests use it, but
    no product module imports it (tests/test_devtools_isolation.py holds that).
    """

    name = "devtools"
    verbose_name = "Development tools"
