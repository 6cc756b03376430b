"""The staff page of supply and demand: which weeks it counts (a filter in the URL)."""

from __future__ import annotations

from django import forms

from matching.selectors.supply import SUPPLY_WEEKS_CHOICES, SUPPLY_WEEKS_DEFAULT


class SupplyWeeksForm(forms.Form):
    weeks = forms.TypedChoiceField(
        label="Requests over",
        choices=[(str(n), f"The last {n} whole weeks") for n in SUPPLY_WEEKS_CHOICES],
        coerce=int,
        initial=str(SUPPLY_WEEKS_DEFAULT),
        error_messages={"invalid_choice": "Choose 4, 8 or 12 weeks."},
    )
