"""Listing pages: the market (public, filtered, paginated), a listing with its buttons, trail and contact block,
posting and editing, 我的供需信息, the moderation queue and the contact-request inbox; permissions and query
counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kechuang.enterprises.enums import NeedKind
from kechuang.enterprises.liaison import visit_log
from kechuang.market import search
from kechuang.market.enums import ListingState
from kechuang.market.listings import contact_request_create, listing_create, listing_publish, listing_submit
from kechuang.market.models import ContactRequest, Listing

from .test_listings import achievement_data, demand_data, make_demand, published

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PHONE = "13800000001"  # the contact phone of demand_data()


def detail(listing):
    return reverse("market:listing_detail", args=[listing.pk])


def achievement(world, **extra):
    listing = listing_create(
        organization=world["institution"].organization,
        kind="achievement",
        data=achievement_data(**extra),
        by=world["institution"],
    )
    listing_submit(listing=listing, by=world["institution"])
    return listing_publish(listing=listing, by=world["staff"])


def titles(response) -> list[str]:
    return [listing.title for listing in response.context["page"]]


# --- the market ------------------------------------------------------------------------------------------


def test_the_market_shows_published_listings_to_everyone_by_kind_and_filters(client, world):
    published(world, title="染色工艺需求", budget_min="100000", budget_max="300000")
    achievement(world, title="膜处理成果", price="800000")
    make_demand(world, title="草稿需求")
    url = reverse("market:home")
    response = client.get(url)
    assert response.status_code == 200
    assert titles(response) == ["膜处理成果", "染色工艺需求"]
    assert "草稿需求" not in response.content.decode()
    assert PHONE not in response.content.decode()
    assert titles(client.get(url, {"kind": "demand"})) == ["染色工艺需求"]
    assert titles(client.get(url, {"kind": "achievement"})) == ["膜处理成果"]
    assert titles(client.get(url, {"tech_field": "resources_environment"})) == ["膜处理成果"]
    assert titles(client.get(url, {"region": "330603"})) == ["染色工艺需求"]
    assert titles(client.get(url, {"region": "330602"})) == ["膜处理成果"]
    assert titles(client.get(url, {"cooperation": "license"})) == ["膜处理成果"]
    assert titles(client.get(url, {"maturity_min": 7})) == []
    assert titles(client.get(url, {"amount_min": 200000, "amount_max": 400000})) == ["染色工艺需求"]
    assert titles(client.get(url, {"amount_min": 500000})) == ["膜处理成果"]
    body = client.get(url).content.decode()
    assert 'action="/market/search/"' in body
    assert "预算 100000–300000 元" in body
    assert "挂牌价 800000 元" in body


def test_market_home_paginates_with_a_constant_number_of_queries(
    client, world, django_assert_max_num_queries
):
    for n in range(3):
        published(world, title=f"需求{n}")
    url = reverse("market:home")
    client.get(url)
    with django_assert_max_num_queries(3) as few:
        response = client.get(url)
    baseline = len(few.captured_queries)  # read now: the next request clears the query log
    assert len(response.context["page"]) == 3
    for n in range(25):
        published(world, who="ent_b", moderator="staff", title=f"更多需求{n}")
    search.reset()  # the listings arrive as a new process would find them (jobs run after commit only)
    client.get(url)
    with django_assert_max_num_queries(baseline + 1):
        response = client.get(url)
    assert len(response.context["page"]) == 20
    assert response.context["page"].paginator.count == 28
    client.force_login(world["ent_b"])
    client.get(url)
    with django_assert_max_num_queries(baseline + 3):
        client.get(url, {"page": 2, "kind": "demand"})


# --- a listing -------------------------------------------------------------------------------------------


def test_contacts_are_hidden_on_the_page_until_the_owner_agrees(client, world):
    listing = published(world)
    body = client.get(detail(listing)).content.decode()
    assert PHONE not in body and "王经理" not in body
    assert "登录</a>后申请查看联系方式" in body
    client.force_login(world["ent_b"])
    body = client.get(detail(listing)).content.decode()
    assert PHONE not in body and "申请查看联系方式" in body
    response = client.post(
        reverse("market:listing_contact_request", args=[listing.pk]), {"message": "想合作"}
    )
    assert response.status_code == 302
    body = client.get(detail(listing)).content.decode()
    assert PHONE not in body and "已申请查看联系方式，等待发布单位同意。" in body
    client.force_login(world["ent_a"])
    inbox = client.get(reverse("market:contact_requests"))
    assert [r.message for r in inbox.context["received"]] == ["想合作"]
    request = ContactRequest.objects.get()
    response = client.post(
        reverse("market:contact_request_decide", args=[request.pk]),
        {"grant": "1", "version": request.version},
    )
    assert response.status_code == 302
    client.force_login(world["ent_b"])
    body = client.get(detail(listing)).content.decode()
    assert PHONE in body and "王经理" in body
    # The bureau of the region sees them; an officer of another county does not.
    client.force_login(world["kq_staff"])
    assert PHONE in client.get(detail(listing)).content.decode()
    client.force_login(world["zj_officer"])
    assert PHONE not in client.get(detail(listing)).content.decode()


def test_only_the_owner_decides_a_contact_request(client, world):
    listing = published(world)
    request = contact_request_create(listing=listing, message="", by=world["ent_b"])
    client.force_login(world["institution"])
    response = client.post(reverse("market:contact_request_decide", args=[request.pk]), {"grant": "1"})
    assert response.status_code == 404
    assert ContactRequest.objects.get().status == "pending"


def test_the_owner_sees_buttons_and_the_trail_and_others_do_not(client, world):
    listing = make_demand(world)
    client.force_login(world["ent_a"])
    response = client.get(detail(listing))
    assert response.context["actions"] == ["submit", "withdraw"]
    assert [(from_label, to_label) for _log, from_label, to_label in response.context["trail"]] == [
        ("", "草稿")
    ]
    response = client.post(reverse("market:listing_submit", args=[listing.pk]), {"version": listing.version})
    assert response.status_code == 302
    assert Listing.objects.get(pk=listing.pk).state == ListingState.PENDING
    client.force_login(world["kq_staff"])
    response = client.get(detail(listing))
    assert response.context["actions"] == ["publish", "return", "withdraw"]
    response = client.post(reverse("market:listing_return", args=[listing.pk]), {"reason": "请补充预算说明"})
    assert Listing.objects.get(pk=listing.pk).state == ListingState.RETURNED
    client.force_login(world["ent_a"])
    body = client.get(detail(listing)).content.decode()
    assert "退回理由：请补充预算说明" in body
    assert "草稿 → 待审核" in body and "待审核 → 已退回：请补充预算说明" in body
    client.force_login(world["ent_b"])
    response = client.get(detail(listing))
    assert response.status_code == 403
    assert response.context["reason"] == "该信息尚未发布，您无权查看。"


def test_another_organization_cannot_edit_or_act_on_a_listing_through_pages(client, world):
    listing = published(world)
    client.force_login(world["ent_b"])
    assert client.get(detail(listing)).context["actions"] == []
    response = client.get(reverse("market:listing_edit", args=[listing.pk]))
    assert (response.status_code, response.context["reason"]) == (403, "您只能修改本单位的供需信息。")
    response = client.post(reverse("market:listing_edit", args=[listing.pk]), {**demand_data(title="改了")})
    assert response.status_code == 403
    response = client.post(
        reverse("market:listing_withdraw", args=[listing.pk]), {"version": listing.version}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["您只能修改本单位的供需信息。"]
    assert Listing.objects.get(pk=listing.pk).state == ListingState.PUBLISHED


def test_a_county_bureau_cannot_moderate_another_countys_listing(client, world):
    theirs = make_demand(world, who="ent_b")
    listing_submit(listing=theirs, by=world["ent_b"])
    client.force_login(world["kq_staff"])
    assert client.get(detail(theirs)).status_code == 403
    response = client.post(reverse("market:listing_publish", args=[theirs.pk]), {"version": theirs.version})
    assert response.status_code == 403
    assert Listing.objects.get(pk=theirs.pk).state == ListingState.PENDING


def test_need_page_links_to_its_draft_demand_and_only_the_bureau_sees_the_source(client, world):
    visit = visit_log(
        organization=world["org_a"],
        visited_on=TODAY,
        visitors=[world["kq_officer"]],
        summary="走访",
        needs=[{"kind": NeedKind.TECHNICAL, "description": "需要高强纤维染色工艺的技术合作"}],
        by=world["kq_officer"],
    )
    need = visit.needs.get()
    client.force_login(world["kq_officer"])
    response = client.post(
        reverse("enterprises:liaison_need_to_demand", args=[need.pk]), {"version": need.version}, follow=True
    )
    listing = Listing.objects.get(source_need=need)
    assert [str(m) for m in response.context["messages"]] == [
        "已转为技术需求草稿：柯桥甲纺织有限公司技术需求：需要高强纤维染色工艺的技术合作。企业完善后提交审核发布。"
    ]
    assert f'href="/market/listings/{listing.pk}/" data-testid="need-demand"' in response.content.decode()
    assert 'data-testid="source-need"' in client.get(detail(listing)).content.decode()
    client.force_login(world["ent_a"])
    response = client.get(detail(listing))
    assert response.context["actions"] == ["submit", "withdraw"]
    assert 'data-testid="source-need"' not in response.content.decode()
    assert [item.title for item in client.get(reverse("market:my_listings")).context["page"]] == [
        listing.title
    ]


# --- posting and editing ---------------------------------------------------------------------------------


def _form(data: dict) -> dict:
    return {
        k: ("" if v is None else v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()
    }


def test_posting_a_demand_through_the_page(client, world):
    client.force_login(world["ent_a"])
    url = reverse("market:listing_create")
    choose = client.get(url)
    assert [value for value, _label, allowed in choose.context["choices"] if allowed] == [
        "demand",
        "achievement",
    ]
    form = client.get(url, {"kind": "demand"})
    assert form.context["form"]["contact_email"].value() == world["ent_a"].email
    response = client.post(url + "?kind=demand", _form(demand_data(budget_min="900000")))
    assert response.status_code == 200
    assert response.context["form"].errors == {"budget_max": ["预算下限不能高于预算上限。"]}
    response = client.post(url + "?kind=demand", _form(demand_data()))
    listing = Listing.objects.get()
    assert response.url == detail(listing)
    assert (listing.state, listing.kind, listing.organization) == ("draft", "demand", world["org_a"])
    client.force_login(world["kq_staff"])
    assert client.get(url).status_code == 403


def test_editing_a_published_listing_says_it_goes_back_to_moderation(client, world):
    listing = published(world)
    client.force_login(world["ent_a"])
    url = reverse("market:listing_edit", args=[listing.pk])
    response = client.get(url)
    assert 'data-testid="review-notice"' in response.content.decode()
    response = client.post(url, _form({**demand_data(title="改后的名称"), "version": listing.version - 1}))
    assert response.context["form"].non_field_errors() == ["该记录已被他人修改，请刷新后重新编辑。"]
    response = client.post(
        url, _form({**demand_data(title="改后的名称"), "version": listing.version}), follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["已保存。内容有修改，已重新提交科技局审核。"]
    assert Listing.objects.get(pk=listing.pk).state == ListingState.PENDING


def test_renewing_through_the_page(client, world):
    listing = published(world)
    Listing.objects.filter(pk=listing.pk).update(state=ListingState.EXPIRED)
    client.force_login(world["ent_a"])
    assert client.get(detail(listing)).context["actions"] == ["renew", "withdraw"]
    day = TODAY + timedelta(days=100)
    response = client.post(
        reverse("market:listing_renew", args=[listing.pk]),
        {"expires_on": day.isoformat(), "version": listing.version},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [f"已续期至{day.isoformat()}。"]
    assert Listing.objects.get(pk=listing.pk).state == ListingState.PUBLISHED


# --- lists of one's own and the bureau's -----------------------------------------------------------------


def test_my_listings_counts_every_state_and_queries_stay_few(client, world, django_assert_max_num_queries):
    published(world, title="已发布")
    make_demand(world, title="草稿")
    make_demand(world, who="ent_b", title="别人的草稿")
    client.force_login(world["ent_a"])
    url = reverse("market:my_listings")
    client.get(url)
    with django_assert_max_num_queries(6) as few:
        response = client.get(url)
    baseline = len(few.captured_queries)  # read now: the next request clears the query log
    assert sorted(titles(response)) == ["已发布", "草稿"]
    counts = {value: n for value, _label, n, _href in response.context["tabs"]}
    assert counts == {
        "": 2,
        "draft": 1,
        "pending": 0,
        "returned": 0,
        "published": 1,
        "expired": 0,
        "withdrawn": 0,
    }
    assert titles(client.get(url, {"state": "draft"})) == ["草稿"]
    for n in range(25):
        make_demand(world, title=f"更多{n}")
    with django_assert_max_num_queries(baseline + 1):
        response = client.get(url)
    assert len(response.context["page"]) == 20
    client.force_login(world["kq_staff"])
    assert client.get(url).status_code == 403


def test_moderation_queue_is_the_regions_pending_listings(client, world, django_assert_max_num_queries):
    for n in range(3):
        listing_submit(listing=make_demand(world, title=f"柯桥{n}"), by=world["ent_a"])
    listing_submit(listing=make_demand(world, who="ent_b", title="诸暨"), by=world["ent_b"])
    url = reverse("market:moderation")
    client.force_login(world["kq_staff"])
    client.get(url)
    with django_assert_max_num_queries(5) as few:
        response = client.get(url)
    baseline = len(few.captured_queries)  # read now: the next request clears the query log
    assert titles(response) == ["柯桥0", "柯桥1", "柯桥2"]
    for n in range(25):
        listing_submit(listing=make_demand(world, title=f"更多{n}"), by=world["ent_a"])
    with django_assert_max_num_queries(baseline + 1):
        response = client.get(url)
    assert len(response.context["page"]) == 20
    first = response.context["page"][0]
    response = client.post(
        reverse("market:listing_publish", args=[first.pk]), {"version": first.version, "next": url}
    )
    assert (response.status_code, response.url) == (302, url)
    assert Listing.objects.get(pk=first.pk).state == ListingState.PUBLISHED
    client.force_login(world["staff"])
    assert "诸暨" in titles(client.get(url, {"region": "330681"}))
    for who in ("ent_a", "kq_officer", "leader"):
        client.force_login(world[who])
        assert client.get(url).status_code == 403
