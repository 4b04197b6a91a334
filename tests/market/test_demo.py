"""The market demo: deterministic, calibrated to 绍兴's published 2019 figures, idempotent, and made of records
that satisfy the market's own rules."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal
from functools import cache

import pytest
from django.db.models import F

from kechuang.demo import generator
from kechuang.market import contract_rules, demo
from kechuang.market.demo import CALIBRATION, PRESENT_DAY, DemoOrg, DemoUser, in_city, plan
from kechuang.market.enums import CONTRACT_SUB_TYPES, ListingKind
from kechuang.market.events import event_figures
from kechuang.market.figures import report_figures
from kechuang.market.listings import FIELDS, _clean
from kechuang.market.models import (
    ContactRequest,
    ContractRegistration,
    EventRegistration,
    Listing,
    MatchmakingEvent,
    Meeting,
    Message,
    Thread,
)


def registry(size: str = "tiny", seed: int = generator.DEFAULT_SEED) -> tuple[list[DemoOrg], list[DemoUser]]:
    """The registry `manage.py demo_data --size <size>` writes, as the plan reads it (no database)."""
    regions = generator.regions_from_json()
    dataset = generator.generate(size, seed, regions)
    fixed = generator.fixed_organizations(regions)
    story = {
        spec.credit_code: org["key"] for org, spec in zip(generator.FIXED_ORGANIZATIONS, fixed, strict=True)
    }
    ids: dict[str, int] = {}
    organizations = []
    for n, o in enumerate([*dataset.organizations, *fixed], start=1):
        ids[o.credit_code] = n
        if o.status == "verified":
            organizations.append(
                DemoOrg(
                    n,
                    o.kind,
                    o.name,
                    o.region_code,
                    o.founded_on,
                    o.tech_field,
                    o.institution_type,
                    o.contact_phone,
                    story.get(o.credit_code, ""),
                )
            )
    by_key = {story[code]: ids[code] for code in story}
    users = [
        DemoUser(10_000 + n, x.username, x.role, x.full_name, x.phone, f"{x.username}@{generator.EMAIL_DOMAIN}", x.region_code,
                 by_key.get(x.organization_key))
        for n, x in enumerate(generator.NAMED_LOGINS)
        if x.membership_status == "active"
    ]  # fmt: skip
    users += [
        DemoUser(20_000 + n, u.username, u.role, u.last_name, u.phone, u.email, u.region_code,
                 ids.get(u.organization_code))
        for n, u in enumerate(dataset.users)
        if u.membership_status == "active"
    ]  # fmt: skip
    return organizations, users


@cache
def tiny_plan() -> demo.MarketPlan:
    return plan(*registry(), today=PRESENT_DAY)


def counted_2019(planned: demo.MarketPlan) -> dict:
    """The calibration figures computed from the plan by the definitions of market/figures.py."""
    orgs, _users = registry()
    kind_of = {o.id: o.kind for o in orgs}

    def collected(kind: str, organization_kind: str) -> int:
        return sum(
            1
            for x in planned.listings
            if x["kind"] == kind
            and kind_of[x["organization_id"]] == organization_kind
            and in_city(x["region_id"])
            and x["created_at"].year == 2019
            and x["submitted_at"] is not None
            and not (x["state"] == "withdrawn" and x["published_at"] is None)
        )

    held = {
        e["_key"]
        for e in planned.events
        if e["state"] == "finished" and e["held_on"].year == 2019 and in_city(e["region_id"])
    }
    transaction = sum(
        (
            c["transaction_amount"]
            for c in planned.contracts
            if c["state"] == "registered"
            and c["registered_on"].year == 2019
            and in_city(c["seller_region_id"])
        ),
        Decimal(0),
    )
    return {
        "摸排提炼企业技术需求": collected("demand", "enterprise"),
        "征集高校院所科技成果": collected("achievement", "institution"),
        "科技对接活动": len(held),
        "达成意向合作项目": sum(
            1
            for m in planned.meetings
            if m["_event"] in held and m["slot"] is not None and m["outcome"] in ("intent", "signed")
        ),
        "技术交易额": transaction,
    }


# -- the plan (no database) -------------------------------------------------------------------------------


def test_the_same_registry_seed_and_day_give_the_same_records():
    orgs, users = registry()
    first = tiny_plan().tables()
    assert plan(orgs, users, today=PRESENT_DAY).tables() == first
    other = plan(orgs, users, seed=7, today=PRESENT_DAY).tables()
    assert other["listings"] != first["listings"] and other["contracts"] != first["contracts"]
    # 2019 does not depend on the day the demo is loaded; the present moves with it.
    later = plan(orgs, users, today=PRESENT_DAY + timedelta(days=40))
    assert counted_2019(later) == counted_2019(tiny_plan())
    assert max(x["created_at"] for x in later.listings) > max(x["created_at"] for x in first["listings"])


def test_the_plan_reproduces_the_published_2019_figures_exactly():
    counts = counted_2019(tiny_plan())
    assert counts["技术交易额"] == Decimal("5600000000.00")
    assert counts == {**CALIBRATION, "技术交易额": Decimal("5600000000.00")}


def test_2019_spreads_over_the_counties_and_the_year_with_records_each_rule_leaves_out():
    planned = tiny_plan()
    demands_2019 = [
        x
        for x in planned.listings
        if x["kind"] == "demand" and x["created_at"].year == 2019 and x["submitted_at"]
    ]
    counties = Counter(x["region_id"][:6] for x in demands_2019)
    assert set(counties) == set(demo.COUNTIES) and max(counties.values()) < 0.4 * len(demands_2019)
    assert len({x["created_at"].month for x in demands_2019}) == 12
    states = Counter(x["state"] for x in planned.listings if x["created_at"].year == 2019)
    assert states["draft"] > 0 and states["withdrawn"] > 0 and states["expired"] > 1500
    events = [e for e in planned.events if e["held_on"].year == 2019]
    assert Counter(e["region_id"] for e in events if e["state"] == "finished") == Counter(demo.EVENTS_2019)
    assert {e["state"] for e in planned.events} == {"finished", "cancelled", "open"}
    assert len({e["title"] for e in planned.events}) == len(planned.events)
    # Contract amounts: many small, a few large; the largest is not most of the total.
    amounts = sorted(
        c["transaction_amount"]
        for c in planned.contracts
        if c["state"] == "registered" and c["registered_on"].year == 2019 and in_city(c["seller_region_id"])
    )
    assert len(amounts) == demo.CONTRACTS_2019
    assert Decimal(200_000) < amounts[len(amounts) // 2] < Decimal(2_000_000)
    assert amounts[-1] < Decimal("0.1") * sum(amounts) and amounts[-1] > Decimal(50_000_000)


def test_contracts_keep_both_amounts_and_the_types_of_their_year():
    """rules.md §5.2–5.3: 技术交易额 = 合同成交额 − 非技术性费用; 技术许可 is a type of its own only from 2021."""
    planned = tiny_plan()
    numbers = [c["registration_no"] for c in planned.contracts if c["registration_no"]]
    assert len(numbers) == len(set(numbers))
    with_costs = 0
    for c in planned.contracts:
        assert c["transaction_amount"] == c["contract_amount"] - c["non_technical_amount"]
        checked = contract_rules.amounts(c["contract_amount"], non_technical_amount=c["non_technical_amount"])
        assert checked.transaction_amount == c["transaction_amount"] > 0
        contract_rules.check_type(c["contract_type"], c["sub_type"])
        assert c["sub_type"] in CONTRACT_SUB_TYPES[c["contract_type"]]
        with_costs += c["non_technical_amount"] > 0
        if c["state"] == "registered":
            year, code, _seq = contract_rules.parse_registration_no(c["registration_no"])
            assert year == c["registered_on"].year and code == c["seller_region_id"][:6]
            assert c["signed_on"] <= c["registered_on"]
        else:
            assert c["registration_no"] is None and c["registered_on"] is None
            assert c["state"] == "submitted" or c["return_reason"]
    assert with_costs > 100
    types_2019 = {c["contract_type"] for c in planned.contracts if c["signed_on"].year == 2019}
    assert "license" not in types_2019
    assert "license" in {c["contract_type"] for c in planned.contracts if c["signed_on"].year == 2026}


def test_present_listings_satisfy_the_listing_rules_and_demands_meet_achievements():
    planned = tiny_plan()
    present = [x for x in planned.listings if x["created_at"].date() > PRESENT_DAY - timedelta(days=400)]
    published = [x for x in present if x["state"] == "published"]
    assert len(published) >= 300
    assert Counter(x["state"] for x in present).keys() == {
        "published", "pending", "returned", "expired", "draft", "withdrawn",
    }  # fmt: skip
    for x in present:
        if x["state"] != "expired":  # the listing rules refuse a date that has passed
            _clean(x["kind"], {name: x[name] for name in FIELDS}, today=PRESENT_DAY, date_is_new=False)
    for x in published:
        assert PRESENT_DAY < x["expires_on"] <= x["published_at"].date() + timedelta(days=365)
        assert x["submitted_at"] <= x["published_at"] < x["created_at"] + timedelta(days=30)
        assert x["published_at"].date() < PRESENT_DAY
    for x in present:
        if x["state"] == "returned":
            assert x["return_reason"]
        if x["state"] == "expired":
            assert x["expires_on"] < PRESENT_DAY
    # Every topic of the phrase bank is both asked for and offered, mostly in other words.
    topics_d = Counter(x["_topic"] for x in published if x["kind"] == ListingKind.DEMAND)
    topics_a = Counter(x["_topic"] for x in published if x["kind"] == ListingKind.ACHIEVEMENT)
    assert set(topics_d) == set(topics_a) == {t.key for t in demo.TOPICS}
    titles = {x["title"] for x in published}
    assert len(titles) > 200
    for x in published:
        if x["ip_numbers"]:
            for number in x["ip_numbers"].split("，"):
                digits, check = number.removeprefix("ZL").split(".")
                assert demo.patent_number(int(digits[:4]), digits[4], int(digits[5:])) == f"{digits}.{check}"


def test_meetings_are_scheduled_without_double_booking():
    planned = tiny_plan()
    listings = planned.listings
    seen_tables, seen_parties, pairs = set(), set(), set()
    for m in planned.meetings:
        event = planned.events[m["_event"]]
        assert 0 <= m["slot"] < event["slot_count"] and 0 <= m["table"] < event["tables"]
        assert (m["_event"], m["slot"], m["table"]) not in seen_tables
        seen_tables.add((m["_event"], m["slot"], m["table"]))
        for party in (m["demand_party_id"], m["supply_party_id"]):
            assert (m["_event"], m["slot"], party) not in seen_parties
            seen_parties.add((m["_event"], m["slot"], party))
        assert (m["_event"], m["_demand"], m["_achievement"]) not in pairs
        pairs.add((m["_event"], m["_demand"], m["_achievement"]))
        demand, achievement = listings[m["_demand"]], listings[m["_achievement"]]
        assert (demand["kind"], achievement["kind"]) == ("demand", "achievement")
        assert (demand["organization_id"], achievement["organization_id"]) == (
            m["demand_party_id"],
            m["supply_party_id"],
        )
        assert demand["published_at"].date() < event["held_on"] <= demand["expires_on"]
        assert (m["outcome"] == "pending") == (event["state"] != "finished")
        if m["outcome"] == "signed":
            assert m["amount"] > 0
    registered = {(r["_event"], r["organization_id"]) for r in planned.registrations}
    assert len(registered) == len(planned.registrations)
    for m in planned.meetings:
        assert (m["_event"], m["demand_party_id"]) in registered
        assert (m["_event"], m["supply_party_id"]) in registered


def test_the_named_demo_users_find_their_own_records():
    planned = tiny_plan()
    orgs, users = registry()
    story = {o.story: o.id for o in orgs if o.story}
    named = {u.username: u.id for u in users}
    ent, ent2, inst = story["ent_demo"], story["ent_demo2"], story["inst_demo"]
    mine = Counter((x["kind"], x["state"]) for x in planned.listings if x["organization_id"] == ent)
    assert mine[("demand", "published")] == 2 and mine[("achievement", "published")] == 1
    assert mine[("demand", "pending")] == mine[("demand", "returned")] == mine[("demand", "draft")] == 1
    assert all(
        x["created_by_id"] == named["ent_demo"] for x in planned.listings if x["organization_id"] == ent
    )
    assert Counter(x["state"] for x in planned.listings if x["organization_id"] == inst)["published"] == 4
    threads = {(t["owner_id"], t["party_id"]): t for t in planned.threads}
    assert (
        threads[(inst, ent2)]["state"] == "intent"
        and threads[(inst, ent2)]["broker_id"] == named["broker_demo"]
    )
    bought = threads[(inst, ent)]
    assert bought["state"] == "contract"
    contract = next(c for c in planned.contracts if c["_thread"] == bought["_key"])
    assert (contract["seller_id"], contract["buyer_id"], contract["state"]) == (inst, ent, "registered")
    assert contract["transaction_amount"] == bought["intent_amount"]
    for thread in planned.threads:
        messages = [m for m in planned.messages if m["_thread"] == thread["_key"]]
        assert messages and thread["last_message_at"] == max(m["created_at"] for m in messages)
        assert max(m["created_at"] for m in messages).date() < PRESENT_DAY
    assert {t["state"] for t in planned.threads} == {
        "contacted",
        "negotiating",
        "intent",
        "contract",
        "closed",
        "failed",
    }
    requests = [
        r for r in planned.contact_requests if planned.listings[r["_listing"]]["organization_id"] == ent
    ]
    assert "pending" in {r["status"] for r in requests}
    upcoming = [e for e in planned.events if e["state"] == "open"]
    assert len(upcoming) == 1 and upcoming[0]["registration_closes_on"] > PRESENT_DAY
    finished = [e for e in planned.events if e["held_on"].year == 2026 and e["state"] == "finished"]
    assert len(finished) == 1
    met = {
        (m["demand_party_id"], m["outcome"]) for m in planned.meetings if m["_event"] == finished[0]["_key"]
    }
    assert (ent, "intent") in met and (ent2, "intent") in met
    waiting = [c for c in planned.contracts if c["state"] == "submitted"]
    assert sum(c["seller_region_id"].startswith("330603") for c in waiting) >= 3
    kq_staff = named["kq_staff"]
    assert any(c["registrar_id"] == kq_staff for c in planned.contracts)


# -- seeding the database ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seeding_gives_the_published_2019_figures_once_and_satisfies_the_constraints():
    generator.load("tiny", log=lambda _message: None)
    messages: list[str] = []

    result = demo.seed(today=PRESENT_DAY, log=messages.append)

    figures = {f.label: f.value for f in report_figures("330600", 2019)}
    assert {label: figures[label] for label in CALIBRATION} == CALIBRATION
    assert result.figures == figures
    assert figures["技术合同登记数"] == demo.CONTRACTS_2019
    exact = next(f for f in report_figures("330600", 2019) if f.label == "技术交易额").part(
        "技术交易额（元）"
    )
    assert exact.value == Decimal("5600000000.00") and exact.records.count() == demo.CONTRACTS_2019
    assert "摸排提炼企业技术需求 495" in messages[-1] and "技术交易额 56.0" in messages[-1]
    counts = {
        "listings": Listing.objects.count(),
        "contact_requests": ContactRequest.objects.count(),
        "threads": Thread.objects.count(),
        "messages": Message.objects.count(),
        "events": MatchmakingEvent.objects.count(),
        "registrations": EventRegistration.objects.count(),
        "meetings": Meeting.objects.count(),
        "contracts": ContractRegistration.objects.count(),
    }
    assert result.created == counts
    assert EventRegistration.listings.through.objects.count() == sum(
        len(r["_listings"]) for r in tiny_plan().registrations
    )
    # The events module counts the same events and intents.
    by_events = event_figures(year=2019, region_code="330600")
    assert (by_events.events, by_events.total.intents) == (33, 131)
    # The database holds what the constraints demand (rules.md §5.3) and what the plan said.
    assert (
        ContractRegistration.objects.exclude(
            transaction_amount=F("contract_amount") - F("non_technical_amount")
        ).count()
        == 0
    )
    assert ContractRegistration.objects.filter(non_technical_amount__gt=F("contract_amount")).count() == 0
    assert Listing.objects.filter(budget_min__gt=F("budget_max")).count() == 0
    assert Listing.objects.filter(state="published", expires_on__gte=PRESENT_DAY).count() >= 300
    assert (
        Thread.objects.get(party__name="绍兴柯桥演示纺织科技有限公司", owner__name="绍兴演示理工研究院")
        .contracts.get()
        .state
        == "registered"
    )

    again = demo.seed(today=PRESENT_DAY, log=messages.append)
    assert again.skipped is True and messages[-1] == "技术市场演示数据已存在，跳过"
    assert Listing.objects.count() == counts["listings"]
    assert ContractRegistration.objects.count() == counts["contracts"]


@pytest.mark.django_db
def test_without_the_demo_city_s_enterprises_nothing_is_written():
    messages: list[str] = []
    result = demo.seed(today=PRESENT_DAY, log=messages.append)
    assert result.skipped is True and Listing.objects.count() == 0
    assert messages == ["没有演示城市的企业，跳过技术市场演示数据"]


def test_fit_total_hits_the_target_to_the_cent():
    amounts = demo.fit_total([1.0, 2.5, 3.3, 1000.0], Decimal("5600000000.00"))
    assert sum(amounts) == Decimal("5600000000.00")
    assert all(a % 100 == 0 for a in amounts)
    assert demo.patent_number(2017, "1", 601862) == "201710601862.3"  # rules.md §7b's worked example
