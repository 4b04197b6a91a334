"""An enterprise runs its self-assessment on a phone: what is missing, then the failing condition and 科小.

The first two fiscal years are submitted through the ORM and the latest one is a draft the user "has
entered", so this test does not depend on the annual-data pages (the lead may chain it after their test).
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from kechuang.enterprises.enums import AnnualDataStatus

from ..enterprises.assessment_data import RD_SHORT, example_a_year, make_example_a
from ..factories import PASSWORD
from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_enterprise_sees_what_is_missing_then_its_shortfall_and_the_tsme_verdict(page, live_world):
    org = live_world["org_a"]
    year = timezone.localdate().year
    make_example_a(org, application_year=year, count=2)

    login(page, live_world["ent_a"].username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))
    page.goto(page.base + reverse("enterprises:assessment_mine"))
    page.wait_for_url(re.compile(rf"/enterprises/{org.pk}/assessment/"))
    assert page.get_by_test_id("enterprise-name").inner_text() == "柯桥甲纺织有限公司"
    missing = page.get_by_test_id("missing-year")
    assert missing.all_inner_texts() == [f"请填报{year - 1}年度数据：去填报"]
    assert page.get_by_test_id("missing-year-link").get_attribute("href") == reverse(
        "enterprises:annual_edit", args=[org.pk, year - 1]
    )
    assert page.get_by_test_id("tsme-verdict").inner_text() == "待判断"
    assert _no_horizontal_scroll(page)
    screenshot(page, "selfassessment-missing-year")

    # The user has entered the latest year but not submitted it yet.
    example_a_year(org, year - 1, application_year=year, status=AnnualDataStatus.DRAFT)
    assert page.locator("#id_drafts").is_checked()
    page.get_by_test_id("run-assessment").click()
    page.wait_for_url(re.compile(r"\?on="))
    assert page.locator(".msg").inner_text() == "自评完成。本次自评含未提交数据，仅供预览，未保存。"
    assert page.get_by_test_id("drafts-badge").inner_text() == "含未提交数据"
    assert page.get_by_test_id("missing-years").count() == 0

    assert page.get_by_test_id("hnte-verdict").inner_text() == "不符合条件"
    rd = page.locator('[data-testid=check][data-code="hnte.rd_ratio"]')
    assert rd.get_by_test_id("check-outcome").inner_text() == "✗ 不满足"
    assert rd.get_by_test_id("check-message").inner_text() == RD_SHORT
    assert page.get_by_test_id("hnte-gap").first.inner_text() == (
        f"近三个会计年度（{year - 3}–{year - 1}年）研发费用（高企口径）还差约10.00万元"
    )
    assert page.get_by_test_id("tsme-verdict").inner_text() == "符合条件"
    assert page.get_by_test_id("tsme-score").inner_text() == "74 分（要求 ≥60分）"
    assert page.get_by_test_id("deduction-total").inner_text() == "加计扣除额合计 250.00万元"
    assert _no_horizontal_scroll(page)
    screenshot(page, "selfassessment-result")
