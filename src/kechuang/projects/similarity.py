"""Near-duplicate detection for applications (the same project sent to two calls): titles and content.

Pure Python with rjieba (jieba-rs: jieba's dictionary and algorithm, in Rust); no Django.
"""

import hashlib
import math
from collections import Counter
from functools import lru_cache

import rjieba


@lru_cache(maxsize=4096)
def _tokens(text: str) -> frozenset[str]:
    return frozenset(t for t in rjieba.cut(text or "", True) if any(c.isalnum() for c in t))


def title_similarity(a: str, b: str) -> float:
    """Jaccard similarity of the jieba word sets of two titles, 0–1."""
    left, right = _tokens(a), _tokens(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


# Words every application uses; they would make any two applications look alike.
STOPWORDS = frozenset(
    """
    本项目 项目 研究 技术 开发 应用 相关 通过 进行 实现 提高 提升 基于 主要 以及 针对 具有 方面
    工作 完成 问题 方法 我们 其中 同时 能够 可以 已经 一个 一种 目前 国内 国际 领域 方向 方案
    """.split()
)


@lru_cache(maxsize=4096)
def _terms(text: str) -> tuple[str, ...]:
    """Content words: jieba words of two or more characters, letters or digits, minus the stopwords."""
    words = []
    for token in rjieba.cut((text or "").lower(), True):
        token = token.strip()
        if len(token) >= 2 and any(c.isalnum() for c in token) and token not in STOPWORDS:
            words.append(token)
    return tuple(words)


def content_similarity(a: str, b: str) -> float:
    """Cosine similarity of the content-word counts of two texts, 0–1 (0 when either has no words).

    Counts rather than sets, so that a long copy with a few sentences changed still scores high.
    """
    left, right = Counter(_terms(a)), Counter(_terms(b))
    if not left or not right:
        return 0.0
    dot = sum(n * right[word] for word, n in left.items() if word in right)
    norm = math.sqrt(sum(n * n for n in left.values())) * math.sqrt(sum(n * n for n in right.values()))
    return dot / norm


def key_terms(text: str, n: int = 8) -> list[str]:
    """Up to `n` distinct content words, longest first: the most distinctive ones to prefilter candidates with."""
    distinct = dict.fromkeys(_terms(text))
    return sorted(distinct, key=len, reverse=True)[:n]


def content_of(definition: list, data: dict) -> str:
    """The free text of an application: the long-text fields of its form (summary, description …)."""
    parts = (str(data.get(key) or "") for key in content_keys(definition))
    return "\n".join(p for p in parts if p)


def content_keys(definition: list) -> list[str]:
    """The keys of the fields `content_of` reads."""
    return [
        spec["key"] for spec in definition or [] if spec.get("type") == "longtext" and not spec.get("prefill")
    ]


# SimHash (Charikar 2002): a 64-bit fingerprint whose bits differ between two texts with probability
# angle/π of their word-count vectors, so near-duplicates are near in Hamming distance. Stored on each
# submitted application, it lets the formal check compare against tens of thousands in milliseconds.
_BITS = 64
_MASK = (1 << _BITS) - 1


@lru_cache(maxsize=65536)
def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "big")


def simhash(words) -> int | None:
    """The 64-bit SimHash of a bag of words, as a signed integer (a database BigIntegerField); None if empty."""
    counts = Counter(words)
    if not counts:
        return None
    totals = [0] * _BITS
    for word, weight in counts.items():
        bits = _word_hash(word)
        for i in range(_BITS):
            totals[i] += weight if bits >> i & 1 else -weight
    value = sum(1 << i for i, total in enumerate(totals) if total > 0)
    return value - (1 << _BITS) if value >> (_BITS - 1) else value


def hamming(a: int | None, b: int | None) -> int:
    """Bits in which two fingerprints differ (64, the most, when either is missing)."""
    if a is None or b is None:
        return _BITS
    return ((a ^ b) & _MASK).bit_count()


@lru_cache(maxsize=4096)
def title_fingerprint(title: str) -> int | None:
    return simhash(_tokens(title))


@lru_cache(maxsize=4096)
def content_fingerprint(text: str) -> int | None:
    return simhash(_terms(text))


def fingerprints(title: str, definition: list, data: dict) -> dict:
    """The fingerprint fields of an application with this title, form and content."""
    return {
        "title_fingerprint": title_fingerprint(title or ""),
        "content_fingerprint": content_fingerprint(content_of(definition, data or {})),
    }
