from __future__ import annotations

from typing import Any

from django import forms

from alliance.choices import STYLE_DIMENSIONS, STYLE_TITLES, style_scale_choices
from alliance.models import AllianceApproach
from profiles.fields import PlainTextarea

STYLE_PARTS = {
    "usual": "where you usually work",
    "low": "how far you adapt, from",
    "high": "how far you adapt, to",
}
STYLE_FIELDS = [f"style_{dim}_{part}" for dim in STYLE_DIMENSIONS for part in STYLE_PARTS]


def _style_field(dimension: str, part: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=f"{STYLE_TITLES[dimension]}: {STYLE_PARTS[part]}",
        choices=[("", "Not said"), *style_scale_choices(dimension)],
        coerce=int,
        empty_value=None,
        required=False,
    )


class AllianceApproachForm(forms.ModelForm):
    class Meta:
        model = AllianceApproach
        fields = [
            "respect_trust",
            "collaboration",
            "empathy",
            "adaptability",
            "practices",
            *STYLE_FIELDS,
        ]
        labels = {
            "respect_trust": "How you build respect and trust",
            "collaboration": "How you collaborate with clients",
            "empathy": "How you show empathy",
            "adaptability": "How you adapt when something is not working",
            "practices": "Practices you follow",
        }
        help_texts = dict.fromkeys(
            ("respect_trust", "collaboration", "empathy", "adaptability"),
            "Up to 600 characters, in your own words. Shown as plain text.",
        )
        widgets = {
            name: PlainTextarea(attrs={"rows": 4})
            for name in ("respect_trust", "collaboration", "empathy", "adaptability")
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for dim in STYLE_DIMENSIONS:
            for part in STYLE_PARTS:
                self.fields[f"style_{dim}_{part}"] = _style_field(dim, part)
            self.fields[f"style_{dim}_usual"].help_text = (
                "Responders say how they want therapy to work; those whose wish falls within "
                "how far you adapt fit you fully."
                if dim == STYLE_DIMENSIONS[0]
                else ""
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for dim in STYLE_DIMENSIONS:
            names = [f"style_{dim}_{part}" for part in STYLE_PARTS]
            if any(name in self.errors for name in names):
                continue
            usual, low, high = (cleaned.get(name) for name in names)
            given = [value is not None for value in (usual, low, high)]
            if any(given) and not all(given):
                missing = names[given.index(False)]
                self.add_error(
                    missing,
                    f"Give all three for {STYLE_TITLES[dim].lower()}, or leave all three empty.",
                )
            elif all(given) and not low <= usual <= high:
                self.add_error(
                    names[0],
                    "Where you usually work must lie within how far you adapt (from, to).",
                )
        return cleaned
