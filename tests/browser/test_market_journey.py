"""The market end to end on a 390 px phone in Chromium (issue 5 item 8): an enterprise posts a demand in its own
words, the bureau publishes it, the matcher finds an institution's achievement written in laboratory wording, the
enterprise starts a negotiation from it, the institution replies and both reach an intent, a party registers the
technology contract from the thread, the bureau registers it, and the thread shows it. No page is wider than the
phone; each page is saved as a screenshot (var/screenshots/market-journey-*.png)."""

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from kechuang.market.enums import ListingKind, ListingState, ThreadState
from kechuang.market.models import ContractRegistration, Listing, Match, Thread

from ..factories import PASSWORD
from ..market.match_support import make_listing
from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= 390"

ACHIEVEMENT = {
    "title": "高级氧化法处理难降解有机废水技术",
    "description": (
        "本成果采用臭氧催化氧化与芬顿联用的高级氧化工艺，将难降解有机废水中的大分子有机物开环断链，"
        "出水COD稳定达到排放标准，适用于印染、化工等行业废水的深度处理，已完成实验室小试和中试验证。"
    ),
    "keywords": "高级氧化 难降解有机废水 COD",
    "tech_field": "resources_environment",
    "cooperation": "transfer",
}
DEMAND_TITLE = "降低印染废水COD"
DEMAND_TEXT = (
    "我公司印染废水经生化处理后COD仍偏高，难降解有机物多，寻求可靠的废水深度处理技术，使出水COD稳定达标排放。"
)
# Achievements on other subjects, so that word weights are those of a market and not of one listing.
OTHERS = [
    ("固态锂电池电解质材料", "硫化物固态电解质的制备方法，离子电导率高，用于动力电池。", "new_energy"),
    ("纺织机械智能控制系统", "基于PLC的织机控制系统，提高织造效率，降低断纱率。", "advanced_manufacturing"),
    ("高性能碳纤维复合材料", "碳纤维增强树脂基复合材料的成型工艺，强度高，重量轻。", "new_materials"),
    ("工业机器人视觉定位", "基于深度学习的视觉定位算法，用于机械臂抓取。", "advanced_manufacturing"),
    ("轴承精密磨削工艺", "精密轴承套圈磨削工艺，提高圆度和表面质量。", "advanced_manufacturing"),
    ("黄酒发酵菌种选育", "黄酒酿造用优良酵母菌种选育，提高出酒率。", "biomedicine"),
]


def _page_ok(page, name: str) -> None:
    assert page.evaluate(FITS), (
        f"{name}: wider than 390 px ({page.evaluate('document.documentElement.scrollWidth')})"
    )
    screenshot(page, f"market-journey-{name}")


def _logout(page) -> None:
    page.get_by_test_id("logout").click()
    page.wait_for_url(re.compile(r"/accounts/login/|/$"))


def _login(page, user) -> None:
    login(page, user.username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))


@pytest.fixture
def lexical_only(monkeypatch):
    """Matching without the embedding model (loading it costs seconds); the lexical side finds the pair."""
    monkeypatch.setenv("KECHUANG_MARKET_EMBEDDINGS", "off")


def test_from_a_demand_to_a_registered_contract_on_a_phone(page, live_world, lexical_only, tmp_path):
    enterprise, institution, bureau = live_world["ent_a"], live_world["institution"], live_world["staff"]
    achievement = make_listing(institution.organization, **ACHIEVEMENT)
    for title, text, tech_field in OTHERS:
        make_listing(live_world["org_b"], title=title, description=text, tech_field=tech_field)
    contract_pdf = tmp_path / "合同.pdf"
    contract_pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    # 1. The enterprise posts its demand in its own words and submits it.
    _login(page, enterprise)
    page.goto(page.base + "/market/")
    page.click("[data-testid=post-listing]")
    page.click("[data-testid=choose-demand]")
    page.wait_for_url(re.compile(r"kind=demand"))
    page.fill("#id_title", DEMAND_TITLE)
    page.fill("#id_description", DEMAND_TEXT)
    page.select_option("#id_tech_field", "resources_environment")
    page.fill("#id_keywords", "印染废水 COD 深度处理")
    page.select_option("#id_cooperation", "transfer")
    page.fill("#id_budget_min", "200000")
    page.fill("#id_budget_max", "800000")
    page.fill("#id_expires_on", (timezone.localdate() + timedelta(days=90)).isoformat())
    page.fill("#id_contact_phone", "13800000001")
    _page_ok(page, "01-demand-form")
    page.click("[data-testid=save-listing]")
    page.wait_for_url(re.compile(r"/market/listings/\d+/$"))
    demand_url = page.url
    page.click("[data-testid=submit-listing]")
    page.wait_for_function("document.querySelector('[data-testid=listing-state]').innerText === '待审核'")
    _page_ok(page, "02-demand-submitted")
    demand = Listing.objects.get(kind=ListingKind.DEMAND)
    _logout(page)

    # 2. The bureau publishes it from the moderation queue.
    _login(page, bureau)
    page.goto(page.base + "/market/moderation/")
    assert page.get_by_test_id("result-count").inner_text() == "共 1 条待审核"
    _page_ok(page, "03-moderation")
    page.click("[data-testid=publish-listing]")
    page.wait_for_function(
        "document.querySelector('[data-testid=result-count]').innerText === '共 0 条待审核'"
    )
    demand.refresh_from_db()
    assert demand.state == ListingState.PUBLISHED
    _logout(page)

    # 3. The enterprise sees the achievement among its demand's matches (computed by the job
    # market.listing_changed after the publication commits), though the two share few words.
    _login(page, enterprise)
    page.goto(demand_url)
    found = page.get_by_test_id("match-listing").filter(has_text=ACHIEVEMENT["title"])
    deadline = time.monotonic() + 30
    while found.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.5)
        page.reload()
    assert found.count() == 1, "the achievement never appeared among the demand's matches"
    assert Match.objects.filter(listing=demand, target_listing=achievement, rank=1).exists()
    assert page.get_by_test_id("match-listing").first.locator("a").inner_text() == ACHIEVEMENT["title"]
    reasons = found.get_by_test_id("match-reasons").inner_text()
    assert "cod" in reasons.lower() and "废水" in reasons  # the words the two texts share
    _page_ok(page, "04-demand-matches")

    # 4. It opens the achievement and starts a negotiation, linking its demand.
    found.locator("a").click()
    page.wait_for_url(re.compile(rf"/market/listings/{achievement.pk}/$"))
    _page_ok(page, "05-achievement")
    page.get_by_test_id("start-thread-button").click()
    page.wait_for_url(re.compile(rf"/market/threads/start/{achievement.pk}/"))
    page.fill("#id_message", "我公司印染废水COD偏高，对贵院的高级氧化技术很感兴趣，希望洽谈技术转让。")
    page.select_option("#id_counter_listing", str(demand.pk))
    _page_ok(page, "06-thread-start")
    page.get_by_test_id("start-thread").click()
    page.wait_for_url(re.compile(r"/market/threads/\d+/$"))
    assert page.get_by_test_id("thread-state").inner_text() == "已联系"
    thread = Thread.objects.get()
    assert (thread.listing_id, thread.party_id, thread.counter_listing_id) == (
        achievement.pk,
        enterprise.organization_id,
        demand.pk,
    )
    _page_ok(page, "07-thread-started")
    _logout(page)

    # 5. The institution sees the thread, replies (→ 洽谈中) and records the intent with its amount.
    _login(page, institution)
    page.goto(page.base + "/market/threads/")
    assert page.get_by_test_id("thread-row").count() == 1
    _page_ok(page, "08-institution-threads")
    page.get_by_test_id("thread-row").locator("a").first.click()
    page.wait_for_url(re.compile(rf"/market/threads/{thread.pk}/$"))
    page.fill("#id_body", "欢迎来院考察中试装置，转让费可面议。")
    page.get_by_test_id("send-message").click()
    page.wait_for_function("document.querySelector('[data-testid=thread-state]').innerText === '洽谈中'")
    _page_ok(page, "09-thread-negotiating")
    page.select_option("[data-testid=transition-action]", "intent")
    page.fill("[data-testid=transition-form] [name=intent_amount]", "600000")
    page.click("[data-testid=transition-form] button[type=submit]")
    page.wait_for_function("document.querySelector('[data-testid=thread-state]').innerText === '达成意向'")
    assert page.get_by_test_id("intent-amount").inner_text() == "600000.00"
    thread.refresh_from_db()
    assert thread.state == ThreadState.INTENT
    _page_ok(page, "10-thread-intent")

    # 6. The seller registers the contract from the thread: the form comes filled in from it.
    page.get_by_test_id("register-contract").click()
    page.wait_for_url(re.compile(rf"/market/contracts/new/\?thread={thread.pk}$"))
    assert page.input_value("#id_title") == ACHIEVEMENT["title"]
    assert page.input_value("#id_contract_type") == "transfer"
    assert page.input_value("#id_other_credit_code") == enterprise.organization.credit_code
    assert page.input_value("#id_thread") == str(thread.pk)
    page.fill("#id_title", "难降解有机废水高级氧化处理技术秘密转让合同")
    page.select_option("#id_sub_type", "secret_transfer")
    page.fill("#id_contract_amount", "600000")
    page.select_option("#id_costs-0-kind", "equipment")
    page.fill("#id_costs-0-amount", "100000")
    page.wait_for_function(
        "document.querySelector('[data-testid=preview-transaction]')?.innerText === '500000.00'"
    )
    page.fill("#id_signed_on", (timezone.localdate() - timedelta(days=2)).isoformat())
    page.set_input_files("#id_contract_file", str(contract_pdf))
    _page_ok(page, "11-contract-form")
    page.click("[data-testid=contract-submit]")
    page.wait_for_url(re.compile(r"/market/contracts/\d+/$"))
    assert page.get_by_test_id("contract-state").inner_text() == "待认定"
    contract = ContractRegistration.objects.get()
    assert (contract.thread_id, contract.listing_id) == (thread.pk, achievement.pk)
    assert (contract.seller_id, contract.buyer_id) == (
        institution.organization_id,
        enterprise.organization_id,
    )
    _page_ok(page, "12-contract-submitted")
    _logout(page)

    # 7. The bureau (the seller's region) registers it; the number appears, and the thread shows the contract.
    _login(page, bureau)
    page.goto(page.base + "/market/contracts/?state=submitted")
    assert page.get_by_test_id("result-count").inner_text() == "共 1 份合同"
    _page_ok(page, "13-contracts-to-register")
    page.click("[data-testid=contract-row] a")
    page.wait_for_url(re.compile(rf"/market/contracts/{contract.pk}/$"))
    page.click("[data-testid=contract-form-register] button[type=submit]")
    page.wait_for_function("document.querySelector('[data-testid=contract-state]').innerText === '已登记'")
    contract.refresh_from_db()
    assert re.fullmatch(rf"{timezone.localdate().year}330600\d{{6}}", contract.registration_no)
    assert page.get_by_test_id("contract-no").inner_text() == contract.registration_no
    assert page.get_by_test_id("transaction-amount").inner_text() == "500000.00"
    _page_ok(page, "14-contract-registered")
    page.get_by_test_id("contract-thread").click()
    page.wait_for_url(re.compile(rf"/market/threads/{thread.pk}/$"))
    assert contract.registration_no in page.get_by_test_id("thread-contracts").inner_text()
    _page_ok(page, "15-bureau-thread-with-contract")
    _logout(page)

    _login(page, enterprise)
    page.goto(page.base + "/market/threads/")
    page.get_by_test_id("thread-row").locator("a").first.click()
    page.wait_for_url(re.compile(rf"/market/threads/{thread.pk}/$"))
    panel = page.get_by_test_id("thread-contracts").inner_text()
    assert contract.registration_no in panel and "500000.00" in panel
    _page_ok(page, "16-thread-with-contract")
