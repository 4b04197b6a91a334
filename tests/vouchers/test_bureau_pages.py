"""The bureau's voucher pages (issue 6 items 1, 3, 4, 6): programs and their terms, the books, quota reviews,
provider verification, settlement in batches and risk flags — who sees and who acts, what the forms refuse,
and how many queries the lists take."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from kechuang.accounts.enums import Role
from kechuang.vouchers import services
from kechuang.vouchers.amounts import parse_tiers, tiers_text
from kechuang.vouchers.bureau_views import workbench_tiles
from kechuang.vouchers.enums import (
    BatchState,
    BookingState,
    FlagKind,
    FlagState,
    ProgramState,
    ProviderState,
    QuotaState,
)
from kechuang.vouchers.ledger import reconcile
from kechuang.vouchers.models import Booking, Flag, ProviderProfile, SettlementBatch, VoucherProgram

from ..factories import OrganizationFactory, credit_code, region
from .helpers import make_program, make_provider, make_quota, today

pytestmark = pytest.mark.django_db


def _pdf():
    return SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def claimed(quota, offering, *, enterprise, provider, fee=None):
    """A booking taken through the whole path up to the provider's claim (申请兑付)."""
    booking = services.booking_create(quota=quota, offering=offering, service_date=today(), by=enterprise)
    booking = services.booking_accept(booking=booking, by=provider)
    booking = services.booking_complete(
        booking=booking, fee=fee, invoice_no="No.001", report_file=_pdf(), by=provider
    )
    booking = services.booking_confirm(booking=booking, by=enterprise)
    return services.booking_claim(booking=booking, by=provider)


@pytest.fixture
def scene(world):
    """A city program approving by hand, a verified provider, one approved quota with a claimed booking, one
    pending application, a settlement batch, and the flag raised by the two parties' shared address."""
    staff = world["staff"]
    program = make_program(staff, auto_approve=False)
    offering = make_provider(world["provider"], staff, price="8000")
    approved = services.quota_approve(quota=make_quota(program, world["ent_a"]), by=staff)
    booking = claimed(approved, offering, enterprise=world["ent_a"], provider=world["provider"])
    pending = make_quota(program, world["ent_b"], amount="15000")
    assert pending.state == QuotaState.APPLIED
    batch = services.batch_create(program=program, by=staff)
    flag = Flag.objects.get(kind=FlagKind.RELATED_PARTIES)  # OrganizationFactory gives both the same address
    program.refresh_from_db()
    return {
        "program": program,
        "offering": offering,
        "quota": approved,
        "pending": pending,
        "booking": booking,
        "batch": batch,
        "flag": flag,
        "profile": ProviderProfile.objects.get(organization=world["provider"].organization),
    }


def page_urls(scene):
    p = scene["program"].pk
    return [
        reverse("vouchers:bureau_programs"),
        reverse("vouchers:program_books", args=[p]),
        reverse("vouchers:program_edit", args=[p]),
        reverse("vouchers:program_action", args=[p, "close"]),
        reverse("vouchers:ledger", args=[p]),
        reverse("vouchers:settlement", args=[p]),
        reverse("vouchers:batch", args=[scene["batch"].pk]),
        reverse("vouchers:batch_export", args=[scene["batch"].pk]),
        reverse("vouchers:quota_reviews"),
        reverse("vouchers:quota_review", args=[scene["pending"].pk]),
        reverse("vouchers:providers_pending"),
        reverse("vouchers:provider_review", args=[scene["profile"].pk]),
        reverse("vouchers:flags"),
        reverse("vouchers:flag", args=[scene["flag"].pk]),
    ]


# ---------------------------------------------------------------------------------------------------------
# Who sees, who acts


def test_every_page_renders_for_city_staff(client, world, scene):
    client.force_login(world["staff"])
    for url in [*page_urls(scene), reverse("vouchers:program_new")]:
        assert client.get(url).status_code == 200, url
    body = client.get(reverse("vouchers:bureau_programs")).content.decode()
    assert scene["program"].name in body


def test_leaders_and_officers_look_but_do_not_act(client, world, scene):
    program, pending = scene["program"], scene["pending"]
    for name in ("leader", "kq_officer"):
        client.force_login(world[name])
        if name == "leader":
            assert client.get(reverse("vouchers:program_books", args=[program.pk])).status_code == 200
            assert client.get(reverse("vouchers:ledger", args=[program.pk])).status_code == 200
            response = client.get(reverse("vouchers:quota_review", args=[pending.pk]))
            assert response.status_code == 200
            assert 'data-testid="quota-decision-form"' not in response.content.decode()
        assert client.get(reverse("vouchers:program_new")).status_code == 403
    client.force_login(world["leader"])
    assert client.post(reverse("vouchers:program_action", args=[program.pk, "close"])).status_code == 403
    assert (
        client.post(reverse("vouchers:quota_review", args=[pending.pk]), {"action": "approve"}).status_code
        == 403
    )
    assert client.post(reverse("vouchers:settlement", args=[program.pk]), {}).status_code == 403
    assert (
        client.post(reverse("vouchers:batch", args=[scene["batch"].pk]), {"action": "approve"}).status_code
        == 403
    )
    flag_url = reverse("vouchers:flag", args=[scene["flag"].pk])
    assert client.post(flag_url, {"state": "cleared", "note": "无"}).status_code == 403
    program.refresh_from_db()
    pending.refresh_from_db()
    scene["batch"].refresh_from_db()
    scene["flag"].refresh_from_db()
    assert (program.state, pending.state, scene["batch"].state, scene["flag"].state) == (
        ProgramState.OPEN,
        QuotaState.APPLIED,
        BatchState.DRAFT,
        FlagState.OPEN,
    )


def test_a_county_bureau_can_neither_see_nor_act_on_the_city_program(client, world, scene):
    kq = world["kq_staff"]
    own = make_program(kq, region_code="330603", name="2026年柯桥区科技创新券")
    client.force_login(kq)
    listed = client.get(reverse("vouchers:bureau_programs")).context["page"]
    assert [p.name for p in listed] == ["2026年柯桥区科技创新券"]
    assert client.get(reverse("vouchers:program_books", args=[own.pk])).status_code == 200
    for url in page_urls(scene)[1:]:
        if url in (
            reverse("vouchers:quota_reviews"),
            reverse("vouchers:providers_pending"),
            reverse("vouchers:flags"),
        ):
            response = client.get(url)
            assert response.status_code == 200 and len(response.context["page"]) == 0, url
        else:
            assert client.get(url).status_code == 404, url
    program, pending = scene["program"], scene["pending"]
    assert client.post(reverse("vouchers:program_action", args=[program.pk, "close"])).status_code == 404
    response = client.post(reverse("vouchers:quota_review", args=[pending.pk]), {"action": "approve"})
    assert response.status_code == 404
    response = client.post(
        reverse("vouchers:batch", args=[scene["batch"].pk]),
        {"action": "pay", "paid_on": today(), "reference": "x"},
    )
    assert response.status_code == 404
    assert client.post(reverse("vouchers:settlement", args=[program.pk]), {}).status_code == 404
    program.refresh_from_db()
    pending.refresh_from_db()
    assert (program.state, pending.state) == (ProgramState.OPEN, QuotaState.APPLIED)


def test_an_enterprise_user_is_refused_everywhere(client, world, scene):
    client.force_login(world["ent_a"])
    for url in [*page_urls(scene), reverse("vouchers:program_new")]:
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("vouchers:quota_review", args=[scene["pending"].pk]), {"action": "approve"}
    )
    assert response.status_code == 403
    client.logout()
    assert client.get(reverse("vouchers:bureau_programs")).status_code == 302


# ---------------------------------------------------------------------------------------------------------
# Program terms


def form_data(**changes):
    data = {
        "name": "2026年越城区科技创新券",
        "year": "2026",
        "starts_on": today().isoformat(),
        "ends_on": (today() + timedelta(days=200)).isoformat(),
        "description": "面向科技型中小企业。",
        "budget": "500000",
        "eligible_kinds": ["enterprise"],
        "eligible_sizes": ["micro", "small"],
        "required_qualifications": ["tsme", "hnte"],
        "categories": ["testing", "design"],
        "quota_per_application": "20000",
        "annual_cap": "100000",
        "copay_mode": "whole_fee",
        "tier_pct_0": "100",
        "tier_start_1": "10000",
        "tier_pct_1": "50",
        "auto_approve": "on",
        "partner_regions": ["330400"],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_form_creates_a_program_with_every_term(client, world):
    client.force_login(world["staff"])
    response = client.post(reverse("vouchers:program_new"), form_data())
    program = VoucherProgram.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("vouchers:program_books", args=[program.pk])
    assert (program.region_id, program.state, program.budget) == (
        "330600",
        ProgramState.DRAFT,
        Decimal("500000"),
    )
    assert program.copay_tiers == [["0", "1"], ["10000", "0.5"]]
    assert (program.eligible_kinds, program.eligible_sizes, program.required_qualifications) == (
        ["enterprise"],
        ["micro", "small"],
        ["tsme", "hnte"],
    )
    assert program.categories == ["testing", "design"] and program.auto_approve is True
    assert list(program.partner_regions.values_list("pk", flat=True)) == ["330400"]
    # The edit form shows the tiers as percent rows again, and the rule in one sentence.
    response = client.get(reverse("vouchers:program_edit", args=[program.pk]))
    form = response.context["form"]
    assert (form["tier_pct_0"].value(), form["tier_start_1"].value(), form["tier_pct_1"].value()) == (
        Decimal("100"),
        Decimal("10000"),
        Decimal("50"),
    )
    assert response.context["preview"] == {"text": tiers_text(parse_tiers(program.copay_tiers), "whole_fee")}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_on": (today() - timedelta(days=1)).isoformat()}, "ends_on", "截止日期不能早于开始日期。"),
        ({"tier_start_2": "5000", "tier_pct_2": "30"}, "copay_tiers", "各档起点须从小到大排列（第3档）。"),
        ({"quota_per_application": "200000"}, "quota_per_application", "单次申领上限不能高于年度累计上限。"),
        ({"categories": None}, "categories", "请选择可使用的服务类别。"),
        ({"tier_pct_1": "120"}, "tier_pct_1", "请输入0到100之间的百分比。"),
        ({"tier_pct_1": ""}, "tier_pct_1", "请填写该档的创新券支付比例。"),
        ({"tier_start_1": ""}, "tier_start_1", "请填写该档的起点金额。"),
        ({"budget": "五十万"}, "budget", "请输入金额（元）。"),
        ({"budget": "-1"}, "budget", "金额不能为负数。"),
        ({"annual_cap": "100000.001"}, "annual_cap", "金额最多保留两位小数（到分）。"),
    ],
)
def test_the_form_refuses_bad_terms_in_chinese_and_creates_nothing(client, world, changes, field, message):
    client.force_login(world["staff"])
    response = client.post(reverse("vouchers:program_new"), form_data(**changes))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert VoucherProgram.objects.count() == 0


def test_the_preview_gives_the_rule_sentence_without_saving(client, world):
    client.force_login(world["staff"])
    data = form_data(copay_mode="marginal", preview="1")
    response = client.post(reverse("vouchers:program_new"), data, headers={"HX-Request": "true"})
    expected = tiers_text(parse_tiers([["0", "1"], ["10000", "0.5"]]), "marginal")
    assert response.content.decode().strip() == (
        f'<p data-testid="tiers-text"><strong>规则：</strong>{expected}</p>'
    )
    response = client.post(reverse("vouchers:program_new"), form_data(tier_start_1="0", preview="1"))
    assert response.context["preview"] == {"error": "各档起点须从小到大排列（第2档）。"}
    assert VoucherProgram.objects.count() == 0


def test_an_edit_on_a_stale_version_is_refused(client, world):
    program = make_program(world["staff"])
    client.force_login(world["staff"])
    stale = client.get(reverse("vouchers:program_edit", args=[program.pk])).context["form"]["version"].value()
    services.program_update(program=program, values={"name": "他人修改的名称"}, by=world["admin"])
    response = client.post(
        reverse("vouchers:program_edit", args=[program.pk]), form_data(name="我的名称", version=stale)
    )
    assert response.context["form"].non_field_errors() == ["该记录已被他人修改，请刷新后重新编辑。"]
    program.refresh_from_db()
    assert program.name == "他人修改的名称"


def test_the_budget_cannot_drop_below_what_was_issued(client, world):
    program = make_program(world["staff"])
    make_quota(program, world["ent_a"])  # 20,000 issued automatically
    client.force_login(world["staff"])
    url = reverse("vouchers:program_edit", args=[program.pk])
    response = client.post(url, form_data(budget="10000", version=program.version))
    assert response.context["form"].errors["budget"] == ["预算不能低于已发放且未收回的额度20000.00元。"]
    program.refresh_from_db()
    assert program.budget == Decimal("1000000")
    response = client.post(url, form_data(budget="20000", version=program.version))
    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.budget, program.remaining) == (Decimal("20000"), Decimal("0"))


def test_open_then_close_through_the_confirmation_page(client, world):
    program = make_program(world["staff"], open_=False)
    client.force_login(world["staff"])
    open_url = reverse("vouchers:program_action", args=[program.pk, "open"])
    assert "开始受理" in client.get(open_url).content.decode()
    response = client.post(open_url, {"version": program.version})
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.state == ProgramState.OPEN
    quota = make_quota(program, world["ent_a"])
    close_url = reverse("vouchers:program_action", args=[program.pk, "close"])
    body = client.get(close_url).content.decode()
    assert "1笔已发放额度中未使用的 20,000.00 元立即到期收回预算" in body
    client.post(close_url, {"version": program.version})
    program.refresh_from_db()
    quota.refresh_from_db()
    assert (program.state, program.expired, program.remaining) == (
        ProgramState.CLOSED,
        Decimal("20000"),
        Decimal("1000000"),
    )
    assert quota.state == QuotaState.EXPIRED
    # A closed program cannot be closed again: the page says so and offers no button.
    body = client.get(close_url).content.decode()
    assert "当前状态为“已结束”，不能执行此操作。" in body and 'data-testid="confirm-action"' not in body
    assert client.post(reverse("vouchers:program_action", args=[program.pk, "delete"])).status_code == 404


def test_the_books_show_the_figures_and_that_they_add_up(client, world, scene):
    client.force_login(world["staff"])
    response = client.get(reverse("vouchers:program_books", args=[scene["program"].pk]))
    books = response.context["books"]
    assert books.balanced and books.problems == []
    assert (books.pending_quotas, books.claims, books.open_flags) == (1, 0, 1)
    assert [(s, n, a) for s, _label, n, a in books.quota_states] == [
        ("applied", 1, Decimal("0")),
        ("approved", 1, Decimal("20000")),
    ]
    assert [(s, n, a) for s, _label, n, a in books.booking_states] == [("settled", 1, Decimal("8000"))]
    body = response.content.decode()
    assert '<p class="vb-ok" data-testid="reconcile-status">台账平衡</p>' in body
    assert '<dd data-testid="fig-settled">8,000.00</dd>' in body
    assert '<dd data-testid="fig-outstanding">12,000.00</dd>' in body


def test_the_ledger_lists_the_entries_with_totals_per_kind(client, world, scene):
    client.force_login(world["staff"])
    url = reverse("vouchers:ledger", args=[scene["program"].pk])
    response = client.get(url)
    totals = {kind: total for kind, _label, total in response.context["totals"]}
    assert (totals["issue"], totals["commit"], totals["redeem"], totals["settle"], totals["pay"]) == (
        Decimal("20000"),
        Decimal("8000"),
        Decimal("8000"),
        Decimal("8000"),
        Decimal("0"),
    )
    assert [e.kind for e in response.context["page"]] == ["settle", "redeem", "commit", "issue"]
    assert [e.amount for e in client.get(url, {"kind": "issue"}).context["page"]] == [Decimal("20000")]


# ---------------------------------------------------------------------------------------------------------
# Quota reviews


def test_an_officer_approves_for_less_than_asked(client, world, scene):
    pending = scene["pending"]
    client.force_login(world["staff"])
    assert [q.pk for q in client.get(reverse("vouchers:quota_reviews")).context["page"]] == [pending.pk]
    url = reverse("vouchers:quota_review", args=[pending.pk])
    response = client.post(url, {"action": "approve", "amount": "5000", "version": pending.version})
    pending.refresh_from_db()
    assert (pending.state, pending.granted) == (QuotaState.APPROVED, Decimal("5000"))
    try:
        expected = reverse("vouchers:quota", args=[pending.pk])
    except Exception:  # the path area's page not there yet
        expected = reverse("vouchers:quota_reviews")
    assert response["Location"] == expected
    back = reverse("vouchers:quota_reviews")
    quota = make_quota(scene["program"], world["ent_b"], amount="1000")
    response = client.post(
        reverse("vouchers:quota_review", args=[quota.pk]), {"action": "approve", "next": back}
    )
    assert response["Location"] == back


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"action": "reject", "reason": " "}, "reason", "请填写理由。"),
        ({"action": "approve", "amount": "0"}, "amount", "发放金额须大于0元。"),
        ({"action": "approve", "amount": "-5"}, "amount", "金额不能为负数。"),
        ({"action": "approve", "amount": "abc"}, "amount", "请输入金额（元）。"),
        ({"action": "launch"}, "action", "请选择审核结论。"),
    ],
)
def test_a_review_refuses_bad_input_and_changes_nothing(client, world, scene, data, field, message):
    pending = scene["pending"]
    client.force_login(world["staff"])
    response = client.post(reverse("vouchers:quota_review", args=[pending.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    pending.refresh_from_db()
    assert (pending.state, pending.granted) == (QuotaState.APPLIED, Decimal("0"))


def test_a_rejection_keeps_the_reason(client, world, scene):
    pending = scene["pending"]
    client.force_login(world["staff"])
    client.post(
        reverse("vouchers:quota_review", args=[pending.pk]), {"action": "reject", "reason": "用途不符"}
    )
    pending.refresh_from_db()
    assert (pending.state, pending.reason) == (QuotaState.REJECTED, "用途不符")
    assert client.get(reverse("vouchers:quota_reviews")).context["page"].paginator.count == 0


# ---------------------------------------------------------------------------------------------------------
# Providers


def test_a_provider_is_verified_with_its_registry_data_in_view(client, world):
    institution = world["institution"]
    organization = institution.organization
    organization.legal_representative, organization.address = "王五", "越城区测试路9号"
    organization.save()
    profile = services.provider_register(
        organization=organization, values={"categories": ["testing", "rd"]}, by=institution
    )
    client.force_login(world["staff"])
    listed = client.get(reverse("vouchers:providers_pending")).context["page"]
    assert [p.pk for p in listed] == [profile.pk]
    assert listed[0].category_labels == ["检验检测", "研发服务"]
    url = reverse("vouchers:provider_review", args=[profile.pk])
    body = client.get(url).content.decode()
    assert organization.credit_code in body and "王五" in body and "越城区测试路9号" in body
    response = client.post(url, {"action": "reject", "reason": ""})
    assert response.context["form"].errors["reason"] == ["请填写理由。"]
    profile.refresh_from_db()
    assert profile.state == ProviderState.PENDING
    response = client.post(url, {"action": "suspend", "reason": "资料不全"})  # not from "pending"
    assert response.context["form"].non_field_errors() == ["当前状态为“待核验”，不能执行“暂停”。"]
    response = client.post(url, {"action": "verify", "version": profile.version})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.state, profile.decided_by) == (ProviderState.VERIFIED, world["staff"])
    assert client.get(reverse("vouchers:providers_pending")).context["page"].paginator.count == 0
    listed = client.get(reverse("vouchers:providers_pending"), {"state": "verified"}).context["page"]
    assert [p.pk for p in listed] == [profile.pk]


def test_a_county_bureau_cannot_verify_a_provider_of_another_county(client, world):
    profile = services.provider_register(
        organization=world["institution"].organization,
        values={"categories": ["testing"]},
        by=world["institution"],
    )
    client.force_login(world["kq_staff"])  # 柯桥; the institution is in 越城
    assert (
        client.post(reverse("vouchers:provider_review", args=[profile.pk]), {"action": "verify"}).status_code
        == 404
    )
    profile.refresh_from_db()
    assert profile.state == ProviderState.PENDING


# ---------------------------------------------------------------------------------------------------------
# Flags


def test_flags_are_filtered_and_reviewed(client, world, scene):
    flag = scene["flag"]
    client.force_login(world["staff"])
    url = reverse("vouchers:flags")
    assert [f.pk for f in client.get(url).context["page"]] == [flag.pk]
    assert [f.pk for f in client.get(url, {"kind": FlagKind.UNDER_THRESHOLD}).context["page"]] == []
    assert [f.pk for f in client.get(url, {"state": "cleared"}).context["page"]] == []
    detail = reverse("vouchers:flag", args=[flag.pk])
    body = client.get(detail).content.decode()
    assert flag.detail in body and "关联情形" in body
    response = client.post(detail, {"state": "cleared", "note": ""})
    assert response.context["form"].errors["note"] == ["请填写核查意见。"]
    response = client.post(detail, {"state": "ignored", "note": "x"})
    assert response.context["form"].errors["state"] == ["请选择核查结论。"]
    flag.refresh_from_db()
    assert flag.state == FlagState.OPEN
    client.post(detail, {"state": "cleared", "note": "地址为同一园区，不同楼栋", "version": flag.version})
    flag.refresh_from_db()
    assert (flag.state, flag.review_note, flag.reviewed_by) == (
        FlagState.CLEARED,
        "地址为同一园区，不同楼栋",
        world["staff"],
    )
    assert [f.pk for f in client.get(url, {"state": "cleared"}).context["page"]] == [flag.pk]


# ---------------------------------------------------------------------------------------------------------
# Settlement


def test_settlement_through_the_pages_batch_approve_pay(client, world):
    staff = world["staff"]
    program = make_program(staff)
    offering = make_provider(world["provider"], staff, price="12000")
    quota = make_quota(program, world["ent_a"])
    booking = claimed(quota, offering, enterprise=world["ent_a"], provider=world["provider"])
    assert booking.voucher_amount == Decimal("6000.00")  # 50 % from 10,000 on
    client.force_login(staff)
    url = reverse("vouchers:settlement", args=[program.pk])
    response = client.get(url)
    assert [b.pk for b in response.context["claims"]] == [booking.pk]
    assert response.context["claims_total"] == Decimal("6000.00")

    response = client.post(url, {})
    assert response.context["form"].errors["bookings"] == ["请至少选择一笔兑付申请。"]
    response = client.post(url, {"bookings": [booking.pk + 1000]})
    assert response.context["form"].errors["bookings"] == [
        "所选的兑付申请已不在待结算状态，请刷新页面后重试。"
    ]
    assert SettlementBatch.objects.count() == 0

    response = client.post(url, {"bookings": [booking.pk]})
    batch = SettlementBatch.objects.get()
    assert response["Location"] == reverse("vouchers:batch", args=[batch.pk])
    assert (batch.state, batch.total) == (BatchState.DRAFT, Decimal("6000.00"))
    assert client.get(url).context["claims"] == []

    batch_url = reverse("vouchers:batch", args=[batch.pk])
    client.post(batch_url, {"action": "approve", "version": batch.version})
    batch.refresh_from_db()
    assert batch.state == BatchState.APPROVED

    response = client.post(batch_url, {"action": "pay", "paid_on": today().isoformat(), "reference": " "})
    assert response.context["pay_form"].errors["reference"] == ["请填写拨付凭证号。"]
    tomorrow = (today() + timedelta(days=1)).isoformat()
    response = client.post(batch_url, {"action": "pay", "paid_on": tomorrow, "reference": "财拨1"})
    assert response.context["pay_form"].errors["paid_on"] == ["拨付日期不能晚于今天。"]
    batch.refresh_from_db()
    assert batch.state == BatchState.APPROVED

    client.post(batch_url, {"action": "pay", "paid_on": today().isoformat(), "reference": "财拨2026-007"})
    batch.refresh_from_db()
    booking.refresh_from_db()
    program.refresh_from_db()
    assert (batch.state, batch.paid_on, batch.payment_reference) == (BatchState.PAID, today(), "财拨2026-007")
    assert booking.state == BookingState.PAID
    assert (program.redeemed, program.settled, program.paid) == (Decimal("6000"),) * 3
    assert reconcile(program) == []
    body = client.get(batch_url).content.decode()
    assert 'data-testid="batch-state">已拨付<' in body and "财拨2026-007" in body
    assert 'data-testid="batch-pay-form"' not in body

    sheet = load_workbook(
        BytesIO(client.get(reverse("vouchers:batch_export", args=[batch.pk])).content)
    ).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "服务机构", "统一社会信用代码")
    assert rows[1][1] == "绍兴测试检测中心" and rows[1][8] == 6000
    assert rows[-1][1] == "合计" and rows[-1][8] == 6000


# ---------------------------------------------------------------------------------------------------------
# Cross-region use (通用通兑)


@pytest.fixture
def partner_provider(make_user, world):
    """A verified provider in 嘉兴 (南湖区), a partner region of the city program."""
    jx_bureau = make_user(Role.BUREAU_STAFF, region_code="330400")
    organization = OrganizationFactory(
        kind="provider",
        name="嘉兴测试检测院",
        region=region("330402"),
        credit_code=credit_code(900, "330402"),
    )
    user = make_user(Role.PROVIDER, organization=organization, is_org_admin=True)
    offering = make_provider(user, jx_bureau, price="5000")
    return {"user": user, "offering": offering, "bureau": jx_bureau}


def test_cross_region_use_is_marked_and_counted_for_both_regions(client, world, partner_provider):
    staff = world["staff"]
    program = make_program(staff, partners=("330400",))
    local = make_provider(world["provider"], staff, price="8000")
    quota = make_quota(program, world["ent_a"])
    here = claimed(quota, local, enterprise=world["ent_a"], provider=world["provider"])
    there = claimed(
        quota, partner_provider["offering"], enterprise=world["ent_a"], provider=partner_provider["user"]
    )
    client.force_login(staff)
    claims = client.get(reverse("vouchers:settlement", args=[program.pk])).context["claims"]
    assert [(b.pk, b.cross_region) for b in claims] == [(here.pk, False), (there.pk, True)]
    use = client.get(reverse("vouchers:program_books", args=[program.pk])).context["books"].use
    assert [(u.name, u.local, u.bookings, u.redeemed) for u in use] == [
        ("绍兴市", True, 1, Decimal("8000")),
        ("嘉兴市", False, 1, Decimal("5000")),
    ]
    # 嘉兴's bureau sees the 绍兴 vouchers used with its providers, but not the 绍兴 program.
    client.force_login(partner_provider["bureau"])
    response = client.get(reverse("vouchers:bureau_programs"))
    assert list(response.context["page"]) == []
    assert [(r["issuing_region__name"], r["n"], r["redeemed"]) for r in response.context["foreign"]] == [
        ("绍兴市", 1, Decimal("5000"))
    ]


# ---------------------------------------------------------------------------------------------------------
# Workbench tiles and query counts


def test_the_workbench_tiles_count_what_waits(world, scene):
    tiles = {t.title: t.count for t in workbench_tiles(world["staff"])}
    assert tiles == {"创新券计划": None, "创新券额度审核": 1, "服务机构核验": None, "创新券风险提示": 1}
    assert workbench_tiles(world["ent_a"]) == []


def _more(world, scene, count):
    """`count` more enterprises, each with an approved quota, a claimed booking and a pending application."""
    staff, program, offering = world["staff"], scene["program"], scene["offering"]
    from ..conftest import _make_user

    for n in range(count):
        organization = OrganizationFactory(
            name=f"柯桥批量{n:02d}有限公司", credit_code=credit_code(700 + n), address=f"柯桥区批量路{n}号"
        )
        user = _make_user(Role.ENTERPRISE, organization=organization, is_org_admin=True)
        quota = services.quota_approve(quota=make_quota(program, user, amount="9000"), by=staff)
        claimed(quota, offering, enterprise=user, provider=world["provider"], fee="9000")
        make_quota(program, user, amount="1000")
        Flag.objects.create(
            kind=FlagKind.UNDER_THRESHOLD,
            program=program,
            provider=world["provider"].organization,
            enterprise=organization,
            key=f"test-{n}",
            detail="测试",
        )


def test_the_lists_take_the_same_queries_for_many_rows(client, world, scene, django_assert_max_num_queries):
    client.force_login(world["staff"])
    program = scene["program"]
    # Session and user, then: programs: the rows, four counts of what waits, vouchers of other regions used
    # here; lists: their rows (a first page that is not full needs no COUNT); ledger: the program, totals per
    # kind, rows, COUNT (a full page); settlement: the program, claims, batches; books: the program, three
    # reads to reconcile, quotas and bookings by state, open flags, partner regions (twice), use per region.
    urls = {
        "programs": (reverse("vouchers:bureau_programs"), 8),
        "quotas": (reverse("vouchers:quota_reviews"), 3),
        "providers": (reverse("vouchers:providers_pending") + "?state=", 3),
        "flags": (reverse("vouchers:flags"), 3),
        "ledger": (reverse("vouchers:ledger", args=[program.pk]), 6),
        "settlement": (reverse("vouchers:settlement", args=[program.pk]), 5),
        "books": (reverse("vouchers:program_books", args=[program.pk]), 12),
    }
    for url, _most in urls.values():
        client.get(url)  # the user's region codes are cached per process after this
    _more(world, scene, 12)
    for name, (url, most) in urls.items():
        with django_assert_max_num_queries(most):
            assert client.get(url).status_code == 200, name
    assert len(client.get(urls["quotas"][0]).context["page"]) == 13
    assert len(client.get(urls["settlement"][0]).context["claims"]) == 12
    assert Booking.objects.filter(state=BookingState.CLAIMED).count() == 12
