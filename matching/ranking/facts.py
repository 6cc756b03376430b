"""Candidate rows as the ranking's columns, all at once: a cold load of a state, or the few
therapists a write changed. Measured alliance comes from the released check-in totals."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from django.conf import settings

from alliance.aggregation import (
    FIT,
    ITEMS,
    Population,
    population_values,
    service_prior,
    shrink,
    trait_value,
)
from alliance.selectors import released_totals_rows
from matching.ranking.columns import CandidateFacts, popcount
from matching.ranking.load import COLUMN, FACT_COLUMNS
from matching.scoring.weights import UNMEASURED_TRAIT_VALUE
from profiles import choices, vocabulary
from profiles.vocabulary import STYLE_DIMENSIONS, TRAITS

IN_PERSON_BIT = vocabulary.bit_mask(["in_person"], vocabulary.FORMATS)
TELEHEALTH_BIT = vocabulary.bit_mask(["telehealth"], vocabulary.FORMATS)
GENDER_CODE = {gender: i for i, gender in enumerate(vocabulary.GENDERS)}
STATE_BIT = {member.value: 1 << i for i, member in enumerate(choices.State)}
EMPLOYED_MASK = vocabulary.bit_mask(vocabulary.AGENCY_EMPLOYED, vocabulary.AGENCY_WORK)
FITNESS_BIT = vocabulary.bit_mask(["fitness_for_duty"], vocabulary.AGENCY_EVALUATIONS)
PREEMPLOYMENT_BIT = vocabulary.bit_mask(["pre_employment"], vocabulary.AGENCY_EVALUATIONS)
PRACTICES_OF_TRAIT = tuple(
    vocabulary.bit_mask(
        [p for p, t in vocabulary.PRACTICE_TRAIT.items() if t == trait], vocabulary.PRACTICES
    )
    for trait in TRAITS
)


def measured_columns(
    ids: Sequence[int], totals: Sequence[tuple], population: Population
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The measured traits (overall and per service) and fit of each of these therapist
    ids, NaN where not measured, from released totals (rows in
    alliance.selectors.TOTALS_COLUMNS order), over whole columns at once.

    A cold load of a large state holds tens of thousands of measured therapists, so this
    calls alliance.aggregation's shrinkage, service prior and value (steps 4 to 6 there) on
    whole columns; cards call the same functions one therapist at a time, and a test keeps
    the two equal.
    """
    n = len(ids)
    traits = np.full((n, len(TRAITS)), np.nan)
    by_service = np.full((n, len(vocabulary.SERVICES), len(TRAITS)), np.nan)
    fit = np.full(n, np.nan)
    if not n or not totals:
        return traits, by_service, fit
    items = len(ITEMS)
    counts = np.array([row[2:4] for row in totals], dtype=np.float64).reshape(-1, 2)
    sums = np.array([row[4 : 4 + items] for row in totals], dtype=np.float64)
    weak = np.array([row[4 + items : 4 + 2 * items] for row in totals], dtype=np.float64)
    responders = counts[:, 1:2]
    enough = (counts[:, 0] >= settings.ALLIANCE_MIN_CHECKINS) & (
        counts[:, 1] >= settings.ALLIANCE_MIN_RESPONDERS
    )
    service = np.array([row[1] for row in totals], dtype=object)
    therapist = np.array([row[0] for row in totals], dtype=np.int64)
    # Where each totals row's therapist sits among the ids (-1 where not a candidate).
    order = np.argsort(np.asarray(ids, dtype=np.int64), kind="stable")
    sorted_ids = np.asarray(ids, dtype=np.int64)[order]
    found = np.minimum(np.searchsorted(sorted_ids, therapist), n - 1)
    at = np.where(sorted_ids[found] == therapist, order[found], -1)

    known = [item for item in ITEMS if item in population.means]
    columns = [ITEMS.index(item) for item in known]
    means = np.array([population.means[item] for item in known])
    shares = np.array([population.weak_shares[item] for item in known])
    k = np.array([population.strength(item) for item in known])
    overall = enough & (service == "") & (at >= 0)
    rating = shrink(sums[overall][:, columns], responders[overall], means, k)
    share = shrink(weak[overall][:, columns], responders[overall], shares, k)
    values = trait_value(rating, share)
    t = len(TRAITS)
    traits[at[overall]] = values[:, :t]
    if FIT in known:
        fit[at[overall]] = values[:, known.index(FIT)]
    # A service's figure: its responders, shrunk toward what the therapist's other
    # responders say (step 5). The therapist's overall sums sit at their row.
    own_sums = np.full((n, items), np.nan)
    own_weak = np.full((n, items), np.nan)
    own_n = np.full((n, 1), np.nan)
    own_sums[at[overall]], own_weak[at[overall]] = sums[overall], weak[overall]
    own_n[at[overall]] = responders[overall]
    trait_columns = columns[:t]
    for s, name in enumerate(vocabulary.SERVICES):
        rows = enough & (service == name) & (at >= 0)
        rows[rows] = ~np.isnan(own_n[at[rows], 0])
        if not rows.any():
            continue
        places = at[rows]
        n_s = responders[rows]
        prior_rating = service_prior(
            own_sums[places][:, trait_columns], own_n[places], sums[rows][:, trait_columns],
            n_s, means[:t], k[:t],
        )  # fmt: skip
        prior_share = service_prior(
            own_weak[places][:, trait_columns], own_n[places], weak[rows][:, trait_columns],
            n_s, shares[:t], k[:t],
        )  # fmt: skip
        rating_s = shrink(sums[rows][:, trait_columns], n_s, prior_rating, k[:t])
        share_s = shrink(weak[rows][:, trait_columns], n_s, prior_share, k[:t])
        by_service[places, s] = trait_value(rating_s, share_s)
    return traits, by_service, fit


def _baseline_row(population: Population) -> np.ndarray:
    """Each alliance item's value at the population's figures (traits, then fit)."""
    values = population_values(population)
    return np.array([values.get(item, UNMEASURED_TRAIT_VALUE) for item in ITEMS])


def rows_to_facts(
    rows: Sequence[tuple], population: Population, *, whole_state: str | None = None
) -> CandidateFacts:
    """Candidate rows as ranking facts, column by column: every listed candidate of
    `whole_state`, or a few therapists' rows."""
    n = len(rows)
    raw = list(zip(*rows, strict=False)) if rows else [()] * len(FACT_COLUMNS)

    def ints(name: str) -> np.ndarray:
        # Straight to int64: a mask of the 56 states needs more bits than a float holds.
        return np.array(raw[COLUMN[name]], dtype=np.int64).reshape(n)

    def optional_ints(name: str) -> np.ndarray:
        return np.array([v or 0 for v in raw[COLUMN[name]]], dtype=np.int64).reshape(n)

    def floats(name: str) -> np.ndarray:
        return np.array(raw[COLUMN[name]], dtype=np.float64).reshape(n)

    def flags(name: str) -> np.ndarray:
        return ints(name) != 0

    services, formats = ints("services"), ints("formats")
    trained = ints("trained")
    verified = ints("verified_trainings")
    agency, evaluations = ints("agency_work"), ints("agency_evaluations")

    def style(end: str) -> np.ndarray:
        columns = [
            np.array(
                [np.nan if v is None else v for v in raw[COLUMN[f"style_{d}_{end}"]]],
                dtype=np.float64,
            ).reshape(n)
            for d in STYLE_DIMENSIONS
        ]
        values = np.stack(columns, axis=-1).reshape(n, len(STYLE_DIMENSIONS))
        # Only a style described on every scale counts.
        described = ~np.isnan(values).any(axis=1)
        values[~described] = np.nan
        return values

    latitude, longitude = floats("latitude"), floats("longitude")
    practices = ints("practices")
    state_bits = np.array([STATE_BIT.get(s, 0) for s in raw[COLUMN["state"]]], dtype=np.int64)
    ids = [row[0] for row in rows]
    checkin_traits, checkin_service_traits, checkin_style = measured_columns(
        ids,
        released_totals_rows(licensed_in=whole_state)
        if whole_state is not None
        else released_totals_rows(therapist_ids=ids),
        population,
    )
    return CandidateFacts(
        ids=ints("therapist_id"),
        published=np.ones(n, dtype=bool),
        accepting=np.ones(n, dtype=bool),
        licensed_until=ints("licensed_until"),
        confirmed=floats("confirmed"),
        years_serving=optional_ints("years_serving"),
        caseload_percent=optional_ints("caseload_percent"),
        services=services,
        verified_trainings=verified,
        agency_work=agency != 0,
        agency_unemployed=(agency & ~EMPLOYED_MASK) != 0,
        ride_along_hours=ints("ride_along_hours"),
        lived_experience=flags("lived_experience"),
        works_with_retired=flags("works_with_retired"),
        fitness_evaluator=(evaluations & FITNESS_BIT) != 0,
        preemployment_evaluator=(evaluations & PREEMPLOYMENT_BIT) != 0,
        practices=np.stack([popcount(practices & mask) for mask in PRACTICES_OF_TRAIT], axis=-1)
        .astype(np.float64)
        .reshape(n, len(TRAITS)),
        checkin_traits=checkin_traits,
        checkin_service_traits=checkin_service_traits,
        style_low=style("low"),
        style_high=style("high"),
        checkin_style=checkin_style,
        baseline=np.tile(_baseline_row(population), (n, 1)),
        focus=ints("focus"),
        trained=trained,
        certified=ints("certified"),
        in_person=((formats & IN_PERSON_BIT) != 0) & ~np.isnan(latitude) & ~np.isnan(longitude),
        telehealth=((formats & TELEHEALTH_BIT) != 0)
        & ((ints("telehealth_states") & state_bits) != 0),
        latitude=latitude,
        longitude=longitude,
        languages=ints("languages"),
        hours=ints("hours"),
        reschedules=flags("reschedules"),
        payments=ints("payments"),
        carriers=ints("carriers"),
        fee_min=floats("fee_min"),
        sliding=flags("sliding"),
        gender=np.array([GENDER_CODE.get(g, -1) for g in raw[COLUMN["gender"]]], dtype=np.int64),
        intros_received=ints("intros_received"),
        intros_answered=ints("intros_answered"),
        median_answer_hours=floats("median_answer_hours"),
        open_slots=ints("open_slots"),
        pending_requests=ints("pending_requests"),
    )
