import re
from decimal import Decimal

import pytest
from django.utils import timezone

from kechuang.enterprises.models import AnnualData

from ..factories import PASSWORD
from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_enterprise_enters_last_years_figures_and_sees_them_in_its_history(page, live_world):
    last_year = timezone.localdate().year - 1
    login(page, live_world["ent_a"].username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))
    page.goto(page.base + "/enterprises/annual/")
    assert page.get_by_test_id("annual-reminder").inner_text().startswith(f"尚未填报 {last_year} 年度数据")
    assert page.input_value("#id_year") == str(last_year)
    page.get_by_test_id("annual-choose-year").click()
    page.wait_for_url(re.compile(rf"/enterprises/{live_world['org_a'].pk}/annual/{last_year}/$"))
    assert page.get_by_test_id("annual-status").inner_text() == "未填报"
    assert _no_horizontal_scroll(page)

    for field, value in {
        "total_income": "52000000",
        "main_revenue": "48000000",
        "other_revenue": "1000000",
        "hitech_revenue": "40000000",
        "cost_total": "45000000",
        "hnte_rd_personnel": "1500000",
        "hnte_rd_direct": "800000",
        "hnte_rd_commissioned_domestic": "200000",
        "hnte_rd_commissioned_foreign": "100000",
        "staff_total": "120",
        "st_staff": "130",
        "net_assets": "30000000",
        "total_assets": "60000000",
        "ip_invention": "2",
    }.items():
        page.fill(f"#id_{field}", value)
    page.check("#id_led_standard")
    page.get_by_test_id("submit-annual").click()
    page.wait_for_selector("[data-testid=error-st_staff]")
    assert page.get_by_test_id("error-st_staff").inner_text() == "科技人员数不能超过职工总数。"
    assert AnnualData.objects.count() == 0
    assert page.input_value("#id_main_revenue") == "48000000"  # nothing typed is lost

    # Taken before typing: a full-page screenshot just before the click made it miss the sticky button.
    screenshot(page, "enterprise-annual-form-error")
    page.fill("#id_st_staff", "18")
    page.get_by_test_id("submit-annual").click()
    page.wait_for_url(re.compile(r"/enterprises/annual/$"))
    assert page.locator(".msg.success").inner_text() == f"{last_year} 年度数据已提交。"
    row = page.get_by_test_id(f"annual-year-{last_year}")
    assert row.locator("td").all_inner_texts() == [
        f"{last_year} 年度",
        "已提交",
        "4,900.00",
        "260.00",
        "5.31%",
        "120",
        "18",
    ]
    assert _no_horizontal_scroll(page)
    screenshot(page, "enterprise-annual-history")
    record = AnnualData.objects.get()
    assert (record.status, record.st_staff, record.led_standard) == ("submitted", Decimal("18.00"), True)

    row.locator("a").click()
    page.wait_for_url(re.compile(rf"/annual/{last_year}/$"))
    assert page.get_by_test_id("annual-status").inner_text() == "已提交"
    assert page.get_by_test_id("key-ratio").inner_text() == "5.31%"
    assert page.get_by_test_id("save-annual").inner_text() == "保存修改"


def test_bureau_staff_import_a_file_with_an_error_then_a_good_one_and_list_them(page, live_world, tmp_path):
    from ..enterprises.test_annual_import import row, workbook

    last_year = timezone.localdate().year - 1
    login(page, live_world["staff"].username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))
    page.goto(page.base + "/enterprises/annual/import/")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([row(live_world["org_a"].credit_code, st_staff=500)]).read())
    page.set_input_files("#id_file", str(bad))
    page.get_by_test_id("annual-import-submit").click()
    page.wait_for_selector("[data-testid=import-errors]")
    assert page.get_by_test_id("import-error").first.locator("td").all_inner_texts() == [
        "2",
        "科技人员数",
        "科技人员数不能超过职工总数。",
    ]
    assert AnnualData.objects.count() == 0
    assert _no_horizontal_scroll(page)
    screenshot(page, "bureau-annual-import-errors")

    good = tmp_path / "good.xlsx"
    codes = [live_world["org_a"].credit_code, live_world["org_b"].credit_code]
    good.write_bytes(workbook([row(code) for code in codes]).read())
    page.set_input_files("#id_file", str(good))
    page.get_by_test_id("annual-import-submit").click()
    page.wait_for_selector("[data-testid=import-summary]")
    assert page.locator(".msg.success").inner_text() == "导入完成：新增 2 条，更新 0 条。"

    page.goto(f"{page.base}/enterprises/annual/list/?year={last_year}")
    assert page.get_by_test_id("result-count").inner_text() == "共 2 条年度数据"
    assert _no_horizontal_scroll(page)
    screenshot(page, "bureau-annual-list")
