from __future__ import annotations

from django.db import models

from alliance.choices import Practice, Trait
from profiles.fields import ChoiceSetField

STATEMENT_MAX_CHARS = 600


class AllianceApproach(models.Model):
    """How a therapist builds the alliance, in their own words and as structured practices."""

    therapist = models.OneToOneField(
        "profiles.TherapistProfile", on_delete=models.CASCADE, related_name="alliance_approach"
    )
    respect_trust = models.TextField(
        "Respect and trust", max_length=STATEMENT_MAX_CHARS, blank=True
    )
    collaboration = models.TextField("Collaboration", max_length=STATEMENT_MAX_CHARS, blank=True)
    empathy = models.TextField("Empathy", max_length=STATEMENT_MAX_CHARS, blank=True)
    adaptability = models.TextField("Adaptability", max_length=STATEMENT_MAX_CHARS, blank=True)
    practices = ChoiceSetField(of=Practice)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Alliance approach of {self.therapist_id}"

    def statement(self, trait: str) -> str:
        return getattr(self, Trait(trait).value)

    @property
    def missing_traits(self) -> list[str]:
        return [trait.label for trait in Trait if not self.statement(trait).strip()]
