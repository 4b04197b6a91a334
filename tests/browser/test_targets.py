"""On a 390 px phone: the city's bureau sets a county's target in the grid and reads the county's progress;
neither page scrolls sideways (the grid's table scrolls inside its frame)."""

from datetime import date

import pytest

from kechuang.organizations.enums import QualificationKind, QualificationLevel
from kechuang.organizations.models import Qualification
from kechuang.targets import services
from kechuang.targets.models import Indicator, Target

from ..factories import PASSWORD
from .conftest import login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db):
    """The world, and the indicator catalogue of migration 0002 (a transactional test before may have flushed it)."""
    from importlib import import_module

    from django.apps import apps

    from ..conftest import build_world

    import_module("kechuang.targets.migrations.0002_indicator_catalogue").seed(apps, None)
    return build_world()


def test_grid_and_progress_on_a_phone(page, live_world):  # noqa: F811
    admin = live_world["admin"]
    hnte = Indicator.objects.get(code="new_hnte")
    services.target_set(year=2019, cells=[{"region": "330603", "indicator": hnte, "value": 2}], by=admin)
    Qualification.objects.create(
        organization=live_world["org_a"],
        kind=QualificationKind.HNTE,
        level=QualificationLevel.NATIONAL,
        valid_from=date(2019, 3, 1),
        valid_until=date(2022, 3, 1),
    )
    login(page, admin.username, PASSWORD)
    page.goto(page.base + "/targets/grid/?region=330600&year=2019")
    page.fill(f"#id_c_330603_{hnte.pk}", "1/2")
    page.click("[data-testid=grid-save]")
    page.wait_for_url("**/targets/grid/**")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    target = Target.objects.get(region_id="330603", indicator=hnte, year=2019)
    assert (target.value, target.stretch_value) == (1, 2)
    screenshot(page, "targets-grid")

    page.goto(page.base + "/targets/progress/330603/2019/")
    line = page.locator("[data-testid=progress-line]").filter(has_text="新认定国家高新技术企业")
    assert line.locator("[data-testid=met]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "targets-progress")
    line.locator("[data-testid=records-link]").click()
    assert page.locator("[data-testid=records-count]").inner_text().startswith("共1条记录")
