"""A responder's own data: download it, or delete the account; a therapist closes theirs."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from matching.forms.accounts import PasswordConfirmForm
from matching.selectors.data_export import responder_data_export
from matching.services import accounts
from profiles.decorators import role_required
from profiles.models import User

responder_only = role_required(User.Role.RESPONDER)
therapist_only = role_required(User.Role.THERAPIST)


@require_safe
@responder_only
def export(request: HttpRequest) -> HttpResponse:
    """Everything Rapport keeps about the responder, as a JSON file."""
    data = responder_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="rapport-my-data.json"'
    return response


@require_safe
@responder_only
def my_data(request: HttpRequest) -> HttpResponse:
    """The same data as the download, as a page a person reads and prints."""
    data = responder_data_export(user=request.user)
    answer_rows = [
        (answer["question"], _as_text(answer["label"]), _as_text(answer["code"]))
        for answer in data["profile"]["answers_in_words"]
    ]
    questions = data["check_in_questions"]
    checkin_rows = [
        [
            (questions[key], value)
            for key, value in {**(c["answers"] or {}), **(c["how_things_are_going"] or {})}.items()
        ]
        for c in data["check_ins"]
    ]
    return render(
        request,
        "matching/my_data.html",
        {
            "data": data,
            "answer_rows": answer_rows,
            "checkins": zip(data["check_ins"], checkin_rows, strict=True),
        },
    )


def _as_text(value: object) -> str:
    """One answer, or its code, as a line of text."""
    if value is None:
        return "Not answered"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {item}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "None"
    return str(value) if value != "" else "Not answered"


@require_http_methods(["GET", "HEAD", "POST"])
@responder_only
def delete(request: HttpRequest) -> HttpResponse:
    """Delete the responder's account and everything in it, once they give their password."""
    form = PasswordConfirmForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        accounts.responder_account_delete(user=request.user)
        logout(request)
        messages.success(request, "Your account and everything in it are deleted.")
        return redirect("home")
    return render(request, "matching/account_delete.html", {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
@therapist_only
def close(request: HttpRequest) -> HttpResponse:
    """Close the therapist's account: unlisted at once, requests expired, audit kept."""
    form = PasswordConfirmForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        accounts.therapist_account_close(user=request.user)
        logout(request)
        messages.success(request, "Your account is closed and your profile is no longer listed.")
        return redirect("home")
    return render(request, "matching/account_close.html", {"form": form})
