"""A negotiation in real Chromium at phone width: start it from the listing's panel, post without a reload (htmx),
the owner's reply moves the state, and the bureau's funnel; no page scrolls sideways at 390 px."""

import re

import pytest

from ..factories import PASSWORD
from ..market.test_threads import institution_org, make_listing
from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_negotiation_at_phone_width(page, live_world):
    listing = make_listing(
        institution_org(live_world), title="高强度纤维低温染色技术（一种适用于涤纶和锦纶混纺面料的工艺）"
    )
    login(page, live_world["ent_a"].username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))
    page.goto(f"{page.base}/market/listings/{listing.pk}/")
    page.get_by_test_id("start-thread-button").click()
    page.fill("#id_message", "我们对该成果很感兴趣，希望了解转让条件。")
    page.get_by_test_id("start-thread").click()
    page.wait_for_url(re.compile(r"/market/threads/\d+/$"))
    assert page.get_by_test_id("thread-state").inner_text() == "已联系"
    assert _fits(page)

    page.evaluate("window.stillHere = true")
    page.fill("#id_body", "附上我方的工艺要求。")
    page.get_by_test_id("send-message").click()
    page.get_by_test_id("message").nth(1).wait_for()
    assert page.evaluate("window.stillHere === true")  # no reload
    assert page.get_by_test_id("message-body").nth(1).inner_text() == "附上我方的工艺要求。"
    assert page.locator("#id_body").input_value() == ""
    screenshot(page, "market-thread-party")
    page.get_by_test_id("logout").click()

    login(page, live_world["institution"].username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))
    page.goto(f"{page.base}/market/threads/")
    assert page.get_by_test_id("thread-row").count() == 1 and _fits(page)
    page.get_by_test_id("thread-row").locator("a").first.click()
    page.evaluate("window.stillHere = true")
    page.fill("#id_body", "欢迎来院面谈。")
    page.get_by_test_id("send-message").click()
    page.get_by_test_id("transition").first.wait_for()
    assert page.evaluate("window.stillHere === true")
    assert page.get_by_test_id("thread-state").inner_text() == "洽谈中"
    assert _fits(page)
    page.get_by_test_id("logout").click()

    login(page, live_world["staff"].username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))
    page.goto(f"{page.base}/market/threads/funnel/")
    assert page.get_by_test_id("stage-negotiating").get_by_test_id("reached").inner_text() == "1"
    assert _fits(page)
    screenshot(page, "market-funnel")
