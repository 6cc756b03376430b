"""The states one process holds as columns, kept current through the change feed.

Each web process keeps, for every state it has served, the state's candidates as numpy
columns (columns.py). A cold load reads a state's candidates in one set-based query, and
their released check-in totals in a second (load.py).
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

The cards of the therapists pages show (their scoring candidates with every reason, and
their card facts) are kept the same way: read once, let go when the feed names the
therapist or the states are read again, so a page whose therapists did not change reads
nothing but the feed.
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from alliance.aggregation import Population, population_moved
from alliance.selectors import alliance_population
from matching.models import RankingChange
from matching.ranking.columns import StateIndex, build_columns, index_patched
from matching.ranking.facts import rows_to_facts
from matching.ranking.load import REFRESH_MAX_THERAPISTS, candidate_rows
from matching.ranking.page import CardFacts, page_candidates
from matching.scoring.types import Candidate

# Therapists whose page cards a process keeps (the most recently shown): a few megabytes.
CARDS_KEPT = 5_000
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
        rows = candidate_rows(states=[state], now=now)
        return build_columns(rows_to_facts(rows, population, whole_state=state))


def _refreshed(
    loaded: dict[str, StateIndex],
    therapist_ids: frozenset[int],
    *,
    now: dt.datetime,
    population: Population,
) -> dict[str, StateIndex]:
    """The loaded states with the given therapists read again, in one query for all."""
    rows = candidate_rows(states=sorted(loaded), therapist_ids=sorted(therapist_ids), now=now)
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
    released check-ins that the measured alliance in its columns was shrunk toward.

    It also keeps the scoring candidates and card facts of the therapists pages showed
    lately (at most CARDS_KEPT therapists): read once, then kept until the feed says the
    therapist changed, or the states are read again. A page reads only those not kept.
    """

    def __init__(self) -> None:
        self._states: dict[str, StateIndex] = {}
        self._population: Population | None = None
        self._position: FeedPosition | None = None
        self._looked_at = 0.0
        self._lock = threading.Lock()
        self._cards: OrderedDict[int, dict[str, tuple[Candidate, CardFacts]]] = OrderedDict()
        # Moves whenever kept cards are let go: a card read before may not be kept after.
        self._generation = 0

    def _drop(self) -> None:
        self._states, self._population = {}, None
        self._cards_forget(None)

    def _cards_forget(self, therapist_ids: frozenset[int] | None) -> None:
        """Let go of the kept cards of these therapists (None: of everyone)."""
        self._generation += 1
        if therapist_ids is None:
            self._cards.clear()
            return
        for therapist_id in therapist_ids:
            self._cards.pop(therapist_id, None)

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
        if changes.therapist_ids:
            self._cards_forget(changes.therapist_ids)
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

    def page_cards(
        self, state: str, therapist_ids: Sequence[int], *, now: dt.datetime, population: Population
    ) -> dict[int, tuple[Candidate, CardFacts]]:
        """The scoring candidates and card facts of the therapists a page shows in a state:
        those kept since the feed last changed them, the rest read in one query (and kept).

        Call after current(), which looks at the feed. A card read while another request
        let cards go (the generation moved) is used but not kept: it may predate a change.
        """
        with self._lock:
            kept = {}
            for therapist_id in therapist_ids:
                entry = self._cards.get(therapist_id, {}).get(state)
                if entry is not None:
                    kept[therapist_id] = entry
                    self._cards.move_to_end(therapist_id)
            generation = self._generation
        missing = [t for t in therapist_ids if t not in kept]
        if not missing:
            return kept
        fresh = page_candidates(state=state, therapist_ids=missing, now=now, population=population)
        with self._lock:
            if generation == self._generation and population is self._population:
                for therapist_id, entry in fresh.items():
                    self._cards.setdefault(therapist_id, {})[state] = entry
                    self._cards.move_to_end(therapist_id)
                while len(self._cards) > CARDS_KEPT:
                    self._cards.popitem(last=False)
        return {**kept, **fresh}

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
process_states = LoadedStates()


def forget_loaded_states() -> None:
    """Drop every state's loaded candidates (tests use this between cases)."""
    process_states.forget()
