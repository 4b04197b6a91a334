"""技术合同登记 (issue 5 item 6): submission with both amounts, the registrar's workflow with its audit trail,
registration numbers, visibility and region scoping, the statistics (输出 / 吸纳) and the thread link."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kechuang.core.errors import ConflictError, DomainError, PermissionDenied
from kechuang.core.jobs import run_job_now
from kechuang.core.models import AuditLog, Notification
from kechuang.market.contract_rules import CostItem, CostKind
from kechuang.market.contracts import (
    CONTRACT_WORKFLOW,
    ContractAction,
    contract_attach_file,
    contract_cost_detail,
    contract_register,
    contract_reject,
    contract_resubmit,
    contract_return,
    contract_statistics,
    contract_timeline,
    contract_transition,
    contract_update,
    contracts_counted,
    contracts_of_thread,
    contracts_visible_to,
)
from kechuang.market.enums import ContractState, ListingKind
from kechuang.market.models import ContractRegistration, Thread

from ..factories import OrganizationFactory, UserFactory, audit_for, region
from .contract_helpers import data, example_items, make_listing, registered, submitted

pytestmark = pytest.mark.django_db

S = ContractState
YEAR = timezone.localdate().year


def transitions(contract):
    return [(line.from_state, line.to_state, line.reason) for line in contract_timeline(contract)]


# --- submission -------------------------------------------------------------------------------------------


def test_a_party_submits_the_rules_example_and_both_amounts_are_kept(world):
    """rules.md §5.3 constructed example through the service: 合同成交额 500万, 技术交易额 350万."""
    contract = submitted(world, items=example_items())
    contract.refresh_from_db()
    assert (contract.contract_amount, contract.non_technical_amount, contract.transaction_amount) == (
        Decimal("5000000.00"),
        Decimal("1500000.00"),
        Decimal("3500000.00"),
    )
    assert contract.state == S.SUBMITTED
    assert (contract.seller_name, contract.seller_region_id) == ("柯桥甲纺织有限公司", "330603L01")
    assert (contract.buyer_name, contract.buyer_region_id) == ("诸暨乙机械有限公司", "330681L01")
    assert contract.registration_no is None
    assert contract.submitted_by == world["ent_a"]
    assert contract_cost_detail(contract) == (
        "购置设备 1200000.00元；原材料 300000.00元；成套技术设备/试验装置 200000.00元（2套，样机），不扣除"
    )
    assert transitions(contract) == [("", S.SUBMITTED, "提交认定登记申请")]


def test_a_buyer_submits_naming_a_seller_that_is_not_registered(world):
    contract = submitted(
        world,
        by="ent_b",
        seller=None,
        seller_name="绍兴某技术服务中心",
        seller_region="330602",
        non_technical_amount="1000",
    )
    assert (contract.seller_id, contract.seller_name, contract.seller_region_id) == (
        None,
        "绍兴某技术服务中心",
        "330602",
    )
    assert contract.transaction_amount == Decimal("4999000.00")
    assert contract_cost_detail(contract) == "非技术性费用合计 1000.00元"


def test_an_organization_enters_only_contracts_it_is_party_to(world):
    with pytest.raises(DomainError, match="本单位须为合同的卖方或买方"):
        submitted(world, seller=world["org_b"], buyer=None, buyer_name="上海某公司")
    assert ContractRegistration.objects.count() == 0


def test_the_bureau_enters_a_contract_only_for_a_seller_of_its_region(world):
    contract = submitted(world, by="kq_staff")  # seller 柯桥: the 柯桥 bureau may
    assert contract.submitted_by == world["kq_staff"]
    with pytest.raises(PermissionDenied, match="不在您的登记范围内"):
        submitted(world, by="kq_staff", seller=world["org_b"], buyer=world["org_a"])
    for who in ("kq_officer", "expert", "leader"):
        with pytest.raises(PermissionDenied):
            submitted(world, by=who)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sub_type": "patent_transfer"}, "sub_type"),  # not a sub-type of 技术开发 (rules.md §5.2)
        ({"tech_field": "space"}, "tech_field"),
        ({"signed_on": timezone.localdate() + timedelta(days=1)}, "signed_on"),
        ({"valid_from": date(2026, 5, 2), "valid_until": date(2026, 5, 1)}, "valid_until"),
        ({"non_technical_amount": "5000000.01"}, "non_technical_amount"),
        ({"title": " "}, "title"),
        ({"buyer": None}, "buyer"),
        ({"seller": None, "by": "ent_b", "seller_name": "某公司"}, "seller_region"),
    ],
)
def test_submissions_are_checked(world, kwargs, field):
    with pytest.raises(DomainError) as refused:
        submitted(world, **kwargs)
    assert refused.value.field == field


def test_the_two_parties_must_differ_and_a_bad_file_is_refused(world):
    with pytest.raises(DomainError, match="不能是同一单位"):
        submitted(world, buyer=world["org_a"])
    bad = data(seller=world["org_a"], buyer=world["org_b"], with_file=False)
    bad.contract_file = SimpleUploadedFile("合同.pdf", b"not a pdf", content_type="application/pdf")
    from kechuang.market.contracts import contract_submit

    with pytest.raises(DomainError, match="文件内容与扩展名不符") as refused:
        contract_submit(data=bad, by=world["ent_a"])
    assert refused.value.field == "contract_file"


# --- workflow ---------------------------------------------------------------------------------------------


def test_the_registrar_of_the_sellers_county_registers_with_a_number(world):
    contract = submitted(world)
    done = contract_register(contract=contract, by=world["kq_staff"], expected_version=contract.version)
    assert done.state == S.REGISTERED
    assert done.registration_no == f"{YEAR}330603000001"
    assert (done.registered_on, done.registrar) == (timezone.localdate(), world["kq_staff"])
    second = contract_register(contract=submitted(world), by=world["kq_staff"])
    assert second.registration_no == f"{YEAR}330603000002"
    # The city bureau registers under its own code, with its own sequence.
    third = contract_register(contract=submitted(world), by=world["staff"])
    assert third.registration_no == f"{YEAR}330600000001"
    assert transitions(done) == [("", S.SUBMITTED, "提交认定登记申请"), (S.SUBMITTED, S.REGISTERED, "")]
    line = audit_for(done, action=AuditLog.Action.TRANSITION, to_state=S.REGISTERED).get()
    assert line.actor == world["kq_staff"]


def test_a_county_registrar_cannot_register_another_countys_contract(world):
    contract = submitted(world, by="ent_b", seller=world["org_b"], buyer=world["org_a"])  # seller in 诸暨
    for who in ("kq_staff", "kq_officer", "zj_officer", "ent_a", "ent_b", "leader"):
        with pytest.raises(PermissionDenied):
            contract_register(contract=contract, by=world[who])
    contract.refresh_from_db()
    assert (contract.state, contract.registration_no) == (S.SUBMITTED, None)
    assert contract_register(contract=contract, by=world["admin"]).registration_no == f"{YEAR}330600000001"


def test_a_superuser_without_region_numbers_under_the_sellers_county(world):
    root = UserFactory(role="bureau_admin", is_superuser=True)
    assert contract_register(contract=submitted(world), by=root).registration_no == f"{YEAR}330603000001"


def test_no_registration_without_the_contract_text(world):
    contract = submitted(world, with_file=False)
    with pytest.raises(DomainError, match="合同文本尚未上传"):
        contract_register(contract=contract, by=world["kq_staff"])
    contract = contract_attach_file(
        contract=contract,
        upload=SimpleUploadedFile("扫描件.png", b"\x89PNG\r\n\x1a\n0000", content_type="image/png"),
        by=world["ent_a"],
    )
    assert contract_register(contract=contract, by=world["kq_staff"]).state == S.REGISTERED


def test_return_correct_and_resubmit_then_register(world):
    contract = submitted(world, non_technical_amount="0")
    with pytest.raises(DomainError, match="请填写理由"):
        contract_return(contract=contract, by=world["kq_staff"], reason=" ")
    returned = contract_return(
        contract=contract,
        by=world["kq_staff"],
        reason="请列明购置设备费用",
        expected_version=contract.version,
    )
    assert (returned.state, returned.return_reason) == (S.RETURNED, "请列明购置设备费用")
    with pytest.raises(DomainError, match="不能执行"):
        contract_register(contract=returned, by=world["kq_staff"])
    with pytest.raises(PermissionDenied):
        contract_resubmit(contract=returned, by=world["kq_staff"])  # the registrar does not resubmit for them
    corrected = data(seller=world["org_a"], buyer=world["org_b"], items=example_items(), with_file=False)
    with pytest.raises(ConflictError):
        contract_resubmit(
            contract=returned, by=world["ent_b"], data=corrected, expected_version=contract.version
        )
    again = contract_resubmit(
        contract=returned, by=world["ent_b"], data=corrected, expected_version=returned.version
    )
    assert (again.state, again.return_reason, again.transaction_amount) == (
        S.SUBMITTED,
        "",
        Decimal("3500000.00"),
    )
    assert bool(again.contract_file)  # no new file: the one uploaded is kept
    assert contract_cost_detail(again).startswith("购置设备 1200000.00元")
    done = contract_register(contract=again, by=world["kq_staff"])
    assert transitions(done) == [
        ("", S.SUBMITTED, "提交认定登记申请"),
        (S.SUBMITTED, S.RETURNED, "请列明购置设备费用"),
        (S.RETURNED, S.SUBMITTED, ""),
        (S.SUBMITTED, S.REGISTERED, ""),
    ]
    # The correction of the costs is on the audit trail, old and new.
    cost_lines = audit_for(done, changes__has_key="non_technical_detail").order_by("at", "pk")
    assert [line.changes["non_technical_detail"] for line in cost_lines][-1][0] == "非技术性费用合计 0.00元"
    assert [line.changes["non_technical_detail"] for line in cost_lines][-1][1].startswith(
        "购置设备 1200000.00元"
    )


def test_refusal_is_final_and_says_why(world):
    contract = submitted(world, contract_type="service", sub_type="training")
    refused = contract_reject(
        contract=contract, by=world["kq_staff"], reason="职工一般性培训或产品操作培训，不属于技术培训合同。"
    )
    assert (refused.state, refused.registration_no) == (S.REJECTED, None)
    assert refused.return_reason == "职工一般性培训或产品操作培训，不属于技术培训合同。"
    for action in ContractAction.values:
        with pytest.raises(DomainError):
            contract_transition(contract=refused, action=action, by=world["kq_staff"], reason="再议")
    with pytest.raises(DomainError, match="不能修改"):
        contract_update(
            contract=refused, data=data(seller=world["org_a"], buyer=world["org_b"]), by=world["ent_a"]
        )


def test_a_stale_version_is_a_conflict(world):
    contract = submitted(world)
    contract_update(
        contract=contract,
        data=data(seller=world["org_a"], buyer=world["org_b"], contract_amount="6000000", with_file=False),
        by=world["ent_a"],
        expected_version=contract.version,
    )
    with pytest.raises(ConflictError):
        contract_register(contract=contract, by=world["kq_staff"], expected_version=contract.version)
    contract.refresh_from_db()
    assert (contract.state, contract.contract_amount, contract.version) == (
        S.SUBMITTED,
        Decimal("6000000.00"),
        2,
    )


def test_workflow_refuses_every_pair_not_in_its_table(world):
    """Exhaustive: for every state and action, a superuser's transition succeeds exactly when the table has it."""
    root = UserFactory(role="bureau_admin", is_superuser=True, region=region("330600"))
    contract = submitted(world, by=root)
    for state in S.values:
        for action in ContractAction.values:
            ContractRegistration.objects.filter(pk=contract.pk).update(state=state, registration_no=None)
            contract.refresh_from_db()
            expected = (state, action) in CONTRACT_WORKFLOW.transitions
            try:
                contract_transition(contract=contract, action=action, by=root, reason="测试")
                outcome = True
            except DomainError as exc:
                assert "不能执行" in exc.message, (state, action, exc.message)
                outcome = False
            assert outcome == expected, (state, action)


# --- visibility -------------------------------------------------------------------------------------------


def test_an_enterprise_sees_only_its_own_contracts(world):
    own = submitted(world)
    other_org = OrganizationFactory(name="柯桥丙公司", region=region("330603L02"))
    stranger = UserFactory(role="enterprise", organization=other_org, region=other_org.region)
    foreign = submitted(world, by=stranger, seller=other_org, buyer=None, buyer_name="宁波某公司")
    assert list(contracts_visible_to(user=world["ent_a"])) == [own]
    assert list(contracts_visible_to(user=world["ent_b"])) == [own]  # the buyer sees the contract naming it
    assert list(contracts_visible_to(user=stranger)) == [foreign]
    assert list(contracts_visible_to(user=world["expert"])) == []


def test_region_users_see_contracts_sold_from_or_bought_into_their_region(world):
    kq_sold = submitted(world)  # 柯桥 → 诸暨
    zj_sold = submitted(world, by="ent_b", seller=world["org_b"], buyer=None, buyer_name="上海某公司")
    yc_to_kq = submitted(
        world, by="staff", seller=None, seller_name="越城某院", seller_region="330602", buyer=world["org_a"]
    )
    ids = lambda who: set(contracts_visible_to(user=world[who]).values_list("pk", flat=True))  # noqa: E731
    assert ids("staff") == {kq_sold.pk, zj_sold.pk, yc_to_kq.pk}
    assert ids("kq_staff") == {kq_sold.pk, yc_to_kq.pk}
    assert ids("kq_officer") == {kq_sold.pk, yc_to_kq.pk}  # town 330603L01: both name 柯桥甲
    assert ids("zj_officer") == {kq_sold.pk, zj_sold.pk}


# --- registration numbers under concurrency ----------------------------------------------------------------


@pytest.mark.postgresql  # row and advisory locks
@pytest.mark.django_db(transaction=True)
def test_registering_at_once_gives_unique_numbers_without_gaps(monkeypatch):
    from django.db import connections

    from kechuang.market import contracts as contracts_module

    from ..conftest import build_world

    # Not under test here: a Celery worker notifying still, while the test database is flushed, would block
    # the flush (the production pass of CI runs jobs on a worker).
    monkeypatch.setattr(contracts_module, "_notify", lambda contract: None)

    world = build_world()
    contracts = [submitted(world) for _ in range(6)]
    # Two registrars of the same bureau (柯桥), so all numbers come from one sequence.
    second = UserFactory(role="bureau_staff", region=region("330603"))
    registrars = [world["kq_staff"], second]
    barrier = threading.Barrier(len(contracts))
    numbers, errors = [], []

    def register(index):
        try:
            barrier.wait()
            numbers.append(
                contract_register(contract=contracts[index], by=registrars[index % 2]).registration_no
            )
        except Exception as exc:  # noqa: BLE001  reported below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(i,)) for i in range(len(contracts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == [f"{YEAR}330603{n:06d}" for n in range(1, 7)]
    assert ContractRegistration.objects.filter(state=S.REGISTERED).count() == 6


# --- the thread link and notifications --------------------------------------------------------------------


def test_registered_contracts_of_a_thread_and_source_checks(world):
    demand = make_listing(world["org_b"], kind=ListingKind.DEMAND, cooperation="commissioned")
    thread = Thread.objects.create(
        listing=demand, owner=world["org_b"], party=world["org_a"], started_by=world["ent_a"]
    )
    contract = submitted(world, thread=thread)
    assert contract.listing == demand  # the thread's listing becomes the source listing
    assert list(contracts_of_thread(thread)) == []  # not registered yet
    contract_register(contract=contract, by=world["kq_staff"])
    assert list(contracts_of_thread(thread)) == [contract]
    other = OrganizationFactory(name="柯桥丁公司", region=region("330603L01"))
    with pytest.raises(DomainError, match="来源洽谈的双方须与合同双方一致") as refused:
        submitted(world, buyer=other, thread=thread)
    assert refused.value.field == "thread"
    with pytest.raises(DomainError, match="来源供需信息须为合同一方发布的信息"):
        submitted(world, buyer=other, listing=demand)


def test_notifications_go_to_registrars_then_to_the_parties(world):
    contract = submitted(world)
    sent = run_job_now("market.contract_notify", {"contract_id": contract.pk, "version": contract.version})
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {world[w].username for w in ("admin", "staff", "kq_staff")}
    assert sent == 3
    done = contract_return(contract=contract, by=world["kq_staff"], reason="缺少附件")
    Notification.objects.all().delete()
    assert run_job_now("market.contract_notify", {"contract_id": done.pk, "version": done.version}) == 2
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        world["ent_a"].username,
        world["ent_b"].username,
    }
    assert Notification.objects.first().body == "理由：缺少附件"
    assert run_job_now("market.contract_notify", {"contract_id": done.pk, "version": done.version}) == 0


# --- statistics -------------------------------------------------------------------------------------------


@pytest.fixture
def book(world):
    """Five registered contracts and one only submitted, with hand-picked amounts and 登记日期 (2026)."""
    c1 = registered(world, on=date(2026, 3, 10), non_technical_amount="1500000")  # 柯桥 → 诸暨, 500万 / 350万
    c2 = registered(
        world,
        by="ent_b",
        seller=world["org_b"],
        buyer=world["org_a"],
        contract_type="transfer",
        sub_type="patent_transfer",
        tech_field="electronic_information",
        contract_amount="1000000",
        on=date(2026, 3, 20),
    )  # 诸暨 → 柯桥, 100万 / 100万
    c3 = registered(
        world,
        by="staff",
        seller=world["institution"].organization,
        buyer=None,
        buyer_name="上海某公司",
        contract_type="service",
        sub_type="training",
        tech_field="advanced_manufacturing",
        contract_amount="200000.50",
        non_technical_amount="50000.25",
        on=date(2026, 4, 2),
    )  # 越城 → 省外, 200000.50 / 150000.25
    c4 = registered(
        world,
        buyer=None,
        buyer_name="嘉兴某公司",
        buyer_region="330402",
        contract_type="license",
        sub_type="patent_license",
        contract_amount="300000",
        on=date(2026, 4, 15),
    )  # 柯桥 → 嘉兴南湖, 30万 / 30万
    registered(world, contract_amount="7000000", on=date(2025, 12, 31))  # outside the period
    submitted(world, contract_amount="9999999")  # not registered: never counted
    return c1, c2, c3, c4


PERIOD = {"date_from": date(2026, 1, 1), "date_to": date(2026, 6, 30)}


def table(stats):
    return [(r.key, r.label, r.count, r.contract_amount, r.transaction_amount) for r in stats.rows if r.count]


def totals(stats):
    t = stats.total
    return (t.count, t.contract_amount, t.transaction_amount)


def test_statistics_by_sellers_region_for_the_city(world, book):
    stats = contract_statistics(user=world["staff"], group_by="region_out", **PERIOD)
    assert table(stats) == [
        ("330602", "越城区", 1, Decimal("200000.50"), Decimal("150000.25")),
        ("330603", "柯桥区", 2, Decimal("5300000.00"), Decimal("3800000.00")),
        ("330681", "诸暨市", 1, Decimal("1000000.00"), Decimal("1000000.00")),
    ]
    assert [r.key for r in stats.rows] == ["330602", "330603", "330604", "330624", "330681", "330683"]
    assert totals(stats) == (4, Decimal("6500000.50"), Decimal("4950000.25"))


def test_statistics_by_buyers_region_count_what_the_region_absorbed(world, book):
    city = contract_statistics(user=world["staff"], group_by="region_in", **PERIOD)
    assert table(city) == [
        ("330603", "柯桥区", 1, Decimal("1000000.00"), Decimal("1000000.00")),
        ("330681", "诸暨市", 1, Decimal("5000000.00"), Decimal("3500000.00")),
    ]
    assert totals(city) == (
        2,
        Decimal("6000000.00"),
        Decimal("4500000.00"),
    )  # 省外 and 嘉兴 buyers are not 绍兴's
    county = contract_statistics(user=world["kq_staff"], group_by="region_in", **PERIOD)
    assert table(county) == [("330603L01", "柯桥街道", 1, Decimal("1000000.00"), Decimal("1000000.00"))]
    root = UserFactory(role="bureau_admin", is_superuser=True)  # no region: the whole province and beyond
    everywhere = contract_statistics(user=root, group_by="region_in", **PERIOD)
    assert table(everywhere) == [
        ("330400", "嘉兴市", 1, Decimal("300000.00"), Decimal("300000.00")),
        ("330600", "绍兴市", 2, Decimal("6000000.00"), Decimal("4500000.00")),
        ("", "省外或未登记区划", 1, Decimal("200000.50"), Decimal("150000.25")),
    ]


def test_a_county_sees_its_own_output_by_type_field_and_month(world, book):
    by_type = contract_statistics(user=world["kq_staff"], group_by="type", **PERIOD)
    assert table(by_type) == [
        ("development", "技术开发", 1, Decimal("5000000.00"), Decimal("3500000.00")),
        ("license", "技术许可", 1, Decimal("300000.00"), Decimal("300000.00")),
    ]
    assert [r.key for r in by_type.rows] == ["development", "transfer", "license", "consulting", "service"]
    absorbed = contract_statistics(user=world["kq_staff"], group_by="type", direction="in", **PERIOD)
    assert table(absorbed) == [("transfer", "技术转让", 1, Decimal("1000000.00"), Decimal("1000000.00"))]
    by_field = contract_statistics(user=world["staff"], group_by="field", **PERIOD)
    assert table(by_field) == [
        ("electronic_information", "电子信息", 1, Decimal("1000000.00"), Decimal("1000000.00")),
        ("new_materials", "新材料", 2, Decimal("5300000.00"), Decimal("3800000.00")),
        ("advanced_manufacturing", "先进制造与自动化", 1, Decimal("200000.50"), Decimal("150000.25")),
    ]
    by_month = contract_statistics(user=world["staff"], group_by="month", **PERIOD)
    assert [(r.key, r.count, r.contract_amount) for r in by_month.rows] == [
        ("2026-01", 0, Decimal("0.00")),
        ("2026-02", 0, Decimal("0.00")),
        ("2026-03", 2, Decimal("6000000.00")),
        ("2026-04", 2, Decimal("500000.50")),
        ("2026-05", 0, Decimal("0.00")),
        ("2026-06", 0, Decimal("0.00")),
    ]
    by_sub_type = contract_statistics(
        user=world["staff"], group_by="sub_type", contract_type="service", **PERIOD
    )
    assert table(by_sub_type) == [("training", "技术培训", 1, Decimal("200000.50"), Decimal("150000.25"))]


def test_statistics_filters_scope_and_records(world, book):
    c1, c2, c3, c4 = book
    assert set(contracts_counted(user=world["staff"], **PERIOD)) == {c1, c2, c3, c4}
    assert set(contracts_counted(user=world["kq_staff"], direction="in", **PERIOD)) == {c2}
    drill = contract_statistics(user=world["staff"], group_by="region_out", region="330603", **PERIOD)
    assert table(drill) == [("330603L01", "柯桥街道", 2, Decimal("5300000.00"), Decimal("3800000.00"))]
    with pytest.raises(PermissionDenied):
        contract_statistics(user=world["kq_staff"], group_by="type", region="330681", **PERIOD)
    with pytest.raises(PermissionDenied):
        contract_statistics(user=world["ent_a"], group_by="type", **PERIOD)
    with pytest.raises(DomainError, match="不能早于起始日期"):
        contract_statistics(
            user=world["staff"], group_by="type", date_from=date(2026, 5, 1), date_to=date(2026, 4, 1)
        )
    everything = contract_statistics(user=world["staff"], group_by="type", date_from=None, date_to=None)
    assert totals(everything) == (5, Decimal("13500000.50"), Decimal("11950000.25"))


def test_itemised_costs_of_a_carrier_set_beyond_two(world):
    contract = submitted(
        world,
        contract_amount="1000000",
        items=[
            CostItem(CostKind.CARRIER_SET, Decimal("300000"), quantity=3),
            CostItem(CostKind.PART, Decimal("5000")),
        ],
    )
    assert (contract.non_technical_amount, contract.transaction_amount) == (
        Decimal("105000.00"),
        Decimal("895000.00"),
    )
    assert "扣除100000.00元" in contract_cost_detail(contract)
