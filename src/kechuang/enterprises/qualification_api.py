"""Qualifications over the API (mounted at /api/enterprises): the same filter set, services and permissions as the
pages."""

from datetime import date

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from kechuang.core.api import filtered
from kechuang.core.permissions import require
from kechuang.organizations.models import Organization, Qualification

from .permissions import can_view_enterprise
from .qualification_filters import QualificationFilter
from .qualifications import (
    qualification_revoke,
    qualification_save,
    qualification_state,
    qualification_warnings,
)
from .selectors import qualifications_visible_to

router = Router(tags=["enterprises"])


class QualificationOut(Schema):
    id: int
    organization_id: int
    organization_name: str = Field(alias="organization.name")
    kind: str
    level: str
    certificate_no: str
    valid_from: date
    valid_until: date
    revoked_on: date | None
    revoke_reason: str
    state: str = ""
    warnings: list[str] = []
    version: int

    @staticmethod
    def resolve_state(obj) -> str:
        return str(qualification_state(obj, timezone.localdate()))

    @staticmethod
    def resolve_warnings(obj) -> list[str]:
        return qualification_warnings(kind=obj.kind, valid_from=obj.valid_from, valid_until=obj.valid_until)


class QualificationFilters(Schema):
    q: str | None = None
    kind: str | None = None
    level: str | None = None
    region: str | None = None
    status: str | None = None
    expiring_within: int | None = None


class QualificationIn(Schema):
    organization_id: int
    kind: str
    level: str = ""
    certificate_no: str = ""
    valid_from: date
    valid_until: date | None = None


class QualificationPatch(Schema):
    version: int
    kind: str | None = None
    level: str | None = None
    certificate_no: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None


class RevocationIn(Schema):
    on: date
    reason: str
    version: int | None = None


def _visible(request, pk: int) -> Qualification:
    qualification = get_object_or_404(Qualification.objects.select_related("organization__region"), pk=pk)
    require(can_view_enterprise(request.user, qualification.organization))
    return qualification


def _fresh(pk: int) -> Qualification:
    return Qualification.objects.select_related("organization").get(pk=pk)


@router.get("/qualifications", response=list[QualificationOut], summary="资质台账")
@paginate(PageNumberPagination, page_size=20)
def qualification_list(request, filters: Query[QualificationFilters]):
    """Qualifications the caller may see, filtered exactly like the list page."""
    return filtered(QualificationFilter, filters, qualifications_visible_to(user=request.user), request)


@router.get("/qualifications/{pk}", response=QualificationOut, summary="资质详情")
def qualification_detail(request, pk: int):
    return _visible(request, pk)


@router.post("/qualifications", response={201: QualificationOut}, summary="登记资质（科技局）")
def qualification_create_api(request, payload: QualificationIn):
    data = payload.dict()
    organization = get_object_or_404(
        Organization.objects.select_related("region"), pk=data.pop("organization_id")
    )
    require(can_view_enterprise(request.user, organization))
    saved = qualification_save(organization=organization, data=data, by=request.user)
    return Status(201, _fresh(saved.pk))


@router.patch("/qualifications/{pk}", response=QualificationOut, summary="修改资质（科技局）")
def qualification_update_api(request, pk: int, payload: QualificationPatch):
    qualification = _visible(request, pk)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    saved = qualification_save(
        organization=qualification.organization,
        qualification=qualification,
        data=data,
        expected_version=version,
        by=request.user,
    )
    return _fresh(saved.pk)


@router.post("/qualifications/{pk}/revocation", response=QualificationOut, summary="取消资格（科技局）")
def qualification_revoke_api(request, pk: int, payload: RevocationIn):
    qualification = _visible(request, pk)
    done = qualification_revoke(
        qualification=qualification,
        on=payload.on,
        reason=payload.reason,
        expected_version=payload.version,
        by=request.user,
    )
    return _fresh(done.pk)
