"""API of the self-assessment: read an enterprise's latest stored results, or run the assessment.

Mounted under /api/enterprises: GET and POST /api/enterprises/{pk}/assessment. Same permissions and the same
service (evaluate.assess_enterprise / store_result) as the page.
"""

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema

from kechuang.core.errors import DomainError, PermissionDenied
from kechuang.core.permissions import require
from kechuang.organizations.enums import OrganizationKind
from kechuang.organizations.models import Organization

from .assessment import RulesetNotFound
from .evaluate import assess_enterprise, may_include_drafts, serialize, serialize_deduction, store_result
from .models import AssessmentResult
from .permissions import can_view_enterprise

router = Router(tags=["enterprises"])


class StoredAssessmentOut(Schema):
    kind: str
    assessed_on: date
    data_year: int
    ruleset: str
    eligible: bool | None
    score: float | None
    failed: int
    undetermined: int
    computed_at: datetime
    result: dict


class StoredAssessmentsOut(Schema):
    organization_id: int
    results: list[StoredAssessmentOut]


class AssessmentRunIn(Schema):
    on: date | None = None
    include_drafts: bool = False
    deduction_year: int | None = None


class AssessmentRunOut(Schema):
    organization_id: int
    on: date
    stored: bool
    drafts: list[int]
    missing_years: list[int]
    hnte: dict
    tsme: dict
    super_deduction: dict | None
    deduction_problem: str


def _enterprise(request, pk: int) -> Organization:
    organization = get_object_or_404(Organization, pk=pk, kind=OrganizationKind.ENTERPRISE)
    require(can_view_enterprise(request.user, organization))
    return organization


@router.get("/{pk}/assessment", response=StoredAssessmentsOut, summary="企业最近一次保存的自评结果")
def assessment_stored(request, pk: int):
    """The latest stored 高企 and 科小 results (from the nightly batch or the last run on submitted data)."""
    organization = _enterprise(request, pk)
    rows = AssessmentResult.objects.filter(organization=organization).order_by("kind")
    return {"organization_id": organization.pk, "results": list(rows)}


@router.post("/{pk}/assessment", response=AssessmentRunOut, summary="运行企业自评")
def assessment_run(request, pk: int, payload: AssessmentRunIn):
    """Assess now. With submitted data on today's date the result is stored as the latest; drafts (only the
    enterprise's own users may include them) give a preview that is not stored."""
    organization = _enterprise(request, pk)
    if payload.include_drafts and not may_include_drafts(request.user, organization):
        raise PermissionDenied(_("只有本企业用户可以在自评中使用未提交的数据。"))
    try:
        result = assess_enterprise(
            organization=organization,
            on=payload.on,
            include_drafts=payload.include_drafts,
            deduction_year=payload.deduction_year,
        )
    except RulesetNotFound as exc:
        raise DomainError(str(exc), field="on") from exc
    stored = store_result(organization=organization, result=result)
    return {
        "organization_id": organization.pk,
        "on": result.on,
        "stored": stored,
        "drafts": result.drafts,
        "missing_years": result.missing_years,
        "hnte": serialize(result.hnte, missing_years=result.hnte_missing_years),
        "tsme": serialize(result.tsme, missing_years=result.tsme_missing_years),
        "super_deduction": serialize_deduction(result.deduction) if result.deduction else None,
        "deduction_problem": result.deduction_problem,
    }
