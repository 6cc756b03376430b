"""Staff vetting: a decision on a license or training, and the queue's filters."""

from __future__ import annotations

from typing import Any

from django import forms

from profiles import choices
from profiles.fields import PlainTextarea
from profiles.models import (
    VettingStatus,
)


class VettingDecisionForm(forms.Form):
    """A staff decision on a license or training."""

    decision = forms.ChoiceField(
        label="Decision",
        choices=[
            (VettingStatus.VERIFIED, "Verify: the document and the board's record match the claim"),
            (VettingStatus.REJECTED, "Reject: it does not check out"),
        ],
        widget=forms.RadioSelect,
    )
    board_lookup_url = forms.URLField(
        label="Where you checked it (the licensing board's look-up page)",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Required to verify a license.",
    )
    reason = forms.CharField(
        label="Reason, shown to the therapist",
        required=False,
        max_length=1000,
        widget=PlainTextarea(attrs={"rows": 3}),
        help_text="Required to reject. Say what is wrong and what would fix it.",
    )
    version = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind != "license":
            del self.fields["board_lookup_url"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == VettingStatus.REJECTED and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Give the therapist a reason for the rejection.")
        if (
            self.kind == "license"
            and decision == VettingStatus.VERIFIED
            and not cleaned.get("board_lookup_url")
            and "board_lookup_url" not in self.errors
        ):
            self.add_error(
                "board_lookup_url", "Record the board's look-up page you checked the license on."
            )
        return cleaned


class VettingQueueFilterForm(forms.Form):
    """Staff narrow the vetting queue; the filters live in the URL."""

    AGES = [
        ("", "Any age"),
        ("2", "2 days or more"),
        ("7", "7 days or more"),
        ("14", "14 days or more"),
    ]

    kind = forms.ChoiceField(
        label="Kind",
        choices=[
            ("", "Licenses and trainings"),
            ("license", "Licenses"),
            ("training", "Trainings"),
        ],
        required=False,
    )
    state = forms.ChoiceField(
        label="State", choices=[("", "Any state"), *choices.State.choices], required=False
    )
    age = forms.ChoiceField(label="Waiting", choices=AGES, required=False)
    name = forms.CharField(label="Therapist's name", max_length=120, required=False)
