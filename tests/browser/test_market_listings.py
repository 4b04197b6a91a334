"""A demand on a 390 px phone in Chromium: the enterprise posts and submits it, the county bureau publishes it,
and it shows on the market; no page is wider than the phone."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from kechuang.market.models import Listing

from ..factories import PASSWORD
from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"
TITLE = "高强纤维低能耗染色工艺"


def test_post_submit_publish_and_see_a_demand_on_a_phone(page, live_world):
    login(page, live_world["ent_a"].username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))
    page.goto(page.base + "/market/")
    assert page.evaluate(NO_OVERFLOW)
    page.click("[data-testid=post-listing]")
    page.wait_for_url(re.compile(r"/market/listings/new/"))
    assert page.evaluate(NO_OVERFLOW)
    page.click("[data-testid=choose-demand]")
    page.wait_for_url(re.compile(r"kind=demand"))
    page.fill("#id_title", TITLE)
    page.fill("#id_description", "需要一种低能耗、少排放的高强纤维染色工艺，寻求高校院所合作开发。")
    page.select_option("#id_tech_field", "new_materials")
    page.fill("#id_keywords", "染色、高强纤维 印染")
    page.select_option("#id_cooperation", "joint_development")
    page.fill("#id_budget_min", "100000")
    page.fill("#id_budget_max", "500000")
    page.fill("#id_expires_on", (timezone.localdate() + timedelta(days=60)).isoformat())
    page.fill("#id_contact_phone", "13800000001")
    assert page.evaluate(NO_OVERFLOW)
    screenshot(page, "market-listing-form-390")
    page.click("[data-testid=save-listing]")
    page.wait_for_url(re.compile(r"/market/listings/\d+/$"))
    assert page.get_by_test_id("listing-state").inner_text() == "草稿"
    page.click("[data-testid=submit-listing]")
    page.wait_for_function("document.querySelector('[data-testid=listing-state]').innerText === '待审核'")
    assert page.evaluate(NO_OVERFLOW)
    page.click("[data-testid=logout]")

    login(page, live_world["kq_staff"].username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))
    page.goto(page.base + "/market/moderation/")
    assert page.get_by_test_id("result-count").inner_text() == "共 1 条待审核"
    assert page.evaluate(NO_OVERFLOW)
    screenshot(page, "market-moderation-390")
    page.click("[data-testid=publish-listing]")
    page.wait_for_function(
        "document.querySelector('[data-testid=result-count]').innerText === '共 0 条待审核'"
    )
    assert Listing.objects.get().state == "published"

    page.goto(page.base + "/market/")
    assert page.get_by_test_id("listing-link").all_inner_texts() == [TITLE]
    assert page.evaluate(NO_OVERFLOW)
    screenshot(page, "market-home-390")
    page.click("[data-testid=listing-link]")
    page.wait_for_url(re.compile(r"/market/listings/\d+/$"))
    assert page.get_by_test_id("listing-state").inner_text() == "已发布"
    assert page.evaluate(NO_OVERFLOW)
    screenshot(page, "market-listing-detail-390")
