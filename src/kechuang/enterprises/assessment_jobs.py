"""Background jobs of the self-assessment (run through kechuang.core.jobs).

* `enterprises.assess_all` — nightly, before `enterprises.reserve_nightly` (which reads the results): every
  enterprise re-assessed on its submitted data as of that day. Safe to run twice (an upsert per enterprise
  and kind).
* `enterprises.assess_one` — after an enterprise's annual data are submitted or its qualifications change,
  so its latest result does not wait for the night.
"""

from datetime import date

from kechuang.core.jobs import job

from .evaluate import assess_all, assess_one


def _day(day: str | None) -> date | None:
    return date.fromisoformat(day) if day else None


@job("enterprises.assess_all")
def assess_all_job(*, day: str | None = None, region_code: str | None = None) -> dict:
    """Assess every enterprise (of `region_code`, default all) on `day` (default today) and store the results."""
    return assess_all(on=_day(day), region_code=region_code)


@job("enterprises.assess_one")
def assess_one_job(*, organization_id: int, day: str | None = None) -> dict:
    """Re-assess one enterprise on its submitted data and store the result."""
    result = assess_one(organization_id=organization_id, on=_day(day))
    if result is None:
        return {"organization_id": organization_id, "assessed": False}
    return {
        "organization_id": organization_id,
        "assessed": True,
        "hnte_eligible": result.hnte.eligible,
        "tsme_eligible": result.tsme.eligible,
    }
