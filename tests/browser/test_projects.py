import re

import pytest

from kechuang.projects.enums import ApplicationState as S
from kechuang.projects.models import Application

from ..factories import PASSWORD, make_call
from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logout(page):
    page.get_by_test_id("logout").click()
    page.wait_for_url(page.base + "/")


def test_apply_with_autosave_then_recommend_and_check(page, live_world, tmp_path):
    call = make_call(quotas={"330603": 3})
    login(page, live_world["ent_a"].username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))
    page.goto(page.base + "/projects/calls/")
    page.click("text=开始申报")
    page.wait_for_url(re.compile(r"/projects/applications/\d+/edit/"))
    assert page.input_value("#f-applicant") == "柯桥甲纺织有限公司"

    page.fill("#f-title", "浏览器填报的纤维项目")
    page.wait_for_function(
        "document.querySelector('[data-testid=save-status]').innerText.includes('已自动保存')"
    )
    page.fill("#f-amount", "十万")
    page.wait_for_selector("#errors-amount .error")
    assert page.inner_text("#errors-amount") == "申请经费（元）应为数字。"
    page.fill("#f-amount", "100000")
    page.wait_for_function("document.querySelector('#errors-amount').innerText === ''")
    page.fill("#f-contact", "张三")
    page.fill("#f-phone", "13800000000")
    page.select_option("#f-field", "新材料")
    page.fill("#f-summary", "研究内容简介。")
    page.fill("#f-start", "2027-01-01")
    page.fill("#f-end", "2027-12-31")
    page.fill("input[name=budget-0-item]", "设备费")
    page.fill("input[name=budget-0-amount]", "100000")
    page.fill("input[name=team-0-name]", "张三")
    page.wait_for_timeout(1200)
    application = Application.objects.get(call=call)
    page.wait_for_function(
        "document.querySelector('[data-testid=save-status]').innerText.includes('已自动保存')"
    )
    # Reload: nothing typed is lost.
    page.reload()
    assert page.input_value("#f-title") == "浏览器填报的纤维项目"
    assert page.input_value("input[name=budget-0-amount]") == "100000.00"
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF")
    page.set_input_files("#upload-plan", str(pdf))
    page.click("#upload-plan ~ button")
    page.wait_for_selector("text=附件已上传。")
    screenshot(page, "application-form")
    page.get_by_test_id("submit-application").click()
    page.wait_for_url(re.compile(r"/projects/applications/\d+/$"))
    application.refresh_from_db()
    assert application.state == S.SUBMITTED
    assert page.get_by_test_id("application-state").inner_text() == "已提交，待属地推荐"
    _logout(page)

    login(page, live_world["kq_officer"].username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))
    page.goto(f"{page.base}/projects/applications/{application.pk}/")
    page.check("input[name=decision][value=yes]")
    page.fill("textarea[name=reason]", "同意推荐")
    page.click("text=提交推荐意见")
    page.wait_for_selector("text=已处理")
    _logout(page)

    login(page, live_world["staff"].username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))
    page.goto(f"{page.base}/projects/applications/{application.pk}/")
    assert page.locator("[data-testid=check-result]").count() == 4
    page.check("input[name=decision][value=pass]")
    page.click("text=提交审查结论")
    page.wait_for_selector("text=已处理")
    assert page.get_by_test_id("application-state").inner_text() == "形式审查通过，待专家评审"
    assert page.locator("[data-testid=timeline] li").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "application-detail")
