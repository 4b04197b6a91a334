"""Matching of the market, the pure part: score fusion, ranking and the reasons of a match. No Django.

A listing is matched against the published listings of the other kind on two signals:

* lexical: BM25 (market/bm25.py) of the listing's words against the other side's, turned into a strength in
  [0, 1) by `lexical_strength` = bm25 / (bm25 + LEXICAL_SCALE), so that a score means the same whatever the
  query's length and the top match is not 1 by construction;
* semantic: the cosine of the two listings' e5 sentence embeddings (embedding.py), rescaled to [0, 1] by
  `semantic_strength` between the cosine of an ordinary pair (floor) and of a near-duplicate (ceiling).

`fuse` mixes them linearly with the semantic weight tuned on one half of the evaluation set
(`make bench-market-match`, figures in docs/market-matching.md). The semantic side is used in production only
when the fusion beat BM25 by at least MIN_NDCG_GAIN nDCG points on the other half (`USE_SEMANTIC`); without the
model, or when a listing has no vector yet, the strength is the lexical one alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

# ---------------------------------------------------------------------------------------------------------
# Fusion


@dataclass(frozen=True)
class Fusion:
    """How the two signals are mixed (the tuned values live in FUSION below)."""

    weight: float  # of the semantic strength; 1 − weight for the lexical one
    lexical_scale: float  # bm25 at which the lexical strength is 0.5
    semantic_floor: float  # cosine of an ordinary pair: strength 0 at or below
    semantic_ceiling: float  # cosine of a near-duplicate: strength 1 at or above


# Tuned by `python -m kechuang.market.bench_match` on the tuning half of the evaluation set (seed 2026): the
# weight and lexical scale by grid search for the best nDCG@10, the cosine floor and ceiling as the median and
# the 99.9th percentile of all demand–achievement cosines. The figures are those of the other half (104
# demands, 1,050 achievements). Re-run the benchmark after changing the model, the tokenizer or the set.
FUSION = Fusion(weight=0.85, lexical_scale=20.0, semantic_floor=0.8578, semantic_ceiling=0.9096)
BENCH_FIGURES = {
    # method: (nDCG@10, recall@100) on the reporting half
    "bm25": (0.686, 0.885),
    "embedding": (0.781, 0.981),
    "fusion": (0.785, 0.976),
}
MIN_NDCG_GAIN = 0.05  # the fusion is kept only if it beats BM25 by this much (issue 5 item 3)
USE_SEMANTIC = BENCH_FIGURES["fusion"][0] - BENCH_FIGURES["bm25"][0] >= MIN_NDCG_GAIN
# A listing-to-listing match at least this strong is "strong": its owners are told once. Chosen on the tuning
# half as the lowest score at which at least 80% of the pairs scoring as much are judged relevant.
STRONG_SCORE = 0.90
STRONG_SCORE_LEXICAL = 0.43  # the same for lexical-only strengths (no model here)


def lexical_strength(bm25: np.ndarray | float, scale: float = FUSION.lexical_scale) -> np.ndarray:
    """bm25 / (bm25 + scale): 0 for no shared word, 0.5 at `scale`, approaching 1."""
    value = np.asarray(bm25, dtype=np.float64)
    return np.where(value > 0, value / (value + scale), 0.0)


def semantic_strength(cosine: np.ndarray | float, fusion: Fusion = FUSION) -> np.ndarray:
    """The cosine rescaled between the floor (0) and the ceiling (1), clipped."""
    value = np.asarray(cosine, dtype=np.float64)
    span = max(fusion.semantic_ceiling - fusion.semantic_floor, 1e-9)
    return np.clip((value - fusion.semantic_floor) / span, 0.0, 1.0)


def fuse(
    bm25: np.ndarray, cosine: np.ndarray | None, fusion: Fusion = FUSION, *, semantic: bool = True
) -> np.ndarray:
    """The fused strength of each candidate; lexical only when `cosine` is None or `semantic` is off.

    Entries of `cosine` that are NaN (a candidate without a vector yet) fall back to the lexical strength, so a
    missing vector never scores a candidate below one that has one and is otherwise equal.
    """
    lexical = lexical_strength(bm25, fusion.lexical_scale)
    if cosine is None or not semantic:
        return lexical
    cosine = np.asarray(cosine, dtype=np.float64)
    missing = np.isnan(cosine)
    mixed = (1 - fusion.weight) * lexical + fusion.weight * semantic_strength(np.nan_to_num(cosine), fusion)
    return np.where(missing, lexical, mixed)


def rrf(rankings: Sequence[Sequence[int]], k: int = 60) -> dict[int, float]:
    """Reciprocal rank fusion (Cormack et al., 2009): Σ 1 / (k + rank) over the rankings, rank from 1."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, doc in enumerate(ranking, start=1):
            scores[doc] = scores.get(doc, 0.0) + 1.0 / (k + rank)
    return scores


def top_k(scores: np.ndarray, k: int, *, keep: np.ndarray | None = None, min_score: float = 0.0) -> list[int]:
    """Positions of the `k` highest scores above `min_score` that `keep` allows, best first; equal scores keep
    position order (so results are stable from run to run)."""
    scores = np.asarray(scores, dtype=np.float64)
    if keep is not None:
        scores = np.where(keep, scores, -np.inf)
    candidates = np.flatnonzero(scores > min_score)
    if len(candidates) == 0 or k <= 0:
        return []
    order = np.lexsort((candidates, -scores[candidates]))
    return candidates[order][:k].tolist()


# ---------------------------------------------------------------------------------------------------------
# Reasons


def shared_terms(query_words: Iterable[str], doc_words: Iterable[str], limit: int = 6) -> list[str]:
    """The words both texts use, the query's most repeated first, longest next (a long term says more than a
    short one: 印染废水 before 废水); single characters are left out."""
    doc = set(doc_words)
    counts = Counter(w for w in query_words if len(w) > 1 and w in doc)
    ordered = sorted(counts, key=lambda w: (-counts[w], -len(w), w))
    return ordered[:limit]


# What a demand's wished form of cooperation implies about the maturity (技术就绪水平 1–9) it can take on:
# buying or licensing a technology needs one that works in real conditions (7+); taking an equity stake, at
# least a pilot (5+); developing it together or commissioning it, any result past the proof of principle (3+).
# A service (consulting, testing) does not depend on maturity.
MATURITY_NEEDED = {
    "transfer": 7,
    "license": 7,
    "equity": 5,
    "joint_development": 3,
    "commissioned": 3,
}


def maturity_fit(cooperation: str | None, maturity: int | None) -> dict | None:
    """{"fits", "level", "needs", "cooperation"} for a demand's cooperation and an achievement's maturity, or None when the
    rule says nothing (a service, or a maturity not given)."""
    needs = MATURITY_NEEDED.get(cooperation or "")
    if needs is None or not maturity:
        return None
    return {"fits": maturity >= needs, "level": int(maturity), "needs": needs, "cooperation": cooperation}


def budget_fit(
    budget_min: Decimal | None, budget_max: Decimal | None, price: Decimal | None, negotiable: bool
) -> dict | None:
    """How an achievement's listed price compares with a demand's budget: {"fits", "price", "budget_max"}, or
    {"negotiable": True} when the price is to be agreed, or None when either side gave no figure."""
    if negotiable and price is None:
        return {"negotiable": True}
    if price is None or budget_max is None:
        return None
    fits = price <= budget_max
    result = {"fits": fits, "price": str(price), "budget_max": str(budget_max)}
    if budget_min is not None:
        result["budget_min"] = str(budget_min)
    if negotiable:
        result["negotiable"] = True
    return result


def listing_reasons(
    *,
    demand: dict,
    achievement: dict,
    query_words: Sequence[str],
    doc_words: Sequence[str],
    cosine: float | None,
) -> dict:
    """The reasons of a demand–achievement match (either side asking): shared terms, field, maturity, budget,
    semantic similarity. `demand` and `achievement` are dicts of the listing fields used."""
    reasons: dict = {"terms": shared_terms(query_words, doc_words)}
    reasons["same_field"] = bool(demand.get("tech_field")) and demand.get("tech_field") == achievement.get(
        "tech_field"
    )
    if (fit := maturity_fit(demand.get("cooperation"), achievement.get("maturity"))) is not None:
        reasons["maturity"] = fit
    if (
        fit := budget_fit(
            demand.get("budget_min"),
            demand.get("budget_max"),
            achievement.get("price"),
            bool(achievement.get("negotiable")),
        )
    ) is not None:
        reasons["budget"] = fit
    if cosine is not None and not np.isnan(cosine):
        reasons["semantic"] = round(float(cosine), 3)
    return reasons
