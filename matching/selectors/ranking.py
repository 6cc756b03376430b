"""The ranked list: candidates per state kept in each process as columns, and kept current.

Each web process keeps, for every state it has served, the state's candidates as numpy
columns (matching/ranking.py). A cold load reads a state's candidates in one set-based
query, and their released check-in totals in a second (matching/selectors/candidates.py).
The process also holds the population of all check-ins that measured alliance is shrunk
toward, and reads it again when the feed says it may have moved (LoadedStates). After
that, a write costs the ranking only what it
changed: database triggers append the changed therapist's id to a change feed
(matching.models.RankingChange), and on each request the process reads, in one cheap query,
the feed rows it has not seen yet, re-reads only those therapists (one query for all the
states it holds) and patches their rows. A sign-in, a session or an audit entry appends
nothing, and a write in one state leaves the other states' columns as they are.

Which rows are new: on SQLite writers take turns, so the feed's sequence grows in commit
order and "seq above the last one seen" is enough. On PostgreSQL a row with a lower number
can commit after one with a higher number, so the process also remembers its last snapshot
(the transactions then still running, and the first id not yet started) and asks again for
rows from those transactions and from later ones.

The rules that move with the clock (license expiry, how recently a profile was confirmed)
are applied to the columns on every request, so no write is needed when a license expires.
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone

from alliance.aggregation import Population, population_moved
from alliance.selectors import alliance_population
from matching.intake import Intake
from matching.models import RankingChange
from matching.ranking import StateIndex, build_columns, index_patched, rank_top
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
from matching.selectors.candidates import (
    REFRESH_MAX_THERAPISTS,
    CardFacts,
    candidate_rows,
    page_candidates,
    rows_to_facts,
)
from profiles.geo import zip_place
from profiles.selectors import confirmation_cutoff

PAGE_SIZE = 10
# The feed keeps RANKING_CHANGES_KEPT_HOURS of changes; a process idle for a good part of
# that reads its states again rather than trust an old position.
RELOAD_AFTER_IDLE_SECONDS = 6 * 60 * 60


@dataclass(frozen=True)
class FeedPosition:
    """What this process has seen of the change feed."""

    last_seq: int
    # PostgreSQL only: the snapshot of the last look (first transaction id not yet started,
    # and those then running), whose rows may commit after rows with higher numbers.
    next_txid: int | None = None
    running_txids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Changes:
    position: FeedPosition
    therapist_ids: frozenset[int]
    everything: bool
    # Some therapist's released check-in totals over all services changed: the population
    # that measured alliances are shrunk toward may have moved.
    population: bool = False


def _snapshot(text: str) -> tuple[int, tuple[int, ...]]:
    """The next transaction id and the running ones, from PostgreSQL's 'xmin:xmax:xip'."""
    _, xmax, running = text.split(":")
    return int(xmax), tuple(int(x) for x in running.split(",") if x)


def changes_since(position: FeedPosition | None) -> Changes:
    """The therapists changed since the position (none on a first look), in one query."""
    # Table names come from the models, never from input; values go as parameters.
    table = RankingChange._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if position is None:
                cursor.execute(
                    f"SELECT pg_current_snapshot()::text, COALESCE(MAX(seq), 0) FROM {table}"  # noqa: S608
                )
                snapshot, last_seq = cursor.fetchone()
                next_txid, running = _snapshot(snapshot)
                return Changes(FeedPosition(last_seq, next_txid, running), frozenset(), False)
            cursor.execute(
                f"SELECT 0, pg_current_snapshot()::text, NULL, NULL UNION ALL "  # noqa: S608
                f"SELECT seq, NULL, therapist_id, population FROM {table} "
                "WHERE seq > %s OR txid >= %s::xid8 OR txid = ANY(%s::xid8[])",
                [
                    position.last_seq,
                    str(position.next_txid),
                    "{" + ",".join(str(x) for x in position.running_txids) + "}",
                ],
            )
            rows = cursor.fetchall()
            snapshot = next(text for seq, text, _, _ in rows if seq == 0)
            changed = [row[:1] + row[2:] for row in rows if row[0] != 0]
            next_txid, running = _snapshot(snapshot)
        else:
            if position is None:
                cursor.execute(f"SELECT COALESCE(MAX(seq), 0) FROM {table}")  # noqa: S608
                return Changes(FeedPosition(cursor.fetchone()[0]), frozenset(), False)
            cursor.execute(
                f"SELECT seq, therapist_id, population FROM {table} WHERE seq > %s",  # noqa: S608
                [position.last_seq],
            )
            changed = cursor.fetchall()
            next_txid, running = None, ()
    last_seq = max([position.last_seq, *(seq for seq, _, _ in changed)])
    return Changes(
        position=FeedPosition(last_seq, next_txid, running),
        therapist_ids=frozenset(t for _, t, _ in changed if t is not None),
        everything=any(t is None for _, t, _ in changed),
        population=any(bool(population) for _, _, population in changed),
    )


@contextmanager
def _collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a state loads.

    A load makes one tuple per candidate, none of them in a reference cycle, and so many new
    objects set off collections of the whole process (every module, template and object it
    holds) in the middle of the load: they doubled its CPU time, unpredictably. Reference
    counting still frees everything at once; the collector runs again afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_state(
    state: str, *, now: dt.datetime | None = None, population: Population | None = None
) -> StateIndex:
    """Read one state's candidates from the database: one query, and one for the measured
    alliance of those with enough check-ins (and one for the population unless given)."""
    now = now or timezone.now()
    population = population if population is not None else alliance_population()
    with _collection_paused():
        rows = candidate_rows(
            states=[state],
            today=timezone.localdate(now),
            confirmed_since=confirmation_cutoff(now=now),
        )
        return build_columns(rows_to_facts(rows, population, whole_state=state))


def _refreshed(
    loaded: dict[str, StateIndex],
    therapist_ids: frozenset[int],
    *,
    now: dt.datetime,
    population: Population,
) -> dict[str, StateIndex]:
    """The loaded states with the given therapists read again, in one query for all."""
    rows = candidate_rows(
        states=sorted(loaded),
        therapist_ids=sorted(therapist_ids),
        today=timezone.localdate(now),
        confirmed_since=confirmation_cutoff(now=now),
    )
    by_state: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        by_state[row[1]].append(row)
    result = dict(loaded)
    changed = set(therapist_ids)
    for state, index in loaded.items():
        fresh_rows = by_state.get(state, [])
        if not fresh_rows and not any(t in index.position for t in changed):
            continue  # nobody changed here
        fresh = build_columns(rows_to_facts(fresh_rows, population))
        result[state] = index_patched(index, changed=changed, fresh=fresh)
    return result


class LoadedStates:
    """The states one process holds, where it is in the change feed, and the population of
    released check-ins that the measured alliance in its columns was shrunk toward."""

    def __init__(self) -> None:
        self._states: dict[str, StateIndex] = {}
        self._population: Population | None = None
        self._position: FeedPosition | None = None
        self._looked_at = 0.0
        self._lock = threading.Lock()

    def _drop(self) -> None:
        self._states, self._population = {}, None

    def _held_population(self) -> Population:
        if self._population is None:
            self._population = alliance_population()
        return self._population

    def _catch_up(self, now: dt.datetime) -> None:
        """Apply the changes since the last look (call with the lock held)."""
        idle = time.monotonic() - self._looked_at > RELOAD_AFTER_IDLE_SECONDS
        changes = changes_since(None if idle else self._position)
        self._position, self._looked_at = changes.position, time.monotonic()
        if idle or changes.everything or len(changes.therapist_ids) > REFRESH_MAX_THERAPISTS:
            self._drop()
            return
        if changes.population and self._population is not None:
            population = alliance_population()
            if population_moved(self._population, population):
                # Every measured therapist's columns move with it: read the states again.
                self._drop()
                self._population = population
                return
        if changes.therapist_ids and self._states:
            self._states = _refreshed(
                self._states,
                changes.therapist_ids,
                now=now,
                population=self._held_population(),
            )

    def current(self, state: str) -> tuple[StateIndex, Population]:
        """This state's candidates as columns, current with every committed write, and the
        population their measured alliance was shrunk toward."""
        now = timezone.now()
        with self._lock:
            # Look first, then load: a state read after the look misses nothing that the
            # next look will not bring.
            self._catch_up(now)
            population = self._held_population()
            index = self._states.get(state)
            if index is None:
                index = load_state(state, now=now, population=population)
                self._states[state] = index
        return index, population

    def state(self, state: str) -> StateIndex:
        return self.current(state)[0]

    def population(self) -> Population:
        """The population this process shrinks measured alliance toward, kept current."""
        with self._lock:
            self._catch_up(timezone.now())
            return self._held_population()

    def held(self) -> dict[str, StateIndex]:
        """Every state held now (the benchmark reports their memory)."""
        with self._lock:
            return dict(self._states)

    def forget(self) -> None:
        with self._lock:
            self._drop()
            self._position = None


# This process's states.
_process_states = LoadedStates()


def loaded_state(state: str) -> StateIndex:
    """This state's candidates as columns, current with every committed write."""
    return _process_states.state(state)


def loaded_states() -> dict[str, StateIndex]:
    """Every state this process holds."""
    return _process_states.held()


def forget_loaded_states() -> None:
    """Drop every state's loaded candidates (tests use this between cases)."""
    _process_states.forget()


def seeker_from(intake: Intake, *, tie_seed: int = 0) -> Seeker:
    """The responder's answers as the scoring module reads them."""
    place = zip_place(intake.zip_code) if intake.zip_code else None
    return Seeker(
        state=intake.state,
        service=intake.service,
        service_status=intake.service_status,
        latitude=place.latitude if place else None,
        longitude=place.longitude if place else None,
        travel_miles=intake.travel_miles,
        format_preference=intake.format_preference,
        concerns=intake.concerns,
        methods_wanted=intake.methods_wanted,
        methods_avoided=intake.methods_avoided,
        therapist_gender=intake.therapist_gender,
        gender_required=intake.gender_required,
        languages=intake.languages,
        language_required=intake.language_required,
        hours=intake.hours,
        hours_required=intake.hours_required,
        payment_methods=intake.payment_methods,
        insurance_carrier=intake.insurance_carrier,
        self_pay_budget_dollars=intake.self_pay_budget_dollars,
        payment_required=intake.payment_required,
        avoid_fitness_evaluators=intake.avoid_fitness_evaluators,
        avoid_preemployment_evaluators=intake.avoid_preemployment_evaluators,
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
    index, population = (states or _process_states).current(seeker.state)
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
    # The page's therapists, fresh: their reasons and card facts from one query.
    fresh = page_candidates(
        state=seeker.state,
        therapist_ids=shown,
        today=timezone.localdate(now),
        confirmed_since=confirmation_cutoff(now=now),
        population=population,
    )
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
                lines=card_lines(seeker, candidate),
            )
        )
    return RankedPage(
        cards=tuple(cards),
        total_count=eligible,
        page_number=page_number,
        page_count=page_count,
    )


def match_for_therapist(
    *, seeker: Seeker, therapist_id: int
) -> tuple[Score | None, CardLines | None]:
    """The therapist's score and reasons for this responder (None when not eligible), and
    where, cost and what does not fit (None when not listed in the responder's state)."""
    now = timezone.now()
    fresh = page_candidates(
        state=seeker.state,
        therapist_ids=[therapist_id],
        today=timezone.localdate(now),
        confirmed_since=confirmation_cutoff(now=now),
        population=_process_states.population(),
    )
    if therapist_id not in fresh:
        return None, None
    candidate, _ = fresh[therapist_id]
    rules = current_rules(now)
    lines = card_lines(seeker, candidate)
    if not is_eligible(seeker, candidate, rules):
        return None, lines
    return score(seeker, candidate, rules), lines


def score_for_therapist(*, seeker: Seeker, therapist_id: int) -> Score | None:
    """The therapist's score and reasons for this responder; None when not eligible."""
    return match_for_therapist(seeker=seeker, therapist_id=therapist_id)[0]
