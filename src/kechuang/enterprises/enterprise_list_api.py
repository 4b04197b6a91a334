"""The enterprise list in the API: the same selector and filter set as the page, the same row contents."""

from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from kechuang.core.api import filtered
from kechuang.core.permissions import require

from .enterprise_list import can_list_enterprises, enterprise_page, enterprise_rows
from .filters import EnterpriseFilter
from .selectors import enterprises_visible_to

router = Router(tags=["enterprises"])


class ReserveMarkOut(Schema):
    target_year: int
    kind: str
    status: str


class EnterpriseRowOut(Schema):
    id: int
    name: str
    credit_code: str
    region_code: str = Field(alias="region_id")
    region_name: str = Field(alias="region.name")
    industry: str
    tech_field: str
    size: str
    tier: str
    qualifications: list[str] = Field(alias="qualification_kinds")
    latest_year: int | None = Field(
        description="销售收入与研发费用占比的年度：筛选的数据年度，否则最近提交的年度"
    )
    sales_revenue: Decimal | None = Field(description="该年度的销售收入（元）")
    rd_ratio: Decimal | None = Field(description="该年度研发费用（高企口径）占销售收入的比例")
    reserve: list[ReserveMarkOut]


class EnterpriseFilters(Schema):
    q: str | None = None
    region: str | None = None
    industry: str | None = None
    tech_field: str | None = None
    size: str | None = None
    tier: str | None = None
    qualification: str | None = None
    expiring: str | None = None
    reserve_year: str | None = None
    reserve_status: str | None = None
    data_year: str | None = None
    revenue: str | None = None
    rd_ratio: str | None = None
    assessment: str | None = None


class EnterprisePagination(PageNumberPagination):
    """Page numbers and counts as everywhere in the API, read like the page (enterprise_list.enterprise_page);
    each page's rows get their related figures in three queries."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = enterprise_page(queryset, pagination.page, self._get_page_size(pagination.page_size))
        filters = params.get("filters")
        year = int(filters.data_year) if filters is not None and filters.data_year else None
        # A page past the end is empty, as in the other lists of the API (the page does not jump back).
        rows = list(page) if page.number == pagination.page else []
        return {self.items_attribute: enterprise_rows(rows, year=year), "count": page.paginator.count}


@router.get("", response=list[EnterpriseRowOut], summary="企业库")
@paginate(EnterprisePagination, page_size=20)
def enterprise_list(request, filters: Query[EnterpriseFilters]):
    """Enterprises the caller may see, filtered exactly like the list page (enterprise users are refused)."""
    require(can_list_enterprises(request.user))
    return filtered(EnterpriseFilter, filters, enterprises_visible_to(user=request.user), request)
