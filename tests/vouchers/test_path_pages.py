"""The voucher path pages (issue 6 item 3): programs and their terms, applying for a quota, my quotas, booking
an offering with a live split of the fee, the bookings lists, and each party's actions on a booking, with their
permissions (another organization can neither see nor act), version checks and history."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kechuang.accounts.enums import Role
from kechuang.vouchers import services
from kechuang.vouchers.enums import BookingState, QuotaState
from kechuang.vouchers.models import Booking, Quota
from kechuang.vouchers.path_views import program_terms

from ..factories import OrganizationFactory, region
from .helpers import make_program, make_provider, make_quota, today

pytestmark = pytest.mark.django_db


def _pdf(name="report.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def _html(response) -> str:
    return response.content.decode()


@pytest.fixture
def path(world):
    """An open auto-approving program of 绍兴市, the verified provider's 8,000-yuan offering, ent_a's quota."""
    program = make_program(world["staff"])
    offering = make_provider(world["provider"], world["staff"], price="8000")
    quota = make_quota(program, world["ent_a"])
    return {"program": program, "offering": offering, "quota": quota}


def _book(path, user, **extra):
    return services.booking_create(
        quota=path["quota"],
        offering=path["offering"],
        service_date=today() + timedelta(days=2),
        by=user,
        **extra,
    )


def _other_provider(make_user, staff, *, region_code="330602L01"):
    organization = OrganizationFactory(kind="provider", name="另一检测公司", region=region(region_code))
    user = make_user(Role.PROVIDER, organization=organization, is_org_admin=True)
    return user, make_provider(user, staff)


# ---------------------------------------------------------------------------------------------
# Programs


def test_the_programs_list_shows_open_programs_only(client, world):
    open_program = make_program(world["staff"])
    make_program(world["staff"], name="草稿计划", open_=False)
    client.force_login(world["ent_a"])
    response = client.get(reverse("vouchers:programs"))
    assert response.status_code == 200
    assert [p.pk for p in response.context["page"]] == [open_program.pk]
    assert "草稿计划" not in _html(response)


def test_a_draft_program_is_hidden_from_enterprises_but_not_from_its_bureau(client, world):
    draft = make_program(world["staff"], name="草稿计划", open_=False)
    client.force_login(world["ent_a"])
    assert client.get(reverse("vouchers:program", args=[draft.pk])).status_code == 404
    client.force_login(world["staff"])
    assert client.get(reverse("vouchers:program", args=[draft.pk])).status_code == 200


def test_the_program_page_states_the_terms_in_plain_chinese(client, world):
    program = make_program(world["staff"], partners=["330400"])
    client.force_login(world["ent_a"])
    response = client.get(reverse("vouchers:program", args=[program.pk]))
    terms = dict(response.context["terms"])
    assert terms["创新券支付比例"] == "10,000.00元以下全额支付；10,000.00元及以上支付50%"
    assert terms["单次申领上限"] == "20000.00元"
    assert terms["每家单位年度累计上限"] == "100000.00元"
    assert terms["剩余可发放"] == "1000000.00元"
    assert terms["申领对象"] == "企业"
    assert terms["可使用的服务类别"] == "检验检测、仪器设备共享、工业设计"
    assert terms["可使用的服务机构"] == (
        "绍兴市（含下辖地区）的服务机构；通用通兑：另可在嘉兴市的服务机构使用，跨地区使用由发放地区结算"
    )
    assert terms["审核方式"] == "符合条件自动发放"
    html = _html(response)
    assert "10,000.00元以下全额支付" in html
    assert 'data-testid="quota-apply-form"' in html
    assert response.context["cap_left"] == Decimal("100000")


def test_program_terms_with_eligibility_limits(world):
    program = make_program(
        world["staff"],
        eligible_sizes=["micro", "small"],
        required_qualifications=["hnte"],
        copay_mode="marginal",
    )
    terms = dict(program_terms(program))
    assert terms["申领对象"] == "企业；规模：微型、小型；须具备以下资质之一：高新技术企业"
    assert terms["创新券支付比例"].endswith("（分段累进计算）")


def test_the_program_page_shows_why_an_organization_is_not_eligible_before_it_tries(client, world):
    program = make_program(world["staff"], eligible_sizes=["micro"])
    client.force_login(world["ent_a"])
    response = client.get(reverse("vouchers:program", args=[program.pk]))
    assert response.context["problems"] == ["本计划面向微型企业，贵单位为未填写规模。"]
    html = _html(response)
    assert 'data-testid="eligibility-problems"' in html
    assert "本计划面向微型企业，贵单位为未填写规模。" in html
    assert response.context["form"] is None


def test_a_provider_gets_no_apply_form(client, world):
    program = make_program(world["staff"])
    client.force_login(world["provider"])
    response = client.get(reverse("vouchers:program", args=[program.pk]))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert 'data-testid="quota-apply-form"' not in _html(response)


# ---------------------------------------------------------------------------------------------
# Applying for a quota


def test_applying_on_the_program_page_grants_the_quota_at_once(client, world):
    program = make_program(world["staff"])
    client.force_login(world["ent_a"])
    response = client.post(
        reverse("vouchers:quota_apply", args=[program.pk]),
        {"requested": "15000", "purpose": "新产品检测", "version": program.version},
        follow=True,
    )
    quota = Quota.objects.get()
    assert response.redirect_chain == [(reverse("vouchers:quota", args=[quota.pk]), 302)]
    assert (quota.organization_id, quota.state, quota.granted) == (
        world["org_a"].pk,
        QuotaState.APPROVED,
        Decimal("15000"),
    )
    html = _html(response)
    assert "额度已发放：15000.00元。" in html
    assert [line.to_label for line in response.context["history"]] == ["已发放"]


def test_a_refused_application_keeps_the_input_and_shows_the_reason_next_to_the_form(client, world):
    program = make_program(world["staff"])
    client.force_login(world["ent_a"])
    response = client.post(
        reverse("vouchers:quota_apply", args=[program.pk]),
        {"requested": "25000", "purpose": "大型检测", "version": program.version},
    )
    assert response.status_code == 200
    assert Quota.objects.count() == 0
    form = response.context["form"]
    assert form.errors["requested"] == ["单次申领不能超过20000.00元。"]
    html = _html(response)
    assert 'value="25000"' in html and "大型检测" in html


def test_applying_against_changed_terms_is_refused_as_a_conflict(client, world):
    program = make_program(world["staff"])
    stale = program.version
    services.program_update(
        program=program, values={"quota_per_application": Decimal("10000")}, by=world["staff"]
    )
    client.force_login(world["ent_a"])
    response = client.post(
        reverse("vouchers:quota_apply", args=[program.pk]), {"requested": "10000", "version": stale}
    )
    assert Quota.objects.count() == 0
    assert response.context["form"].non_field_errors() == [
        "该信息在您填写期间已被修改，请核对页面上的最新内容后重新提交。"
    ]


def test_only_an_organization_user_may_apply(client, world):
    program = make_program(world["staff"])
    client.force_login(world["staff"])
    response = client.post(reverse("vouchers:quota_apply", args=[program.pk]), {"requested": "1000"})
    assert response.status_code == 403
    assert Quota.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# Quotas


def test_my_quotas_lists_only_my_organizations_quotas(client, world):
    program = make_program(world["staff"])
    mine = make_quota(program, world["ent_a"])
    theirs = make_quota(program, world["ent_b"])
    client.force_login(world["ent_a"])
    response = client.get(reverse("vouchers:quotas"))
    assert [q.pk for q in response.context["page"]] == [mine.pk]
    client.force_login(world["staff"])  # the bureau of the program's region sees both
    response = client.get(reverse("vouchers:quotas"))
    assert {q.pk for q in response.context["page"]} == {mine.pk, theirs.pk}


def test_the_quota_page_shows_its_figures_bookings_and_history(client, world, path):
    booking = _book(path, world["ent_a"])
    client.force_login(world["ent_a"])
    response = client.get(reverse("vouchers:quota", args=[path["quota"].pk]))
    assert response.status_code == 200
    assert [b.pk for b in response.context["bookings"]] == [booking.pk]
    html = _html(response)
    assert '<dd data-testid="quota-granted">20000.00</dd>' in html
    assert '<dd data-testid="quota-committed">8000.00</dd>' in html
    assert '<dd data-testid="quota-available"><strong>12000.00</strong></dd>' in html
    assert response.context["decision_form"] is None
    (line,) = response.context["history"]
    assert (line.from_label, line.to_label) == ("待审核", "已发放")
    assert line.reason.startswith("系统按规则自动审核")


def test_another_organization_cannot_see_a_quota(client, world, path):
    url = reverse("vouchers:quota", args=[path["quota"].pk])
    client.force_login(world["ent_b"])
    assert client.get(url).status_code == 404
    client.force_login(world["provider"])
    assert client.get(url).status_code == 404
    client.force_login(world["kq_staff"])  # 柯桥区's bureau: the program is 绍兴市's
    assert client.get(url).status_code == 404


def test_the_bureau_of_the_programs_region_gets_the_decision_form_for_a_pending_application(client, world):
    program = make_program(world["staff"], auto_approve=False)
    quota = make_quota(program, world["ent_a"], amount="12000")
    assert quota.state == QuotaState.APPLIED
    url = reverse("vouchers:quota", args=[quota.pk])
    client.force_login(world["staff"])
    form = client.get(url).context["decision_form"]
    assert form is not None
    assert (form.initial["amount"], form.initial["version"]) == (Decimal("12000"), quota.version)
    client.force_login(world["leader"])  # sees the quota, does not decide
    response = client.get(url)
    assert response.status_code == 200 and response.context["decision_form"] is None
    client.force_login(world["ent_a"])
    assert client.get(url).context["decision_form"] is None


def test_the_decision_form_posts_to_the_bureaus_review_with_the_fields_it_reads(client, world):
    program = make_program(world["staff"], auto_approve=False)
    quota = make_quota(program, world["ent_a"], amount="12000")
    client.force_login(world["staff"])
    response = client.get(reverse("vouchers:quota", args=[quota.pk]))
    review_url = reverse("vouchers:quota_review", args=[quota.pk])
    assert response.context["review_url"] == review_url
    html = _html(response)
    assert f'action="{review_url}"' in html and 'name="action" value="approve"' in html
    response = client.post(review_url, {"action": "approve", "amount": "10000", "version": quota.version})
    quota.refresh_from_db()
    assert (quota.state, quota.granted) == (QuotaState.APPROVED, Decimal("10000"))
    assert response.url == reverse("vouchers:quota", args=[quota.pk])


# ---------------------------------------------------------------------------------------------
# Booking an offering


def test_the_booking_page_shows_the_offering_and_defaults_the_fee_to_its_price(client, world, path):
    client.force_login(world["ent_a"])
    response = client.get(reverse("vouchers:booking_new", args=[path["offering"].pk]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.fields["fee"].initial == Decimal("8000")
    assert list(form.fields["quota"].queryset) == [path["quota"]]
    preview = response.context["preview"]
    assert (preview.voucher, preview.enterprise) == (Decimal("8000.00"), Decimal("0.00"))
    assert 'data-testid="offering-price"' in _html(response)


def test_preview_shows_the_split_and_books_nothing(client, world, path):
    client.force_login(world["ent_a"])
    url = reverse("vouchers:booking_new", args=[path["offering"].pk])
    data = {"quota": path["quota"].pk, "fee": "12000", "service_date": "", "preview": "1"}
    response = client.post(url, data)
    preview = response.context["preview"]
    assert (preview.voucher, preview.enterprise) == (Decimal("6000.00"), Decimal("6000.00"))
    assert preview.explanation in _html(response)
    assert Booking.objects.count() == 0
    # with htmx only the preview is returned
    response = client.post(url, {"quota": path["quota"].pk, "fee": "9000"}, HTTP_HX_REQUEST="true")
    html = _html(response)
    assert html.startswith('<div id="split-preview"')
    assert "服务费用9,000.00元，按100%计，创新券支付9,000.00元，企业自付0.00元。" in html
    assert Booking.objects.count() == 0


def test_booking_commits_the_vouchers_share_and_opens_the_booking_page(client, world, path):
    client.force_login(world["ent_a"])
    response = client.post(
        reverse("vouchers:booking_new", args=[path["offering"].pk]),
        {
            "quota": path["quota"].pk,
            "fee": "8000",
            "service_date": (today() + timedelta(days=3)).isoformat(),
            "note": "两个样品",
            "version": path["offering"].version,
        },
    )
    booking = Booking.objects.get()
    assert response.status_code == 302 and response.url == reverse("vouchers:booking", args=[booking.pk])
    assert (booking.state, booking.voucher_amount, booking.note) == (
        BookingState.REQUESTED,
        Decimal("8000"),
        "两个样品",
    )
    path["quota"].refresh_from_db()
    assert path["quota"].committed == Decimal("8000")


def test_a_refused_booking_keeps_the_input(client, world, path):
    client.force_login(world["ent_a"])
    response = client.post(
        reverse("vouchers:booking_new", args=[path["offering"].pk]),
        {
            "quota": path["quota"].pk,
            "fee": "8000",
            "service_date": (today() - timedelta(days=1)).isoformat(),
            "note": "昨天的样品",
        },
    )
    assert response.status_code == 200
    assert Booking.objects.count() == 0
    assert response.context["form"].errors["service_date"] == ["服务日期不能早于今天。"]
    assert "昨天的样品" in _html(response)


def test_without_a_usable_quota_the_page_says_so(client, world, path):
    client.force_login(world["ent_b"])
    response = client.get(reverse("vouchers:booking_new", args=[path["offering"].pk]))
    assert response.status_code == 200
    assert response.context["usable"] == []
    assert 'data-testid="no-quota"' in _html(response)


def test_a_quota_of_another_organization_cannot_be_chosen(client, world, path):
    make_quota(path["program"], world["ent_b"])
    client.force_login(world["ent_b"])
    response = client.post(
        reverse("vouchers:booking_new", args=[path["offering"].pk]),
        {"quota": path["quota"].pk, "fee": "8000", "service_date": today().isoformat()},
    )
    assert response.status_code == 200
    assert "quota" in response.context["form"].errors
    assert Booking.objects.count() == 0


def test_a_provider_cannot_book(client, world, path):
    client.force_login(world["provider"])
    assert client.get(reverse("vouchers:booking_new", args=[path["offering"].pk])).status_code == 403


# ---------------------------------------------------------------------------------------------
# Bookings lists


def test_each_side_sees_its_own_bookings(client, world, make_user, path):
    booking = _book(path, world["ent_a"])
    other_user, other_offering = _other_provider(make_user, world["staff"])
    other_booking = services.booking_create(
        quota=path["quota"], offering=other_offering, service_date=today(), by=world["ent_a"]
    )
    url = reverse("vouchers:bookings")
    client.force_login(world["ent_a"])
    assert {b.pk for b in client.get(url).context["page"]} == {booking.pk, other_booking.pk}
    client.force_login(world["provider"])
    assert [b.pk for b in client.get(url).context["page"]] == [booking.pk]
    client.force_login(other_user)
    assert [b.pk for b in client.get(url).context["page"]] == [other_booking.pk]
    client.force_login(world["ent_b"])
    assert list(client.get(url).context["page"]) == []


def test_the_bookings_list_filters_by_state_and_side(client, world, path):
    first = _book(path, world["ent_a"])
    second = _book(path, world["ent_a"], fee="1000")
    services.booking_accept(booking=first, by=world["provider"])
    client.force_login(world["ent_a"])
    url = reverse("vouchers:bookings")
    assert [b.pk for b in client.get(url, {"state": "accepted"}).context["page"]] == [first.pk]
    assert [b.pk for b in client.get(url, {"state": "requested"}).context["page"]] == [second.pk]
    assert {b.pk for b in client.get(url, {"side": "made"}).context["page"]} == {first.pk, second.pk}
    assert list(client.get(url, {"side": "received"}).context["page"]) == []


def test_the_bookings_list_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries):
    program = make_program(world["staff"])
    offering = make_provider(world["provider"], world["staff"], price="100")
    quota = make_quota(program, world["ent_a"])
    for _n in range(3):
        services.booking_create(quota=quota, offering=offering, service_date=today(), by=world["ent_a"])
    client.force_login(world["ent_a"])
    url = reverse("vouchers:bookings")
    with django_assert_max_num_queries(5) as few:
        assert len(client.get(url).context["page"]) == 3
    for _n in range(22):
        services.booking_create(quota=quota, offering=offering, service_date=today(), by=world["ent_a"])
    with django_assert_max_num_queries(len(few.captured_queries) + 1):  # + the COUNT of a full first page
        response = client.get(url)
    assert len(response.context["page"]) == 20 and response.context["page"].paginator.count == 25
    with django_assert_max_num_queries(len(few.captured_queries) + 1):
        assert len(client.get(url, {"page": 2}).context["page"]) == 5


# ---------------------------------------------------------------------------------------------
# The booking page and its actions


def test_the_booking_page_offers_each_party_its_own_actions(client, world, path):
    booking = _book(path, world["ent_a"])
    url = reverse("vouchers:booking", args=[booking.pk])
    client.force_login(world["provider"])
    response = client.get(url)
    assert [a for a, _label, _form in response.context["forms"]] == ["accept", "decline"]
    client.force_login(world["ent_a"])
    response = client.get(url)
    assert [a for a, _label, _form in response.context["forms"]] == ["cancel"]
    html = _html(response)
    assert "绍兴测试检测中心" in html and "柯桥甲纺织有限公司" in html
    assert '<dd data-testid="booking-voucher"><strong>8000.00</strong></dd>' in html
    client.force_login(world["staff"])  # the bureau sees it, has nothing to do on it
    response = client.get(url)
    assert response.status_code == 200 and response.context["forms"] == []


def test_the_booking_page_query_count_is_bounded(client, world, path, django_assert_max_num_queries):
    booking = services.booking_accept(booking=_book(path, world["ent_a"]), by=world["provider"])
    client.force_login(world["provider"])
    with django_assert_max_num_queries(6):
        response = client.get(reverse("vouchers:booking", args=[booking.pk]))
    assert [a for a, _label, _form in response.context["forms"]] == ["complete"]


def test_another_organization_can_neither_see_nor_act_on_a_booking(client, world, make_user, path):
    booking = _book(path, world["ent_a"])
    other_provider, _offering = _other_provider(make_user, world["staff"])
    for user in (world["ent_b"], other_provider, world["kq_staff"]):
        client.force_login(user)
        assert client.get(reverse("vouchers:booking", args=[booking.pk])).status_code == 404
        for action in ("cancel", "accept"):
            response = client.post(
                reverse("vouchers:booking_action", args=[booking.pk, action]),
                {"version": booking.version, "reason": "试图操作"},
            )
            assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.state == BookingState.REQUESTED


def test_an_unknown_action_is_not_found(client, world, path):
    booking = _book(path, world["ent_a"])
    client.force_login(world["staff"])
    response = client.post(reverse("vouchers:booking_action", args=[booking.pk, "settle"]), {})
    assert response.status_code == 404


def test_the_whole_path_through_the_pages(client, world, path):
    booking = _book(path, world["ent_a"])
    act = lambda action, data, **kw: client.post(  # noqa: E731
        reverse("vouchers:booking_action", args=[booking.pk, action]), data, **kw
    )
    booking_url = reverse("vouchers:booking", args=[booking.pk])

    client.force_login(world["provider"])
    assert act("accept", {"version": booking.version}).url == booking_url
    booking.refresh_from_db()
    assert booking.state == BookingState.ACCEPTED
    response = act(
        "complete",
        {
            "version": booking.version,
            "invoice_no": "No.0001",
            "fee": "12000",
            "invoice_file": _pdf("invoice.pdf"),
            "report_file": _pdf("report.pdf"),
        },
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.state, booking.voucher_amount, booking.enterprise_amount) == (
        BookingState.COMPLETED,
        Decimal("6000.00"),
        Decimal("6000.00"),
    )

    client.force_login(world["ent_a"])
    response = client.get(booking_url)
    assert [a for a, _label, _form in response.context["forms"]] == ["confirm", "dispute"]
    assert 'data-testid="invoice-download"' in _html(response)
    download = client.get(reverse("vouchers:booking_file", args=[booking.pk, "report"]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4\n%%EOF\n"
    assert download["Cache-Control"] == "private, no-store"
    act("confirm", {"version": booking.version})
    booking.refresh_from_db()
    assert booking.state == BookingState.CONFIRMED

    client.force_login(world["provider"])
    act("claim", {"version": booking.version})
    booking.refresh_from_db()
    assert booking.state == BookingState.CLAIMED
    response = client.get(booking_url)
    assert [(line.from_label, line.to_label) for line in response.context["history"]] == [
        ("", "待服务机构确认"),
        ("待服务机构确认", "服务中"),
        ("服务中", "待企业确认"),
        ("待企业确认", "已确认，待申请兑付"),
        ("已确认，待申请兑付", "已申请兑付"),
    ]
    assert (
        response.context["history"][0].reason
        == "服务费用8,000.00元，按100%计，创新券支付8,000.00元，企业自付0.00元。"
    )
    assert response.context["history"][1].actor == str(world["provider"])


def test_the_files_go_only_to_those_who_may_view_the_booking(client, world, make_user, path):
    booking = _book(path, world["ent_a"])
    services.booking_accept(booking=booking, by=world["provider"])
    services.booking_complete(
        booking=booking,
        invoice_no="No.1",
        invoice_file=_pdf("i.pdf"),
        report_file=_pdf(),
        by=world["provider"],
    )
    url = reverse("vouchers:booking_file", args=[booking.pk, "invoice"])
    other_provider, _offering = _other_provider(make_user, world["staff"])
    for user in (world["ent_b"], other_provider):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(world["staff"])
    assert client.get(url).status_code == 200
    assert client.get(reverse("vouchers:booking_file", args=[booking.pk, "other"])).status_code == 404


def test_declining_needs_a_reason_and_the_form_comes_back_with_the_error(client, world, path):
    booking = _book(path, world["ent_a"])
    client.force_login(world["provider"])
    response = client.post(
        reverse("vouchers:booking_action", args=[booking.pk, "decline"]),
        {"version": booking.version, "reason": " "},
    )
    assert response.status_code == 200
    forms = {action: form for action, _label, form in response.context["forms"]}
    assert forms["decline"].errors["reason"] == ["这个字段是必填项。"]
    booking.refresh_from_db()
    assert booking.state == BookingState.REQUESTED


def test_cancelling_a_requested_booking_needs_no_reason_but_an_accepted_one_does(client, world, path):
    first = _book(path, world["ent_a"])
    second = _book(path, world["ent_a"], fee="1000")
    services.booking_accept(booking=second, by=world["provider"])
    client.force_login(world["ent_a"])
    response = client.post(
        reverse("vouchers:booking_action", args=[first.pk, "cancel"]), {"version": first.version}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    response = client.post(
        reverse("vouchers:booking_action", args=[second.pk, "cancel"]), {"version": second.version}
    )
    assert response.status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (BookingState.CANCELLED, BookingState.ACCEPTED)
    path["quota"].refresh_from_db()
    assert path["quota"].committed == Decimal("1000")


def test_a_false_upload_is_refused_next_to_the_form(client, world, path):
    booking = services.booking_accept(booking=_book(path, world["ent_a"]), by=world["provider"])
    client.force_login(world["provider"])
    response = client.post(
        reverse("vouchers:booking_action", args=[booking.pk, "complete"]),
        {
            "version": booking.version,
            "invoice_no": "No.9",
            "fee": "8000",
            "invoice_file": SimpleUploadedFile("invoice.pdf", b"not a pdf at all"),
            "report_file": _pdf(),
        },
    )
    assert response.status_code == 200
    forms = {action: form for action, _label, form in response.context["forms"]}
    assert forms["complete"].errors["invoice_file"] == [
        "文件内容与扩展名不符，请上传真实的 PDF、PNG 或 JPG 文件。"
    ]
    assert 'value="No.9"' in _html(response)
    booking.refresh_from_db()
    assert booking.state == BookingState.ACCEPTED and not booking.invoice_file


def test_a_stale_version_is_refused_and_nothing_is_lost(client, world, path):
    booking = _book(path, world["ent_a"])
    stale = booking.version
    services.booking_accept(booking=booking, by=world["provider"])  # meanwhile, another user of the provider
    client.force_login(world["provider"])
    response = client.post(
        reverse("vouchers:booking_action", args=[booking.pk, "decline"]),
        {"version": stale, "reason": "排期已满"},
    )
    assert response.status_code == 200
    forms = {action: form for action, _label, form in response.context["forms"]}
    assert forms["decline"].non_field_errors() == ["该记录已被他人修改，请刷新后重新编辑。"]
    assert "排期已满" in _html(response)
    booking.refresh_from_db()
    assert booking.state == BookingState.ACCEPTED


def test_a_party_acting_out_of_turn_sees_the_services_reason(client, world, path):
    booking = _book(path, world["ent_a"])
    client.force_login(world["ent_a"])
    response = client.post(
        reverse("vouchers:booking_action", args=[booking.pk, "accept"]), {"version": booking.version}
    )
    forms = {action: form for action, _label, form in response.context["forms"]}
    assert forms["accept"].non_field_errors() == ["只有提供服务的机构可以执行此操作。"]
    booking.refresh_from_db()
    assert booking.state == BookingState.REQUESTED


def test_a_booking_with_a_provider_of_a_partner_region_is_marked_cross_region(client, world, make_user):
    program = make_program(world["staff"], partners=["330400"])
    jx_bureau = make_user(Role.BUREAU_STAFF, region_code="330400")
    jx_org = OrganizationFactory(kind="provider", name="嘉兴检测院", region=region("330402"))
    jx_user = make_user(Role.PROVIDER, organization=jx_org, is_org_admin=True)
    far = make_provider(jx_user, jx_bureau)
    near = make_provider(world["provider"], world["staff"])
    quota = make_quota(program, world["ent_a"])
    crossing = services.booking_create(quota=quota, offering=far, service_date=today(), by=world["ent_a"])
    local = services.booking_create(quota=quota, offering=near, service_date=today(), by=world["ent_a"])
    client.force_login(world["ent_a"])
    response = client.get(reverse("vouchers:booking", args=[crossing.pk]))
    assert response.context["cross_region"] is True
    assert 'data-testid="cross-region"' in _html(response)
    response = client.get(reverse("vouchers:booking", args=[local.pk]))
    assert response.context["cross_region"] is False
    client.force_login(jx_bureau)  # the service region's bureau sees the booking too
    assert client.get(reverse("vouchers:booking", args=[crossing.pk])).status_code == 200
    assert client.get(reverse("vouchers:booking", args=[local.pk])).status_code == 404


def test_booking_cross_region_property_counts_a_town_of_the_issuing_city_as_local(world, path):
    booking = _book(path, world["ent_a"])  # issued by 绍兴市 (330600), served in 越城区's town 330602L02
    assert booking.cross_region is False
