"""Fit scoring (kechuang.reviews.fit): pure functions, no database."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kechuang.reviews.fit import (
    FIELD_WEIGHT,
    TEXT_WEIGHT,
    FitIndex,
    TfidfModel,
    field_similarity,
    fit_score,
    tokenize,
)

WORDS = [
    "石墨烯涂料",
    "锂离子电池",
    "正极材料",
    "印染废水",
    "工业机器人",
    "数控机床",
    "单克隆抗体",
    "集成电路",
    "光伏组件",
]
CODES = ["electronic_information", "new_materials", "new_energy", "C39", "C17"]


def test_tokenize_keeps_words_of_two_or_more_characters_and_drops_stopwords():
    assert tokenize("锂离子电池正极材料的产业化") == ["锂离子", "电池", "正极", "材料", "产业化"]
    assert tokenize("本项目研究5G通信模组与AI芯片") == ["5g", "通信", "模组", "ai", "芯片"]
    assert tokenize("") == []


def test_field_similarity_is_jaccard():
    assert field_similarity({"new_materials", "C26"}, {"new_materials", "C26", "C28"}) == pytest.approx(2 / 3)
    assert field_similarity({"new_materials"}, {"new_energy"}) == 0.0
    assert field_similarity(set(), set()) == 0.0


def test_fit_score_weights_and_clips():
    assert fit_score(1.0, 1.0) == 1.0
    assert fit_score(0.5, 0.2) == pytest.approx(FIELD_WEIGHT * 0.5 + TEXT_WEIGHT * 0.2)
    assert fit_score(0.0, 0.0) == 0.0


def test_tfidf_rows_are_unit_vectors_and_identical_texts_have_cosine_one():
    docs = [tokenize(t) for t in ["锂离子电池正极材料", "锂离子电池正极材料", "印染废水深度处理", ""]]
    model = TfidfModel(docs)
    m = model.transform(docs)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    assert norms.tolist() == pytest.approx([1.0, 1.0, 1.0, 0.0])
    cos = (m @ m.T).toarray()
    assert cos[0, 1] == pytest.approx(1.0)
    assert cos[0, 2] == 0.0


def test_terms_in_most_documents_of_a_large_corpus_are_dropped():
    common = ["通用词"]
    docs = [common + [f"专用词{i}"] for i in range(300)]
    assert "通用词" not in TfidfModel(docs).vocabulary
    assert "通用词" in TfidfModel(docs[:150]).vocabulary  # a small corpus keeps everything


def _brute_force(expert_fields, expert_texts, app_fields, app_texts):
    """Every pair scored directly: the reference the index must agree with."""
    model = TfidfModel([tokenize(t) for t in expert_texts] + [tokenize(t) for t in app_texts])
    e = model.transform([tokenize(t) for t in expert_texts])
    a = model.transform([tokenize(t) for t in app_texts])
    cos = (a @ e.T).toarray()
    fits = np.array(
        [
            [fit_score(field_similarity(af, ef), min(1.0, cos[i, j])) for j, ef in enumerate(expert_fields)]
            for i, af in enumerate(app_fields)
        ]
    )
    return cos, fits


profiles = st.lists(
    st.tuples(
        st.frozensets(st.sampled_from(CODES), max_size=3), st.lists(st.sampled_from(WORDS), max_size=4)
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None)
@given(experts=profiles, applications=profiles, extra_seed=st.integers(0, 2**16))
def test_index_scores_agree_with_scoring_every_pair(experts, applications, extra_seed):
    expert_fields = [f for f, _ in experts]
    expert_texts = ["、".join(w) for _, w in experts]
    app_fields = [f for f, _ in applications]
    app_texts = ["基于" + "和".join(w) + "的研究" for _, w in applications]
    index = FitIndex(expert_fields, expert_texts, app_fields, app_texts)
    cos, fits = _brute_force(expert_fields, expert_texts, app_fields, app_texts)
    rng = np.random.default_rng(extra_seed)
    for i in range(len(applications)):
        extra = rng.choice(len(experts), size=min(3, len(experts)), replace=False)
        touched, got = index.score(i, extra)
        # Every expert sharing a term is scored, and so is every extra one.
        assert set(np.flatnonzero(cos[i] > 1e-12)) | set(extra.tolist()) <= set(touched.tolist())
        assert got == pytest.approx(fits[i, touched])
        assert index.fit_of(i, np.arange(len(experts))) == pytest.approx(fits[i])
        assert all(0.0 <= f <= 1.0 for f in got)
        qualified = [j for j, ef in enumerate(expert_fields) if ef & app_fields[i]]
        assert index.qualified(i).tolist() == qualified


def test_expert_with_same_fields_and_text_fits_best():
    index = FitIndex(
        [{"new_energy", "C38"}, {"new_energy"}, {"C17"}],
        ["锂离子电池正极材料", "光伏组件逆变器", "印染废水处理"],
        [{"new_energy", "C38"}],
        ["锂离子电池正极材料"],
    )
    fits = index.fit_of(0, [0, 1, 2])
    assert fits[0] == pytest.approx(1.0)
    assert fits[1] == pytest.approx(FIELD_WEIGHT * 0.5)
    assert fits[2] == 0.0
    assert math.isclose(sum(fits), 1.0 + FIELD_WEIGHT * 0.5)
