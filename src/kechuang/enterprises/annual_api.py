"""API of 企业年度数据 (/api/enterprises/annual…): the same selectors, filter set, services and permissions as the pages."""

from datetime import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from pydantic import create_model

from kechuang.core.api import filtered
from kechuang.core.permissions import require
from kechuang.organizations.enums import OrganizationKind
from kechuang.organizations.models import Organization

from .annual import (
    BOOLEAN_FIELDS,
    DECIMAL_FIELDS,
    EDITABLE_FIELDS,
    INTEGER_FIELDS,
    KeyFigures,
    annual_data_save,
    annual_data_submit,
    annual_data_visible_to,
)
from .annual_filters import AnnualDataFilter
from .models import AnnualData
from .permissions import can_view_enterprise

router = Router(tags=["enterprises"])


def _type(name: str):
    if name in DECIMAL_FIELDS:
        return Decimal
    if name in INTEGER_FIELDS:
        return int
    if name in BOOLEAN_FIELDS:
        return bool
    return str


# Every figure, optional: omitted in a PATCH means unchanged, in a PUT or POST the column's default.
_FIGURES = {name: (_type(name) | None, None) for name in EDITABLE_FIELDS}


class _AnnualDataBase(Schema):
    id: int
    organization_id: int
    organization_name: str = Field(alias="organization.name")
    credit_code: str = Field(alias="organization.credit_code")
    region_code: str = Field(alias="organization.region_id")
    year: int
    status: str
    submitted_at: datetime | None
    version: int
    updated_at: datetime
    sales_revenue: Decimal | None = Field(None, description="销售收入 = 主营业务收入 + 其他业务收入")
    rd_total: Decimal = Field(Decimal(0), description="研发费用合计（高企口径，实际发生额）")
    rd_ratio: Decimal | None = Field(None, description="研发费用占销售收入比例（%）")

    @staticmethod
    def resolve_sales_revenue(obj):
        return obj.sales_revenue

    @staticmethod
    def resolve_rd_total(obj):
        return KeyFigures.of(obj).rd_total

    @staticmethod
    def resolve_rd_ratio(obj):
        return KeyFigures.of(obj).rd_ratio


AnnualDataOut = create_model("AnnualDataOut", __base__=_AnnualDataBase, **_FIGURES)


class _CreateBase(Schema):
    organization_id: int
    year: int
    submit: bool = False


class _ChangeBase(Schema):
    version: int = Field(description="the version read; a stale one is refused with 409")
    submit: bool = False


AnnualDataCreate = create_model("AnnualDataCreate", __base__=_CreateBase, **_FIGURES)
AnnualDataChange = create_model("AnnualDataChange", __base__=_ChangeBase, **_FIGURES)


class AnnualDataFilters(Schema):
    q: str | None = None
    year: int | None = None
    region: str | None = None
    status: str | None = None
    industry: str | None = None
    tech_field: str | None = None


class SubmissionIn(Schema):
    version: int


def _visible(request, pk: int) -> AnnualData:
    record = get_object_or_404(
        AnnualData.objects.select_related("organization", "organization__region"), pk=pk
    )
    require(can_view_enterprise(request.user, record.organization))
    return record


def _out(record: AnnualData) -> AnnualData:
    return AnnualData.objects.select_related("organization", "organization__region").get(pk=record.pk)


@router.get("/annual", response=list[AnnualDataOut], summary="企业年度数据列表")
@paginate(PageNumberPagination, page_size=20)
def annual_data_list(request, filters: Query[AnnualDataFilters]):
    """The annual data the caller may see (a region's enterprises, or the caller's own), filtered like the page."""
    rows = filtered(AnnualDataFilter, filters, annual_data_visible_to(user=request.user), request)
    return rows.order_by("-year", "organization__name", "organization_id")


@router.get("/annual/{pk}", response=AnnualDataOut, summary="企业年度数据详情")
def annual_data_detail(request, pk: int):
    return _visible(request, pk)


@router.post("/annual", response={201: AnnualDataOut}, summary="填报企业年度数据")
def annual_data_create(request, payload: AnnualDataCreate):
    """Enter a year that has no record yet (409 if it has one: change that record with its version)."""
    organization = get_object_or_404(
        Organization, pk=payload.organization_id, kind=OrganizationKind.ENTERPRISE
    )
    data = {name: getattr(payload, name) for name in EDITABLE_FIELDS}
    record = annual_data_save(
        organization=organization,
        year=payload.year,
        data=data,
        by=request.user,
        expected_version=0,
        submit=payload.submit,
    )
    return Status(201, _out(record))


def _change(request, pk: int, payload, *, partial: bool) -> AnnualData:
    record = _visible(request, pk)
    given = payload.dict(exclude_unset=partial)
    data = {name: given.get(name) for name in EDITABLE_FIELDS if name in given or not partial}
    saved = annual_data_save(
        organization=record.organization,
        year=record.year,
        data=data,
        by=request.user,
        expected_version=payload.version,
        submit=payload.submit,
    )
    return _out(saved)


@router.put("/annual/{pk}", response=AnnualDataOut, summary="修改企业年度数据（全部字段）")
def annual_data_replace(request, pk: int, payload: AnnualDataChange):
    """Replace every figure (omitted ones become empty or 0); refused with 409 if `version` is stale."""
    return _change(request, pk, payload, partial=False)


@router.patch("/annual/{pk}", response=AnnualDataOut, summary="修改企业年度数据（部分字段）")
def annual_data_update(request, pk: int, payload: AnnualDataChange):
    """Change the figures given; refused with 409 if `version` is stale."""
    return _change(request, pk, payload, partial=True)


@router.post("/annual/{pk}/submission", response=AnnualDataOut, summary="提交企业年度数据")
def annual_data_submit_api(request, pk: int, payload: SubmissionIn):
    record = _visible(request, pk)
    return _out(annual_data_submit(record=record, by=request.user, expected_version=payload.version))
