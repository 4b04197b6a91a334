"""How well an expert fits an application: field-code overlap and Chinese text similarity.

Pure Python with numpy/scipy and rjieba (jieba-rs: jieba's dictionary and algorithm in Rust, about
16 times faster than jieba's Python); no Django. The score of one pair is

    fit = FIELD_WEIGHT * jaccard(field codes) + TEXT_WEIGHT * cosine(TF-IDF of the texts)

and lies in [0, 1]. Jaccard rather than "any shared code" so that an expert who ticks every field in
the pool does not fit every application equally well.

`FitIndex` scores one application against a whole expert pool without touching every pair: the
cosine is accumulated over the inverted index of the application's terms (an expert who shares no
term has cosine 0 exactly, so nothing is lost), and field overlap is computed with bit masks for the
experts that were touched plus any extra experts the caller asks about (the draw adds a random
sample of field-qualified experts). Terms that occur in more than `MAX_DF` of all documents (and in
more than `KEEP_BELOW` documents) are dropped from the vocabulary, like a stop-word list learned from
the corpus: they carry almost no IDF weight and would make every posting list as long as the pool.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import rjieba
from scipy import sparse

FIELD_WEIGHT = 0.5
TEXT_WEIGHT = 0.5
MAX_DF = 0.2
KEEP_BELOW = 200
_BLOCK = 256

# Function words and words every application uses; the corpus-frequency cut catches the rest.
STOPWORDS = frozenset(
    """
    本项目 项目 研究 技术 开发 应用 相关 通过 进行 实现 提高 提升 基于 主要 以及 针对 具有 方面
    工作 完成 问题 方法 我们 其中 同时 能够 可以 已经 一个 一种 目前 国内 国际 领域 方向 方案
    """.split()
)
_KEEP = re.compile(r"[\u4e00-\u9fff0-9a-z]")


def tokenize(text: str) -> list[str]:
    """Segment Chinese text (jieba's segmentation); keep words of two or more characters that are not stopwords."""
    return list(_tokenize(text))


@functools.lru_cache(maxsize=65536)
def _tokenize(text: str) -> tuple[str, ...]:
    # Cached because segmentation is the slowest step and expert profiles rarely change between
    # draws in one process (a draw, its replacements, a replay).
    words = []
    for token in rjieba.cut(text.lower(), True):  # HMM on: unknown technical words stay whole
        token = token.strip()
        if len(token) >= 2 and _KEEP.search(token) and token not in STOPWORDS:
            words.append(token)
    return tuple(words)


def field_similarity(a: Iterable[str], b: Iterable[str]) -> float:
    """Jaccard overlap of two sets of field codes; 0 when both are empty."""
    a, b = frozenset(a), frozenset(b)
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def fit_score(field_sim: float, text_sim: float) -> float:
    """Combine field overlap and text cosine into the fit in [0, 1]."""
    return min(1.0, max(0.0, FIELD_WEIGHT * field_sim + TEXT_WEIGHT * text_sim))


class TfidfModel:
    """Vocabulary and smoothed IDF learned from tokenized documents; vectors are L2-normalised rows."""

    def __init__(
        self, documents: Sequence[Sequence[str]], *, max_df: float = MAX_DF, keep_below: int = KEEP_BELOW
    ):
        df: Counter[str] = Counter()
        for doc in documents:
            df.update(set(doc))
        n = len(documents)
        limit = max(max_df * n, keep_below)
        terms = sorted(t for t, c in df.items() if c <= limit)
        self.vocabulary = {t: i for i, t in enumerate(terms)}
        self.idf = np.array([math.log((1 + n) / (1 + df[t])) + 1.0 for t in terms], dtype=np.float64)

    def transform(self, documents: Iterable[Sequence[str]]) -> sparse.csr_matrix:
        """Sublinear TF times IDF, one L2-normalised row per document (an empty document is a zero row)."""
        vocab, idf = self.vocabulary, self.idf
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        for doc in documents:
            counts = Counter(vocab[t] for t in doc if t in vocab)
            cols = sorted(counts)
            weights = [(1.0 + math.log(counts[c])) * idf[c] for c in cols]
            norm = math.sqrt(sum(w * w for w in weights))
            indices.extend(cols)
            data.extend(w / norm for w in weights)
            indptr.append(len(indices))
        return sparse.csr_matrix(
            (
                np.array(data, dtype=np.float64),
                np.array(indices, dtype=np.int32),
                np.array(indptr, dtype=np.int64),
            ),
            shape=(len(indptr) - 1, len(vocab)),
        )


class FitIndex:
    """Fit of each application against an expert pool, both given as parallel lists of field codes and texts.

    Positions, not ids: expert `p` is the p-th entry of the lists given to the constructor. The IDF is
    learned from experts and applications together, so the same inputs always give the same scores.
    """

    def __init__(
        self,
        expert_fields: Sequence[Iterable[str]],
        expert_texts: Sequence[str],
        application_fields: Sequence[Iterable[str]],
        application_texts: Sequence[str],
    ):
        expert_tokens = [_tokenize(t) for t in expert_texts]
        application_tokens = [_tokenize(t) for t in application_texts]
        self.model = TfidfModel(expert_tokens + application_tokens)
        self.n_experts = len(expert_tokens)
        self._experts = self.model.transform(expert_tokens)
        self._postings = self._experts.tocsc()
        self._applications = self.model.transform(application_tokens)
        self._acc = np.zeros(self.n_experts, dtype=np.float64)
        self._mark = np.zeros(self.n_experts, dtype=bool)
        self._block = -1
        self._block_cosines: sparse.csr_matrix | None = None
        self._qualified_cache: dict[tuple[str, ...], np.ndarray] = {}

        expert_sets = [frozenset(f) for f in expert_fields]
        application_sets = [frozenset(f) for f in application_fields]
        codes = sorted(frozenset().union(*expert_sets, *application_sets))
        self._code_bit = {c: i for i, c in enumerate(codes)}
        words = max(1, (len(codes) + 63) // 64)
        self._expert_bits = self._bits(expert_sets, words)
        self._application_bits = self._bits(application_sets, words)
        self._expert_code_count = np.bitwise_count(self._expert_bits).sum(axis=1, dtype=np.int64)
        self._application_code_count = np.bitwise_count(self._application_bits).sum(axis=1, dtype=np.int64)
        members: dict[str, list[int]] = {}
        for p, fields in enumerate(expert_sets):
            for c in fields:
                members.setdefault(c, []).append(p)
        self._field_postings = {c: np.array(ps, dtype=np.int64) for c, ps in members.items()}
        self._application_codes = [sorted(f) for f in application_sets]

    def _bits(self, sets: Sequence[frozenset[str]], words: int) -> np.ndarray:
        bits = np.zeros((len(sets), words), dtype=np.uint64)
        for row, fields in enumerate(sets):
            for c in fields:
                b = self._code_bit[c]
                bits[row, b // 64] |= np.uint64(1) << np.uint64(b % 64)
        return bits

    def qualified(self, application: int) -> np.ndarray:
        """Sorted positions of the experts who share at least one field code with the application."""
        codes = tuple(c for c in self._application_codes[application] if c in self._field_postings)
        found = self._qualified_cache.get(codes)
        if found is None:
            mark = np.zeros(self.n_experts, dtype=bool)
            for c in codes:
                mark[self._field_postings[c]] = True
            found = self._qualified_cache[codes] = np.flatnonzero(mark)
        return found

    def score(self, application: int, extra: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Exact fit for every expert sharing a term with the application, plus the `extra` positions.

        Returns (sorted expert positions, fits). Experts not returned share no term and are not in
        `extra`: their fit is FIELD_WEIGHT * jaccard, which the caller can get with `fit_of`.
        Applications are scored a block at a time (one sparse product), so ask in order for speed.
        """
        block = application // _BLOCK
        if block != self._block:
            rows = slice(block * _BLOCK, min((block + 1) * _BLOCK, self._applications.shape[0]))
            self._block_cosines = (self._applications[rows] @ self._postings.T).tocsr()
            self._block = block
        cosines = self._block_cosines
        row = application - block * _BLOCK
        start, end = cosines.indptr[row], cosines.indptr[row + 1]
        text_hits = cosines.indices[start:end]
        mark, acc = self._mark, self._acc
        acc[text_hits] = cosines.data[start:end]
        mark[text_hits] = True
        if extra is not None and len(extra):
            mark[extra] = True
        touched = np.flatnonzero(mark)
        mark[touched] = False
        cosine = acc[touched]
        acc[text_hits] = 0.0
        return touched, self._combine(application, touched, cosine)

    def fit_of(self, application: int, positions: Sequence[int] | np.ndarray) -> np.ndarray:
        """Exact fit of the application with the experts at `positions`, in the given order."""
        positions = np.asarray(positions, dtype=np.int64)
        if not len(positions):
            return np.empty(0, dtype=np.float64)
        vector = self._applications[application]
        cosine = np.asarray((self._experts[positions] @ vector.T).todense()).ravel()
        return self._combine(application, positions, cosine)

    def _combine(self, application: int, positions: np.ndarray, cosine: np.ndarray) -> np.ndarray:
        app_bits = self._application_bits[application]
        inter = np.bitwise_count(self._expert_bits[positions] & app_bits).sum(axis=1, dtype=np.int64)
        union = self._expert_code_count[positions] + self._application_code_count[application] - inter
        jaccard = np.divide(inter, union, out=np.zeros(len(positions)), where=union > 0)
        return np.clip(FIELD_WEIGHT * jaccard + TEXT_WEIGHT * np.minimum(cosine, 1.0), 0.0, 1.0)
