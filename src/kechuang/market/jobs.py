"""Background jobs of the market that several areas react to.

`market.listing_changed` is enqueued (after commit) whenever a listing's content or state changes: the
search index picks the listing up and its matches are recomputed. Each area exposes a
`listing_changed(listing_id)` hook; the job calls those that exist.
"""

import importlib

from kechuang.core.jobs import job

# Modules with a `listing_changed(listing_id: int)` hook, in the order they run.
HOOKS = ("kechuang.market.search", "kechuang.market.match_services")
# Each area registers its own jobs; a worker loads only `market.jobs`, so this module imports them all.
AREA_JOBS = ("listing_jobs", "search_jobs", "match_jobs", "thread_jobs", "event_jobs", "contract_jobs")


def _optional(module_name: str):
    """The module, or None while the area does not exist (a module that exists but fails still raises)."""
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        return None


for _name in AREA_JOBS:
    _optional(f"kechuang.market.{_name}")


@job("market.listing_changed")
def listing_changed(*, listing_id: int) -> list[str]:
    ran = []
    for module_name in HOOKS:
        hook = getattr(_optional(module_name), "listing_changed", None)
        if hook is not None:
            hook(listing_id)
            ran.append(module_name)
    return ran
