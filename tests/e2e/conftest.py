"""Browser tests: Playwright drives the system Chromium against pytest-django's live server."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

# Playwright's sync API runs an event loop in the test thread; Django must still let the
# test code touch the database there.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "var" / "screenshots"
# Chromium must touch loopback only: no background traffic, no look-ups of outside hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--dns-prefetch-disable",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
SERIOUS_IMPACTS = frozenset({"serious", "critical"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    e2e_items = [item for item in items if "tests/e2e/" in str(item.path)]
    for item in e2e_items:
        item.add_marker(pytest.mark.e2e)
    if CHROMIUM.exists() or not e2e_items:
        return
    if os.environ.get("CI", "").lower() == "true":
        raise pytest.UsageError(
            f"Chromium is missing at {CHROMIUM}; install it with: apt-get install -y chromium"
        )
    skip = pytest.mark.skip(reason=f"Chromium is missing at {CHROMIUM} (apt-get install chromium)")
    for item in e2e_items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(autouse=True)
def _e2e_uses_live_server(live_server: Any) -> None:
    """Every browser test runs against a live server on a transactional test database."""


@pytest.fixture
def screenshot(page: Page, request: pytest.FixtureRequest):
    """Save a full-page screenshot under var/screenshots, named after the test."""

    def take(label: str = "") -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        name = request.node.name + (f"-{label}" if label else "")
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def assert_accessible(page: Page, axe: Axe):
    """Fail when axe-core finds a violation of serious or critical impact on the page."""

    def check() -> None:
        assert_no_serious_violations(page, axe)

    return check


def assert_no_serious_violations(page: Page, axe: Axe, where: str | None = None) -> None:
    """Fail when axe-core finds a violation of serious or critical impact on the page."""
    results = axe.run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in SERIOUS_IMPACTS
    ]
    assert serious == [], f"axe-core on {where or page.url}:\n" + "\n".join(serious)
