"""allauth's account forms, changed so that known and unknown addresses cost the same."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context, ratelimit
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

# The rate-limit action (see ACCOUNT_RATE_LIMITS) counting sign-ups per email address.
SIGNUP_ADDRESS_ACTION = "signup_address"


class SignupForm(AllauthSignupForm):
    """Sign-up that does the same work whether or not the address already has an account.

    With enumeration prevention on, allauth answers a sign-up for a known address with the
    same page as a new one but skips hashing the password, so the known path answered in a
    fraction of the time. Here the known path hashes the password too. Every address may
    be signed up for only a few times an hour, known or not, so no one can flood an inbox.
    """

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        email = cleaned.get("email")
        if email and not self.errors:
            allowed = ratelimit.consume(
                context.request, action=SIGNUP_ADDRESS_ACTION, key=email.lower()
            )
            if not allowed:
                raise ValidationError(
                    "Too many sign-ups for this address. Try again in an hour.",
                    code="too_many_signups",
                )
        return cleaned

    def try_save(self, request: HttpRequest) -> tuple[Any, HttpResponse | None]:
        if self.account_already_exists:
            # The hash a new account would get, thrown away: the answer takes as long.
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)
