"""Carrier services: who may do what (region and organization), the report workflow, schemes and consequences."""

from datetime import date
from decimal import Decimal

import pytest

from kechuang.carriers import services
from kechuang.carriers.enums import CarrierState, Consequence, Grade, IncubateeState, ReportState, SchemeState
from kechuang.carriers.models import Carrier, IncubateeRevenue, ReportIndicator
from kechuang.core.errors import ConflictError, DomainError, PermissionDenied
from kechuang.core.models import AuditLog, Notification

from ..factories import audit_for
from .carrier_helpers import INCUBATOR_VALUES, make_carrier, make_scheme, submitted_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def carrier(world):
    """An incubator in 柯桥 operated by organization A."""
    return make_carrier(world["kq_staff"], operator=world["org_a"], name="柯桥科创孵化器")


def test_a_county_bureau_cannot_manage_a_carrier_of_another_county(world):
    with pytest.raises(PermissionDenied):
        make_carrier(world["kq_staff"], region_code="330681L01")  # 柯桥's staff, 诸暨's town
    zhuji = make_carrier(world["staff"], region_code="330681L01")  # the city's staff may
    with pytest.raises(PermissionDenied):
        services.carrier_update(carrier=zhuji, values={"name": "改名"}, by=world["kq_staff"])
    with pytest.raises(PermissionDenied):
        services.carrier_remove(carrier=zhuji, reason="测试", by=world["kq_staff"])
    with pytest.raises(PermissionDenied):  # leaders only read
        services.carrier_update(carrier=zhuji, values={"name": "改名"}, by=world["leader"])


def test_moving_a_carrier_out_of_ones_county_is_refused(world, carrier):
    from ..factories import region

    with pytest.raises(PermissionDenied):
        services.carrier_update(carrier=carrier, values={"region": region("330681L01")}, by=world["kq_staff"])


def test_carrier_update_refuses_a_stale_version(world, carrier):
    services.carrier_update(
        carrier=carrier, values={"name": "新名称"}, expected_version=1, by=world["kq_staff"]
    )
    with pytest.raises(ConflictError):
        services.carrier_update(
            carrier=carrier, values={"name": "另一名称"}, expected_version=1, by=world["staff"]
        )
    assert Carrier.objects.get(pk=carrier.pk).name == "新名称"


def test_remove_and_restore_are_recorded(world, carrier):
    removed = services.carrier_remove(carrier=carrier, reason="场地不再用于孵化", by=world["kq_staff"])
    assert (removed.state, removed.removal_reason, removed.removed_on is not None) == (
        CarrierState.REMOVED,
        "场地不再用于孵化",
        True,
    )
    with pytest.raises(DomainError):
        services.carrier_remove(carrier=carrier, reason="再次", by=world["kq_staff"])
    restored = services.carrier_restore(carrier=carrier, reason="复核撤销", by=world["kq_staff"])
    assert (restored.state, restored.removal_reason, restored.removed_on) == (CarrierState.ACTIVE, "", None)
    lines = audit_for(carrier, action=AuditLog.Action.TRANSITION).order_by("id")
    assert [(a.from_state, a.to_state, a.actor_id) for a in lines] == [
        ("active", "removed", world["kq_staff"].pk),
        ("removed", "active", world["kq_staff"].pk),
    ]


def test_another_organizations_user_cannot_keep_incubatees(world, carrier):
    values = {"name": "绍兴甲科技有限公司", "entered_on": date(2024, 3, 1)}
    with pytest.raises(PermissionDenied):
        services.incubatee_add(carrier=carrier, values=values, by=world["ent_b"])
    incubatee = services.incubatee_add(carrier=carrier, values=values, by=world["ent_a"])
    with pytest.raises(PermissionDenied):
        services.incubatee_update(incubatee=incubatee, values={"name": "改"}, by=world["ent_b"])
    with pytest.raises(PermissionDenied):
        services.incubatee_revenue_set(
            incubatee=incubatee, year=2025, revenue=Decimal("1"), by=world["ent_b"]
        )
    with pytest.raises(PermissionDenied):  # 诸暨's officer is not the carrier's bureau
        services.incubatee_exit(
            incubatee=incubatee, state="graduated", exited_on=date(2025, 1, 1), by=world["zj_officer"]
        )


def test_incubatee_exit_date_not_before_entry_and_once(world, carrier):
    incubatee = services.incubatee_add(
        carrier=carrier,
        values={
            "name": "绍兴乙科技有限公司",
            "entered_on": date(2024, 3, 1),
            "registered_capital": Decimal("100"),
        },
        by=world["ent_a"],
    )
    with pytest.raises(DomainError) as refused:
        services.incubatee_exit(
            incubatee=incubatee, state="graduated", exited_on=date(2024, 2, 29), by=world["ent_a"]
        )
    assert refused.value.field == "exited_on"
    done = services.incubatee_exit(
        incubatee=incubatee, state="graduated", exited_on=date(2024, 3, 1), reason="上市", by=world["ent_a"]
    )
    assert (done.state, done.exited_on) == (IncubateeState.GRADUATED, date(2024, 3, 1))
    assert audit_for(incubatee, action=AuditLog.Action.TRANSITION).get().to_state == "graduated"
    with pytest.raises(DomainError):
        services.incubatee_exit(
            incubatee=incubatee, state="left", exited_on=date(2024, 6, 1), by=world["ent_a"]
        )


def test_revenue_set_replaces_the_years_figure(world, carrier):
    incubatee = services.incubatee_add(
        carrier=carrier,
        values={"name": "绍兴丙科技有限公司", "entered_on": date(2023, 1, 1)},
        by=world["ent_a"],
    )
    services.incubatee_revenue_set(
        incubatee=incubatee, year=2024, revenue=Decimal("100.00"), by=world["ent_a"]
    )
    services.incubatee_revenue_set(
        incubatee=incubatee, year=2024, revenue=Decimal("250.50"), by=world["kq_staff"]
    )
    assert list(IncubateeRevenue.objects.values_list("year", "revenue")) == [(2024, Decimal("250.50"))]
    with pytest.raises(DomainError):
        services.incubatee_revenue_set(
            incubatee=incubatee, year=2022, revenue=Decimal("1"), by=world["ent_a"]
        )


def test_only_incubating_kinds_keep_incubatees(world):
    lab = make_carrier(world["staff"], operator=world["org_a"], kind="key_lab")
    with pytest.raises(DomainError):
        services.incubatee_add(
            carrier=lab, values={"name": "某公司", "entered_on": date(2024, 1, 1)}, by=world["ent_a"]
        )


def test_another_organizations_user_cannot_fill_the_report(world, carrier):
    with pytest.raises(PermissionDenied):
        services.report_save(carrier=carrier, year=2025, values={"staff": "3"}, by=world["ent_b"])
    report = services.report_save(carrier=carrier, year=2025, values={"staff": "3"}, by=world["ent_a"])
    with pytest.raises(PermissionDenied):
        services.report_submit(report=report, by=world["ent_b"])
    with pytest.raises(PermissionDenied):  # nor can the operator confirm its own report
        services.report_accept(report=report, by=world["ent_a"])


def test_report_values_are_checked_per_indicator_type(world, carrier):
    for values, field in (
        ({"staff": "1.5"}, "staff"),
        ({"space_m2": "abc"}, "space_m2"),
        ({"graduates": "-1"}, "graduates"),
    ):
        with pytest.raises(DomainError) as refused:
            services.report_save(carrier=carrier, year=2025, values=values, by=world["ent_a"])
        assert refused.value.field == field
    report = services.report_save(
        carrier=carrier,
        year=2025,
        values={"staff": " 12 ", "space_m2": "1,200.50", "graduates": ""},
        by=world["ent_a"],
    )
    assert report.values == {"staff": "12", "space_m2": "1200.5"}


def test_report_workflow_submit_return_resubmit_accept(world, carrier):
    draft = services.report_save(carrier=carrier, year=2025, values={"staff": "12"}, by=world["ent_a"])
    with pytest.raises(DomainError) as refused:
        services.report_submit(report=draft, by=world["ent_a"])
    assert "在孵企业数" in refused.value.message
    report = submitted_report(carrier, world["ent_a"])
    assert (report.state, report.submitted_by) == (ReportState.SUBMITTED, world["ent_a"])
    with pytest.raises(DomainError):
        services.report_save(carrier=carrier, year=2025, values={"staff": "13"}, by=world["ent_a"])
    with pytest.raises(DomainError):
        services.report_return(report=report, reason="", by=world["kq_staff"])
    returned = services.report_return(report=report, reason="毕业企业数有误", by=world["kq_staff"])
    assert (returned.state, returned.review_note) == (ReportState.RETURNED, "毕业企业数有误")
    assert list(Notification.objects.filter(recipient=world["ent_a"]).values_list("subject", "body")) == [
        ("柯桥科创孵化器 2025年度年报被退回", "毕业企业数有误")
    ]
    fixed = services.report_save(
        carrier=carrier,
        year=2025,
        values={"graduates": "4"},
        expected_version=returned.version,
        by=world["ent_a"],
    )
    services.report_submit(report=fixed, by=world["ent_a"])
    accepted = services.report_accept(report=fixed, by=world["kq_staff"])
    assert (accepted.state, accepted.values["graduates"], accepted.values["incubatees"]) == (
        ReportState.ACCEPTED,
        "4",
        "40",
    )
    assert [
        (a.from_state, a.to_state) for a in audit_for(fixed, action=AuditLog.Action.TRANSITION).order_by("id")
    ] == [
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "accepted"),
    ]


def test_report_save_refuses_a_stale_version(world, carrier):
    report = services.report_save(carrier=carrier, year=2025, values={"staff": "1"}, by=world["ent_a"])
    services.report_save(
        carrier=carrier, year=2025, values={"staff": "2"}, expected_version=report.version, by=world["ent_a"]
    )
    with pytest.raises(ConflictError):
        services.report_save(
            carrier=carrier,
            year=2025,
            values={"staff": "3"},
            expected_version=report.version,
            by=world["kq_staff"],
        )


def test_indicators_are_configured_by_the_city_bureau(world):
    with pytest.raises(PermissionDenied):
        services.indicator_create(
            kind="incubator", code="events", values={"name": "活动场次"}, by=world["kq_staff"]
        )
    created = services.indicator_create(
        kind="incubator",
        code="events",
        values={"name": "活动场次", "unit": "场", "required": False},
        by=world["staff"],
    )
    assert (created.kind, created.code, created.required) == ("incubator", "events", False)
    with pytest.raises(DomainError):
        services.indicator_create(kind="incubator", code="events", values={"name": "重复"}, by=world["staff"])
    with pytest.raises(DomainError):
        services.indicator_create(kind="incubator", code="Bad Code", values={"name": "x"}, by=world["staff"])
    updated = services.indicator_update(
        indicator=created, values={"active": False}, expected_version=1, by=world["staff"]
    )
    assert (updated.active, updated.code) == (False, "events")


def test_scheme_weights_must_sum_to_100_and_thresholds_be_ordered(world):
    by_code = {i.code: i for i in ReportIndicator.objects.filter(kind="incubator")}
    with pytest.raises(DomainError) as refused:
        make_scheme(world["staff"], weights=[(by_code["incubatees"], Decimal("60"), Decimal("40"))])
    assert "60" in refused.value.message
    with pytest.raises(DomainError):
        make_scheme(
            world["staff"], weights=[(ReportIndicator.objects.filter(kind="key_lab").first(), 100, 1)]
        )
    with pytest.raises(DomainError):
        services.scheme_create(
            region=world["staff"].region,
            kind="incubator",
            year=2025,
            values={"name": "x", "excellent_min": 70, "good_min": 75, "pass_min": 60},
            weights=[(by_code["incubatees"], 100, 40)],
            by=world["staff"],
        )
    make_scheme(world["staff"])
    with pytest.raises(DomainError):  # one per region, kind and year
        make_scheme(world["staff"])


def test_evaluation_scores_grades_ranks_and_publishing_carries_out_consequences(world, carrier):
    staff = world["staff"]
    full = carrier  # 40 in incubation (target 40) and 5 graduates (target 10): 60 + 20 = 80 → 良好
    submitted_report(full, world["ent_a"], year=2024)
    top = make_carrier(staff, region_code="330681L01", name="诸暨孵化器")
    submitted_report(top, staff, year=2024, values=INCUBATOR_VALUES | {"graduates": "12"})  # 100 → 优秀
    silent = make_carrier(staff, region_code="330602L01", name="越城孵化器")  # no report → 0 → 不合格
    draft_only = make_carrier(staff, region_code="330602L01", name="越城草稿孵化器")
    services.report_save(
        carrier=draft_only, year=2024, values=INCUBATOR_VALUES, by=staff
    )  # a draft counts as none
    gone = make_carrier(staff, name="已撤销孵化器")
    services.carrier_remove(carrier=gone, reason="测试", by=staff)
    make_carrier(staff, kind="maker_space", name="众创空间")  # another kind

    scheme = make_scheme(staff, year=2024)
    with pytest.raises(PermissionDenied):
        services.scheme_evaluate(
            scheme=scheme, by=world["kq_staff"]
        )  # the county cannot run the city's scheme
    results = services.scheme_evaluate(scheme=scheme, by=staff)
    assert [(e.carrier.name, e.score, e.grade, e.rank, e.consequence) for e in results] == [
        ("诸暨孵化器", Decimal("100.00"), Grade.EXCELLENT, 1, Consequence.SUPPORT),
        ("柯桥科创孵化器", Decimal("80.00"), Grade.GOOD, 2, Consequence.NONE),
        ("越城孵化器", Decimal("0.00"), Grade.FAIL, 3, Consequence.WARNING),
        ("越城草稿孵化器", Decimal("0.00"), Grade.FAIL, 3, Consequence.WARNING),
    ]
    assert results[1].breakdown == {"incubatees": "60.00", "graduates": "20.00"}
    note = services.evaluation_note(evaluation=results[2], note="未报年报", by=staff)
    again = services.scheme_evaluate(scheme=scheme, by=staff)
    assert [e.note for e in again] == ["", "", "未报年报", ""]

    services.scheme_publish(scheme=scheme, by=staff)
    silent.refresh_from_db()
    assert silent.state == CarrierState.WARNED
    assert audit_for(silent, action=AuditLog.Action.TRANSITION).get().to_state == "warned"
    with pytest.raises(DomainError):
        services.scheme_evaluate(scheme=scheme, by=staff)
    with pytest.raises(DomainError):
        services.scheme_update(scheme=scheme, values={"name": "改"}, by=staff)
    assert note.pk == again[2].pk

    # The next year: 越城孵化器 fails again → removed; 越城草稿孵化器 passes → active again.
    submitted_report(draft_only, staff, year=2025)
    next_year = make_scheme(staff, year=2025)
    services.scheme_evaluate(scheme=next_year, by=staff)
    published = services.scheme_publish(scheme=next_year, by=staff)
    silent.refresh_from_db()
    draft_only.refresh_from_db()
    assert (silent.state, draft_only.state, published.state) == (
        CarrierState.REMOVED,
        CarrierState.ACTIVE,
        SchemeState.PUBLISHED,
    )
    assert silent.removal_reason == "2025年孵化器绩效评价：不合格，撤销认定"
    assert next_year.evaluations.get(carrier=silent).consequence == Consequence.REMOVAL
    assert [
        (a.from_state, a.to_state)
        for a in audit_for(silent, action=AuditLog.Action.TRANSITION).order_by("id")
    ] == [
        ("active", "warned"),
        ("warned", "removed"),
    ]


def test_a_county_scheme_evaluates_only_its_county(world):
    inside = make_carrier(world["kq_staff"], name="柯桥孵化器")
    make_carrier(world["staff"], region_code="330681L01", name="诸暨孵化器")
    scheme = make_scheme(world["kq_staff"], region_code="330603")
    assert [e.carrier_id for e in services.scheme_evaluate(scheme=scheme, by=world["kq_staff"])] == [
        inside.pk
    ]
