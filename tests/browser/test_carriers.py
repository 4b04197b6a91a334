"""A carrier's annual report and its evaluation on a 390 px phone in Chromium (issue 7 items 1 and 7): the
operator's user fills and submits the report through the form generated from the kind's indicators; the bureau
confirms it, runs the scheme's evaluation, sees the grade and rank, and publishes. The carriers and the scheme are
made with the services. No page is wider than the phone; each is saved as a screenshot (var/screenshots/carriers-*.png).
"""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from kechuang.carriers.default_indicators import seed
from kechuang.carriers.enums import CarrierState, ReportState, SchemeState
from kechuang.carriers.models import AnnualReport, Carrier, EvaluationScheme, ReportIndicator

from ..carriers.carrier_helpers import make_carrier, make_scheme
from ..factories import PASSWORD
from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= 390"
VALUES = {
    "incubatees": "36",
    "new_incubatees": "9",
    "graduates": "10",
    "incubatee_revenue": "8800.5",
    "funded_incubatees": "4",
    "incubatee_ip": "51",
    "space_m2": "15000",
    "staff": "11",
}


def _page_ok(page, name: str) -> None:
    assert page.evaluate(FITS), (
        f"{name}: wider than 390 px ({page.evaluate('document.documentElement.scrollWidth')})"
    )
    screenshot(page, f"carriers-{name}")


def test_operator_reports_and_bureau_evaluates_and_publishes_on_a_phone(page, live_world):
    seed(ReportIndicator)  # the live server's flushed database has lost the migration's indicators
    staff, operator = live_world["staff"], live_world["ent_a"]
    year = timezone.localdate().year - 1
    carrier = make_carrier(staff, operator=live_world["org_a"], name="柯桥科创孵化器")
    silent = make_carrier(staff, region_code="330681L01", name="诸暨未报孵化器")
    scheme = make_scheme(staff, year=year)  # 在孵企业数 60 points at 40, 毕业企业数 40 points at 10

    # 1. The operator's user fills the report from the carrier's page and submits it.
    login(page, operator.username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))
    page.goto(page.base + f"/carriers/{carrier.pk}/")
    _page_ok(page, "01-carrier")
    page.get_by_test_id("report-fill").click()
    page.wait_for_url(re.compile(rf"/carriers/{carrier.pk}/reports/{year}/$"))
    for code, value in VALUES.items():
        page.fill(f"#id_v_{code}", value)
    page.fill("#id_summary", "全年新增在孵企业9家，毕业10家。")
    _page_ok(page, "02-report-form")
    page.get_by_test_id("report-submit").click()
    page.wait_for_selector("[data-testid=report-values]")
    assert page.get_by_test_id("report-state").inner_text() == "已提交"
    report = AnnualReport.objects.get(carrier=carrier, year=year)
    assert (report.state, report.values) == (ReportState.SUBMITTED, VALUES)
    _page_ok(page, "03-report-submitted")
    page.get_by_test_id("logout").click()

    # 2. The bureau confirms it.
    login(page, staff.username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))
    page.goto(page.base + f"/carriers/reports/?year={year}&state=submitted")
    _page_ok(page, "04-reports")
    page.get_by_role("link", name="柯桥科创孵化器").click()
    page.get_by_test_id("report-accept").click()
    page.wait_for_function("document.querySelector('[data-testid=report-state]').innerText === '已确认'")
    _page_ok(page, "05-report-accepted")

    # 3. It runs the evaluation, sees grade and rank, and publishes.
    page.goto(page.base + "/carriers/schemes/")
    page.get_by_role("link", name=scheme.name).click()
    page.wait_for_url(re.compile(rf"/carriers/schemes/{scheme.pk}/$"))
    page.get_by_test_id("scheme-evaluate").click()
    page.wait_for_selector("[data-testid=scheme-publish]")
    rows = page.get_by_test_id("result-row")
    assert rows.count() == 2
    first = rows.nth(0)
    # 36/40 × 60 = 54 and 10/10 × 40 = 40: 94.00, 优秀, first; the carrier without a report scores 0.
    assert [
        first.get_by_test_id(t).inner_text() for t in ("result-rank", "result-score", "result-grade")
    ] == [
        "1",
        "94.00",
        "优秀",
    ]
    assert [
        rows.nth(1).get_by_test_id(t).inner_text()
        for t in ("result-rank", "result-grade", "result-consequence")
    ] == [
        "2",
        "不合格",
        "警告并限期整改",
    ]
    _page_ok(page, "06-results")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("scheme-publish").click()
    page.wait_for_function("document.querySelector('[data-testid=scheme-state]').innerText === '已发布'")
    _page_ok(page, "07-published")
    scheme = EvaluationScheme.objects.get(pk=scheme.pk)
    assert scheme.state == SchemeState.PUBLISHED
    assert Carrier.objects.get(pk=silent.pk).state == CarrierState.WARNED
    assert scheme.evaluations.get(carrier=carrier).score == Decimal("94.00")
    assert AnnualReport.objects.get(pk=report.pk).state == ReportState.ACCEPTED
