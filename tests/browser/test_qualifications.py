"""Registering and cancelling a qualification in Chromium at 390 px: the 高企 expiry is filled in as the date is
picked, the tier follows, and nothing is wider than the phone."""

import re

import pytest

from kechuang.organizations.models import Organization, Qualification

from ..factories import PASSWORD
from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def test_register_and_cancel_a_qualification_on_a_phone(page, live_world):
    org = live_world["org_a"]
    login(page, live_world["kq_staff"].username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))
    page.goto(page.base + f"/enterprises/{org.pk}/")
    assert page.get_by_test_id("tier-badge").inner_text() == "一般企业"
    assert page.evaluate(NO_OVERFLOW)
    page.click("text=登记资质")
    page.wait_for_url(re.compile(r"/qualifications/new/"))
    page.select_option("#id_kind", "hnte")
    page.fill("#id_certificate_no", "GR202333009999")
    page.fill("#id_valid_from", "2025-12-01")
    page.wait_for_function("document.querySelector('#id_valid_until').value === '2028-11-30'")
    assert page.inner_text("#valid-until-hint") == "已按发证日期起三年填入：2028-11-30。"
    page.fill("#id_valid_until", "2028-12-01")
    page.select_option("#id_kind", "hnte")  # a change that asks again
    page.wait_for_function("document.querySelector('#valid-until-hint').innerText.includes('请核对证书')")
    page.fill("#id_valid_until", "2028-11-30")
    assert page.evaluate(NO_OVERFLOW)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(rf"/enterprises/{org.pk}/"))
    assert page.get_by_test_id("tier-badge").inner_text() == "高新技术企业"
    assert (
        "高新技术企业（证书GR202333009999，有效期至2028-11-30）" in page.get_by_test_id("tier").inner_text()
    )
    assert page.evaluate(NO_OVERFLOW)
    screenshot(page, "enterprise-detail-390")
    page.click("text=取消资格")
    page.wait_for_url(re.compile(r"/revoke/"))
    page.fill("#id_reason", "复核不符合认定条件")
    page.click("text=确认取消资格")
    page.wait_for_url(re.compile(rf"/enterprises/{org.pk}/"))
    assert page.get_by_test_id("tier-badge").inner_text() == "一般企业"
    assert Qualification.objects.get().revoke_reason == "复核不符合认定条件"
    assert Organization.objects.get(pk=org.pk).tier == "none"
    page.goto(page.base + "/enterprises/qualifications/")
    assert page.get_by_test_id("result-count").inner_text() == "共 1 项资质"
    assert page.evaluate(NO_OVERFLOW)
