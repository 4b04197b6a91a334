"""An officer curates the reserve pool and logs a visit (issue items 4 and 5), on a 390 px phone screen."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kechuang.enterprises.enums import ReserveStatus
from kechuang.enterprises.models import AssessmentResult, FollowUp, ReserveEntry, Visit
from kechuang.enterprises.reserve import reserve_propose

from ..factories import PASSWORD, OrganizationFactory, region
from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _one_short(organization, label):
    AssessmentResult.objects.create(
        organization=organization,
        kind="hnte",
        assessed_on=timezone.localdate(),
        data_year=timezone.localdate().year - 1,
        ruleset="hnte-2016",
        eligible=False,
        score=Decimal("72"),
        failed=1,
        result={
            "checks": [
                {
                    "code": "x",
                    "rule": "",
                    "label": label,
                    "passed": False,
                    "figure": "",
                    "threshold": "",
                    "message": "",
                }
            ],
            "missing": [f"{label}还差一点"],
        },
    )


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_officer_curates_the_reserve_pool_and_logs_a_visit(page, live_world):
    year = timezone.localdate().year + 1
    other = OrganizationFactory(name="柯桥丁新材料有限公司", region=region("330603L01"))
    _one_short(live_world["org_a"], "科技人员占比")
    _one_short(other, "研发费用占比")
    assert reserve_propose(target_year=year, kind="hnte").count == 2

    login(page, live_world["kq_officer"].username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))
    page.goto(page.base + "/enterprises/reserve/")
    assert page.get_by_test_id("result-count").inner_text() == "共 2 家企业"

    row = page.locator("[data-testid=reserve-row][data-organization='柯桥甲纺织有限公司']")
    assert "仅差一项条件：科技人员占比（科技人员占比还差一点）。" in row.inner_text()
    row.get_by_test_id("reserve-change").click()
    row.locator("select[name=to]").select_option("cultivating")
    row.locator("textarea[name=reason]").fill("重点培育：辅导研发费用归集")
    row.locator("button[type=submit]").click()
    page.wait_for_selector("text=柯桥甲纺织有限公司 已改为“培育中”。")
    row = page.locator("[data-testid=reserve-row][data-organization='柯桥甲纺织有限公司']")
    assert row.get_by_test_id("reserve-status").inner_text() == "培育中"
    assert row.get_by_test_id("reserve-remark").inner_text() == "最新说明：重点培育：辅导研发费用归集"

    row = page.locator("[data-testid=reserve-row][data-organization='柯桥丁新材料有限公司']")
    row.get_by_test_id("reserve-change").click()
    row.locator("select[name=to]").select_option("removed")
    row.locator("button[type=submit]").click()
    page.wait_for_selector("text=移出后备库时请填写理由。")
    row = page.locator("[data-testid=reserve-row][data-organization='柯桥丁新材料有限公司']")
    row.get_by_test_id("reserve-change").click()
    row.locator("select[name=to]").select_option("removed")
    row.locator("textarea[name=reason]").fill("企业已被收购，不再独立申报")
    row.locator("button[type=submit]").click()
    page.wait_for_selector("text=柯桥丁新材料有限公司 已改为“移出”。")
    assert dict(ReserveEntry.objects.values_list("organization__name", "status")) == {
        "柯桥甲纺织有限公司": ReserveStatus.CULTIVATING,
        "柯桥丁新材料有限公司": ReserveStatus.REMOVED,
    }
    assert _fits(page)
    screenshot(page, "reserve-pool")

    # Log a visit: choose the enterprise, then the visit with one need and one follow-up.
    page.goto(page.base + "/enterprises/liaison/visits/new/")
    page.get_by_test_id("pick-q").fill("柯桥甲")
    page.click("main form button[type=submit]")
    page.click("[data-testid=pick-results] a")
    page.wait_for_url(re.compile(r"/enterprises/liaison/visits/new/\?organization=\d+"))
    visited_on = timezone.localdate() - timedelta(days=1)
    page.fill("#id_visited_on", visited_on.isoformat())
    page.select_option("#id_visitors", [str(live_world["kq_officer"].pk), str(live_world["kq_staff"].pk)])
    page.fill("#id_met", "王总经理")
    page.fill("#id_summary", "座谈企业研发项目进展和明年高企申报准备。")
    page.select_option("#id_needs-0-kind", "technical")
    page.fill("#id_needs-0-description", "需要高强纤维染色工艺的技术合作")
    page.fill("#id_follow_ups-0-action", "对接浙江理工大学染整团队")
    page.select_option("#id_follow_ups-0-owner", str(live_world["kq_officer"].pk))
    page.fill("#id_follow_ups-0-due_on", (visited_on + timedelta(days=14)).isoformat())
    page.select_option("#id_follow_ups-0-need", "1")
    assert _fits(page)
    screenshot(page, "visit-form")
    page.get_by_test_id("visit-save").click()
    page.wait_for_url(re.compile(r"/enterprises/liaison/visits/\d+/$"))
    page.wait_for_selector("text=已记录对 柯桥甲纺织有限公司 的走访。")
    visit = Visit.objects.get()
    assert set(visit.visitors.all()) == {live_world["kq_officer"], live_world["kq_staff"]}
    follow_up = FollowUp.objects.get()
    assert (follow_up.owner, follow_up.need.description) == (
        live_world["kq_officer"],
        "需要高强纤维染色工艺的技术合作",
    )

    page.goto(page.base + "/enterprises/liaison/")
    card = page.get_by_test_id("visit")
    assert card.count() == 1
    assert "需要高强纤维染色工艺的技术合作" in card.get_by_test_id("visit-needs").inner_text()
    assert "对接浙江理工大学染整团队" in card.get_by_test_id("visit-follow-ups").inner_text()
    assert _fits(page)
    screenshot(page, "visit-list")

    # The enterprise's page shows both panels: its reserve entry with the history, and the visit.
    page.goto(f"{page.base}/enterprises/{live_world['org_a'].pk}/")
    assert "培育中" in page.get_by_test_id("reserve-entry").inner_text()
    assert page.get_by_test_id("panel-visit").count() == 1
    assert _fits(page)
    screenshot(page, "enterprise-cultivation-panels")
