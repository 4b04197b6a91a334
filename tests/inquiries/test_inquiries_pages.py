"""Pages of the 科技信箱: public submit, receipt, progress lookup with the code, the bureau's queue and actions."""

import pytest
from django.urls import reverse

from kechuang.inquiries import services
from kechuang.inquiries.models import Inquiry

from .helpers import letter

pytestmark = pytest.mark.django_db

FORM = {
    "kind": "suggestion",
    "topic": "vouchers",
    "region": "330600",
    "subject": "建议扩大创新券服务范围",
    "body": "建议把软件测评纳入创新券支持范围。",
    "name": "李女士",
    "phone": "",
    "email": "li@example.com",
    "is_public": "on",
}


def test_anonymous_submit_shows_the_code_once_and_tracks_with_it(client):
    response = client.post(reverse("inquiries:submit"), FORM)
    assert response.status_code == 302 and response.url == reverse("inquiries:submitted")
    page = client.get(response.url).content.decode()
    inquiry = Inquiry.objects.get()
    assert inquiry.tracking_no in page and inquiry.department == "achievement"
    code = page.split('data-testid="receipt-code">')[1].split("<")[0]
    assert services.code_matches(inquiry, code)
    assert client.get(reverse("inquiries:submitted")).status_code == 302  # shown once

    other = client.__class__()
    letter_url = reverse("inquiries:letter", args=[inquiry.tracking_no])
    assert other.get(letter_url).status_code == 404
    bad = other.post(reverse("inquiries:track"), {"tracking_no": inquiry.tracking_no, "code": "WRONG123"})
    assert "查询编号或查询码不正确" in bad.content.decode()
    good = other.post(reverse("inquiries:track"), {"tracking_no": inquiry.tracking_no.lower(), "code": code})
    assert good.url == letter_url
    body = other.get(letter_url).content.decode()
    assert "建议把软件测评纳入创新券支持范围" in body and "李女士" in body


def test_submit_is_limited_per_session(client):
    for _ in range(5):
        assert client.post(reverse("inquiries:submit"), FORM).status_code == 302
    response = client.post(reverse("inquiries:submit"), FORM)
    assert response.status_code == 200 and "提交过于频繁" in response.content.decode()
    assert Inquiry.objects.count() == 5


def test_asker_follows_up_and_rates_from_the_page(client, world):
    inquiry, code = letter()
    services.inquiry_answer(inquiry=inquiry, text="已纳入明年计划。", by=world["staff"])
    client.post(reverse("inquiries:track"), {"tracking_no": inquiry.tracking_no, "code": code})
    url = reverse("inquiries:letter_action", args=[inquiry.tracking_no, "rate"])
    assert client.post(url, {"satisfaction": "5", "note": "很好"}).status_code == 302
    url = reverse("inquiries:letter_action", args=[inquiry.tracking_no, "follow_up"])
    assert client.post(url, {"text": "何时开始？"}).status_code == 302
    inquiry.refresh_from_db()
    assert (inquiry.satisfaction, inquiry.state) == (5, "assigned")


def test_public_list_shows_published_answered_letters_without_the_askers_name(client, world):
    published, _ = letter(is_public=True, subject="公开的来信")
    services.inquiry_answer(inquiry=published, text="答复", by=world["staff"])
    letter(is_public=True, subject="尚未答复的来信")
    letter(subject="不公开的来信")
    page = client.get(reverse("inquiries:public")).content.decode()
    assert "公开的来信" in page and "尚未答复的来信" not in page and "不公开的来信" not in page
    detail = client.get(reverse("inquiries:letter", args=[published.tracking_no])).content.decode()
    assert "王先生" not in detail and "13900000000" not in detail


def test_my_letters(client, world):
    letter(by=world["ent_a"], subject="甲的来信")
    letter(by=world["ent_b"], subject="乙的来信")
    client.force_login(world["ent_a"])
    page = client.get(reverse("inquiries:mine")).content.decode()
    assert "甲的来信" in page and "乙的来信" not in page


def test_bureau_queue_is_scoped_and_bounded(client, world, django_assert_max_num_queries):
    for i in range(6):
        letter(subject=f"市级来信{i}")
    letter(region="330603", subject="柯桥来信")
    client.force_login(world["kq_staff"])
    page = client.get(reverse("inquiries:queue")).content.decode()
    assert "柯桥来信" in page and "市级来信" not in page
    client.force_login(world["staff"])
    with django_assert_max_num_queries(8):
        page = client.get(reverse("inquiries:queue"), {"topic": "enterprises"}).content.decode()
    assert page.count('data-testid="queue-row"') == 7
    client.force_login(world["ent_a"])
    assert client.get(reverse("inquiries:queue")).status_code == 403


def test_bureau_assigns_and_answers_from_the_page(client, world):
    inquiry, _ = letter()
    client.force_login(world["kq_staff"])
    assert client.get(reverse("inquiries:handle", args=[inquiry.pk])).status_code == 404
    client.force_login(world["staff"])
    url = reverse("inquiries:handle_action", args=[inquiry.pk, "assign"])
    assert client.post(url, {"department": "planning", "version": inquiry.version}).status_code == 302
    inquiry.refresh_from_db()
    url = reverse("inquiries:handle_action", args=[inquiry.pk, "answer"])
    stale = client.post(url, {"text": "答复", "version": inquiry.version - 1})
    assert stale.status_code == 400
    assert (
        client.post(url, {"text": "请登录系统查看申报指南。", "version": inquiry.version}).status_code == 302
    )
    inquiry.refresh_from_db()
    assert (inquiry.state, inquiry.department) == ("answered", "planning")
    assert client.get(reverse("inquiries:figures")).status_code == 200
