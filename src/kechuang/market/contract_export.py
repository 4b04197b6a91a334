"""Excel exports of contract registration: the contracts list and the statistics (openpyxl, real .xlsx).

Same look as core.excel (bold, shaded, frozen header); amounts are numbers in yuan shown with two decimals
(number format #,##0.00), so the bureau can sum and chart them; headers are Chinese.
"""

from decimal import Decimal
from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from kechuang.regions.models import Region

from .contracts import DIRECTION_LABELS, GROUPING_LABELS, ContractStatistics

MONEY_FORMAT = "#,##0.00"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(book, title: str, header: list[str], rows: list[list], *, money_columns=(), bold_last=False):
    sheet = book.create_sheet(title[:31])
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E6EEF8")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in rows:
        sheet.append(row)
    for column in money_columns:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = MONEY_FORMAT
    if bold_last and rows:
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header, 1):
        width = max([len(str(name))] + [len(_text(r[index - 1])) for r in rows if r[index - 1] is not None])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, 4 + width * 1.6)
    return sheet


def _text(value) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def _response(book, filename: str) -> HttpResponse:
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


CONTRACT_HEADER = (
    gettext_lazy("登记号"),
    gettext_lazy("合同名称"),
    gettext_lazy("合同类型"),
    gettext_lazy("合同子类"),
    gettext_lazy("卖方（技术输出方）"),
    gettext_lazy("卖方所在区划"),
    gettext_lazy("买方（技术吸纳方）"),
    gettext_lazy("买方所在区划"),
    gettext_lazy("技术领域"),
    gettext_lazy("合同成交额（元）"),
    gettext_lazy("非技术性费用（元）"),
    gettext_lazy("技术交易额（元）"),
    gettext_lazy("签订日期"),
    gettext_lazy("履行期限起"),
    gettext_lazy("履行期限止"),
    gettext_lazy("登记日期"),
    gettext_lazy("状态"),
)
CONTRACT_MONEY_COLUMNS = (10, 11, 12)


def region_full_names() -> dict[str, str]:
    """Every region's full name ("浙江省绍兴市柯桥区柯桥街道"), read in one query."""
    regions = list(Region.objects.values_list("code", "name", "path"))
    names = {code: name for code, name, _path in regions}
    return {
        code: "".join(names.get(part, "") for part in path.strip("/").split("/"))
        for code, _name, path in regions
    }


def _day(value) -> str:
    return value.isoformat() if value else ""


def contracts_workbook(contracts) -> HttpResponse:
    """The contracts of a (filtered, scoped) list, one row each, both amounts as numbers."""
    names = region_full_names()
    with translation.override("zh-hans"):
        rows = [
            [
                c.registration_no or "",
                c.title,
                c.get_contract_type_display(),
                c.get_sub_type_display(),
                c.seller_name,
                names.get(c.seller_region_id, ""),
                c.buyer_name,
                names.get(c.buyer_region_id, ""),
                c.get_tech_field_display(),
                c.contract_amount,
                c.non_technical_amount,
                c.transaction_amount,
                _day(c.signed_on),
                _day(c.valid_from),
                _day(c.valid_until),
                _day(c.registered_on),
                c.get_state_display(),
            ]
            for c in contracts.iterator(chunk_size=2000)
        ]
        book = Workbook()
        book.remove(book.active)
        _sheet(
            book,
            _("技术合同"),
            [str(h) for h in CONTRACT_HEADER],
            rows,
            money_columns=CONTRACT_MONEY_COLUMNS,
        )
        return _response(book, _("技术合同登记") + f"-{timezone.localdate():%Y%m%d}.xlsx")


def statistics_workbook(stats: ContractStatistics) -> HttpResponse:
    """The statistics table with its totals row, and a sheet saying what was counted."""
    with translation.override("zh-hans"):
        header = [_("分组"), _("合同项数"), _("合同成交额（元）"), _("技术交易额（元）")]
        rows = [[r.label, r.count, r.contract_amount, r.transaction_amount] for r in stats.rows]
        total = stats.total
        rows.append([total.label, total.count, total.contract_amount, total.transaction_amount])
        book = Workbook()
        book.remove(book.active)
        _sheet(book, _("技术合同统计"), header, rows, money_columns=(3, 4), bold_last=True)
        about = [
            [_("统计范围"), stats.region.full_name if stats.region else _("全部")],
            [_("登记日期起"), _day(stats.date_from) or _("不限")],
            [_("登记日期止"), _day(stats.date_to) or _("不限")],
            [_("分组"), str(GROUPING_LABELS[stats.group_by])],
            [_("统计口径"), str(DIRECTION_LABELS[stats.direction])],
            [_("说明"), _("仅统计已登记合同；技术交易额 = 合同成交额 − 非技术性费用。")],
            [_("导出时间"), timezone.localtime().strftime("%Y-%m-%d %H:%M")],
        ]
        _sheet(book, _("说明"), [_("项目"), _("内容")], about)
        return _response(book, _("技术合同统计") + f"-{timezone.localdate():%Y%m%d}.xlsx")
