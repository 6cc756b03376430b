from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from alliance.choices import STYLE_DIMENSIONS, Practice, Trait
from profiles.fields import ChoiceSetField

STATEMENT_MAX_CHARS = 600
STYLE_POINTS = (1, 5)


def _style_point() -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(STYLE_POINTS[0]), MaxValueValidator(STYLE_POINTS[1])],
    )


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
    # How they work (alliance.choices.STYLE_POLES): where they usually sit on each scale,
    # and how far they adapt (low to high). All empty until the therapist describes it.
    style_lead_usual = _style_point()
    style_lead_low = _style_point()
    style_lead_high = _style_point()
    style_focus_usual = _style_point()
    style_focus_low = _style_point()
    style_focus_high = _style_point()
    style_pace_usual = _style_point()
    style_pace_low = _style_point()
    style_pace_high = _style_point()
    style_tone_usual = _style_point()
    style_tone_low = _style_point()
    style_tone_high = _style_point()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Alliance approach of {self.therapist_id}"

    def statement(self, trait: str) -> str:
        return getattr(self, Trait(trait).value)

    def style(self, dimension: str) -> tuple[int, int, int] | None:
        """(usual, low, high) on one scale, or None when not described."""
        values = tuple(
            getattr(self, f"style_{dimension}_{part}") for part in ("usual", "low", "high")
        )
        return None if None in values else values

    @property
    def style_ranges(self) -> dict[str, tuple[int, int]] | None:
        """How far they adapt on every scale; None unless all four are described."""
        styles = {dim: self.style(dim) for dim in STYLE_DIMENSIONS}
        if any(value is None for value in styles.values()):
            return None
        return {dim: (value[1], value[2]) for dim, value in styles.items()}

    @property
    def missing_traits(self) -> list[str]:
        return [trait.label for trait in Trait if not self.statement(trait).strip()]
