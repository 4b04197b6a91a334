"""Full-text search of the market's published listings (design and figures: docs/market-search.md).

`search(query=..., filters..., page=...)` ranks the published listings by BM25 (market/bm25.py) over their
segmented text (market/segment.py: the title counts twice, then the description, keywords and IP numbers),
filters them by kind, field, region (with its sub-regions), maturity, price and cooperation, and returns one
page of listings with their title and a snippet highlighted. An empty query lists the filtered listings newest
first. Only published listings whose validity has not run out are ever found.

Each process keeps one index in memory:

* the *main* index of every published listing, built from the database at a moment (its watermark) and saved
  under KECHUANG_SEARCH_DIR (var/search/) once it holds KECHUANG_SEARCH_PERSIST_MIN_DOCS listings or more, so
  that the next process maps it from disk instead of segmenting every text again; the filter attributes are
  numpy arrays beside it, so a filter is a boolean mask;
* a small *delta*: the listings changed since the watermark, as they are now, scored with the main index's
  statistics; the main index's copy of a changed listing is masked out (tombstoned).

At most every KECHUANG_SEARCH_REFRESH_SECONDS (1 s) a search first asks the database what changed: the listings
whose `content_changed_at` moved and the listings with an audit line (every save and every transition writes
one) since the last look, less a safety lag for transactions that commit late; both are indexed range reads.
Only listings whose (state, version, timestamps) differ from what the process already has are read and
segmented again. So a change is found by every process within about a second, with no message between them;
`listing_changed()` (the `market.listing_changed` job) applies it at once in the process that runs the job.

When more than KECHUANG_SEARCH_DELTA_MAX listings have changed, a saved index is rebuilt in the background (job
`market.search_rebuild`, one at a time under a file lock) and every process switches to it at its next look;
an index too small to be saved is rebuilt in the process, which takes a moment at that size.
"""

from __future__ import annotations

import fcntl
import hashlib
import html
import json
import logging
import math
import os
import re
import shutil
import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import numpy as np
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.signals import setting_changed
from django.db import connection
from django.db.models import F
from django.dispatch import receiver
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from kechuang.core.models import AuditLog
from kechuang.organizations.enums import TechField
from kechuang.regions.models import Region

from .bm25 import Bm25Builder, Bm25Index, CorpusStats
from .enums import Cooperation, ListingKind, ListingState
from .models import Listing
from .segment import STOPWORDS, TERM_FREQ, TERMS_FILE, normalize, tokens, words

logger = logging.getLogger(__name__)

PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_RESULTS = 10_000  # how deep pages go (as Elasticsearch's max_result_window): the first 10,000 hits
SNIPPET_CHARS = 110
MAX_HIGHLIGHT_TERMS = 32
FORMAT = 1

KINDS = tuple(ListingKind.values)
FIELDS = tuple(TechField.values)
COOPERATIONS = tuple(Cooperation.values)

ROW_FIELDS = (
    "pk",
    "kind",
    "tech_field",
    "region_id",
    "maturity",
    "price",
    "budget_min",
    "budget_max",
    "cooperation",
    "published_at",
    "expires_on",
    "title",
    "description",
    "keywords",
    "ip_numbers",
)
# What a result loads of each listing (not the contacts, which search never shows).
HIT_FIELDS = (
    "kind",
    "title",
    "description",
    "tech_field",
    "keywords",
    "cooperation",
    "budget_min",
    "budget_max",
    "maturity",
    "price",
    "negotiable",
    "expires_on",
    "state",
    "published_at",
    "region__name",
    "organization__name",
)
# What tells that a listing changed since a process last read it.
STAMP_FIELDS = ("pk", "state", "version", "updated_at", "state_since", "content_changed_at")
BUILD_FIELDS = ROW_FIELDS + STAMP_FIELDS[1:]
_CHUNK = 500  # ids per IN (...) query: SQLite allows 999 parameters


def _setting(name: str, default, cast=float):
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    return default if value in (None, "") else cast(value)


def refresh_seconds() -> float:
    return _setting("KECHUANG_SEARCH_REFRESH_SECONDS", 1.0)


def lag() -> timedelta:
    return timedelta(seconds=_setting("KECHUANG_SEARCH_LAG_SECONDS", 60.0))


def delta_max() -> int:
    return _setting("KECHUANG_SEARCH_DELTA_MAX", 2000, int)


def persist_min_docs() -> int:
    return _setting("KECHUANG_SEARCH_PERSIST_MIN_DOCS", 5000, int)


def search_dir() -> Path:
    """Where saved indexes live: one folder per database, so a test database never shares one with another."""
    base = Path(_setting("KECHUANG_SEARCH_DIR", settings.VAR_DIR / "search", Path))
    db = settings.DATABASES["default"]
    key = "|".join(str(db.get(k) or "") for k in ("ENGINE", "NAME", "HOST", "PORT"))
    return base / f"{connection.vendor}-{hashlib.sha1(key.encode()).hexdigest()[:10]}"


def _stamp(state, version, *times) -> tuple:
    """What a listing's (state, version, updated_at, state_since, content_changed_at) say about its change."""
    return (state, version, *(t.timestamp() if t else 0.0 for t in times))


@lru_cache(maxsize=1)
def tokenizer_key() -> str:
    """Changes when segmentation would: the domain dictionary, the stopwords, how a listing is indexed. A saved
    index made with another key is not used (it is rebuilt), so queries and index always split alike."""
    parts = [
        TERMS_FILE.read_text(encoding="utf-8"),
        " ".join(sorted(STOPWORDS)),
        str(TERM_FREQ),
        "title×2+description+keywords+ip_numbers",
    ]
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()[:12]


def listing_tokens(title: str, description: str, keywords: str = "", ip_numbers: str = "") -> list[str]:
    """The indexed terms of a listing: its title counts twice (a title word says more than a word of the text)."""
    head = tokens(title)
    return head + head + tokens(description) + tokens(keywords) + tokens(ip_numbers)


# --------------------------------------------------------------------------------------------------------
# Filter attributes as columns


@dataclass
class _Regions:
    """Every region in path order: a region and its sub-regions are one contiguous range of numbers."""

    codes: list[str]
    paths: list[str]

    def __post_init__(self):
        self.number = {code: i for i, code in enumerate(self.codes)}

    @classmethod
    def load(cls) -> _Regions:
        rows = list(Region.objects.order_by("path").values_list("code", "path"))
        return cls([r[0] for r in rows], [r[1] for r in rows])

    def span(self, code: str) -> tuple[int, int]:
        """The numbers [lo, hi) of `code` and every region below it (empty for an unknown code)."""
        i = self.number.get(code)
        if i is None:
            return 0, 0
        path, hi = self.paths[i], i + 1
        while hi < len(self.paths) and self.paths[hi].startswith(path):
            hi += 1
        return i, hi


_COLUMNS = {
    "kind": np.uint8,
    "field": np.uint8,
    "cooperation": np.uint8,
    "region": np.int32,
    "maturity": np.int8,
    "price_lo": np.float64,
    "price_hi": np.float64,
    "published": np.float64,
    "expires": np.int32,
}


def _code(values: tuple[str, ...], value) -> int:
    try:
        return values.index(value) + 1
    except ValueError:
        return 0


def _amounts(kind, price, budget_min, budget_max) -> tuple[float, float]:
    """The amount a listing names, as a range: an achievement's price; a demand's budget, a missing bound
    open (as the listing lists filter). NaN: no amount (面议), left out by a price filter."""
    if kind == ListingKind.ACHIEVEMENT:
        return (float(price), float(price)) if price is not None else (math.nan, math.nan)
    if budget_min is None and budget_max is None:
        return math.nan, math.nan
    return (
        float(budget_min) if budget_min is not None else -math.inf,
        float(budget_max) if budget_max is not None else math.inf,
    )


def _attributes(row: tuple, regions: _Regions) -> tuple:
    """The column values of one row of ROW_FIELDS, in the order of _COLUMNS."""
    (_pk, kind, field_, region_id, maturity, price, bmin, bmax, cooperation, published_at, expires_on) = row[
        :11
    ]
    lo, hi = _amounts(kind, price, bmin, bmax)
    return (
        _code(KINDS, kind),
        _code(FIELDS, field_),
        _code(COOPERATIONS, cooperation),
        regions.number.get(region_id, -1),
        maturity or 0,
        lo,
        hi,
        published_at.timestamp() if published_at else 0.0,
        expires_on.toordinal() if expires_on else 0,
    )


def _columns(attributes: list[tuple]) -> dict[str, np.ndarray]:
    if not attributes:
        return {name: np.zeros(0, dtype) for name, dtype in _COLUMNS.items()}
    transposed = list(zip(*attributes, strict=True))
    return {name: np.array(transposed[i], dtype) for i, (name, dtype) in enumerate(_COLUMNS.items())}


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    tech_field: str | None = None
    region_code: str | None = None
    maturity_min: int | None = None
    maturity_max: int | None = None
    price_min: float | None = None
    price_max: float | None = None
    cooperation: str | None = None
    today: int = 0  # date ordinal: listings valid until before it are not shown

    def mask(self, columns: dict[str, np.ndarray], regions: _Regions, base: np.ndarray | None) -> np.ndarray:
        mask = columns["expires"] >= self.today
        if base is not None:
            mask &= base
        if self.kind:
            mask &= columns["kind"] == _code(KINDS, self.kind)
        if self.tech_field:
            mask &= columns["field"] == _code(FIELDS, self.tech_field)
        if self.cooperation:
            mask &= columns["cooperation"] == _code(COOPERATIONS, self.cooperation)
        if self.region_code:
            lo, hi = regions.span(self.region_code)
            mask &= (columns["region"] >= lo) & (columns["region"] < hi)
        if self.maturity_min is not None:
            mask &= columns["maturity"] >= self.maturity_min
        if self.maturity_max is not None:
            mask &= (columns["maturity"] >= 1) & (columns["maturity"] <= self.maturity_max)
        if self.price_min is not None:  # NaN (no amount named) compares False: left out
            mask &= columns["price_hi"] >= self.price_min
        if self.price_max is not None:
            mask &= columns["price_lo"] <= self.price_max
        return mask


# --------------------------------------------------------------------------------------------------------
# The main index, the delta and the state a search reads


@dataclass
class _Main:
    index: Bm25Index
    columns: dict[str, np.ndarray]
    regions: _Regions
    watermark: datetime  # the database as of this moment is in the index
    # Stamps of the listings changed within the safety lag before the watermark: the first look after the
    # build finds them again and must not take them for changes.
    recent: dict[int, tuple] = field(default_factory=dict)
    generation: str | None = None  # the saved copy's folder, None while it lives in memory only
    id_order: np.ndarray = field(default=None)  # positions sorted by id, to find a listing's position
    stats: CorpusStats = field(default=None)

    def __post_init__(self):
        if self.id_order is None:
            self.id_order = np.argsort(self.index.ids, kind="stable")
        self.sorted_ids = self.index.ids[self.id_order]
        self.stats = self.index.stats()

    def __len__(self) -> int:
        return self.index.n_docs

    def positions(self, ids: Iterable[int]) -> list[int]:
        ids = np.fromiter(ids, dtype=np.int64)
        if not len(ids) or not len(self):
            return []
        sorted_ids = self.sorted_ids
        at = np.minimum(np.searchsorted(sorted_ids, ids), len(sorted_ids) - 1)
        found = sorted_ids[at] == ids
        return self.id_order[at[found]].tolist()


@dataclass
class _DeltaDoc:
    attributes: tuple
    tokens: list[str]


@dataclass
class _Delta:
    """Listings changed since the main index was built: the published ones as they are now (docs), and the
    stamp of every changed listing seen (published or not), so that the next look skips what it has."""

    docs: dict[int, _DeltaDoc]
    stamps: dict[int, tuple | None]
    index: Bm25Index
    columns: dict[str, np.ndarray]
    published: np.ndarray = field(init=False)

    def __post_init__(self):
        self.published = self.columns["published"]

    @classmethod
    def compile(cls, docs: dict[int, _DeltaDoc], stamps: dict, stats: CorpusStats) -> _Delta:
        ids = list(docs)
        index = Bm25Index.build(ids, (docs[i].tokens for i in ids), stats=stats)
        return cls(docs, stamps, index, _columns([docs[i].attributes for i in ids]))


@dataclass
class _State:
    main: _Main
    alive: np.ndarray  # main documents not changed since the build
    delta: _Delta
    masks: dict = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return len(self.delta.docs) + int(len(self.alive) - np.count_nonzero(self.alive))

    def mask_pair(self, filters: Filters) -> tuple[np.ndarray, np.ndarray]:
        """The main index's and the delta's masks for `filters` (kept: the same filters come back often)."""
        cached = self.masks.get(filters)
        if cached is None:
            if len(self.masks) >= 32:  # half a megabyte each at 500,000 listings
                self.masks.clear()
            cached = self.masks[filters] = (
                filters.mask(self.main.columns, self.main.regions, self.alive),
                filters.mask(self.delta.columns, self.main.regions, None),
            )
        return cached


_lock = threading.RLock()
_state: _State | None = None
_checked_at = 0.0  # time.monotonic() of the last look at the database
_since: datetime | None = None  # the next look asks for changes after this moment
_rebuild_asked_at = -math.inf
_rebuilt_at = -math.inf  # time.monotonic() of the last rebuild in this process
# Settings a test may change without starting the index again.
_TUNING = {
    "KECHUANG_SEARCH_REFRESH_SECONDS",
    "KECHUANG_SEARCH_LAG_SECONDS",
    "KECHUANG_SEARCH_DELTA_MAX",
    "KECHUANG_SEARCH_PERSIST_MIN_DOCS",
}


def reset() -> None:
    """Forget this process's index (tests; after a database restore also delete KECHUANG_SEARCH_DIR)."""
    global _state, _checked_at, _since, _rebuild_asked_at, _rebuilt_at
    with _lock:
        _state, _checked_at, _since, _rebuild_asked_at = None, 0.0, None, -math.inf
        _rebuilt_at = -math.inf


@receiver(setting_changed)
def _settings_changed(*, setting, **kwargs) -> None:
    # Settings change under tests only (each test has its own database): start again from that database.
    if setting not in _TUNING:
        reset()


def _install(main: _Main) -> None:
    """Serve `main` with an empty delta, then catch up with what changed since its watermark."""
    global _state, _since
    delta = _Delta.compile({}, dict(main.recent), main.stats)
    if len(main.index.terms):  # load the compiled kernels now rather than in the first user's search
        main.index.top([str(main.index.terms[0])], 1)
    _state = _State(main=main, alive=np.ones(len(main), dtype=bool), delta=delta)
    _since = main.watermark - lag()
    _refresh(load_newer=False, rebuild=False)


def _current() -> _State:
    global _state
    if _state is None:
        with _lock:
            if _state is None:
                _install(_open())
            return _state
    if time.monotonic() - _checked_at >= refresh_seconds() and _lock.acquire(blocking=False):
        # One thread looks; the others search what there is meanwhile.
        try:
            _refresh()
        finally:
            _lock.release()
    return _state


def _open() -> _Main:
    """The saved index when there is a usable one, else one built now (and saved when it is large). Processes
    starting together build once: the others wait for the lock and map what the first one saved."""
    main = _load_saved()
    if main is not None:
        return main
    base = search_dir()
    base.mkdir(parents=True, exist_ok=True)
    with open(base / "rebuild.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        main = _load_saved()
        if main is None:
            main = build_main()
            if len(main) >= persist_min_docs():
                save_main(main)
    return main


def _refresh(*, load_newer: bool = True, rebuild: bool = True) -> None:
    """Look at the database (and at the saved index) for changes; called with the lock held."""
    global _checked_at, _since
    started = timezone.now()
    _checked_at = time.monotonic()
    if load_newer and _state.main.generation is not None:
        generation = _current_generation()
        if generation and generation != _state.main.generation:
            main = _load_saved(generation)
            if main is not None:
                _install(main)
                return
    changed = _changed_since(_since)
    if changed:
        _apply(changed)
    _since = started - lag()
    if rebuild:
        _maybe_rebuild()


def _changed_since(since: datetime) -> set[int]:
    ids = set(Listing.objects.filter(content_changed_at__gt=since).order_by().values_list("pk", flat=True))
    content_type = ContentType.objects.get_for_model(Listing)
    for object_id in (
        AuditLog.objects.filter(at__gt=since, content_type=content_type)
        .order_by()
        .values_list("object_id", flat=True)
    ):
        if object_id.isdigit():
            ids.add(int(object_id))
    return ids


def _chunks(values: list, size: int = _CHUNK):
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _apply(ids: set[int]) -> None:
    """Bring the listings `ids` up to date in the delta; called with the lock held."""
    global _state
    state = _state
    stamps: dict[int, tuple] = {}
    for chunk in _chunks(sorted(ids)):
        for row in Listing.objects.filter(pk__in=chunk).order_by().values_list(*STAMP_FIELDS):
            stamps[row[0]] = _stamp(*row[1:])
    todo = [pk for pk in ids if state.delta.stamps.get(pk, "unseen") != stamps.get(pk)]
    if not todo:
        return
    published = [pk for pk in todo if stamps.get(pk) and stamps[pk][0] == ListingState.PUBLISHED]
    docs = dict(state.delta.docs)
    new_stamps = dict(state.delta.stamps)
    for pk in todo:
        docs.pop(pk, None)
        new_stamps[pk] = stamps.get(pk)
    for chunk in _chunks(sorted(published)):
        for row in Listing.objects.filter(pk__in=chunk, state=ListingState.PUBLISHED).values_list(
            *ROW_FIELDS
        ):
            docs[row[0]] = _DeltaDoc(_attributes(row, state.main.regions), listing_tokens(*row[11:]))
    alive = state.alive
    gone = [p for p in state.main.positions(todo) if alive[p]]
    if gone:
        alive = alive.copy()
        alive[gone] = False
    delta = _Delta.compile(docs, new_stamps, state.main.stats)
    _state = _State(main=state.main, alive=alive, delta=delta)


def _maybe_rebuild() -> None:
    """Rebuild when the delta has grown: a saved index in the background, an in-memory one at once."""
    global _rebuild_asked_at, _rebuilt_at
    state = _state
    if state.changed <= delta_max():
        return
    if state.main.generation is None:
        if time.monotonic() - _rebuilt_at >= 10:  # many changes within the lag are found again: not a loop
            _rebuilt_at = time.monotonic()
            _install(build_main())
        return
    if time.monotonic() - _rebuild_asked_at < 600:
        return
    _rebuild_asked_at = time.monotonic()
    from kechuang.core.jobs import enqueue

    enqueue("market.search_rebuild", after=state.main.watermark.isoformat())


def listing_changed(listing_id: int) -> None:
    """Make a change of one listing visible to this process's searches now (other processes see it at their
    next look at the database, within about a second). Called by the `market.listing_changed` job."""
    if _state is None:
        return  # nothing loaded here: the first search reads the database as it is
    with _lock:
        if _state is not None:
            _apply({int(listing_id)})
            _maybe_rebuild()


# --------------------------------------------------------------------------------------------------------
# Building, saving and loading the main index


def build_main(*, log=None) -> _Main:
    """Read and segment every published listing (newest first: the index's order is the order of an empty
    query, and equal scores rank the newer listing first)."""
    regions = _Regions.load()
    watermark = timezone.now()
    recent_after = (watermark - lag()).timestamp()
    builder = Bm25Builder()
    attributes, recent = [], {}
    rows = (
        Listing.objects.filter(state=ListingState.PUBLISHED)
        .order_by(F("published_at").desc(nulls_last=True), "-pk")
        .values_list(*BUILD_FIELDS)
        .iterator(chunk_size=2000)
    )
    started = time.monotonic()
    n_text = len(ROW_FIELDS)
    for n, row in enumerate(rows, 1):
        builder.add(row[0], listing_tokens(*row[11:n_text]))
        attributes.append(_attributes(row, regions))
        stamp = _stamp(*row[n_text:])
        if max(stamp[2:]) > recent_after:
            recent[row[0]] = stamp
        if log is not None and n % 50_000 == 0:
            log(f"  {n} listings segmented, {time.monotonic() - started:.0f} s")
    index = builder.finish()
    return _Main(
        index=index, columns=_columns(attributes), regions=regions, watermark=watermark, recent=recent
    )


def _current_generation() -> str | None:
    try:
        return (search_dir() / "CURRENT").read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def save_main(main: _Main) -> str:
    """Write `main` as a new generation and make it the current one (atomically); keep the previous one for
    processes still reading it, delete older ones."""
    base = search_dir()
    base.mkdir(parents=True, exist_ok=True)
    generation = f"{main.watermark.astimezone(UTC):%Y%m%dT%H%M%S%f}-{os.getpid()}"
    tmp = base / f".tmp-{generation}"
    main.index.save(tmp)
    for name, column in main.columns.items():
        np.save(tmp / f"col-{name}.npy", column, allow_pickle=False)
    np.save(tmp / "id-order.npy", main.id_order, allow_pickle=False)
    meta = {
        "format": FORMAT,
        "tokenizer": tokenizer_key(),
        "watermark": main.watermark.isoformat(),
        "listings": len(main),
        "recent": {str(pk): list(stamp) for pk, stamp in main.recent.items()},
        "regions": main.regions.codes,
        "kinds": list(KINDS),
        "fields": list(FIELDS),
        "cooperations": list(COOPERATIONS),
    }
    (tmp / "search.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, base / generation)
    pointer = base / f".CURRENT-{os.getpid()}"
    pointer.write_text(generation, encoding="utf-8")
    previous = _current_generation()
    os.replace(pointer, base / "CURRENT")
    main.generation = generation
    for old in base.iterdir():
        if old.name not in (generation, previous, "CURRENT", "rebuild.lock") and not old.name.startswith("."):
            shutil.rmtree(old, ignore_errors=True)
    return generation


def _remap(saved: list[str], current: tuple[str, ...], column: np.ndarray) -> np.ndarray:
    """Renumber a coded column (1-based, 0 for unknown) when the codes changed since the index was saved."""
    if list(saved) == list(current):
        return column
    table = np.array([0] + [_code(current, code) for code in saved], dtype=column.dtype)
    return table[np.asarray(column, dtype=np.int64)]


def _load_saved(generation: str | None = None) -> _Main | None:
    generation = generation or _current_generation()
    if not generation:
        return None
    folder = search_dir() / generation
    try:
        meta = json.loads((folder / "search.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT or meta.get("tokenizer") != tokenizer_key():
            return None  # made by another version, or with another dictionary: build anew
        index = Bm25Index.load(folder)
        columns = {name: np.load(folder / f"col-{name}.npy", mmap_mode="r") for name in _COLUMNS}
        id_order = np.load(folder / "id-order.npy", mmap_mode="r")
    except (OSError, ValueError, KeyError):
        logger.warning("search index %s unreadable, rebuilding", folder, exc_info=True)
        return None
    regions = _Regions.load()
    columns["kind"] = _remap(meta["kinds"], KINDS, columns["kind"])
    columns["field"] = _remap(meta["fields"], FIELDS, columns["field"])
    columns["cooperation"] = _remap(meta["cooperations"], COOPERATIONS, columns["cooperation"])
    if meta["regions"] != regions.codes:  # regions are numbered in path order from 0 (-1: unknown)
        number = np.array([regions.number.get(code, -1) for code in meta["regions"]] + [-1], dtype=np.int32)
        columns["region"] = number[np.asarray(columns["region"], dtype=np.int64)]  # -1 picks the final -1
    return _Main(
        index=index,
        columns=columns,
        regions=regions,
        watermark=datetime.fromisoformat(meta["watermark"]),
        recent={int(pk): tuple(stamp) for pk, stamp in meta["recent"].items()},
        generation=generation,
        id_order=id_order,
    )


def rebuild(*, after: str | None = None, log=None) -> dict:
    """Build the main index from the database, save it and serve it here (the others switch at their next
    look). Skipped while another rebuild runs, or when the saved index is newer than `after` already."""
    base = search_dir()
    base.mkdir(parents=True, exist_ok=True)
    with open(base / "rebuild.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return {"skipped": "another rebuild is running"}
        current = _current_generation()
        if after and current:
            try:
                meta = json.loads((base / current / "search.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                meta = {}
            if "watermark" in meta and datetime.fromisoformat(meta["watermark"]) > datetime.fromisoformat(
                after
            ):
                return {"skipped": "the saved index is newer", "generation": current}
        started = time.monotonic()
        main = build_main(log=log)
        built = time.monotonic() - started
        generation = save_main(main)
    with _lock:
        if _state is not None:  # a process that serves searches switches now (a job worker keeps none)
            _install(main)
    return {
        "listings": len(main),
        "generation": generation,
        "build_seconds": round(built, 1),
        "save_seconds": round(time.monotonic() - started - built, 1),
    }


def index_info() -> dict:
    """What this process serves (for operators and the benchmark)."""
    state = _current()
    return {
        "listings": len(state.main),
        "terms": len(state.main.index.terms),
        "postings": len(state.main.index.data),
        "index_bytes": state.main.index.nbytes + sum(c.nbytes for c in state.main.columns.values()),
        "delta": len(state.delta.docs),
        "changed": state.changed,
        "watermark": state.main.watermark.isoformat(),
        "generation": state.main.generation,
    }


# --------------------------------------------------------------------------------------------------------
# Highlighting


def highlight_terms(query: str) -> tuple[str, ...]:
    """The strings to mark in results: the query's words and their sub-words, longest first."""
    terms = set(words(query)) | set(tokens(query))
    return tuple(sorted(terms, key=lambda t: (-len(t), t)))[:MAX_HIGHLIGHT_TERMS]


@lru_cache(maxsize=4096)
def _pattern(terms: tuple[str, ...]) -> re.Pattern:
    """One expression for all the terms, longest first (so the longest is marked where several start); a
    Latin or digit term only as a whole word ("ai" not inside "email")."""
    parts = []
    for term in terms:
        escaped = re.escape(term)
        if term.isascii() and term.isalnum():
            escaped = f"(?<![0-9a-z]){escaped}(?![0-9a-z])"
        parts.append(escaped)
    return re.compile("|".join(parts))


def _normalized(text: str) -> tuple[str, list[int] | None]:
    """The text as the tokenizer sees it, and where each of its characters starts in `text` (None: the same
    place, the usual case)."""
    norm = normalize(text)
    if len(norm) == len(text):
        return norm, None
    starts: list[int] = []
    pieces = []
    for i, char in enumerate(text):
        piece = unicodedata.normalize("NFKC", char).lower()
        pieces.append(piece)
        starts.extend([i] * len(piece))
    return "".join(pieces), starts


def _spans(norm: str, terms: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where the terms occur in `norm`, touching occurrences merged, in order."""
    merged: list[tuple[int, int]] = []
    present = tuple(term for term in terms if term in norm)
    if not present:
        return merged
    for match in _pattern(present).finditer(norm):
        start, end = match.span()
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _original(spans, starts: list[int] | None, length: int) -> list[tuple[int, int]]:
    if starts is None:
        return spans
    starts = [*starts, length]
    return [(starts[a], starts[b]) for a, b in spans]


def _marked(text: str, spans: list[tuple[int, int]]) -> SafeString:
    out, at = [], 0
    for start, end in spans:
        out.append(html.escape(text[at:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        at = end
    out.append(html.escape(text[at:]))
    return mark_safe("".join(out))  # noqa: S308  every piece of the text is escaped above


def highlight(text: str, terms: tuple[str, ...]) -> SafeString:
    """`text` HTML-escaped, with the terms marked <mark>…</mark>."""
    if not terms or not text:
        return _marked(text or "", [])
    norm, starts = _normalized(text)
    return _marked(text, _original(_spans(norm, terms), starts, len(text)))


def snippet(text: str, terms: tuple[str, ...], width: int = SNIPPET_CHARS) -> SafeString:
    """A passage of about `width` characters of `text` where the terms are densest, highlighted."""
    text = " ".join((text or "").split())
    spans: list[tuple[int, int]] = []
    if terms and text:
        norm, starts = _normalized(text)
        spans = _original(_spans(norm, terms), starts, len(text))
    start = 0
    if spans:
        best, count, j = 0, 0, 0
        for i, (first, _end) in enumerate(spans):
            while spans[j][0] < first - width + width // 5:
                j += 1
            if i - j + 1 > count:
                best, count = j, i - j + 1
        start = max(0, spans[best][0] - width // 5)
    end = min(len(text), start + width)
    start = max(0, min(start, end - width))
    inside = [(max(a, start) - start, min(b, end) - start) for a, b in spans if b > start and a < end]
    body = _marked(text[start:end], inside)
    return mark_safe(("…" if start > 0 else "") + body + ("…" if end < len(text) else ""))  # noqa: S308


# --------------------------------------------------------------------------------------------------------
# Searching


@dataclass
class SearchHit:
    listing: Listing
    score: float | None  # None when the query is empty (newest first)
    title_html: SafeString
    snippet_html: SafeString


@dataclass
class SearchPage:
    hits: list[SearchHit]
    total: int  # listings found (all pages)
    page: int
    per_page: int
    query: str
    terms: tuple[str, ...]
    took_ms: float

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(min(self.total, MAX_RESULTS) / self.per_page))

    @property
    def truncated(self) -> bool:
        """More listings were found than pages can reach."""
        return self.total > MAX_RESULTS

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def previous_page(self) -> int:
        return max(1, min(self.page - 1, self.num_pages))

    @property
    def next_page(self) -> int:
        return self.page + 1

    @property
    def start_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.hits else 0

    @property
    def end_index(self) -> int:
        return (self.page - 1) * self.per_page + len(self.hits)


def _first_true(mask: np.ndarray, k: int) -> np.ndarray:
    """The first `k` positions where `mask` is true, reading only as far as needed."""
    found, step, start = [], 4096, 0
    count = 0
    while start < len(mask) and count < k:
        chunk = np.flatnonzero(mask[start : start + step]) + start
        found.append(chunk)
        count += len(chunk)
        start += step
        step = min(step * 4, 1 << 20)
    return np.concatenate(found)[:k] if found else np.zeros(0, np.int64)


def _decimal(value) -> float | None:
    return None if value is None or value == "" else float(Decimal(value))


def search(
    *,
    query: str = "",
    kind: str | None = None,
    tech_field: str | None = None,
    region_code: str | None = None,
    maturity_min: int | None = None,
    maturity_max: int | None = None,
    price_min=None,
    price_max=None,
    cooperation: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> SearchPage:
    """One page of the published listings matching `query` and the filters, best first (newest first for an
    empty query). `region_code` includes its sub-regions; prices are yuan (a demand's budget range must meet
    the price range); maturity and price filters leave out listings that do not state them."""
    started = time.perf_counter()
    state = _current()
    page = max(1, int(page or 1))
    per_page = min(max(1, int(per_page or PER_PAGE)), MAX_PER_PAGE)
    filters = Filters(
        kind=kind or None,
        tech_field=tech_field or None,
        region_code=region_code or None,
        maturity_min=maturity_min,
        maturity_max=maturity_max,
        price_min=_decimal(price_min),
        price_max=_decimal(price_max),
        cooperation=cooperation or None,
        today=timezone.localdate().toordinal(),
    )
    main_mask, delta_mask = state.mask_pair(filters)
    offset = (page - 1) * per_page
    window = min(offset + per_page, MAX_RESULTS)
    main, delta = state.main, state.delta
    query = (query or "").strip()
    query_tokens = tokens(query) if query else []
    if query_tokens:
        positions, scores, total = main.index.top(query_tokens, window, main_mask)
        ids, published = main.index.ids[positions], main.columns["published"][positions]
        if len(delta.docs):
            d_positions, d_scores, d_total = delta.index.top(query_tokens, window, delta_mask)
            total += d_total
            ids = np.concatenate([ids, delta.index.ids[d_positions]])
            scores = np.concatenate([scores, d_scores])
            published = np.concatenate([published, delta.published[d_positions]])
            order = np.lexsort((-ids, -published, -scores))[:window]
            ids, scores = ids[order], scores[order]
    else:
        total = int(np.count_nonzero(main_mask))
        positions = _first_true(main_mask, window)
        ids, scores = main.index.ids[positions], None
        if len(delta.docs):
            d_positions = np.flatnonzero(delta_mask)
            total += len(d_positions)
            ids = np.concatenate([ids, delta.index.ids[d_positions]])
            published = np.concatenate([main.columns["published"][positions], delta.published[d_positions]])
            ids = ids[np.lexsort((-ids, -published))[:window]]
    page_ids = [int(i) for i in ids[offset : offset + per_page]]
    page_scores = [float(s) for s in scores[offset : offset + per_page]] if scores is not None else None
    listings = {}
    for chunk in _chunks(page_ids):
        listings.update(
            Listing.objects.filter(pk__in=chunk, state=ListingState.PUBLISHED)
            .select_related("region", "organization")
            .only(*HIT_FIELDS)
            .in_bulk()
        )
    terms = highlight_terms(query) if query_tokens else ()
    hits = [
        SearchHit(
            listing=listings[pk],
            score=page_scores[i] if page_scores is not None else None,
            title_html=highlight(listings[pk].title, terms),
            snippet_html=snippet(listings[pk].description, terms),
        )
        for i, pk in enumerate(page_ids)
        if pk in listings
    ]
    return SearchPage(
        hits=hits,
        total=total,
        page=page,
        per_page=per_page,
        query=query,
        terms=terms,
        took_ms=(time.perf_counter() - started) * 1000,
    )


# The rebuild job is registered wherever search runs; market/jobs.py imports it for job workers.
from . import search_jobs  # noqa: E402, F401
