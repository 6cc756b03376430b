"""A referral link a peer-support team shares: a service and a state, nothing else."""

from __future__ import annotations

from django import forms

from profiles import choices


class ReferralLinkForm(forms.Form):
    service = forms.ChoiceField(
        label="Service",
        choices=[("", "Any service"), *choices.Service.choices],
        required=False,
        help_text="The link opens the questions with this service chosen.",
    )
    state = forms.ChoiceField(
        label="State",
        choices=[("", "Choose a state"), *choices.State.choices],
        error_messages={"required": "Choose the state your team serves."},
    )
