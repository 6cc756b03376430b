"""Forms of a person's account: the sign-up questions and the name shown to therapists."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest

from profiles.models import (
    ResponderProfile,
    User,
)

PSEUDONYM_HELP = (
    "The name therapists see: a first name, a nickname or initials. "
    "Rapport never needs your legal name."
)


class SignupQuestionsForm(forms.Form):
    """The extra questions on allauth's sign-up form (profiles.account_forms.SignupForm):
    the role, and the name to show."""

    role = forms.ChoiceField(
        label="I am",
        choices=[
            (User.Role.RESPONDER, "A first responder looking for a therapist"),
            (User.Role.THERAPIST, "A licensed therapist"),
        ],
        widget=forms.RadioSelect,
        help_text="This cannot be changed later.",
    )
    pseudonym = forms.CharField(
        label="Name to show therapists (responders)",
        max_length=40,
        required=False,
        help_text=PSEUDONYM_HELP,
    )
    full_name = forms.CharField(
        label="Your full professional name (therapists)",
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["role", "pseudonym", "full_name", "email", "password1", "password2"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        role = cleaned.get("role")
        if role == User.Role.RESPONDER and not cleaned.get("pseudonym", "").strip():
            self.add_error("pseudonym", "Choose a name to show therapists; a nickname is fine.")
        if role == User.Role.THERAPIST and not cleaned.get("full_name", "").strip():
            self.add_error("full_name", "Enter the name responders will see on your profile.")
        return cleaned

    def signup(self, request: HttpRequest, user: User) -> None:
        """Profiles are created by the account adapter, in the same transaction."""


class PseudonymForm(forms.ModelForm):
    class Meta:
        model = ResponderProfile
        fields = ["pseudonym"]
        labels = {"pseudonym": "Name to show therapists"}
        help_texts = {"pseudonym": PSEUDONYM_HELP}
        error_messages = {
            "pseudonym": {"required": "Choose a name to show therapists; a nickname is fine."}
        }
