"""Asking to be emailed once, when a state without therapists gets its first."""

from __future__ import annotations

from django import forms

from profiles import choices


class CoverageWatchForm(forms.Form):
    state = forms.ChoiceField(label="Your state", choices=choices.State.choices)
    email = forms.EmailField(
        label="Your email",
        max_length=254,
        help_text=(
            "Used for this one email only, then deleted. It is not an account, and nobody "
            "else sees it."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
