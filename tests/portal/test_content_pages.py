"""The portal's public pages and the bureau's editing pages."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kechuang.portal import content_services as services
from kechuang.portal.enums import PublishState
from kechuang.portal.models import Policy
from kechuang.regions.models import Region

from .helpers import POLICY_VALUES, published_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(world):
    staff = world["staff"]
    city = Region.objects.get(pk="330600")
    public = published_policy(staff, conditions="须建有省级企业研究院")
    draft = services.policy_create(
        region=city, values=POLICY_VALUES | {"title": "人才新政（草稿）"}, by=staff
    )
    keqiao = published_policy(world["kq_staff"], region="330603", title="柯桥区纺织创新政策")
    zhuji = published_policy(staff, region="330681", title="诸暨市创新型城市政策")
    notice = services.notice_create(
        region=city,
        values={"kind": "notice", "title": "关于申报研究院的通知", "body": "请企业研究院申报。"},
        by=staff,
    )
    services.notice_publish(notice=notice, by=staff)
    guide = services.guide_create(
        region=city,
        values={
            "name": "高新技术企业认定",
            "who_can_apply": "居民企业",
            "materials": "研究院证明",
            "time_limit_days": 60,
        },
        by=staff,
    )
    services.guide_publish(guide=guide, by=staff)
    from kechuang.payouts import services as payouts

    terms = {
        "year": 2025,
        "trigger": "qualification",
        "parameters": {"qualification_kind": "hnte"},
        "basis_from": date(2025, 1, 1),
        "basis_until": date(2025, 12, 31),
        "amount": Decimal("200000"),
        "applies_from": date(2026, 1, 1),
        "applies_until": date(2026, 12, 31),
    }
    open_item = payouts.item_create(
        policy=public, region=city, values=terms | {"name": "2025年度高新技术企业认定奖励"}, by=staff
    )
    payouts.item_open(item=open_item, by=staff)
    payouts.item_create(policy=public, region=city, values=terms | {"name": "草稿事项"}, by=staff)
    return {
        "open_item": open_item,
        "public": public,
        "draft": draft,
        "keqiao": keqiao,
        "zhuji": zhuji,
        "notice": notice,
        "guide": guide,
    }


def titles(response):
    return [row.title for row in response.context["page"].object_list]


def test_anonymous_sees_published_only(client, content):
    response = client.get(reverse("portal:policies"))
    assert response.status_code == 200
    assert sorted(titles(response)) == sorted(
        ["绍兴市关于加快科技创新的若干政策", "柯桥区纺织创新政策", "诸暨市创新型城市政策"]
    )
    assert client.get(reverse("portal:policy", args=[content["draft"].pk])).status_code == 404
    page = client.get(reverse("portal:policy", args=[content["public"].pk]))
    assert page.status_code == 200 and "editor-tools" not in page.content.decode()
    assert [(item.name, item.url) for item in page.context["payout_items"]] == [
        ("2025年度高新技术企业认定奖励", reverse("payouts:item", args=[content["open_item"].pk]))
    ]
    assert client.get(reverse("portal:guide", args=[content["guide"].pk])).status_code == 200
    assert client.get(reverse("portal:notice", args=[content["notice"].pk])).status_code == 200


def test_bureau_sees_drafts_of_its_region_with_buttons(client, world, content):
    client.force_login(world["kq_staff"])
    assert (
        client.get(reverse("portal:policy", args=[content["draft"].pk])).status_code == 404
    )  # the city's draft
    client.force_login(world["staff"])
    page = client.get(reverse("portal:policy", args=[content["draft"].pk]))
    assert page.status_code == 200
    assert page.context["actions"] == ["publish"] and page.context["may_edit"] is True
    assert "人才新政（草稿）" in titles(client.get(reverse("portal:policies")))


def test_region_filter_shows_a_county_its_own_and_the_citys(client, content):
    response = client.get(reverse("portal:policies"), {"region": "330603"})
    assert sorted(titles(response)) == sorted(["绍兴市关于加快科技创新的若干政策", "柯桥区纺织创新政策"])


def test_keyword_search_covers_conditions_and_every_kind(client, content):
    response = client.get(reverse("portal:policies"), {"q": "省级企业研究院"})
    assert titles(response) == ["绍兴市关于加快科技创新的若干政策"]
    results = client.get(reverse("portal:search"), {"q": "研究院"}).context["results"]
    assert [p.title for p in results.policies] == ["绍兴市关于加快科技创新的若干政策"]
    assert [n.title for n in results.notices] == ["关于申报研究院的通知"]
    assert [g.name for g in results.guides] == ["高新技术企业认定"]
    assert client.get(reverse("portal:search"), {"q": "草稿"}).context["results"].total == 0


def test_query_counts_of_list_and_search(client, world, content, django_assert_max_num_queries):
    for n in range(6):
        published_policy(world["staff"], title=f"政策{n}")
    with django_assert_max_num_queries(4):
        client.get(reverse("portal:policies"), {"region": "330603", "category": "enterprise"})
    with django_assert_max_num_queries(4):
        client.get(reverse("portal:search"), {"q": "政策"})
    client.force_login(world["staff"])
    with django_assert_max_num_queries(10):
        client.get(reverse("portal:policies"))


def test_bureau_edits_and_publishes_through_pages(client, world, content):
    draft = content["draft"]
    client.force_login(world["ent_a"])
    assert client.get(reverse("portal:policy_edit", args=[draft.pk])).status_code == 403
    assert (
        client.post(reverse("portal:policy_publish", args=[draft.pk]), {"version": draft.version}).status_code
        == 403
    )
    client.force_login(world["staff"])
    for name in ("portal:policy_new", "portal:notice_new", "portal:guide_new"):
        assert client.get(reverse(name)).status_code == 200
    created = client.post(
        reverse("portal:notice_new"),
        {"region": "330600", "kind": "news", "title": "工作动态", "body": "正文", "form_token": "t0"},
    )
    assert created.status_code == 302 and created.url.startswith("/notices/")
    form = client.get(reverse("portal:policy_edit", args=[draft.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "related_calls"}
    data |= {"title": "人才新政", "form_token": "t1"}
    assert client.post(reverse("portal:policy_edit", args=[draft.pk]), data).status_code == 302
    stale = client.post(reverse("portal:policy_edit", args=[draft.pk]), data | {"form_token": "t2"})
    assert stale.status_code == 200 and stale.context["form"].non_field_errors()  # the version moved on
    draft.refresh_from_db()
    confirm = client.get(reverse("portal:policy_publish", args=[draft.pk]))
    assert confirm.status_code == 200 and confirm.context["possible"] is True
    done = client.post(
        reverse("portal:policy_publish", args=[draft.pk]), {"version": draft.version, "form_token": "t3"}
    )
    assert done.status_code == 302
    assert Policy.objects.get(pk=draft.pk).state == PublishState.PUBLISHED
    page = client.get(reverse("portal:policy", args=[draft.pk]))
    assert [line.to_label for line in page.context["history"]] == ["已发布"]


def test_bureau_links_a_policy_to_a_published_call_and_visitors_see_it(client, world, content):
    from ..factories import make_call

    call = make_call(title="2026年度重点研发计划申报指南")
    draft = content["draft"]
    client.force_login(world["staff"])
    form = client.get(reverse("portal:policy_edit", args=[draft.pk])).context["form"]
    assert call in form.fields["related_calls"].queryset
    data = {k: v for k, v in form.initial.items() if v is not None and k != "related_calls"}
    data |= {"related_calls": [call.pk], "form_token": "c1"}
    assert client.post(reverse("portal:policy_edit", args=[draft.pk]), data).status_code == 302
    assert list(Policy.objects.get(pk=draft.pk).related_calls.all()) == [call]
    page = client.get(reverse("portal:policy", args=[draft.pk]))
    assert "2026年度重点研发计划申报指南" in page.content.decode()


def test_home_and_guide_pages_render(client, content):
    home = client.get(reverse("portal:home"))
    assert [p.title for p in home.context["policies"]][:1] == ["诸暨市创新型城市政策"]
    guides = client.get(reverse("portal:guides"))
    assert [g["rows"][0].name for g in guides.context["groups"]] == ["高新技术企业认定"]
    notices = client.get(reverse("portal:notices"), {"kind": "news"})
    assert list(notices.context["page"].object_list) == []
