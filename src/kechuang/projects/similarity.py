"""Near-duplicate detection for application titles (the same project sent to two calls)."""

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
