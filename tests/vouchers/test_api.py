"""The voucher API (/api/vouchers): the whole path through it with the ledger reconciled at the end, the parties'
and regions' limits (403), stale versions (409), amounts refused with a Chinese message (400), the public
catalogue, and lists whose query count does not grow with their rows."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kechuang.vouchers import services
from kechuang.vouchers.enums import BookingState, FlagKind, QuotaState
from kechuang.vouchers.ledger import reconcile
from kechuang.vouchers.models import Booking, Flag, LedgerEntry, Quota, VoucherProgram

from .helpers import make_program, make_provider, make_quota, today

pytestmark = pytest.mark.django_db

API = "/api/vouchers"


def _post(client, url, body=None):
    return client.post(url, json.dumps(body or {}, default=str), content_type="application/json")


def _patch(client, url, body):
    return client.patch(url, json.dumps(body, default=str), content_type="application/json")


def _put(client, url, body):
    return client.put(url, json.dumps(body, default=str), content_type="application/json")


def _pdf(name="report.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


PROGRAM = {
    "name": "2026年绍兴市科技创新券",
    "year": 2026,
    "budget": "1000000",
    "eligible_kinds": ["enterprise"],
    "categories": ["testing", "instrument"],
    "quota_per_application": "20000",
    "annual_cap": "100000",
    "copay_mode": "whole_fee",
    "copay_tiers": [["0", "1"], ["10000", "0.5"]],
    "auto_approve": True,
}


def _program_body(**changes):
    return {
        **PROGRAM,
        "starts_on": today() - timedelta(days=10),
        "ends_on": today() + timedelta(days=200),
        **changes,
    }


def _booking(world, *, price="8000"):
    """A requested booking of ent_a with the provider under an open city program."""
    program = make_program(world["staff"])
    offering = make_provider(world["provider"], world["staff"], price=price)
    quota = make_quota(program, world["ent_a"])
    booking = services.booking_create(
        quota=quota, offering=offering, service_date=today() + timedelta(days=2), by=world["ent_a"]
    )
    return program, quota, booking


def test_the_whole_path_through_the_api_and_the_ledger_reconciles(client, world):
    # The city bureau sets up and opens a program.
    client.force_login(world["staff"])
    response = _post(client, f"{API}/programs", _program_body(partner_region_codes=["330400"]))
    assert response.status_code == 201, response.content
    program = response.json()
    assert (program["state"], program["region_code"], program["budget"], program["partner_region_codes"]) == (
        "draft",
        "330600",
        "1000000.00",
        ["330400"],
    )
    assert program["tiers_text"] == "10,000.00元以下全额支付；10,000.00元及以上支付50%"
    assert program["actions"] == ["update", "open"]
    url = f"{API}/programs/{program['id']}"
    response = _post(client, url + "/open", {"version": program["version"]})
    assert (response.status_code, response.json()["state"]) == (200, "open")

    # A provider registers; the bureau verifies it; it lists a service.
    client.force_login(world["provider"])
    response = _put(client, f"{API}/provider", {"categories": ["testing"], "description": "第三方检测"})
    assert (response.status_code, response.json()["state"]) == (201, "pending")
    profile_id = response.json()["id"]
    client.force_login(world["staff"])
    pending = client.get(f"{API}/providers", {"state": "pending"}).json()
    assert [p["id"] for p in pending["items"]] == [profile_id]
    response = _post(client, f"{API}/providers/{profile_id}/decide", {"action": "verify"})
    assert (response.status_code, response.json()["state"]) == (200, "verified")
    client.force_login(world["provider"])
    response = _post(
        client,
        f"{API}/offerings",
        {"category": "testing", "name": "材料成分检测", "price": 8000, "unit": "样"},
    )
    assert response.status_code == 201, response.content
    offering = response.json()
    assert (offering["price"], offering["region_code"], offering["category_label"]) == (
        "8000.00",
        "330602L02",
        "检验检测",
    )

    # The catalogue is public.
    client.logout()
    listed = client.get(f"{API}/offerings", {"category": "testing", "price_max": "9000"}).json()
    assert [o["id"] for o in listed["items"]] == [offering["id"]]

    # The enterprise applies (approved at once), previews the split and books.
    client.force_login(world["ent_a"])
    response = _post(
        client, f"{API}/quotas", {"program_id": program["id"], "requested": "20000", "purpose": "检测"}
    )
    assert response.status_code == 201, response.content
    quota = response.json()
    assert (quota["state"], quota["granted"], quota["available"]) == ("approved", "20000.00", "20000.00")
    split = client.get(url + "/split", {"fee": "12000"}).json()
    assert split == {
        "fee": "12000.00",
        "voucher": "6000.00",
        "enterprise": "6000.00",
        "explanation": "服务费用12,000.00元，按50%计，创新券支付6,000.00元，企业自付6,000.00元。",
    }
    response = _post(
        client,
        f"{API}/bookings",
        {"quota_id": quota["id"], "offering_id": offering["id"], "service_date": today() + timedelta(days=3)},
    )
    assert response.status_code == 201, response.content
    booking = response.json()
    assert (booking["state"], booking["fee"], booking["voucher_amount"], booking["enterprise_amount"]) == (
        "requested",
        "8000.00",
        "8000.00",
        "0.00",
    )
    assert (booking["issuing_region_code"], booking["service_region_code"], booking["actions"]) == (
        "330600",
        "330602L02",
        ["cancel"],
    )
    burl = f"{API}/bookings/{booking['id']}"

    # The provider accepts and completes with its invoice and report (multipart): the fee turned out higher.
    client.force_login(world["provider"])
    assert client.get(f"{API}/bookings", {"side": "received"}).json()["count"] == 1
    response = _post(client, burl + "/accept", {"version": booking["version"]})
    assert (response.status_code, response.json()["actions"]) == (200, ["complete"])
    response = client.post(
        burl + "/complete",
        {
            "invoice_no": "No.001",
            "fee": "12000",
            "version": response.json()["version"],
            "invoice_file": _pdf("invoice.pdf"),
            "report_file": _pdf(),
        },
    )
    assert response.status_code == 200, response.content
    done = response.json()
    assert (done["state"], done["fee"], done["voucher_amount"], done["enterprise_amount"]) == (
        "completed",
        "12000.00",
        "6000.00",
        "6000.00",
    )
    assert done["report_url"] == f"{burl}/files/report"

    # The enterprise reads the report and confirms; the provider claims.
    client.force_login(world["ent_a"])
    report = client.get(done["report_url"])
    assert (report.status_code, b"".join(report.streaming_content)) == (200, b"%PDF-1.4\n%%EOF\n")
    response = _post(client, burl + "/confirm", {"version": done["version"]})
    assert (response.status_code, response.json()["state"]) == (200, "confirmed")
    client.force_login(world["provider"])
    response = _post(client, burl + "/claim", {"version": response.json()["version"]})
    assert (response.status_code, response.json()["state"]) == (200, "claimed")

    # The bureau settles in a batch, approves it and records the payment.
    client.force_login(world["staff"])
    response = _post(client, url + "/batches")
    assert response.status_code == 201, response.content
    batch = response.json()
    assert (batch["state"], batch["total"], batch["booking_count"], [b["id"] for b in batch["bookings"]]) == (
        "draft",
        "6000.00",
        1,
        [booking["id"]],
    )
    response = _post(client, f"{API}/batches/{batch['id']}/approve", {"version": batch["version"]})
    assert (response.status_code, response.json()["state"]) == (200, "approved")
    response = _post(
        client,
        f"{API}/batches/{batch['id']}/pay",
        {"paid_on": today(), "reference": "财拨2026-001", "version": response.json()["version"]},
    )
    assert (response.status_code, response.json()["state"], response.json()["payment_reference"]) == (
        200,
        "paid",
        "财拨2026-001",
    )

    final = client.get(burl).json()
    assert final["state"] == "paid"
    assert [(h["from_state"], h["to_state"]) for h in final["history"]] == [
        ("", "requested"),
        ("requested", "accepted"),
        ("accepted", "completed"),
        ("completed", "confirmed"),
        ("confirmed", "claimed"),
        ("claimed", "settled"),
        ("settled", "paid"),
    ]
    books = client.get(url).json()["books"]
    assert books == {
        "budget": "1000000.00",
        "issued": "20000.00",
        "expired": "0.00",
        "committed": "0.00",
        "redeemed": "6000.00",
        "settled": "6000.00",
        "paid": "6000.00",
        "remaining": "980000.00",
        "outstanding": "14000.00",
    }
    assert client.get(url + "/reconcile").json() == {"balanced": True, "problems": []}
    entries = [(e["kind"], e["amount"]) for e in client.get(url + "/ledger").json()["items"]]
    assert entries == [  # at 12,000 the voucher pays 50 %: less than the 8,000 committed at booking
        ("issue", "20000.00"),
        ("commit", "8000.00"),
        ("release", "2000.00"),
        ("redeem", "6000.00"),
        ("settle", "6000.00"),
        ("pay", "6000.00"),
    ]
    assert reconcile(VoucherProgram.objects.get(pk=program["id"])) == []


def test_another_enterprise_gets_403_on_a_quota_and_a_booking(client, world):
    _program, quota, booking = _booking(world)
    client.force_login(world["ent_b"])
    response = client.get(f"{API}/quotas/{quota.pk}")
    assert (response.status_code, response.json()) == (403, {"detail": "您无权查看该额度。"})
    response = client.get(f"{API}/bookings/{booking.pk}")
    assert (response.status_code, response.json()) == (403, {"detail": "您无权查看该创新券使用记录。"})
    assert client.get(f"{API}/bookings/{booking.pk}/files/report").status_code == 403
    for action in ("cancel", "confirm", "accept"):
        assert _post(client, f"{API}/bookings/{booking.pk}/{action}", {"reason": "x"}).status_code == 403
    response = _post(
        client,
        f"{API}/bookings",
        {"quota_id": quota.pk, "offering_id": booking.offering_id, "service_date": today()},
    )
    assert response.status_code == 403
    assert client.get(f"{API}/quotas").json()["items"] == []
    assert client.get(f"{API}/bookings").json()["items"] == []
    booking.refresh_from_db()
    assert (booking.state, Booking.objects.count()) == (BookingState.REQUESTED, 1)
    # The provider may not act as the enterprise, nor the enterprise as the provider.
    client.force_login(world["provider"])
    response = _post(client, f"{API}/bookings/{booking.pk}/cancel", {"reason": "x"})
    assert (response.status_code, response.json()["detail"]) == (403, "只有使用创新券的企业可以执行此操作。")
    client.force_login(world["ent_a"])
    assert _post(client, f"{API}/bookings/{booking.pk}/accept").status_code == 403
    assert [b["id"] for b in client.get(f"{API}/bookings", {"side": "made"}).json()["items"]] == [booking.pk]


def test_a_county_bureau_cannot_run_a_city_program(client, world):
    program = make_program(world["staff"], auto_approve=False)
    quota = make_quota(program, world["ent_a"])
    assert quota.state == QuotaState.APPLIED
    client.force_login(world["kq_staff"])
    url = f"{API}/programs/{program.pk}"
    detail = client.get(url).json()  # an open program is public, its books are not
    assert (detail["books"], detail["actions"]) == (None, [])
    response = _patch(client, url, {"version": program.version, "budget": "1"})
    assert (response.status_code, response.json()["detail"]) == (
        403,
        "只有发放地区科技局的业务人员可以管理该创新券计划。",
    )
    assert _post(client, url + "/close").status_code == 403
    assert client.get(url + "/ledger").status_code == 403
    assert client.get(url + "/reconcile").status_code == 403
    assert _post(client, url + "/batches").status_code == 403
    assert client.get(f"{API}/quotas/{quota.pk}").status_code == 403
    assert _post(client, f"{API}/quotas/{quota.pk}/approve", {"amount": "5000"}).status_code == 403
    assert client.get(f"{API}/quotas").json()["items"] == []
    quota.refresh_from_db()
    program.refresh_from_db()
    assert (quota.state, program.budget, program.state) == (QuotaState.APPLIED, Decimal("1000000"), "open")
    # The city bureau may, for an amount within the rules.
    client.force_login(world["staff"])
    assert [q["id"] for q in client.get(f"{API}/quotas", {"state": "applied"}).json()["items"]] == [quota.pk]
    assert client.get(f"{API}/quotas/{quota.pk}").json()["actions"] == ["approve", "reject"]
    response = _post(client, f"{API}/quotas/{quota.pk}/approve", {"amount": "5000", "version": quota.version})
    assert (response.status_code, response.json()["state"], response.json()["granted"]) == (
        200,
        "approved",
        "5000.00",
    )


def test_a_draft_program_is_seen_only_in_its_region(client, world):
    draft = make_program(world["kq_staff"], region_code="330603", open_=False, name="柯桥区创新券")
    client.force_login(world["ent_a"])
    assert client.get(f"{API}/programs/{draft.pk}").status_code == 403
    assert client.get(f"{API}/programs").json()["items"] == []
    client.force_login(world["staff"])  # the city sees its counties' programs
    assert [p["name"] for p in client.get(f"{API}/programs").json()["items"]] == ["柯桥区创新券"]
    assert _post(client, f"{API}/programs/{draft.pk}/open").status_code == 200


def test_a_stale_version_is_refused_with_409(client, world):
    program, _quota, booking = _booking(world)
    client.force_login(world["staff"])
    url = f"{API}/programs/{program.pk}"
    version = client.get(url).json()["version"]
    response = _patch(client, url, {"version": version, "description": "第一次修改"})
    assert (response.status_code, response.json()["description"]) == (200, "第一次修改")
    response = _patch(client, url, {"version": version, "description": "用旧版本再改"})
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "该记录已被他人修改，请刷新后重新编辑。"},
    )
    assert VoucherProgram.objects.get(pk=program.pk).description == "第一次修改"
    client.force_login(world["provider"])
    stale = booking.version
    assert _post(client, f"{API}/bookings/{booking.pk}/accept", {"version": stale}).status_code == 200
    response = _post(client, f"{API}/bookings/{booking.pk}/decline", {"version": stale, "reason": "没空"})
    assert response.status_code == 409
    assert Booking.objects.get(pk=booking.pk).state == BookingState.ACCEPTED


def test_bad_amounts_are_refused_with_a_chinese_message(client, world):
    program = make_program(world["staff"])
    client.force_login(world["ent_a"])
    response = _post(client, f"{API}/quotas", {"program_id": program.pk, "requested": "两万"})
    assert (response.status_code, response.json()) == (
        400,
        {"detail": "金额“两万”不是有效的数字。", "field": "requested"},
    )
    response = _post(client, f"{API}/quotas", {"program_id": program.pk, "requested": "30000"})
    assert (response.status_code, response.json()) == (
        400,
        {"detail": "单次申领不能超过20000.00元。", "field": "requested"},
    )
    response = client.get(f"{API}/programs/{program.pk}/split", {"fee": "-5"})
    assert (response.status_code, response.json()) == (400, {"detail": "金额不能为负数。", "field": "fee"})
    assert Quota.objects.count() == 0
    client.force_login(world["staff"])
    response = _post(client, f"{API}/programs", _program_body(budget="1000.005"))
    assert (response.status_code, response.json()) == (
        400,
        {"detail": "金额最多保留两位小数（到分）。", "field": "budget"},
    )
    response = _post(client, f"{API}/programs", _program_body(copay_tiers=[["0", "1.5"]]))
    assert (response.status_code, response.json()) == (
        400,
        {"detail": "第1档的比例须在0到1之间。", "field": "copay_tiers"},
    )
    assert VoucherProgram.objects.count() == 1


def test_completion_checks_the_uploads(client, world):
    _program, _quota, booking = _booking(world)
    services.booking_accept(booking=booking, by=world["provider"])
    client.force_login(world["provider"])
    url = f"{API}/bookings/{booking.pk}/complete"
    response = client.post(url, {"invoice_no": "No.9"})
    assert (response.status_code, response.json()) == (
        400,
        {"detail": "请上传服务报告。", "field": "report_file"},
    )
    fake = SimpleUploadedFile("report.pdf", b"not a pdf at all", content_type="application/pdf")
    response = client.post(url, {"invoice_no": "No.9", "report_file": fake})
    assert (response.status_code, response.json()["field"]) == (400, "report_file")
    assert response.json()["detail"] == "文件内容与扩展名不符，请上传真实的 PDF、PNG 或 JPG 文件。"
    booking.refresh_from_db()
    assert (booking.state, booking.report_file.name) == (BookingState.ACCEPTED, "")


def test_the_catalogue_is_public_and_shows_only_verified_active_offerings(client, world):
    offering = make_provider(world["provider"], world["staff"], price="8000")
    cheap = services.offering_create(
        provider=offering.provider,
        values={"category": "instrument", "kind": "instrument", "name": "扫描电镜机时", "price": "600"},
        by=world["provider"],
    )
    hidden = services.offering_create(
        provider=offering.provider,
        values={"category": "testing", "name": "暂停的检测", "price": "100", "active": False},
        by=world["provider"],
    )
    pending = world["institution"].organization
    services.provider_register(
        organization=pending, values={"categories": ["testing"]}, by=world["institution"]
    )
    services.offering_create(
        provider=pending,
        values={"category": "testing", "name": "未核验机构的检测", "price": "50"},
        by=world["institution"],
    )
    listed = client.get(f"{API}/offerings").json()
    assert [o["name"] for o in listed["items"]] == ["扫描电镜机时", "材料成分检测"]  # by category, price
    assert [o["id"] for o in client.get(f"{API}/offerings", {"kind": "instrument"}).json()["items"]] == [
        cheap.pk
    ]
    assert [o["id"] for o in client.get(f"{API}/offerings", {"q": "电镜"}).json()["items"]] == [cheap.pk]
    assert client.get(f"{API}/offerings", {"region": "330603"}).json()["items"] == []
    assert [o["id"] for o in client.get(f"{API}/offerings", {"price_min": "1000"}).json()["items"]] == [
        offering.pk
    ]
    response = client.get(f"{API}/offerings", {"category": "cooking"})
    assert (response.status_code, response.json()["detail"].startswith("筛选条件不正确：category")) == (
        400,
        True,
    )
    assert client.get(f"{API}/offerings/{hidden.pk}").status_code == 404
    # Its own provider sees and edits its inactive offering; another organization may not edit it.
    client.force_login(world["provider"])
    mine = client.get(f"{API}/offerings", {"mine": "true"}).json()
    assert sorted(o["id"] for o in mine["items"]) == sorted([offering.pk, cheap.pk, hidden.pk])
    response = _patch(client, f"{API}/offerings/{hidden.pk}", {"version": hidden.version, "active": True})
    assert (response.status_code, response.json()["active"]) == (200, True)
    client.force_login(world["ent_a"])
    response = _patch(client, f"{API}/offerings/{cheap.pk}", {"version": cheap.version, "price": "1"})
    assert response.status_code == 403


def test_flags_are_reviewed_by_the_issuing_bureau(client, world):
    _booking(world)  # the enterprise and the provider share an address in the test world
    flag = Flag.objects.get()
    assert flag.kind == FlagKind.RELATED_PARTIES
    client.force_login(world["ent_a"])
    assert client.get(f"{API}/flags").status_code == 403
    client.force_login(world["kq_staff"])
    assert client.get(f"{API}/flags").json()["items"] == []
    assert (
        _post(client, f"{API}/flags/{flag.pk}/review", {"state": "cleared", "note": "已核实"}).status_code
        == 403
    )
    client.force_login(world["staff"])
    assert [f["id"] for f in client.get(f"{API}/flags", {"state": "open"}).json()["items"]] == [flag.pk]
    response = _post(client, f"{API}/flags/{flag.pk}/review", {"state": "cleared", "note": "地址为同一园区"})
    assert (response.status_code, response.json()["state"], response.json()["review_note"]) == (
        200,
        "cleared",
        "地址为同一园区",
    )


def test_the_openapi_schema_builds_with_the_voucher_endpoints(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    paths = set(response.json()["paths"])
    assert {
        "/api/vouchers/programs",
        "/api/vouchers/programs/{pk}/split",
        "/api/vouchers/programs/{pk}/reconcile",
        "/api/vouchers/offerings",
        "/api/vouchers/quotas/{pk}/approve",
        "/api/vouchers/bookings/{pk}/complete",
        "/api/vouchers/batches/{pk}/pay",
        "/api/vouchers/flags/{pk}/review",
    } <= paths


def _many_bookings(world, n):
    program, quota, first = _booking(world, price="1000")
    for _i in range(n - 1):
        services.booking_create(
            quota=quota, offering=first.offering, service_date=today() + timedelta(days=2), by=world["ent_a"]
        )
    return program


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("ent_a", "/bookings"),
        ("provider", "/bookings"),
        ("staff", "/bookings"),
        ("staff", "/quotas"),
        ("staff", "/programs"),
        ("staff", "/flags"),
        ("staff", "/providers"),
        ("staff", "/batches"),
        ("staff", "/programs/{program}/ledger"),
        (None, "/offerings"),
    ],
)
def test_list_queries_do_not_grow_with_the_rows(client, world, django_assert_max_num_queries, who, url):
    program = _many_bookings(world, 6)
    make_program(world["staff"], name="第二期")
    services.offering_create(
        provider=world["provider"].organization,
        values={"category": "testing", "name": "第二项检测", "price": "500"},
        by=world["provider"],
    )
    for booking in Booking.objects.all()[:3]:
        services.booking_accept(booking=booking, by=world["provider"])
    for booking in Booking.objects.filter(state=BookingState.ACCEPTED):
        services.booking_complete(
            booking=booking, invoice_no="No.1", report_file=_pdf(), by=world["provider"]
        )
        services.booking_confirm(booking=booking, by=world["ent_a"])
        services.booking_claim(booking=booking, by=world["provider"])
    services.batch_create(program=program, by=world["staff"])
    if who:
        client.force_login(world[who])
    with django_assert_max_num_queries(5):
        response = client.get(API + url.format(program=program.pk))
    assert response.status_code == 200
    assert response.json()["count"] >= 1
    assert LedgerEntry.objects.filter(program=program).count() == 1 + 6 + 3 + 3
