"""One project from call to acceptance, every role acting in the browser."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from kechuang.projects.enums import ApplicationState as S
from kechuang.projects.enums import ProjectState
from kechuang.projects.models import Application, Call, Program, PublicNotice

from ..factories import PASSWORD
from ..reviews.test_review_flow import make_expert
from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(page, user, password=PASSWORD):
    page.context.clear_cookies()
    login(page, user.username, password)
    page.wait_for_url(re.compile(r"/workbench/"))


def _ok(page, text):
    page.wait_for_selector(f".messages >> text={text}")


def test_call_to_acceptance_across_all_roles(page, live_world, tmp_path):
    w = live_world
    experts = [make_expert(i) for i in range(5)]
    for expert in experts:
        expert.user.set_password(PASSWORD)
        expert.user.save()

    # Bureau staff define the program, then open a call under it.
    _as(page, w["staff"])
    page.goto(page.base + "/projects/manage/programs/new/")
    page.fill("#id_name", "重点研发计划")
    page.fill("#id_code", "rd")
    page.select_option("#id_department", "high_tech")
    page.select_option("#id_region", "330600")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/manage/programs/$"))
    program = Program.objects.get(code="rd")
    assert (program.name, program.region_id, program.department) == ("重点研发计划", "330600", "high_tech")
    viewport = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base + "/projects/manage/calls/new/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the editors stack on a phone
    page.set_viewport_size(viewport)
    page.select_option("#id_program", label="重点研发计划")
    page.fill("#id_title", "浏览器全流程指南")
    page.fill("#id_year", "2026")
    now = timezone.localtime()
    page.fill("#id_opens_at", (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S"))
    page.fill("#id_closes_at", (now + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M:%S"))
    page.check("#id_is_published")
    page.fill("#id_budget_cap", "500000")
    page.fill("#id_total_budget", "1000000")
    page.fill("#id_quotas", "330603 3")
    # The review scheme in the criteria editor: one criterion of weight 100, the others deleted.
    page.fill("#id_criteria-0-key", "a")
    page.fill("#id_criteria-0-name", "创新性")
    page.fill("#id_criteria-0-weight", "100")
    for row in (1, 2, 3):
        page.check(f"#id_criteria-{row}-DELETE")
    page.fill("#id_scheme-experts_per_application", "5")
    page.select_option("#id_scheme-aggregation", "trimmed_mean")
    page.check("#id_scheme-blind")
    page.click("main form button[type=submit]")
    _ok(page, "申报指南已保存。")
    call = Call.objects.get(title="浏览器全流程指南")
    assert call.review_scheme["criteria"] == [
        {"key": "a", "name": "创新性", "weight": 100, "description": ""}
    ]
    assert call.review_scheme["blind"] is True

    # The enterprise applies.
    _as(page, w["ent_a"])
    page.goto(page.base + "/projects/calls/")
    page.click("text=开始申报")
    page.wait_for_url(re.compile(r"/edit/$"))
    for selector, value in [
        ("#f-title", "全流程纤维项目"),
        ("#f-contact", "张三"),
        ("#f-phone", "13800000000"),
        ("#f-summary", "研究内容"),
        ("#f-start", "2027-01-01"),
        ("#f-end", "2027-12-31"),
        ("#f-amount", "300000"),
        ("input[name=budget-0-item]", "设备费"),
        ("input[name=budget-0-amount]", "300000"),
        ("input[name=team-0-name]", "张三"),
    ]:
        page.fill(selector, value)
    page.select_option("#f-field", "新材料")
    page.wait_for_timeout(1200)
    page.wait_for_function(
        "document.querySelector('[data-testid=save-status]').innerText.includes('已自动保存')"
    )
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF")
    page.set_input_files("#upload-plan", str(pdf))
    page.click("#upload-plan ~ button")
    _ok(page, "附件已上传。")
    page.get_by_test_id("submit-application").click()
    page.wait_for_url(re.compile(r"/applications/\d+/$"))
    application = Application.objects.get(call=call)
    assert application.state == S.SUBMITTED

    # The town officer recommends; the bureau passes the formal check and draws the experts.
    _as(page, w["kq_officer"])
    page.goto(f"{page.base}/projects/applications/{application.pk}/")
    page.check("input[name=decision][value=yes]")
    page.click("text=提交推荐意见")
    _ok(page, "已处理")
    _as(page, w["staff"])
    page.goto(f"{page.base}/projects/applications/{application.pk}/")
    page.check("input[name=decision][value=pass]")
    page.click("text=提交审查结论")
    _ok(page, "已处理")
    page.goto(f"{page.base}/reviews/calls/{call.pk}/draw/")
    page.fill("#id_q", "1")
    page.get_by_test_id("draw").click()
    _ok(page, "已完成专家抽取")
    assert page.locator("[data-testid=panel-row]").count() == 5

    # Five experts accept and score; blind review hides the applicant.
    for index, expert in enumerate(experts):
        _as(page, expert.user)
        page.goto(page.base + "/reviews/")
        page.click("[data-testid=assignment] a")
        assert "柯桥甲纺织有限公司" not in page.content()
        page.get_by_test_id("accept").click()
        _ok(page, "已答复。")
        page.fill("#id_score_a", str(70 + index * 5))
        page.fill("#id_comment", "创新性较好。")
        page.get_by_test_id("submit-review").click()
        _ok(page, "评审意见已提交。")
    application.refresh_from_db()
    assert (application.state, str(application.review_score)) == (S.REVIEWED, "80.00")

    # Decision, meeting, public notice.
    _as(page, w["staff"])
    page.goto(f"{page.base}/projects/calls/{call.pk}/decision/")
    page.fill(f"input[name=amount_{application.pk}]", "250000")
    page.click("text=保存拟立项方案")
    _ok(page, "拟立项方案已保存。")
    page.fill("#id_held_on", timezone.localdate().isoformat())
    page.fill("#id_members", "局长、副局长、高新处处长")
    page.fill("#id_minutes", "审议通过")
    page.fill("#id_votes_for", "5")
    page.click("text=记录决策会议")
    _ok(page, "决策会议已记录。")
    page.fill("#id_days", "1")
    page.click("text=发布公示")
    _ok(page, "已发布公示。")
    notice = PublicNotice.objects.get(call=call)
    page.context.clear_cookies()
    page.goto(f"{page.base}/projects/notices/{notice.pk}/")  # anyone can read it
    assert "全流程纤维项目" in page.content() and "250000.00" in page.content()
    PublicNotice.objects.filter(pk=notice.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    _as(page, w["staff"])
    page.goto(f"{page.base}/projects/calls/{call.pk}/decision/")
    page.click("text=公示期满，批准立项")
    _ok(page, "公示已办结")
    project = application.project

    # Agreement, signature, disbursement.
    _as(page, w["ent_a"])
    page.goto(f"{page.base}/projects/{project.pk}/")
    page.fill("input[name=indicators-0-name]", "申请发明专利")
    page.fill("input[name=indicators-0-target]", "2 项")
    page.fill("input[name=milestones-0-due]", "2027-06-30")
    page.fill("input[name=milestones-0-content]", "完成样机")
    page.fill("input[name=budget_lines-0-amount]", "250000")
    page.fill("input[name=tranches-0-amount]", "250000")
    page.get_by_test_id("submit-agreement").click()
    _ok(page, "任务书已提交")
    _as(page, w["staff"])
    page.goto(f"{page.base}/projects/{project.pk}/")
    page.get_by_test_id("sign").click()
    _ok(page, "已处理。")
    page.fill("#amount", "250000")
    page.fill("#paid_on", timezone.localdate().isoformat())
    page.click("text=记录拨付")
    _ok(page, "已记录拨付。")

    # Acceptance.
    _as(page, w["ent_a"])
    page.goto(f"{page.base}/projects/{project.pk}/")
    page.fill("#summary", "全部指标完成。")
    page.get_by_test_id("apply-acceptance").click()
    _ok(page, "已申请结题验收。")
    _as(page, w["staff"])
    page.goto(f"{page.base}/projects/{project.pk}/")
    page.get_by_test_id("draw-panel").click()
    _ok(page, "已抽取验收专家组。")
    page.select_option("#grade", "excellent")
    page.fill("#note_a", "完成良好")
    page.get_by_test_id("decide-acceptance").click()
    _ok(page, "验收结论已保存。")
    project.refresh_from_db()
    assert (project.state, project.performance_grade) == (ProjectState.ACCEPTED, "excellent")
    screenshot(page, "project-accepted")
