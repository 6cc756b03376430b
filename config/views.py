from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django.views.defaults import server_error as django_server_error

from config.health import check_database, readiness
from config.middleware import session_seconds_left
from config.outage import is_service_outage, service_unavailable_response


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Answer 200 when the process can reach its database (kept for existing probes)."""
    ok, detail = check_database()
    if not ok:
        return HttpResponse(detail, status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


@require_safe
@never_cache
def health_live(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Restart it when this fails; nothing else is checked."""
    return JsonResponse({"status": "alive"})


@require_safe
@never_cache
def health_ready(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when the database, Redis, the broker and beat are all well, else 503."""
    checks = readiness()
    ready = all(result["ok"] for result in checks.values())
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status=200 if ready else 503,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: an outage of Redis or the broker gets the "try again" page instead."""
    exception = sys.exc_info()[1]
    if is_service_outage(exception):
        return service_unavailable_response(request, exception)
    return django_server_error(request)


@require_safe
@never_cache
def session_status(request: HttpRequest) -> JsonResponse:
    """How long a therapist's or staff member's sign-in has left, for the warning before it
    ends (static/js/session.js). Asking does not count as activity (the middleware lets it
    through untouched). `seconds_left` is null for a sign-in without a time limit."""
    signed_in = request.user.is_authenticated
    left = session_seconds_left(request) if signed_in else None
    return JsonResponse({"signed_in": signed_in and left != 0, "seconds_left": left})


@require_POST
def session_stay(request: HttpRequest) -> HttpResponse:
    """ "Stay signed in": the request itself is the activity (the middleware notes it). 204, so
    a page that posts it without script stays as it is, with what was typed."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=403)
    return HttpResponse(status=204)
