"""Response headers every page gets."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class PrivatePagesMiddleware:
    """Keep every page Rapport renders out of browser and proxy caches.

    Nearly every page can show something of one person: their answers, their ranked list,
    the match score on a therapist's page, their intros, their profile, or simply that they
    are signed in. A shared computer's back button or a proxy must never show it to the
    next person, so each response is `no-store` unless its view chose otherwise (a listed
    therapist's photo may be kept briefly). Static files are served before this runs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
