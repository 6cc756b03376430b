"""An intro request, and the therapist's answer to it."""

from __future__ import annotations

from typing import Any

from django import forms

from matching.forms.intake import checkboxes
from matching.models import (
    INTRO_MESSAGE_MAX_CHARS,
    INTRO_REPLY_MAX_CHARS,
    THREAD_MESSAGE_MAX_CHARS,
    IntroRequest,
)
from profiles import choices
from profiles.fields import PlainTextarea
from profiles.phones import normalize_us_phone


class IntroRequestForm(forms.Form):
    """A responder asking a therapist for an introduction."""

    message = forms.CharField(
        label="A short message (optional)",
        max_length=INTRO_MESSAGE_MAX_CHARS,
        required=False,
        widget=PlainTextarea(attrs={"rows": 5}),
        help_text="Up to 1,000 characters. Only this therapist can read it.",
    )
    contact_method = forms.ChoiceField(
        label="How should the therapist reach you?",
        choices=IntroRequest.ContactMethod.choices,
        widget=forms.RadioSelect,
        initial=IntroRequest.ContactMethod.RAPPORT,
    )
    contact_email = forms.EmailField(
        label="Email for the therapist",
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    contact_phone = forms.CharField(
        label="Phone for the therapist",
        max_length=30,
        required=False,
        widget=forms.TelInput(attrs={"autocomplete": "tel"}),
    )
    contact_hours = checkboxes(choices.Hours, "When can they reach you?")
    between_shifts = forms.BooleanField(label="Call me back between shifts", required=False)
    token = forms.UUIDField(widget=forms.HiddenInput)
    # The signed place the card was shown at (matching.shown_rank); empty from other pages.
    shown = forms.CharField(widget=forms.HiddenInput, required=False, max_length=1000)

    def clean_contact_phone(self) -> str:
        phone = self.cleaned_data["contact_phone"].strip()
        return normalize_us_phone(phone) if phone else ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        method = cleaned.get("contact_method")
        needed = {
            IntroRequest.ContactMethod.EMAIL: (
                "contact_email",
                "Enter the email the therapist should write to.",
            ),
            IntroRequest.ContactMethod.PHONE: (
                "contact_phone",
                "Enter the number the therapist should call.",
            ),
        }
        if method in needed:
            field, message = needed[method]
            if not cleaned.get(field) and field not in self.errors:
                self.add_error(field, message)
        return cleaned


class IntroAnswerForm(forms.Form):
    """A therapist's answer: accept with a next step, or decline."""

    decision = forms.ChoiceField(
        label="Your answer",
        choices=[("accepted", "Accept"), ("declined", "Decline")],
        widget=forms.RadioSelect,
    )
    reply = forms.CharField(
        label="Your next step, or a colleague to suggest",
        max_length=INTRO_REPLY_MAX_CHARS,
        required=False,
        widget=PlainTextarea(attrs={"rows": 4}),
        help_text=(
            "To accept, propose times or say how you will call. To decline, you can point to a "
            "colleague. Only the responder reads this."
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("decision") == "accepted" and not cleaned.get("reply", "").strip():
            self.add_error(
                "reply", "Tell the responder the next step: times, or how you will call."
            )
        return cleaned


class ThreadMessageForm(forms.Form):
    """One short message of an accepted intro's conversation."""

    body = forms.CharField(
        label="Your message",
        max_length=THREAD_MESSAGE_MAX_CHARS,
        widget=PlainTextarea(attrs={"rows": 4}),
        help_text=(
            "Up to 1,000 characters, to arrange the first session. Only the other person "
            "reads it; the email they get says only that a message is waiting."
        ),
        error_messages={"required": "Write a message first."},
    )
