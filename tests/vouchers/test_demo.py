"""The vouchers demo: deterministic, calibrated to 绍兴's published 2019 figures (发放创新券4686万元，使用1866万元),
money that adds up (every amount with its ledger entry, totals equal to the sums), idempotent, and with the
patterns the fraud checks are there to find."""

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

import pytest

from kechuang.demo import generator
from kechuang.market.demo import DemoOrg, DemoUser, in_city
from kechuang.vouchers import demo
from kechuang.vouchers.amounts import parse_tiers, split_fee
from kechuang.vouchers.demo import CALIBRATION, PRESENT_DAY, plan
from kechuang.vouchers.enums import BookingState, EntryKind, FlagKind, FlagState, ProviderState, QuotaState

D = Decimal


def registry(size: str = "tiny", seed: int = generator.DEFAULT_SEED):
    """The registry `manage.py demo_data --size <size>` writes, as the plan reads it (no database), with each
    organization's legal representative and address."""
    regions = generator.regions_from_json()
    dataset = generator.generate(size, seed, regions)
    fixed = generator.fixed_organizations(regions)
    story = {
        spec.credit_code: org["key"] for org, spec in zip(generator.FIXED_ORGANIZATIONS, fixed, strict=True)
    }
    ids, organizations, details = {}, [], {}
    for n, o in enumerate([*dataset.organizations, *fixed], start=1):
        ids[o.credit_code] = n
        if o.status == "verified" and o.kind in ("enterprise", "institution", "provider", "agency"):
            organizations.append(
                DemoOrg(n, o.kind, o.name, o.region_code, o.founded_on, o.tech_field, o.institution_type,
                        o.contact_phone, story.get(o.credit_code, ""))
            )  # fmt: skip
            details[n] = (o.legal_representative, o.address)
    by_key = {story[code]: ids[code] for code in story}
    users = [
        DemoUser(10_000 + n, x.username, x.role, x.full_name, x.phone, "", x.region_code,
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
    return organizations, users, details


@cache
def tiny_plan() -> demo.VoucherPlan:
    orgs, users, details = registry()
    return plan(orgs, users, today=PRESENT_DAY, details=details)


@cache
def small_plan() -> demo.VoucherPlan:
    orgs, users, details = registry("small")
    return plan(orgs, users, today=PRESENT_DAY, details=details)


def counted_2019(planned: demo.VoucherPlan) -> dict[str, Decimal]:
    """发放 and 使用 of 绍兴 in 2019 from the plan, by the definitions of vouchers/figures.py."""
    city = {p["_key"] for p in planned.programs if in_city(p["region_id"])}
    issued = sum(
        (e["amount"] for e in planned.entries
         if e["kind"] == EntryKind.ISSUE and e["_program"] in city and e["created_at"].year == 2019),
        D(0),
    )  # fmt: skip
    redeemed = sum(
        (e["amount"] for e in planned.entries
         if e["kind"] == EntryKind.REDEEM and e["_program"] in city
         and planned.bookings[e["_booking"]]["confirmed_at"].year == 2019),
        D(0),
    )  # fmt: skip
    return {"issued": issued, "redeemed": redeemed}


def _sums(entries, key):
    out = defaultdict(lambda: defaultdict(lambda: D(0)))
    for e in entries:
        if e[key] is not None:
            out[e[key]][e["kind"]] += e["amount"]
    return out


def _cross(booking) -> bool:
    return not booking["service_region_id"].startswith(demo._prefix(booking["issuing_region_id"]))


# -- the plan (no database) -------------------------------------------------------------------------------


def test_the_same_registry_seed_and_day_give_the_same_records():
    orgs, users, details = registry()
    first = tiny_plan().tables()
    assert plan(orgs, users, today=PRESENT_DAY, details=details).tables() == first
    other = plan(orgs, users, seed=7, today=PRESENT_DAY, details=details).tables()
    assert other["quotas"] != first["quotas"] and other["bookings"] != first["bookings"]
    # 2019 does not depend on the day the demo is loaded; the present moves with it.
    later = plan(orgs, users, today=PRESENT_DAY + timedelta(days=40), details=details)

    def year_2019(planned):
        return [(e["kind"], e["amount"], e["created_at"]) for e in planned.entries if e["_program"] == 0]

    assert year_2019(later) == year_2019(tiny_plan())
    assert later.programs[1]["starts_on"] == tiny_plan().programs[1]["starts_on"] + timedelta(days=40)


def test_the_plan_reproduces_the_published_2019_figures_exactly():
    planned = small_plan()
    assert planned.calibrated is True
    assert counted_2019(planned) == {"issued": D("46860000.00"), "redeemed": D("18660000.00")}
    assert CALIBRATION == {"创新券发放": D("4686"), "创新券使用": D("1866")}
    program = planned.programs[0]
    assert (program["name"], program["region_id"], program["state"]) == (
        "2019年绍兴市科技创新券",
        "330600",
        "closed",
    )
    # Issued is gross: most of it expired unused on 2020-01-01 and returned to the budget.
    expired = [e for e in planned.entries if e["kind"] == EntryKind.EXPIRE and e["_program"] == 0]
    assert {e["created_at"].date() for e in expired} == {date(2020, 1, 1)}
    assert program["issued"] - program["expired"] - program["redeemed"] - program["committed"] == 0
    # A few services booked in December were confirmed in January 2020: used in 2020, not in 2019.
    late = [b for b in planned.bookings if planned.quotas[b["_quota"]]["_program"] == 0
            and b["confirmed_at"] and b["confirmed_at"].year == 2020]  # fmt: skip
    assert late and program["redeemed"] == D("18660000.00") + sum(b["voucher_amount"] for b in late)


def test_a_registry_too_small_for_2019_scales_it_down():
    planned = tiny_plan()
    assert planned.calibrated is False
    assert planned.targets["issued"] < demo.ISSUED_2019 and planned.targets["issued"] % 10000 == 0
    assert counted_2019(planned) == planned.targets
    # The same proportion of used to issued as the published figures.
    ratio = planned.targets["redeemed"] / planned.targets["issued"]
    assert abs(ratio - demo.REDEEMED_2019 / demo.ISSUED_2019) < D("0.000001")


@pytest.mark.parametrize("planned", [tiny_plan, small_plan], ids=["tiny", "small"])
def test_every_total_is_the_sum_of_its_entries(planned):
    planned = planned()
    by_program, by_quota = _sums(planned.entries, "_program"), _sums(planned.entries, "_quota")
    for p in planned.programs:
        s = by_program[p["_key"]]
        assert p["issued"] == s["issue"] and p["expired"] == s["expire"]
        assert p["committed"] == s["commit"] - s["release"] - s["redeem"] >= 0
        assert (p["redeemed"], p["settled"], p["paid"]) == (s["redeem"], s["settle"], s["pay"])
        assert p["paid"] <= p["settled"] <= p["redeemed"] and p["issued"] <= p["budget"] + p["expired"]
    for q in planned.quotas:
        s = by_quota[q["_key"]]
        assert (q["granted"], q["expired"], q["redeemed"]) == (s["issue"], s["expire"], s["redeem"])
        assert q["committed"] == s["commit"] - s["release"] - s["redeem"] >= 0
        assert q["granted"] >= q["committed"] + q["redeemed"] + q["expired"]
        assert (q["granted"] > 0) == (q["state"] in (QuotaState.APPROVED, QuotaState.EXPIRED))
        assert q["granted"] <= planned.programs[q["_program"]]["quota_per_application"]
    assert all(e["amount"] > 0 for e in planned.entries)
    # No enterprise above its annual cap in any program.
    taken = Counter()
    for q in planned.quotas:
        taken[(q["_program"], q["organization_id"])] += q["granted"] - q["expired"]
    assert all(v <= planned.programs[p]["annual_cap"] for (p, _org), v in taken.items())


def test_each_booking_is_split_by_its_program_s_rule_and_its_state_matches_its_entries():
    planned = small_plan()
    by_booking = _sums(planned.entries, "_booking")
    exact = 0
    for b in planned.bookings:
        program = planned.programs[planned.quotas[b["_quota"]]["_program"]]
        full = split_fee(b["fee"], parse_tiers(program["copay_tiers"]), program["copay_mode"])
        assert (
            0 < b["voucher_amount"] <= full.voucher
            and b["enterprise_amount"] == b["fee"] - b["voucher_amount"]
        )
        exact += b["voucher_amount"] == full.voucher
        s, v = by_booking[b["_key"]], b["voucher_amount"]
        assert s["commit"] == v
        released = b["state"] in (BookingState.CANCELLED, BookingState.DECLINED)
        redeemed = b["state"] in (
            BookingState.CONFIRMED,
            BookingState.CLAIMED,
            BookingState.SETTLED,
            BookingState.PAID,
        )
        assert (s["release"], s["redeem"]) == (v if released else 0, v if redeemed else 0)
        assert s["settle"] == (v if b["state"] in (BookingState.SETTLED, BookingState.PAID) else 0)
        assert s["pay"] == (v if b["state"] == BookingState.PAID else 0)
        assert (b["confirmed_at"] is not None) == redeemed
        assert (b["_batch"] is not None) == (b["state"] in (BookingState.SETTLED, BookingState.PAID))
        if b["_batch"] is not None:
            batch = planned.batches[b["_batch"]]
            assert (batch["state"] == "paid") == (b["state"] == BookingState.PAID)
            assert b["claimed_at"] < batch["created_at"]
        if b["confirmed_at"]:
            assert (
                b["created_at"]
                < b["completed_at"]
                < b["confirmed_at"]
                <= demo._night(PRESENT_DAY) + timedelta(hours=7)
            )
    assert exact > 0.9 * len(planned.bookings)  # the rest took what was left of the quota
    for batch in planned.batches:
        members = [b for b in planned.bookings if b["_batch"] == batch["_key"]]
        assert members and batch["total"] == sum(b["voucher_amount"] for b in members)
    # 2019 is over: its quotas expired, its services paid (or cancelled, or declined).
    assert {q["state"] for q in planned.quotas if q["_program"] == 0} == {QuotaState.EXPIRED}
    assert {b["state"] for b in planned.bookings if planned.quotas[b["_quota"]]["_program"] == 0} == {
        BookingState.PAID, BookingState.CANCELLED, BookingState.DECLINED,
    }  # fmt: skip
    present = Counter(b["state"] for b in planned.bookings if planned.quotas[b["_quota"]]["_program"] != 0)
    assert set(present) == set(BookingState.values)
    assert {b["state"] for b in planned.batches} == {"paid", "approved", "draft"}


def test_cross_region_use_in_2019_and_in_the_present():
    planned = small_plan()
    programs = {p["_key"]: p for p in planned.programs}
    crossing = Counter(
        (programs[planned.quotas[b["_quota"]]["_program"]]["region_id"], b["service_region_id"][:4])
        for b in planned.bookings
        if _cross(b) and b["confirmed_at"]
    )
    # 绍兴's vouchers used with providers in 嘉兴 and 衢州; 柯桥's used in 越城 (its partner).
    assert crossing[("330600", "3304")] + crossing[("330600", "3308")] >= 3
    assert crossing[("330603", "3306")] >= 3
    keqiao = next(p for p in planned.programs if p["region_id"] == "330603")
    assert [c for k, c in planned.partners if k == keqiao["_key"]] == ["330602"]
    assert keqiao["auto_approve"] is False and keqiao["copay_mode"] == "marginal"
    # Every booking's provider is in a region the program accepts.
    for b in planned.bookings:
        program = programs[planned.quotas[b["_quota"]]["_program"]]
        accepted = [program["region_id"]] + [c for k, c in planned.partners if k == program["_key"]]
        assert b["service_region_id"].startswith(tuple(demo._prefix(c) for c in accepted))


def test_providers_and_offerings_look_like_a_catalogue():
    planned = small_plan()
    states = Counter(p["state"] for p in planned.profiles)
    assert states[ProviderState.VERIFIED] > 100 and states[ProviderState.PENDING] == 3
    kinds = Counter(o["kind"] for o in planned.offerings)
    assert kinds["instrument"] > 20 and kinds["service"] > 200
    assert all(
        o["instrument_model"] and o["manufacturer"] for o in planned.offerings if o["kind"] == "instrument"
    )
    assert all(o["price"] > 0 and o["name"] and o["region_id"] for o in planned.offerings)
    per_provider = Counter((o["provider_id"], o["name"]) for o in planned.offerings)
    assert max(per_provider.values()) == 1
    verified = {p["organization_id"] for p in planned.profiles if p["state"] == ProviderState.VERIFIED}
    assert {o["provider_id"] for o in planned.offerings} == verified
    assert {b["provider_id"] for b in planned.bookings} <= verified


def test_the_named_demo_users_find_their_own_records():
    planned = tiny_plan()
    orgs, users, _details = registry()
    story = {o.story: o.id for o in orgs if o.story}
    s = planned.stories
    state = {name: planned.bookings[s[name]]["state"] for name in s if name.startswith(("ent_demo_", "ent_demo2_"))
             and "quota" not in name and "applied" not in name}  # fmt: skip
    assert state == {
        "ent_demo_paid": "paid",
        "ent_demo_to_confirm": "completed",  # waits for ent_demo
        "ent_demo_requested": "requested",  # waits for provider_demo
        "ent_demo_confirmed": "confirmed",  # inst_demo can claim
        "ent_demo2_in_progress": "accepted",
        "ent_demo2_claimed": "claimed",  # waits for the bureau's settlement
    }
    assert planned.bookings[s["ent_demo_requested"]]["provider_id"] == story["provider_demo"]
    assert planned.bookings[s["ent_demo_confirmed"]]["provider_id"] == story["inst_demo"]
    assert _cross(planned.bookings[s["ent_demo2_in_progress"]])  # a partner city's provider
    applied = planned.quotas[s["ent_demo_keqiao_applied"]]
    assert (applied["organization_id"], applied["state"], applied["granted"]) == (
        story["ent_demo"],
        "applied",
        0,
    )
    assert planned.programs[applied["_program"]]["region_id"] == "330603"
    quota = planned.bookings[s["under_threshold"]]["_quota"]
    under = [b for b in planned.bookings if b["_quota"] == quota]
    assert sorted(b["fee"] for b in under) == [D("9600.00"), D("9850.00"), D("9900.00")]


# -- seeding the database ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seeding_writes_the_plan_once_with_a_ledger_that_reconciles_and_flags_of_each_kind():
    from kechuang.vouchers import figures
    from kechuang.vouchers.ledger import reconcile
    from kechuang.vouchers.models import Booking, Flag, LedgerEntry, Offering, Quota, VoucherProgram

    generator.load("tiny", log=lambda _message: None)
    messages: list[str] = []
    result = demo.seed(today=PRESENT_DAY, log=messages.append)

    assert result.skipped is False and result.calibrated is False
    assert result.created["entries"] == LedgerEntry.objects.count()
    assert (result.created["quotas"], result.created["bookings"], result.created["offerings"]) == (
        Quota.objects.count(),
        Booking.objects.count(),
        Offering.objects.count(),
    )
    for program in VoucherProgram.objects.all():
        assert reconcile(program) == []
    # The figures read from the database are the plan's (scaled for tiny) 2019 targets.
    summary = figures.summary("330600", 2019)
    orgs, users = demo.demo_registry()
    planned = demo.plan(
        orgs, users, today=PRESENT_DAY, details=demo.organization_details([o.id for o in orgs])
    )
    assert (summary["issued"], summary["redeemed"]) == (
        planned.targets["issued"],
        planned.targets["redeemed"],
    )
    assert result.figures == {"创新券发放": figures.wan(planned.targets["issued"]),
                              "创新券使用": figures.wan(planned.targets["redeemed"])}  # fmt: skip
    assert LedgerEntry.objects.filter(created_at__year=2019).exists()  # the planned moments, not the load's
    city = VoucherProgram.objects.get(region_id="330600", year=2019)
    assert sorted(city.partner_regions.values_list("pk", flat=True)) == ["330400", "330800"]
    # The fraud checks found one pattern of each kind in the present programs, open for an officer.
    flags = Counter(Flag.objects.filter(state=FlagState.OPEN).values_list("kind", flat=True))
    assert set(flags) == set(FlagKind.values) and result.flags == sum(flags.values())
    related = Flag.objects.get(kind=FlagKind.RELATED_PARTIES)
    assert related.enterprise.legal_representative == related.provider.legal_representative
    assert "法定代表人均为" in related.detail
    assert "创新券发放" in messages[-1] and "按比例缩小" in messages[-1]

    # The ids the demo gave leave room for the services' own records (PostgreSQL's sequences moved past them).
    from kechuang.accounts.models import User
    from kechuang.vouchers import services

    staff = User.objects.get(username="sx_gaoxin")
    program = services.program_create(
        region=city.region,
        values={**{k: getattr(city, k) for k in services.PROGRAM_FIELDS}, "year": 2027, "name": "2027年绍兴市科技创新券"},
        by=staff,
    )  # fmt: skip
    assert program.pk > city.pk and reconcile(program) == []

    again = demo.seed(today=PRESENT_DAY, log=messages.append)
    assert again.skipped is True and messages[-1] == "创新券演示数据已存在，跳过"
    assert LedgerEntry.objects.count() == result.created["entries"]


@pytest.mark.django_db
def test_the_small_demo_states_the_published_figures_in_the_annual_report():
    """`make run` loads size small: the 2019 report says 发放创新券4686万元，使用1866万元, from the records."""
    from kechuang.vouchers.figures import report_figures

    generator.load("small", log=lambda _message: None)
    result = demo.seed(today=PRESENT_DAY, log=lambda _message: None)
    issued, used = report_figures("330600", 2019)
    assert result.calibrated is True and result.figures == CALIBRATION
    assert (issued.value, used.value) == (D("4686"), D("1866"))
    assert issued.part("发放金额（元）").value == D("46860000.00")
    assert used.part("兑付金额（元）").value == D("18660000.00")
    assert used.part("在本地区以外使用（元）").value > 0  # 嘉兴 and 衢州 providers (通用通兑)


@pytest.mark.django_db
def test_without_the_demo_city_s_enterprises_nothing_is_written():
    from kechuang.vouchers.models import VoucherProgram

    messages: list[str] = []
    result = demo.seed(today=PRESENT_DAY, log=messages.append)
    assert result.skipped is True and VoucherProgram.objects.count() == 0
    assert messages == ["没有演示城市的企业和服务机构，跳过创新券演示数据"]
