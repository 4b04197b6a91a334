"""targets/demo.py: 2019 and 2020 targets, 2019's reported actuals and a published assessment, written once."""

import pytest

from kechuang.accounts.enums import Role
from kechuang.targets import demo
from kechuang.targets.models import Assessment, ReportedActual, Target

pytestmark = pytest.mark.django_db


def test_demo_seed_writes_once(make_user):
    make_user(Role.BUREAU_ADMIN, region_code="330600", username="sx_admin")
    assert demo.seed(log=lambda _: None) is True
    city_2020 = dict(
        Target.objects.filter(region_id="330600", year=2020).values_list("indicator__code", "value")
    )
    assert {k: int(v) for k, v in city_2020.items()} == {
        "rd_gdp": 2,
        "hitech_investment_growth": 10,
        "hitech_value_added_share": 46,
        "new_hnte": 300,
        "new_tsme": 1000,
        "transaction_amount": 45,
    }
    assert Target.objects.filter(region_id="330603", year=2019).count() == len(demo.TARGETS_2019)
    assert ReportedActual.objects.filter(year=2019, region_id="330683").exists()
    assessment = Assessment.objects.get(region_id="330600", year=2019)
    assert assessment.state == "published" and assessment.results.count() == 6
    counts = (Target.objects.count(), ReportedActual.objects.count())
    assert demo.seed(log=lambda _: None) is False
    assert (Target.objects.count(), ReportedActual.objects.count()) == counts
