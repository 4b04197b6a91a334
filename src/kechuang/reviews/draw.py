"""Expert panels for applications: hard conflict-of-interest avoidance and a randomized draw.

Pure Python (numpy, OR-Tools); no Django, no database. The method follows Jecmen, Zhang, Liu, Shah,
Conitzer, Fang, "Mitigating Manipulation in Peer Review via Randomized Reviewer Assignments"
(NeurIPS 2020): choose the fractional assignment x that maximises the expected total fit subject to
x[a, e] <= q for every pair, then sample one integral assignment whose marginals are exactly x.
docs/draw.md explains the construction and its guarantees.

Invariants of every `DrawResult` this module returns (checked by `verify`):

* no expert who conflicts with an application (see `conflicts`) is on its panel or in its pool;
* no expert is on more panels than their load cap;
* every panel has exactly k distinct experts, unless `shortfalls` says why it has fewer;
* no two experts on one panel come from the same organization family (see `organization_families`);
* every panel member is in the application's recorded candidate pool;
* for method "randomized", P(expert e is on the panel of a) = candidate_probability <= q.

The same inputs and seed give the same result, whatever order the inputs come in.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from ortools.graph.python import min_cost_flow

from kechuang.reviews.fit import FitIndex

METHODS = ("randomized", "uniform", "deterministic")
TOP_M = 60
N_RANDOM = 20
_COST_SCALE = 1_000_000
_MAX_SCALE = 1000

# Reason codes, not sentences: this module has no translations. The Django layer labels them
# (kechuang.reviews.reasons), so the words a user reads follow their language.
SAME_ORGANIZATION = "same_organization"
DECLARED = "declared"
COLLABORATION = "collaboration"
SAME_REGION = "same_region"
CONFLICT_REASONS = (SAME_ORGANIZATION, DECLARED, COLLABORATION, SAME_REGION)

# A shortfall is a dict {"code": one of these, "drawn": n, "k": k, ...facts the code needs}.
NO_CANDIDATES = "no_candidates"  # nobody left after avoidance
FEW_FAMILIES = "few_families"  # + "families": distinct organization families among the candidates
PROBABILITY_CAP = "probability_cap"  # + "q", "need", "families"
LOAD_CAP = "load_cap"  # the candidates' load caps are used up
NO_REPLACEMENT = "no_replacement"  # + "expert": who declined; no eligible replacement is left
SHORTFALL_CODES = (NO_CANDIDATES, FEW_FAMILIES, PROBABILITY_CAP, LOAD_CAP, NO_REPLACEMENT)


@dataclass(frozen=True)
class ExpertProfile:
    """One expert of the pool as the draw sees them."""

    id: int
    organization_group: frozenset[int]
    region_code: str
    field_codes: frozenset[str]
    text: str
    load_cap: int


@dataclass(frozen=True)
class ApplicationProfile:
    """One application as the draw sees it."""

    id: int
    organization_group: frozenset[int]
    region_code: str
    field_codes: frozenset[str]
    text: str


@dataclass(frozen=True)
class ConflictRules:
    """Conflict-of-interest facts beyond organization membership, and the call's region rule."""

    declared: frozenset[tuple[int, int]] = frozenset()
    collaborations: frozenset[tuple[int, int]] = frozenset()
    avoid_applicant_region: bool = False


@dataclass(frozen=True)
class DrawResult:
    """The panels of one draw and everything needed to replay and audit it.

    candidate_pool, candidate_fit and candidate_probability are parallel tuples per application,
    sorted by fit (best first): the experts considered, their fit, and the probability that the draw
    put them on the panel (the fractional solution; 1/0 for "deterministic", empty for "uniform").
    """

    panels: dict[int, tuple[int, ...]]
    seed: int
    q: float
    k: int
    expected_fit: float
    realized_fit: float
    candidate_pool: dict[int, tuple[int, ...]]
    shortfalls: dict[int, dict]
    method: str = "randomized"
    candidate_fit: dict[int, tuple[float, ...]] = field(default_factory=dict)
    candidate_probability: dict[int, tuple[float, ...]] = field(default_factory=dict)
    declined: dict[int, tuple[int, ...]] = field(default_factory=dict)


def county_of(region_code: str) -> str:
    """The county part (GB/T 2260, six digits) of a county or town code such as "330603L01"."""
    return region_code[:6]


def conflicts(expert: ExpertProfile, application: ApplicationProfile, rules: ConflictRules) -> str | None:
    """The reason code (one of CONFLICT_REASONS) why the expert must not review the application, or None."""
    if not expert.organization_group.isdisjoint(application.organization_group):
        return SAME_ORGANIZATION
    for org in application.organization_group:
        if (expert.id, org) in rules.declared:
            return DECLARED
    for org in application.organization_group:
        if (expert.id, org) in rules.collaborations:
            return COLLABORATION
    if rules.avoid_applicant_region and county_of(expert.region_code) == county_of(application.region_code):
        return SAME_REGION
    return None


def organization_families(experts: Iterable[ExpertProfile]) -> dict[int, int]:
    """Expert id -> family id; experts whose organization groups overlap, even through others, share one.

    A group is an employer with its parent and subsidiaries, so overlapping groups belong to one
    corporate family; "one expert per organization group on a panel" is enforced per family, which
    also rules out any two experts whose groups intersect. An expert without an organization is a
    family alone (a negative id).
    """
    experts = list(experts)
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for expert in experts:
        orgs = sorted(expert.organization_group)
        for org in orgs:
            parent.setdefault(org, org)
        for org in orgs[1:]:
            a, b = find(orgs[0]), find(org)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {e.id: find(min(e.organization_group)) if e.organization_group else -1 - e.id for e in experts}


# ---------------------------------------------------------------------------------------------------
# Candidate pools


class _ConflictIndex:
    """Which experts conflict with an application, in bulk (same rules as `conflicts`)."""

    def __init__(self, experts: Sequence[ExpertProfile], rules: ConflictRules):
        position = {e.id: p for p, e in enumerate(experts)}
        by_org: dict[int, list[int]] = {}
        for p, expert in enumerate(experts):
            for org in expert.organization_group:
                by_org.setdefault(org, []).append(p)
        for expert_id, org in rules.declared | rules.collaborations:
            if expert_id in position:
                by_org.setdefault(org, []).append(position[expert_id])
        self._by_org = by_org
        self._avoid_region = rules.avoid_applicant_region
        counties = sorted({county_of(e.region_code) for e in experts})
        self._county_id = {c: i for i, c in enumerate(counties)}
        self._expert_county = np.array(
            [self._county_id[county_of(e.region_code)] for e in experts], dtype=np.int64
        )
        self._no_capacity = np.array([e.load_cap <= 0 for e in experts], dtype=bool)
        self._mark = np.zeros(len(experts), dtype=bool)

    def excluded(self, application: ApplicationProfile, positions: np.ndarray) -> np.ndarray:
        """Boolean mask over `positions`: conflicted, or no load capacity at all."""
        bad = self._no_capacity[positions]
        conflicted = [p for org in application.organization_group for p in self._by_org.get(org, ())]
        if conflicted:
            self._mark[conflicted] = True
            bad = bad | self._mark[positions]
            self._mark[conflicted] = False
        if self._avoid_region:
            county = self._county_id.get(county_of(application.region_code), -1)
            bad |= self._expert_county[positions] == county
        return bad


def build_candidate_pool(
    applications: Sequence[ApplicationProfile],
    experts: Sequence[ExpertProfile],
    *,
    rules: ConflictRules,
    seed: int,
    top_m: int = TOP_M,
    n_random: int = N_RANDOM,
) -> tuple[dict[int, tuple[int, ...]], dict[int, tuple[float, ...]]]:
    """The non-conflicting experts each application may draw from, and their fit, best first.

    Per application: the `top_m` best-fitting experts among those sharing a text term or sampled
    from the experts sharing a field code, plus `n_random` experts drawn uniformly from the rest of
    the field-qualified ones (any expert when too few share a field). The random part gives the
    randomized draw room and lets "uniform" stand for today's practice of drawing among the
    qualified. Conflicted experts and experts with load cap 0 never enter a pool.
    """
    applications = sorted(applications, key=lambda a: a.id)
    experts = sorted(experts, key=lambda e: e.id)
    _check_unique(applications, experts)
    if not experts or not applications:
        return {a.id: () for a in applications}, {a.id: () for a in applications}
    index = FitIndex(
        [e.field_codes for e in experts],
        [e.text for e in experts],
        [a.field_codes for a in applications],
        [a.text for a in applications],
    )
    excluded = _ConflictIndex(experts, rules)
    rng = np.random.default_rng([seed, 1])
    expert_ids = np.array([e.id for e in experts], dtype=np.int64)
    n_sample = 4 * (top_m + n_random)
    pools: dict[int, tuple[int, ...]] = {}
    fits: dict[int, tuple[float, ...]] = {}
    for i, application in enumerate(applications):
        qualified = index.qualified(i)
        if len(qualified) > n_sample:
            sample = rng.choice(qualified, n_sample, replace=False)
        else:
            sample = rng.permutation(qualified)
        touched, touched_fit = index.score(i, sample)
        bad = excluded.excluded(application, touched)
        ok_pos, ok_fit = touched[~bad], touched_fit[~bad]
        best = _top(ok_fit, top_m)
        best_pos, best_fit = ok_pos[best], ok_fit[best]
        # Random part, in the sample's random order: non-conflicted, not already among the best.
        where = np.searchsorted(touched, sample)
        keep = ~bad[where] & ~np.isin(sample, best_pos)
        rand_pos = sample[keep][:n_random]
        rand_fit = touched_fit[where[keep]][:n_random]
        missing = n_random - len(rand_pos)
        if missing > 0 and len(experts) > len(best_pos) + len(rand_pos):
            rand_pos, rand_fit = _fill_random(
                index,
                excluded,
                application,
                i,
                rng,
                len(experts),
                np.concatenate([best_pos, rand_pos]),
                missing,
                rand_pos,
                rand_fit,
            )
        pos = np.concatenate([best_pos, rand_pos])
        fit = np.concatenate([best_fit, rand_fit])
        order = np.lexsort((pos, -fit))
        pools[application.id] = tuple(expert_ids[pos[order]].tolist())
        fits[application.id] = tuple(fit[order].tolist())
    return pools, fits


def _top(values: np.ndarray, m: int) -> np.ndarray:
    """Indices of the m largest values; ties at the cut go to the lowest index (expert id order)."""
    if len(values) <= m:
        return np.arange(len(values))
    cut = np.partition(values, len(values) - m)[len(values) - m]
    above = np.flatnonzero(values > cut)
    ties = np.flatnonzero(values == cut)[: m - len(above)]
    return np.concatenate([above, ties])


def _fill_random(
    index: FitIndex,
    excluded: _ConflictIndex,
    application: ApplicationProfile,
    i: int,
    rng: np.random.Generator,
    n_experts: int,
    taken: np.ndarray,
    missing: int,
    rand_pos: np.ndarray,
    rand_fit: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Top up the random part from the whole pool when too few experts share a field code."""
    if n_experts <= 4 * (len(taken) + missing):
        candidates = rng.permutation(n_experts)
    else:
        candidates = np.unique(rng.integers(0, n_experts, size=4 * (len(taken) + missing)))
        candidates = rng.permutation(candidates)
    candidates = candidates[~np.isin(candidates, taken)]
    candidates = candidates[~excluded.excluded(application, candidates)][:missing]
    extra_fit = index.fit_of(i, candidates)
    return np.concatenate([rand_pos, candidates]), np.concatenate([rand_fit, extra_fit])


def _check_unique(applications: Sequence[ApplicationProfile], experts: Sequence[ExpertProfile]) -> None:
    if len({a.id for a in applications}) != len(applications):
        raise ValueError("申报书编号重复")
    if len({e.id for e in experts}) != len(experts):
        raise ValueError("专家编号重复")


# ---------------------------------------------------------------------------------------------------
# The draw


def draw_panels(
    applications: Sequence[ApplicationProfile],
    experts: Sequence[ExpertProfile],
    *,
    k: int,
    q: float,
    seed: int,
    rules: ConflictRules,
    method: str = "randomized",
    candidate_pool: dict[int, tuple[int, ...]] | None = None,
    candidate_fit: dict[int, tuple[float, ...]] | None = None,
    top_m: int = TOP_M,
    n_random: int = N_RANDOM,
) -> DrawResult:
    """Draw a panel of k experts for every application.

    method "randomized": the paper's draw, P(e on a's panel) <= q for every pair, maximal expected fit.
    method "uniform": today's practice, applications in random order, each drawing uniformly among
    its candidates with load left (same hard constraints). method "deterministic": maximal fit (q=1).
    Pass a recorded `candidate_pool` and `candidate_fit` to replay a draw: with the same seed and
    experts the panels are the same.
    """
    if method not in METHODS:
        raise ValueError(f"未知的抽取方式：{method}")
    if k < 1:
        raise ValueError("每组专家人数须至少为1")
    if not 0 < q <= 1:
        raise ValueError("抽中概率上限q须在(0, 1]之间")
    if not isinstance(seed, int) or seed < 0:
        raise ValueError("随机种子须为非负整数")
    applications = sorted(applications, key=lambda a: a.id)
    experts = sorted(experts, key=lambda e: e.id)
    _check_unique(applications, experts)
    if candidate_pool is None:
        candidate_pool, candidate_fit = build_candidate_pool(
            applications, experts, rules=rules, seed=seed, top_m=top_m, n_random=n_random
        )
    elif candidate_fit is None:
        raise ValueError("重放抽取时须同时提供候选专家及其匹配度")
    else:
        candidate_pool, candidate_fit = _recheck_pool(
            applications, experts, rules, candidate_pool, candidate_fit
        )
    return _draw_from_pool(
        applications, experts, candidate_pool, candidate_fit, k=k, q=q, seed=seed, method=method
    )


def _draw_from_pool(
    applications: list[ApplicationProfile],
    experts: list[ExpertProfile],
    candidate_pool: dict[int, tuple[int, ...]],
    candidate_fit: dict[int, tuple[float, ...]],
    *,
    k: int,
    q: float,
    seed: int,
    method: str,
) -> DrawResult:
    """The draw itself, on a pool already free of conflicts; applications and experts sorted by id."""
    app_ids = [a.id for a in applications]
    pool = {a: tuple(candidate_pool.get(a, ())) for a in app_ids}
    fits = {a: tuple(candidate_fit.get(a, ())) for a in app_ids}

    if method == "uniform":
        panels = _draw_uniform(app_ids, pool, experts, k, random.Random(f"kechuang-uniform:{seed}"))
        probability: dict[int, tuple[float, ...]] = {}
        q_recorded = 1.0
        expected = None
    else:
        q_recorded = q if method == "randomized" else 1.0
        panels, probability, expected = _draw_flow(
            app_ids, pool, fits, experts, k, q_recorded, random.Random(f"kechuang-draw:{seed}")
        )
    realized = _realized_fit(panels, pool, fits)
    families = organization_families(experts)
    shortfalls = {
        a: _shortfall_reason(len(panels[a]), k, q_recorded, method, pool[a], families)
        for a in app_ids
        if len(panels[a]) < k
    }
    return DrawResult(
        panels=panels,
        seed=seed,
        q=q_recorded,
        k=k,
        expected_fit=realized if expected is None else expected,
        realized_fit=realized,
        candidate_pool=pool,
        shortfalls=shortfalls,
        method=method,
        candidate_fit=fits,
        candidate_probability=probability,
    )


def _recheck_pool(
    applications: Sequence[ApplicationProfile],
    experts: Sequence[ExpertProfile],
    rules: ConflictRules,
    candidate_pool: dict[int, tuple[int, ...]],
    candidate_fit: dict[int, tuple[float, ...]],
) -> tuple[dict[int, tuple[int, ...]], dict[int, tuple[float, ...]]]:
    """A recorded pool without experts who are unknown, have no load cap or conflict under `rules`.

    A faithful record loses nothing here, so the replay is exact; a record that no longer matches
    the rules (a conflict declared since) cannot put a conflicted expert on a panel.
    """
    by_id = {e.id: e for e in experts}
    pools, fits = {}, {}
    for application in applications:
        ids = tuple(candidate_pool.get(application.id, ()))
        values = tuple(candidate_fit.get(application.id, ()))
        if len(ids) != len(values):
            raise ValueError(f"申报书{application.id}的候选专家与匹配度数量不一致")
        kept = [
            (e, f)
            for e, f in zip(ids, values, strict=True)
            if e in by_id and by_id[e].load_cap > 0 and conflicts(by_id[e], application, rules) is None
        ]
        pools[application.id] = tuple(e for e, _ in kept)
        fits[application.id] = tuple(f for _, f in kept)
    return pools, fits


def _realized_fit(
    panels: dict[int, tuple[int, ...]], pool: dict[int, tuple[int, ...]], fits: dict[int, tuple[float, ...]]
) -> float:
    total = 0.0
    for a, panel in panels.items():
        fit_of = dict(zip(pool[a], fits[a], strict=True))
        total += sum(fit_of[e] for e in panel)
    return total


def _shortfall_reason(
    drawn: int, k: int, q: float, method: str, pool_ids: tuple[int, ...], families: dict[int, int]
) -> dict:
    n_families = len({families[e] for e in pool_ids if e in families})
    head = {"drawn": drawn, "k": k}
    if not pool_ids:
        return {"code": NO_CANDIDATES, **head}
    if n_families < k:
        return {"code": FEW_FAMILIES, **head, "families": n_families}
    if method == "randomized" and n_families * q < k:
        need = math.ceil(k / q - 1e-9)
        return {"code": PROBABILITY_CAP, **head, "q": q, "need": need, "families": n_families}
    return {"code": LOAD_CAP, **head}


def _draw_uniform(
    app_ids: list[int],
    pool: dict[int, tuple[int, ...]],
    experts: list[ExpertProfile],
    k: int,
    rng: random.Random,
) -> dict[int, tuple[int, ...]]:
    cap = {e.id: e.load_cap for e in experts}
    families = organization_families(experts)
    load: Counter[int] = Counter()
    panels: dict[int, tuple[int, ...]] = {}
    order = list(app_ids)
    rng.shuffle(order)
    for a in order:
        candidates = [e for e in pool[a] if e in cap]
        rng.shuffle(candidates)
        panel: list[int] = []
        used: set[int] = set()
        for e in candidates:
            if len(panel) == k:
                break
            if load[e] < cap[e] and families[e] not in used:
                panel.append(e)
                used.add(families[e])
                load[e] += 1
        panels[a] = tuple(sorted(panel))
    return {a: panels[a] for a in app_ids}


def _scale_for(q: float) -> tuple[int, int]:
    """(S, qS): flows are counted in units of 1/S and a pair carries at most qS units, with qS/S <= q."""
    frac = Fraction(q).limit_denominator(_MAX_SCALE)
    if frac > q + 1e-12:  # 1/3 given as a float is accepted as 1/3
        frac = Fraction(math.floor(q * _MAX_SCALE), _MAX_SCALE)
    if frac.numerator <= 0:
        raise ValueError("抽中概率上限q过小")
    return frac.denominator, frac.numerator


def _draw_flow(
    app_ids: list[int],
    pool: dict[int, tuple[int, ...]],
    fits: dict[int, tuple[float, ...]],
    experts: list[ExpertProfile],
    k: int,
    q: float,
    rng: random.Random,
) -> tuple[dict[int, tuple[int, ...]], dict[int, tuple[float, ...]], float]:
    """Max-flow/min-cost fractional assignment with x <= q, then dependent rounding of the flow.

    Network: source -> application (k) -> [family node (1)] -> expert (q) -> sink (load cap).
    A family node sits between an application and its candidates of one organization family when
    there are two or more of them, so a panel can hold at most one of that family.
    """
    scale, q_units = _scale_for(q)
    expert_pos = {e.id: p for p, e in enumerate(experts)}
    families = organization_families(experts)
    n_apps, n_experts = len(app_ids), len(experts)
    source, sink = 0, 1
    app_node0, expert_node0 = 2, 2 + n_apps
    next_node = expert_node0 + n_experts

    pair_app: list[int] = []
    pair_expert: list[int] = []
    pair_fit: list[float] = []
    for i, a in enumerate(app_ids):
        for e, f in zip(pool[a], fits[a], strict=True):
            if e in expert_pos:
                pair_app.append(i)
                pair_expert.append(expert_pos[e])
                pair_fit.append(f)
    pa = np.array(pair_app, dtype=np.int64)
    pe = np.array(pair_expert, dtype=np.int64)
    pf = np.array(pair_fit, dtype=np.float64)
    fam_ids = np.array([families[e.id] for e in experts], dtype=np.int64)
    _, fam_index = np.unique(fam_ids, return_inverse=True)
    key = pa * (int(fam_index.max(initial=0)) + 1) + fam_index[pe]
    _, group, counts = np.unique(key, return_inverse=True, return_counts=True)
    shared = counts[group] >= 2
    group_ids, group_node = np.unique(group[shared], return_inverse=True)
    n_groups = len(group_ids)

    # Pair arcs: application (or family node) -> expert.
    pair_tail = np.where(shared, 0, app_node0 + pa)
    pair_tail[shared] = next_node + group_node
    pair_head = expert_node0 + pe
    # Family arcs: application -> family node.
    group_app = np.zeros(n_groups, dtype=np.int64)
    group_app[group_node] = pa[shared]
    tails = np.concatenate(
        [np.full(n_apps, source), pair_tail, app_node0 + group_app, expert_node0 + np.arange(n_experts)]
    )
    heads = np.concatenate(
        [app_node0 + np.arange(n_apps), pair_head, next_node + np.arange(n_groups), np.full(n_experts, sink)]
    )
    capacities = np.concatenate(
        [
            np.full(n_apps, k * scale),
            np.full(len(pa), q_units),
            np.full(n_groups, scale),
            np.array([max(0, e.load_cap) * scale for e in experts], dtype=np.int64),
        ]
    )
    costs = np.concatenate(
        [
            np.zeros(n_apps, dtype=np.int64),
            -np.rint(pf * _COST_SCALE).astype(np.int64),
            np.zeros(n_groups + n_experts, dtype=np.int64),
        ]
    )
    n_nodes = next_node + n_groups
    flows = np.zeros(len(tails), dtype=np.int64)
    if len(pa):
        solver = min_cost_flow.SimpleMinCostFlow()
        arcs = solver.add_arcs_with_capacity_and_unit_cost(
            tails.astype(np.int32), heads.astype(np.int32), capacities.astype(np.int64), costs
        )
        total = n_apps * k * scale
        supplies = np.zeros(n_nodes, dtype=np.int64)
        supplies[source], supplies[sink] = total, -total
        solver.set_nodes_supplies(np.arange(n_nodes, dtype=np.int32), supplies)
        status = solver.solve_max_flow_with_min_cost()
        if status != solver.OPTIMAL:
            raise RuntimeError(f"min-cost flow failed: {status}")
        flows = np.asarray(solver.flows(arcs), dtype=np.int64)

    pair_slice = slice(n_apps, n_apps + len(pa))
    fractional_flow = flows[pair_slice].copy()
    expected = float((fractional_flow / scale * pf).sum())
    if scale > 1:
        # Return arc sink -> source makes the flow a circulation, so every node with a fractional arc
        # has at least two and the rounding always finds a cycle.
        rounded = _dependent_round(
            np.append(tails, sink).tolist(),
            np.append(heads, source).tolist(),
            np.append(flows, flows[:n_apps].sum()).tolist(),
            scale,
            rng,
        )
        final = np.array(rounded[pair_slice], dtype=np.int64)
    else:
        final = fractional_flow
    chosen = final == scale
    panels_lists: list[list[int]] = [[] for _ in app_ids]
    for i, p in zip(pa[chosen].tolist(), pe[chosen].tolist(), strict=True):
        panels_lists[i].append(experts[p].id)
    panels = {a: tuple(sorted(panels_lists[i])) for i, a in enumerate(app_ids)}

    probability_of: dict[int, list[float]] = {a: [] for a in app_ids}
    for i, units in zip(pa.tolist(), fractional_flow.tolist(), strict=True):
        probability_of[app_ids[i]].append(units / scale)
    probability: dict[int, tuple[float, ...]] = {}
    for a in app_ids:
        values = iter(probability_of[a])
        probability[a] = tuple(next(values) if e in expert_pos else 0.0 for e in pool[a])
    return panels, probability, expected


def _dependent_round(
    tails: list[int], heads: list[int], flow: list[int], scale: int, rng: random.Random
) -> list[int]:
    """Round a circulation (flows in units of 1/scale) to multiples of `scale`, preserving expectations.

    Repeatedly find a cycle of arcs whose flow is not a multiple of `scale` (ignoring direction) and
    push flow around it, one way or the other, with probabilities that keep every arc's expected flow
    unchanged, until some arc on it reaches a multiple; that arc is then fixed. Every arc ends at the
    multiple just below or just above its starting flow, and every node keeps flow conservation.
    """
    flow = list(flow)
    adjacency: dict[int, dict[int, None]] = {}
    for arc, f in enumerate(flow):
        if f % scale:
            adjacency.setdefault(tails[arc], {})[arc] = None
            adjacency.setdefault(heads[arc], {})[arc] = None
    for start in list(adjacency):
        path_nodes = [start]
        path_arcs: list[int] = []
        on_path = {start: 0}
        while True:
            node = path_nodes[-1]
            last = path_arcs[-1] if path_arcs else -1
            step = next((arc for arc in adjacency[node] if arc != last), None)
            if step is None:
                if node != start or path_arcs:
                    raise AssertionError("fractional flow without a cycle: conservation broken")
                break
            other = heads[step] if tails[step] == node else tails[step]
            if other not in on_path:
                on_path[other] = len(path_nodes)
                path_nodes.append(other)
                path_arcs.append(step)
                continue
            i = on_path[other]
            cycle = path_arcs[i:] + [step]
            forward = [tails[arc] == path_nodes[i + j] for j, arc in enumerate(cycle[:-1])]
            forward.append(tails[step] == node)
            up = down = scale
            for arc, fwd in zip(cycle, forward, strict=True):
                rest = flow[arc] % scale
                if fwd:
                    up, down = min(up, scale - rest), min(down, rest)
                else:
                    up, down = min(up, rest), min(down, scale - rest)
            delta = up if rng.randrange(up + down) < down else -down
            first_fixed = -1
            for j, (arc, fwd) in enumerate(zip(cycle, forward, strict=True)):
                flow[arc] += delta if fwd else -delta
                if flow[arc] % scale == 0:
                    del adjacency[tails[arc]][arc]
                    del adjacency[heads[arc]][arc]
                    if first_fixed < 0:
                        first_fixed = j
            # The path up to the first arc that became a multiple is still fractional: walk on from there.
            keep = i + first_fixed
            for n in path_nodes[keep + 1 :]:
                del on_path[n]
            del path_nodes[keep + 1 :]
            del path_arcs[keep:]
    return flow


# ---------------------------------------------------------------------------------------------------
# Declines and checks


def replace_expert(
    result: DrawResult,
    application_id: int,
    declined_expert_id: int,
    applications: Sequence[ApplicationProfile],
    experts: Sequence[ExpertProfile],
    *,
    rules: ConflictRules,
    seed: int,
) -> DrawResult:
    """The result with a replacement for an expert who declined; every other panel is unchanged.

    The replacement comes from the application's recorded pool and satisfies every hard rule; the
    declined expert is never drawn for this application again. Among the eligible candidates it is
    drawn uniformly from the ceil(1/q) best-fitting ones (all of them for "uniform"), so no single
    expert is the certain replacement. When none is eligible the panel shrinks and the shortfall
    records why.
    """
    application = next((a for a in applications if a.id == application_id), None)
    if application is None:
        raise ValueError(f"申报书{application_id}不在本次抽取中")
    panel = list(result.panels.get(application_id, ()))
    if declined_expert_id not in panel:
        raise ValueError(f"专家{declined_expert_id}不在申报书{application_id}的评审组中")
    by_id = {e.id: e for e in experts}
    families = organization_families(experts)
    declined = result.declined.get(application_id, ()) + (declined_expert_id,)
    slot = panel.index(declined_expert_id)
    panel.pop(slot)
    load = Counter(e for a, members in result.panels.items() for e in members)
    load[declined_expert_id] -= 1
    used_families = {families[e] for e in panel if e in families}
    pool = result.candidate_pool.get(application_id, ())
    fits = result.candidate_fit.get(application_id, ())
    fit_of = dict(zip(pool, fits, strict=False))
    eligible = [
        e
        for e in pool  # already best first
        if e in by_id
        and e not in panel
        and e not in declined
        and load[e] < by_id[e].load_cap
        and families[e] not in used_families
        and conflicts(by_id[e], application, rules) is None
    ]
    rng = random.Random(f"kechuang-replace:{result.seed}:{seed}:{application_id}:{declined_expert_id}")
    shortfalls = dict(result.shortfalls)
    realized = result.realized_fit - fit_of.get(declined_expert_id, 0.0)
    if eligible:
        if result.method != "uniform":
            eligible = eligible[: math.ceil(1 / result.q - 1e-9)]
        chosen = eligible[rng.randrange(len(eligible))]
        panel.insert(slot, chosen)
        realized += fit_of.get(chosen, 0.0)
    else:
        shortfalls[application_id] = {
            "code": NO_REPLACEMENT,
            "drawn": len(panel),
            "k": result.k,
            "expert": declined_expert_id,
        }
    panels = dict(result.panels)
    panels[application_id] = tuple(panel)
    all_declined = dict(result.declined)
    all_declined[application_id] = declined
    return dataclasses.replace(
        result, panels=panels, shortfalls=shortfalls, declined=all_declined, realized_fit=realized
    )


def verify(
    result: DrawResult,
    applications: Sequence[ApplicationProfile],
    experts: Sequence[ExpertProfile],
    rules: ConflictRules,
    k: int,
) -> list[str]:
    """Every violation of a hard rule in the result; an empty list when it is sound.

    These are diagnostics for developers and the audit (Chinese, conflict reasons as codes): a sound
    draw has none, and the service refuses to save a draw that has any.
    """
    violations: list[str] = []
    by_id = {e.id: e for e in experts}
    families = organization_families(experts)
    app_ids = {a.id for a in applications}
    for a in sorted(set(result.panels) - app_ids):
        violations.append(f"评审组对应的申报书{a}不在本次抽取中")
    load: Counter[int] = Counter()
    for application in applications:
        a = application.id
        if a not in result.panels:
            violations.append(f"申报书{a}没有评审组")
            continue
        panel = result.panels[a]
        pool = set(result.candidate_pool.get(a, ()))
        if len(set(panel)) != len(panel):
            violations.append(f"申报书{a}：评审组中有重复专家")
        if len(panel) > k or (len(panel) < k and a not in result.shortfalls):
            violations.append(f"申报书{a}：评审组有{len(panel)}位专家，应为{k}位")
        seen_families: dict[int, int] = {}
        for e in panel:
            expert = by_id.get(e)
            if expert is None:
                violations.append(f"申报书{a}：专家{e}不在专家库中")
                continue
            load[e] += 1
            reason = conflicts(expert, application, rules)
            if reason:
                violations.append(f"申报书{a}：专家{e}应回避（{reason}）")
            if e not in pool:
                violations.append(f"申报书{a}：专家{e}不在记录的候选专家中")
            if e in result.declined.get(a, ()):
                violations.append(f"申报书{a}：专家{e}已谢绝却仍在评审组中")
            family = families[e]
            if family in seen_families and seen_families[family] != e:
                violations.append(f"申报书{a}：专家{seen_families[family]}与专家{e}来自同一单位（含上下级）")
            seen_families.setdefault(family, e)
        for e in result.candidate_pool.get(a, ()):
            expert = by_id.get(e)
            if expert is not None and (reason := conflicts(expert, application, rules)):
                violations.append(f"申报书{a}：候选专家{e}应回避（{reason}）")
        for p in result.candidate_probability.get(a, ()):
            if p > result.q + 1e-9:
                violations.append(f"申报书{a}：抽中概率{p:g}超过上限{result.q:g}")
                break
    for e, n in sorted(load.items()):
        if e in by_id and n > by_id[e].load_cap:
            violations.append(f"专家{e}：承担{n}份评审，超过负载上限{by_id[e].load_cap}")
    return violations
