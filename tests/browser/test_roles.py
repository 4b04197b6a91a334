import re

import pytest

from ..factories import PASSWORD, credit_code
from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST_TILE = {
    "admin": ("科技局管理员", "单位库"),
    "staff": ("科技局业务处室", "单位库"),
    "leader": ("局领导", "单位库"),
    "kq_officer": ("属地科技干部", "单位库"),
    "ent_a": ("企业用户", "项目申报"),
    "institution": ("高校院所用户", "项目申报"),
    "provider": ("服务机构", "本单位信息"),
    "expert": ("专家", "我的评审任务"),
    "broker": ("技术经纪人", "我的洽谈"),
}


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_each_role_logs_in_to_its_own_workbench_at_phone_width(page, live_world):
    for who, (role_label, first_tile) in FIRST_TILE.items():
        login(page, live_world[who].username, PASSWORD)
        page.wait_for_url(re.compile(r"/accounts/workbench/$"))
        assert page.locator("h1").inner_text() == "我的工作台"
        assert page.get_by_test_id("workbench-role").inner_text().startswith(role_label), who
        assert page.get_by_test_id("tile").first.locator("h3").inner_text().startswith(first_tile), who
        assert _no_horizontal_scroll(page), who
        screenshot(page, f"workbench-{who}")
        page.get_by_test_id("logout").click()
        page.wait_for_url(page.base + "/")


def test_enterprise_user_is_refused_another_organizations_page(page, live_world):
    login(page, live_world["ent_a"].username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))
    page.goto(f"{page.base}/organizations/{live_world['org_a'].pk}/")
    assert page.get_by_test_id("organization-name").inner_text() == "柯桥甲纺织有限公司"
    response = page.goto(f"{page.base}/organizations/{live_world['org_b'].pk}/")
    assert response.status == 403
    assert page.get_by_test_id("denied-reason").inner_text() == "您无权查看该单位的信息。"
    assert "诸暨乙机械有限公司" not in page.content()


def test_town_officer_list_shows_only_the_town(page, live_world):
    login(page, live_world["kq_officer"].username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))
    page.goto(page.base + "/organizations/")
    assert page.get_by_test_id("result-count").inner_text() == "共 1 家单位"
    assert page.locator("table tbody tr").count() == 1
    assert _no_horizontal_scroll(page)
    screenshot(page, "organizations-officer")


def test_search_updates_the_list_in_place(page, live_world):
    login(page, live_world["staff"].username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))
    page.goto(page.base + "/organizations/")
    assert page.get_by_test_id("result-count").inner_text() == "共 4 家单位"
    page.evaluate("window.__marker = 1")  # survives only if the page is not reloaded
    page.fill("#id_q", "诸暨")
    page.wait_for_function("document.querySelector('[data-testid=result-count]').innerText === '共 1 家单位'")
    assert page.evaluate("window.__marker") == 1
    assert page.locator("table tbody tr td a").inner_text() == "诸暨乙机械有限公司"
    assert "q=" in page.url


def test_registration_then_bureau_verification(page, live_world):
    page.goto(page.base + "/accounts/register/")
    page.fill("#id_credit_code", credit_code(6060))
    page.select_option("#id_kind", "enterprise")
    page.fill("#id_organization_name", "浏览器注册科技有限公司")
    page.select_option("#id_region", "330603L06")
    page.fill("#id_full_name", "李四")
    page.fill("#id_phone", "13900000000")
    page.fill("#id_username", "browser_user")
    page.fill("#id_password1", "Liulanqi2026")
    page.fill("#id_password2", "Liulanqi2026")
    screenshot(page, "register")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    assert "待属地科技局核验" in page.locator(".messages").inner_text()
    login(page, "browser_user", "Liulanqi2026")
    page.wait_for_url(re.compile(r"/workbench/"))
    assert "本单位信息正在等待属地科技局核验" in page.content()
    page.get_by_test_id("logout").click()

    login(page, live_world["kq_staff"].username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))
    page.goto(page.base + "/organizations/?status=pending")
    page.click("text=浏览器注册科技有限公司")
    page.check("input[name=approve][value='1']")
    page.click("text=提交核验结论")
    assert page.get_by_test_id("organization-status").inner_text() == "已核验"


def test_language_switch_to_english(page, live_world):
    page.goto(page.base + "/")
    page.click("button[value=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").inner_text() == "Shaoxing Science and Technology Innovation Platform"
    page.click("button[value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")


def test_public_visitor_reads_the_portal_at_phone_width_without_an_account(page, live_world):
    # The tenth role: no login; the portal, login and registration pages fit a 390 px phone.
    for path, heading in (
        ("/", "绍兴市科技创新服务平台"),
        ("/accounts/login/", "登录"),
        ("/accounts/register/", "单位用户注册"),
    ):
        response = page.goto(page.base + path)
        assert response.status == 200, path
        assert page.locator("h1").first.inner_text().startswith(heading), path
        assert _no_horizontal_scroll(page), path
        screenshot(page, "public" + path.replace("/", "-").rstrip("-"))
    # What needs an account sends the visitor to log in, never shows the record.
    page.goto(f"{page.base}/organizations/{live_world['org_a'].pk}/")
    assert "/accounts/login/" in page.url
    assert "柯桥甲纺织有限公司" not in page.content()


def test_record_pages_fit_a_phone(page, live_world):
    login(page, live_world["admin"].username, PASSWORD)
    page.wait_for_url(re.compile(r"/workbench/"))
    for path in (
        f"/organizations/{live_world['org_a'].pk}/",
        f"/organizations/{live_world['org_a'].pk}/edit/",
        "/organizations/new/",
        "/audit/",
        "/accounts/security/",
    ):
        response = page.goto(page.base + path)
        assert response.status == 200, path
        assert _no_horizontal_scroll(page), path
        screenshot(page, "phone" + path.replace("/", "-").rstrip("-"))
