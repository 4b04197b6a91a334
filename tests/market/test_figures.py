"""The market's report figures (market/figures.py): each counts exactly the records its definition names."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kechuang.enterprises.models import Need, Visit
from kechuang.market import figures
from kechuang.market.events import event_figures
from kechuang.market.models import ContractRegistration, Listing, MatchmakingEvent, Meeting

from ..factories import OrganizationFactory, region

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def listing(org, kind="demand", *, created, state="published", submitted=True, published=True, **extra):
    created_at = at(*created)
    return Listing.objects.create(
        kind=kind,
        organization=org,
        region=org.region,
        title=f"{kind}-{created}",
        description="说明",
        tech_field="new_materials",
        cooperation="joint_development" if kind == "demand" else "transfer",
        expires_on=date(2030, 1, 1),
        contact_name="张三",
        contact_phone="0575-88000000",
        state=state,
        submitted_at=created_at + timedelta(hours=1) if submitted else None,
        published_at=created_at + timedelta(days=2) if published else None,
        created_at=created_at,
        **extra,
    )


@pytest.fixture
def orgs(world):
    return {
        "kq": world["org_a"],  # enterprise, 柯桥
        "zj": world["org_b"],  # enterprise, 诸暨
        "inst": world["institution"].organization,  # institution, 越城
        "jx": OrganizationFactory(name="嘉兴测试科技有限公司", region=region("330402")),
    }


def pks(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))


def test_demands_collected_counts_enterprise_demands_that_reached_the_bureau_in_the_year(orgs, world):
    kq, zj, inst, jx = orgs["kq"], orgs["zj"], orgs["inst"], orgs["jx"]
    counted = [
        listing(kq, created=(2019, 3, 5, 10)),
        listing(kq, created=(2019, 12, 31, 23, 30)),  # late on New Year's Eve, Shanghai time
        listing(zj, created=(2019, 6, 1, 9), state="expired"),
        listing(zj, created=(2019, 6, 2, 9), state="withdrawn"),  # withdrawn after publication
        listing(zj, created=(2019, 6, 3, 9), state="returned", published=False),
        listing(zj, created=(2019, 7, 1, 9), state="pending", published=False),
    ]
    visit = Visit.objects.create(
        organization=kq, visited_on=date(2019, 5, 1), summary="走访", recorded_by=world["kq_staff"]
    )
    need = Need.objects.create(visit=visit, kind="technical", description="印染废水")
    counted.append(  # drafted by the bureau from a visit's need: the 摸排 itself
        listing(
            kq, created=(2019, 5, 2, 9), state="draft", submitted=False, published=False, source_need=need
        )
    )
    left_out = [
        listing(kq, created=(2019, 4, 1, 9), state="draft", submitted=False, published=False),
        listing(kq, created=(2019, 4, 2, 9), state="withdrawn", published=False),
        listing(kq, created=(2018, 12, 31, 23, 30)),
        listing(kq, created=(2020, 1, 1, 0, 30)),
        listing(inst, created=(2019, 4, 3, 9)),  # an institution's demand is not 企业技术需求
        listing(kq, "achievement", created=(2019, 4, 4, 9)),
    ]
    outside = listing(jx, created=(2019, 8, 8, 9))

    figure = figures.demands_collected("330600", 2019)

    assert figure.label == "摸排提炼企业技术需求" and figure.unit == "项"
    assert figure.value == len(counted) == 7
    assert pks(figure.records) == {x.pk for x in counted}
    assert not pks(figure.records) & {x.pk for x in left_out}
    parts = {p.label: p for p in figure.parts}
    assert list(parts) == ["越城区", "柯桥区", "上虞区", "新昌县", "诸暨市", "嵊州市"]
    assert parts["柯桥区"].value == 3 and parts["诸暨市"].value == 4 and parts["越城区"].value == 0
    assert pks(parts["诸暨市"].records) == {x.pk for x in counted if x.organization_id == zj.pk}
    # The region is a scope: a county counts its own, another city its own.
    assert figures.demands_collected("330603", 2019).value == 3
    assert pks(figures.demands_collected("330400", 2019).records) == {outside.pk}


def test_achievements_collected_counts_institutions_only(orgs):
    inst, kq = orgs["inst"], orgs["kq"]
    counted = [
        listing(inst, "achievement", created=(2019, 2, 1, 9)),
        listing(inst, "achievement", created=(2019, 9, 1, 9), state="expired"),
    ]
    listing(kq, "achievement", created=(2019, 3, 1, 9))  # an enterprise's achievement
    listing(inst, "achievement", created=(2019, 3, 2, 9), state="draft", submitted=False, published=False)
    listing(inst, "demand", created=(2019, 3, 3, 9))

    figure = figures.achievements_collected(region("330600"), 2019)

    assert figure.label == "征集高校院所科技成果"
    assert figure.value == 2 and pks(figure.records) == {x.pk for x in counted}
    assert {p.label: p.value for p in figure.parts}["越城区"] == 2


def event(county, held_on, state="finished"):
    return MatchmakingEvent.objects.create(
        title=f"对接会{county}{held_on}",
        region=region(county),
        held_on=held_on,
        place="会议中心",
        starts_at=time(9, 0),  # the model's default is the string "09:00", which the audit line cannot format
        state=state,
    )


def meeting(ev, demand, achievement, outcome, slot=0, table=0, amount=None):
    return Meeting.objects.create(
        event=ev,
        demand=demand,
        achievement=achievement,
        demand_party=demand.organization,
        supply_party=achievement.organization,
        slot=slot,
        table=table,
        outcome=outcome,
        amount=amount,
    )


def test_events_held_and_intents_reached(orgs):
    kq, zj, inst = orgs["kq"], orgs["zj"], orgs["inst"]
    d1 = listing(kq, created=(2019, 1, 5, 9))
    d2 = listing(zj, created=(2019, 1, 6, 9))
    a1 = listing(inst, "achievement", created=(2019, 1, 7, 9))
    a2 = listing(kq, "achievement", created=(2019, 1, 8, 9))
    held_kq = event("330603", date(2019, 4, 10))
    held_city = event("330600", date(2019, 12, 31))
    cancelled = event("330603", date(2019, 5, 10), state="cancelled")
    open_event = event("330681", date(2019, 6, 10), state="open")
    last_year = event("330603", date(2018, 12, 20))
    elsewhere = event("330402", date(2019, 4, 10))
    intents = [
        meeting(held_kq, d1, a1, "intent", slot=0, table=0),
        meeting(held_kq, d2, a1, "signed", slot=1, table=0, amount=Decimal("500000")),
        meeting(held_city, d1, a1, "intent"),
    ]
    meeting(held_kq, d2, a2, "no_deal", slot=0, table=1)
    meeting(held_kq, d1, a2, "intent", slot=None, table=None)  # never scheduled
    for ev in (cancelled, last_year, elsewhere):
        meeting(ev, d1, a1, "intent")

    held = figures.events_held("330600", 2019)
    reached = figures.intents_reached("330600", 2019)

    assert held.label == "科技对接活动" and held.unit == "场"
    assert held.value == 2 and pks(held.records) == {held_kq.pk, held_city.pk}
    assert {p.label: p.value for p in held.parts} == {
        "越城区": 0,
        "柯桥区": 1,
        "上虞区": 0,
        "新昌县": 0,
        "诸暨市": 0,
        "嵊州市": 0,
        "绍兴市本级": 1,
    }
    assert not pks(held.records) & {cancelled.pk, open_event.pk, last_year.pk, elsewhere.pk}
    assert reached.label == "达成意向合作项目"
    assert reached.value == 3 and pks(reached.records) == {m.pk for m in intents}
    assert [(p.label, p.value) for p in reached.parts] == [("达成意向", 2), ("现场签约", 1)]
    # The events module's own figures agree.
    by_events = event_figures(year=2019, region_code="330600")
    assert (by_events.events, by_events.total.intents) == (held.value, reached.value)
    assert figures.intents_reached("330603", 2019).value == 2


def contract(
    seller, seller_region, registered_on, *, amount, non_technical="0", state="registered", buyer_region=None
):
    amount, non_technical = Decimal(amount), Decimal(non_technical)
    return ContractRegistration.objects.create(
        title="技术开发合同",
        contract_type="development",
        sub_type="commissioned_development",
        seller=seller,
        seller_name=seller.name if seller else "外地卖方",
        seller_region=region(seller_region),
        buyer_name="买方",
        buyer_region=region(buyer_region) if buyer_region else None,
        tech_field="new_materials",
        contract_amount=amount,
        non_technical_amount=non_technical,
        transaction_amount=amount - non_technical,
        signed_on=date(2019, 1, 2),
        state=state,
        registered_on=registered_on,
    )


def test_transaction_amount_sums_registered_contracts_of_sellers_in_the_region(orgs):
    kq, zj, jx = orgs["kq"], orgs["zj"], orgs["jx"]
    counted = [
        contract(kq, "330603L01", date(2019, 3, 1), amount="5000000.00", non_technical="1500000.00"),
        contract(zj, "330681L01", date(2019, 12, 31), amount="250000050.55"),
    ]
    contract(jx, "330402", date(2019, 5, 1), amount="9000000", buyer_region="330603")  # 吸纳, not 输出
    contract(kq, "330603L01", date(2020, 1, 2), amount="7000000")
    contract(kq, "330603L01", None, amount="8000000", state="submitted")
    contract(kq, "330603L01", None, amount="8000000", state="rejected")

    transaction, contract_amount, count = figures.contract_figures("330600", 2019)

    # 技术交易额 = 合同成交额 − 非技术性费用 (rules.md §5.3): 3,500,000 + 250,000,050.55.
    assert transaction.label == "技术交易额" and transaction.unit == "亿元"
    assert transaction.value == Decimal("2.5")  # 2.5350005055 亿元, one decimal
    exact = transaction.part("技术交易额（元）")
    assert exact.value == Decimal("253500050.55") and exact.unit == "元"
    assert transaction.part("合同成交额（元）").value == Decimal("255000050.55")
    assert transaction.part("技术合同登记数").value == 2
    assert pks(transaction.records) == {c.pk for c in counted}
    assert contract_amount.label == "技术合同成交额" and contract_amount.value == Decimal("2.6")
    assert count.value == 2 and count.unit == "项"
    assert figures.transaction_amount("330400", 2019).part("技术交易额（元）").value == Decimal("9000000.00")
    assert figures.yi(Decimal("5600000000.00")) == Decimal("56.0")
    assert figures.yi(Decimal("5649999999.99")) == Decimal("56.5")


def test_report_figures_in_the_report_s_order_with_bounded_queries(orgs, django_assert_max_num_queries):
    listing(orgs["kq"], created=(2019, 3, 5, 10))
    listing(orgs["inst"], "achievement", created=(2019, 3, 5, 10))
    with django_assert_max_num_queries(10):
        rows = figures.report_figures("330600", 2019)
    assert [(f.label, f.value) for f in rows] == [
        ("摸排提炼企业技术需求", 1),
        ("征集高校院所科技成果", 1),
        ("科技对接活动", 0),
        ("达成意向合作项目", 0),
        ("技术交易额", Decimal("0.0")),
        ("技术合同成交额", Decimal("0.0")),
        ("技术合同登记数", 0),
    ]
