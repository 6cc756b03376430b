"""What a therapist or staff member typed when their sign-in had already ended: kept for a
short while, encrypted, keyed to their account and the page, never in a URL or a log, and
put back into the form once they sign in again.

The sign-in middleware (config.middleware.SessionTimeoutMiddleware) keeps a refused save of a
view marked `@keeps_drafts`; the view's GET takes it back with `form_for_request`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, QueryDict
from django.urls import Resolver404, resolve

from profiles.crypto import DecryptionError, decrypt_text, encrypt_text

# Never kept: the form's token, and the answer to "send it for review?", which must be given
# again with the form in view.
NOT_KEPT = frozenset({"csrfmiddlewaretoken", "confirm_review"})
FormT = TypeVar("FormT", bound=forms.BaseForm)
View = Callable[..., Any]


@dataclass(frozen=True)
class Draft:
    data: QueryDict
    # Names of file inputs that held a file: a browser cannot be given one back.
    files: tuple[str, ...]


def keeps_drafts(view: View) -> View:
    """Mark a view whose form is kept when a save arrives after the sign-in ended."""
    view.keeps_drafts = True  # type: ignore[attr-defined]
    return view


def _key(user_id: int, path: str) -> str:
    return f"form-draft:{user_id}:{hashlib.sha256(path.encode()).hexdigest()[:32]}"


def draft_keep(*, request: HttpRequest) -> bool:
    """Keep what a refused save carried, for its signed-in (now ended) account and its page,
    when its view takes drafts. Passwords are never kept. Returns whether it was kept."""
    if not settings.SESSION_DRAFT_SECONDS or not request.user.is_authenticated:
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    if not getattr(match.func, "keeps_drafts", False):
        return False
    fields = {
        name: request.POST.getlist(name)
        for name in request.POST
        if name not in NOT_KEPT and "password" not in name
    }
    if not fields:
        return False
    payload = json.dumps({"fields": fields, "files": sorted(request.FILES)})
    cache.set(
        _key(request.user.pk, request.path), encrypt_text(payload), settings.SESSION_DRAFT_SECONDS
    )
    return True


def draft_take(*, request: HttpRequest) -> Draft | None:
    """The draft kept for this account and page, taken once; None when there is none."""
    # GET only: a HEAD (a prefetch, a link checker) must not use it up unseen.
    if request.method != "GET" or not request.user.is_authenticated:
        return None
    key = _key(request.user.pk, request.path)
    token = cache.get(key)
    if token is None:
        return None
    cache.delete(key)
    try:
        payload = json.loads(decrypt_text(token))
    except (DecryptionError, ValueError):
        return None
    data = QueryDict(mutable=True)
    for name, values in payload["fields"].items():
        data.setlist(name, values)
    return Draft(data=data, files=tuple(payload.get("files", ())))


def form_for_request(
    request: HttpRequest, form_class: type[FormT], *, files: bool = False, **kwargs: Any
) -> FormT:
    """The view's form: bound to a post; on a GET, filled with what the person typed before
    their sign-in ended if a draft was kept (and told so), else as stored."""
    if request.method == "POST":
        return form_class(request.POST, request.FILES if files else None, **kwargs)
    form = form_class(**kwargs)
    draft = draft_take(request=request)
    if draft is None:
        return form
    initial = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        widget = field.widget
        if isinstance(widget, forms.FileInput):
            continue
        # A box left unticked sends nothing: absent from the draft, it was unticked.
        unticked = isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple)
        if key in draft.data or unticked:
            initial[name] = widget.value_from_datadict(draft.data, {}, key)
    text = (
        "You were signed out before this was saved. What you typed is back in the form: "
        "check it, then save."
    )
    if draft.files:
        text += " Choose any file again: a browser does not keep a chosen file."
    messages.info(request, text)
    return form_class(initial={**kwargs.pop("initial", {}), **initial}, **kwargs)
