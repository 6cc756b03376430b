"""Forms of a person's account: the sign-up questions and the name shown to therapists."""

from __future__ import annotations

from typing import Any

from allauth.core import context
from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from profiles.credentials import credentials_in_name
from profiles.models import (
    ResponderProfile,
    User,
)

PSEUDONYM_HELP = (
    "The name therapists see: a first name, a nickname or initials. "
    "Rapport never needs your legal name."
)


NAME_LABEL = "Your name, as on your license"
NAME_HELP = (
    "Without letters after it: your license type is shown beside your name once our staff "
    "verify it, and you can add other credentials in your profile."
)
# The name field each role is asked for at sign-up; a sign-up for one role shows only its own.
ROLE_NAME_FIELDS = {User.Role.RESPONDER: "pseudonym", User.Role.THERAPIST: "full_name"}
ROLE_CHOICES = [
    (User.Role.RESPONDER, "A first responder looking for a therapist"),
    (User.Role.THERAPIST, "A licensed therapist"),
]


def clean_professional_name(name: str) -> str:
    """A therapist's name without credentials typed into it: they are shown once, beside it."""
    name = name.strip()
    found = credentials_in_name(name)
    if found:
        raise ValidationError(
            f"Enter your name without “{', '.join(found)}”: your verified license type is "
            "shown beside your name, and other credentials go under Identity in your profile."
        )
    return name


class SignupQuestionsForm(forms.Form):
    """The extra questions on allauth's sign-up form (profiles.account_forms.SignupForm):
    the role, and the name to show.

    A sign-up opened for one role (`?role=therapist`, as the page for therapists links it)
    has that role chosen and asks only that role's name; otherwise both names are in the
    page and rapport.css shows the one of the role ticked.
    """

    role = forms.ChoiceField(
        label="I am",
        choices=ROLE_CHOICES,
        widget=forms.RadioSelect,
        help_text="This cannot be changed later.",
    )
    pseudonym = forms.CharField(
        label="Name to show therapists",
        max_length=40,
        required=False,
        help_text=PSEUDONYM_HELP,
    )
    full_name = forms.CharField(
        label=NAME_LABEL,
        max_length=120,
        required=False,
        help_text=NAME_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["role", "pseudonym", "full_name", "email", "password1", "password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pseudonym"].wrapper_class = "field--for-responder"
        self.fields["full_name"].wrapper_class = "field--for-therapist"
        self.role_preset = signup_role_preset(context.request)
        if self.role_preset:
            role = self.fields["role"]
            role.choices = [(v, label) for v, label in ROLE_CHOICES if v == self.role_preset]
            role.initial = self.role_preset
            role.widget = forms.HiddenInput()
            for other, name in ROLE_NAME_FIELDS.items():
                if other != self.role_preset:
                    del self.fields[name]
                else:
                    self.fields[name].wrapper_class = ""

    def clean_full_name(self) -> str:
        return clean_professional_name(self.cleaned_data.get("full_name", ""))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        role = cleaned.get("role")
        if role == User.Role.RESPONDER and not cleaned.get("pseudonym", "").strip():
            self.add_error("pseudonym", "Choose a name to show therapists; a nickname is fine.")
        if (
            role == User.Role.THERAPIST
            and not cleaned.get("full_name", "").strip()
            and "full_name" not in self.errors
        ):
            self.add_error("full_name", "Enter the name responders will see on your profile.")
        return cleaned

    def signup(self, request: HttpRequest, user: User) -> None:
        """Profiles are created by the account adapter, in the same transaction."""


def signup_role_preset(request: HttpRequest | None) -> str:
    """The role a sign-up link chose (`?role=therapist`), or empty."""
    role = request.GET.get("role", "") if request is not None else ""
    return role if role in ROLE_NAME_FIELDS else ""


class PseudonymForm(forms.ModelForm):
    class Meta:
        model = ResponderProfile
        fields = ["pseudonym"]
        labels = {"pseudonym": "Name to show therapists"}
        help_texts = {"pseudonym": PSEUDONYM_HELP}
        error_messages = {
            "pseudonym": {"required": "Choose a name to show therapists; a nickname is fine."}
        }
