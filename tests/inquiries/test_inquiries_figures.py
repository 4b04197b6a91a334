"""Figures per department and for the report, with exact values (definitions in inquiries/figures.py)."""

from decimal import Decimal

import pytest

from kechuang.inquiries import services
from kechuang.inquiries.figures import department_figures, report_figures

from .helpers import at, letter

pytestmark = pytest.mark.django_db
D = Decimal


def _answered(world, received, answered, *, topic="enterprises", region="330600", rating=None):
    inquiry, code = letter(topic=topic, region=region, now=received)
    inquiry = services.inquiry_answer(inquiry=inquiry, text="答复", by=world["staff"], now=answered)
    if rating:
        services.inquiry_rate(inquiry=inquiry, satisfaction=rating, code=code)
    return inquiry


@pytest.fixture
def letters_2025(world):
    _answered(world, at(2025, 3, 3), at(2025, 3, 5), rating=5)  # 2 working days, in time
    _answered(world, at(2025, 3, 7, 18), at(2025, 3, 18), rating=3)  # from Mon 03-10, due 03-17: 6 days, late
    # 2025 国庆: 10-01..10-08 off, Saturday 10-11 worked: due 10-14, answered that day (5 days)
    _answered(world, at(2025, 9, 30), at(2025, 10, 14, 15), topic="ip")
    letter(topic="ip", region="330603", now=at(2025, 11, 3))  # open, a county's: counts in the city
    letter(now=at(2024, 12, 31, 20))  # another year


def test_department_figures(letters_2025):
    rows = {row["label"]: row for row in department_figures("330600", 2025)}
    assert list(rows) == ["高新技术处", "知识产权科", "合计"]
    high = rows["高新技术处"]
    assert (high["received"], high["answered"], high["in_time"]) == (2, 2, 1)
    assert (high["in_time_rate"], high["average_days"], high["average_satisfaction"]) == (
        D("50.0"),
        D("4.0"),
        D("4.00"),
    )
    ip = rows["知识产权科"]
    assert (ip["received"], ip["answered"], ip["in_time"], ip["in_time_rate"]) == (2, 1, 1, D("100.0"))
    assert (ip["average_days"], ip["average_satisfaction"]) == (D("5.0"), None)
    total = rows["合计"]
    assert (total["received"], total["answered"], total["in_time"]) == (4, 3, 2)
    assert (total["in_time_rate"], total["average_days"], total["satisfied_rate"]) == (
        D("66.7"),
        D("4.3"),
        D("50.0"),
    )


def test_report_figures(letters_2025):
    received, in_time, satisfied, days = report_figures("330600", 2025)
    assert (received.label, received.value, received.records.count()) == ("收到来信", 4, 4)
    assert received.part("建议").value == 0 and received.part("咨询").value == 4
    assert (in_time.value, in_time.part("已答复").value, in_time.part("按时答复").records.count()) == (
        D("66.7"),
        3,
        2,
    )
    assert (satisfied.value, satisfied.part("参与评价").value, satisfied.part("平均满意度").value) == (
        D("50.0"),
        2,
        D("4.00"),
    )
    assert days.value == D("4.3")
    county = report_figures("330603", 2025)
    assert county[0].value == 1 and county[1].value is None
