"""HEAD is answered wherever GET is, and a refused request logs one line."""

from __future__ import annotations

import logging
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import ResponderFactory, TherapistFactory

pytestmark = pytest.mark.django_db

SAMPLE_ARGS = {"int": "1", "uuid": str(uuid.uuid4()), "slug": "license", "str": "x"}


def _our_paths() -> list[str]:
    """A concrete path for every URL pattern of Rapport's own apps (not admin or allauth)."""
    paths: list[str] = []

    def walk(patterns: list, prefix: str) -> None:
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if route.startswith(("admin/", "accounts/")):
                    continue
                walk(pattern.url_patterns, prefix + route)
            elif isinstance(pattern, URLPattern):
                path = prefix + route
                for converter, sample in SAMPLE_ARGS.items():
                    while f"<{converter}:" in path:
                        start = path.index(f"<{converter}:")
                        path = path[:start] + sample + path[path.index(">", start) + 1 :]
                paths.append("/" + path)

    walk(get_resolver().url_patterns, "")
    return paths


@pytest.mark.parametrize("role", ["anonymous", "responder", "therapist"])
def test_head_is_answered_wherever_get_is(client: Client, role: str) -> None:
    if role == "responder":
        client.force_login(ResponderFactory().user)
    elif role == "therapist":
        client.force_login(TherapistFactory().user)
    paths = _our_paths()
    assert len(paths) > 30
    mismatched = []
    for path in paths:
        get, head = client.get(path).status_code, client.head(path).status_code
        if get != 405 and head != get:
            mismatched.append(f"{path}: GET {get}, HEAD {head}")
    assert mismatched == []


def test_the_home_page_answers_head(client: Client) -> None:
    response = client.head("/")
    assert response.status_code == 200
    assert response.content == b""


def test_a_refused_request_is_logged_as_one_line_without_a_traceback(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    client.force_login(ResponderFactory().user)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/therapist/profile/").status_code == 403
    refused = [r for r in caplog.records if r.name == "django.request"]
    assert len(refused) == 1
    assert refused[0].getMessage() == "Forbidden (Permission denied): /therapist/profile/"
    assert refused[0].exc_info is None and not refused[0].exc_text
