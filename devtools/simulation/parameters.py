"""The simulated world's settings, with the source or reason behind each default."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from devtools.demo import SERVICE_MIX

__all__ = ["SERVICE_MIX", "WorldSettings", "settings_lines"]

# Responders' services in the world (shares): the demo's (devtools.demo.SERVICE_MIX).


@dataclass(frozen=True)
class WorldSettings:
    """Everything that shapes one simulated world; the same settings and seed, the same run."""

    seed: int = 1
    # Size: therapists listed in one state at the start, and new responders each month.
    therapists: int = 40
    responders_per_month: int = 40
    months: int = 12
    state: str = "CO"
    # A world where nothing is planted: no therapist effect on alliance, no outcome link.
    null: bool = False
    # Alliance ratings, 0 to 10: where a client's alliance sits before the ceiling, and how
    # much clients differ (the standard deviation of a client's alliance, all clients).
    rating_mean: float = 8.3
    rating_sd: float = 1.4
    # How much one check-in differs from the client's own level on each item.
    occasion_sd: float = 0.8
    # The therapist share of the variance of clients' alliance (an intraclass correlation).
    therapist_share: float = 0.07
    # How far one therapist's traits differ from their own overall level, as a share of the
    # therapists' standard deviation.
    trait_spread: float = 0.3
    # The share of therapists much better or worse with one service than with the rest.
    service_effect_share: float = 0.25
    # The correlation between a therapist's true alliance and the practices they list.
    self_description_r: float = 0.2
    # The alliance-outcome correlation, and how much steeper the therapist part of the
    # alliance predicts the outcome than the client part (slope ratio).
    alliance_outcome_r: float = 0.28
    therapist_slope_ratio: float = 3.0
    # Responders: the chance of picking the card at position k falls as pick_decay ** (k-1).
    pick_decay: float = 0.75
    checkin_answer_rate: float = 0.75
    share_rate: float = 0.15
    wellbeing_answer_rate: float = 0.8
    # Therapists: how many new clients each takes a month (drawn from this range), and the
    # chance of declining a request anyway or leaving it unanswered.
    new_clients_per_month: tuple[int, int] = (2, 6)
    decline_rate: float = 0.1
    ignore_rate: float = 0.05
    # A new therapist with a strong true alliance joins at this month (0: none).
    new_therapist_month: int = 6
    new_therapist_z: float = 2.0  # their true alliance, in therapists' standard deviations
    bootstrap_samples: int = 1000

    @property
    def therapist_sd(self) -> float:
        """The standard deviation of therapists' true alliance (rating points)."""
        return 0.0 if self.null else self.rating_sd * self.therapist_share**0.5

    @property
    def client_sd(self) -> float:
        """The standard deviation of clients' alliance around their therapist's level."""
        share = 0.0 if self.null else self.therapist_share
        return self.rating_sd * (1 - share) ** 0.5

    def with_changes(self, **changes: object) -> WorldSettings:
        return replace(self, **changes)


SOURCES: dict[str, str] = {
    "rating_mean": "client-rated alliance sits near the top of its scale, with a ceiling "
    "(e.g. WAI-SR means about 4 of 5; Hatcher & Gillaspy 2006); the demo data uses 8.3",
    "rating_sd": "assumed: about 1.4 points of 10 between clients, before the ceiling",
    "occasion_sd": "assumed: one check-in's item differs from the client's level by ~0.8",
    "therapist_share": "therapists' share of alliance variance, commonly 5-10 % "
    "(Baldwin, Wampold & Imel 2007; Baldwin & Imel 2013)",
    "trait_spread": "assumed: the four traits mostly move together (one alliance factor)",
    "service_effect_share": "assumed: some therapists fit one service better or worse",
    "self_description_r": "assumed weak: therapists rate their own alliance poorly against "
    "clients (therapist-client agreement about .36, Tryon, Blackwell & Hammel 2007), and "
    "a list of practices says less than a rating",
    "alliance_outcome_r": "alliance-outcome correlation about .28 (Flückiger et al. 2018)",
    "therapist_slope_ratio": "the therapist part of the alliance carries the outcome link "
    "more than the client part (Baldwin, Wampold & Imel 2007; Del Re et al. 2012)",
    "pick_decay": "assumed: most pick among the first few cards of their ranked list",
    "checkin_answer_rate": "assumed: a quarter of check-ins go unanswered",
}


def settings_lines(world: WorldSettings) -> list[str]:
    """The settings, one a line, each with its source where one is known."""
    lines = []
    for field in fields(world):
        value = getattr(world, field.name)
        source = SOURCES.get(field.name)
        lines.append(f"  {field.name} = {value}" + (f"  ({source})" if source else ""))
    return lines
