"""Import a patent list (.xlsx) as the patent offices and patent search sites export it.

Headers are Chinese and vary between exports, so they are matched flexibly (`COLUMNS`: the first matching
column of each meaning). Every row is checked on its own; the good rows are saved in one transaction and the
others reported with their Excel row number and a Chinese reason, all recorded in a PatentImport.

* Applicant: the organization named first in 申请人 (a ";"/"；" list), by exact registered name, or by the
  credit code column when the file has one. An organization's clerk imports its own list: every row goes to
  the clerk's organization, and a row whose applicants do not include it is refused. A bureau editor imports
  for the organizations of its region only.
* A number already registered is updated (title, status, dates, IPC), never duplicated; it must belong to the
  same organization.
* 法律状态 maps to the status (`status_of`); a lapsed patent takes its lapse date from 失效日 / 法律状态公告日.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.core.audit import _actor_fields, acting, record_transition
from kechuang.core.errors import DomainError
from kechuang.core.models import AuditLog
from kechuang.core.permissions import require
from kechuang.core.scoping import user_region_codes
from kechuang.core.validators import validate_spreadsheet
from kechuang.organizations.models import Organization
from kechuang.organizations.validators import normalize_credit_code

from . import numbers
from . import permissions as perm
from .enums import PatentKind, PatentStatus
from .models import Patent, PatentImport
from .registry_services import patent_problems

MAX_ROWS = 5000  # imported while the user waits (5,000 rows: about 6 s)
BACKGROUND_MAX_ROWS = 20000  # larger lists go to a background job, up to this
_CHUNK = 900

# meaning → header names (after `_normal`); a header that equals one, or failing that contains one (longest
# first), has that meaning.
COLUMNS: dict[str, tuple[str, ...]] = {
    "credit_code": ("统一社会信用代码", "申请人统一社会信用代码", "信用代码"),
    "lapsed_on": ("失效日", "失效日期", "终止日", "终止日期", "法律状态公告日", "法律状态日"),
    "number": ("申请号", "专利号", "申请号/专利号", "专利申请号", "申请号专利号"),
    "title": ("专利名称", "名称", "发明名称", "发明创造名称"),
    "applicants": ("申请人", "专利权人", "申请人/专利权人", "申请（专利权）人", "当前权利人", "权利人"),
    "inventors": ("发明人", "设计人", "发明人/设计人", "发明（设计）人"),
    "filed_on": ("申请日", "申请日期"),
    "granted_on": ("授权公告日", "授权日", "授权公告日期", "授权日期"),
    "status": ("法律状态", "当前法律状态"),
    "ipc": ("主分类号", "IPC主分类号", "IPC分类号", "主分类", "IPC"),
    "kind": ("专利类型", "类型"),
}
REQUIRED = ("number", "title", "applicants", "filed_on")
TEMPLATE_HEADER = (
    "申请号",
    "专利名称",
    "申请人",
    "发明人",
    "申请日",
    "授权公告日",
    "法律状态",
    "法律状态公告日",
    "主分类号",
    "专利类型",
    "统一社会信用代码",
)

# Checked in this order: "无效" and "失效" before "有效", "驳回" before "审".
_STATUS_WORDS = (
    (("失效", "无效", "终止", "未缴年费", "放弃", "撤回", "期限届满"), PatentStatus.LAPSED),
    (("驳回",), PatentStatus.REJECTED),
    (("有效", "授权", "专利权维持"), PatentStatus.GRANTED),
    (("审中", "公开", "实质审查", "实审", "申请中", "受理"), PatentStatus.APPLIED),
)
_KIND_WORDS = (
    ("实用新型", PatentKind.UTILITY_MODEL),
    ("外观", PatentKind.DESIGN),
    ("发明", PatentKind.INVENTION),
)
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?")
_SPLIT = re.compile(r"[;；]")


def _normal(title) -> str:
    text = "".join(str(title or "").split()).upper()
    return text.replace("(", "（").replace(")", "）").replace("：", "").replace(":", "").replace("*", "")


_LOOKUP = {_normal(name): key for key, names in COLUMNS.items() for name in names}
_BY_LENGTH = sorted(_LOOKUP.items(), key=lambda item: -len(item[0]))


def column_of(title, *, exact: bool = False) -> str | None:
    """The meaning of a header: the name itself, or (unless `exact`) the longest known name it contains."""
    name = _normal(title)
    if not name:
        return None
    if name in _LOOKUP or exact:
        return _LOOKUP.get(name)
    return next((key for known, key in _BY_LENGTH if known in name), None)


def column_positions(header) -> dict[str, int]:
    """meaning → column index; exact header names win over headers that merely contain one (申请人地址)."""
    positions: dict[str, int] = {}
    for exact in (True, False):
        for index, title in enumerate(header):
            key = column_of(title, exact=exact)
            if key is not None and key not in positions and index not in positions.values():
                positions[key] = index
    return positions


def status_of(text) -> str | None:
    value = "".join(str(text or "").split())
    if not value:
        return None
    for words, status in _STATUS_WORDS:
        if any(word in value for word in words):
            return status
    return None


def kind_of_text(text) -> str | None:
    value = "".join(str(text or "").split())
    return next((kind for word, kind in _KIND_WORDS if word in value), None)


def parse_date(value) -> date | None:
    """An Excel date, a serial number, or text such as 2019-03-05, 2019.03.05, 2019年3月5日, 20190305.

    None for an empty cell; ValueError for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = int(value)
        if number == value and 19000101 <= number <= 29991231:
            return parse_date(str(number))
        if number == value and 1 <= number <= 100000:  # an Excel serial day (the 1900 system)
            return date(1899, 12, 30) + timedelta(days=number)
        raise ValueError
    text = str(value).strip()
    match = _DATE_TEXT.match(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
    elif re.fullmatch(r"\d{8}", text):
        year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    else:
        raise ValueError
    return date(year, month, day)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def first_applicant(applicants: str) -> str:
    return next((part.strip() for part in _SPLIT.split(applicants or "") if part.strip()), "")


def _applicant_names(applicants: str) -> set[str]:
    return {part.strip() for part in _SPLIT.split(applicants or "") if part.strip()}


def read_workbook(file, limit: int = MAX_ROWS) -> tuple[list, list[tuple[int, tuple]]]:
    """The header and the non-empty rows (with their Excel row numbers) of the first sheet."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise DomainError(_("无法读取该 Excel 文件，请确认文件未损坏。")) from exc
    try:
        sheet = book.worksheets[0]
        iterator = sheet.iter_rows(values_only=True)
        header = list(next(iterator, ()) or ())
        rows = []
        for number, values in enumerate(iterator, start=2):
            if any(v is not None and str(v).strip() for v in values):
                rows.append((number, values))
                if len(rows) > limit:
                    raise DomainError(_("一次最多导入 %(max)s 行，请分批导入。") % {"max": limit})
        return header, rows
    finally:
        book.close()


def template_workbook() -> bytes:
    """An empty list with the headers the import reads, and one example row."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "专利清单"
    sheet.append(list(TEMPLATE_HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(
        [
            "201710601862.3",
            "一种纺织品的染整方法",
            "某某纺织有限公司",
            "张三；李四",
            "2017-07-21",
            "2019-03-05",
            "有效",
            "",
            "D06P1/00",
            "发明",
            "",
        ]
    )
    for letter in "ABCDEFGHIJK":
        sheet.column_dimensions[letter].width = 18
    notes = book.create_sheet("填写说明")
    for line in (
        ["申请号", "如 201710601862.3；可带 CN、ZL 前缀，可不带小数点，校验位须正确"],
        ["申请人", "多个申请人用分号分隔；第一申请人须是已在平台登记的单位（按名称或信用代码匹配）"],
        ["日期", "Excel 日期，或 2019-03-05、2019.03.05、20190305"],
        [
            "法律状态",
            "有效/授权 → 已授权；审中/公开/实质审查 → 申请中；失效/无效/未缴年费终止 → 已失效；驳回",
        ],
        ["法律状态公告日", "法律状态为失效时作为失效日，必填"],
        ["重复导入", "已登记的申请号将更新名称、法律状态和日期，不会重复登记"],
    ):
        notes.append(line)
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 90
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass
class Row:
    row: int
    number: str
    kind: str
    title: str
    applicants: str
    inventors: str
    filed_on: date | None
    granted_on: date | None
    lapsed_on: date | None
    status: str | None  # None: the file has no status (a new patent is "applied", an existing keeps its own)
    ipc: str
    credit_code: str


@dataclass
class Outcome:
    created: list[Patent] = field(default_factory=list)
    updated: list[Patent] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)

    def refuse(self, row: int, message: str) -> None:
        self.problems.append({"row": row, "message": message})


def _parse(header, raw_rows, outcome: Outcome) -> list[Row]:
    positions = column_positions(header)
    missing = [COLUMNS[key][0] for key in REQUIRED if key not in positions]
    if missing:
        raise DomainError(
            _("文件第一行缺少必需的列：%(columns)s。请使用专利清单导出文件或下载的模板。")
            % {"columns": "、".join(missing)}
        )
    if not raw_rows:
        raise DomainError(_("文件中没有数据行。"))
    rows, seen = [], {}
    for number, cells in raw_rows:

        def cell(key, cells=cells):
            index = positions.get(key)
            return cells[index] if index is not None and index < len(cells) else None

        reasons = []
        try:
            normalized = numbers.normalize(_text(cell("number")))
            kind = numbers.kind_of(normalized)
        except numbers.InvalidNumber as exc:
            normalized, kind = "", ""
            reasons.append(str(exc))
        given_kind = _text(cell("kind"))
        if kind and given_kind:
            stated = kind_of_text(given_kind)
            if stated is None:
                reasons.append(_("专利类型“%(value)s”无法识别。") % {"value": given_kind})
            elif stated != kind:
                reasons.append(
                    _("申请号表明该专利为“%(derived)s”，与专利类型“%(value)s”不符。")
                    % {"derived": PatentKind(kind).label, "value": given_kind}
                )
        dates = {}
        for key, label in (
            ("filed_on", _("申请日")),
            ("granted_on", _("授权公告日")),
            ("lapsed_on", _("失效日")),
        ):
            try:
                dates[key] = parse_date(cell(key))
            except (ValueError, TypeError):
                dates[key] = None
                reasons.append(
                    _("%(label)s“%(value)s”不是有效日期。") % {"label": label, "value": _text(cell(key))}
                )
        status_text = _text(cell("status"))
        status = status_of(status_text)
        if status_text and status is None:
            reasons.append(_("法律状态“%(value)s”无法识别。") % {"value": status_text})
        if status != PatentStatus.LAPSED:
            dates["lapsed_on"] = None  # 法律状态公告日 of a patent in force is not a lapse
        title = _text(cell("title"))
        applicants = _text(cell("applicants"))
        if not title:
            reasons.append(_("专利名称为空。"))
        if not applicants:
            reasons.append(_("申请人为空。"))
        if normalized:
            first = seen.setdefault(normalized, number)
            if first != number:
                reasons.append(_("与第 %(row)s 行的申请号重复。") % {"row": first})
        for reason in reasons:
            outcome.refuse(number, reason)
        if reasons:
            continue
        rows.append(
            Row(
                row=number,
                number=normalized,
                kind=kind,
                title=title[:200],
                applicants=applicants[:300],
                inventors=_text(cell("inventors")).replace(";", "；")[:300],
                filed_on=dates["filed_on"],
                granted_on=dates["granted_on"],
                lapsed_on=dates["lapsed_on"],
                status=status,
                ipc=_text(cell("ipc")).upper()[:30],
                credit_code=normalize_credit_code(_text(cell("credit_code"))) if cell("credit_code") else "",
            )
        )
    return rows


def _chunks(items: list, size: int = _CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _organizations(rows: list[Row]) -> tuple[dict[str, list[Organization]], dict[str, Organization]]:
    names = sorted({first_applicant(row.applicants) for row in rows} - {""})
    codes = sorted({row.credit_code for row in rows} - {""})
    by_name: dict[str, list[Organization]] = {}
    by_code: dict[str, Organization] = {}
    for chunk in _chunks(names):
        for organization in Organization.objects.filter(name__in=chunk).only("pk", "name", "region_id"):
            by_name.setdefault(organization.name, []).append(organization)
    for chunk in _chunks(codes):
        for organization in Organization.objects.filter(credit_code__in=chunk).only(
            "pk", "name", "region_id", "credit_code"
        ):
            by_code[organization.credit_code] = organization
    return by_name, by_code


def _existing(rows: list[Row]) -> dict[str, Patent]:
    found = {}
    for chunk in _chunks(sorted({row.number for row in rows})):
        for patent in Patent.objects.select_for_update().filter(application_no__in=chunk):
            found[patent.application_no] = patent
    return found


@acting
@transaction.atomic
def patent_import(
    *, file, by, filename: str = "", today: date | None = None, limit: int = MAX_ROWS
) -> PatentImport:
    """Check every row, save the good ones, and record the import with its counts and problem rows.

    Raises DomainError (nothing saved) only when the file as a whole cannot be read: not a workbook, a
    missing required column, too many rows.
    """
    require(perm.can_import_patents(by))
    try:
        validate_spreadsheet(file)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field="file") from None
    own = by.organization if (by.active_organization_id and by.role in perm.PATENT_OWNER_ROLES) else None
    header, raw_rows = read_workbook(file, limit)
    outcome = Outcome()
    rows = _parse(header, raw_rows, outcome)
    by_name, by_code = _organizations(rows)
    existing = _existing(rows)
    codes = None if own is not None else user_region_codes(by)
    scope = None if codes is None else set(codes)
    today = today or timezone.localdate()
    now = timezone.now()
    for row in rows:
        # Which organization the row belongs to.
        if own is not None:
            if own.name not in _applicant_names(row.applicants) and row.credit_code != own.credit_code:
                outcome.refuse(
                    row.row,
                    _("申请人“%(applicants)s”不含本单位（%(own)s），不能导入到本单位名下。")
                    % {"applicants": row.applicants, "own": own.name},
                )
                continue
            organization = own
        else:
            name = first_applicant(row.applicants)
            if row.credit_code:
                organization = by_code.get(row.credit_code)
                if organization is None:
                    outcome.refuse(
                        row.row, _("统一社会信用代码 %(code)s 未在平台登记。") % {"code": row.credit_code}
                    )
                    continue
            else:
                matches = by_name.get(name, [])
                if len(matches) != 1:
                    outcome.refuse(
                        row.row,
                        (
                            _("申请人“%(name)s”未在平台登记（按单位全称匹配）。")
                            if not matches
                            else _("有多家单位名为“%(name)s”，请在文件中填写统一社会信用代码。")
                        )
                        % {"name": name},
                    )
                    continue
                organization = matches[0]
            if scope is not None and organization.region_id not in scope:
                outcome.refuse(row.row, _("%(name)s 不在您的管辖区域内。") % {"name": organization.name})
                continue
        patent = existing.get(row.number)
        if patent is not None and patent.organization_id != organization.pk:
            outcome.refuse(
                row.row,
                _("申请号 %(number)s 已登记在其他单位名下，不能更改专利权人。") % {"number": row.number},
            )
            continue
        status = row.status or (patent.status if patent is not None else PatentStatus.APPLIED)
        granted_on = row.granted_on or (patent.granted_on if patent is not None else None)
        if status in (PatentStatus.APPLIED, PatentStatus.REJECTED) and row.granted_on is None:
            granted_on = None
        lapsed_on = row.lapsed_on if status == PatentStatus.LAPSED else None
        if status == PatentStatus.LAPSED and lapsed_on is None and patent is not None:
            lapsed_on = patent.lapsed_on
        problems = patent_problems(
            number=row.number,
            status=status,
            filed_on=row.filed_on,
            granted_on=granted_on,
            lapsed_on=lapsed_on,
            today=today,
        )
        if problems:
            message = problems[0][1]
            if status == PatentStatus.LAPSED and lapsed_on is None:
                message = _("法律状态为失效，但没有失效日（请填写“法律状态公告日”或“失效日”列）。")
            outcome.refuse(row.row, message)
            continue
        values = {
            "title": row.title,
            "applicants": row.applicants,
            "inventors": row.inventors,
            "filed_on": row.filed_on,
            "granted_on": granted_on,
            "lapsed_on": lapsed_on,
            "status": status,
            "ipc": row.ipc,
        }
        if patent is None:
            patent = Patent(
                application_no=row.number,
                kind=row.kind,
                organization_id=organization.pk,
                created_at=now,
                updated_at=now,
                **values,
            )
            patent._region = organization.region_id
            outcome.created.append(patent)
            existing[row.number] = patent  # (duplicates in the file were refused already)
        else:
            if not row.inventors:
                values["inventors"] = patent.inventors
            if not row.ipc:
                values["ipc"] = patent.ipc
            changed = {name for name, value in values.items() if getattr(patent, name) != value}
            if changed:
                before = patent.status
                for name in changed:
                    setattr(patent, name, values[name])
                patent.bump_version()
                patent.save()
                if patent.status != before:
                    record_transition(
                        instance=patent,
                        by=by,
                        from_state=before,
                        to_state=patent.status,
                        reason=_("批量导入"),
                    )
                outcome.updated.append(patent)  # rows that change nothing are neither new nor updated
    _save_new(outcome.created, by=by, filename=filename, now=now)
    outcome.problems.sort(key=lambda problem: problem["row"])
    file.seek(0)
    result = PatentImport(
        imported_by=by,
        organization=own,
        created=len(outcome.created),
        updated=len(outcome.updated),
        rejected=len({problem["row"] for problem in outcome.problems}),
        problems=outcome.problems,
    )
    result.file.save(filename or getattr(file, "name", "") or "patents.xlsx", file, save=False)
    result.save()
    return result


def _save_new(patents: list[Patent], *, by, filename: str, now) -> None:
    """Bulk insert bypasses the audit signals: one audit line per new patent is written here."""
    if not patents:
        return
    Patent.objects.bulk_create(patents, batch_size=500)
    if any(p.pk is None for p in patents):  # backends that do not return ids (none in use): read them back
        ids = dict(
            Patent.objects.filter(application_no__in=[p.application_no for p in patents]).values_list(
                "application_no", "pk"
            )
        )
        for patent in patents:
            patent.pk = patent.id = ids[patent.application_no]
    content_type = ContentType.objects.get_for_model(Patent)
    actor = _actor_fields(by)
    reason = _("批量导入：%(file)s") % {"file": filename} if filename else _("批量导入")
    lines = []
    for patent in patents:
        values = patent.audit_values()
        lines.append(
            AuditLog(
                action=AuditLog.Action.CREATE,
                content_type=content_type,
                object_id=str(patent.pk),
                object_repr=str(patent)[:255],
                changes={name: [None, value] for name, value in values.items() if value not in (None, "")},
                reason=reason,
                region_code=patent._region,
                at=now,
                **actor,
            )
        )
    AuditLog.objects.bulk_create(lines, batch_size=500)


def patent_import_or_enqueue(*, file, by, filename: str = "") -> PatentImport | None:
    """Import at once up to MAX_ROWS rows; a longer list (up to BACKGROUND_MAX_ROWS) is stored and imported by
    the job `patents.import_list` (registry_jobs), which notifies the importer. None when it was queued."""
    from django.core.files.storage import default_storage

    from kechuang.core import jobs

    require(perm.can_import_patents(by))
    try:
        validate_spreadsheet(file)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field="file") from None
    _header, raw_rows = read_workbook(file, BACKGROUND_MAX_ROWS)
    file.seek(0)
    if len(raw_rows) <= MAX_ROWS:
        return patent_import(file=file, by=by, filename=filename)
    path = default_storage.save("patents/imports/pending/list.xlsx", file)
    jobs.enqueue("patents.import_list", path=path, user_id=by.pk, filename=filename or file.name)
    return None
