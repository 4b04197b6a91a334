"""Writes of the talent app: commissioners and their dispatches and work logs, talent programs and talents, foreign
experts. Every function checks its permission, validates, locks what it changes and is audited."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.carriers.enums import CarrierKind
from kechuang.core.audit import acting, record_transition
from kechuang.core.errors import DomainError, PermissionDenied
from kechuang.core.permissions import require

from .enums import CommissionerKind, DispatchState, Engagement, TalentKind, TalentState, WorkKind
from .models import Commissioner, Dispatch, ForeignExpert, Talent, TalentProgram, WorkLog
from .permissions import (
    can_dispatch_to,
    can_manage_commissioners,
    can_manage_foreign_expert,
    can_manage_talent_programs,
    can_manage_talents,
    can_write_work_log,
)

COMMISSIONER_FIELDS = ("kind", "name", "organization", "leader", "members", "specialty", "title", "phone")
TALENT_FIELDS = ("program", "kind", "name", "members", "organization", "year", "field", "project", "funding")
EXPERT_FIELDS = (
    "name",
    "country",
    "field",
    "organization",
    "workstation",
    "engagement",
    "starts_on",
    "ends_on",
    "days_per_year",
)


def _text(value) -> str:
    return (value or "").strip()


def _apply(instance, fields, values: dict) -> None:
    for name in fields:
        if name in values:
            value = values[name]
            setattr(instance, name, value.strip() if isinstance(value, str) else value)


def _require_text(value, message: str, field: str) -> None:
    if not (value or "").strip():
        raise DomainError(message, field=field)


def _check_term(starts_on: date | None, ends_on: date | None, *, what: str) -> None:
    if starts_on is None:
        raise DomainError(_("请填写%(what)s开始日期。") % {"what": what}, field="starts_on")
    if ends_on is None:
        raise DomainError(_("请填写%(what)s结束日期。") % {"what": what}, field="ends_on")
    if ends_on < starts_on:
        raise DomainError(_("%(what)s结束日期不能早于开始日期。") % {"what": what}, field="ends_on")


# ---------------------------------------------------------------------------------------------------------
# Commissioners and dispatches


def _check_commissioner(commissioner: Commissioner) -> None:
    if commissioner.kind not in CommissionerKind.values:
        raise DomainError(_("请选择科技特派员类型。"), field="kind")
    _require_text(commissioner.name, _("请填写科技特派员姓名或名称。"), "name")
    if commissioner.organization_id is None:
        raise DomainError(_("请选择派出单位。"), field="organization")


@acting
@transaction.atomic
def commissioner_create(*, by, **values) -> Commissioner:
    """Register a science commissioner (individual, team or legal person) with the unit that sends them."""
    require(can_manage_commissioners(by))
    commissioner = Commissioner()
    _apply(commissioner, COMMISSIONER_FIELDS, values)
    _check_commissioner(commissioner)
    commissioner.save()
    return commissioner


@acting
@transaction.atomic
def commissioner_update(*, commissioner: Commissioner, by, expected_version: int | None = None, **values):
    """Change a commissioner's record."""
    require(can_manage_commissioners(by))
    locked = Commissioner.objects.select_for_update().get(pk=commissioner.pk)
    locked.check_version(expected_version)
    _apply(locked, COMMISSIONER_FIELDS, values)
    _check_commissioner(locked)
    locked.bump_version()
    locked.save()
    return locked


@acting
@transaction.atomic
def dispatch_create(
    *,
    commissioner: Commissioner,
    town,
    starts_on: date,
    ends_on: date,
    by,
    served: str = "",
    tasks: str = "",
) -> Dispatch:
    """Send a commissioner to a town for a term; one active dispatch of a commissioner per town at a time."""
    if town is None:
        raise DomainError(_("请选择派驻乡镇。"), field="town")
    decision = can_dispatch_to(by, town)
    if not decision:
        raise PermissionDenied(decision.reason, field="town")
    _check_term(starts_on, ends_on, what=_("派驻"))
    # Lock the commissioner so two editors cannot both create overlapping dispatches.
    Commissioner.objects.select_for_update().get(pk=commissioner.pk)
    overlapping = Dispatch.objects.filter(
        commissioner=commissioner,
        town=town,
        state=DispatchState.ACTIVE,
        starts_on__lte=ends_on,
        ends_on__gte=starts_on,
    )
    if overlapping.exists():
        raise DomainError(
            _("%(name)s 在该乡镇已有派驻期重叠的在派记录。") % {"name": commissioner.name}, field="starts_on"
        )
    return Dispatch.objects.create(
        commissioner=commissioner,
        town=town,
        starts_on=starts_on,
        ends_on=ends_on,
        served=_text(served)[:200],
        tasks=_text(tasks),
    )


def _lock_active_dispatch(dispatch: Dispatch, by, expected_version) -> Dispatch:
    locked = Dispatch.objects.select_for_update().select_related("town").get(pk=dispatch.pk)
    require(can_dispatch_to(by, locked.town))
    locked.check_version(expected_version)
    if locked.state != DispatchState.ACTIVE:
        raise DomainError(_("该派驻已结束。"))
    return locked


@acting
@transaction.atomic
def dispatch_end(*, dispatch: Dispatch, by, expected_version: int | None = None) -> Dispatch:
    """Close a dispatch whose term is over (期满)."""
    locked = _lock_active_dispatch(dispatch, by, expected_version)
    if locked.ends_on > timezone.localdate():
        raise DomainError(_("派驻期尚未届满；如需提前结束，请召回。"))
    locked.state = DispatchState.ENDED
    locked.bump_version()
    locked.save()
    record_transition(instance=locked, by=by, from_state=DispatchState.ACTIVE, to_state=locked.state)
    return locked


@acting
@transaction.atomic
def dispatch_recall(*, dispatch: Dispatch, reason: str, by, expected_version: int | None = None) -> Dispatch:
    """Recall a commissioner before the term ends; the term is cut to today (never before its start)."""
    locked = _lock_active_dispatch(dispatch, by, expected_version)
    reason = _text(reason)
    if not reason:
        raise DomainError(_("请填写召回原因。"), field="reason")
    today = timezone.localdate()
    locked.ends_on = max(locked.starts_on, min(locked.ends_on, today))
    locked.state = DispatchState.RECALLED
    locked.bump_version()
    locked.save()
    record_transition(
        instance=locked, by=by, from_state=DispatchState.ACTIVE, to_state=locked.state, reason=reason[:500]
    )
    return locked


# ---------------------------------------------------------------------------------------------------------
# Work logs


def _check_log(log: WorkLog, dispatch: Dispatch) -> None:
    if log.kind not in WorkKind.values:
        raise DomainError(_("请选择工作类型。"), field="kind")
    if log.happened_on is None:
        raise DomainError(_("请填写日期。"), field="happened_on")
    if not (dispatch.starts_on <= log.happened_on <= dispatch.ends_on):
        raise DomainError(
            _("日期须在派驻期内（%(start)s 至 %(end)s）。")
            % {"start": dispatch.starts_on.isoformat(), "end": dispatch.ends_on.isoformat()},
            field="happened_on",
        )
    if log.happened_on > timezone.localdate():
        raise DomainError(_("日期不能晚于今天。"), field="happened_on")
    _require_text(log.title, _("请填写工作内容。"), "title")
    if not log.quantity or log.quantity < 1:
        raise DomainError(_("数量至少为 1。"), field="quantity")
    if log.kind == WorkKind.TRAINING:
        if not log.attendance:
            raise DomainError(_("举办培训须填写参训人次。"), field="attendance")
    else:
        log.attendance = None


@acting
@transaction.atomic
def worklog_add(
    *,
    dispatch: Dispatch,
    kind: str,
    happened_on: date,
    title: str,
    by,
    description: str = "",
    quantity: int = 1,
    attendance: int | None = None,
) -> WorkLog:
    """Add a line to a dispatch's work log."""
    locked = Dispatch.objects.select_for_update().select_related("commissioner").get(pk=dispatch.pk)
    require(can_write_work_log(by, locked))
    log = WorkLog(
        dispatch=locked,
        kind=kind,
        happened_on=happened_on,
        title=_text(title)[:120],
        description=_text(description),
        quantity=quantity,
        attendance=attendance,
        written_by=by,
    )
    _check_log(log, locked)
    log.save()
    return log


def _lock_log(log: WorkLog, by, expected_version) -> WorkLog:
    locked = (
        WorkLog.objects.select_for_update()
        .select_related("dispatch", "dispatch__commissioner")
        .get(pk=log.pk)
    )
    require(can_write_work_log(by, locked.dispatch))
    locked.check_version(expected_version)
    return locked


@acting
@transaction.atomic
def worklog_update(*, log: WorkLog, by, expected_version: int | None = None, **values) -> WorkLog:
    """Correct a work log line."""
    locked = _lock_log(log, by, expected_version)
    _apply(locked, ("kind", "happened_on", "title", "description", "quantity", "attendance"), values)
    locked.title = (locked.title or "")[:120]
    _check_log(locked, locked.dispatch)
    locked.bump_version()
    locked.save()
    return locked


@acting
@transaction.atomic
def worklog_delete(*, log: WorkLog, by, expected_version: int | None = None) -> None:
    """Remove a work log line entered by mistake (the audit trail keeps what it said)."""
    locked = _lock_log(log, by, expected_version)
    locked.delete()


# ---------------------------------------------------------------------------------------------------------
# Talent programs and talents


@acting
@transaction.atomic
def talent_program_create(*, region, name: str, by, description: str = "") -> TalentProgram:
    """Register a talent program of a region."""
    if region is None:
        raise DomainError(_("请选择地区。"), field="region")
    require(can_manage_talent_programs(by, region.pk))
    _require_text(name, _("请填写计划名称。"), "name")
    name = name.strip()[:100]
    if TalentProgram.objects.filter(region=region, name=name).exists():
        raise DomainError(_("该地区已有同名人才计划。"), field="name")
    return TalentProgram.objects.create(region=region, name=name, description=_text(description))


def _check_talent(talent: Talent) -> None:
    if talent.program_id is None:
        raise DomainError(_("请选择人才计划。"), field="program")
    if talent.kind not in TalentKind.values:
        raise DomainError(_("请选择人才类别。"), field="kind")
    _require_text(talent.name, _("请填写姓名或团队名称。"), "name")
    if talent.organization_id is None:
        raise DomainError(_("请选择所在单位。"), field="organization")
    if not talent.year or not (1990 <= int(talent.year) <= 2100):
        raise DomainError(_("请填写正确的入选年度。"), field="year")
    if talent.funding is not None and Decimal(talent.funding) < 0:
        raise DomainError(_("资助经费不能为负数。"), field="funding")


@acting
@transaction.atomic
def talent_create(*, by, **values) -> Talent:
    """Record a talent or team selected under a program."""
    require(can_manage_talents(by, values.get("organization")))
    talent = Talent()
    _apply(talent, TALENT_FIELDS, values)
    _check_talent(talent)
    talent.save()
    return talent


@acting
@transaction.atomic
def talent_update(*, talent: Talent, by, expected_version: int | None = None, **values) -> Talent:
    """Change a talent's record; moving it to another organization needs the right over both."""
    locked = Talent.objects.select_for_update().select_related("organization").get(pk=talent.pk)
    require(can_manage_talents(by, locked.organization))
    locked.check_version(expected_version)
    if locked.state == TalentState.WITHDRAWN:
        raise DomainError(_("已撤销的人才不能修改。"))
    _apply(locked, TALENT_FIELDS, values)
    require(can_manage_talents(by, locked.organization))
    _check_talent(locked)
    locked.bump_version()
    locked.save()
    return locked


@acting
@transaction.atomic
def talent_withdraw(*, talent: Talent, reason: str, by, expected_version: int | None = None) -> Talent:
    """Withdraw a talent's selection (撤销) with a reason."""
    locked = Talent.objects.select_for_update().select_related("organization").get(pk=talent.pk)
    require(can_manage_talents(by, locked.organization))
    locked.check_version(expected_version)
    if locked.state == TalentState.WITHDRAWN:
        raise DomainError(_("该人才已撤销。"))
    reason = _text(reason)
    if not reason:
        raise DomainError(_("请填写撤销原因。"), field="reason")
    before = locked.state
    locked.state = TalentState.WITHDRAWN
    locked.bump_version()
    locked.save()
    record_transition(instance=locked, by=by, from_state=before, to_state=locked.state, reason=reason[:500])
    return locked


# ---------------------------------------------------------------------------------------------------------
# Foreign experts


def _check_expert(expert: ForeignExpert) -> None:
    _require_text(expert.name, _("请填写专家姓名。"), "name")
    _require_text(expert.country, _("请填写国籍。"), "country")
    if expert.organization_id is None:
        raise DomainError(_("请选择聘用单位。"), field="organization")
    if expert.engagement not in Engagement.values:
        raise DomainError(_("请选择引进方式。"), field="engagement")
    _check_term(expert.starts_on, expert.ends_on, what=_("聘期"))
    if expert.days_per_year is not None and not (0 < expert.days_per_year <= 366):
        raise DomainError(_("每年在岗天数应在 1 至 366 之间。"), field="days_per_year")
    station = expert.workstation
    if station is not None and (
        station.kind != CarrierKind.FOREIGN_WORKSTATION or station.operator_id != expert.organization_id
    ):
        raise DomainError(_("所选载体不是聘用单位运营的外国专家工作站。"), field="workstation")


@acting
@transaction.atomic
def foreign_expert_create(*, by, **values) -> ForeignExpert:
    """Record a foreign expert engaged by an organization (full-time or flexibly, for a term)."""
    require(can_manage_foreign_expert(by, values.get("organization")))
    expert = ForeignExpert()
    _apply(expert, EXPERT_FIELDS, values)
    _check_expert(expert)
    expert.save()
    return expert


@acting
@transaction.atomic
def foreign_expert_update(
    *, expert: ForeignExpert, by, expected_version: int | None = None, **values
) -> ForeignExpert:
    """Change a foreign expert's record (term, workstation, engagement)."""
    locked = ForeignExpert.objects.select_for_update().select_related("organization").get(pk=expert.pk)
    require(can_manage_foreign_expert(by, locked.organization))
    locked.check_version(expected_version)
    _apply(locked, EXPERT_FIELDS, values)
    require(can_manage_foreign_expert(by, locked.organization))
    _check_expert(locked)
    locked.bump_version()
    locked.save()
    return locked
