"""Chinese word segmentation for the market's search and matching (one tokenizer for both).

rjieba (jieba's dictionary and algorithm in Rust, about ten times faster than jieba) with a domain
dictionary of technical terms (data/domain_terms.txt), so "难降解有机废水" stays one word as well as its parts.
Search mode: a long word also yields its dictionary sub-words ("印染废水" → 印染, 废水, 印染废水), which lets
a query of either form find the other.
"""

import unicodedata
from functools import lru_cache
from pathlib import Path

import rjieba

TERMS_FILE = Path(__file__).with_name("data") / "domain_terms.txt"
TERM_FREQ = 50_000  # high enough that a listed term wins over a split into common words

# Words nearly every listing uses: they would make every listing match every query.
STOPWORDS = frozenset(
    """
    的 了 和 与 及 或 等 在 是 为 对 以 由 于 将 把 被 从 到 也 并 其 该 各 有 无 可 能 要 需 需要 希望 寻求 征集
    我们 公司 企业 单位 本 项目 技术 相关 进行 通过 实现 提供 开展 用于 具有 一种 以及 主要 方面 问题 方法
    """.split()
)


def domain_terms() -> list[str]:
    """The terms of the domain dictionary (comments and blank lines skipped)."""
    terms = []
    for line in TERMS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            terms.append(line.split()[0])
    return terms


@lru_cache(maxsize=1)
def _jieba() -> rjieba.Jieba:
    tokenizer = rjieba.Jieba()
    for term in domain_terms():
        tokenizer.add_word(term, TERM_FREQ, None)
    return tokenizer


def normalize(text: str) -> str:
    """Full-width letters and digits to half-width (NFKC), lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def _keep(token: str) -> bool:
    return bool(token) and any(c.isalnum() for c in token) and token not in STOPWORDS


def tokens(text: str) -> list[str]:
    """The search terms of `text`, in order, with repeats (BM25 counts them): words and their sub-words."""
    return [t for t in (w.strip() for w in _jieba().cut_for_search(normalize(text), True)) if _keep(t)]


def words(text: str) -> list[str]:
    """The words of `text` as a reader sees them (no sub-words): for highlighting and match reasons."""
    return [t for t in (w.strip() for w in _jieba().cut(normalize(text), True)) if _keep(t)]
