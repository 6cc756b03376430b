"""A responder's own data: download it, or delete the account; a therapist closes theirs."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from matching.forms.accounts import PasswordConfirmForm
from matching.services import accounts
from profiles.decorators import role_required
from profiles.models import User

responder_only = role_required(User.Role.RESPONDER)
therapist_only = role_required(User.Role.THERAPIST)


@require_safe
@responder_only
def export(request: HttpRequest) -> HttpResponse:
    """Everything Rapport keeps about the responder, as a JSON file."""
    data = accounts.responder_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="rapport-my-data.json"'
    return response


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
