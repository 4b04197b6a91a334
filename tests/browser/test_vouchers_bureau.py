"""The bureau's voucher work on a 390 px phone in Chromium (issue 6 items 1, 3, 4): staff create a program through
the form (tiers, hand approval) and open it, approve a pending quota application for less than asked, settle a
claimed redemption in a batch, approve the batch and record its payment. The enterprise's and the provider's
steps are taken with the services. No page is wider than the phone; each is saved as a screenshot
(var/screenshots/vouchers-bureau-*.png)."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kechuang.vouchers import services
from kechuang.vouchers.enums import BatchState, BookingState, ProgramState, QuotaState
from kechuang.vouchers.ledger import reconcile
from kechuang.vouchers.models import Flag, ProviderProfile, Quota, SettlementBatch, VoucherProgram

from ..factories import PASSWORD
from ..vouchers.helpers import make_provider, today
from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= 390"


def _page_ok(page, name: str) -> None:
    assert page.evaluate(FITS), (
        f"{name}: wider than 390 px ({page.evaluate('document.documentElement.scrollWidth')})"
    )
    screenshot(page, f"vouchers-bureau-{name}")


def test_staff_run_a_program_from_terms_to_payment_on_a_phone(page, live_world):
    staff, enterprise, provider = live_world["staff"], live_world["ent_a"], live_world["provider"]
    offering = make_provider(provider, staff, price="12000")
    enterprise.organization.size = "small"  # the program will be for micro and small enterprises
    enterprise.organization.save()
    login(page, staff.username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))

    # 1. A new program through the form: every term, the tiers as rows, the rule sentence as a preview.
    page.goto(page.base + "/vouchers/bureau/")
    _page_ok(page, "01-programs-empty")
    page.get_by_test_id("program-new").click()
    page.wait_for_url(re.compile(r"/vouchers/bureau/programs/new/$"))
    page.fill("#id_name", "2026年绍兴市科技创新券（第一批）")
    page.fill("#id_budget", "300000")
    page.check("#id_eligible_sizes_0")  # 微型
    page.check("#id_eligible_sizes_1")  # 小型
    page.check("[name=categories][value=testing]")
    page.check("[name=categories][value=design]")
    page.fill("#id_quota_per_application", "20000")
    page.fill("#id_annual_cap", "50000")
    page.fill("#id_tier_start_1", "10000")
    page.fill("#id_tier_pct_1", "50")
    page.wait_for_function(
        "document.querySelector('[data-testid=tiers-text]')?.innerText.includes('10,000.00元及以上支付50%')"
    )
    assert (
        page.get_by_test_id("tiers-text").inner_text()
        == "规则：10,000.00元以下全额支付；10,000.00元及以上支付50%"
    )
    page.uncheck("#id_auto_approve")
    page.check("[name=partner_regions][value='330400']")
    _page_ok(page, "02-program-form")
    page.get_by_test_id("program-save").click()
    page.wait_for_url(re.compile(r"/vouchers/bureau/programs/\d+/$"))
    program = VoucherProgram.objects.get()
    assert (program.state, program.budget, program.copay_tiers, program.auto_approve) == (
        ProgramState.DRAFT,
        Decimal("300000"),
        [["0", "1"], ["10000", "0.5"]],
        False,
    )
    assert page.get_by_test_id("program-state").inner_text() == "草稿"
    _page_ok(page, "03-books-draft")

    # 2. Open it, after the confirmation page.
    page.get_by_test_id("program-open").click()
    page.wait_for_url(re.compile(rf"/programs/{program.pk}/open/$"))
    _page_ok(page, "04-open-confirm")
    page.get_by_test_id("confirm-action").click()
    page.wait_for_url(re.compile(rf"/vouchers/bureau/programs/{program.pk}/$"))
    assert page.get_by_test_id("program-state").inner_text() == "受理中"

    # 3. An enterprise applies (services); staff approve 15,000 of the 20,000 asked.
    quota = services.quota_apply(
        program=program,
        organization=enterprise.organization,
        requested="20000",
        purpose="材料检测",
        by=enterprise,
    )
    assert quota.state == QuotaState.APPLIED
    page.goto(page.base + "/vouchers/bureau/quotas/")
    assert page.get_by_test_id("result-count").inner_text() == "共 1 笔待审核申领"
    _page_ok(page, "05-quota-reviews")
    page.get_by_test_id("quota-review-link").click()
    page.wait_for_url(re.compile(rf"/vouchers/bureau/quotas/{quota.pk}/"))
    assert page.get_by_test_id("cap-left").inner_text() == "50,000.00 元"
    _page_ok(page, "06-quota-review")
    page.fill("#id_amount", "15000")
    page.get_by_test_id("quota-approve").click()
    page.wait_for_url(re.compile(r"/vouchers/bureau/quotas/$"))
    assert page.get_by_test_id("result-count").inner_text() == "共 0 笔待审核申领"
    quota = Quota.objects.get()
    assert (quota.state, quota.granted) == (QuotaState.APPROVED, Decimal("15000"))

    # 4. The service is booked, done, confirmed and claimed (services): 12,000 → the voucher pays 6,000.
    booking = services.booking_create(quota=quota, offering=offering, service_date=today(), by=enterprise)
    booking = services.booking_accept(booking=booking, by=provider)
    report = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    booking = services.booking_complete(booking=booking, invoice_no="No.88", report_file=report, by=provider)
    booking = services.booking_confirm(booking=booking, by=enterprise)
    booking = services.booking_claim(booking=booking, by=provider)
    assert booking.voucher_amount == Decimal("6000.00")

    # 5. Staff settle it in a batch, approve the batch and record the payment.
    page.goto(page.base + f"/vouchers/bureau/programs/{program.pk}/settlement/")
    assert page.get_by_test_id("claim-row").count() == 1
    _page_ok(page, "07-settlement")
    page.get_by_test_id("batch-create").click()
    page.wait_for_url(re.compile(r"/vouchers/bureau/batches/\d+/$"))
    assert page.get_by_test_id("batch-state").inner_text() == "编制中"
    assert page.get_by_test_id("batch-total").inner_text() == "6,000.00 元"
    _page_ok(page, "08-batch-draft")
    page.get_by_test_id("batch-approve").click()
    page.wait_for_function("document.querySelector('[data-testid=batch-state]').innerText === '已审定'")
    page.fill("#id_reference", "财拨2026-015")
    _page_ok(page, "09-batch-approved")
    page.get_by_test_id("batch-pay").click()
    page.wait_for_function("document.querySelector('[data-testid=batch-state]').innerText === '已拨付'")
    assert "财拨2026-015" in page.get_by_test_id("batch-paid").inner_text()
    _page_ok(page, "10-batch-paid")
    batch = SettlementBatch.objects.get()
    booking.refresh_from_db()
    assert (batch.state, batch.total, booking.state) == (
        BatchState.PAID,
        Decimal("6000.00"),
        BookingState.PAID,
    )

    # 6. The books add up.
    page.goto(page.base + f"/vouchers/bureau/programs/{program.pk}/")
    assert page.get_by_test_id("reconcile-status").inner_text() == "台账平衡"
    assert page.get_by_test_id("fig-paid").inner_text() == "6,000.00"
    assert page.get_by_test_id("fig-remaining").inner_text() == "285,000.00"
    _page_ok(page, "11-books")
    page.goto(page.base + f"/vouchers/bureau/programs/{program.pk}/ledger/")
    assert page.get_by_test_id("entry-row").count() == 5  # issue, commit, redeem, settle, pay
    _page_ok(page, "12-ledger")
    program.refresh_from_db()
    assert reconcile(program) == []

    # 7. The other pages fit the phone too: flags (the two parties share an address), providers, closing.
    flag = Flag.objects.get()
    profile = ProviderProfile.objects.get()
    for name, path in [
        ("13-flags", "/vouchers/bureau/flags/"),
        ("14-flag", f"/vouchers/bureau/flags/{flag.pk}/"),
        ("15-providers", "/vouchers/bureau/providers/?state="),
        ("16-provider", f"/vouchers/bureau/providers/{profile.pk}/"),
        ("17-close-confirm", f"/vouchers/bureau/programs/{program.pk}/close/"),
        ("18-program-edit", f"/vouchers/bureau/programs/{program.pk}/edit/"),
        ("19-programs", "/vouchers/bureau/"),
    ]:
        page.goto(page.base + path)
        _page_ok(page, name)
    page.goto(page.base + f"/vouchers/bureau/programs/{program.pk}/close/")
    assert "未使用的 9,000.00 元立即到期收回预算" in page.get_by_test_id("close-warning").inner_text()
