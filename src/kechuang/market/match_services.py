"""Matches of the market (issue 5 item 3): computed in the background, stored per listing, refreshed when
listings change, and strong new ones told to the owners once.

* `listing_changed(listing_id)` is the hook the job `market.listing_changed` calls after every change of a
  listing's content or state. It computes the listing's vector if it has none for its current text, recomputes
  the listing's matches and, for a published listing, refreshes the lists of the listings of the other kind
  that it now ranks for (its own top matches) and of those that listed it before. One `Market` (the published
  listings' BM25 indexes and vectors) is loaded per job and shared by all these recomputes, so each extra one
  costs a BM25 query and a matrix-vector product, not a rebuild.
* A listing that leaves the market (withdrawn, expired) loses its matches and disappears from the others'.
* Drafts and pending listings get their matches too (their owner sees what the market holds), but they never
  appear in anyone else's and nobody is told about them.

What is matched:

* a demand → published achievements (BM25 fused with the e5 cosine, matching.fuse), experts of the pool
  (BM25 of their keywords and profile, plus their fields) and institutions (their best achievement or expert);
* an achievement → published demands, and the organizations that posted them ("enterprises likely to need
  it": their demands, their industry, their field).

A listing's own organization is never matched with itself.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.core.audit import acting
from kechuang.core.jobs import enqueue
from kechuang.core.notifications import notify
from kechuang.core.permissions import require
from kechuang.organizations.enums import OrganizationKind, VerificationStatus
from kechuang.organizations.models import Organization
from kechuang.reviews.models import Expert

from . import embedding, matching
from .bm25 import Bm25Index
from .enums import ListingKind, ListingState, MatchTargetKind
from .listings import CONTACT_FIELDS, owner_users
from .models import Listing, ListingEmbedding, Match
from .permissions import can_recompute_matches
from .segment import tokens, words

logger = logging.getLogger(__name__)

TOP_LISTINGS = 20
TOP_EXPERTS = 10
TOP_ORGANIZATIONS = 10
MIN_SCORE = 0.1  # below this a pair shares too little to be worth showing
FIELD_BONUS = 0.1  # an expert or organization of the listing's field comes before one of another field
EMBED_INLINE = 64  # vectors computed inside one job; the rest by market.embeddings_backfill
LIVE_STATES = (ListingState.DRAFT, ListingState.PENDING, ListingState.RETURNED, ListingState.PUBLISHED)
LISTING_FIELDS = (
    "id",
    "kind",
    "organization_id",
    "title",
    "description",
    "keywords",
    "tech_field",
    "cooperation",
    "budget_min",
    "budget_max",
    "maturity",
    "price",
    "negotiable",
    "content_changed_at",
)


def other_kind(kind: str) -> str:
    return ListingKind.ACHIEVEMENT if kind == ListingKind.DEMAND else ListingKind.DEMAND


def listing_text(row) -> str:
    """The text matched for a listing (a model or a values() dict): title, keywords, description."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return "。".join(part for part in (get("title"), get("keywords"), get("description")) if part)


# ---------------------------------------------------------------------------------------------------------
# Segmentation, cached per listing text (a job re-reads the whole market; most listings have not changed)

_segment_cache: dict[tuple, tuple[list[str], list[str]]] = {}
_segment_lock = threading.Lock()
SEGMENT_CACHE_SIZE = 50_000


def _segmented(key: tuple, text: str) -> tuple[list[str], list[str]]:
    with _segment_lock:
        hit = _segment_cache.get(key)
    if hit is not None:
        return hit
    value = (tokens(text), words(text))
    with _segment_lock:
        if len(_segment_cache) >= SEGMENT_CACHE_SIZE:
            _segment_cache.clear()
        _segment_cache[key] = value
    return value


def _listing_terms(row: dict) -> tuple[list[str], list[str]]:
    return _segmented(("listing", row["id"], row["content_changed_at"]), listing_text(row))


# ---------------------------------------------------------------------------------------------------------
# Embeddings


def semantic_enabled() -> bool:
    """Whether matching uses the semantic side now: kept by the benchmark (matching.USE_SEMANTIC) and the
    model is present."""
    return matching.USE_SEMANTIC and embedding.available()


def embeddings_ensure(listings: Iterable, *, limit: int | None = EMBED_INLINE) -> int:
    """Compute the vectors of `listings` (models or values() dicts) that have none for their current text;
    at most `limit` of them. Returns how many were computed (0 without the model)."""
    if not embedding.available():
        return 0
    rows = [
        row if isinstance(row, dict) else {f: getattr(row, f if f != "id" else "pk") for f in LISTING_FIELDS}
        for row in listings
    ]
    if not rows:
        return 0
    fresh = set(
        ListingEmbedding.objects.filter(
            listing_id__in=[r["id"] for r in rows], model=embedding.MODEL_NAME
        ).values_list("listing_id", "text_changed_at")
    )
    missing = [r for r in rows if (r["id"], r["content_changed_at"]) not in fresh]
    if limit is not None:
        missing = missing[:limit]
    done = 0
    for kind in (ListingKind.DEMAND, ListingKind.ACHIEVEMENT):
        batch = [r for r in missing if r["kind"] == kind]
        for start in range(0, len(batch), 32):
            chunk = batch[start : start + 32]
            # A demand is the query of its matches, an achievement the passage (see embedding.py).
            vectors = embedding.encode([listing_text(r) for r in chunk], query=kind == ListingKind.DEMAND)
            for row, vector in zip(chunk, vectors, strict=True):
                ListingEmbedding.objects.update_or_create(
                    listing_id=row["id"],
                    defaults={
                        "model": embedding.MODEL_NAME,
                        "vector": embedding.to_bytes(vector),
                        "text_changed_at": row["content_changed_at"],
                        "computed_at": timezone.now(),
                    },
                )
                done += 1
    return done


# ---------------------------------------------------------------------------------------------------------
# The market as matching sees it


@dataclass
class Side:
    """The published listings of one kind: their rows, BM25 index and vectors (NaN rows where missing)."""

    kind: str
    rows: list[dict]
    index: Bm25Index
    vectors: np.ndarray | None
    position: dict[int, int] = field(default_factory=dict)
    organizations: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


@dataclass
class ExpertPool:
    rows: list[dict]
    index: Bm25Index
    organizations: np.ndarray


def _vectors_of(rows: list[dict]) -> np.ndarray | None:
    if not rows or not semantic_enabled():
        return None
    stored = {
        listing_id: (changed, vector)
        for listing_id, changed, vector in ListingEmbedding.objects.filter(
            listing_id__in=[r["id"] for r in rows], model=embedding.MODEL_NAME
        ).values_list("listing_id", "text_changed_at", "vector")
    }
    out = np.full((len(rows), embedding.DIM), np.nan, dtype=np.float32)
    for i, row in enumerate(rows):
        hit = stored.get(row["id"])
        if hit is not None and hit[0] == row["content_changed_at"]:
            out[i] = embedding.from_bytes(hit[1])
    return out


class Market:
    """What one job matches against: the published listings of both kinds and the active experts."""

    def __init__(self, today=None):
        self.today = today or timezone.localdate()
        self._sides: dict[str, Side] = {}
        self._experts: ExpertPool | None = None
        self._organizations: dict[int, dict] | None = None
        self._field_enterprises: dict[str, list[dict]] = {}

    def side(self, kind: str) -> Side:
        if kind not in self._sides:
            rows = list(
                Listing.objects.filter(kind=kind, state=ListingState.PUBLISHED, expires_on__gte=self.today)
                .order_by("pk")
                .values(*LISTING_FIELDS)
            )
            index = Bm25Index.build([r["id"] for r in rows], (_listing_terms(r)[0] for r in rows))
            self._sides[kind] = Side(
                kind=kind,
                rows=rows,
                index=index,
                vectors=_vectors_of(rows),
                position={r["id"]: i for i, r in enumerate(rows)},
                organizations=np.array([r["organization_id"] for r in rows], dtype=np.int64),
            )
        return self._sides[kind]

    def experts(self) -> ExpertPool:
        if self._experts is None:
            rows = list(
                Expert.objects.filter(is_active=True, user__is_active=True)
                .order_by("pk")
                .values("id", "title", "field_codes", "keywords", "profile", "organization_id", "updated_at")
            )
            index = Bm25Index.build(
                [r["id"] for r in rows],
                (
                    _segmented(("expert", r["id"], r["updated_at"]), f"{r['keywords']}。{r['profile']}")[0]
                    for r in rows
                ),
            )
            organizations = np.array([r["organization_id"] or 0 for r in rows], dtype=np.int64)
            self._experts = ExpertPool(rows=rows, index=index, organizations=organizations)
        return self._experts

    def enterprises_of_field(self, tech_field: str) -> list[dict]:
        """The registry's enterprises of `tech_field` with the words of their names: for an achievement, the
        enterprises that may need it although they have posted no demand."""
        if tech_field not in self._field_enterprises:
            rows = list(
                Organization.objects.filter(kind=OrganizationKind.ENTERPRISE, tech_field=tech_field)
                .exclude(status=VerificationStatus.REJECTED)
                .order_by("pk")
                .values("id", "name", "industry")
            )
            for r in rows:
                r["words"] = _segmented(("organization", r["id"], r["name"]), r["name"])[1]
            self._field_enterprises[tech_field] = rows
        return self._field_enterprises[tech_field]

    def organizations(self, ids: Iterable[int]) -> dict[int, dict]:
        wanted = set(ids) - set(self._organizations or {})
        if self._organizations is None:
            self._organizations = {}
        if wanted:
            for row in Organization.objects.filter(pk__in=wanted).values(
                "id", "name", "kind", "industry", "tech_field"
            ):
                self._organizations[row["id"]] = row
        return self._organizations


# ---------------------------------------------------------------------------------------------------------
# Computing one listing's matches


@dataclass
class Computed:
    """One listing's matches before they are stored."""

    rows: list[Match]
    semantic: bool


def _listing_row(listing: Listing) -> dict:
    return {f: getattr(listing, "pk" if f == "id" else f) for f in LISTING_FIELDS}


def _own_vector(row: dict) -> np.ndarray | None:
    if not semantic_enabled():
        return None
    hit = (
        ListingEmbedding.objects.filter(listing_id=row["id"], model=embedding.MODEL_NAME)
        .values_list("text_changed_at", "vector")
        .first()
    )
    if hit is None or hit[0] != row["content_changed_at"]:
        return None
    return embedding.from_bytes(hit[1])


def _expert_terms(row: dict) -> list[str]:
    return _segmented(("expert", row["id"], row["updated_at"]), f"{row['keywords']}。{row['profile']}")[1]


def matches_compute(row: dict, market: Market, *, vector: np.ndarray | None = None) -> Computed:
    """The matches of the listing `row` (LISTING_FIELDS) in `market`, ranked, with their reasons."""
    query_tokens, query_words = _listing_terms(row)
    side = market.side(other_kind(row["kind"]))
    bm25 = side.index.scores(query_tokens) if side.rows else np.zeros(0, np.float32)
    cosine = None
    if vector is not None and side.vectors is not None and side.rows:
        with np.errstate(invalid="ignore"):
            cosine = side.vectors @ vector  # NaN rows (no vector yet) stay NaN: fuse falls back to lexical
    semantic = cosine is not None
    fused = matching.fuse(bm25, cosine, semantic=semantic)
    keep = side.organizations != row["organization_id"]
    now = timezone.now()
    out: list[Match] = []

    def reasons_for(target: dict, position: int) -> dict:
        demand, achievement = (row, target) if row["kind"] == ListingKind.DEMAND else (target, row)
        return matching.listing_reasons(
            demand=demand,
            achievement=achievement,
            query_words=query_words,
            doc_words=_listing_terms(target)[1],
            cosine=None if cosine is None else float(cosine[position]),
        )

    for rank, position in enumerate(matching.top_k(fused, TOP_LISTINGS, keep=keep, min_score=MIN_SCORE), 1):
        target = side.rows[position]
        out.append(
            Match(
                target_kind=MatchTargetKind.LISTING,
                target_listing_id=target["id"],
                rank=rank,
                score=round(float(fused[position]), 4),
                lexical_score=round(float(bm25[position]), 4),
                semantic_score=None
                if cosine is None or np.isnan(cosine[position])
                else round(float(cosine[position]), 4),
                reasons=reasons_for(target, position),
                computed_at=now,
            )
        )

    # Organizations: the best of their listings (and, for a demand, of their experts).
    best: dict[int, tuple[float, list[int]]] = {}
    for position in matching.top_k(fused, 200, keep=keep, min_score=MIN_SCORE):
        org_id = int(side.organizations[position])
        score, positions = best.get(org_id, (0.0, []))
        positions.append(position)
        best[org_id] = (max(score, float(fused[position])), positions)
    expert_rows: list[tuple[int, float]] = []
    expert_best: dict[int, tuple[float, int]] = {}
    if row["kind"] == ListingKind.DEMAND:
        pool = market.experts()
        if pool.rows:
            strength = matching.lexical_strength(pool.index.scores(query_tokens))
            fields = np.array([row["tech_field"] in (r["field_codes"] or []) for r in pool.rows])
            expert_score = np.where(strength > 0, strength + FIELD_BONUS * fields, 0.0)
            expert_keep = pool.organizations != row["organization_id"]
            for position in matching.top_k(expert_score, 200, keep=expert_keep, min_score=MIN_SCORE):
                expert_rows.append((position, float(expert_score[position])))
                org_id = int(pool.organizations[position])
                if org_id:
                    count = expert_best.get(org_id, (0.0, 0))[1] + 1
                    expert_best[org_id] = (
                        max(expert_best.get(org_id, (0.0, 0))[0], expert_score[position]),
                        count,
                    )
            for rank, (position, score) in enumerate(expert_rows[:TOP_EXPERTS], 1):
                expert = pool.rows[position]
                out.append(
                    Match(
                        target_kind=MatchTargetKind.EXPERT,
                        target_expert_id=expert["id"],
                        rank=rank,
                        score=round(score, 4),
                        lexical_score=round(score - FIELD_BONUS * bool(fields[position]), 4),
                        reasons={
                            "terms": matching.shared_terms(query_words, _expert_terms(expert)),
                            "same_field": bool(fields[position]),
                        },
                        computed_at=now,
                    )
                )

    organizations = market.organizations(set(best) | set(expert_best))
    wanted_kinds = (
        {OrganizationKind.INSTITUTION} if row["kind"] == ListingKind.DEMAND else None  # demand → institutions
    )
    scored = []
    for org_id in set(best) | set(expert_best):
        org = organizations.get(org_id)
        if org is None or (wanted_kinds is not None and org["kind"] not in wanted_kinds):
            continue
        same_field = bool(org["tech_field"]) and org["tech_field"] == row["tech_field"]
        listing_score, positions = best.get(org_id, (0.0, []))
        expert_score, expert_count = expert_best.get(org_id, (0.0, 0))
        score = max(listing_score, float(expert_score)) + FIELD_BONUS * same_field
        reasons: dict = {
            "listings": [{"id": side.rows[p]["id"], "title": side.rows[p]["title"]} for p in positions[:3]],
            "listing_count": len(positions),
            "same_field": same_field,
        }
        if expert_count:
            reasons["experts"] = expert_count
        if row["kind"] == ListingKind.ACHIEVEMENT and org["industry"]:
            reasons["industry"] = org["industry"]
        scored.append((score, org_id, listing_score, reasons))
    if row["kind"] == ListingKind.ACHIEVEMENT and row["tech_field"]:
        scored += _registry_enterprises(row, market, query_words, {item[1] for item in scored})
    scored.sort(key=lambda item: (-item[0], item[1]))
    for rank, (score, org_id, listing_score, reasons) in enumerate(scored[:TOP_ORGANIZATIONS], 1):
        out.append(
            Match(
                target_kind=MatchTargetKind.ORGANIZATION,
                target_organization_id=org_id,
                rank=rank,
                score=round(score, 4),
                lexical_score=round(listing_score, 4),
                reasons=reasons,
                computed_at=now,
            )
        )
    return Computed(rows=out, semantic=semantic)


def _registry_enterprises(row: dict, market: Market, query_words: list[str], seen: set[int]) -> list[tuple]:
    """Enterprises of the achievement's field whose names share its words (a 纺织印染 company for a dyeing
    technique), for those that have posted no matching demand: scored 0.1–0.2, below any enterprise whose own
    demand matches."""
    out = []
    for org in market.enterprises_of_field(row["tech_field"]):
        if org["id"] in seen or org["id"] == row["organization_id"]:
            continue
        terms = matching.shared_terms(query_words, org["words"])
        if not terms:
            continue
        score = FIELD_BONUS * (1 + min(len(terms), 3) / 3)
        reasons = {"terms": terms, "same_field": True, "listing_count": 0, "registry": True}
        if org["industry"]:
            reasons["industry"] = org["industry"]
        out.append((score, org["id"], 0.0, reasons))
    return out


def _target_key(match: Match) -> tuple[str, int]:
    return (
        match.target_kind,
        match.target_listing_id or match.target_expert_id or match.target_organization_id,
    )


def strong_score(semantic: bool) -> float:
    return matching.STRONG_SCORE if semantic else matching.STRONG_SCORE_LEXICAL


def _store(listing: Listing, computed: Computed) -> list[Match]:
    """Replace the listing's matches; return the strong listing matches nobody was told about yet."""
    with transaction.atomic():
        # One writer per listing at a time (two workers may refresh the same list at once).
        Listing.objects.select_for_update().filter(pk=listing.pk).values_list("pk", flat=True).first()
        told = {
            _target_key(m): m.notified_at
            for m in Match.objects.filter(listing=listing, notified_at__isnull=False)
        }
        Match.objects.filter(listing=listing).delete()
        for match in computed.rows:
            match.listing_id = listing.pk
            match.notified_at = told.get(_target_key(match))
        Match.objects.bulk_create(computed.rows)
    if listing.state != ListingState.PUBLISHED:
        return []
    threshold = strong_score(computed.semantic)
    return [
        m
        for m in computed.rows
        if m.target_kind == MatchTargetKind.LISTING and m.notified_at is None and m.score >= threshold
    ]


def matches_page_link(listing_id: int) -> str:
    return reverse("market:listing_matches", args=[listing_id])


def _notify_strong(listing: Listing, fresh: list[Match]) -> int:
    """Tell the listing's owners about each strong new match, once per pair (however often jobs run)."""
    if not fresh:
        return 0
    titles = dict(
        Listing.objects.filter(pk__in=[m.target_listing_id for m in fresh]).values_list("pk", "title")
    )
    recipients = list(owner_users(listing.organization_id))
    sent = 0
    for match in fresh:
        if listing.kind == ListingKind.DEMAND:
            subject = _("您的技术需求“%(mine)s”有新的高匹配度科技成果：%(other)s")
        else:
            subject = _("您的科技成果“%(mine)s”有新的高匹配度技术需求：%(other)s")
        sent += notify(
            recipients=recipients,
            subject=subject % {"mine": listing.title, "other": titles.get(match.target_listing_id, "")},
            body=_("匹配度 %(score)d%%。查看匹配理由并发起对接。") % {"score": round(match.score * 100)},
            link=matches_page_link(listing.pk),
            dedupe_key=f"market.match:{listing.pk}:{match.target_listing_id}",
        )
    Match.objects.filter(pk__in=[m.pk for m in fresh if m.pk]).update(notified_at=timezone.now())
    # bulk_create on SQLite may not return primary keys for every backend: mark by target as well.
    Match.objects.filter(
        listing=listing,
        target_kind=MatchTargetKind.LISTING,
        target_listing_id__in=[m.target_listing_id for m in fresh],
        notified_at__isnull=True,
    ).update(notified_at=timezone.now())
    return sent


def listing_matches_refresh(listing: Listing, market: Market) -> Computed:
    """Recompute and store the matches of one listing in `market`, and tell its owners of strong new ones."""
    row = _listing_row(listing)
    computed = matches_compute(row, market, vector=_own_vector(row))
    _notify_strong(listing, _store(listing, computed))
    return computed


def _leaves_market(listing: Listing, today) -> bool:
    return listing.state not in LIVE_STATES or (
        listing.state == ListingState.PUBLISHED and listing.expires_on < today
    )


def listing_changed(listing_id: int) -> dict:
    """The hook of the job market.listing_changed (see the module docstring). Returns what it did."""
    listing = Listing.objects.filter(pk=listing_id).first()
    if listing is None:
        return {"listing": listing_id, "gone": True}
    market = Market()
    if _leaves_market(listing, market.today):
        Match.objects.filter(listing=listing).delete()
        listed_by = list(Listing.objects.filter(matches__target_listing=listing).distinct().order_by("pk"))
        Match.objects.filter(target_listing=listing).delete()
        for other in listed_by:
            if not _leaves_market(other, market.today):
                listing_matches_refresh(other, market)
        return {"listing": listing_id, "removed": True, "refreshed": len(listed_by)}

    embedded = embeddings_ensure([listing], limit=1)
    if semantic_enabled():
        # Vectors the market lacks (listings loaded in bulk, a new model) are filled in a bounded batch per job.
        embedded += embeddings_ensure(market.side(other_kind(listing.kind)).rows, limit=EMBED_INLINE)
    if embedded:
        market = Market(market.today)
    computed = listing_matches_refresh(listing, market)
    refreshed = 0
    if listing.state == ListingState.PUBLISHED:
        ids = {m.target_listing_id for m in computed.rows if m.target_kind == MatchTargetKind.LISTING}
        ids |= set(Match.objects.filter(target_listing=listing).values_list("listing_id", flat=True))
        for other in Listing.objects.filter(pk__in=ids).order_by("pk"):
            if not _leaves_market(other, market.today):
                listing_matches_refresh(other, market)
                refreshed += 1
    return {
        "listing": listing_id,
        "matches": len(computed.rows),
        "refreshed": refreshed,
        "embedded": embedded,
    }


def matches_recompute_all() -> dict:
    """Recompute every live listing's matches, computing missing vectors first: after a bulk load, a model
    change, or on the bureau's request."""
    today = timezone.localdate()
    listings = Listing.objects.filter(state__in=LIVE_STATES).order_by("pk")
    embedded = 0
    if semantic_enabled():
        rows = list(Listing.objects.filter(state__in=LIVE_STATES).values(*LISTING_FIELDS))
        embedded = embeddings_ensure(rows, limit=None)
    market = Market(today)
    done = 0
    for listing in listings:
        if _leaves_market(listing, today):
            continue
        listing_matches_refresh(listing, market)
        done += 1
    return {"listings": done, "embedded": embedded}


# ---------------------------------------------------------------------------------------------------------
# The bureau's trigger


@acting
@transaction.atomic
def matches_recompute_request(*, listing: Listing | None = None, by) -> None:
    """Queue a recompute of one listing's matches (and of the lists it appears in), or of the whole market:
    the bureau's button. The job runs after the request commits."""
    require(can_recompute_matches(by, listing))
    enqueue("market.matches_recompute", listing_id=listing.pk if listing is not None else None)


# ---------------------------------------------------------------------------------------------------------
# Reads


def matches_shown(listing: Listing, *, limits: dict[str, int], experts: bool) -> list[Match]:
    """The stored matches of `listing` to show, best first per kind, up to `limits[kind]`, in one query.
    Listing targets are shown only while published (a stale row never reveals a withdrawn listing); expert
    rows only when `experts` (the bureau)."""
    wanted = Q(target_kind=MatchTargetKind.LISTING, rank__lte=limits.get(MatchTargetKind.LISTING, 0)) & Q(
        target_listing__state=ListingState.PUBLISHED, target_listing__expires_on__gte=timezone.localdate()
    )
    wanted |= Q(
        target_kind=MatchTargetKind.ORGANIZATION, rank__lte=limits.get(MatchTargetKind.ORGANIZATION, 0)
    )
    if experts:
        wanted |= Q(target_kind=MatchTargetKind.EXPERT, rank__lte=limits.get(MatchTargetKind.EXPERT, 0))
    return list(
        Match.objects.filter(listing=listing)
        .filter(wanted)
        .select_related(
            "target_listing__organization",
            "target_expert__user",
            "target_expert__organization",
            "target_organization",
        )
        .defer(*(f"target_listing__{name}" for name in CONTACT_FIELDS))
        .order_by("target_kind", "rank")
    )


def hide_left_listings(rows: list[Match]) -> None:
    """Drop from the organization rows' reasons the listings that left the market since they were computed
    (one query for the whole page), so a stale reason never names a withdrawn listing."""
    cited = {item["id"] for m in rows for item in (m.reasons or {}).get("listings", [])}
    if not cited:
        return
    live = set(
        Listing.objects.filter(
            pk__in=cited, state=ListingState.PUBLISHED, expires_on__gte=timezone.localdate()
        ).values_list("pk", flat=True)
    )
    for match in rows:
        if "listings" in (match.reasons or {}):
            match.reasons = {
                **match.reasons,
                "listings": [i for i in match.reasons["listings"] if i["id"] in live],
            }


# Registers market.matches_recompute wherever matching is loaded (market/jobs.py imports the hooks lazily).
from . import match_jobs  # noqa: E402, F401
