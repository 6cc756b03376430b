from __future__ import annotations

from django import forms

from alliance.models import AllianceApproach
from profiles.fields import PlainTextarea


class AllianceApproachForm(forms.ModelForm):
    class Meta:
        model = AllianceApproach
        fields = ["respect_trust", "collaboration", "empathy", "adaptability", "practices"]
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
