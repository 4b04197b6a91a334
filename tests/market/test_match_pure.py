"""Market matching, the pure part (issue 5 item 3): fusion, ranking, reasons, the evaluation set and its
metrics. No database."""

import math
from decimal import Decimal

import numpy as np
import pytest

from kechuang.market import matching
from kechuang.market.match_eval import (
    build,
    evaluate,
    load,
    ndcg_at,
    recall_at,
    split_topics,
    word_overlap,
)
from kechuang.market.segment import words
from kechuang.organizations.enums import TechField

FUSION = matching.Fusion(weight=0.5, lexical_scale=10.0, semantic_floor=0.8, semantic_ceiling=0.9)


def test_lexical_strength_is_zero_without_shared_words_and_half_at_the_scale():
    assert matching.lexical_strength(np.array([0.0, 10.0, 30.0]), 10.0).tolist() == [0.0, 0.5, 0.75]


def test_semantic_strength_is_clipped_between_floor_and_ceiling():
    assert matching.semantic_strength(np.array([0.7, 0.85, 0.95]), FUSION).round(6).tolist() == [
        0.0,
        0.5,
        1.0,
    ]


def test_fuse_mixes_linearly_and_falls_back_to_lexical_where_a_vector_is_missing():
    bm25 = np.array([10.0, 10.0, 0.0])
    cosine = np.array([0.9, np.nan, 0.85])
    fused = matching.fuse(bm25, cosine, FUSION)
    assert fused.round(6).tolist() == [0.75, 0.5, 0.25]


def test_fuse_without_cosine_or_with_semantic_off_is_the_lexical_strength():
    bm25 = np.array([10.0, 0.0])
    assert matching.fuse(bm25, None, FUSION).tolist() == [0.5, 0.0]
    assert matching.fuse(bm25, np.array([0.9, 0.9]), FUSION, semantic=False).tolist() == [0.5, 0.0]


def test_top_k_keeps_position_order_on_ties_and_respects_the_mask_and_minimum():
    scores = np.array([0.5, 0.9, 0.5, 0.05, 0.9])
    assert matching.top_k(scores, 3) == [1, 4, 0]
    assert matching.top_k(scores, 10, keep=np.array([True, False, True, True, True])) == [4, 0, 2, 3]
    assert matching.top_k(scores, 10, min_score=0.1) == [1, 4, 0, 2]


def test_reciprocal_rank_fusion_adds_one_over_k_plus_rank():
    fused = matching.rrf([[1, 2], [2, 3]], k=60)
    assert fused == pytest.approx({1: 1 / 61, 2: 1 / 62 + 1 / 61, 3: 1 / 62})


def test_shared_terms_lists_repeated_then_long_words_and_skips_single_characters():
    query = ["印染废水", "cod", "印染废水", "水", "降低"]
    doc = ["印染废水", "cod", "水", "臭氧"]
    assert matching.shared_terms(query, doc) == ["印染废水", "cod"]


@pytest.mark.parametrize(
    ("cooperation", "maturity", "expected"),
    [
        ("transfer", 7, {"fits": True, "level": 7, "needs": 7, "cooperation": "transfer"}),
        ("license", 6, {"fits": False, "level": 6, "needs": 7, "cooperation": "license"}),
        ("equity", 5, {"fits": True, "level": 5, "needs": 5, "cooperation": "equity"}),
        ("joint_development", 3, {"fits": True, "level": 3, "needs": 3, "cooperation": "joint_development"}),
        ("service", 9, None),
        ("transfer", None, None),
    ],
)
def test_maturity_fit_follows_what_the_cooperation_implies(cooperation, maturity, expected):
    assert matching.maturity_fit(cooperation, maturity) == expected


def test_budget_fit_compares_the_price_with_the_budget_ceiling():
    assert matching.budget_fit(Decimal("1"), Decimal("500000"), Decimal("400000"), False) == {
        "fits": True,
        "price": "400000",
        "budget_max": "500000",
        "budget_min": "1",
    }
    assert matching.budget_fit(None, Decimal("500000"), Decimal("600000"), False)["fits"] is False
    assert matching.budget_fit(None, Decimal("500000"), None, True) == {"negotiable": True}
    assert matching.budget_fit(None, None, Decimal("600000"), False) is None


def test_listing_reasons_collect_terms_field_maturity_budget_and_semantic():
    reasons = matching.listing_reasons(
        demand={
            "tech_field": "new_materials",
            "cooperation": "transfer",
            "budget_min": None,
            "budget_max": Decimal("300000"),
        },
        achievement={
            "tech_field": "new_materials",
            "maturity": 8,
            "price": Decimal("200000"),
            "negotiable": False,
        },
        query_words=["碳纤维", "车架"],
        doc_words=["碳纤维", "预浸料"],
        cosine=0.8812,
    )
    assert reasons == {
        "terms": ["碳纤维"],
        "same_field": True,
        "maturity": {"fits": True, "level": 8, "needs": 7, "cooperation": "transfer"},
        "budget": {"fits": True, "price": "200000", "budget_max": "300000"},
        "semantic": 0.881,
    }


def test_the_semantic_decision_follows_the_benchmark_figures():
    """Issue 5 item 3: keep the fusion only if it beats BM25 by at least 5 nDCG points."""
    gain = matching.BENCH_FIGURES["fusion"][0] - matching.BENCH_FIGURES["bm25"][0]
    assert matching.USE_SEMANTIC is (gain >= 0.05)


# ---------------------------------------------------------------------------------------------------------
# Metrics and the evaluation set


def test_ndcg_is_one_for_the_ideal_order_and_uses_graded_gains():
    relevant = {1: 2, 2: 1}
    assert ndcg_at([1, 2, 3], relevant) == 1.0
    ideal = 3 + 1 / math.log2(3)
    assert ndcg_at([2, 1], relevant) == pytest.approx((1 + 3 / math.log2(3)) / ideal)
    assert ndcg_at([3, 4], relevant) == 0.0


def test_recall_counts_every_relevant_document_found_in_the_first_k():
    assert recall_at([5, 1, 7], {1: 2, 2: 1}, k=2) == 0.5


def test_word_overlap_is_the_share_of_the_demand_words_found():
    assert word_overlap({"a", "b", "c", "d"}, {"b", "x"}) == 0.25
    assert word_overlap(set(), {"b"}) == 0.0


def test_the_evaluation_set_is_as_large_and_as_hard_as_the_issue_asks():
    demands, achievements = load()
    assert len(demands) >= 200
    assert len(achievements) >= 1000
    paraphrased = [d for d in demands if d.kind == "paraphrase"]
    assert len(paraphrased) * 3 >= len(demands)
    assert {a.tech_field for a in achievements} == set(TechField.values)
    ids = {a.id for a in achievements}
    assert all(d.relevant and set(d.relevant) <= ids and 2 in d.relevant.values() for d in demands)
    by_id = {a.id: a for a in achievements}
    overlaps = [
        word_overlap(
            set(words(d.document)),
            set().union(*(set(words(by_id[i].document)) for i, g in d.relevant.items() if g == 2)),
        )
        for d in paraphrased
    ]
    assert sum(overlaps) / len(overlaps) < 0.15  # paraphrased pairs share few words


def test_the_checked_in_set_is_what_the_builder_makes():
    demands, achievements = load()
    built_demands, built_achievements = build(write=False)
    assert built_demands == demands
    assert built_achievements == achievements


def test_the_halves_keep_both_demands_of_a_topic_together():
    demands, _ = load()
    tune, report = split_topics(demands)
    assert not tune & report
    assert len(tune) == len(report) == 52


def test_evaluate_averages_over_demands():
    demands, _ = load()
    one = demands[:2]
    perfect = evaluate(one, lambda d: sorted(d.relevant, key=lambda i: -d.relevant[i]))
    assert perfect == {"ndcg10": 1.0, "recall100": 1.0, "n": 2}
