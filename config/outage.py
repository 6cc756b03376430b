"""What a visitor sees when Redis or the broker cannot be reached: a page, never a 500."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from kombu.exceptions import OperationalError as BrokerUnreachable
from redis.exceptions import ConnectionError as RedisUnreachable
from redis.exceptions import TimeoutError as RedisTimeout

logger = logging.getLogger("rapport.outage")

OUTAGE_EXCEPTIONS = (RedisUnreachable, RedisTimeout, BrokerUnreachable)
# Seconds a client is told to wait before trying again (Retry-After).
RETRY_AFTER_SECONDS = 60


def is_service_outage(exception: BaseException | None) -> bool:
    return isinstance(exception, OUTAGE_EXCEPTIONS)


def service_unavailable_response(request: HttpRequest, exception: BaseException) -> HttpResponse:
    """Render the "try again in a minute" page with status 503.

    Rendered without the request's context: the session and the signed-in user live in the
    Redis that is down, so the page must not touch them.
    """
    logger.warning("a service could not be reached: %s", type(exception).__name__)
    signing_in = request.path == reverse(settings.LOGIN_URL)
    body = loader.get_template("unavailable.html").render({"signing_in": signing_in})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response
