"""Background jobs of the reserve pool (run through kechuang.core.jobs).

`enterprises.reserve_nightly` should run once a day after the self-assessments are recomputed: it proposes
the enterprises the rules select for next year and closes the entries of enterprises that have since been
recognised. Both steps are idempotent.
"""

from datetime import date

from django.utils import timezone

from kechuang.core.jobs import job

from .enums import AssessmentKind
from .reserve import reserve_propose, reserve_sync_recognized


@job("enterprises.reserve_nightly")
def reserve_nightly(*, target_year: int | None = None, day: str | None = None) -> dict:
    """Propose candidates for `target_year` (next year by default) and mark recognised entries."""
    today = date.fromisoformat(day) if day else timezone.localdate()
    year = target_year or today.year + 1
    proposed = {
        kind: reserve_propose(target_year=year, kind=kind, day=today).count for kind in AssessmentKind.values
    }
    return {"target_year": year, "proposed": proposed, "recognized": reserve_sync_recognized(day=today)}
