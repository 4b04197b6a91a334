"""Excel exports: one helper so every module's tables look alike (openpyxl, real .xlsx)."""

from io import BytesIO

from django.http import HttpResponse
from django.utils.encoding import escape_uri_path
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter


def workbook_response(*, filename: str, sheets: list[tuple[str, list[str], list[list]]]) -> HttpResponse:
    """An .xlsx download with one sheet per (title, header, rows); the header is bold and frozen."""
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="E6EEF8")
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        for index, name in enumerate(header, 1):
            width = max([len(str(name))] + [len(str(r[index - 1])) for r in rows if r[index - 1] is not None])
            sheet.column_dimensions[get_column_letter(index)].width = min(60, 4 + width * 1.6)
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response
