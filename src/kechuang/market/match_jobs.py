"""Background jobs of market matching. `market.listing_changed` (market/jobs.py) calls
match_services.listing_changed for every change; these are the explicit recomputes."""

from kechuang.core.jobs import job


@job("market.matches_recompute")
def matches_recompute(*, listing_id: int | None = None) -> dict:
    """Recompute one listing's matches and the lists it appears in, or (listing_id None) the whole market."""
    from .match_services import listing_changed, matches_recompute_all

    if listing_id is None:
        return matches_recompute_all()
    return listing_changed(listing_id)


@job("market.embeddings_backfill")
def embeddings_backfill() -> dict:
    """Compute the vectors every live listing lacks for its current text (after a bulk load or a new model)."""
    from .match_services import LISTING_FIELDS, LIVE_STATES, embeddings_ensure
    from .models import Listing

    rows = list(Listing.objects.filter(state__in=LIVE_STATES).values(*LISTING_FIELDS))
    return {"embedded": embeddings_ensure(rows, limit=None)}
