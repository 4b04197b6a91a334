"""技术合同登记 pages, Excel exports and API (issue 5 items 6 and 7)."""

import json
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kechuang.market.contracts import contract_register
from kechuang.market.enums import ContractState
from kechuang.market.models import ContractRegistration

from ..factories import OrganizationFactory, UserFactory, region
from .contract_helpers import PDF, make_listing, pdf, registered, submitted

pytestmark = pytest.mark.django_db

S = ContractState
YEAR = timezone.localdate().year
SIGNED = (timezone.localdate() - timedelta(days=5)).isoformat()


def costs(*rows):
    management = {
        "costs-TOTAL_FORMS": "4",
        "costs-INITIAL_FORMS": "0",
        "costs-MIN_NUM_FORMS": "0",
        "costs-MAX_NUM_FORMS": "20",
    }
    for n, (kind, amount, quantity) in enumerate(rows):
        management |= {f"costs-{n}-kind": kind, f"costs-{n}-amount": amount, f"costs-{n}-quantity": quantity}
    return management


def party_form(**extra):
    return {
        "title": "高强纤维低温染色工艺技术开发合同",
        "contract_type": "development",
        "sub_type": "commissioned_development",
        "own_side": "seller",
        "other_credit_code": "",
        "other_name": "上海某纺织有限公司",
        "other_region": "",
        "tech_field": "new_materials",
        "contract_amount": "5000000",
        "non_technical_amount": "",
        "non_technical_note": "设备由卖方代购",
        "signed_on": SIGNED,
        "contract_file": pdf(),
        **costs(("equipment", "1200000", ""), ("material", "300000", ""), ("carrier_set", "200000", "2")),
        **extra,
    }


# --- submitting -------------------------------------------------------------------------------------------


def test_a_party_submits_through_the_page_with_itemised_costs(client, world):
    """rules.md §5.3 constructed example through the form: 技术交易额 350万."""
    client.force_login(world["ent_a"])
    page = client.get(reverse("market:contract_create"))
    assert page.status_code == 200
    assert "本单位：柯桥甲纺织有限公司" in page.content.decode()
    response = client.post(reverse("market:contract_create"), party_form())
    contract = ContractRegistration.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "market:contract_detail", args=[contract.pk]
    )
    assert (contract.seller, contract.buyer_id, contract.buyer_name, contract.buyer_region_id) == (
        world["org_a"],
        None,
        "上海某纺织有限公司",
        None,
    )
    assert (contract.contract_amount, contract.non_technical_amount, contract.transaction_amount) == (
        Decimal("5000000.00"),
        Decimal("1500000.00"),
        Decimal("3500000.00"),
    )
    detail = client.get(response["Location"]).content.decode()
    assert 'data-testid="transaction-amount">3500000.00<' in detail
    assert "说明：设备由卖方代购" in detail
    assert 'data-testid="contract-action-register"' not in detail  # a party does not register


def test_the_page_refuses_a_sub_type_of_another_type_and_keeps_nothing(client, world):
    client.force_login(world["ent_a"])
    response = client.post(
        reverse("market:contract_create"), party_form(sub_type="patent_license", contract_file=pdf())
    )
    assert response.status_code == 200
    assert "技术开发合同的子类只能是：委托开发、合作开发。" in response.content.decode()
    assert ContractRegistration.objects.count() == 0


def test_the_bureau_names_both_parties_by_credit_code(client, world):
    client.force_login(world["kq_staff"])
    data = party_form(
        seller_credit_code=world["org_a"].credit_code,
        buyer_credit_code=world["org_b"].credit_code,
        contract_file=pdf(),
    )
    response = client.post(reverse("market:contract_create"), data)
    assert response.status_code == 302
    contract = ContractRegistration.objects.get()
    assert (contract.seller, contract.buyer, contract.submitted_by) == (
        world["org_a"],
        world["org_b"],
        world["kq_staff"],
    )
    unknown = party_form(seller_credit_code="91330603000000000X", contract_file=pdf())
    response = client.post(reverse("market:contract_create"), unknown)
    assert "本平台未找到该统一社会信用代码的单位" in response.content.decode()


def test_a_thread_prefills_the_form(client, world):
    from kechuang.market.enums import ListingKind
    from kechuang.market.models import Thread

    demand = make_listing(
        world["org_b"], kind=ListingKind.DEMAND, cooperation="commissioned", title="印染废水处理"
    )
    thread = Thread.objects.create(
        listing=demand, owner=world["org_b"], party=world["org_a"], started_by=world["ent_a"]
    )
    client.force_login(world["ent_a"])
    form = client.get(reverse("market:contract_create"), {"thread": thread.pk}).context["form"]
    assert {
        k: form.initial[k] for k in ("thread", "listing", "own_side", "other_credit_code", "sub_type")
    } == {
        "thread": thread.pk,
        "listing": demand.pk,
        "own_side": "seller",  # the demand's owner buys
        "other_credit_code": world["org_b"].credit_code,
        "sub_type": "commissioned_development",
    }


def test_live_amounts_and_sub_type_options(client, world):
    client.force_login(world["ent_a"])
    query = {"contract_amount": "5000000", "non_technical_amount": ""} | costs(
        ("equipment", "1200000", ""), ("material", "300000", ""), ("carrier_set", "200000", "2")
    )
    fragment = client.get(reverse("market:contract_amounts"), query).content.decode()
    assert 'data-testid="preview-transaction">3500000.00<' in fragment
    assert 'data-testid="preview-non-technical">1500000.00<' in fragment
    wrong = client.get(
        reverse("market:contract_amounts"), {"contract_amount": "100", "non_technical_amount": "101"}
    )
    assert "非技术性费用不能超过合同成交额" in wrong.content.decode()
    options = client.get(reverse("market:contract_sub_types"), {"contract_type": "service"}).content.decode()
    assert options.count("<option") == 4 and "技术培训" in options and "技术中介" in options
    assert "委托开发" not in options


# --- the registrar's page ---------------------------------------------------------------------------------


def test_the_registrar_registers_returns_and_the_party_resubmits_on_the_pages(client, world):
    contract = submitted(world)
    client.force_login(world["kq_staff"])
    detail = client.get(reverse("market:contract_detail", args=[contract.pk])).content.decode()
    for action in ("register", "return", "reject"):
        assert f'data-testid="contract-action-{action}"' in detail
    act = reverse("market:contract_act", args=[contract.pk])
    client.post(act, {"action": "return", "reason": "请上传盖章页", "version": contract.version})
    contract.refresh_from_db()
    assert (contract.state, contract.return_reason) == (S.RETURNED, "请上传盖章页")
    client.force_login(world["ent_a"])
    edit = reverse("market:contract_edit", args=[contract.pk])
    form = client.get(edit)
    assert "请上传盖章页" in form.content.decode()
    data = party_form(
        version=contract.version,
        own_side="seller",
        other_credit_code=world["org_b"].credit_code,
        other_name="",
        contract_file="",
        resubmit="1",
    )
    response = client.post(edit, data)
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.state, contract.buyer, contract.transaction_amount) == (
        S.SUBMITTED,
        world["org_b"],
        Decimal("3500000.00"),
    )
    client.force_login(world["kq_staff"])
    response = client.post(act, {"action": "register", "version": contract.version}, follow=True)
    assert f"已登记，登记号：{YEAR}330603000001。" in response.content.decode()
    stale = client.post(act, {"action": "reject", "reason": "x", "version": contract.version}, follow=True)
    assert "该记录已被他人修改" in stale.content.decode()


def test_a_county_registrar_cannot_register_another_countys_contract_on_the_page(client, world):
    contract = submitted(world, by="ent_b", seller=world["org_b"], buyer=world["org_a"])
    client.force_login(world["kq_staff"])  # sees it (the buyer is in 柯桥) but may not decide
    detail = client.get(reverse("market:contract_detail", args=[contract.pk])).content.decode()
    assert 'data-testid="contract-action-register"' not in detail
    response = client.post(
        reverse("market:contract_act", args=[contract.pk]), {"action": "register", "version": 1}, follow=True
    )
    assert "只有卖方（技术输出方）所在地科技局的登记人员可以认定登记该合同。" in response.content.decode()
    contract.refresh_from_db()
    assert contract.state == S.SUBMITTED


def test_other_organizations_see_neither_the_contract_nor_its_file(client, world):
    contract = submitted(world)
    stranger_org = OrganizationFactory(name="柯桥丙公司", region=region("330603L02"))
    stranger = UserFactory(role="enterprise", organization=stranger_org, region=stranger_org.region)
    client.force_login(stranger)
    for name in ("market:contract_detail", "market:contract_file", "market:contract_edit"):
        assert client.get(reverse(name, args=[contract.pk])).status_code == 404
    assert client.get(reverse("market:contract_list")).context["page"].paginator.count == 0
    assert client.get(reverse("market:contract_statistics")).status_code == 403
    client.force_login(world["ent_b"])
    response = client.get(reverse("market:contract_file", args=[contract.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF


# --- lists, statistics and exports -----------------------------------------------------------------------


def _several(world, n):
    for i in range(n):
        registered(world, registrar="kq_staff", contract_amount=str(100000 + i))


def test_list_page_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries):
    _several(world, 3)
    client.force_login(world["staff"])
    url = reverse("market:contract_list")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        response = client.get(url)
    assert response.context["page"].paginator.count == 3
    _several(world, 9)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 12
    filtered = client.get(url, {"seller_region": "330681", "state": "registered"})
    assert filtered.context["page"].paginator.count == 0


def test_the_list_exports_to_excel_with_amounts_as_numbers(client, world):
    contract = registered(world, registrar="kq_staff", non_technical_amount="1500000.25")
    submitted(world, title="待认定的合同")
    client.force_login(world["kq_staff"])
    response = client.get(reverse("market:contract_list"), {"state": "registered", "format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("登记号", "合同名称", "合同类型", "合同子类")
    assert rows[0][9:12] == ("合同成交额（元）", "非技术性费用（元）", "技术交易额（元）")
    assert len(rows) == 2
    row = rows[1]
    assert row[0] == contract.registration_no == f"{YEAR}330603000001"
    assert row[2:9] == (
        "技术开发",
        "委托开发",
        "柯桥甲纺织有限公司",
        "浙江省绍兴市柯桥区柯桥街道",
        "诸暨乙机械有限公司",
        "浙江省绍兴市诸暨市暨阳街道",
        "新材料",
    )
    assert (row[9], row[10], row[11]) == (5000000, 1500000.25, 3499999.75)
    assert sheet.cell(row=2, column=12).number_format == "#,##0.00"
    assert row[15] == timezone.localdate().isoformat() and row[16] == "已登记"


def test_statistics_page_and_its_export(client, world):
    registered(world, non_technical_amount="1500000")  # 柯桥 → 诸暨
    registered(world, by="ent_b", seller=world["org_b"], buyer=world["org_a"], contract_amount="1000000.50")
    client.force_login(world["staff"])
    url = reverse("market:contract_statistics")
    page = client.get(url, {"group_by": "region_out"})
    rows = {row.key: (row.count, row.contract_amount) for row, _link in page.context["rows"] if row.count}
    assert rows == {"330603": (1, Decimal("5000000.00")), "330681": (1, Decimal("1000000.50"))}
    assert page.context["stats"].total.transaction_amount == Decimal("4500000.50")
    html = page.content.decode()
    assert 'data-testid="statistics-total"' in html and "4500000.50" in html
    assert "seller_region=330603" in html  # each region's line opens the list of its contracts
    response = client.get(url, {"group_by": "region_in", "format": "xlsx"})
    book = load_workbook(BytesIO(response.content))
    table = list(book["技术合同统计"].iter_rows(values_only=True))
    assert table[0] == ("分组", "合同项数", "合同成交额（元）", "技术交易额（元）")
    assert [r for r in table[1:] if r[1]] == [
        ("柯桥区", 1, 1000000.5, 1000000.5),
        ("诸暨市", 1, 5000000, 3500000),
        ("合计", 2, 6000000.5, 4500000.5),
    ]
    assert book["技术合同统计"].cell(row=2, column=3).number_format == "#,##0.00"
    about = dict(book["说明"].iter_rows(min_row=2, values_only=True))
    assert about["统计范围"] == "浙江省绍兴市"
    assert about["统计口径"] == "吸纳（买方在本地区）"
    assert about["登记日期起"] == date(YEAR, 1, 1).isoformat()
    bad = client.get(url, {"date_from": f"{YEAR}-05-01", "date_to": f"{YEAR}-04-01"})
    assert "统计截止日期不能早于起始日期" in bad.content.decode()


def test_every_page_renders_for_each_role(client, world):
    contract = registered(world)
    pages = [
        reverse("market:contract_list"),
        reverse("market:contract_list") + "?state=registered&q=染色",
        reverse("market:contract_create"),
        reverse("market:contract_detail", args=[contract.pk]),
    ]
    for who in ("staff", "kq_staff", "kq_officer", "ent_a", "ent_b", "leader"):
        client.force_login(world[who])
        for url in pages:
            expected = 403 if (url.endswith("/new/") and who in ("kq_officer", "leader")) else 200
            assert client.get(url).status_code == expected, (who, url)
    client.force_login(world["leader"])
    for group in ("region_out", "region_in", "type", "sub_type", "field", "month"):
        assert client.get(reverse("market:contract_statistics"), {"group_by": group}).status_code == 200


# --- API ----------------------------------------------------------------------------------------------------


def post_json(client, url, body, method="post"):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def api_body(world, **extra):
    return {
        "title": "纤维改性技术转让合同",
        "contract_type": "transfer",
        "sub_type": "secret_transfer",
        "seller": {"organization_id": world["org_a"].pk},
        "buyer": {"credit_code": world["org_b"].credit_code},
        "tech_field": "new_materials",
        "contract_amount": "800000",
        "non_technical_items": [{"kind": "instrument", "amount": "100000"}],
        "signed_on": SIGNED,
        **extra,
    }


def test_api_submit_upload_register_and_statistics(client, world):
    client.force_login(world["ent_a"])
    created = post_json(client, "/api/market/contracts", api_body(world))
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["contract_amount"], body["non_technical_amount"], body["transaction_amount"]) == (
        "800000.00",
        "100000.00",
        "700000.00",
    )
    assert (body["state"], body["has_file"], body["actions"]) == ("submitted", False, [])
    pk = body["id"]
    upload = client.post(f"/api/market/contracts/{pk}/file", {"file": pdf(), "version": body["version"]})
    assert upload.status_code == 200 and upload.json()["has_file"] is True
    assert (
        post_json(client, f"/api/market/contracts/{pk}/transitions", {"action": "register"}).status_code
        == 403
    )
    client.force_login(world["kq_staff"])
    stale = post_json(client, f"/api/market/contracts/{pk}/transitions", {"action": "register", "version": 1})
    assert stale.status_code == 409
    done = post_json(
        client,
        f"/api/market/contracts/{pk}/transitions",
        {"action": "register", "version": upload.json()["version"]},
    )
    assert done.status_code == 200
    assert done.json()["registration_no"] == f"{YEAR}330603000001"
    assert [(t["from_state"], t["to_state"]) for t in done.json()["timeline"]] == [
        ("", "submitted"),
        ("submitted", "registered"),
    ]
    listed = client.get("/api/market/contracts", {"state": "registered", "contract_type": "transfer"}).json()
    assert [item["id"] for item in listed["items"]] == [pk]
    stats = client.get("/api/market/contracts/statistics", {"group_by": "type"}).json()
    assert stats["total"] == {
        "key": "",
        "label": "合计",
        "count": 1,
        "contract_amount": "800000.00",
        "transaction_amount": "700000.00",
    }
    assert client.get("/api/market/contracts/statistics", {"group_by": "nonsense"}).status_code == 400


def test_api_scoping_and_refusals(client, world):
    own = submitted(world)
    stranger_org = OrganizationFactory(name="柯桥丙公司", region=region("330603L02"))
    stranger = UserFactory(role="enterprise", organization=stranger_org, region=stranger_org.region)
    client.force_login(stranger)
    assert client.get("/api/market/contracts").json()["count"] == 0
    assert client.get(f"/api/market/contracts/{own.pk}").status_code == 404
    refused = post_json(client, "/api/market/contracts", api_body(world))
    assert refused.status_code == 400 and refused.json()["detail"] == "本单位须为合同的卖方或买方。"
    assert client.get("/api/market/contracts/statistics").status_code == 403
    client.force_login(world["ent_a"])
    wrong = post_json(client, "/api/market/contracts", api_body(world, sub_type="patent_license"))
    assert wrong.status_code == 400 and wrong.json()["field"] == "sub_type"
    update = post_json(
        client,
        f"/api/market/contracts/{own.pk}",
        api_body(world, contract_amount="900000", version=own.version),
        method="put",
    )
    assert update.status_code == 200 and update.json()["transaction_amount"] == "800000.00"
    contract_register(contract=own, by=world["kq_staff"])
    again = post_json(client, f"/api/market/contracts/{own.pk}", api_body(world), method="put")
    assert again.status_code == 403 and again.json()["detail"] == "已登记或不予登记的合同不能修改。"
