"""The meeting scheduler of matchmaking events (issue 5 item 5), pure: no database.

Properties from the module's docstring: nobody double-booked, no table used twice, everything in the grid,
every pair placed or reported, higher scores preferred, an organization's meetings spread, fixed
placements kept."""

from collections import Counter, defaultdict

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from kechuang.market.scheduling import NO_TABLE, PARTIES_BUSY, Pair, schedule

ORGS = [f"o{i}" for i in range(8)]


@st.composite
def inputs(draw):
    n = draw(st.integers(0, 30))
    pairs = []
    for key in range(n):
        a, b = draw(st.lists(st.sampled_from(ORGS), min_size=2, max_size=2, unique=True))
        score = draw(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.5, 0.75, 0.9, 1.0]))
        pairs.append(Pair(key=key, parties=(a, b), score=score))
    return pairs, draw(st.integers(0, 6)), draw(st.integers(0, 4))


def check_invariants(pairs, slot_count, tables, result):
    by_key = {p.key: p for p in pairs}
    placed = [p.key for p in result.placements]
    left = [u.pair.key for u in result.unscheduled]
    # Every pair exactly once, placed or reported.
    assert sorted(placed + left) == sorted(by_key)
    assert len(set(placed + left)) == len(by_key)
    seats = Counter()
    party_slots = Counter()
    for p in result.placements:
        assert 0 <= p.slot < slot_count and 1 <= p.table <= tables
        seats[(p.slot, p.table)] += 1
        for party in by_key[p.key].parties:
            party_slots[(party, p.slot)] += 1
    assert all(n == 1 for n in seats.values())
    assert all(n == 1 for n in party_slots.values())


@settings(max_examples=200, deadline=None)
@given(inputs())
def test_nobody_double_booked_no_table_twice_everything_in_the_grid_nothing_dropped(data):
    pairs, slot_count, tables = data
    result = schedule(pairs, slot_count, tables)
    check_invariants(pairs, slot_count, tables, result)
    event("some unscheduled" if result.unscheduled else "all placed")


@settings(max_examples=200, deadline=None)
@given(inputs())
def test_a_pair_is_left_out_only_for_pairs_scored_at_least_as_high(data):
    """Higher-scored pairs are preferred: for a pair left out, every slot is blocked by meetings of pairs
    scored at least as high (a party of the pair busy, or every table taken), and the reason says which."""
    pairs, slot_count, tables = data
    result = schedule(pairs, slot_count, tables)
    by_key = {p.key: p for p in pairs}
    for left in result.unscheduled:
        pair = left.pair
        some_slot_had_parties_free = False
        for slot in range(slot_count):
            here = [by_key[p.key] for p in result.placements if p.slot == slot]
            at_least_as_high = [q for q in here if q.score >= pair.score]
            party_busy = any(set(q.parties) & set(pair.parties) for q in at_least_as_high)
            tables_full = len(at_least_as_high) == tables
            assert party_busy or tables_full, (slot, pair)
            if not any(set(q.parties) & set(pair.parties) for q in here):
                some_slot_had_parties_free = True
        assert left.reason == (NO_TABLE if some_slot_had_parties_free else PARTIES_BUSY)
    # Reported highest score first.
    scores = [u.pair.score for u in result.unscheduled]
    assert scores == sorted(scores, reverse=True)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), min_size=0, max_size=25), st.integers(1, 3))
def test_when_only_capacity_limits_the_best_pairs_are_placed(scores, tables):
    """Pairs of distinct organizations compete for tables only: the placed ones are the best scored."""
    pairs = [Pair(key=i, parties=(f"d{i}", f"s{i}"), score=s) for i, s in enumerate(scores)]
    result = schedule(pairs, 2, tables)
    capacity = 2 * tables
    assert len(result.placements) == min(capacity, len(pairs))
    placed = sorted((pairs[p.key].score for p in result.placements), reverse=True)
    assert placed == sorted(scores, reverse=True)[:capacity]
    assert {u.reason for u in result.unscheduled} <= {NO_TABLE}


@st.composite
def sparse_inputs(draw):
    """Each organization meets at most three others; slots are plenty for spreading."""
    pairs, degree = [], Counter()
    for key in range(draw(st.integers(0, 14))):
        a, b = draw(st.lists(st.sampled_from(ORGS), min_size=2, max_size=2, unique=True))
        if degree[a] == 3 or degree[b] == 3:
            continue
        degree[a] += 1
        degree[b] += 1
        pairs.append(Pair(key=key, parties=(a, b), score=draw(st.floats(0, 1))))
    return pairs


@settings(max_examples=200, deadline=None)
@given(sparse_inputs())
def test_an_organizations_meetings_are_spread_when_the_slots_allow(pairs):
    """With at most three meetings per organization and 13 slots (more than the 12 slots the two parties'
    other meetings and their neighbours can block), no organization meets in two consecutive slots."""
    result = schedule(pairs, 13, len(pairs) or 1)
    assert not result.unscheduled
    by_key = {p.key: p for p in pairs}
    slots = defaultdict(list)
    for p in result.placements:
        for party in by_key[p.key].parties:
            slots[party].append(p.slot)
    for party, taken in slots.items():
        taken.sort()
        assert all(b - a >= 2 for a, b in zip(taken, taken[1:], strict=False)), (party, taken)


def test_an_institution_with_four_partners_meets_them_every_other_slot_at_one_table():
    pairs = [Pair(key=k, parties=(f"enterprise{k}", "institution"), score=1 - k / 10) for k in range(4)]
    result = schedule(pairs, 9, 10)
    assert [(p.key, p.slot, p.table) for p in result.placements] == [
        (0, 0, 1),
        (1, 2, 1),
        (2, 4, 1),
        (3, 6, 1),
    ]


def test_two_by_two_meetings_leave_everyone_a_break_between_their_two_meetings():
    pairs = [Pair(key=(d, s), parties=(d, s), score=1.0) for d in ("A", "B") for s in ("X", "Y")]
    result = schedule(pairs, 3, 2)
    assert [(p.key, p.slot, p.table) for p in result.placements] == [
        (("A", "X"), 0, 1),
        (("B", "Y"), 0, 2),
        (("A", "Y"), 2, 1),
        (("B", "X"), 2, 2),
    ]


def test_more_pairs_than_capacity_are_reported_not_dropped():
    pairs = [Pair(key=i, parties=(f"d{i}", f"s{i}"), score=i / 10) for i in range(7)]
    result = schedule(pairs, 2, 3)
    assert sorted(p.key for p in result.placements) == [1, 2, 3, 4, 5, 6]
    assert [(u.pair.key, u.reason) for u in result.unscheduled] == [(0, NO_TABLE)]
    busy = [Pair(key=i, parties=("A", f"s{i}"), score=1.0) for i in range(3)]
    result = schedule(busy, 2, 5)
    assert [(u.pair.key, u.reason) for u in result.unscheduled] == [(2, PARTIES_BUSY)]


def test_no_slots_or_no_tables_leaves_everything_unscheduled():
    pairs = [Pair(key=1, parties=("a", "b"), score=1.0)]
    assert schedule(pairs, 0, 4).unscheduled[0].reason == PARTIES_BUSY
    assert schedule(pairs, 3, 0).unscheduled[0].reason == NO_TABLE


@settings(max_examples=150, deadline=None)
@given(inputs(), st.data())
def test_fixed_placements_stay_where_they_are(data, more):
    """Meetings with a recorded outcome keep their slot and table when the event is re-scheduled."""
    pairs, slot_count, tables = data
    first = schedule(pairs, slot_count, tables)
    kept = more.draw(
        st.lists(st.sampled_from(first.placements), unique=True) if first.placements else st.just([])
    )
    fixed = {p.key: (p.slot, p.table) for p in kept}
    again = schedule(list(reversed(pairs)), slot_count, tables, fixed=fixed)
    check_invariants(pairs, slot_count, tables, again)
    assert {k: v for k, v in again.place_of().items() if k in fixed} == fixed


def test_clashing_fixed_placements_and_bad_pairs_are_refused():
    pairs = [Pair(key=1, parties=("a", "b")), Pair(key=2, parties=("a", "c"))]
    with pytest.raises(ValueError, match="double-books"):
        schedule(pairs, 3, 3, fixed={1: (0, 1), 2: (0, 2)})
    with pytest.raises(ValueError, match="share table"):
        schedule([Pair(1, ("a", "b")), Pair(2, ("c", "d"))], 3, 3, fixed={1: (0, 1), 2: (0, 1)})
    with pytest.raises(ValueError, match="outside the grid"):
        schedule(pairs, 3, 3, fixed={1: (3, 1)})
    with pytest.raises(ValueError, match="unique"):
        schedule([Pair(1, ("a", "b")), Pair(1, ("c", "d"))], 3, 3)
    with pytest.raises(ValueError, match="two different parties"):
        schedule([Pair(1, ("a", "a"))], 3, 3)


@settings(max_examples=100, deadline=None)
@given(inputs())
def test_same_input_same_schedule(data):
    pairs, slot_count, tables = data
    assert schedule(pairs, slot_count, tables) == schedule(list(pairs), slot_count, tables)
