"""Listings of the market (issue 5 item 1): the rules of demands and achievements, the workflow with its audit
trail, moderation by the bureau of the region, stale versions, expiry, renewal and reminders, contact requests,
and the need from a liaison visit that becomes a draft demand."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kechuang.accounts.enums import Role
from kechuang.core.errors import ConflictError, DomainError, PermissionDenied
from kechuang.core.models import AuditLog, Notification
from kechuang.core.panels import collect_panels
from kechuang.enterprises.enums import NeedKind, NeedStatus
from kechuang.enterprises.liaison import need_to_demand, visit_log
from kechuang.market.enums import ContactRequestStatus, ListingState
from kechuang.market.listing_jobs import daily, listing_expiry_reminders, listings_expire
from kechuang.market.listings import (
    contact_request_create,
    contact_request_decide,
    contacts_visible,
    demand_from_need,
    listing_actions,
    listing_create,
    listing_publish,
    listing_renew,
    listing_return,
    listing_submit,
    listing_update,
    listing_withdraw,
    listings_for_moderation,
    listings_published,
    listings_visible_to,
    normalize_keywords,
)
from kechuang.market.models import Listing

from ..factories import UserFactory, audit_for, region

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def demand_data(**extra) -> dict:
    return {
        "title": "高强纤维低能耗染色工艺",
        "description": "需要一种低能耗、少排放的高强纤维染色工艺，寻求高校院所合作开发。",
        "tech_field": "new_materials",
        "keywords": "染色，高强纤维、印染 染色",
        "cooperation": "joint_development",
        "budget_min": "100000",
        "budget_max": "500000",
        "expires_on": TODAY + timedelta(days=60),
        "contact_name": "王经理",
        "contact_phone": "13800000001",
        "contact_email": "wang@example.com",
        **extra,
    }


def achievement_data(**extra) -> dict:
    return {
        "title": "印染废水膜处理成套技术",
        "description": "一种印染废水的膜分离与回用技术，已在三家企业中试。",
        "tech_field": "resources_environment",
        "keywords": "印染废水 膜分离",
        "cooperation": "license",
        "maturity": 6,
        "ip_numbers": "ZL202310000000.1",
        "price": "800000",
        "negotiable": False,
        "expires_on": TODAY + timedelta(days=180),
        "contact_name": "李教授",
        "contact_phone": "0575-88000000",
        "contact_email": "",
        **extra,
    }


def make_demand(world, who="ent_a", **extra) -> Listing:
    organization = world[who].organization
    return listing_create(organization=organization, kind="demand", data=demand_data(**extra), by=world[who])


def published(world, who="ent_a", moderator="kq_staff", **extra) -> Listing:
    listing = make_demand(world, who, **extra)
    listing_submit(listing=listing, by=world[who])
    return listing_publish(listing=listing, by=world[moderator])


def trail(listing) -> list[tuple]:
    return [
        (log.actor_name, log.from_state, log.to_state, log.reason)
        for log in audit_for(listing, action=AuditLog.Action.TRANSITION).order_by("at", "pk")
    ]


def zj_staff():
    return UserFactory(role=Role.BUREAU_STAFF, region=region("330681"))


# --- rules -------------------------------------------------------------------------------------------------


def test_keywords_are_split_on_commas_dun_hao_and_spaces_deduplicated_and_at_most_ten():
    assert normalize_keywords("染色, 纤维、印染；Nano  nano,，染色") == "染色，纤维，印染，Nano"
    assert normalize_keywords(["膜分离", "废水 膜分离"]) == "膜分离，废水"
    assert normalize_keywords("") == ""
    with pytest.raises(DomainError) as exc:
        normalize_keywords(" ".join(f"词{n}" for n in range(11)))
    assert (exc.value.message, exc.value.field) == ("关键词最多10个，您填写了11个。", "keywords")


def test_a_demand_is_drafted_in_the_region_of_its_organization(world):
    listing = make_demand(world)
    assert (listing.state, listing.region_id, listing.organization, listing.created_by) == (
        ListingState.DRAFT,
        "330603L01",
        world["org_a"],
        world["ent_a"],
    )
    assert listing.keywords == "染色，高强纤维，印染"
    assert (listing.budget_min, listing.budget_max) == (Decimal("100000.00"), Decimal("500000.00"))
    # Fields of the other kind are cleared whatever was sent.
    other = make_demand(world, maturity=5, price="10", ip_numbers="ZL1")
    assert (other.maturity, other.price, other.ip_numbers) == (None, None, "")
    assert trail(listing) == [(world["ent_a"].username, "", "draft", "新建草稿")]


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"budget_min": "600000"}, "budget_max", "预算下限不能高于预算上限。"),
        ({"budget_min": "-1"}, "budget_min", "金额不能为负数。"),
        ({"cooperation": "barter"}, "cooperation", "请选择希望的合作方式。"),
        ({"expires_on": TODAY}, "expires_on", "有效期至须晚于今天。"),
        ({"expires_on": TODAY + timedelta(days=366)}, "expires_on", None),
        ({"title": "  "}, "title", "请填写名称。"),
        ({"tech_field": "cooking"}, "tech_field", "请选择技术领域。"),
        ({"contact_phone": "call me"}, "contact_phone", "请填写正确的联系电话。"),
        ({"contact_email": "not-an-email"}, "contact_email", "请填写正确的电子邮箱。"),
    ],
)
def test_demand_rules_refuse_with_the_field_and_a_chinese_message(world, extra, field, message):
    with pytest.raises(DomainError) as exc:
        make_demand(world, **extra)
    assert exc.value.field == field
    if message:
        assert exc.value.message == message
    assert Listing.objects.count() == 0


def test_a_demand_budget_may_be_open_on_either_side_and_any_cooperation_is_allowed(world):
    negotiable = make_demand(world, budget_min=None, budget_max="", cooperation="service")
    assert (negotiable.budget_min, negotiable.budget_max, negotiable.cooperation) == (None, None, "service")
    floor = make_demand(world, budget_min="50000", budget_max=None)
    assert (floor.budget_min, floor.budget_max) == (Decimal("50000.00"), None)


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"maturity": 0}, "maturity", "技术成熟度须为1至9级。"),
        ({"maturity": 10}, "maturity", "技术成熟度须为1至9级。"),
        ({"maturity": None}, "maturity", "技术成熟度须为1至9级。"),
        (
            {"cooperation": "service"},
            "cooperation",
            "转化方式须为技术转让、技术许可、合作开发或作价入股之一。",
        ),
        ({"price": None, "negotiable": False}, "price", "请填写挂牌价格，或选择价格面议。"),
        ({"price": "-5"}, "price", "金额不能为负数。"),
    ],
)
def test_achievement_rules(world, extra, field, message):
    with pytest.raises(DomainError) as exc:
        listing_create(
            organization=world["institution"].organization,
            kind="achievement",
            data=achievement_data(**extra),
            by=world["institution"],
        )
    assert (exc.value.field, exc.value.message) == (field, message)


def test_an_achievement_may_be_negotiable_without_a_price(world):
    listing = listing_create(
        organization=world["institution"].organization,
        kind="achievement",
        data=achievement_data(price="", negotiable=True, cooperation="equity", maturity="9"),
        by=world["institution"],
    )
    assert (listing.price, listing.negotiable, listing.maturity, listing.budget_min) == (None, True, 9, None)


def test_who_may_post(world):
    with pytest.raises(PermissionDenied) as exc:
        listing_create(
            organization=world["provider"].organization,
            kind="demand",
            data=demand_data(),
            by=world["provider"],
        )
    assert exc.value.message == "技术需求只能由企业或高校院所发布。"
    with pytest.raises(PermissionDenied) as exc:
        listing_create(organization=world["org_a"], kind="demand", data=demand_data(), by=world["ent_b"])
    assert exc.value.message == "您只能为本单位发布供需信息。"


# --- workflow --------------------------------------------------------------------------------------------


def test_draft_submit_publish_return_and_resubmit_are_recorded_with_who_from_to_and_why(world):
    listing = make_demand(world)
    listing = listing_submit(listing=listing, by=world["ent_a"])
    assert (listing.state, listing.submitted_at is not None) == (ListingState.PENDING, True)
    with pytest.raises(DomainError) as exc:
        listing_return(listing=listing, reason="  ", by=world["kq_staff"])
    assert exc.value.message == "请填写理由。"
    listing = listing_return(listing=listing, reason="预算范围请写明含税与否", by=world["kq_staff"])
    assert (listing.state, listing.return_reason) == (ListingState.RETURNED, "预算范围请写明含税与否")
    listing = listing_submit(listing=listing, by=world["ent_a"])
    listing = listing_publish(listing=listing, by=world["kq_staff"])
    assert (listing.state, listing.return_reason, listing.published_at is not None) == (
        ListingState.PUBLISHED,
        "",
        True,
    )
    ent, staff = world["ent_a"].username, world["kq_staff"].username
    assert trail(listing) == [
        (ent, "", "draft", "新建草稿"),
        (ent, "draft", "pending", ""),
        (staff, "pending", "returned", "预算范围请写明含税与否"),
        (ent, "returned", "pending", ""),
        (staff, "pending", "published", ""),
    ]
    subjects = list(
        Notification.objects.filter(recipient=world["ent_a"]).order_by("pk").values_list("subject", "body")
    )
    assert subjects == [
        ("技术需求被退回：高强纤维低能耗染色工艺", "退回理由：预算范围请写明含税与否"),
        ("技术需求已发布：高强纤维低能耗染色工艺", ""),
    ]
    assert list(listings_published()) == [listing]


def test_illegal_transitions_are_refused_in_chinese(world):
    listing = make_demand(world)
    with pytest.raises(DomainError) as exc:
        listing_publish(listing=listing, by=world["kq_staff"])
    assert exc.value.message == "当前状态为“草稿”，不能执行“审核发布”。"
    listing = published(world)
    with pytest.raises(DomainError) as exc:
        listing_submit(listing=listing, by=world["ent_a"])
    assert exc.value.message == "当前状态为“已发布”，不能执行“提交审核”。"
    listing = listing_withdraw(listing=listing, reason="已找到合作方", by=world["ent_a"])
    assert listing.state == ListingState.WITHDRAWN
    with pytest.raises(DomainError) as exc:
        listing_renew(listing=listing, expires_on=TODAY + timedelta(days=30), by=world["ent_a"])
    assert exc.value.message == "当前状态为“已撤回”，不能执行“续期”。"
    with pytest.raises(DomainError) as exc:
        listing_update(listing=listing, data={"title": "新名称"}, expected_version=None, by=world["ent_a"])
    assert exc.value.message == "已撤回的信息不能修改。"
    assert listing_actions(listing, world["ent_a"]) == []


def test_only_the_bureau_staff_of_the_region_moderate(world):
    a = make_demand(world)
    listing_submit(listing=a, by=world["ent_a"])
    b = make_demand(world, who="ent_b")
    listing_submit(listing=b, by=world["ent_b"])
    # 柯桥's county bureau cannot publish 诸暨's listing; a town officer and the enterprise cannot publish at all.
    for who in ("kq_staff", "kq_officer", "ent_b"):
        listing = b if who == "kq_staff" else a
        with pytest.raises(PermissionDenied) as exc:
            listing_publish(listing=listing, by=world[who])
        assert exc.value.message == "只有属地科技局业务人员可以审核供需信息。"
    assert list(listings_for_moderation(user=world["kq_staff"])) == [a]
    assert list(listings_for_moderation(user=world["staff"])) == [a, b]
    assert list(listings_for_moderation(user=world["kq_officer"])) == []
    assert list(listings_for_moderation(user=world["ent_a"])) == []
    assert listing_publish(listing=b, by=zj_staff()).state == ListingState.PUBLISHED
    assert listing_publish(listing=a, by=world["staff"]).state == ListingState.PUBLISHED


def test_another_organization_cannot_see_a_draft_nor_change_a_listing(world):
    draft = make_demand(world)
    live = published(world, title="已发布的需求")
    assert list(listings_visible_to(user=world["ent_b"])) == [live]
    assert set(listings_visible_to(user=world["ent_a"])) == {draft, live}
    assert set(listings_visible_to(user=world["kq_officer"])) == {draft, live}
    assert list(listings_visible_to(user=world["zj_officer"])) == [live]
    with pytest.raises(PermissionDenied) as exc:
        listing_update(listing=live, data={"title": "改"}, expected_version=live.version, by=world["ent_b"])
    assert exc.value.message == "您只能修改本单位的供需信息。"
    with pytest.raises(PermissionDenied):
        listing_withdraw(listing=live, by=world["ent_b"])
    with pytest.raises(PermissionDenied):
        listing_submit(listing=draft, by=world["zj_officer"])
    assert Listing.objects.get(pk=live.pk).title == "已发布的需求"


def test_a_stale_version_is_refused(world):
    listing = make_demand(world)
    read_at = listing.version
    listing_update(listing=listing, data={"title": "第一次修改"}, expected_version=read_at, by=world["ent_a"])
    with pytest.raises(ConflictError) as exc:
        listing_update(
            listing=listing, data={"title": "第二次修改"}, expected_version=read_at, by=world["ent_a"]
        )
    assert (exc.value.status, exc.value.message) == (409, "该记录已被他人修改，请刷新后重新编辑。")
    with pytest.raises(ConflictError):
        listing_submit(listing=listing, by=world["ent_a"], expected_version=read_at)
    assert Listing.objects.get(pk=listing.pk).title == "第一次修改"


def test_editing_a_published_listing_sends_it_back_to_moderation_unless_only_contacts_change(world):
    listing = published(world)
    changed_at = listing.content_changed_at
    listing = listing_update(
        listing=listing,
        data={"contact_phone": "13900000000", "expires_on": TODAY + timedelta(days=90)},
        expected_version=listing.version,
        by=world["ent_a"],
    )
    assert (listing.state, listing.contact_phone, listing.content_changed_at) == (
        ListingState.PUBLISHED,
        "13900000000",
        changed_at,
    )
    listing = listing_update(
        listing=listing, data={"budget_max": "800000"}, expected_version=listing.version, by=world["ent_a"]
    )
    assert (listing.state, listing.content_changed_at) == (ListingState.PENDING, changed_at)
    assert trail(listing)[-1] == (
        world["ent_a"].username,
        "published",
        "pending",
        "修改了预算上限（元），重新提交审核",
    )
    listing = listing_publish(listing=listing, by=world["kq_staff"])
    listing = listing_update(
        listing=listing, data={"keywords": "染色 节能"}, expected_version=listing.version, by=world["ent_a"]
    )
    assert listing.state == ListingState.PENDING
    assert listing.content_changed_at > changed_at
    # Nothing changed: no new version, no transition.
    version = listing.version
    same = listing_update(
        listing=listing, data={"title": listing.title}, expected_version=version, by=world["ent_a"]
    )
    assert same.version == version


def test_every_content_or_state_change_enqueues_listing_changed(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        listing = make_demand(world)
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks() as callbacks:
        listing_update(
            listing=listing, data={"title": listing.title}, expected_version=None, by=world["ent_a"]
        )
    assert callbacks == []
    with django_capture_on_commit_callbacks() as callbacks:
        listing_submit(listing=listing, by=world["ent_a"])
        listing_publish(listing=listing, by=world["kq_staff"])
    assert len(callbacks) == 2


# --- expiry and renewal ----------------------------------------------------------------------------------


def _age(listing, expires_on):
    Listing.objects.filter(pk=listing.pk).update(expires_on=expires_on)
    return Listing.objects.get(pk=listing.pk)


def test_nightly_expiry_takes_past_listings_off_the_market_once(world):
    old = _age(published(world, title="过期的需求"), TODAY - timedelta(days=1))
    last_day = _age(published(world, title="今天到期的需求"), TODAY)
    assert list(listings_published()) == [last_day]  # already hidden before the job runs
    assert listings_expire(today=TODAY) == 1
    assert listings_expire(today=TODAY.isoformat()) == 0
    old.refresh_from_db()
    last_day.refresh_from_db()
    assert (old.state, last_day.state) == (ListingState.EXPIRED, ListingState.PUBLISHED)
    assert trail(old)[-1] == ("", "published", "expired", "有效期已过")
    assert (
        Notification.objects.filter(recipient=world["ent_a"], subject="信息已过期：过期的需求").count() == 1
    )


def test_owners_are_reminded_seven_days_before_expiry_once_per_date(world):
    soon = _age(published(world, title="七天后到期"), TODAY + timedelta(days=7))
    _age(published(world, title="八天后到期"), TODAY + timedelta(days=8))
    assert listing_expiry_reminders(today=TODAY) == 1
    assert listing_expiry_reminders(today=TODAY) == 0
    message = Notification.objects.get(recipient=world["ent_a"], subject="信息即将到期：七天后到期")
    assert message.body == (
        f"该信息将于{(TODAY + timedelta(days=7)).isoformat()}到期（还有7天），到期后将从技术市场下架。如需继续展示，请续期。"
    )
    assert message.link == f"/market/listings/{soon.pk}/"
    # Renewed to a later date, it is reminded again before that date.
    soon = listing_renew(listing=soon, expires_on=TODAY + timedelta(days=30), by=world["ent_a"])
    assert listing_expiry_reminders(today=TODAY + timedelta(days=25)) == 1


def test_renewal_of_published_and_expired_listings(world):
    live = published(world, title="在展")
    live = listing_renew(listing=live, expires_on=TODAY + timedelta(days=200), by=world["ent_a"])
    assert (live.state, live.expires_on) == (ListingState.PUBLISHED, TODAY + timedelta(days=200))
    day = (TODAY + timedelta(days=200)).isoformat()
    assert trail(live)[-1] == (world["ent_a"].username, "published", "published", f"续期至{day}")
    with pytest.raises(DomainError) as exc:
        listing_renew(listing=live, expires_on=TODAY + timedelta(days=400), by=world["ent_a"])
    assert exc.value.field == "expires_on"
    with pytest.raises(PermissionDenied):
        listing_renew(listing=live, expires_on=TODAY + timedelta(days=20), by=world["ent_b"])

    # Expired and unchanged since it was published: straight back on the market.
    unchanged = _age(published(world, title="未改"), TODAY - timedelta(days=3))
    listings_expire(today=TODAY)
    unchanged = listing_renew(listing=unchanged, expires_on=TODAY + timedelta(days=60), by=world["ent_a"])
    assert unchanged.state == ListingState.PUBLISHED
    # Expired with text changed after publication: to moderation first.
    changed = _age(published(world, title="已改"), TODAY - timedelta(days=3))
    listings_expire(today=TODAY)
    Listing.objects.filter(pk=changed.pk).update(content_changed_at=timezone.now() + timedelta(seconds=1))
    changed = listing_renew(listing=changed, expires_on=TODAY + timedelta(days=60), by=world["ent_a"])
    assert changed.state == ListingState.PENDING
    assert trail(changed)[-1][1:3] == ("expired", "pending")


def test_editing_an_expired_listing_needs_a_new_date_and_content_goes_to_moderation(world):
    listing = _age(published(world), TODAY - timedelta(days=1))
    listings_expire(today=TODAY)
    listing.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        listing_update(
            listing=listing, data={"title": "新名称"}, expected_version=listing.version, by=world["ent_a"]
        )
    assert exc.value.message == "有效期已过，请填写新的有效期至。"
    renewed = listing_update(
        listing=listing,
        data={"expires_on": TODAY + timedelta(days=10)},
        expected_version=listing.version,
        by=world["ent_a"],
    )
    assert renewed.state == ListingState.PUBLISHED
    listings_expire(today=TODAY + timedelta(days=11))
    renewed.refresh_from_db()
    revised = listing_update(
        listing=renewed,
        data={"title": "新名称", "expires_on": TODAY + timedelta(days=30)},
        expected_version=renewed.version,
        by=world["ent_a"],
    )
    assert revised.state == ListingState.PENDING


def test_market_daily_expires_then_reminds(world):
    _age(published(world, title="过期"), TODAY - timedelta(days=1))
    _age(published(world, title="将到期"), TODAY + timedelta(days=2))
    assert daily(today=TODAY.isoformat()) == {"listings_expired": 1, "listing_expiry_reminders": 1}
    assert daily(today=TODAY.isoformat()) == {"listings_expired": 0, "listing_expiry_reminders": 0}


# --- contacts --------------------------------------------------------------------------------------------


def test_contacts_stay_hidden_until_the_owner_grants_them(world):
    listing = published(world)
    assert not contacts_visible(listing, world["ent_b"])
    assert contacts_visible(listing, world["ent_a"])
    assert contacts_visible(listing, world["kq_staff"])
    assert not contacts_visible(listing, world["zj_officer"])
    request = contact_request_create(listing=listing, message="我司有相关设备", by=world["ent_b"])
    assert (request.status, request.organization) == (ContactRequestStatus.PENDING, world["org_b"])
    assert Notification.objects.get(recipient=world["ent_a"], subject__startswith="诸暨乙").subject == (
        "诸暨乙机械有限公司申请查看联系方式：高强纤维低能耗染色工艺"
    )
    with pytest.raises(DomainError) as exc:
        contact_request_create(listing=listing, message="", by=world["ent_b"])
    assert exc.value.message == "您已申请过，请等待发布单位同意。"
    with pytest.raises(PermissionDenied) as exc:
        contact_request_decide(request=request, grant=True, by=world["ent_b"])
    assert exc.value.message == "只有发布单位可以同意或拒绝联系方式申请。"
    assert not contacts_visible(listing, world["ent_b"])
    request = contact_request_decide(request=request, grant=True, by=world["ent_a"])
    assert request.status == ContactRequestStatus.GRANTED
    assert contacts_visible(listing, world["ent_b"])
    assert (
        Notification.objects.get(recipient=world["ent_b"]).subject
        == "发布单位已同意您查看联系方式：高强纤维低能耗染色工艺"
    )
    assert audit_for(request, action=AuditLog.Action.TRANSITION).get().to_state == "granted"
    with pytest.raises(DomainError):
        contact_request_decide(request=request, grant=False, by=world["ent_a"])


def test_a_declined_request_keeps_contacts_hidden_and_drafts_take_no_requests(world):
    listing = published(world)
    request = contact_request_create(listing=listing, message="", by=world["broker"])
    assert request.organization is None
    contact_request_decide(request=request, grant=False, by=world["ent_a"])
    assert not contacts_visible(listing, world["broker"])
    with pytest.raises(DomainError) as exc:
        contact_request_create(listing=listing, message="", by=world["broker"])
    assert exc.value.message == "发布单位已拒绝您的申请。"
    with pytest.raises(PermissionDenied) as exc:
        contact_request_create(listing=make_demand(world), message="", by=world["ent_b"])
    assert exc.value.message == "只能向已发布的信息申请联系方式。"
    with pytest.raises(PermissionDenied) as exc:
        contact_request_create(listing=listing, message="", by=world["ent_a"])
    assert exc.value.message == "这是本单位发布的信息。"


# --- need → demand ---------------------------------------------------------------------------------------


def test_a_technical_need_becomes_a_draft_demand_of_the_enterprise(world):
    organization = world["org_a"]
    organization.legal_representative = "王五"
    organization.contact_phone = "0575-85000000"
    organization.save()
    visit = visit_log(
        organization=organization,
        visited_on=TODAY,
        visitors=[world["kq_officer"]],
        summary="走访",
        needs=[{"kind": NeedKind.TECHNICAL, "description": "需要高强纤维染色工艺的技术合作"}],
        by=world["kq_officer"],
    )
    need = visit.needs.get()
    need_to_demand(
        need=need, by=world["kq_officer"], create_demand=lambda d: demand_from_need(d, by=world["kq_officer"])
    )
    listing = Listing.objects.get(source_need=need)
    need.refresh_from_db()
    assert (need.status, need.demand_ref) == (NeedStatus.TO_MARKET, str(listing.pk))
    assert (
        listing.kind,
        listing.state,
        listing.organization,
        listing.region_id,
        listing.title,
        listing.description,
        listing.expires_on,
        listing.contact_name,
        listing.contact_phone,
        listing.contact_email,
        listing.created_by,
    ) == (
        "demand",
        "draft",
        organization,
        "330603L01",
        "柯桥甲纺织有限公司技术需求：需要高强纤维染色工艺的技术合作",
        "需要高强纤维染色工艺的技术合作",
        TODAY + timedelta(days=90),
        "王五",
        "0575-85000000",
        world["ent_a"].email,
        world["kq_officer"],
    )
    assert trail(listing) == [(world["kq_officer"].username, "", "draft", "由走访需求转入")]
    assert Notification.objects.get(recipient=world["ent_a"]).subject == (
        "科技局已根据走访需求为贵单位起草技术需求：柯桥甲纺织有限公司技术需求：需要高强纤维染色工艺的技术合作"
    )
    # The enterprise completes what the visit did not say (its field) before submitting.
    with pytest.raises(DomainError) as exc:
        listing_submit(listing=listing, by=world["ent_a"])
    assert exc.value.message == "请选择技术领域。"
    listing = listing_update(
        listing=listing,
        data={"tech_field": "new_materials"},
        expected_version=listing.version,
        by=world["ent_a"],
    )
    assert listing_submit(listing=listing, by=world["ent_a"]).state == ListingState.PENDING


def test_a_failed_demand_leaves_the_need_unchanged(world):
    visit = visit_log(
        organization=world["org_b"],
        visited_on=TODAY,
        visitors=[world["zj_officer"]],
        summary="走访",
        needs=[{"kind": NeedKind.TECHNICAL, "description": "数控系统国产化"}],
        by=world["zj_officer"],
    )
    need = visit.needs.get()
    # 柯桥's officer may not draft for 诸暨's enterprise: the need stays as it was.
    with pytest.raises(PermissionDenied):
        need_to_demand(
            need=need,
            by=world["zj_officer"],
            create_demand=lambda d: demand_from_need(d, by=world["kq_officer"]),
        )
    need.refresh_from_db()
    assert (need.status, need.demand_ref, Listing.objects.count()) == (NeedStatus.OPEN, "", 0)


# --- panels ----------------------------------------------------------------------------------------------


def panel(user, listing):
    return None if listing is None else {"title": listing.title}


def test_collect_panels_skips_areas_not_built_and_panels_with_nothing_to_show(world):
    specs = (
        ("missing", "kechuang.market.no_such_area_views", "market/listing_amount.html"),
        ("no_template", __name__, "market/_no_such_panel.html"),
        ("here", __name__, "market/listing_amount.html"),
    )
    listing = make_demand(world)
    shown, context = collect_panels(specs, user=world["ent_a"], listing=listing)
    assert ([p.name for p in shown], context) == (["here"], {"here": {"title": listing.title}})
    assert collect_panels(specs, user=world["ent_a"], listing=None) == ([], {})
