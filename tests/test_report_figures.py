"""Every module's `report_figures(region, year)` (the annual report's and the dashboard's source) gives figures
whose value agrees with their records."""

from datetime import date

import pytest

from kechuang.carriers.models import Carrier
from kechuang.patents.models import Patent
from kechuang.patents.numbers import check_character
from kechuang.regions.models import Region
from kechuang.talent.models import Commissioner, Dispatch, WorkLog

pytestmark = pytest.mark.django_db


def _number(year: int, kind_digit: str, serial: int) -> str:
    digits = f"{year}{kind_digit}{serial:07d}"
    return f"{digits}.{check_character(digits)}"


def test_carrier_talent_and_patent_figures_count_their_records(world):
    from kechuang.carriers.figures import report_figures as carrier_figures
    from kechuang.patents.figures import report_figures as patent_figures
    from kechuang.talent.figures import report_figures as talent_figures

    org = world["org_a"]  # in 柯桥区, under the city
    for level, on in (
        ("provincial", date(2019, 5, 1)),
        ("provincial", date(2018, 5, 1)),
        ("city", date(2019, 6, 1)),
    ):
        Carrier.objects.create(
            kind="maker_space",
            level=level,
            name=f"空间{on}{level}",
            operator=org,
            region=org.region,
            recognized_on=on,
        )
    Patent.objects.create(
        application_no=_number(2019, "1", 1),
        kind="invention",
        title="甲",
        organization=org,
        filed_on=date(2019, 3, 1),
        granted_on=date(2019, 12, 31),
        status="granted",
    )
    Patent.objects.create(
        application_no=_number(2019, "2", 2),
        kind="utility_model",
        title="乙",
        organization=org,
        filed_on=date(2019, 4, 1),
        status="applied",
    )
    commissioner = Commissioner.objects.create(kind="individual", name="张工", organization=org)
    town_region = Region.objects.filter(level="town", path__startswith=org.region.path).first()
    dispatch = Dispatch.objects.create(
        commissioner=commissioner, town=town_region, starts_on=date(2019, 1, 1), ends_on=date(2020, 12, 31)
    )
    WorkLog.objects.create(
        dispatch=dispatch,
        kind="training",
        happened_on=date(2019, 7, 1),
        title="培训",
        quantity=3,
        attendance=90,
    )
    WorkLog.objects.create(
        dispatch=dispatch,
        kind="training",
        happened_on=date(2020, 1, 2),
        title="培训",
        quantity=5,
        attendance=10,
    )

    by_label = {f.label: f for f in carrier_figures("330600", 2019)}
    assert by_label["新增省级众创空间"].value == 1 == by_label["新增省级众创空间"].records.count()
    patents = {f.label: f for f in patent_figures("330600", 2019)}
    assert (patents["专利申请量"].value, patents["专利授权量"].value, patents["有效发明专利"].value) == (
        2,
        1,
        1,
    )
    assert patents["专利申请量"].part("其中发明专利申请").value == 1
    assert set(patents["专利授权量"].records.values_list("title", flat=True)) == {"甲"}
    talent = {f.label: f for f in talent_figures("330600", 2019)}
    assert talent["科技特派员举办培训"].value == 3 and talent["科技特派员举办培训"].records.count() == 1
    assert talent["派驻科技特派员"].value == 1
