"""carriers/figures.py: carriers by kind, level and region; new ones per year; companies in incubation."""

from datetime import date
from decimal import Decimal

import pytest

from kechuang.carriers import services
from kechuang.carriers.figures import carriers_by_kind_level, incubation_figures, new_carriers_per_year

from .carrier_helpers import make_carrier

pytestmark = pytest.mark.django_db


@pytest.fixture
def carriers(world):
    staff = world["staff"]
    a = make_carrier(staff, region_code="330603L01", level="provincial", name="柯桥甲")
    make_carrier(staff, region_code="330603", level="city", name="柯桥乙", kind="maker_space")
    b = make_carrier(staff, region_code="330681L01", level="city", name="诸暨甲")
    services.carrier_update(carrier=b, values={"recognized_on": date(2022, 7, 1)}, by=staff)
    c = make_carrier(staff, region_code="330681L01", level="city", name="诸暨乙")
    services.carrier_remove(carrier=c, reason="测试", removed_on=date(2023, 6, 30), by=staff)
    # 柯桥甲 houses three companies: one since 2023, one entering 2024 and graduating 2024, one left in 2025.
    add = lambda name, entered, capital: services.incubatee_add(  # noqa: E731
        carrier=a,
        values={"name": name, "entered_on": entered, "registered_capital": Decimal(capital)},
        by=staff,
    )
    first = add("一号公司", date(2023, 3, 1), "1000000")
    second = add("二号公司", date(2024, 2, 1), "500000")
    third = add("三号公司", date(2023, 9, 1), "200000")
    services.incubatee_exit(incubatee=second, state="graduated", exited_on=date(2024, 11, 30), by=staff)
    services.incubatee_exit(incubatee=third, state="left", exited_on=date(2025, 1, 15), by=staff)
    services.incubatee_revenue_set(incubatee=first, year=2024, revenue=Decimal("300000"), by=staff)
    services.incubatee_revenue_set(incubatee=second, year=2024, revenue=Decimal("50000.50"), by=staff)
    services.incubatee_revenue_set(incubatee=first, year=2023, revenue=Decimal("9"), by=staff)
    return a


def test_carriers_by_kind_level_and_region(carriers):
    now = carriers_by_kind_level("330600")
    assert now["total"] == 3  # 诸暨乙 is removed
    assert [(k["kind"], k["levels"], k["total"]) for k in now["by_kind"]] == [
        ("incubator", {"national": 0, "provincial": 1, "city": 1, "county": 0}, 2),
        ("maker_space", {"national": 0, "provincial": 0, "city": 1, "county": 0}, 1),
    ]
    assert [(r["code"], r["total"], r["by_kind"]) for r in now["by_region"]] == [
        ("330603", 2, {"incubator": 1, "maker_space": 1}),
        ("330681", 1, {"incubator": 1}),
    ]
    # At the end of 2022: 诸暨乙 was still in force, 诸暨甲 had been recognized in July.
    assert carriers_by_kind_level("330681", 2022)["total"] == 2
    assert carriers_by_kind_level("330681", 2023)["total"] == 1
    assert carriers_by_kind_level("330603", 2019)["total"] == 0


def test_new_carriers_per_year(carriers):
    assert new_carriers_per_year("330600") == [
        {"year": 2020, "total": 3, "by_kind": {"incubator": 2, "maker_space": 1}},
        {"year": 2022, "total": 1, "by_kind": {"incubator": 1}},
    ]


def test_incubation_figures(carriers):
    figures = incubation_figures("330600", 2024)
    assert {k: figures[k] for k in ("carriers", "in_incubation", "entered", "graduated", "left")} == {
        "carriers": 3,
        "in_incubation": 2,  # 一号 and 三号 (left in 2025)
        "entered": 1,
        "graduated": 1,
        "left": 0,
    }
    assert (figures["registered_capital"], figures["revenue"]) == (
        Decimal("1200000.00"),
        Decimal("350000.50"),
    )
    assert incubation_figures("330681", 2024)["in_incubation"] == 0
    assert incubation_figures("330603", 2025)["left"] == 1
