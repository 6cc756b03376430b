"""The ranked list's filters, kept in the URL, over the responder's saved answers."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from matching.intake import (
    TRAVEL_MILES_MAX,
    Intake,
)
from profiles import choices


class RefineForm(forms.Form):
    """Filters on the ranked list, kept in the URL; they never hold a responder's concerns."""

    format = forms.ChoiceField(
        label="Meeting",
        choices=choices.FormatPreference.choices,
        widget=forms.RadioSelect,
    )
    miles = forms.IntegerField(
        label="Distance for in-person meetings, in miles",
        min_value=1,
        max_value=TRAVEL_MILES_MAX,
    )
    language_only = forms.BooleanField(
        label="Only therapists who speak a language I chose", required=False
    )
    gender_only = forms.BooleanField(label="Only the therapist gender I chose", required=False)
    hours_only = forms.BooleanField(label="Only therapists with times I can meet", required=False)
    payment_only = forms.BooleanField(label="Only therapists I can pay my way", required=False)
    no_fitness_evaluators = forms.BooleanField(
        label="Leave out therapists who evaluate fitness for duty", required=False
    )
    no_preemployment_evaluators = forms.BooleanField(
        label="Leave out therapists who do pre-employment screening", required=False
    )

    @classmethod
    def for_request(cls, data: Any, intake: Intake) -> RefineForm:
        """Filters from the URL when it has them, else from the saved answers."""
        if "format" in data:
            return cls(data)
        return cls(
            initial={
                "format": intake.format_preference,
                "miles": intake.travel_miles,
                "language_only": intake.language_required,
                "gender_only": intake.gender_required,
                "hours_only": intake.hours_required,
                "payment_only": intake.payment_required,
                "no_fitness_evaluators": intake.avoid_fitness_evaluators,
                "no_preemployment_evaluators": intake.avoid_preemployment_evaluators,
            }
        )

    def refined(self, intake: Intake) -> Intake:
        """The answers with this page's filters applied; filters that are not valid are not."""
        if not self.is_bound or not self.is_valid():
            return intake
        data = self.cleaned_data
        return intake.updated(
            format_preference=data["format"],
            travel_miles=data["miles"],
            language_required=data["language_only"],
            gender_required=data["gender_only"],
            hours_required=data["hours_only"],
            payment_required=data["payment_only"],
            avoid_fitness_evaluators=data["no_fitness_evaluators"],
            avoid_preemployment_evaluators=data["no_preemployment_evaluators"],
        )

    def rendered(self) -> SafeString:
        """The form's HTML; the same filters render the same, so it is kept for reuse."""
        if self.is_bound:
            key = tuple((name, tuple(self.data.getlist(name))) for name in self.fields)
            return _rendered_refine_form(True, key)
        return _rendered_refine_form(False, tuple(sorted(self.initial.items())))

    def query_string(self, **extra: object) -> str:
        """The URL query for these filters (valid ones only), plus extra parameters."""
        params: dict[str, object] = {}
        if self.is_bound and self.is_valid():
            data = self.cleaned_data
            params = {"format": data["format"], "miles": data["miles"]}
            params.update({key: "on" for key in REFINE_MUSTS if data[key]})
        params.update(extra)
        return urlencode(params)


# The Refine form's "only" boxes, and the answer each one stands for.
REFINE_MUSTS = {
    "language_only": "language_required",
    "gender_only": "gender_required",
    "hours_only": "hours_required",
    "payment_only": "payment_required",
    "no_fitness_evaluators": "avoid_fitness_evaluators",
    "no_preemployment_evaluators": "avoid_preemployment_evaluators",
}


def refine_query(intake: Intake, **changes: Any) -> str:
    """The URL query that shows the list for these answers with some filters changed.

    Every filter is written out, so a link that changes one keeps all the others.
    """
    values = {
        "format": intake.format_preference,
        "miles": intake.travel_miles,
        **{key: getattr(intake, answer) for key, answer in REFINE_MUSTS.items()},
        **changes,
    }
    params = {"format": values["format"], "miles": values["miles"]}
    params.update({key: "on" for key in REFINE_MUSTS if values[key]})
    return urlencode(params)


REFINE_FORMS_KEPT = 512


@lru_cache(maxsize=REFINE_FORMS_KEPT)
def _rendered_refine_form(bound: bool, values: tuple) -> SafeString:
    if bound:
        data = QueryDict(mutable=True)
        for name, items in values:
            data.setlist(name, list(items))
        return RefineForm(data).render()
    return RefineForm(initial=dict(values)).render()
