import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kechuang.organizations.models import Organization

from .factories import OrganizationFactory, region

pytestmark = pytest.mark.django_db


def test_portal_home_is_public_and_chinese(client, world):
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in body
    assert "绍兴市科技创新服务平台" in body
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in body


def test_every_asset_is_served_locally(client, world):
    body = client.get("/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', body)
    assert sources == ["/static/kechuang/app.css", "/static/django_htmx/htmx-2.min.js"] or sorted(
        sources
    ) == sorted(["/static/kechuang/app.css", "/static/django_htmx/htmx-2.min.js"])
    assert "http://" not in "".join(sources) and "https://" not in "".join(sources)


def test_english_is_available(client, world):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "Science and Technology Innovation Platform" in body


def test_chinese_is_the_default_whatever_the_browser_asks(client, world):
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in body and "绍兴市科技创新服务平台" in body
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()


WORKBENCH_TILES = {
    "admin": [
        "单位库",
        "待核验单位",
        "登记单位",
        "审计日志",
        "系统管理",
        "项目申报书",
        "申报指南管理",
        "专家库",
        "立项项目",
        "项目统计",
        "企业库",
        "企业年度数据",
        "资质台账",
        "后备库",
        "走访记录",
        "我的跟进事项",
        "我的挂联企业",
        "挂联安排",
        "供需信息审核",
        "技术合同登记",
        "对接活动",
        "洽谈漏斗",
        "创新券计划",
        "创新券额度审核",
        "服务机构核验",
        "创新券风险提示",
        "创新载体",
        "载体年报",
        "载体绩效评价",
        "科技特派员",
        "人才与外国专家",
        "专利",
        "专利资助",
        "质押融资与执法",
        "科技大脑",
        "目标考核",
        "年度工作总结",
        "科技信箱",
        "政策兑现",
        "政策与公告",
        "API 令牌",
        "账号安全",
    ],
    "staff": [
        "单位库",
        "待核验单位",
        "登记单位",
        "项目申报书",
        "申报指南管理",
        "专家库",
        "立项项目",
        "项目统计",
        "企业库",
        "企业年度数据",
        "资质台账",
        "后备库",
        "走访记录",
        "我的跟进事项",
        "我的挂联企业",
        "挂联安排",
        "供需信息审核",
        "技术合同登记",
        "对接活动",
        "洽谈漏斗",
        "创新券计划",
        "创新券额度审核",
        "服务机构核验",
        "创新券风险提示",
        "创新载体",
        "载体年报",
        "载体绩效评价",
        "科技特派员",
        "人才与外国专家",
        "专利",
        "专利资助",
        "质押融资与执法",
        "科技大脑",
        "目标考核",
        "年度工作总结",
        "科技信箱",
        "政策兑现",
        "政策与公告",
        "API 令牌",
        "账号安全",
    ],
    "leader": [
        "单位库",
        "项目申报书",
        "立项项目",
        "项目统计",
        "企业库",
        "企业年度数据",
        "资质台账",
        "后备库",
        "走访记录",
        "洽谈漏斗",
        "创新券计划",
        "创新券额度审核",
        "服务机构核验",
        "创新券风险提示",
        "创新载体",
        "科技特派员",
        "人才与外国专家",
        "专利",
        "质押融资与执法",
        "科技大脑",
        "目标考核",
        "年度工作总结",
        "科技信箱",
        "API 令牌",
        "账号安全",
    ],
    "kq_officer": [
        "单位库",
        "项目申报书",
        "立项项目",
        "企业库",
        "企业年度数据",
        "资质台账",
        "后备库",
        "走访记录",
        "我的跟进事项",
        "我的挂联企业",
        "洽谈漏斗",
        "创新券计划",
        "创新券额度审核",
        "服务机构核验",
        "创新券风险提示",
        "创新载体",
        "科技特派员",
        "人才与外国专家",
        "专利",
        "质押融资与执法",
        "科技大脑",
        "科技信箱",
        "API 令牌",
        "账号安全",
    ],
    "ent_a": [
        "项目申报",
        "我的申报书",
        "立项项目",
        "本单位信息",
        "单位成员",
        "我的企业",
        "年度数据填报",
        "高企、科小自评",
        "我的供需信息",
        "联系方式申请",
        "我的洽谈",
        "我的创新券",
        "我的专利",
        "专利资助",
        "我的创新载体",
        "政策兑现",
        "我的来信",
        "API 令牌",
        "账号安全",
    ],
    "institution": [
        "项目申报",
        "我的申报书",
        "立项项目",
        "本单位信息",
        "单位成员",
        "我的供需信息",
        "联系方式申请",
        "我的洽谈",
        "我的创新券",
        "创新券服务",
        "创新券订单",
        "我的专利",
        "专利资助",
        "我的创新载体",
        "科技特派员",
        "政策兑现",
        "我的来信",
        "API 令牌",
        "账号安全",
    ],
    "provider": [
        "本单位信息",
        "单位成员",
        "联系方式申请",
        "我的洽谈",
        "创新券服务",
        "创新券订单",
        "我的专利",
        "专利资助",
        "我的创新载体",
        "政策兑现",
        "我的来信",
        "API 令牌",
        "账号安全",
    ],
    "expert": ["我的评审任务", "我的专家信息", "我的来信", "API 令牌", "账号安全"],
    "broker": ["我的洽谈", "我的来信", "API 令牌", "账号安全"],
}


@pytest.mark.parametrize("who", sorted(WORKBENCH_TILES))
def test_each_role_gets_its_workbench(client, world, who):
    client.force_login(world[who])
    response = client.get(reverse("accounts:workbench"))
    titles = re.findall(r'data-testid="tile">\s*<h3>([^<]+?)\s*(?:<span|</h3>)', response.content.decode())
    assert titles == WORKBENCH_TILES[who]


def test_role_label_on_the_workbench(client, world):
    client.force_login(world["kq_officer"])
    body = client.get(reverse("accounts:workbench")).content.decode()
    assert re.search(r'data-testid="workbench-role">属地科技干部 · 柯桥街道', body)
    client.force_login(world["kq_staff"])
    body = client.get(reverse("accounts:workbench")).content.decode()
    assert re.search(r'data-testid="workbench-role">科技局业务处室 · 高新技术处 · 柯桥区', body)


def test_bureau_staff_register_an_organization_through_the_page(client, world):
    from .factories import credit_code

    client.force_login(world["staff"])
    form = client.get(reverse("organizations:create")).context["form"]
    token = form["form_token"].initial
    data = {
        "kind": "enterprise",
        "name": "页面登记有限公司",
        "credit_code": credit_code(9100),
        "region": "330602L01",
        "industry": "C",
        "form_token": token,
    }
    first = client.post(reverse("organizations:create"), data)
    assert first.status_code == 302
    again = client.post(reverse("organizations:create"), data)
    assert "该表单已经提交过，请勿重复提交。" in again.content.decode()
    assert Organization.objects.filter(name="页面登记有限公司").count() == 1


def test_stale_edit_is_refused_on_the_page_and_nothing_changes(client, world):
    org = world["org_a"]
    client.force_login(world["ent_a"])
    base = {"name": org.name, "industry": "C", "version": 1}
    assert (
        client.post(
            reverse("organizations:edit", args=[org.pk]), {**base, "address": "第一次", "form_token": "e1"}
        ).status_code
        == 302
    )
    stale = client.post(
        reverse("organizations:edit", args=[org.pk]), {**base, "address": "第二次", "form_token": "e2"}
    )
    assert "该记录已被他人修改，请刷新后重新编辑。" in stale.content.decode()
    org.refresh_from_db()
    assert org.address == "第一次"


def test_the_enterprise_records_its_shareholders_and_its_page_shows_them(client, world):
    org = world["org_a"]
    client.force_login(world["ent_a"])
    data = {"name": org.name, "industry": "C", "version": 1, "form_token": "s1", "shareholders": "赵六\n钱七"}
    assert client.post(reverse("organizations:edit", args=[org.pk]), data).status_code == 302
    org.refresh_from_db()
    assert org.shareholders.splitlines() == ["赵六", "钱七"]
    assert "赵六<br>钱七" in client.get(reverse("organizations:detail", args=[org.pk])).content.decode()


def _edit_with_file(client, org, upload, token):
    return client.post(
        reverse("organizations:edit", args=[org.pk]),
        {
            "name": org.name,
            "industry": "C",
            "version": org.version,
            "form_token": token,
            "license_file": upload,
        },
    )


def test_oversized_upload_is_refused_with_a_clear_message(client, world, settings):
    settings.KECHUANG_MAX_UPLOAD_BYTES = 1024
    org = world["org_a"]
    client.force_login(world["ent_a"])
    big = SimpleUploadedFile("license.pdf", b"%PDF-1.4\n" + b"0" * 4096, content_type="application/pdf")
    response = _edit_with_file(client, org, big, "u1")
    assert "文件过大（4.0 KB），上限为 1.0 KB。" in response.content.decode().replace("\xa0", " ")
    org.refresh_from_db()
    assert (org.license_file.name, org.version) == ("", 1)


def test_upload_with_a_fake_extension_is_refused(client, world):
    org = world["org_a"]
    client.force_login(world["ent_a"])
    fake = SimpleUploadedFile("license.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = _edit_with_file(client, org, fake, "u2")
    assert "文件内容与扩展名不符，请上传真实的 PDF、PNG 或 JPG 文件。" in response.content.decode()
    exe = SimpleUploadedFile("tool.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    assert "只接受 PDF、PNG 或 JPG 文件。" in _edit_with_file(client, org, exe, "u3").content.decode()


def test_valid_upload_is_stored(client, world):
    org = world["org_a"]
    client.force_login(world["ent_a"])
    pdf = SimpleUploadedFile("license.pdf", b"%PDF-1.4\n%%EOF", content_type="application/pdf")
    assert _edit_with_file(client, org, pdf, "u4").status_code == 302
    org.refresh_from_db()
    assert org.license_file.name.startswith("licenses/") and org.license_file.name.endswith(".pdf")
    own = client.get(reverse("organizations:license", args=[org.pk]))
    assert (own.status_code, b"".join(own.streaming_content)) == (200, b"%PDF-1.4\n%%EOF")
    client.force_login(world["ent_b"])
    assert client.get(reverse("organizations:license", args=[org.pk])).status_code == 403


def test_verification_through_the_page(client, world):
    org = OrganizationFactory(status="pending", region=region("330603L02"), name="待核验页面公司")
    client.force_login(world["kq_staff"])
    detail = client.get(reverse("organizations:detail", args=[org.pk])).content.decode()
    assert "提交核验结论" in detail
    client.post(
        reverse("organizations:verify", args=[org.pk]), {"approve": "0", "reason": "", "form_token": "v1"}
    )
    org.refresh_from_db()
    assert org.status == "pending"
    client.post(
        reverse("organizations:verify", args=[org.pk]), {"approve": "1", "reason": "", "form_token": "v2"}
    )
    org.refresh_from_db()
    assert org.status == "verified"


# --- query counts: an N+1 on a key page fails here ----------------------------------------------


def _queries(client, url):
    client.get(url)  # warm per-process caches (content types, region tree)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_organization_list_query_count_does_not_grow_with_rows(client, world):
    client.force_login(world["staff"])
    few = _queries(client, reverse("organizations:list"))
    OrganizationFactory.create_batch(15, region=region("330604L01"))
    many = _queries(client, reverse("organizations:list"))
    assert few == many
    assert many <= 8


def test_audit_list_query_count_does_not_grow_with_rows(client, world):
    client.force_login(world["admin"])
    few = _queries(client, reverse("audit:list"))
    OrganizationFactory.create_batch(15, region=region("330604L01"))
    assert _queries(client, reverse("audit:list")) == few


def test_api_list_query_count_does_not_grow_with_rows(client, world):
    client.force_login(world["staff"])
    few = _queries(client, "/api/organizations")
    OrganizationFactory.create_batch(15, region=region("330604L01"))
    assert _queries(client, "/api/organizations") == few


def test_workbench_query_count(client, world):
    client.force_login(world["admin"])
    # Each tile with a count is one query: the market's moderation queue and contracts to register are two, the
    # vouchers' claims to settle, applications to review, providers to verify and open flags four, the carriers'
    # reports to accept, patent subsidy and payout claims to decide and overdue letters four more.
    assert _queries(client, reverse("accounts:workbench")) <= 20


def test_settings_are_the_embedded_default_unless_configured():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
