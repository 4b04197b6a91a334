"""The BM25 engine (market/bm25.py), without a database: ranking rules, kernels, persistence, segmentation."""

import random

import bm25s
import numpy as np
import pytest

from kechuang.market import bm25
from kechuang.market.bm25 import K1, Bm25Index, idf, query_weights
from kechuang.market.segment import tokens


def corpus(seed=3, n=600, vocabulary=200):
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(vocabulary)]
    return [
        [rng.choice(words[: rng.randint(5, vocabulary)]) for _ in range(rng.randint(1, 40))] for _ in range(n)
    ]


def test_scores_are_those_of_bm25s_lucene():
    docs = corpus()
    index = Bm25Index.build(range(1000, 1000 + len(docs)), docs)
    reference = bm25s.BM25(k1=1.5, b=0.75, method="lucene")
    reference.index(docs, show_progress=False)
    for query in (["w1"], ["w3", "w17", "w150"], ["w5", "w199", "unknown"]):
        assert np.allclose(index.scores(query), reference.get_scores(query), rtol=1e-5, atol=1e-6)


def test_a_document_with_the_query_word_ranks_above_one_without_and_that_one_is_not_returned():
    index = Bm25Index.build([1, 2, 3], [["印染", "废水"], ["机器", "视觉"], ["废水", "回用", "膜"]])
    assert [doc for doc, _score in index.search(["废水"], k=10)] == [1, 3]
    assert index.search(["膜", "废水"], k=1)[0][0] == 3
    assert index.search(["石墨烯"]) == []


def test_term_saturation_each_repeat_adds_less_and_the_score_stays_below_idf():
    # Documents of equal length (padded with a filler word) repeating the query word 1, 2, 3 and 10 times.
    docs = [["碳纤维"] * tf + ["填充"] * (12 - tf) for tf in (1, 2, 3, 10)] + [["其他"] * 12] * 4
    index = Bm25Index.build(range(len(docs)), docs)
    s1, s2, s3, s10 = index.scores(["碳纤维"])[:4]
    assert s1 < s2 < s3 < s10
    assert s2 - s1 > s3 - s2 > 0
    assert s10 < idf(len(docs), 4)  # tf / (tf + k1·norm) < 1
    norm = K1  # every document has the average length: norm = k1
    assert s1 == pytest.approx(idf(len(docs), 4) * 1 / (1 + norm), rel=1e-5)


def test_a_rare_word_weighs_more_than_a_common_one_and_longer_documents_less():
    docs = [["常见", "罕见"], ["常见"], ["常见"], ["常见"], ["常见", "罕见"] + ["其他"] * 20]
    index = Bm25Index.build(range(5), docs)
    rare, common = index.scores(["罕见"]), index.scores(["常见"])
    assert rare[0] > common[0]
    assert rare[0] > rare[4]


def test_a_repeated_query_word_counts_with_saturation():
    index = Bm25Index.build(range(3), [["a", "b"], ["b"], ["c"]])
    once, twice = index.scores(["a"]), index.scores(["a", "a"])
    assert twice[0] == pytest.approx(once[0] * query_weights([2])[0], rel=1e-6)
    assert query_weights([1])[0] == 1.0
    assert 1.5 < query_weights([2])[0] < 2.0


def test_a_long_query_adds_up_its_words():
    docs = corpus(seed=5)
    index = Bm25Index.build(range(len(docs)), docs)
    query = [f"w{i}" for i in range(0, 200, 3)]
    expected = sum(index.scores([word]) for word in query)
    assert np.allclose(index.scores(query), expected, rtol=1e-5, atol=1e-6)
    best = index.search(query, k=5)
    assert [doc for doc, _ in best] == list(np.argsort(-expected, kind="stable")[:5])


def test_mask_k_and_equal_scores():
    index = Bm25Index.build([10, 11, 12, 13], [["x"], ["x"], ["x"], ["y"]])
    assert [doc for doc, _ in index.search(["x"], k=10)] == [10, 11, 12]  # equal scores: build order
    mask = np.array([False, True, True, True])
    assert [doc for doc, _ in index.search(["x"], k=10, mask=mask)] == [11, 12]
    assert [doc for doc, _ in index.search(["x"], k=1, mask=mask)] == [11]
    assert index.search(["x"], k=0) == []
    positions, scores, total = index.top(["x"], k=1, mask=mask)
    assert (positions.tolist(), total) == ([1], 2)


def test_the_numba_kernels_agree_with_numpy(monkeypatch):
    rng = np.random.default_rng(7)
    docs = corpus(seed=11, n=3000)
    index = Bm25Index.build(range(len(docs)), docs)
    mask = rng.random(len(docs)) < 0.4
    for query in (["w1"], ["w2", "w40", "w41", "w41"], [f"w{i}" for i in range(60)]):
        for k in (0, 1, 7, 100, 5000):
            for m in (None, mask):
                monkeypatch.setattr(bm25, "USE_NUMBA", True)
                fast = index.top(query, k, m)
                monkeypatch.setattr(bm25, "USE_NUMBA", False)
                slow = index.top(query, k, m)
                assert fast[0].tolist() == slow[0].tolist()
                assert np.allclose(fast[1], slow[1]) and fast[2] == slow[2]


def test_statistics_of_a_large_index_make_a_small_one_comparable():
    docs = [["碳纤维", "复合材料"], ["复合材料", "模具"], ["注塑", "模具"], ["碳纤维", "注塑"]]
    main = Bm25Index.build(range(4), docs)
    new = ["碳纤维", "模具"]  # as long as the average, so the combined average stays the same
    small = Bm25Index.build([99], [new], stats=main.stats())
    combined = Bm25Index.build(range(5), [*docs, new])
    assert small.scores(["碳纤维", "模具"])[0] == pytest.approx(
        combined.scores(["碳纤维", "模具"])[4], rel=1e-6
    )


def test_save_and_memory_mapped_load(tmp_path):
    docs = corpus(seed=13)
    index = Bm25Index.build(range(5, 5 + len(docs)), docs)
    index.save(tmp_path / "idx")
    loaded = Bm25Index.load(tmp_path / "idx")
    assert isinstance(loaded.data, np.memmap)
    assert loaded.search(["w3", "w9"], k=20) == index.search(["w3", "w9"], k=20)
    assert loaded.avgdl == index.avgdl and loaded.n_docs == index.n_docs


def test_an_empty_index_and_empty_queries():
    empty = Bm25Index.build([], [])
    assert empty.search(["x"]) == [] and empty.scores(["x"]).shape == (0,)
    index = Bm25Index.build([1], [["x"]])
    assert index.search([]) == [] and index.df("x") == 1 and index.df("y") == 0


def test_chinese_segmentation_keeps_domain_terms_whole_and_yields_their_parts():
    assert {"印染废水", "印染", "废水", "处理"} <= set(tokens("印染废水处理"))
    assert "难降解有机废水" in tokens("一种难降解有机废水的处理工艺")
    assert "技术" not in tokens("关键技术")  # a stopword: it would match every listing
    index = Bm25Index.build([1, 2], [tokens("印染废水深度处理与中水回用"), tokens("工业机器人视觉引导系统")])
    assert [doc for doc, _ in index.search(tokens("废水"))] == [1]
    assert [doc for doc, _ in index.search(tokens("印染废水"))] == [1]
    assert [doc for doc, _ in index.search(tokens("机器人"))] == [2]
