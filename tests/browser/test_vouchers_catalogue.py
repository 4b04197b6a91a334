"""The voucher catalogue (创新地图) on a 390 px phone in Chromium: an anonymous visitor filters without a full
reload (htmx), the count of a full first page arrives after its rows, an offering's page shows the programs that
accept it; a provider registers, adds an offering and pauses it. No page is wider than the phone; each is saved
as a screenshot (var/screenshots/vouchers-catalogue-*.png)."""

import re

import pytest

from kechuang.vouchers import services
from kechuang.vouchers.models import Offering

from ..factories import PASSWORD
from ..vouchers.helpers import make_program
from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= 390"


def _page_ok(page, name: str) -> None:
    assert page.evaluate(FITS), (
        f"{name}: wider than 390 px ({page.evaluate('document.documentElement.scrollWidth')})"
    )
    screenshot(page, f"vouchers-catalogue-{name}")


def test_browse_filter_and_publish_on_a_phone(page, live_world):
    provider, bureau = live_world["provider"], live_world["staff"]
    make_program(bureau)
    profile = services.provider_register(
        organization=provider.organization, values={"categories": ["testing", "instrument"]}, by=provider
    )
    services.provider_decide(profile=profile, action="verify", by=bureau)
    for n in range(22):
        services.offering_create(
            provider=provider.organization,
            values={
                "category": "testing",
                "name": f"纺织品色牢度检测（GB/T 3920）第{n}项",
                "price": str(300 + n),
            },
            by=provider,
        )
    sem = services.offering_create(
        provider=provider.organization,
        values={
            "kind": "instrument",
            "category": "instrument",
            "name": "场发射扫描电子显微镜",
            "price": "3000",
            "unit": "机时",
            "instrument_model": "SU8010",
            "manufacturer": "日立",
            "availability": "工作日 9:00–17:00",
        },
        by=provider,
    )

    # 1. Anyone browses: a full first page, whose count is asked for after the rows are shown.
    page.goto(page.base + "/vouchers/")
    page.wait_for_function("document.querySelector('[data-testid=result-count]').innerText.includes('23')")
    assert page.get_by_test_id("offering").count() == 20
    _page_ok(page, "01-list")

    # 2. Choosing a kind filters in place (htmx) and puts the filters in the address.
    page.evaluate("window.notReloaded = true")
    page.select_option("#id_kind", "instrument")
    page.wait_for_function("document.querySelectorAll('[data-testid=offering]').length === 1")
    assert page.evaluate("window.notReloaded") is True
    assert "kind=instrument" in page.url
    _page_ok(page, "02-filtered")

    # 3. A wrong price is explained, nothing breaks.
    page.fill("#id_price_min", "abc")
    page.get_by_test_id("apply-filters").click()
    page.get_by_test_id("catalogue-errors").wait_for()
    assert "请输入有效的金额" in page.get_by_test_id("catalogue-errors").inner_text()
    _page_ok(page, "03-bad-price")

    # 4. The offering's page: its facts and the program that accepts it.
    page.goto(page.base + f"/vouchers/offerings/{sem.pk}/")
    assert page.get_by_test_id("instrument-model").inner_text() == "SU8010"
    assert page.get_by_test_id("program").count() == 1
    _page_ok(page, "04-offering")

    # 5. The provider adds an offering and pauses another from its own page.
    login(page, provider.username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))
    page.goto(page.base + "/vouchers/provider/")
    _page_ok(page, "05-provider")
    page.get_by_test_id("new-offering").click()
    page.fill("#id_name", "水质检测")
    page.select_option("#id_category", "testing")
    page.fill("#id_price", "650.50")
    page.fill("#id_unit", "样")
    _page_ok(page, "06-offering-form")
    page.get_by_test_id("save-offering").click()
    page.wait_for_url(re.compile(r"/vouchers/provider/$"))
    assert Offering.objects.get(name="水质检测").region_id == provider.organization.region_id
    page.locator(f'[data-offering="{sem.pk}"] [data-testid=toggle-offering]').click()
    page.wait_for_url(re.compile(r"/vouchers/provider/$"))
    sem.refresh_from_db()
    assert sem.active is False
    _page_ok(page, "07-paused")
