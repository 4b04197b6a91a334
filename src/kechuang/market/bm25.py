"""BM25 ranking over token lists: a small engine in numpy and numba, no Django (search and matching share it).

    index = Bm25Index.build(ids, token_lists)          # token_lists from segment.tokens()
    index.search(query_tokens, k=10, mask=None)        # [(id, score), ...] best first
    index.scores(query_tokens)                         # float32 scores over the documents in build order

Scoring is Lucene's BM25 (the variant bm25s calls "lucene"; k1 = 1.5, b = 0.75):

    score(q, d) = Σ_t w(qtf_t) · idf_t · tf_td / (tf_td + k1 · (1 − b + b · |d| / avgdl))
    idf_t       = ln(1 + (N − df_t + 0.5) / (df_t + 0.5))

so a document with a query word scores above one without it, and repeating a word in a document helps less
and less (term saturation). Each distinct query word counts once, weighted by how often the query repeats it
with the same kind of saturation, w(qtf) = qtf · (k3 + 1) / (qtf + k3), k3 = 8, w(1) = 1: a whole demand text
used as a query is not dominated by the words it repeats. For a query without repeated words the scores are
exactly those of bm25s (tests/market/test_search_bm25.py compares them).

The index is "eager", as in bm25s: the score of every (term, document) pair is computed when the index is built
and stored in a compressed sparse column layout (for each term, the documents containing it and their scores),
so a query adds up one slice per query word and then picks the best documents. Both steps are numba kernels
(one pass over the postings, one pass over the documents with a bounded heap), two to four times faster than
the same in numpy on 500,000 documents; without numba the numpy versions run (`KECHUANG_BM25_NUMBA=0`).

Terms are kept in a sorted numpy array and looked up by binary search; every array can be saved and
memory-mapped, so the processes of one machine share one copy of a large index in the page cache.

A second, small index can be built with the statistics (N, df, avgdl) of a large one (`stats=`), so that the
scores of the two compare: search keeps the listings changed since its main index was built in such an index.
"""

from __future__ import annotations

import json
import math
import os
import threading
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

K1 = 1.5
B = 0.75
K3 = 8.0
MAX_TERM_LENGTH = (
    32  # longer tokens (long numbers, pasted URLs) are cut: one such token must not widen every term
)
FORMAT = 1
_ARRAYS = ("ids", "terms", "indptr", "indices", "data")

try:  # numba is a pinned dependency; the numpy versions below stay for platforms without it
    from numba import njit
except ImportError:  # pragma: no cover
    njit = None

USE_NUMBA = njit is not None and os.environ.get("KECHUANG_BM25_NUMBA", "1") != "0"


# --------------------------------------------------------------------------------------------------------
# Kernels: accumulate the postings of the query words; select the best documents a mask keeps


def _accumulate_numpy(out, indptr, indices, data, term_ids, weights) -> None:
    for term_id, weight in zip(term_ids.tolist(), weights.tolist(), strict=True):
        start, end = indptr[term_id], indptr[term_id + 1]
        values = data[start:end] if weight == 1.0 else data[start:end] * np.float32(weight)
        np.add.at(out, indices[start:end], values)


def _select_numpy(scores, mask, use_mask, k):
    keep = scores > 0
    if use_mask:
        keep &= mask
    positions = np.flatnonzero(keep)
    total = len(positions)
    positions, values = top(positions, scores[positions], k)
    return positions, values, total


def top(positions: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The `k` best of (positions, scores): highest score first, equal scores in position order."""
    if k <= 0 or len(positions) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    if len(positions) > k:
        threshold = np.partition(scores, len(scores) - k)[len(scores) - k]
        above = np.flatnonzero(scores > threshold)
        tied = np.flatnonzero(scores == threshold)
        wanted = k - len(above)
        if len(tied) > wanted:  # equal scores at the cut: the first positions win
            tied = tied[np.argpartition(positions[tied], wanted - 1)[:wanted]] if wanted > 0 else tied[:0]
        chosen = np.concatenate([above, tied])
        positions, scores = positions[chosen], scores[chosen]
    order = np.lexsort((positions, -scores))
    return positions[order].astype(np.int64), scores[order]


if USE_NUMBA:

    @njit(nogil=True, cache=True)
    def _accumulate_numba(out, indptr, indices, data, term_ids, weights):  # pragma: no cover (compiled)
        for t in range(term_ids.shape[0]):
            term_id = term_ids[t]
            weight = np.float32(weights[t])
            for j in range(indptr[term_id], indptr[term_id + 1]):
                out[indices[j]] += weight * data[j]

    @njit(nogil=True, cache=True)
    def _select_numba(scores, mask, use_mask, k):  # pragma: no cover (compiled)
        # One pass with a min-heap of the k best seen so far (the weakest, or the later of two equal, on top).
        size = 0
        total = 0
        heap_values = np.empty(max(k, 1), np.float32)
        heap_positions = np.empty(max(k, 1), np.int64)
        for i in range(scores.shape[0]):
            value = scores[i]
            if value <= 0 or (use_mask and not mask[i]):
                continue
            total += 1
            if k == 0:
                continue
            if size < k:
                j = size
                size += 1
                while j > 0:
                    parent = (j - 1) >> 1
                    if heap_values[parent] < value or (
                        heap_values[parent] == value and heap_positions[parent] > i
                    ):
                        break
                    heap_values[j] = heap_values[parent]
                    heap_positions[j] = heap_positions[parent]
                    j = parent
                heap_values[j] = value
                heap_positions[j] = i
            elif value > heap_values[0] or (value == heap_values[0] and i < heap_positions[0]):
                j = 0
                while True:
                    child = 2 * j + 1
                    if child >= size:
                        break
                    right = child + 1
                    if right < size and (
                        heap_values[right] < heap_values[child]
                        or (
                            heap_values[right] == heap_values[child]
                            and heap_positions[right] > heap_positions[child]
                        )
                    ):
                        child = right
                    if heap_values[child] < value or (
                        heap_values[child] == value and heap_positions[child] > i
                    ):
                        heap_values[j] = heap_values[child]
                        heap_positions[j] = heap_positions[child]
                        j = child
                    else:
                        break
                heap_values[j] = value
                heap_positions[j] = i
        positions = heap_positions[:size].copy()
        values = heap_values[:size].copy()
        order = np.argsort(positions)  # then a stable sort by score: equal scores stay in position order
        positions = positions[order]
        values = values[order]
        order = np.argsort(-values, kind="mergesort")
        return positions[order], values[order], total


def accumulate(out, indptr, indices, data, term_ids, weights) -> None:
    """Add each query word's column (times its weight) into `out`."""
    if USE_NUMBA:
        _accumulate_numba(out, indptr, indices, data, term_ids, weights)
    else:
        _accumulate_numpy(out, indptr, indices, data, term_ids, weights)


def select(scores: np.ndarray, k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    """The positions and scores of the `k` best positive scores that `mask` keeps (best first, equal scores
    in position order), and how many positive scores it keeps in all."""
    use_mask = mask is not None
    if mask is None:
        mask = _NO_MASK
    elif mask.dtype != np.bool_:
        mask = mask.astype(bool)
    if USE_NUMBA:
        return _select_numba(scores, mask, use_mask, int(k))
    return _select_numpy(scores, mask, use_mask, int(k))


_NO_MASK = np.ones(1, dtype=bool)


# --------------------------------------------------------------------------------------------------------
# The index


def query_weights(counts: Sequence[int] | np.ndarray) -> np.ndarray:
    """The weight of a query word repeated `count` times (1 for a word given once)."""
    qtf = np.asarray(counts, dtype=np.float64)
    return qtf * (K3 + 1) / (qtf + K3)


@dataclass(frozen=True)
class CorpusStats:
    """What the scores of an index depend on besides its own documents: to build a comparable index."""

    n_docs: int
    avgdl: float
    terms: np.ndarray  # sorted
    df: np.ndarray  # documents containing each term

    def df_of(self, terms: np.ndarray) -> np.ndarray:
        """Document frequency of each of `terms` (0 for a term these statistics do not know)."""
        if len(self.terms) == 0 or len(terms) == 0:
            return np.zeros(len(terms), dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.terms, terms), len(self.terms) - 1)
        return np.where(self.terms[pos] == terms, self.df[pos], 0).astype(np.int64)


class Bm25Builder:
    """Collects documents one at a time, so that 500,000 token lists never sit in memory at once."""

    def __init__(self) -> None:
        self.ids = array("q")
        self.vocab: dict[str, int] = {}
        self.term_ids = array("i")
        self.tfs = array("H")
        self.nnz = array("i")
        self.lengths = array("i")

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, doc_id: int, tokens: Iterable[str]) -> None:
        counts = Counter(t[:MAX_TERM_LENGTH] for t in tokens)
        vocab, term_ids, tfs = self.vocab, self.term_ids, self.tfs
        for term, count in counts.items():
            term_id = vocab.get(term)
            if term_id is None:
                term_id = vocab[term] = len(vocab)
            term_ids.append(term_id)
            tfs.append(min(count, 65535))
        self.ids.append(int(doc_id))
        self.nnz.append(len(counts))
        self.lengths.append(sum(counts.values()))

    def finish(self, *, k1: float = K1, b: float = B, stats: CorpusStats | None = None) -> Bm25Index:
        n_docs, n_terms = len(self.ids), len(self.vocab)
        ids = np.array(self.ids, dtype=np.int64)
        if n_terms == 0:
            return Bm25Index(
                ids=ids,
                terms=np.zeros(0, dtype="<U1"),
                indptr=np.zeros(1, dtype=np.int64),
                indices=np.zeros(0, np.int32),
                data=np.zeros(0, np.float32),
                avgdl=stats.avgdl if stats is not None else 1.0,
                k1=k1,
                b=b,
            )
        # Terms in sorted order, so that a query finds them by binary search.
        unsorted = np.array(list(self.vocab))
        order = np.argsort(unsorted, kind="stable")
        rank = np.empty(n_terms, dtype=np.int32)
        rank[order] = np.arange(n_terms, dtype=np.int32)
        terms = unsorted[order]
        del unsorted, order
        term_of = rank[np.frombuffer(self.term_ids, dtype=np.int32)]
        doc_of = np.repeat(np.arange(n_docs, dtype=np.int32), np.frombuffer(self.nnz, dtype=np.int32))
        # Group the postings by term; within a term they stay in document order (stable sort).
        perm = np.argsort(term_of, kind="stable")
        indices = doc_of[perm]
        tf = np.frombuffer(self.tfs, dtype=np.uint16)[perm].astype(np.float32)
        term_of = term_of[perm]
        del perm, doc_of
        df = np.bincount(term_of, minlength=n_terms).astype(np.int64)
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        lengths = np.frombuffer(self.lengths, dtype=np.int32).astype(np.float32)
        if stats is None:
            n_stat, df_stat, avgdl = n_docs, df, float(lengths.mean())
        else:
            n_stat, df_stat, avgdl = n_docs + stats.n_docs, df + stats.df_of(terms), stats.avgdl
        avgdl = avgdl or 1.0
        idf = np.log1p((n_stat - df_stat + 0.5) / (df_stat + 0.5)).astype(np.float32)
        norm = (k1 * (1.0 - b + b * lengths / avgdl)).astype(np.float32)
        data = idf[term_of]
        data *= tf / (tf + norm[indices])
        return Bm25Index(
            ids=ids, terms=terms, indptr=indptr, indices=indices, data=data, avgdl=avgdl, k1=k1, b=b
        )


class Bm25Index:
    """An immutable BM25 index over documents identified by integer ids (see the module docstring)."""

    def __init__(
        self,
        *,
        ids: np.ndarray,
        terms: np.ndarray,
        indptr: np.ndarray,
        indices: np.ndarray,
        data: np.ndarray,
        avgdl: float,
        k1: float = K1,
        b: float = B,
    ) -> None:
        self.ids = ids
        self.terms = terms
        self.indptr = indptr
        self.indices = indices
        self.data = data
        self.avgdl = float(avgdl)
        self.k1 = float(k1)
        self.b = float(b)

    @classmethod
    def build(
        cls,
        ids: Sequence[int],
        token_lists: Iterable[Sequence[str]],
        *,
        k1: float = K1,
        b: float = B,
        stats: CorpusStats | None = None,
    ) -> Bm25Index:
        """An index of the documents `ids` (in this order) and their tokens; `token_lists` may be a generator.

        With `stats`, the documents are scored as if they belonged to that corpus (its avgdl; its N and df
        plus their own), so that their scores compare with those of the index the statistics came from.
        """
        builder = Bm25Builder()
        for doc_id, tokens in zip(ids, token_lists, strict=True):
            builder.add(doc_id, tokens)
        return builder.finish(k1=k1, b=b, stats=stats)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def n_docs(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, name).nbytes for name in _ARRAYS)

    def stats(self) -> CorpusStats:
        return CorpusStats(n_docs=self.n_docs, avgdl=self.avgdl, terms=self.terms, df=np.diff(self.indptr))

    def df(self, term: str) -> int:
        """How many documents contain `term`."""
        term_ids, _weights = self.lookup([term])
        return int(self.indptr[term_ids[0] + 1] - self.indptr[term_ids[0]]) if len(term_ids) else 0

    def lookup(self, query_tokens: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """The numbers of the distinct query words this index knows, and their query weights."""
        counts = Counter(t[:MAX_TERM_LENGTH] for t in query_tokens if t)
        if not counts or not len(self.terms):
            return np.zeros(0, np.int64), np.zeros(0, np.float64)
        words = np.array(list(counts))
        pos = np.minimum(np.searchsorted(self.terms, words), len(self.terms) - 1)
        found = self.terms[pos] == words
        weights = query_weights(np.fromiter(counts.values(), dtype=np.int64, count=len(counts))[found])
        return pos[found].astype(np.int64), weights

    def scores(self, query_tokens: Iterable[str]) -> np.ndarray:
        """The BM25 score of every document (build order) for the query; 0 where no query word occurs."""
        term_ids, weights = self.lookup(query_tokens)
        out = np.zeros(self.n_docs, dtype=np.float32)
        if len(term_ids):
            accumulate(out, self.indptr, self.indices, self.data, term_ids, weights)
        return out

    def top(
        self, query_tokens: Iterable[str], k: int = 10, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, int]:
        """Positions (build order) and scores of the `k` best documents `mask` keeps, best first, and how many
        documents containing a query word it keeps in all."""
        return select(self.scores(query_tokens), k, mask)

    def search(
        self, query_tokens: Iterable[str], k: int = 10, mask: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The `k` best documents as (id, score), best first, among those `mask` (over build order) keeps;
        only documents containing at least one query word. Equal scores keep build order."""
        positions, scores, _total = self.top(query_tokens, k, mask)
        return [
            (int(i), float(s)) for i, s in zip(self.ids[positions].tolist(), scores.tolist(), strict=True)
        ]

    # -- persistence ---------------------------------------------------------------------------------------

    def save(self, directory: Path | str) -> None:
        """Write the index as .npy files and a small JSON file into `directory` (created if missing)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for name in _ARRAYS:
            np.save(directory / f"bm25-{name}.npy", np.asarray(getattr(self, name)), allow_pickle=False)
        meta = {"format": FORMAT, "avgdl": self.avgdl, "k1": self.k1, "b": self.b}
        (directory / "bm25.json").write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path | str, *, mmap: bool = True) -> Bm25Index:
        """Read an index written by `save`; with `mmap` its arrays are mapped read-only, so that the processes
        of one machine share one copy in the page cache."""
        directory = Path(directory)
        meta = json.loads((directory / "bm25.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"unknown BM25 index format {meta.get('format')!r}")
        arrays = {
            name: np.load(directory / f"bm25-{name}.npy", mmap_mode="r" if mmap else None, allow_pickle=False)
            for name in _ARRAYS
        }
        return cls(**arrays, avgdl=meta["avgdl"], k1=meta["k1"], b=meta["b"])


def idf(n_docs: int, df: int) -> float:
    """Lucene's BM25 idf, as the index computes it (for tests and explanations)."""
    return math.log1p((n_docs - df + 0.5) / (df + 0.5))


_local = threading.local()


def scratch(n_docs: int) -> np.ndarray:
    """A zeroed float32 buffer of at least `n_docs` for this thread (the caller zeroes what it used)."""
    buffer = getattr(_local, "buffer", None)
    if buffer is None or len(buffer) < n_docs:
        buffer = _local.buffer = np.zeros(n_docs, np.float32)
    return buffer
