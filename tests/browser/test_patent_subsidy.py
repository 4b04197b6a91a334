"""A patent subsidy on a 390 px phone in Chromium (issue 7 item 5): an enterprise claims the subsidy for its granted
patent (the amount comes from the patent record), the city bureau approves and records the payment, then the
enterprise opens a second open policy and finds the same patent refused with the reason naming the paid claim. No
page is wider than the phone; each is saved as a screenshot (var/screenshots/patent-subsidy-*.png)."""

import re
from datetime import date

import pytest

from kechuang.patents.enums import ClaimState
from kechuang.patents.models import SubsidyClaim

from ..factories import PASSWORD
from ..patents.ipfinance_helpers import make_patent, make_policy
from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= 390"


def _page_ok(page, name: str) -> None:
    assert page.evaluate(FITS), (
        f"{name}: wider than 390 px ({page.evaluate('document.documentElement.scrollWidth')})"
    )
    screenshot(page, f"patent-subsidy-{name}")


def _login(page, user) -> None:
    login(page, user.username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))


def _logout(page) -> None:
    page.get_by_test_id("logout").click()
    page.wait_for_url(re.compile(r"/accounts/login/|/$"))


def test_claim_approve_pay_and_refusal_of_the_paid_patent(page, live_world):
    enterprise, bureau = live_world["ent_a"], live_world["staff"]
    first = make_policy(name="2025年度专利资助")
    second = make_policy(name="2026年度专利资助", year=2026)
    patent = make_patent(
        live_world["org_a"], kind="invention", granted_on=date(2025, 5, 20), title="一种纺织纤维加工装置"
    )

    # 1. The enterprise applies under the first policy: the patent is offered at 10000 元, it submits.
    _login(page, enterprise)
    page.goto(page.base + f"/patents/subsidies/{first.pk}/")
    page.get_by_test_id("policy-apply").click()
    page.wait_for_url(re.compile(rf"/patents/subsidies/{first.pk}/apply/$"))
    assert page.get_by_test_id("amount").inner_text() == "10000.00 元"
    _page_ok(page, "01-apply")
    page.get_by_test_id("apply-submit").click()
    page.wait_for_url(re.compile(r"/patents/subsidies/claims/\d+/$"))
    assert page.get_by_test_id("claim-state").inner_text() == "待审核"
    claim = SubsidyClaim.objects.get()
    _page_ok(page, "02-claim")
    _logout(page)

    # 2. The bureau approves it as claimed and records the payment.
    _login(page, bureau)
    page.goto(page.base + "/patents/subsidies/claims/")
    page.get_by_test_id("claim-row").first.get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/patents/subsidies/claims/{claim.pk}/$"))
    assert page.input_value("#id_approve-amount") == "10000.00"
    page.get_by_test_id("claim-approve-submit").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=claim-state]')?.innerText === '已核准'"
    )
    page.fill("#id_pay-reference", "财拨〔2026〕8号")
    _page_ok(page, "03-approved")
    page.get_by_test_id("claim-pay-submit").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=claim-state]')?.innerText === '已拨付'"
    )
    assert "财拨〔2026〕8号" in page.get_by_test_id("claim-paid").inner_text()
    claim.refresh_from_db()
    assert (claim.state, str(claim.amount_approved)) == (ClaimState.PAID, "10000.00")
    _page_ok(page, "04-paid")
    _logout(page)

    # 3. Under the second open policy the same patent is refused, naming the paid claim.
    _login(page, enterprise)
    page.goto(page.base + f"/patents/subsidies/{second.pk}/apply/")
    assert page.get_by_test_id("none-eligible").is_visible()
    assert page.get_by_test_id("refused-reason").inner_text() == (
        f"该专利已在资助申请第{claim.pk}号（2025年度专利资助，已拨付）中，不能重复资助。"
    )
    assert patent.application_no in page.get_by_test_id("refused-row").inner_text()
    _page_ok(page, "05-refused")
    assert SubsidyClaim.objects.count() == 1
