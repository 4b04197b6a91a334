import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kechuang.projects.enums import ApplicationState as S
from kechuang.projects.models import Application

from ..factories import make_call

pytestmark = pytest.mark.django_db


def _table_post(prefix, rows):
    return {f"{prefix}-{i}-{k}": v for i, row in enumerate(rows) for k, v in row.items()}


def test_call_list_shows_why_an_organization_may_not_apply(client, world):
    make_call(eligibility={"organization_kinds": ["institution"], "max_applications_per_organization": 1})
    client.force_login(world["ent_a"])
    body = client.get(reverse("projects:call_list")).content.decode()
    assert "本指南只接受以下单位申报：高校院所。" in body
    assert "开始申报" not in body


def test_apply_fill_upload_submit_then_locality_and_bureau_decide(client, world):
    call = make_call(quotas={"330603": 2})
    client.force_login(world["ent_a"])
    response = client.post(reverse("projects:call_apply", args=[call.pk]))
    application = Application.objects.get(call=call)
    assert response["Location"] == reverse("projects:application_edit", args=[application.pk])
    form = client.get(response["Location"]).content.decode()
    assert 'value="柯桥甲纺织有限公司" readonly' in form

    post = {
        "version": application.version,
        "title": "页面填报的项目",
        "contact": "张三",
        "phone": "13800000000",
        "field": "新材料",
        "summary": "简介",
        "start": "2027-01-01",
        "end": "2027-12-31",
        "amount": "abc",
        **_table_post("budget", [{"item": "设备费", "amount": "100000"}]),
        **_table_post("team", [{"name": "张三", "title": "工程师", "role": "负责人"}]),
    }
    saved = client.post(
        reverse("projects:application_autosave", args=[application.pk]), post, HTTP_HX_REQUEST="true"
    )
    body = saved.content.decode()
    assert "已自动保存" in body
    assert "申请经费（元）应为数字。" in body
    version = int(re.search(r'name="version" id="id_version" value="(\d+)"', body).group(1))
    post.update(version=version, amount="100000")
    client.post(reverse("projects:application_autosave", args=[application.pk]), post, HTTP_HX_REQUEST="true")
    application.refresh_from_db()
    assert (application.title, application.data["amount"], application.data["budget"]) == (
        "页面填报的项目",
        "100000.00",
        [{"item": "设备费", "amount": "100000.00"}],
    )
    early = client.post(reverse("projects:application_submit", args=[application.pk]), follow=True)
    assert "请上传可行性研究报告。" in early.content.decode()
    client.post(
        reverse("projects:application_upload", args=[application.pk]),
        {"field_key": "plan", "upload": SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF")},
    )
    done = client.post(reverse("projects:application_submit", args=[application.pk]), follow=True)
    application.refresh_from_db()
    assert application.state == S.SUBMITTED
    assert f"申报书已提交，受理编号：{application.receipt_number}" in done.content.decode()

    client.force_login(world["kq_officer"])
    client.post(
        reverse("projects:application_recommend", args=[application.pk]),
        {"decision": "yes", "reason": "同意推荐", "form_token": "r1"},
    )
    application.refresh_from_db()
    assert application.state == S.RECOMMENDED

    client.force_login(world["staff"])
    detail = client.get(reverse("projects:application_detail", args=[application.pk])).content.decode()
    assert detail.count('data-testid="check-result"') == 4
    client.post(
        reverse("projects:application_check", args=[application.pk]),
        {"decision": "return", "reason": "", "form_token": "c1"},
        follow=True,
    )
    application.refresh_from_db()
    assert application.state == S.RECOMMENDED  # a return needs a reason: nothing changed
    client.post(
        reverse("projects:application_check", args=[application.pk]),
        {"decision": "pass", "reason": "", "form_token": "c2"},
    )
    application.refresh_from_db()
    assert application.state == S.CHECKED

    client.force_login(world["ent_a"])
    page = client.get(reverse("projects:application_detail", args=[application.pk])).content.decode()
    assert re.search(r'data-testid="holder">科技局业务处室', page)
    assert page.count("<li><small>") == 3  # submitted, recommended, checked


def test_other_enterprise_and_other_region_cannot_open_the_application(client, world):
    from kechuang.projects.services import application_start

    application = application_start(call=make_call(), by=world["ent_a"])
    for who in ("ent_b", "zj_officer"):
        client.force_login(world[who])
        assert client.get(reverse("projects:application_detail", args=[application.pk])).status_code == 403
        assert client.get(reverse("projects:application_edit", args=[application.pk])).status_code == 403
        response = client.post(
            reverse("projects:application_autosave", args=[application.pk]), {"title": "x"}
        )
        assert response.status_code == 403
    application.refresh_from_db()
    assert application.title == ""


def test_autosave_after_the_deadline_says_so(client, world):
    from datetime import timedelta

    from django.utils import timezone

    from kechuang.projects.services import application_start

    call = make_call()
    application = application_start(call=call, by=world["ent_a"])
    type(call).objects.filter(pk=call.pk).update(
        closes_at=timezone.now() - timedelta(seconds=1), opens_at=timezone.now() - timedelta(days=2)
    )
    client.force_login(world["ent_a"])
    response = client.post(
        reverse("projects:application_autosave", args=[application.pk]),
        {"title": "迟到", "version": application.version},
    )
    assert response.status_code == 400
    assert "申报已于 " in response.content.decode()
