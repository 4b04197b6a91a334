"""API of market matching, mounted at /api/market: a listing's matches with their reasons (the same selector and
reason texts as the page), and the bureau's recompute."""

from datetime import datetime

from django.http import Http404
from ninja import Router, Schema, Status

from kechuang.core.permissions import require

from .listings import listing_get_visible
from .match_services import matches_recompute_request
from .match_views import PAGE_LIMITS, matches_context
from .permissions import can_view_matches

router = Router(tags=["market"])


class MatchedListingOut(Schema):
    id: int
    kind: str
    title: str
    tech_field: str
    organization_id: int
    organization_name: str


class MatchedOrganizationOut(Schema):
    id: int
    kind: str
    name: str


class MatchedExpertOut(Schema):
    id: int
    name: str
    title: str
    organization_name: str


class MatchOut(Schema):
    rank: int
    score: float
    lexical_score: float
    semantic_score: float | None
    reasons: dict
    reason_texts: list[str]
    computed_at: datetime
    listing: MatchedListingOut | None = None
    organization: MatchedOrganizationOut | None = None
    expert: MatchedExpertOut | None = None


class MatchesOut(Schema):
    listing_id: int
    computed_at: datetime | None
    semantic: bool
    listings: list[MatchOut]
    organizations: list[MatchOut]
    experts: list[MatchOut]


class QueuedOut(Schema):
    queued: bool


def _row(row) -> dict:
    match = row["match"]
    out = {
        "rank": match.rank,
        "score": match.score,
        "lexical_score": match.lexical_score,
        "semantic_score": match.semantic_score,
        "reasons": match.reasons,
        "reason_texts": row["reasons"],
        "computed_at": match.computed_at,
    }
    if (t := match.target_listing) is not None:
        out["listing"] = {
            "id": t.pk,
            "kind": t.kind,
            "title": t.title,
            "tech_field": t.tech_field,
            "organization_id": t.organization_id,
            "organization_name": t.organization.name,
        }
    if (o := match.target_organization) is not None:
        out["organization"] = {"id": o.pk, "kind": o.kind, "name": o.name}
    if (e := match.target_expert) is not None:
        out["expert"] = {
            "id": e.pk,
            "name": str(e.user),
            "title": e.title,
            "organization_name": e.organization.name if e.organization else "",
        }
    return out


def _listing(request, pk):
    listing = listing_get_visible(user=request.user, pk=pk)
    if listing is None:
        raise Http404
    return listing


@router.get("/listings/{pk}/matches", response=MatchesOut, summary="供需信息的匹配结果")
def listing_matches_api(request, pk: int):
    """Ranked achievements or demands, organizations and (for the bureau) experts, each with its reasons.
    Only the listing's owner and the bureau of its region see them (403 otherwise)."""
    listing = _listing(request, pk)
    require(can_view_matches(request.user, listing))
    context = matches_context(request.user, listing, PAGE_LIMITS)
    return {
        "listing_id": listing.pk,
        "computed_at": context["computed_at"],
        "semantic": context["semantic"],
        "listings": [_row(r) for r in context["listings"]],
        "organizations": [_row(r) for r in context["organizations"]],
        "experts": [_row(r) for r in context["experts"]],
    }


@router.post("/listings/{pk}/matches/recompute", response={202: QueuedOut}, summary="重新计算匹配")
def listing_matches_recompute_api(request, pk: int):
    """Queue a recompute of the listing's matches (the bureau's staff of its region)."""
    matches_recompute_request(listing=_listing(request, pk), by=request.user)
    return Status(202, {"queued": True})


@router.post("/matches/recompute", response={202: QueuedOut}, summary="重新计算全部匹配")
def matches_recompute_all_api(request):
    """Queue a recompute of every listing's matches (the bureau's staff)."""
    matches_recompute_request(listing=None, by=request.user)
    return Status(202, {"queued": True})
