"""The schedule of a matchmaking event as a Word document (python-docx; opens in Word and LibreOffice).

The whole schedule (bureau) is one landscape table by slot and table, followed by the pairs that could not
be scheduled; an organization's schedule lists only its own meetings, with the other party of each.
"""

from io import BytesIO

from django.utils.translation import gettext as _

from .events import agenda, agendas_by_organization, slot_label

CJK_FONT = "Noto Sans CJK SC"


def _document():
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        style = doc.styles[name]
        style.font.name = CJK_FONT
        # Word and LibreOffice take Chinese glyphs from the East Asian font slot, not from font.name.
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)
    doc.styles["Normal"].font.size = Pt(10.5)
    return doc


def _landscape(doc) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))


def _table(doc, header: list[str], rows: list[list[str]]):
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = str(text)
    return table


def _facts(doc, event) -> None:
    last = slot_label(event, event.slot_count - 1) if event.slot_count else ""
    first = slot_label(event, 0) if event.slot_count else ""
    hours = f"{first.split('–')[0]}–{last.split('–')[-1]}" if first else "—"
    facts = [
        (_("举办日期"), event.held_on.isoformat()),
        (_("地点"), event.place),
        (_("洽谈时间"), hours),
        (_("每场时长"), _("%(n)s分钟") % {"n": event.slot_minutes}),
    ]
    if event.theme:
        facts.append((_("活动主题"), event.theme))
    _table(doc, [_("项目"), _("内容")], [[str(k), str(v)] for k, v in facts])


def _own_rows(event, organization, own) -> list[list[str]]:
    rows = []
    for row in own.slots:
        for m in row.meetings:
            mine_is_demand = m.demand_party_id == organization.pk
            other = m.supply_party if mine_is_demand else m.demand_party
            rows.append(
                [
                    str(row.slot + 1),
                    row.label,
                    str(m.table),
                    other.name,
                    m.demand.title,
                    m.achievement.title,
                ]
            )
    return rows


def schedule_docx(event, meetings, *, organization_id: int | None = None) -> bytes:
    """The schedule as .docx bytes: the whole event, or only `organization_id`'s meetings."""
    doc = _document()
    meetings = list(meetings)
    doc.add_heading(_("%(title)s 对接日程") % {"title": event.title}, level=0)
    _facts(doc, event)
    if organization_id is None:
        _landscape(doc)
        whole = agenda(event, meetings)
        doc.add_heading(_("洽谈安排"), level=1)
        rows = [
            [
                str(row.slot + 1),
                row.label,
                str(m.table),
                m.demand_party.name,
                m.demand.title,
                m.supply_party.name,
                m.achievement.title,
            ]
            for row in whole.slots
            for m in row.meetings
        ]
        if rows:
            _table(
                doc,
                [_("场次"), _("时间"), _("桌号"), _("需求方"), _("技术需求"), _("成果方"), _("科技成果")],
                rows,
            )
        else:
            doc.add_paragraph(_("尚未安排洽谈。"))
        if whole.unscheduled:
            doc.add_heading(_("未排入日程的对接组合"), level=1)
            _table(
                doc,
                [_("需求方"), _("技术需求"), _("成果方"), _("科技成果")],
                [
                    [m.demand_party.name, m.demand.title, m.supply_party.name, m.achievement.title]
                    for m in whole.unscheduled
                ],
            )
    else:
        sheets = [s for s in agendas_by_organization(event, meetings) if s[0].pk == organization_id]
        for organization, own in sheets:
            doc.add_heading(_("%(name)s 的洽谈安排") % {"name": organization.name}, level=1)
            _table(
                doc,
                [_("场次"), _("时间"), _("桌号"), _("对方单位"), _("技术需求"), _("科技成果")],
                _own_rows(event, organization, own),
            )
        if not sheets or not any(own.slots for _o, own in sheets):
            doc.add_paragraph(_("本单位尚未安排洽谈。"))
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
