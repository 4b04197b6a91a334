"""Scheduling the meetings of a matchmaking event (对接活动) into time slots and tables. Pure Python, no Django.

    result = schedule(pairs, slot_count=9, tables=10, fixed={key: (slot, table)})

A pair is two parties (organizations) that should meet, with a score. The result places each pair in a
slot (0-based) and at a table (1-based: 桌号 as printed on the table card), or reports it unscheduled with
the reason. Invariants (tests/market/test_events_scheduling.py checks each with hypothesis):

* no party is in two meetings of the same slot, and no table is used twice in a slot;
* every placement lies in the grid: 0 ≤ slot < slot_count, 1 ≤ table ≤ tables;
* every pair is either placed or reported unscheduled, exactly once: nothing is dropped silently;
* higher scores first: a pair is left out only if, in every slot, one of its parties already meets in a
  pair scored at least as high, or every table is taken by such pairs (greedy in score order, so a
  lower-scored pair never takes the place of a higher-scored one);
* spread: of the slots where a pair fits, the one where neither party has a meeting just before or
  just after is preferred (people need a moment to walk to the next table, and an organization with
  four meetings in nine slots gets slots 0, 2, 4, 6 rather than 0–3), then the least used slot, then the
  earliest; at its table, a party that already sits somewhere keeps its table when it is free;
* `fixed` placements (meetings whose outcome is recorded: they took place) stay where they are and are
  placed before everything else; fixed placements that clash with each other raise ValueError.

The same input gives the same output: ties are broken by the order of `pairs`.
"""

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

# Why a pair was left out.
PARTIES_BUSY = "parties_busy"  # in every slot one of the two parties already has a meeting
NO_TABLE = "no_table"  # in some slot both parties were free, but every table was taken


@dataclass(frozen=True)
class Pair:
    """Two parties to meet: `key` identifies the pair to the caller (e.g. (demand_id, achievement_id))."""

    key: Hashable
    parties: tuple[Hashable, Hashable]
    score: float = 0.0


@dataclass(frozen=True)
class Placement:
    key: Hashable
    slot: int
    table: int


@dataclass(frozen=True)
class Unscheduled:
    pair: Pair
    reason: str


@dataclass(frozen=True)
class Schedule:
    """Placements in (slot, table) order and the pairs left out, highest score first."""

    placements: tuple[Placement, ...]
    unscheduled: tuple[Unscheduled, ...]

    def place_of(self) -> dict[Hashable, tuple[int, int]]:
        return {p.key: (p.slot, p.table) for p in self.placements}


class _Grid:
    """Who sits where while the schedule is built."""

    def __init__(self, slot_count: int, tables: int):
        self.slot_count = slot_count
        self.tables = tables
        self.tables_used: list[set[int]] = [set() for _ in range(slot_count)]
        self.busy: dict[Hashable, set[int]] = defaultdict(set)  # party → slots
        self.home: dict[Hashable, int] = {}  # party → the table it first sat at

    def free_slots(self, parties) -> tuple[list[int], bool]:
        """Slots where both parties are free and a table is left; and whether any slot had both free."""
        slots, parties_free_somewhere = [], False
        for slot in range(self.slot_count):
            if any(slot in self.busy[p] for p in parties):
                continue
            parties_free_somewhere = True
            if len(self.tables_used[slot]) < self.tables:
                slots.append(slot)
        return slots, parties_free_somewhere

    def adjacent(self, parties, slot: int) -> int:
        return sum((slot - 1 in self.busy[p]) + (slot + 1 in self.busy[p]) for p in parties)

    def table_for(self, parties, slot: int) -> int:
        used = self.tables_used[slot]
        # The supply side (the second party) is the one visitors come to: its table first.
        for party in reversed(parties):
            table = self.home.get(party)
            if table is not None and table not in used:
                return table
        return next(t for t in range(1, self.tables + 1) if t not in used)

    def take(self, parties, slot: int, table: int) -> None:
        self.tables_used[slot].add(table)
        for party in parties:
            self.busy[party].add(slot)
            self.home.setdefault(party, table)


def schedule(
    pairs: Iterable[Pair],
    slot_count: int,
    tables: int,
    *,
    fixed: Mapping[Hashable, tuple[int, int]] | None = None,
) -> Schedule:
    """Place `pairs` into `slot_count` slots of `tables` tables each; see the module docstring."""
    pairs = list(pairs)
    fixed = dict(fixed or {})
    if slot_count < 0 or tables < 0:
        raise ValueError("slot_count and tables must not be negative")
    keys = [pair.key for pair in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("pair keys must be unique")
    for pair in pairs:
        if len(pair.parties) != 2 or pair.parties[0] == pair.parties[1]:
            raise ValueError(f"pair {pair.key!r} must have two different parties")
    unknown = set(fixed) - set(keys)
    if unknown:
        raise ValueError(f"fixed placements of unknown pairs: {sorted(map(repr, unknown))}")

    grid = _Grid(slot_count, tables)
    placements: list[Placement] = []
    by_key = {pair.key: pair for pair in pairs}
    for key, (slot, table) in fixed.items():
        parties = by_key[key].parties
        if not (0 <= slot < slot_count and 1 <= table <= tables):
            raise ValueError(f"fixed placement of {key!r} lies outside the grid")
        if table in grid.tables_used[slot]:
            raise ValueError(f"fixed placements share table {table} in slot {slot}")
        if any(slot in grid.busy[p] for p in parties):
            raise ValueError(f"fixed placement of {key!r} double-books a party in slot {slot}")
        grid.take(parties, slot, table)
        placements.append(Placement(key, slot, table))

    unscheduled: list[Unscheduled] = []
    # sorted() is stable: equal scores keep the caller's order.
    for pair in sorted((p for p in pairs if p.key not in fixed), key=lambda p: -p.score):
        slots, parties_free_somewhere = grid.free_slots(pair.parties)
        if not slots:
            unscheduled.append(Unscheduled(pair, NO_TABLE if parties_free_somewhere else PARTIES_BUSY))
            continue
        slot = min(slots, key=lambda s: (grid.adjacent(pair.parties, s), len(grid.tables_used[s]), s))
        table = grid.table_for(pair.parties, slot)
        grid.take(pair.parties, slot, table)
        placements.append(Placement(pair.key, slot, table))

    placements.sort(key=lambda p: (p.slot, p.table))
    return Schedule(placements=tuple(placements), unscheduled=tuple(unscheduled))
