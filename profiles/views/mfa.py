"""Two-factor set-up that ends where the person was going.

allauth's own views, with one change each: the set-up keeps the page the person was on
their way to (`next`, checked as allauth checks it), and the recovery codes page that
follows offers the way back there.
"""

from __future__ import annotations

from typing import Any

from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import get_next_redirect_url
from allauth.mfa.recovery_codes.views import ViewRecoveryCodesView
from allauth.mfa.totp.views import ActivateTOTPView
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import urlencode

from profiles.adapter import home_for
from profiles.models import TherapistProfile


def _continue_url(request: HttpRequest) -> str:
    """Where the set-up continues to: the page the person was going to, else their home
    (a therapist's shows what their profile needs next), so it never ends on the codes."""
    return get_next_redirect_url(request) or home_for(request.user)


class ActivateTOTPThenContinueView(ActivateTOTPView):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["next_url"] = _continue_url(self.request)
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # A code just entered proves the person is here: the recovery codes that follow do
        # not ask for the password again (profiles.adapter counts recent authentications).
        record_authentication(self.request, self.request.user, method="mfa", type="totp")
        return response

    def get_success_url(self) -> str:
        url = super().get_success_url()
        next_url = _continue_url(self.request)
        return f"{url}?{urlencode({'next': next_url})}" if next_url else url


# Where Publish pressed without two-factor sends the set-up back to (profiles.views.editor).
PUBLISH_AFTER_SET_UP = "then=publish"


class RecoveryCodesThenContinueView(ViewRecoveryCodesView):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["next_url"] = next_url = _continue_url(self.request)
        # The set-up began with Publish: the codes page finishes what was pressed.
        context["publish_now"] = (
            next_url == f"{reverse('profiles:editor')}?{PUBLISH_AFTER_SET_UP}"
            and TherapistProfile.objects.filter(
                user=self.request.user, published_at__isnull=True
            ).exists()
        )
        return context


activate_totp = ActivateTOTPThenContinueView.as_view()
view_recovery_codes = RecoveryCodesThenContinueView.as_view()
