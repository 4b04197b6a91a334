"""The dashboard in Chromium (issue 8 items 5 and 7): the city's staff open 科技大脑, the trend and ranking
sections arrive (htmx) and their charts are drawn by chart.js served from /static/, and a figure drills down to its records, as many as the figure says. On a 390 px
phone (no page wider than the phone) and on a 1280 px screen; screenshots in var/screenshots/dashboard-*.png."""

import re
from datetime import date, timedelta

import pytest

from kechuang.organizations.enums import QualificationKind, QualificationLevel
from kechuang.organizations.models import Qualification

from ..factories import PASSWORD, OrganizationFactory, region
from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
CHART_DRAWN = (
    "window.Chart && [...document.scripts].some(s => s.src.includes('/static/vendor/chartjs/chart.umd.min.js'))"
    " && Chart.getChart(document.getElementById('trend-chart'))"
    " && Chart.getChart(document.getElementById('ranking-chart'))"
    " && document.getElementById('trend-chart').width > 0"
)


def test_city_staff_drill_from_a_figure_to_its_records(page, live_world):
    for org, day in (
        (live_world["org_a"], date(2019, 4, 1)),
        (live_world["org_b"], date(2019, 9, 1)),
        (OrganizationFactory(region=region("330602L01")), date(2019, 12, 1)),
    ):
        Qualification.objects.create(
            organization=org,
            kind=QualificationKind.HNTE,
            level=QualificationLevel.NATIONAL,
            valid_from=day,
            valid_until=day.replace(year=day.year + 3) - timedelta(days=1),
        )
    login(page, live_world["staff"].username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))

    for width, name in ((390, "phone"), (1280, "desktop")):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(page.base + "/cockpit/?region=330600&year=2019")
        page.wait_for_function(CHART_DRAWN, timeout=60000)
        assert page.get_by_test_id("dashboard-scope").inner_text().startswith("绍兴市")
        assert page.get_by_test_id("ranking-row").count() == region("330600").children.count()
        assert page.evaluate(FITS), f"{name}: wider than the screen"
        screenshot(page, f"dashboard-{name}")

        tile = page.locator("[data-testid=kpi][data-key='enterprises:0']")
        value = tile.get_by_test_id("kpi-value").inner_text()
        assert value == "3"
        tile.get_by_test_id("kpi-link").click()
        page.wait_for_url(re.compile(r"/cockpit/drill/enterprises/330600/2019/0/$"))
        assert page.get_by_test_id("drill-count").inner_text() == value
        assert page.get_by_test_id("drill-row").count() == 3
        assert page.evaluate(FITS), f"{name} drill-down: wider than the screen"
        screenshot(page, f"dashboard-drill-{name}")
