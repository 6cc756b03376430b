"""Who may reach a view: role checks and the two-factor requirement."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

View = Callable[..., HttpResponse]


def role_required(*roles: str) -> Callable[[View], View]:
    """Send anonymous visitors to sign in; refuse (403) signed-in users of another role."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def mfa_required(
    message: str, *, after_post: Callable[[], str] | None = None
) -> Callable[[View], View]:
    """Send a user without two-factor authentication to set it up, then back: to the page
    they asked for, or for a post (which cannot be repeated by a link) to `after_post()`,
    the page where they pressed the button."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not is_mfa_enabled(request.user):
                messages.info(request, message)
                if request.method == "GET":
                    back = request.get_full_path()
                else:
                    back = after_post() if after_post is not None else ""
                target = reverse("mfa_activate_totp")
                if back:
                    target += "?" + urlencode({"next": back})
                return redirect(target)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def staff_required(view: View) -> View:
    """Staff only (403 for anyone else signed in), and only with two-factor on."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied
        return mfa_required("Staff must set up two-factor authentication first.")(view)(
            request, *args, **kwargs
        )

    return wrapper
