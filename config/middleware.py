"""What every request goes through: cache headers and time limits on sign-ins."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode

from config.logs import new_request_id, request_id_var
from config.outage import is_service_outage, service_unavailable_response
from profiles.drafts import draft_keep


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


# Session keys: when the signed-in user was first and last seen (seconds since the epoch).
SIGNED_IN_AT_KEY = "rapport_signed_in_at"
LAST_SEEN_AT_KEY = "rapport_last_seen_at"
# The last-seen time is written at most this often, so a busy page does not write the
# session on every request; the idle limit is exact to within this.
LAST_SEEN_WRITE_EVERY_SECONDS = 60


class SessionTimeoutMiddleware:
    """Sign therapists and staff out after SESSION_IDLE_TIMEOUT_SECONDS without a request,
    and SESSION_ABSOLUTE_TIMEOUT_SECONDS after they signed in.

    A save that arrives after the sign-in ended is refused, but what it carried is kept
    (profiles.drafts) and put back into the form once they sign in again. So the session
    record outlives the idle limit by SESSION_DRAFT_SECONDS, refused all that while: the
    server must still know whose the save was. It is gone from the server after that.

    Asking how long is left (config.views.session_status) is not activity; "Stay signed in"
    (config.views.session_stay) always is.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if request.path_info == reverse("session_status"):
            # Asking how long is left is not activity, and answers for an ended sign-in too.
            return self.get_response(request)
        if user is not None and user.is_authenticated and is_time_limited(user):
            expired = _session_expired(request, always=request.path_info == reverse("session_stay"))
            if expired:
                kept = request.method == "POST" and _csrf_passes(request)
                kept = kept and draft_keep(request=request)
                logout(request)
                if kept:
                    expired += " What you typed is kept: sign in, and it is back in the form."
                messages.info(request, expired)
                login_url = reverse(settings.LOGIN_URL)
                return redirect(f"{login_url}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def _csrf_passes(request: HttpRequest) -> bool:
    """Whether a post carries the CSRF token, checked before anything of it is kept."""
    return (
        CsrfViewMiddleware(lambda request: HttpResponse()).process_view(request, None, (), {})
        is None
    )


def is_time_limited(user: Any) -> bool:
    return user.is_staff or getattr(user, "role", "") in ("therapist", "staff")


def session_seconds_left(request: HttpRequest) -> int | None:
    """Seconds before a time-limited sign-in ends without another request; None for anyone
    else. Read only: asking does not count as activity."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not is_time_limited(user):
        return None
    now = time.time()
    signed_in_at = request.session.get(SIGNED_IN_AT_KEY, now)
    last_seen_at = request.session.get(LAST_SEEN_AT_KEY, now)
    left = min(
        settings.SESSION_IDLE_TIMEOUT_SECONDS - (now - last_seen_at),
        settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS - (now - signed_in_at),
    )
    return max(int(left), 0)


def _session_expired(request: HttpRequest, *, always: bool = False) -> str:
    """Return why the sign-in has ended, or an empty string; note this request otherwise
    (`always`: however recently the last one was noted)."""
    session = request.session
    now = time.time()
    lifetime = settings.SESSION_IDLE_TIMEOUT_SECONDS + settings.SESSION_DRAFT_SECONDS
    signed_in_at = session.get(SIGNED_IN_AT_KEY)
    last_seen_at = session.get(LAST_SEEN_AT_KEY)
    if signed_in_at is None or last_seen_at is None:
        session[SIGNED_IN_AT_KEY] = session[LAST_SEEN_AT_KEY] = now
        session.set_expiry(lifetime)
        return ""
    if now - signed_in_at > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS:
        hours = settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS // 3600
        return f"You were signed out: a sign-in lasts at most {hours} hours. Sign in again."
    if now - last_seen_at > settings.SESSION_IDLE_TIMEOUT_SECONDS:
        minutes = settings.SESSION_IDLE_TIMEOUT_SECONDS // 60
        return f"You were signed out after {minutes} minutes without activity. Sign in again."
    if always or now - last_seen_at >= LAST_SEEN_WRITE_EVERY_SECONDS:
        session[LAST_SEEN_AT_KEY] = now
        session.set_expiry(lifetime)
    return ""


access_log = logging.getLogger("rapport.access")


class RequestLogMiddleware:
    """Give each request an id for every line it logs, and log it once when answered.

    The access line names the URL pattern that answered (`checkins/<str:token>/`), never
    the path or query string: those carry check-in links and a responder's answers. The id
    is sent back as `X-Request-ID`, and Celery tasks the request starts carry it on.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id(request.headers.get("X-Request-ID"))
        token = request_id_var.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            match = getattr(request, "resolver_match", None)
            access_log.info(
                "request answered",
                extra={
                    "method": request.method,
                    "route": match.route if match is not None else "",
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


class ServiceUnavailableMiddleware:
    """Answer a view that could not reach Redis or the broker with the "try again" page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_service_outage(exception):
            return service_unavailable_response(request, exception)
        return None
