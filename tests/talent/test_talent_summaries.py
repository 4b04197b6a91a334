"""Annual summaries and figures over a small fixture whose totals are known exactly (counting rules in
kechuang/talent/summaries.py)."""

from datetime import date

import pytest

from kechuang.carriers.enums import CarrierKind
from kechuang.carriers.models import Carrier
from kechuang.talent.enums import CommissionerKind, Engagement, TalentKind, WorkKind
from kechuang.talent.services import (
    commissioner_create,
    dispatch_create,
    foreign_expert_create,
    talent_create,
    talent_program_create,
    talent_withdraw,
    worklog_add,
)
from kechuang.talent.summaries import commissioner_figures, commissioner_summary, talent_figures, town_summary

from ..factories import region

pytestmark = pytest.mark.django_db

P, T, TR, V = WorkKind.PROJECT, WorkKind.TECHNOLOGY, WorkKind.TRAINING, WorkKind.VISIT


@pytest.fixture
def logged(talent_world):
    """王农技 in 柯桥街道 (2025) and 柯岩街道 (H2 2025); 赵团队 in 诸暨 (2025-03 to 2026-02)."""
    w = talent_world
    staff, inst = w["staff"], w["institution"]
    wang = w["commissioner"]
    zhao = commissioner_create(
        kind=CommissionerKind.TEAM, name="赵团队", organization=inst.organization, by=staff
    )
    d1 = w["dispatch"]
    d3 = dispatch_create(
        commissioner=wang,
        town=region("330603L02"),
        starts_on=date(2025, 7, 1),
        ends_on=date(2025, 12, 31),
        by=staff,
    )
    d2 = dispatch_create(
        commissioner=zhao,
        town=region("330681L01"),
        starts_on=date(2025, 3, 1),
        ends_on=date(2026, 2, 28),
        by=staff,
    )
    lines = [
        (d1, P, date(2025, 2, 1), 2, None),
        (d1, T, date(2025, 4, 1), 3, None),
        (d1, TR, date(2025, 5, 1), 1, 50),
        (d1, V, date(2025, 6, 1), 1, None),
        (d3, TR, date(2025, 8, 1), 2, 70),
        (d3, P, date(2025, 9, 1), 1, None),
        (d2, P, date(2025, 4, 10), 4, None),
        (d2, TR, date(2025, 5, 10), 1, 30),
        (d2, T, date(2026, 1, 15), 5, None),
    ]
    for dispatch, kind, day, quantity, attendance in lines:
        worklog_add(
            dispatch=dispatch,
            kind=kind,
            happened_on=day,
            title=f"{kind}-{day}",
            quantity=quantity,
            attendance=attendance,
            by=inst,
        )
    return {**w, "zhao": zhao}


def _quantities(summary):
    return {kind: row["quantity"] for kind, row in summary["by_kind"].items() if row["quantity"]}


def test_commissioner_summary(logged):
    s = commissioner_summary(commissioner=logged["commissioner"], year=2025)
    assert _quantities(s) == {"project": 3, "technology": 3, "training": 3, "visit": 1}
    assert s["by_kind"]["project"]["lines"] == 2
    assert (s["attendance"], s["lines"], s["towns"]) == (120, 6, ["柯桥街道", "柯岩街道"])
    assert [line["date"] for line in s["log_lines"]][:2] == [date(2025, 2, 1), date(2025, 4, 1)]
    within = commissioner_summary(commissioner=logged["commissioner"], year=2025, region_code="330603L02")
    assert (_quantities(within), within["attendance"], within["towns"]) == (
        {"project": 1, "training": 2},
        70,
        ["柯岩街道"],
    )


def test_town_summary(logged):
    s = town_summary(town_code="330603L01", year=2025)
    assert _quantities(s) == {"project": 2, "technology": 3, "training": 1, "visit": 1}
    assert s["attendance"] == 50
    assert [(c["name"], c["lines"], c["attendance"]) for c in s["commissioners"]] == [("王农技", 4, 50)]


def test_commissioner_figures(logged):
    city = commissioner_figures(region_code="330600", year=2025)
    assert city["sentence"] == "实施项目7个，推广新技术3项，举办培训4期，培训150人次"
    assert (city["dispatches"], city["commissioners"], city["towns"]) == (3, 2, 3)
    county = commissioner_figures(region_code="330603", year=2025)
    assert (county["projects"], county["technologies"], county["trainings"], county["attendance"]) == (
        3,
        3,
        3,
        120,
    )
    assert (county["dispatches"], county["commissioners"], county["towns"]) == (2, 1, 2)
    next_year = commissioner_figures(region_code="330600", year=2026)
    assert (next_year["technologies"], next_year["dispatches"], next_year["lines"]) == (5, 1, 1)


def test_talent_figures(talent_world):
    w = talent_world
    staff, org_a, org_b = w["staff"], w["org_a"], w["org_b"]
    city_program = talent_program_create(region=region("330600"), name="名士之乡英才计划", by=staff)
    county_program = talent_program_create(region=region("330603"), name="柯桥英才计划", by=staff)
    for program, kind, organization, year in (
        (city_program, TalentKind.LEADING, org_a, 2025),
        (city_program, TalentKind.TEAM, org_b, 2025),
        (county_program, TalentKind.YOUTH, org_a, 2025),
        (city_program, TalentKind.LEADING, org_a, 2024),
    ):
        talent_create(
            program=program, kind=kind, name=f"{kind}{year}", organization=organization, year=year, by=staff
        )
    talent_withdraw(
        talent=talent_create(
            program=county_program, kind=TalentKind.TEAM, name="撤销", organization=org_a, year=2025, by=staff
        ),
        reason="弄虚作假",
        by=staff,
    )
    station = Carrier.objects.create(
        kind=CarrierKind.FOREIGN_WORKSTATION,
        level="city",
        name="甲公司外国专家工作站",
        operator=org_a,
        region=org_a.region,
        recognized_on=date(2024, 1, 1),
    )
    for organization, engagement, start, end, workstation in (
        (org_a, Engagement.FLEXIBLE, date(2025, 3, 1), date(2027, 2, 28), station),
        (org_a, Engagement.FULL_TIME, date(2024, 1, 1), date(2025, 6, 30), None),
        (org_b, Engagement.FLEXIBLE, date(2025, 5, 1), date(2026, 4, 30), None),
        (org_a, Engagement.FULL_TIME, date(2025, 1, 1), date(2026, 12, 31), station),
    ):
        foreign_expert_create(
            name="Expert",
            country="德国",
            organization=organization,
            engagement=engagement,
            starts_on=start,
            ends_on=end,
            workstation=workstation,
            by=staff,
        )
    city = talent_figures(region_code="330600", year=2025)
    assert (city["talents"], city["talents_by_kind"]) == (3, {"leading": 1, "team": 1, "youth": 1})
    assert [(row["program"], row["count"]) for row in city["talents_by_program"]] == [
        ("名士之乡英才计划", 2),
        ("柯桥英才计划", 1),
    ]
    assert (city["foreign_experts_engaged"], city["foreign_experts_active"]) == (3, 3)
    assert city["foreign_experts_by_engagement"] == {"full_time": 1, "flexible": 2}
    assert city["workstations_with_experts"] == 1
    county = talent_figures(region_code="330603", year=2025)
    assert (county["talents"], county["foreign_experts_engaged"], county["foreign_experts_active"]) == (
        2,
        2,
        2,
    )
    assert county["foreign_experts_by_engagement"] == {"full_time": 1, "flexible": 1}
