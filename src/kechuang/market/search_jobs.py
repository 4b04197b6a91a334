"""Background job of the market's search: rebuilding the saved index when many listings have changed."""

from kechuang.core.jobs import job


@job("market.search_rebuild")
def search_rebuild(*, after: str | None = None) -> dict:
    """Build the search index from the database and save it; every process switches to it within a second.
    Safe to run twice: a second run waits for nothing and skips when the saved index is newer than `after`."""
    from .search import rebuild

    return rebuild(after=after)
