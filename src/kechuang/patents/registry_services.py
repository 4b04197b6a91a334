"""The patent registry as services: record, correct and delete a patent; record a region's population.

A patent's number is stored in its normalized form (numbers.normalize); its kind follows from the number, and
its status from its dates (`patent_problems`, shared with the Excel import). Status changes are recorded as
transitions, so the detail page shows when a patent was granted or lapsed and who recorded it.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.core.audit import acting, record, record_transition
from kechuang.core.errors import DomainError
from kechuang.core.models import AuditLog
from kechuang.core.permissions import require
from kechuang.regions.models import Population, Region

from . import numbers
from . import permissions as perm
from .enums import PatentKind, PatentStatus
from .models import Patent

EDITABLE = ("title", "applicants", "inventors", "filed_on", "granted_on", "lapsed_on", "status", "ipc")


def number_and_kind(text: str, kind: str | None = None) -> tuple[str, str]:
    """The normalized number and the kind it implies; a given kind must agree. Raises DomainError(field)."""
    try:
        number = numbers.normalize(text)
    except numbers.InvalidNumber as exc:
        raise DomainError(str(exc), field="application_no") from None
    derived = numbers.kind_of(number)
    if kind and kind != derived:
        raise DomainError(
            _("申请号 %(number)s 表明该专利为“%(derived)s”，与所填类型“%(kind)s”不符。")
            % {
                "number": number,
                "derived": PatentKind(derived).label,
                "kind": PatentKind(kind).label if kind in PatentKind.values else kind,
            },
            field="kind",
        )
    return number, derived


def patent_problems(
    *,
    number: str,
    status: str,
    filed_on: date | None,
    granted_on: date | None,
    lapsed_on: date | None,
    today: date | None = None,
) -> list[tuple[str, str]]:
    """(field, Chinese message) for every way the dates and status of a patent disagree with each other."""
    today = today or timezone.localdate()
    problems = []
    if filed_on is None:
        problems.append(("filed_on", _("请填写申请日。")))
    else:
        year = numbers.filing_year(number)
        if filed_on.year != year:
            problems.append(
                (
                    "filed_on",
                    _("申请日 %(date)s 与申请号的申请年份 %(year)s 不符。")
                    % {"date": filed_on, "year": year},
                )
            )
        if filed_on > today:
            problems.append(("filed_on", _("申请日不能晚于今天。")))
    for name, value, label in (
        ("granted_on", granted_on, _("授权公告日")),
        ("lapsed_on", lapsed_on, _("失效日")),
    ):
        if value is not None and value > today:
            problems.append((name, _("%(label)s不能晚于今天。") % {"label": label}))
        if value is not None and filed_on is not None and value < filed_on:
            problems.append((name, _("%(label)s不能早于申请日。") % {"label": label}))
    if status == PatentStatus.GRANTED:
        if granted_on is None:
            problems.append(("granted_on", _("已授权的专利须填写授权公告日。")))
        if lapsed_on is not None:
            problems.append(("lapsed_on", _("有失效日的专利，法律状态应为“已失效”。")))
    elif status == PatentStatus.LAPSED:
        if lapsed_on is None:
            problems.append(("lapsed_on", _("已失效的专利须填写失效日。")))
        elif granted_on is not None and lapsed_on < granted_on:
            problems.append(("lapsed_on", _("失效日不能早于授权公告日。")))
    elif status == PatentStatus.APPLIED:
        if granted_on is not None:
            problems.append(("status", _("已有授权公告日的专利，法律状态不能是“申请中”。")))
        if lapsed_on is not None:
            problems.append(("status", _("有失效日的专利，法律状态应为“已失效”。")))
    elif status == PatentStatus.REJECTED:
        if granted_on is not None:
            problems.append(("status", _("已驳回的申请不能有授权公告日。")))
    else:
        problems.append(("status", _("法律状态无效。")))
    return problems


def _check(patent: Patent) -> None:
    problems = patent_problems(
        number=patent.application_no,
        status=patent.status,
        filed_on=patent.filed_on,
        granted_on=patent.granted_on,
        lapsed_on=patent.lapsed_on,
    )
    if problems:
        field, message = problems[0]
        raise DomainError(message, field=field)
    if not (patent.title or "").strip():
        raise DomainError(_("请填写专利名称。"), field="title")


def _number_taken(number: str, exclude_pk: int | None = None) -> None:
    existing = (
        Patent.objects.filter(application_no=number).exclude(pk=exclude_pk).select_related("organization")
    )
    other = existing.first()
    if other is not None:
        raise DomainError(
            _("申请号 %(number)s 已登记（%(organization)s）。")
            % {"number": number, "organization": other.organization.name},
            field="application_no",
        )


@acting
@transaction.atomic
def patent_create(
    *,
    organization,
    application_no: str,
    title: str,
    filed_on: date,
    kind: str | None = None,
    status: str = PatentStatus.APPLIED,
    granted_on: date | None = None,
    lapsed_on: date | None = None,
    applicants: str = "",
    inventors: str = "",
    ipc: str = "",
    by,
) -> Patent:
    require(perm.can_edit_patents_of(by, organization))
    number, derived = number_and_kind(application_no, kind)
    _number_taken(number)
    patent = Patent(
        application_no=number,
        kind=derived,
        title=(title or "").strip(),
        organization=organization,
        applicants=(applicants or organization.name).strip(),
        inventors=(inventors or "").strip(),
        filed_on=filed_on,
        granted_on=granted_on,
        lapsed_on=lapsed_on,
        status=status,
        ipc=(ipc or "").strip().upper(),
    )
    _check(patent)
    patent.save()
    return patent


@acting
@transaction.atomic
def patent_update(
    *,
    patent: Patent,
    by,
    expected_version: int | None = None,
    application_no: str | None = None,
    kind: str | None = None,
    **changes,
) -> Patent:
    """Change the fields given (EDITABLE, and the number); a status change is recorded as a transition."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    patent = Patent.objects.select_for_update().select_related("organization").get(pk=patent.pk)
    require(perm.can_edit_patents_of(by, patent.organization))
    patent.check_version(expected_version)
    if application_no is not None or kind is not None:
        number, derived = number_and_kind(
            application_no if application_no is not None else patent.application_no, kind
        )
        if number != patent.application_no:
            _number_taken(number, exclude_pk=patent.pk)
        patent.application_no, patent.kind = number, derived
    before = patent.status
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(patent, name, value)
    patent.ipc = (patent.ipc or "").upper()
    _check(patent)
    patent.bump_version()
    patent.save()
    if patent.status != before:
        record_transition(instance=patent, by=by, from_state=before, to_state=patent.status)
    return patent


@acting
@transaction.atomic
def patent_delete(*, patent: Patent, by, expected_version: int | None = None) -> None:
    patent = Patent.objects.select_for_update().select_related("organization").get(pk=patent.pk)
    require(perm.can_delete_patent(by, patent))
    patent.check_version(expected_version)
    if patent.subsidy_items.exists():
        raise DomainError(_("该专利已列入专利资助申请，不能删除。"))
    if patent.pledges.exists():
        raise DomainError(_("该专利已登记为质押专利，不能删除。"))
    patent.delete()


@acting
@transaction.atomic
def population_record(*, region: Region, year: int, population: int, by) -> Population:
    """Record (or correct) a region's resident population at the end of `year` (常住人口)."""
    require(perm.can_record_population(by, region.code))
    if population <= 0:
        raise DomainError(_("常住人口须大于0。"), field="population")
    if not 1985 <= year <= timezone.localdate().year:
        raise DomainError(_("年度无效。"), field="year")
    row = Population.objects.select_for_update().filter(region=region, year=year).first()
    if row is None:
        row = Population.objects.create(region=region, year=year, population=population)
        record(action=AuditLog.Action.CREATE, instance=row, by=by, changes={"population": [None, population]})
    elif row.population != population:
        old, row.population = row.population, population
        row.save(update_fields=["population"])
        record(action=AuditLog.Action.UPDATE, instance=row, by=by, changes={"population": [old, population]})
    return row
