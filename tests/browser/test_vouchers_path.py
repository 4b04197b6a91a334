"""The voucher path end to end on a 390 px phone in Chromium (issue 6 item 3): an enterprise applies for a quota
on the program page (approved at once by the rules), books an offering and sees the split of the fee live, the
provider accepts and records completion with the invoice and the report, the enterprise confirms, the provider
claims redemption, the issuing region's bureau settles it in a batch and records the payment, and the provider
sees it paid — all through the pages (the program's terms, the provider's registration and its verification
through the pages are in test_vouchers_bureau.py and test_vouchers_catalogue.py). No page is wider than the phone; each is saved as a screenshot
(var/screenshots/vouchers-path-*.png)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from kechuang.vouchers.enums import BookingState, QuotaState
from kechuang.vouchers.models import Booking, Quota

from ..factories import PASSWORD
from ..vouchers.helpers import make_program, make_provider, today
from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= 390"


def _page_ok(page, name: str) -> None:
    assert page.evaluate(FITS), (
        f"{name}: wider than 390 px ({page.evaluate('document.documentElement.scrollWidth')})"
    )
    screenshot(page, f"vouchers-path-{name}")


def _login(page, user) -> None:
    login(page, user.username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))


def _logout(page) -> None:
    page.get_by_test_id("logout").click()
    page.wait_for_url(re.compile(r"/accounts/login/|/$"))


def _state_is(page, text: str) -> None:
    page.wait_for_function(
        "text => document.querySelector('[data-testid=booking-state]')?.innerText === text", arg=text
    )


def test_quota_booking_completion_confirmation_and_claim_on_a_phone(page, live_world, tmp_path):
    enterprise, provider, bureau = live_world["ent_a"], live_world["provider"], live_world["staff"]
    program = make_program(bureau)
    offering = make_provider(provider, bureau, price="8000")
    invoice = tmp_path / "发票.pdf"
    invoice.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    report = tmp_path / "检测报告.pdf"
    report.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    # 1. The enterprise reads the program's terms and applies for a quota: the rules grant it at once.
    _login(page, enterprise)
    page.goto(page.base + "/vouchers/programs/")
    _page_ok(page, "01-programs")
    page.get_by_test_id("program-row").first.click()
    page.wait_for_url(re.compile(rf"/vouchers/programs/{program.pk}/$"))
    assert "10,000.00元以下全额支付" in page.get_by_test_id("program-terms").inner_text()
    assert page.input_value("#id_requested") == "20000.00"
    page.fill("#id_requested", "20000")
    page.fill("#id_purpose", "新产品材料检测")
    _page_ok(page, "02-program")
    page.get_by_test_id("apply-submit").click()
    page.wait_for_url(re.compile(r"/vouchers/quotas/\d+/$"))
    assert page.get_by_test_id("quota-state").inner_text() == "已发放"
    assert page.get_by_test_id("quota-available").inner_text() == "20000.00"
    quota = Quota.objects.get()
    assert (quota.state, quota.granted) == (QuotaState.APPROVED, Decimal("20000"))
    _page_ok(page, "03-quota")

    # 2. It books the offering; the split follows the fee it types (above 1万元 the voucher pays half).
    page.goto(page.base + f"/vouchers/offerings/{offering.pk}/book/")
    assert page.input_value("#id_fee") == "8000.00"
    assert page.get_by_test_id("preview-voucher").inner_text() == "8000.00 元"
    page.fill("#id_service_date", (today() + timedelta(days=3)).isoformat())
    page.fill("#id_fee", "12000")
    page.wait_for_function(
        "document.querySelector('[data-testid=preview-voucher]')?.innerText === '6000.00 元'"
    )
    assert page.get_by_test_id("preview-enterprise").inner_text() == "6000.00 元"
    page.fill("#id_note", "两个样品，需出具CMA报告")
    _page_ok(page, "04-booking-form")
    page.get_by_test_id("booking-submit").click()
    page.wait_for_url(re.compile(r"/vouchers/bookings/\d+/$"))
    _state_is(page, "待服务机构确认")
    booking = Booking.objects.get()
    assert (booking.fee, booking.voucher_amount, booking.enterprise_amount) == (
        Decimal("12000"),
        Decimal("6000"),
        Decimal("6000"),
    )
    _page_ok(page, "05-booking-requested")
    _logout(page)

    # 3. The provider finds it among the bookings it received, accepts, and records completion with its files.
    _login(page, provider)
    page.goto(page.base + "/vouchers/bookings/")
    assert page.get_by_test_id("booking-row").count() == 1
    _page_ok(page, "06-provider-bookings")
    page.get_by_test_id("booking-row").locator("a").first.click()
    page.wait_for_url(re.compile(rf"/vouchers/bookings/{booking.pk}/$"))
    page.get_by_test_id("do-accept").click()
    _state_is(page, "服务中")
    _page_ok(page, "07-accepted")
    page.fill("#id_complete_invoice_no", "No.33060012")
    assert page.input_value("#id_complete_fee") == "12000.00"
    page.set_input_files("#id_complete_invoice_file", str(invoice))
    page.set_input_files("#id_complete_report_file", str(report))
    page.get_by_test_id("do-complete").click()
    _state_is(page, "待企业确认")
    assert page.get_by_test_id("invoice-no").inner_text() == "No.33060012"
    _page_ok(page, "08-completed")
    _logout(page)

    # 4. The enterprise sees the invoice and the report, and confirms: the voucher pays its share.
    _login(page, enterprise)
    page.goto(page.base + f"/vouchers/bookings/{booking.pk}/")
    assert page.get_by_test_id("report-download").count() == 1
    with page.expect_download() as download:
        page.get_by_test_id("report-download").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.get_by_test_id("do-confirm").click()
    _state_is(page, "已确认，待申请兑付")
    quota.refresh_from_db()
    assert (quota.committed, quota.redeemed, quota.available) == (
        Decimal("0"),
        Decimal("6000"),
        Decimal("14000"),
    )
    _page_ok(page, "09-confirmed")
    _logout(page)

    # 5. The provider claims redemption from the issuing region; the history shows every step.
    _login(page, provider)
    page.goto(page.base + f"/vouchers/bookings/{booking.pk}/")
    page.get_by_test_id("do-claim").click()
    _state_is(page, "已申请兑付")
    booking.refresh_from_db()
    assert booking.state == BookingState.CLAIMED
    assert page.get_by_test_id("history-line").count() == 5
    _page_ok(page, "10-claimed")
    _logout(page)

    # 6. The issuing region's bureau settles the claim in a batch, approves it and records the payment.
    _login(page, bureau)
    page.goto(page.base + f"/vouchers/bureau/programs/{program.pk}/settlement/")
    assert page.get_by_test_id("claim-row").count() == 1
    page.get_by_test_id("batch-create").click()
    page.wait_for_url(re.compile(r"/vouchers/bureau/batches/\d+/$"))
    assert page.get_by_test_id("batch-total").inner_text() == "6,000.00 元"
    page.get_by_test_id("batch-approve").click()
    page.wait_for_function("document.querySelector('[data-testid=batch-state]').innerText === '已审定'")
    page.fill("#id_reference", "财拨2026-031")
    page.get_by_test_id("batch-pay").click()
    page.wait_for_function("document.querySelector('[data-testid=batch-state]').innerText === '已拨付'")
    _page_ok(page, "11-paid-batch")
    page.goto(page.base + f"/vouchers/bureau/programs/{program.pk}/")
    assert page.get_by_test_id("reconcile-status").inner_text() == "台账平衡"
    _logout(page)

    # 7. The provider sees the booking paid, with the whole history.
    _login(page, provider)
    page.goto(page.base + f"/vouchers/bookings/{booking.pk}/")
    _state_is(page, "已拨付")
    assert page.get_by_test_id("history-line").count() == 7  # + settled, paid
    _page_ok(page, "12-paid")
