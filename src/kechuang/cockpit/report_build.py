"""The files of a work summary (工作总结): the document (.docx, A4, 仿宋 text and 黑体 headings as government
documents are set) and its statistics tables (.xlsx: one sheet per module, and 数据来源 with each figure's query
and record count, so every number of the text can be traced to its records)."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from .report_services import SOURCES, format_number

BODY_FONT = "仿宋_GB2312"
BODY_FALLBACK = "FangSong"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"
SUBHEADING_FONT = "楷体_GB2312"


def _set_font(run, east_asia: str, size: float, *, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = east_asia
    properties = run._element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = properties.makeelement(qn("w:rFonts"), {})
        properties.append(fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), east_asia)
    fonts.set(qn("w:hAnsi"), east_asia)


def _paragraph(document, text: str, *, font: str, size: float, bold=False, center=False, indent=True):
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing = Pt(28)
    fmt.space_after = Pt(0)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        fmt.first_line_indent = Pt(size * 2)  # 首行缩进两字
    _set_font(paragraph.add_run(text), font, size, bold=bold)
    return paragraph


def build_docx(report_context: dict) -> bytes:
    """The document from `report_context` (title, blocks of kind heading/subheading/paragraph)."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    document.core_properties.title = report_context.get("title", "")

    if report_context.get("title"):
        _paragraph(document, report_context["title"], font=TITLE_FONT, size=22, center=True)
        _paragraph(document, "", font=BODY_FONT, size=16, indent=False)
    for block in report_context.get("blocks", []):
        kind, text = block.kind, block.text
        if kind == "heading":
            _paragraph(document, text, font=HEADING_FONT, size=16)
        elif kind == "subheading":
            _paragraph(document, text, font=SUBHEADING_FONT, size=16, bold=True)
        else:
            _paragraph(document, text, font=BODY_FONT, size=16)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def _numeric(value):
    """The figure's value as a number for the cell (int, or float of the decimal string), text otherwise."""
    if value is None or isinstance(value, int):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return int(number) if number.is_integer() else number


def build_xlsx(figures: list[dict]) -> bytes:
    """One sheet per module (指标, 数值, 单位, 记录数) and 数据来源 (each figure's label, the SQL of its records,
    and how many records there are)."""
    headings = {module: heading for module, _dotted, heading in SOURCES}
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    by_module: dict[str, list[dict]] = {}
    for row in figures:
        by_module.setdefault(row["module"], []).append(row)
    for module, rows in by_module.items():
        sheet = workbook.create_sheet(title=headings.get(module, module)[:31])
        sheet.append([_("指标"), _("数值"), _("单位"), _("记录数")])
        for row in rows:
            sheet.append([row["label"], _numeric(row["value"]), row["unit"], row["count"]])
        for cell in sheet[1]:
            cell.font = bold
        sheet.column_dimensions["A"].width = 36
        sheet.column_dimensions["B"].width = 14
    sources = workbook.create_sheet(title=_("数据来源"))
    sources.append([_("模块"), _("指标"), _("代码"), _("数值"), _("单位"), _("记录数"), _("查询（SQL）")])
    for cell in sources[1]:
        cell.font = bold
    for row in figures:
        sources.append(
            [
                headings.get(row["module"], row["module"]),
                row["label"],
                row["key"],
                format_number(row["value"]),
                row["unit"],
                row["count"],
                row["query"][:32000],  # a cell holds at most 32,767 characters
            ]
        )
    sources.column_dimensions["B"].width = 30
    sources.column_dimensions["G"].width = 100
    for cells in sources.iter_rows(min_row=2, min_col=7, max_col=7):
        cells[0].alignment = Alignment(wrap_text=False)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
