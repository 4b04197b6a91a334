"""A technology contract on a 390 px phone in Chromium: the seller submits it with itemised costs and sees the
技术交易额 computed as they type (rules.md §5.3 example), the county registrar registers it, and the statistics
page shows it; no page is wider than the phone."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from kechuang.market.models import ContractRegistration

from ..factories import PASSWORD
from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def test_submit_register_and_count_a_contract_on_a_phone(page, live_world, tmp_path):
    contract_pdf = tmp_path / "合同.pdf"
    contract_pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    login(page, live_world["ent_a"].username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))
    page.goto(page.base + "/market/contracts/new/")
    assert page.evaluate(NO_OVERFLOW)
    page.fill("#id_title", "高强纤维低温染色工艺技术开发合同")
    page.select_option("#id_contract_type", "development")
    # The sub-type options follow the type.
    page.wait_for_function("document.querySelectorAll('#id_sub_type option').length === 3")
    page.select_option("#id_sub_type", "commissioned_development")
    page.select_option("#id_tech_field", "new_materials")
    page.fill("#id_other_credit_code", live_world["org_b"].credit_code)
    page.fill("#id_contract_amount", "5000000")
    page.select_option("#id_costs-0-kind", "equipment")
    page.fill("#id_costs-0-amount", "1200000")
    page.select_option("#id_costs-1-kind", "material")
    page.fill("#id_costs-1-amount", "300000")
    page.select_option("#id_costs-2-kind", "carrier_set")
    page.fill("#id_costs-2-amount", "200000")
    page.fill("#id_costs-2-quantity", "2")
    page.wait_for_function(
        "document.querySelector('[data-testid=preview-transaction]')?.innerText === '3500000.00'"
    )
    page.fill("#id_signed_on", (timezone.localdate() - timedelta(days=3)).isoformat())
    page.set_input_files("#id_contract_file", str(contract_pdf))
    assert page.evaluate(NO_OVERFLOW)
    screenshot(page, "market-contract-form-390")
    page.click("[data-testid=contract-submit]")
    page.wait_for_url(re.compile(r"/market/contracts/\d+/$"))
    assert page.get_by_test_id("transaction-amount").inner_text() == "3500000.00"
    assert page.evaluate(NO_OVERFLOW)
    page.click("[data-testid=logout]")

    login(page, live_world["kq_staff"].username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))
    page.goto(page.base + "/market/contracts/?state=submitted")
    assert page.get_by_test_id("result-count").inner_text() == "共 1 份合同"
    assert page.evaluate(NO_OVERFLOW)
    screenshot(page, "market-contract-list-390")
    page.click("[data-testid=contract-row] a")
    page.wait_for_url(re.compile(r"/market/contracts/\d+/$"))
    page.click("[data-testid=contract-form-register] button[type=submit]")
    page.wait_for_function("document.querySelector('[data-testid=contract-state]').innerText === '已登记'")
    number = ContractRegistration.objects.get().registration_no
    assert (
        page.get_by_test_id("contract-no").inner_text()
        == number
        == f"{timezone.localdate().year}330603000001"
    )
    assert page.evaluate(NO_OVERFLOW)
    screenshot(page, "market-contract-detail-390")

    page.goto(page.base + "/market/contracts/statistics/?group_by=region_out")
    total = page.get_by_test_id("statistics-total").inner_text()
    assert "5000000.00" in total and "3500000.00" in total
    assert page.evaluate(NO_OVERFLOW)
    screenshot(page, "market-contract-statistics-390")
