"""JSON API of the market's search: GET /api/market/search, the parameters and results of the search page."""

from datetime import date, datetime
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from kechuang.core.errors import DomainError

from .search import search
from .search_forms import SearchForm

router = Router(tags=["market"])
_PK = 918273645  # stands for a listing's id in a reversed URL


class SearchParams(Schema):
    q: str = Field("", description="关键词（中文分词后按 BM25 相关度排序；为空时按发布时间从新到旧）")
    kind: str | None = Field(None, description="类型：demand 技术需求，achievement 科技成果")
    tech_field: str | None = Field(None, description="技术领域代码")
    region: str | None = Field(None, description="区划代码，含下级区划")
    maturity_min: int | None = Field(None, description="技术成熟度不低于（1–9）")
    maturity_max: int | None = Field(None, description="技术成熟度不高于（1–9）")
    price_min: Decimal | None = Field(None, description="价格/预算不低于（元）")
    price_max: Decimal | None = Field(None, description="价格/预算不高于（元）")
    cooperation: str | None = Field(None, description="合作方式代码")
    page: int = Field(1, description="页码，从 1 开始")
    per_page: int = Field(20, description="每页条数，最多 100")


class SearchHitOut(Schema):
    id: int
    kind: str
    title: str
    title_html: str = Field(description="标题，HTML 转义，命中词以 <mark> 标出")
    snippet_html: str = Field(description="内容摘要，HTML 转义，命中词以 <mark> 标出")
    score: float | None = Field(description="BM25 相关度；关键词为空时为 null")
    tech_field: str
    region_code: str
    region_name: str
    organization_name: str
    cooperation: str
    maturity: int | None
    price: Decimal | None
    negotiable: bool
    budget_min: Decimal | None
    budget_max: Decimal | None
    published_at: datetime | None
    expires_on: date
    url: str


class SearchPageOut(Schema):
    query: str
    count: int = Field(description="找到的供需信息总数")
    page: int
    per_page: int
    num_pages: int
    truncated: bool = Field(description="结果超过 10,000 条时只能翻到前 10,000 条")
    results: list[SearchHitOut]


def _hit(hit, detail_pattern: str) -> dict:
    listing = hit.listing
    return {
        "id": listing.pk,
        "kind": listing.kind,
        "title": listing.title,
        "title_html": str(hit.title_html),
        "snippet_html": str(hit.snippet_html),
        "score": hit.score,
        "tech_field": listing.tech_field,
        "region_code": listing.region_id,
        "region_name": listing.region.name,
        "organization_name": listing.organization.name,
        "cooperation": listing.cooperation,
        "maturity": listing.maturity,
        "price": listing.price,
        "negotiable": listing.negotiable,
        "budget_min": listing.budget_min,
        "budget_max": listing.budget_max,
        "published_at": listing.published_at,
        "expires_on": listing.expires_on,
        "url": detail_pattern.replace(str(_PK), str(listing.pk)),
    }


@router.get("/search", response=SearchPageOut, auth=None, summary="检索供需信息")
def market_search(request, params: Query[SearchParams]):
    """Published listings matching the keywords and filters, best first; open to everyone, as the market is."""
    form = SearchForm({k: v for k, v in params.dict().items() if v is not None and v != ""})
    if not form.is_valid():
        raise DomainError(_("检索条件不正确：%(errors)s") % {"errors": form.error_text()})
    result = search(**form.search_arguments())
    detail_pattern = reverse("market:listing_detail", args=[_PK])
    return {
        "query": result.query,
        "count": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "num_pages": result.num_pages,
        "truncated": result.truncated,
        "results": [_hit(hit, detail_pattern) for hit in result.hits],
    }
