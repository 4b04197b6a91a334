"""Benchmark of market matching on the evaluation set (`make bench-market-match`; no database).

    python -m kechuang.market.bench_match [--rebuild] [--no-cache] [--json FILE]

Ranks the 1,050 achievements for each of the 208 demands with BM25 alone, the embedding alone, reciprocal rank
fusion and the normalised linear mix (matching.fuse). The linear mix's weight and lexical scale, the RRF
constant and the strong-match threshold are chosen on the tuning half of the topics; nDCG@10 and recall@100
are reported on the other half (and, for reference, on all demands, by demand kind). Vectors are cached under
var/cache/ keyed by the model and the texts; the encode time per text is measured afresh on every run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from . import embedding, matching
from .bm25 import Bm25Index
from .match_eval import DATA_DIR, build, evaluate, load, split_topics, word_overlap
from .segment import tokens, words

WEIGHTS = [round(w, 2) for w in np.arange(0.0, 1.0001, 0.05)]
SCALES = [5.0, 10.0, 20.0, 40.0, 80.0]
RRF_KS = [10, 30, 60, 100]
TIMING_SAMPLE = 48


def _var_dir() -> Path:
    return Path(os.environ.get("KECHUANG_VAR_DIR", Path(__file__).resolve().parents[3] / "var"))


def _vectors(texts: list[str], *, query: bool, use_cache: bool) -> np.ndarray:
    digest = hashlib.sha256(
        "\n".join([embedding.MODEL_NAME, str(query), *texts]).encode("utf-8")
    ).hexdigest()[:16]
    path = _var_dir() / "cache" / f"match-eval-{digest}.npy"
    if use_cache and path.exists():
        return np.load(path)
    out = []
    for start in range(0, len(texts), 32):
        out.append(embedding.encode(texts[start : start + 32], query=query))
        print(f"  encoded {min(start + 32, len(texts))}/{len(texts)}", file=sys.stderr, end="\r")
    print(file=sys.stderr)
    vectors = np.vstack(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def _ranker(score_rows: dict[int, np.ndarray], doc_ids: np.ndarray, depth: int = 100):
    def rank(demand):
        positions = matching.top_k(score_rows[demand.id], depth, min_score=-np.inf)
        return doc_ids[positions].tolist()

    return rank


def _rrf_ranker(bm25_rows, cos_rows, doc_ids, k, depth=100):
    def rank(demand):
        lexical = doc_ids[matching.top_k(bm25_rows[demand.id], 1000)].tolist()
        semantic = doc_ids[matching.top_k(cos_rows[demand.id], 1000, min_score=-np.inf)].tolist()
        fused = matching.rrf([lexical, semantic], k)
        return sorted(fused, key=lambda d: (-fused[d], d))[:depth]

    return rank


def strong_threshold(pairs: list[tuple[float, bool]], precision: float = 0.8) -> float:
    """The lowest score t such that the pairs scoring ≥ t are relevant at least `precision` of the time."""
    best = 1.0
    hits = total = 0
    for score, relevant in sorted(pairs, key=lambda p: -p[0]):
        total += 1
        hits += relevant
        if hits / total >= precision:
            best = score
    return best


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="rebuild demands/achievements.jsonl first")
    parser.add_argument("--no-cache", action="store_true", help="encode every text again")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    if args.rebuild:
        build(DATA_DIR)
    demands, achievements = load(DATA_DIR)
    doc_ids = np.array([a.id for a in achievements])
    by_id = {a.id: a for a in achievements}
    tune_topics, report_topics = split_topics(demands)
    tune = [d for d in demands if d.topic in tune_topics]
    report = [d for d in demands if d.topic in report_topics]
    result: dict = {
        "demands": len(demands),
        "achievements": len(achievements),
        "paraphrase_demands": sum(d.kind == "paraphrase" for d in demands),
        "tune_demands": len(tune),
        "report_demands": len(report),
    }

    # Word overlap between each demand and the achievements that solve it (segment.words, distinct words).
    doc_words = {a.id: set(words(a.document)) for a in achievements}
    for kind in ("paraphrase", "lexical"):
        values = []
        for d in demands:
            if d.kind == kind:
                solving = set().union(*(doc_words[i] for i, g in d.relevant.items() if g == 2))
                values.append(word_overlap(set(words(d.document)), solving))
        result[f"overlap_{kind}"] = float(np.mean(values))

    started = time.perf_counter()
    index = Bm25Index.build(doc_ids.tolist(), (tokens(a.document) for a in achievements))
    bm25_rows = {d.id: index.scores(tokens(d.document)) for d in demands}
    result["bm25_ms_per_demand"] = (time.perf_counter() - started) * 1000 / len(demands)

    methods: dict[str, dict] = {"bm25": {"rank": _ranker(bm25_rows, doc_ids)}}
    if embedding.available():
        sample = [a.document for a in achievements[:TIMING_SAMPLE]]
        embedding.encode(sample[:2])  # load the model outside the timing
        started = time.perf_counter()
        embedding.encode(sample)
        result["encode_ms_per_text"] = (time.perf_counter() - started) * 1000 / len(sample)
        result["model"] = embedding.MODEL_NAME
        doc_vectors = _vectors([a.document for a in achievements], query=False, use_cache=not args.no_cache)
        query_vectors = _vectors([d.document for d in demands], query=True, use_cache=not args.no_cache)
        cos_rows = {d.id: doc_vectors @ query_vectors[i] for i, d in enumerate(demands)}
        methods["embedding"] = {"rank": _ranker(cos_rows, doc_ids)}

        # Normalisation of the cosine: an ordinary pair and a near-duplicate, from the tuning half.
        tune_cos = np.concatenate([cos_rows[d.id] for d in tune])
        floor, ceiling = float(np.percentile(tune_cos, 50)), float(np.percentile(tune_cos, 99.9))

        best = None
        for scale in SCALES:
            for weight in WEIGHTS:
                fusion = matching.Fusion(weight, scale, floor, ceiling)
                rows = {d.id: matching.fuse(bm25_rows[d.id], cos_rows[d.id], fusion) for d in tune}
                ndcg = evaluate(tune, _ranker(rows, doc_ids))["ndcg10"]
                if best is None or ndcg > best[0] + 1e-9:
                    best = (ndcg, fusion)
        fusion = best[1]
        result["fusion"] = {
            "method": "linear",
            "weight": fusion.weight,
            "lexical_scale": fusion.lexical_scale,
            "semantic_floor": round(floor, 4),
            "semantic_ceiling": round(ceiling, 4),
            "tune_ndcg10": best[0],
        }
        fused_rows = {d.id: matching.fuse(bm25_rows[d.id], cos_rows[d.id], fusion) for d in demands}
        methods["fusion"] = {"rank": _ranker(fused_rows, doc_ids)}

        rrf_tune = {k: evaluate(tune, _rrf_ranker(bm25_rows, cos_rows, doc_ids, k))["ndcg10"] for k in RRF_KS}
        best_k = max(RRF_KS, key=lambda k: rrf_tune[k])
        result["rrf_k"] = best_k
        result["rrf_tune_ndcg10"] = rrf_tune[best_k]
        methods["rrf"] = {"rank": _rrf_ranker(bm25_rows, cos_rows, doc_ids, best_k)}

        pairs = [
            (float(s), i in d.relevant) for d in tune for i, s in zip(doc_ids, fused_rows[d.id], strict=True)
        ]
        result["strong_score"] = strong_threshold(pairs)
    else:
        result["model"] = None

    # Lexical-only strength threshold (used where the model is absent).
    lexical_rows = {d.id: matching.lexical_strength(bm25_rows[d.id]) for d in tune}
    pairs = [
        (float(s), i in d.relevant) for d in tune for i, s in zip(doc_ids, lexical_rows[d.id], strict=True)
    ]
    result["strong_score_lexical"] = strong_threshold(pairs)

    result["report"] = {}
    for name, method in methods.items():
        result["report"][name] = {
            "half": evaluate(report, method["rank"]),
            "all": evaluate(demands, method["rank"]),
            "paraphrase": evaluate([d for d in demands if d.kind == "paraphrase"], method["rank"]),
            "lexical": evaluate([d for d in demands if d.kind == "lexical"], method["rank"]),
        }
    if "fusion" in result["report"]:
        gain = result["report"]["fusion"]["half"]["ndcg10"] - result["report"]["bm25"]["half"]["ndcg10"]
        result["fusion_gain_ndcg"] = gain
        result["keep_fusion"] = gain >= matching.MIN_NDCG_GAIN
    _print(result, by_id)
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return result


def _print(result: dict, by_id) -> None:
    print(
        f"Evaluation set: {result['demands']} demands ({result['paraphrase_demands']} paraphrased), "
        f"{result['achievements']} achievements; tuning half {result['tune_demands']} demands, "
        f"reporting half {result['report_demands']}."
    )
    print(
        f"Word overlap with the solving achievement (share of the demand's words): paraphrased "
        f"{result['overlap_paraphrase']:.1%}, lexical {result['overlap_lexical']:.1%}."
    )
    if result.get("model"):
        print(
            f"Model {result['model']}: encode {result['encode_ms_per_text']:.1f} ms per text (batch of 48)."
        )
    else:
        print("Embedding model not available: BM25 only.")
    print(f"BM25: {result['bm25_ms_per_demand']:.2f} ms per demand over the corpus.")
    if "fusion" in result:
        f = result["fusion"]
        print(
            f"Fusion chosen on the tuning half: linear, semantic weight {f['weight']}, lexical scale "
            f"{f['lexical_scale']}, cosine floor {f['semantic_floor']} ceiling {f['semantic_ceiling']}; "
            f"tuning nDCG@10 {f['tune_ndcg10']:.3f} (RRF, k={result['rrf_k']}: {result['rrf_tune_ndcg10']:.3f}; "
            f"the linear mix is kept in production also because it gives an absolute strength). Strong match ≥ {result['strong_score']:.3f} "
            f"(lexical only ≥ {result['strong_score_lexical']:.3f})."
        )
    print()
    print(f"{'method':<10} {'nDCG@10':>8} {'R@100':>7}   {'all nDCG':>8} {'para':>6} {'lex':>6}")
    for name, rows in result["report"].items():
        print(
            f"{name:<10} {rows['half']['ndcg10']:>8.3f} {rows['half']['recall100']:>7.3f}   "
            f"{rows['all']['ndcg10']:>8.3f} {rows['paraphrase']['ndcg10']:>6.3f} {rows['lexical']['ndcg10']:>6.3f}"
        )
    print(
        "(nDCG@10 and R@100 on the reporting half; 'all', 'para', 'lex': nDCG@10 over all demands / by kind)"
    )
    if "fusion_gain_ndcg" in result:
        verdict = "keep the fusion" if result["keep_fusion"] else "lexical only"
        print(
            f"\nFusion − BM25 = {result['fusion_gain_ndcg'] * 100:+.1f} nDCG points "
            f"(threshold {matching.MIN_NDCG_GAIN * 100:.0f}): {verdict}."
        )
        if result["keep_fusion"] != matching.USE_SEMANTIC:
            print("matching.USE_SEMANTIC disagrees with these figures: update BENCH_FIGURES in matching.py.")


if __name__ == "__main__":
    main()
