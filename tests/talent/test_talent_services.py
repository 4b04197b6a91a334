"""Services of the talent app: who may dispatch and keep work logs, the term rules, version conflicts, talents and
foreign experts."""

from datetime import date

import pytest
from django.utils import timezone

from kechuang.carriers.enums import CarrierKind
from kechuang.carriers.models import Carrier
from kechuang.core.errors import ConflictError, DomainError, PermissionDenied
from kechuang.core.models import AuditLog
from kechuang.talent.enums import DispatchState, Engagement, TalentKind, TalentState, WorkKind
from kechuang.talent.models import WorkLog
from kechuang.talent.services import (
    dispatch_create,
    dispatch_end,
    dispatch_recall,
    foreign_expert_create,
    talent_create,
    talent_program_create,
    talent_withdraw,
    worklog_add,
    worklog_delete,
    worklog_update,
)

from ..factories import audit_for, region

pytestmark = pytest.mark.django_db


def _log(dispatch, by, **extra):
    values = {"kind": WorkKind.VISIT, "happened_on": date(2025, 3, 5), "title": "茶园走访", **extra}
    return worklog_add(dispatch=dispatch, by=by, **values)


def test_dispatch_rules(talent_world):
    w = talent_world
    c = w["commissioner"]
    with pytest.raises(DomainError, match="结束日期不能早于开始日期"):
        dispatch_create(
            commissioner=c,
            town=region("330603L02"),
            starts_on=date(2025, 5, 1),
            ends_on=date(2025, 4, 1),
            by=w["staff"],
        )
    # 柯桥区's bureau cannot send anyone to a town of 诸暨.
    with pytest.raises(DomainError, match="不在您的管辖范围内"):
        dispatch_create(
            commissioner=c,
            town=region("330681L01"),
            starts_on=date(2025, 1, 1),
            ends_on=date(2025, 6, 1),
            by=w["kq_staff"],
        )
    with pytest.raises(DomainError, match="须为乡镇"):
        dispatch_create(
            commissioner=c,
            town=region("330603"),
            starts_on=date(2025, 1, 1),
            ends_on=date(2025, 6, 1),
            by=w["staff"],
        )
    # Overlapping the active dispatch to the same town is refused; a later term or another town is not.
    with pytest.raises(DomainError, match="派驻期重叠"):
        dispatch_create(
            commissioner=c,
            town=region("330603L01"),
            starts_on=date(2025, 12, 1),
            ends_on=date(2026, 6, 1),
            by=w["staff"],
        )
    later = dispatch_create(
        commissioner=c,
        town=region("330603L01"),
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        by=w["kq_staff"],
    )
    assert (later.town_id, later.state) == ("330603L01", DispatchState.ACTIVE)
    with pytest.raises(PermissionDenied):
        dispatch_create(
            commissioner=c,
            town=region("330603L03"),
            starts_on=date(2025, 1, 1),
            ends_on=date(2025, 6, 1),
            by=w["kq_officer"],
        )


def test_work_log_writers(talent_world):
    """The commissioner's organization and the bureau/officer over the town write; others are refused."""
    w = talent_world
    d = w["dispatch"]
    assert _log(d, w["institution"]).written_by == w["institution"]
    assert _log(d, w["kq_officer"]).written_by == w["kq_officer"]
    for outsider in ("ent_a", "other_town_officer", "zj_officer", "leader"):
        user = w[outsider] if outsider != "other_town_officer" else w["other_town_officer"]
        with pytest.raises(PermissionDenied):
            _log(d, user)
    assert WorkLog.objects.filter(dispatch=d).count() == 2


def test_work_log_dates_and_training(talent_world):
    w = talent_world
    d, by = w["dispatch"], w["institution"]
    for day in (date(2024, 12, 31), date(2026, 1, 1)):
        with pytest.raises(DomainError, match="日期须在派驻期内") as caught:
            _log(d, by, happened_on=day)
        assert caught.value.field == "happened_on"
    with pytest.raises(DomainError, match="须填写参训人次"):
        _log(d, by, kind=WorkKind.TRAINING)
    line = _log(d, by, kind=WorkKind.TRAINING, quantity=2, attendance=80)
    visit = _log(d, by, attendance=30)
    assert (line.quantity, line.attendance, visit.attendance) == (2, 80, None)
    assert WorkLog.objects.count() == 2


def test_work_log_version_conflict_and_delete(talent_world):
    w = talent_world
    log = _log(w["dispatch"], w["institution"])
    updated = worklog_update(
        log=log, by=w["kq_officer"], expected_version=log.version, title="茶园病虫害防治指导"
    )
    assert (updated.title, updated.version) == ("茶园病虫害防治指导", log.version + 1)
    with pytest.raises(ConflictError):
        worklog_update(log=log, by=w["institution"], expected_version=log.version, title="旧版本")
    with pytest.raises(PermissionDenied):
        worklog_delete(log=log, by=w["ent_a"], expected_version=updated.version)
    worklog_delete(log=log, by=w["institution"], expected_version=updated.version)
    assert not WorkLog.objects.exists()
    assert audit_for(log, action=AuditLog.Action.DELETE).count() == 1


def test_recall_cuts_the_term_and_is_recorded(talent_world):
    w = talent_world
    today = timezone.localdate()
    d = dispatch_create(
        commissioner=w["commissioner"],
        town=region("330603L02"),
        starts_on=date(today.year - 1, 1, 1),
        ends_on=date(today.year + 1, 12, 31),
        by=w["staff"],
    )
    with pytest.raises(DomainError, match="尚未届满"):
        dispatch_end(dispatch=d, by=w["staff"])
    with pytest.raises(PermissionDenied):
        dispatch_recall(dispatch=d, reason="身体原因", by=w["kq_officer"])
    recalled = dispatch_recall(dispatch=d, reason="身体原因", by=w["kq_staff"], expected_version=d.version)
    assert (recalled.state, recalled.ends_on) == (DispatchState.RECALLED, today)
    line = audit_for(d, action=AuditLog.Action.TRANSITION).get()
    assert (line.from_state, line.to_state, line.reason) == ("active", "recalled", "身体原因")
    ended = dispatch_end(dispatch=w["dispatch"], by=w["staff"])  # its term ended on 2025-12-31
    assert ended.state == DispatchState.ENDED


def test_talents_are_kept_by_the_bureau(talent_world):
    w = talent_world
    program = talent_program_create(region=region("330600"), name="名士之乡英才计划", by=w["staff"])
    values = {
        "program": program,
        "kind": TalentKind.LEADING,
        "name": "李领军",
        "organization": w["org_a"],
        "year": 2025,
    }
    with pytest.raises(PermissionDenied):
        talent_create(by=w["ent_a"], **values)
    with pytest.raises(PermissionDenied):  # 诸暨's officer, and the bureau of another county, cannot
        talent_create(by=w["zj_officer"], **values)
    talent = talent_create(by=w["kq_staff"], **values)
    with pytest.raises(DomainError, match="请填写撤销原因"):
        talent_withdraw(talent=talent, reason=" ", by=w["staff"])
    done = talent_withdraw(talent=talent, reason="弄虚作假", by=w["staff"], expected_version=talent.version)
    assert done.state == TalentState.WITHDRAWN
    assert audit_for(talent, action=AuditLog.Action.TRANSITION).get().reason == "弄虚作假"


def test_foreign_expert_workstation_must_be_the_organizations(talent_world):
    w = talent_world
    org_a, org_b = w["org_a"], w["org_b"]

    def station(operator, kind=CarrierKind.FOREIGN_WORKSTATION):
        return Carrier.objects.create(
            kind=kind,
            level="city",
            name=f"{operator.name}站",
            operator=operator,
            region=operator.region,
            recognized_on=date(2024, 1, 1),
        )

    values = {
        "name": "John Smith",
        "country": "英国",
        "organization": org_a,
        "engagement": Engagement.FLEXIBLE,
        "starts_on": date(2025, 1, 1),
        "ends_on": date(2027, 12, 31),
    }
    for wrong in (station(org_b), station(org_a, kind=CarrierKind.INCUBATOR)):
        with pytest.raises(DomainError, match="不是聘用单位运营的外国专家工作站"):
            foreign_expert_create(by=w["ent_a"], workstation=wrong, **values)
    with pytest.raises(PermissionDenied):
        foreign_expert_create(by=w["ent_b"], **values)
    expert = foreign_expert_create(by=w["ent_a"], workstation=station(org_a), **values)
    assert expert.workstation.operator == org_a
    assert foreign_expert_create(by=w["kq_staff"], workstation=None, **values).workstation is None
