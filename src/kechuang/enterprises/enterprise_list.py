"""Reads of the enterprise list (企业库): who may browse it, what a row shows, and the Excel export.

The rows themselves come from `selectors.enterprises_visible_to` (the scoping) through `filters.EnterpriseFilter`;
this module pages them and adds what lives in other tables: the qualifications in force, 销售收入 and the R&D
ratio of the filtered data year (else of the latest submitted year), and the reserve-pool entries. That is three
queries for a page, or for a whole export, whatever its size: the list has no N+1.

Not in selectors.py / permissions.py while the enterprise areas are built in parallel; they can move there.
"""

import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db import connections, transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from kechuang.core.permissions import Allowed, Denied
from kechuang.organizations.enums import Industry, OrganizationSize, QualificationKind, TechField, Tier
from kechuang.organizations.models import Organization

from .enums import AnnualDataStatus, AssessmentKind, ReserveStatus
from .filters import hnte_rd_total, qualifications_in_force, sales_revenue
from .models import AnnualData, ReserveEntry

PER_PAGE = 20
EXPORT_LIMIT = 100_000
EXPORT_CHUNK = 2_000
_KIND_ORDER = {kind: i for i, kind in enumerate(QualificationKind.values)}
_RESERVE_KIND_SHORT = {AssessmentKind.HNTE: gettext_lazy("高企"), AssessmentKind.TSME: gettext_lazy("科小")}
_LABELS: dict[tuple[type, str | None], dict[str, str]] = {}


def labels(choices) -> dict[str, str]:
    """value → label of a TextChoices in the active language, translated once per process and language.

    A page shows four choice labels per row; Model.get_FOO_display() translates every label of the field on each
    call (it hashes the lazy strings), which was a tenth of the page's time.
    """
    key = (choices, get_language())
    if key not in _LABELS:
        _LABELS[key] = {value: str(label) for value, label in choices.choices}
    return _LABELS[key]


def can_list_enterprises(user):
    """The enterprise list is the bureau's and the town officers' tool; an enterprise has its own page."""
    if not user.is_authenticated:
        return Denied(_("请先登录。"))
    if user.is_superuser or user.is_region_scoped:
        return Allowed()
    return Denied(_("企业库仅供科技局和属地科技干部使用；企业用户请在本企业页面查看自己的信息。"))


# What a row shows of the organization itself (and its region's name): fewer columns to read and to snapshot.
ROW_FIELDS = ("name", "credit_code", "region__name", "industry", "tech_field", "size", "tier")


def _ids(ids_query) -> list[int]:
    """A page's ids, without parallel workers on PostgreSQL: a page needs some twenty ids, and starting two
    workers took 40–47 ms on a small busy server, more than the whole serial scan (docs/bench-enterprises.md)."""
    connection = connections[ids_query.db]
    if connection.vendor != "postgresql":
        return list(ids_query)
    with transaction.atomic(using=ids_query.db):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        return list(ids_query)


def _rows_in_order(ids: list[int]) -> list[Organization]:
    found = Organization.objects.select_related("region").only(*ROW_FIELDS).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


class EnterprisePaginator(Paginator):
    """Pages of a filtered enterprise list: a page's ids first, then those rows by primary key.

    The ids come from the list's order and filters alone, which PostgreSQL reads from an index (migration 0002)
    without visiting the table; only the page's rows are then read. Pages past the middle are read from the end
    backwards, so the last page costs what the first does.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        ids = self.object_list.values_list("pk", flat=True)
        if bottom > self.count // 2:
            ids = _ids(ids.reverse()[self.count - top : self.count - bottom])[::-1]
        else:
            ids = _ids(ids[bottom:top])
        return self._get_page(_rows_in_order(ids), number, self)


def enterprise_page(queryset, number, per_page: int = PER_PAGE, *, defer_count: bool = False) -> Page:
    """Page `number` of `queryset` (1 if it is not a page number, the last if past the end).

    Like core.views.paginate, a first page that is not full needs no COUNT. With `defer_count`, a full first page
    needs none either: `page.count_deferred` is then True (one more id was read, so there is a next page), and the
    page asks for the count separately (`enterprise_count_view`): counting a city's 85,000 enterprises
    against a filter costs more than the rows of a page, and the rows need not wait for it.
    """
    paginator = EnterprisePaginator(queryset, per_page)
    if number in (None, "", "1", 1):
        ids = _ids(queryset.values_list("pk", flat=True)[: per_page + 1])
        page = Page(_rows_in_order(ids[:per_page]), 1, paginator)
        page.count_deferred = False
        if len(ids) <= per_page:
            paginator.count = len(ids)  # cached_property: set it, and the COUNT query never runs
        elif defer_count:
            page.count_deferred = True
        return page
    page = paginator.get_page(number)
    page.count_deferred = False
    return page


@dataclass(frozen=True)
class ReserveMark:
    target_year: int
    kind: str
    status: str

    def __str__(self) -> str:
        status = labels(ReserveStatus).get(self.status, self.status)
        return f"{self.target_year}·{_RESERVE_KIND_SHORT.get(self.kind, self.kind)}·{status}"


@dataclass
class _Related:
    """What a row shows from other tables, for a set of organizations: three queries, whatever its size."""

    kinds: dict[int, list[str]]
    latest: dict[int, tuple]  # (year, main_revenue, sales, rd)
    reserve: dict[int, list[ReserveMark]]

    @classmethod
    def read(cls, organizations: list[int], *, day: date, year: int | None) -> "_Related":
        kinds: dict[int, set[str]] = defaultdict(set)
        held = (
            qualifications_in_force(day)
            .filter(organization_id__in=organizations)
            .values_list("organization_id", "kind")
        )
        for org_id, kind in held:
            kinds[org_id].add(kind)

        latest: dict[int, tuple] = {}
        annual = AnnualData.objects.filter(
            organization_id__in=organizations, status=AnnualDataStatus.SUBMITTED
        )
        if year is not None:
            annual = annual.filter(year=year)
        annual = annual.order_by("organization_id", "-year").values_list(
            "organization_id", "year", "main_revenue", sales_revenue(), hnte_rd_total()
        )
        for org_id, *row in annual:
            latest.setdefault(org_id, row)

        reserve: dict[int, list[ReserveMark]] = defaultdict(list)
        entries = (
            ReserveEntry.objects.filter(organization_id__in=organizations)
            .exclude(status=ReserveStatus.REMOVED)
            .order_by("organization_id", "-target_year", "kind")
            .values_list("organization_id", "target_year", "kind", "status")
        )
        for org_id, target_year, kind, status in entries:
            reserve[org_id].append(ReserveMark(target_year, kind, status))
        ordered = {
            org_id: sorted(held_kinds, key=_KIND_ORDER.__getitem__) for org_id, held_kinds in kinds.items()
        }
        return cls(ordered, latest, reserve)

    def figures(self, org_id: int) -> tuple[int | None, Decimal | None, Decimal | None]:
        """(year, 销售收入 in yuan, R&D ratio) of the organization's row."""
        row = self.latest.get(org_id)
        if row is None:
            return None, None, None
        year, main_revenue, sales, rd = row
        # SQLite returns sums of decimals unquantized: give both databases' values the same two places.
        sales = _cents(sales) if main_revenue is not None else None
        ratio = (_cents(rd) / sales).quantize(Decimal("0.0001")) if sales else None
        return year, sales, ratio


def enterprise_rows(
    organizations: list[Organization], *, day: date | None = None, year: int | None = None
) -> list[Organization]:
    """Give each organization of one page what its row shows, in three queries for the whole page:

    `qualification_kinds` (kinds in force on `day`, in the enum's order) and their labels, the labels of the
    industry, tech field, tier and size, `latest_year`, `sales_revenue` (yuan) and `rd_ratio` (a fraction,
    高企口径) of `year` (when the list is filtered by a data year) or else of the latest submitted year, and
    `reserve` (entries not removed, latest target year first).
    """
    if not organizations:
        return organizations
    related = _Related.read([o.pk for o in organizations], day=day or timezone.localdate(), year=year)
    kind_labels, industries, fields, tiers, sizes = (
        labels(QualificationKind),
        labels(Industry),
        labels(TechField),
        labels(Tier),
        labels(OrganizationSize),
    )
    for org in organizations:
        org.qualification_kinds = related.kinds.get(org.pk, [])
        org.qualification_labels = [kind_labels[k] for k in org.qualification_kinds]
        org.industry_label = industries.get(org.industry, org.industry)
        org.tech_field_label = fields.get(org.tech_field, org.tech_field)
        org.tier_label = tiers.get(org.tier, org.tier)
        org.size_label = sizes.get(org.size, org.size)
        org.latest_year, org.sales_revenue, org.rd_ratio = related.figures(org.pk)
        org.sales_wan = _wan(org.sales_revenue)
        org.rd_percent = _percent(org.rd_ratio)
        org.reserve = related.reserve.get(org.pk, [])
    return organizations


def _cents(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def _wan(value) -> Decimal | None:
    """Yuan → 万元 with two decimals, as the bureaus report."""
    return None if value is None else (Decimal(value) / 10_000).quantize(Decimal("0.01"))


def _percent(ratio) -> Decimal | None:
    return None if ratio is None else (ratio * 100).quantize(Decimal("0.01"))


EXPORT_HEADER = [
    gettext_lazy("企业名称"),
    gettext_lazy("统一社会信用代码"),
    gettext_lazy("属地"),
    gettext_lazy("行业门类"),
    gettext_lazy("高新技术领域"),
    gettext_lazy("规模"),
    gettext_lazy("培育梯度"),
    gettext_lazy("有效资质"),
    gettext_lazy("数据年度"),
    gettext_lazy("销售收入（万元）"),
    gettext_lazy("研发费用占比（%）"),
    gettext_lazy("后备库"),
]
_EXPORT_WIDTHS = [40, 22, 16, 24, 16, 8, 16, 40, 10, 16, 16, 30]


_EXPORT_COLUMNS = ("pk", "name", "credit_code", "region__name", "industry", "tech_field", "size", "tier")


def enterprise_export(queryset, *, filename: str, year: int | None = None) -> FileResponse:
    """The filtered list as an .xlsx download, every matching row (the caller checks EXPORT_LIMIT).

    The rows are read as plain tuples through a server-side cursor, EXPORT_CHUNK at a time, each chunk's figures
    from other tables in three queries (by the chunk's ids: the list's filter is not reused as a subquery, since
    the organization search's raw SQL names its table), and the sheet is written by openpyxl's write-only mode to
    a temporary file that is then streamed: memory stays flat. The sheet looks like core.excel's (bold shaded
    header, frozen first row).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(_("企业库")))
    sheet.freeze_panes = "A2"
    for index, width in enumerate(_EXPORT_WIDTHS, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    font, fill = Font(bold=True), PatternFill("solid", fgColor="E6EEF8")
    header = []
    for title in EXPORT_HEADER:
        cell = WriteOnlyCell(sheet, value=str(title))
        cell.font, cell.fill = font, fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        header.append(cell)
    sheet.append(header)

    day = timezone.localdate()
    kind_labels, industries, fields, tiers, sizes = (
        labels(QualificationKind),
        labels(Industry),
        labels(TechField),
        labels(Tier),
        labels(OrganizationSize),
    )

    def write(chunk):
        related = _Related.read([row[0] for row in chunk], day=day, year=year)
        for pk, name, credit_code, region, industry, tech_field, size, tier in chunk:
            data_year, sales, ratio = related.figures(pk)
            sheet.append(
                [
                    name,
                    credit_code,
                    region,
                    industries.get(industry, industry),
                    fields.get(tech_field, tech_field),
                    sizes.get(size, size),
                    tiers.get(tier, tier),
                    "、".join(kind_labels[k] for k in related.kinds.get(pk, ())),
                    data_year,
                    _wan(sales),
                    _percent(ratio),
                    "；".join(str(mark) for mark in related.reserve.get(pk, ())),
                ]
            )

    chunk = []
    for row in queryset.values_list(*_EXPORT_COLUMNS).iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(row)
        if len(chunk) == EXPORT_CHUNK:
            write(chunk)
            chunk = []
    write(chunk)

    output = tempfile.TemporaryFile()
    book.save(output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
