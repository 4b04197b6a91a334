"""Near-duplicate detection for applications (the same project sent to two calls): titles and content.

Pure Python with jieba; no Django.
"""

import math
from collections import Counter
from functools import lru_cache

import jieba

jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise


@lru_cache(maxsize=4096)
def _tokens(text: str) -> frozenset[str]:
    return frozenset(t for t in jieba.lcut(text or "") if any(c.isalnum() for c in t))


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
    for token in jieba.lcut((text or "").lower()):
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
