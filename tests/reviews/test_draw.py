"""The expert draw (kechuang.reviews.draw): product brief module 2, expert review.

Rules under test (product.md, module 2): draw k experts per application at random among the
qualified, with hard conflict-of-interest avoidance (same organization, declared conflicts, recent
collaboration, the applicant's own region when the call says so), load caps, replacement when an
expert declines, reproducible from a recorded seed and auditable.
"""

import dataclasses
import random
from collections import Counter

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from kechuang.reviews.draw import (
    METHODS,
    SHORTFALL_CODES,
    ApplicationProfile,
    ConflictRules,
    DrawResult,
    ExpertProfile,
    build_candidate_pool,
    conflicts,
    draw_panels,
    organization_families,
    replace_expert,
    verify,
)

WORDS = ["锂离子电池", "正极材料", "印染废水", "工业机器人", "数控机床", "单克隆抗体", "集成电路", "光伏组件"]
FIELDS = ["new_energy", "new_materials", "advanced_manufacturing", "C38"]
REGIONS = ["330602", "330603", "330603L01", "330604L02", "330681"]


def expert(id, orgs=(), region="330602", fields=("new_energy",), text="锂离子电池", cap=3):
    return ExpertProfile(id, frozenset(orgs), region, frozenset(fields), text, cap)


def application(id, orgs=(), region="330603", fields=("new_energy",), text="锂离子电池正极材料"):
    return ApplicationProfile(id, frozenset(orgs), region, frozenset(fields), text)


def instance(n_apps=12, n_experts=60, seed=7):
    """A non-trivial deterministic pool: several organizations and groups, all fields and regions."""
    rnd = random.Random(seed)
    groups = {o: frozenset({o, 100 + o % 5}) for o in range(1, 30)}  # 5 parent companies
    experts = [
        ExpertProfile(
            i,
            groups[rnd.randrange(1, 30)] if i % 7 else frozenset(),
            rnd.choice(REGIONS),
            frozenset(rnd.sample(FIELDS, rnd.randint(1, 2))),
            "、".join(rnd.sample(WORDS, 3)),
            rnd.randint(1, 4),
        )
        for i in range(1, n_experts + 1)
    ]
    apps = [
        ApplicationProfile(
            1000 + j,
            groups[rnd.randrange(1, 30)],
            rnd.choice(REGIONS),
            frozenset(rnd.sample(FIELDS, 1)),
            "基于" + "的".join(rnd.sample(WORDS, 2)) + "研究",
        )
        for j in range(n_apps)
    ]
    rules = ConflictRules(
        declared=frozenset({(1, 3), (2, 4), (5, 101)}),
        collaborations=frozenset({(3, 7), (8, 102)}),
        avoid_applicant_region=True,
    )
    return apps, experts, rules


# --- conflicts --------------------------------------------------------------------------------------


def test_conflict_reasons_in_order_of_the_rules():
    rules = ConflictRules(
        declared=frozenset({(1, 20)}), collaborations=frozenset({(2, 21)}), avoid_applicant_region=True
    )
    app = application(9, orgs={20, 21, 22}, region="330603L01")
    assert conflicts(expert(1, orgs={22, 23}), app, rules) == "same_organization"
    assert conflicts(expert(1, orgs={30}), app, rules) == "declared"
    assert conflicts(expert(2, orgs={30}), app, rules) == "collaboration"
    assert conflicts(expert(3, orgs={30}, region="330603"), app, rules) == "same_region"  # town's county
    assert conflicts(expert(3, orgs={30}, region="330603L07"), app, rules) == "same_region"
    assert conflicts(expert(3, orgs={30}, region="330604"), app, rules) is None
    assert (
        conflicts(
            expert(3, orgs={30}, region="330603"),
            app,
            dataclasses.replace(rules, avoid_applicant_region=False),
        )
        is None
    )


def test_organization_families_merge_overlapping_groups():
    experts = [expert(1, {1, 2}), expert(2, {2, 3}), expert(3, {3}), expert(4, {9}), expert(5, ())]
    families = organization_families(experts)
    assert families[1] == families[2] == families[3] == 1
    assert families[4] == 9
    assert families[5] == -6


# --- hard rules under random pools ------------------------------------------------------------------


@st.composite
def pools(draw):
    n_orgs = draw(st.integers(1, 12))
    parent = {
        o: draw(st.one_of(st.none(), st.integers(1, o - 1))) if o > 1 else None for o in range(1, n_orgs + 1)
    }

    def group(o):
        return frozenset(
            {o} | ({parent[o]} if parent[o] else set()) | {c for c, p in parent.items() if p == o}
        )

    org = st.integers(1, n_orgs)
    experts = [
        ExpertProfile(
            i,
            draw(st.one_of(st.just(frozenset()), org.map(group))),
            draw(st.sampled_from(REGIONS)),
            draw(st.frozensets(st.sampled_from(FIELDS), max_size=2)),
            "、".join(draw(st.lists(st.sampled_from(WORDS), max_size=3))),
            draw(st.sampled_from([0, 1, 2, 3, 4, 4])),
        )
        for i in range(1, draw(st.integers(1, 18)) + 1)
    ]
    apps = [
        ApplicationProfile(
            100 + j,
            draw(org.map(group)),
            draw(st.sampled_from(REGIONS)),
            draw(st.frozensets(st.sampled_from(FIELDS), max_size=2)),
            "和".join(draw(st.lists(st.sampled_from(WORDS), max_size=3))),
        )
        for j in range(draw(st.integers(1, 5)))
    ]
    pairs = st.tuples(st.integers(1, len(experts)), org)
    rules = ConflictRules(
        declared=draw(st.frozensets(pairs, max_size=4)),
        collaborations=draw(st.frozensets(pairs, max_size=4)),
        avoid_applicant_region=draw(st.booleans()),
    )
    return apps, experts, rules


@settings(max_examples=150, deadline=None)
@given(
    pool=pools(),
    k=st.integers(1, 3),
    q=st.sampled_from([1 / 3, 0.34, 0.5, 1.0]),
    seed=st.integers(0, 2**31),
    method=st.sampled_from(METHODS),
    top_m=st.integers(1, 6),
    n_random=st.integers(0, 3),
)
def test_every_method_obeys_every_hard_rule(pool, k, q, seed, method, top_m, n_random):
    apps, experts, rules = pool
    by_id = {e.id: e for e in experts}
    result = draw_panels(
        apps, experts, k=k, q=q, seed=seed, rules=rules, method=method, top_m=top_m, n_random=n_random
    )
    assert verify(result, apps, experts, rules, k) == []
    event("full panels" if not result.shortfalls else "some shortfall")
    for app in apps:
        for e in result.panels[app.id]:
            assert conflicts(by_id[e], app, rules) is None
        if len(result.panels[app.id]) < k:
            shortfall = result.shortfalls[app.id]
            assert (shortfall["drawn"], shortfall["k"]) == (len(result.panels[app.id]), k)
            assert shortfall["code"] in SHORTFALL_CODES
    if method == "randomized":
        assert all(p <= q + 1e-12 for ps in result.candidate_probability.values() for p in ps)

    # A decline is replaced under the same rules, and the other panels stay as they were.
    app = next((a for a in apps if result.panels[a.id]), None)
    if app is not None:
        declined = result.panels[app.id][0]
        replaced = replace_expert(result, app.id, declined, apps, experts, rules=rules, seed=seed)
        assert verify(replaced, apps, experts, rules, k) == []
        assert declined not in replaced.panels[app.id]
        assert {a: p for a, p in replaced.panels.items() if a != app.id} == {
            a: p for a, p in result.panels.items() if a != app.id
        }


# --- reproducibility ---------------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_same_seed_same_result_whatever_the_input_order(method):
    apps, experts, rules = instance()
    first = draw_panels(apps, experts, k=3, q=0.5, seed=42, rules=rules, method=method)
    shuffled_apps, shuffled_experts = apps[::-1], random.Random(1).sample(experts, len(experts))
    again = draw_panels(shuffled_apps, shuffled_experts, k=3, q=0.5, seed=42, rules=rules, method=method)
    assert again == first


@pytest.mark.parametrize("method", ["randomized", "uniform"])
def test_replay_from_the_recorded_seed_and_pool(method):
    apps, experts, rules = instance()
    first = draw_panels(apps, experts, k=3, q=0.5, seed=42, rules=rules, method=method)
    replay = draw_panels(
        apps,
        experts,
        k=3,
        q=0.5,
        seed=42,
        rules=rules,
        method=method,
        candidate_pool=first.candidate_pool,
        candidate_fit=first.candidate_fit,
    )
    assert replay == first


def test_replay_drops_experts_who_conflict_under_the_current_rules():
    experts = [expert(1, {1}), expert(2, {2}), expert(3, {3})]
    apps = [application(10, orgs={9})]
    first = draw_panels(apps, experts, k=3, q=1.0, seed=1, rules=ConflictRules(), method="deterministic")
    assert first.panels == {10: (1, 2, 3)}
    later = ConflictRules(declared=frozenset({(2, 9)}))  # expert 2 declared a conflict after the draw
    replay = draw_panels(
        apps,
        experts,
        k=3,
        q=1.0,
        seed=1,
        rules=later,
        method="deterministic",
        candidate_pool=first.candidate_pool,
        candidate_fit=first.candidate_fit,
    )
    assert replay.panels == {10: (1, 3)}
    assert 2 not in replay.candidate_pool[10]
    assert verify(replay, apps, experts, later, 3) == []


@pytest.mark.parametrize("method", ["randomized", "uniform"])
def test_different_seeds_give_different_panels(method):
    apps, experts, rules = instance()
    panels = {
        tuple(
            sorted(draw_panels(apps, experts, k=3, q=0.5, seed=s, rules=rules, method=method).panels.items())
        )
        for s in range(5)
    }
    assert len(panels) == 5


def test_deterministic_draw_ignores_the_seed_given_the_pool():
    apps, experts, rules = instance()
    pool, fits = build_candidate_pool(apps, experts, rules=rules, seed=0)
    a, b = (
        draw_panels(
            apps,
            experts,
            k=3,
            q=1.0,
            seed=s,
            rules=rules,
            method="deterministic",
            candidate_pool=pool,
            candidate_fit=fits,
        )
        for s in (1, 2)
    )
    assert a.panels == b.panels


# --- the probability bound (Jecmen et al. 2020) ------------------------------------------------------


@pytest.mark.parametrize("q", [0.5, 0.4])
def test_each_pair_is_drawn_with_at_most_probability_q(q):
    apps, experts, rules = instance(n_apps=6, n_experts=30, seed=3)
    pool, fits = build_candidate_pool(apps, experts, rules=rules, seed=0)
    k, runs = 2, 1000
    counts: Counter[tuple[int, int]] = Counter()
    expected = None
    for seed in range(runs):
        result = draw_panels(
            apps, experts, k=k, q=q, seed=seed, rules=rules, candidate_pool=pool, candidate_fit=fits
        )
        assert result.shortfalls == {}
        counts.update((a, e) for a, panel in result.panels.items() for e in panel)
        expected = result.candidate_probability
    assert expected is not None
    marginals = {(a, e): p for a in pool for e, p in zip(pool[a], expected[a], strict=True)}
    assert max(marginals.values()) == q  # the bound binds: the draw really is spread out
    assert sum(marginals.values()) == pytest.approx(k * len(apps))
    for pair, p in marginals.items():
        frequency = counts[pair] / runs
        assert frequency <= q + 0.07
        assert abs(frequency - p) <= 5 * (p * (1 - p) / runs) ** 0.5 + 1e-9


def test_randomized_expected_fit_is_between_uniform_and_the_optimum():
    apps, experts, rules = instance(n_apps=20, n_experts=80, seed=11)
    pool, fits = build_candidate_pool(apps, experts, rules=rules, seed=0)
    common = dict(rules=rules, candidate_pool=pool, candidate_fit=fits, seed=5, k=3)
    best = draw_panels(apps, experts, q=1.0, method="deterministic", **common)
    randomized = draw_panels(apps, experts, q=0.5, **common)
    q_one = draw_panels(apps, experts, q=1.0, **common)
    assert randomized.expected_fit <= best.realized_fit + 1e-6
    assert q_one.expected_fit == pytest.approx(best.realized_fit)
    for a in apps:
        assert sum(randomized.candidate_probability[a.id]) == pytest.approx(len(randomized.panels[a.id]))


# --- shortfalls and declines -------------------------------------------------------------------------


def test_shortfall_when_too_few_organizations_remain_after_avoidance():
    experts = [
        expert(1, {1}),
        expert(2, {2}),
        expert(3, {2}),
        expert(4, {4}),
        expert(5, {5}, region="330603"),
    ]
    apps = [application(10, orgs={9}, region="330603")]
    rules = ConflictRules(collaborations=frozenset({(4, 9)}), avoid_applicant_region=True)
    for method in METHODS:
        result = draw_panels(apps, experts, k=3, q=1.0, seed=1, rules=rules, method=method)
        # Expert 4 worked with the applicant, 5 is from its county, 2 and 3 are one organization.
        assert result.shortfalls == {10: {"code": "few_families", "drawn": 2, "k": 3, "families": 2}}
        assert len(result.panels[10]) == 2
        assert verify(result, apps, experts, rules, 3) == []


def test_shortfall_when_q_needs_more_candidates():
    experts = [expert(i, {i}) for i in range(1, 5)]
    result = draw_panels([application(10, orgs={9})], experts, k=3, q=0.5, seed=1, rules=ConflictRules())
    assert result.shortfalls == {
        10: {"code": "probability_cap", "drawn": 2, "k": 3, "q": 0.5, "need": 6, "families": 4}
    }


def test_shortfall_when_load_caps_are_used_up():
    experts = [expert(i, {i}, cap=1) for i in range(1, 4)]
    apps = [application(10, orgs={9}), application(11, orgs={9})]
    result = draw_panels(apps, experts, k=2, q=1.0, seed=1, rules=ConflictRules(), method="deterministic")
    assert sorted(len(p) for p in result.panels.values()) == [1, 2]
    assert list(result.shortfalls.values()) == [{"code": "load_cap", "drawn": 1, "k": 2}]
    assert verify(result, apps, experts, ConflictRules(), 2) == []


def test_declines_never_bring_back_a_declined_expert():
    apps, experts, rules = instance()
    result = draw_panels(apps, experts, k=3, q=0.5, seed=9, rules=rules)
    app_id = apps[0].id
    declined = []
    for step in range(6):
        if not result.panels[app_id]:
            break
        out = result.panels[app_id][0]
        declined.append(out)
        result = replace_expert(result, app_id, out, apps, experts, rules=rules, seed=step)
        assert verify(result, apps, experts, rules, 3) == []
        assert not set(declined) & set(result.panels[app_id])
    assert result.declined[app_id] == tuple(declined)


def test_decline_with_no_replacement_records_a_shortfall():
    experts = [expert(1, {1}), expert(2, {2})]
    apps = [application(10, orgs={9})]
    result = draw_panels(apps, experts, k=2, q=1.0, seed=1, rules=ConflictRules(), method="deterministic")
    after = replace_expert(result, 10, 1, apps, experts, rules=ConflictRules(), seed=1)
    assert after.panels == {10: (2,)}
    assert after.shortfalls == {10: {"code": "no_replacement", "drawn": 1, "k": 2, "expert": 1}}
    assert verify(after, apps, experts, ConflictRules(), 2) == []
    with pytest.raises(ValueError, match="专家1不在申报书10的评审组中"):
        replace_expert(after, 10, 1, apps, experts, rules=ConflictRules(), seed=1)


def test_replacement_respects_the_load_cap_of_the_candidates():
    experts = [expert(1, {1}, cap=1), expert(2, {2}, cap=1), expert(3, {3}, cap=1)]
    apps = [application(10, orgs={9}), application(11, orgs={9})]
    result = draw_panels(apps, experts, k=1, q=1.0, seed=1, rules=ConflictRules(), method="deterministic")
    used = {p[0] for p in result.panels.values()}
    (free,) = {1, 2, 3} - used
    after = replace_expert(result, 10, result.panels[10][0], apps, experts, rules=ConflictRules(), seed=3)
    assert after.panels[10] == (free,)
    assert after.panels[11] == result.panels[11]


# --- verify catches what it must ---------------------------------------------------------------------


def test_verify_reports_each_broken_rule():
    experts = [expert(1, {1}, cap=1), expert(2, {1}), expert(3, {3}), expert(4, {9})]
    apps = [application(10, orgs={9}), application(11, orgs={8})]
    bad = DrawResult(
        panels={10: (1, 2, 4), 11: (1, 1)},
        seed=0,
        q=0.5,
        k=2,
        expected_fit=0.0,
        realized_fit=0.0,
        candidate_pool={10: (1, 2, 4), 11: (1,)},
        shortfalls={},
        candidate_probability={10: (0.9, 0.5, 0.5)},
    )
    assert verify(bad, apps, experts, ConflictRules(), 2) == [
        "申报书10：评审组有3位专家，应为2位",
        "申报书10：专家1与专家2来自同一单位（含上下级）",
        "申报书10：专家4应回避（same_organization）",
        "申报书10：候选专家4应回避（same_organization）",
        "申报书10：抽中概率0.9超过上限0.5",
        "申报书11：评审组中有重复专家",
        "专家1：承担3份评审，超过负载上限1",
    ]


def test_invalid_arguments_are_refused():
    apps, experts, rules = instance(n_apps=1, n_experts=3)
    with pytest.raises(ValueError, match="未知的抽取方式"):
        draw_panels(apps, experts, k=1, q=0.5, seed=1, rules=rules, method="lottery")
    with pytest.raises(ValueError, match="抽中概率上限"):
        draw_panels(apps, experts, k=1, q=0, seed=1, rules=rules)
    with pytest.raises(ValueError, match="专家编号重复"):
        draw_panels(apps, experts + experts[:1], k=1, q=0.5, seed=1, rules=rules)
