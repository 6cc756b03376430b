"""The hidden truth of a simulated world, and the answers it gives: pure Python.

A client's alliance with a therapist, on the 0 to 10 scale before the ceiling, is
    rating_mean + therapist's trait level + service effect (their service only) + client part
where the therapist levels vary with standard deviation `therapist_sd` and the client part
with `client_sd` (world.therapist_share of the variance is the therapists'). Each check-in
adds occasion noise to each item, rounds, and clips to 0..10 (the ceiling real ratings
show). The wellbeing change by the third check-in is correlated with the alliance: its
therapist part carries a slope `therapist_slope_ratio` times the client part's, scaled so
that the total correlation is world.alliance_outcome_r. The null world plants nothing.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass

from devtools.simulation.parameters import SERVICE_MIX, WorldSettings
from profiles.vocabulary import PRACTICE_TRAIT, TRAITS

ITEMS = (*TRAITS, "fit")
WELLBEING_ITEMS = ("wellbeing_overall", "wellbeing_work", "wellbeing_home", "wellbeing_sleep")
RATING_MAX = 10
WELLBEING_START_MEAN = 5.0
WELLBEING_START_SD = 1.8
WELLBEING_CHANGE_MEAN = 1.0  # points gained by the third check-in, on average
WELLBEING_CHANGE_SD = 1.5
WELLBEING_ITEM_SD = 0.8
SERVICE_EFFECT_SD = 1.5  # in therapists' standard deviations
STILL_SEEING_BASE = 0.82
STILL_SEEING_SLOPE = 0.06  # per client-alliance standard deviation: weak alliances end sooner


@dataclass(frozen=True)
class TherapistTruth:
    """One therapist's hidden alliance, in rating points above or below the mean."""

    z: float  # standardized therapist level (drawn even in the null world, for practices)
    traits: Mapping[str, float]
    service: str  # "" or the one service they are better or worse with
    service_effect: float
    practices: frozenset[str]

    def effect_for(self, service: str) -> float:
        return self.service_effect if service and service == self.service else 0.0

    @property
    def true_alliance(self) -> float:
        """The alliance an average responder of the world's service mix can expect."""
        mean = sum(self.traits.values()) / len(self.traits)
        return mean + self.service_effect * SERVICE_MIX.get(self.service, 0.0)


def planted_practices(rng: random.Random, trait_z: Mapping[str, float], r: float) -> frozenset:
    """Practices listed per trait (0 to 2), correlated `r` with the trait's true level."""
    chosen: list[str] = []
    best, best_latent = TRAITS[0], -math.inf
    for trait in TRAITS:
        latent = r * trait_z[trait] + math.sqrt(max(0.0, 1 - r * r)) * rng.gauss(0, 1)
        count = 2 if latent > 0.25 else 1 if latent > -0.85 else 0
        chosen += [p for p, t in PRACTICE_TRAIT.items() if t == trait][:count]
        if latent > best_latent:
            best, best_latent = trait, latent
    if not chosen:  # a published profile lists at least one practice
        chosen = [next(p for p, t in PRACTICE_TRAIT.items() if t == best)]
    return frozenset(chosen)


def therapist_truth(
    rng: random.Random, world: WorldSettings, *, z: float | None = None
) -> TherapistTruth:
    """Draw one therapist's hidden alliance (z: their level in standard deviations)."""
    z = rng.gauss(0, 1) if z is None else z
    trait_z = {t: z + world.trait_spread * rng.gauss(0, 1) for t in TRAITS}
    traits = {t: world.therapist_sd * trait_z[t] for t in TRAITS}
    service, effect = "", 0.0
    if rng.random() < world.service_effect_share:
        service = rng.choices(list(SERVICE_MIX), weights=list(SERVICE_MIX.values()))[0]
        effect = world.therapist_sd * SERVICE_EFFECT_SD * rng.gauss(0, 1)
    practices = planted_practices(rng, trait_z, world.self_description_r)
    return TherapistTruth(z, traits, service, effect, practices)


def outcome_weights(world: WorldSettings) -> tuple[float, float]:
    """Weights (a, c) of the standardized therapist and client parts in the outcome.

    With slopes b_t = k * b_c per standard unit of alliance and the therapist share p, the
    correlation of the client's alliance with the outcome is b_t * p + b_c * (1 - p) = r.
    """
    if world.null:
        return 0.0, 0.0
    p, k, r = world.therapist_share, world.therapist_slope_ratio, world.alliance_outcome_r
    slope_client = r / (1 + (k - 1) * p)
    return k * slope_client * math.sqrt(p), slope_client * math.sqrt(1 - p)


@dataclass(frozen=True)
class Dyad:
    """One responder with one therapist: the client part of their alliance and the outcome."""

    truth: TherapistTruth
    service: str
    client_level: float  # rating points
    outcome_z: float  # standardized wellbeing change by the third check-in
    wellbeing_start: float


def dyad_draw(
    rng: random.Random, truth: TherapistTruth, service: str, world: WorldSettings
) -> Dyad:
    client_z = rng.gauss(0, 1)
    a, c = outcome_weights(world)
    # The therapist part as this responder meets it: level and their service's effect.
    therapist_part = (
        (sum(truth.traits.values()) / len(truth.traits) + truth.effect_for(service))
        / world.therapist_sd
        if world.therapist_sd
        else 0.0
    )
    noise = math.sqrt(max(0.0, 1 - a * a - c * c))
    outcome = a * therapist_part + c * client_z + noise * rng.gauss(0, 1)
    start = rng.gauss(WELLBEING_START_MEAN, WELLBEING_START_SD)
    return Dyad(truth, service, world.client_sd * client_z, outcome, start)


def _clipped(value: float) -> int:
    return max(0, min(RATING_MAX, round(value)))


def ratings_draw(rng: random.Random, dyad: Dyad, world: WorldSettings) -> dict[str, int]:
    """One check-in's five ratings: the dyad's level plus occasion noise, rounded, clipped."""
    base = world.rating_mean + dyad.truth.effect_for(dyad.service) + dyad.client_level
    ratings = {}
    for item in ITEMS:
        trait = dyad.truth.traits.get(item, sum(dyad.truth.traits.values()) / len(TRAITS))
        ratings[item] = _clipped(base + trait + rng.gauss(0, world.occasion_sd))
    return ratings


def wellbeing_draw(rng: random.Random, dyad: Dyad, number: int) -> dict[str, int]:
    """The wellbeing answers at check-in `number`: the change is full by the third."""
    change = WELLBEING_CHANGE_MEAN + WELLBEING_CHANGE_SD * dyad.outcome_z
    level = dyad.wellbeing_start + change * min(number - 1, 2) / 2
    return {item: _clipped(level + rng.gauss(0, WELLBEING_ITEM_SD)) for item in WELLBEING_ITEMS}


def still_seeing_draw(rng: random.Random, dyad: Dyad, world: WorldSettings) -> bool:
    """Whether they still meet: a little less likely the weaker the client's alliance."""
    therapist = sum(dyad.truth.traits.values()) / len(TRAITS) + dyad.truth.effect_for(dyad.service)
    z = (therapist + dyad.client_level) / world.rating_sd
    chance = min(0.97, max(0.5, STILL_SEEING_BASE + STILL_SEEING_SLOPE * z))
    return rng.random() < chance


def alliance_of(ratings: Mapping[str, int]) -> float:
    """The alliance of one check-in: the mean of its four trait ratings."""
    return sum(ratings[t] for t in TRAITS) / len(TRAITS)
