"""The ranked list as pages show it: one responder's page of cards, or one therapist's score.

The states' columns come from this process's feed-kept states (matching/ranking/feed.py);
the therapists shown are read fresh and scored one by one for their reasons.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from django.conf import settings
from django.utils import timezone

from matching.intake import Intake
from matching.ranking.feed import LoadedStates, process_states
from matching.ranking.kernels import any_with_room, rank_top
from matching.ranking.page import CardFacts, page_candidates
from matching.scoring import (
    CardLines,
    Rules,
    Score,
    Seeker,
    card_lines,
    ceilings,
    is_eligible,
    score,
)
from profiles.geo import zip_place

PAGE_SIZE = 10
# The intake's answers the score reads under the same name; the others are said here.
INTAKE_ANSWERS = frozenset(f.name for f in fields(Intake)) - {"importance"}
INTAKE_NOT_SCORED = frozenset({"zip_code", "style_lead", "style_focus", "style_pace", "style_tone"})


def seeker_from(intake: Intake, *, tie_seed: int = 0) -> Seeker:
    """The responder's answers as the scoring module reads them.

    Every answer the two share by name is carried over as it is (a test fails when the
    intake gains an answer the score neither reads nor names as ignored); the ZIP code
    becomes a place, and the style scales one mapping.
    """
    place = zip_place(intake.zip_code) if intake.zip_code else None
    shared = {f.name: getattr(intake, f.name) for f in fields(Seeker) if f.name in INTAKE_ANSWERS}
    return Seeker(
        **shared,
        latitude=place.latitude if place else None,
        longitude=place.longitude if place else None,
        importance=dict(intake.importance),
        style=intake.style,
        tie_seed=tie_seed,
    )


def current_rules(now: dt.datetime | None = None) -> Rules:
    now = now or timezone.now()
    return Rules(
        now_epoch=now.timestamp(),
        today_ordinal=timezone.localdate(now).toordinal(),
        confirmation_max_age_days=settings.PROFILE_CONFIRMATION_MAX_AGE_DAYS,
        pending_requests_per_opening=settings.PENDING_REQUESTS_PER_OPENING,
    )


@dataclass(frozen=True)
class RankedCard:
    position: int
    facts: CardFacts
    score: Score
    lines: CardLines

    @property
    def score_rounded(self) -> int:
        return round(self.score.total)


@dataclass(frozen=True)
class RankedPage:
    cards: tuple[RankedCard, ...]
    total_count: int
    page_number: int
    page_count: int

    @property
    def has_previous(self) -> bool:
        return self.page_number > 1

    @property
    def has_next(self) -> bool:
        return self.page_number < self.page_count

    @property
    def first_position(self) -> int:
        return (self.page_number - 1) * PAGE_SIZE + 1 if self.cards else 0

    @property
    def last_position(self) -> int:
        return self.first_position + len(self.cards) - 1 if self.cards else 0


def ranked_page(
    *,
    seeker: Seeker,
    page_number: int = 1,
    states: LoadedStates | None = None,
    exclude_therapist_id: int | None = None,
) -> RankedPage:
    """One page of the ranked list, each card with its score and every reason; a re-match
    after a weak check-in leaves that therapist out."""
    held = states or process_states
    index, population = held.current(seeker.state)
    now = timezone.now()
    rules = current_rules(now)
    top, _, eligible = rank_top(
        index,
        seeker,
        rules,
        count=max(1, page_number) * PAGE_SIZE,
        exclude=frozenset({exclude_therapist_id} if exclude_therapist_id else ()),
    )
    page_count = max(1, -(-eligible // PAGE_SIZE))
    page_number = max(1, min(page_number, page_count))
    start = (page_number - 1) * PAGE_SIZE
    shown = top[start : start + PAGE_SIZE].tolist()
    # The page's therapists: their reasons and card facts, as current as the columns (kept
    # until the feed says they changed; the rest read in one query).
    fresh = held.page_cards(seeker.state, shown, now=now, population=population)
    ceiling = ceilings(seeker, rules)
    cards = []
    for offset, therapist_id in enumerate(shown):
        if therapist_id not in fresh:
            continue  # changed a moment ago; the next request will not rank them
        candidate, facts = fresh[therapist_id]
        cards.append(
            RankedCard(
                position=start + offset + 1,
                facts=facts,
                score=score(seeker, candidate, rules, ceiling=ceiling),
                lines=card_lines(seeker, candidate, rules),
            )
        )
    return RankedPage(
        cards=tuple(cards),
        total_count=eligible,
        page_number=page_number,
        page_count=page_count,
    )


def list_has_room(*, seeker: Seeker) -> bool:
    """Whether any therapist on this responder's list (their filters applied) has room now."""
    index, _ = process_states.current(seeker.state)
    return any_with_room(index, seeker, current_rules())


def match_for_therapist(
    *, seeker: Seeker, therapist_id: int
) -> tuple[Score | None, CardLines | None]:
    """The therapist's score and reasons for this responder (None when not eligible), and
    where, cost and what does not fit (None when not listed in the responder's state)."""
    now = timezone.now()
    fresh = page_candidates(
        state=seeker.state,
        therapist_ids=[therapist_id],
        now=now,
        population=process_states.population(),
    )
    if therapist_id not in fresh:
        return None, None
    candidate, _ = fresh[therapist_id]
    rules = current_rules(now)
    lines = card_lines(seeker, candidate, rules)
    if not is_eligible(seeker, candidate, rules):
        return None, lines
    return score(seeker, candidate, rules), lines
