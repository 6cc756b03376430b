"""On the sign-in and sign-up pages: whether the visitor came from "Ask for an introduction"."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import template
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme

from profiles.selectors import therapists_listed

register = template.Library()


def _next_view(context: template.Context) -> tuple[str, dict[str, Any]] | None:
    """The view a safe, local `next` opens, with its arguments; None for none or another
    site. allauth checks `next` again before redirecting there."""
    request = context.get("request")
    if request is None:
        return None
    next_url = context.get("redirect_field_value") or request.GET.get("next", "")
    if not next_url or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    try:
        match = resolve(urlsplit(next_url).path)
    except Resolver404:
        return None
    return match.view_name, match.kwargs


@register.simple_tag(takes_context=True)
def checkin_being_opened(context: template.Context) -> bool:
    """Whether a visitor was opening a check-in (its emailed link, or from their page) when
    sent to sign in. Nothing about the check-in is read: the link names no one."""
    opened = _next_view(context)
    return opened is not None and opened[0] in {"alliance:checkin_link", "alliance:checkin"}


@register.simple_tag(takes_context=True)
def intro_being_asked(context: template.Context) -> dict[str, Any] | None:
    """The therapist a visitor was asking when sent to sign in; None for any other page.

    Only a safe, local `next` that opens the intro form counts; allauth itself checks it
    again before redirecting there.
    """
    opened = _next_view(context)
    if opened is None or opened[0] != "matching:intro_new":
        return None
    public_id = opened[1]["public_id"]
    therapist = therapists_listed().filter(public_id=public_id).only("full_name").first()
    return {"therapist_name": therapist.full_name if therapist else ""}
