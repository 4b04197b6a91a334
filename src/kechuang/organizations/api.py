from datetime import date, datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from kechuang.core.api import filtered
from kechuang.core.errors import DomainError
from kechuang.core.permissions import require
from kechuang.regions.models import Region

from .filters import OrganizationFilter
from .models import Organization
from .permissions import can_view_organization
from .selectors import organizations_visible_to
from .services import organization_create, organization_update, organization_verify

router = Router(tags=["organizations"])


class OrganizationOut(Schema):
    id: int
    kind: str
    name: str
    credit_code: str
    region_code: str = Field(alias="region_id")
    region_name: str = Field(alias="region.name")
    address: str
    industry: str
    tech_field: str
    founded_on: date | None
    size: str
    status: str
    version: int
    created_at: datetime


class OrganizationFilters(Schema):
    q: str | None = None
    kind: str | None = None
    region: str | None = None
    industry: str | None = None
    tech_field: str | None = None
    size: str | None = None
    status: str | None = None


class OrganizationIn(Schema):
    kind: str
    name: str
    credit_code: str
    credit_code_override_reason: str = ""
    region_code: str
    address: str = ""
    industry: str = ""
    tech_field: str = ""
    founded_on: date | None = None
    size: str = ""
    legal_representative: str = ""
    shareholders: str = ""
    contact_phone: str = ""


class OrganizationPatch(Schema):
    version: int
    name: str | None = None
    address: str | None = None
    industry: str | None = None
    tech_field: str | None = None
    founded_on: date | None = None
    size: str | None = None
    legal_representative: str | None = None
    shareholders: str | None = None
    contact_phone: str | None = None
    credit_code: str | None = None
    credit_code_override_reason: str | None = None
    region_code: str | None = None
    kind: str | None = None


class VerificationIn(Schema):
    approve: bool
    reason: str = ""


def _region(code: str) -> Region:
    region = Region.objects.filter(pk=code).first()
    if region is None:
        raise DomainError(_("属地代码 %(code)s 不存在。") % {"code": code}, field="region_code")
    return region


def _visible(request, pk: int) -> Organization:
    organization = get_object_or_404(Organization.objects.select_related("region"), pk=pk)
    require(can_view_organization(request.user, organization))
    return organization


@router.get("", response=list[OrganizationOut], summary="单位列表")
@paginate(PageNumberPagination, page_size=20)
def organization_list(request, filters: Query[OrganizationFilters]):
    """Organizations the caller may see, filtered exactly like the list page."""
    return filtered(OrganizationFilter, filters, organizations_visible_to(user=request.user), request)


@router.get("/{pk}", response=OrganizationOut, summary="单位详情")
def organization_detail(request, pk: int):
    return _visible(request, pk)


@router.post("", response={201: OrganizationOut}, summary="登记单位（科技局）")
def organization_create_api(request, payload: OrganizationIn):
    data = payload.dict()
    data["region"] = _region(data.pop("region_code"))
    return Status(201, organization_create(by=request.user, data=data))


@router.patch("/{pk}", response=OrganizationOut, summary="修改单位信息")
def organization_update_api(request, pk: int, payload: OrganizationPatch):
    organization = _visible(request, pk)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    if "region_code" in data:
        data["region"] = _region(data.pop("region_code"))
    updated = organization_update(
        organization=organization, by=request.user, data=data, expected_version=version
    )
    return Organization.objects.select_related("region").get(pk=updated.pk)


@router.post("/{pk}/verification", response=OrganizationOut, summary="核验单位")
def organization_verify_api(request, pk: int, payload: VerificationIn):
    organization = _visible(request, pk)
    done = organization_verify(
        organization=organization, by=request.user, approve=payload.approve, reason=payload.reason
    )
    return Organization.objects.select_related("region").get(pk=done.pk)
