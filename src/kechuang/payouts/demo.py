"""政策兑现 demo data: payout items of 绍兴 under a published policy and claims in every state.

* The policy: the published 绍兴 policy on 科技创新 that the portal's demo wrote, else any published policy of
  绍兴, else one minimal 《绍兴市关于加快科技创新的若干政策》 written here (looked up by title first).
* Items of the running year (records of the year before count): 新认定国家高新技术企业奖励 (20万元 each),
  发明专利授权资助 (1万元 each, 10万元 per organization), 技术合同登记奖励 (1% of the seller's technology
  transaction amount, at most 50万元 a contract, 100万元 per organization), 新认定省级众创空间奖励 (30万元); and
  last year's closed 高企 item, whose claims were paid last year (for the annual figures).
* Claims on records found in the data (the organizations' qualifications, patents, contracts), cycling through
  paid, approved, submitted, rejected and withdrawn, each with its history. Where the data has too few new
  高新技术企业 of a year, a few enterprises of the city get one (a recognition the bureau would have entered).
* ent_demo's organization keeps a claimable record (a new 高新技术企业 recognition of last year) to try the
  one-click claim with.

A second run finds the current year's 高企 item and adds nothing.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from zoneinfo import ZoneInfo

CITY = "330600"
POLICY_TITLE = "绍兴市关于加快科技创新的若干政策"
HNTE_ITEM = "新认定国家高新技术企业奖励"
SHANGHAI = ZoneInfo("Asia/Shanghai")
STATES = ("paid", "approved", "submitted", "rejected", "paid", "withdrawn", "submitted", "paid")


def _policy(log):
    from django.utils import timezone

    from kechuang.portal.enums import PublishState
    from kechuang.portal.models import Policy

    published = Policy.objects.filter(state=PublishState.PUBLISHED, region_id=CITY)
    for title in (POLICY_TITLE, f"《{POLICY_TITLE}》"):
        found = published.filter(title=title).first()
        if found:
            return found
    found = published.filter(title__contains="科技创新").first() or published.first()
    if found:
        return found
    existing = Policy.objects.filter(title__in=(POLICY_TITLE, f"《{POLICY_TITLE}》")).first()
    if existing:
        return existing
    log(f"payouts: 新建政策《{POLICY_TITLE}》")
    return Policy.objects.create(
        region_id=CITY,
        title=POLICY_TITLE,
        document_no="绍政发〔2019〕5号",
        issuer="绍兴市人民政府",
        category="enterprise",
        summary="对新认定的国家高新技术企业、授权发明专利、登记技术合同和新认定的创新载体给予奖励和资助。",
        conditions="在绍兴市注册、具有独立法人资格的企业和高校院所。",
        how_to_apply="通过科创平台“政策兑现”栏目在线申请，选择平台自动列出的符合条件的记录即可。",
        effective_from=date(2019, 3, 1),
        state=PublishState.PUBLISHED,
        published_at=timezone.now(),
    )


def _item(policy, *, name, year, trigger, parameters, amount, cap, basis_year, state, applies):
    from .models import PayoutItem

    return PayoutItem.objects.create(
        policy=policy,
        region_id=CITY,
        name=name,
        year=year,
        trigger=trigger,
        parameters=parameters,
        basis_from=date(basis_year, 1, 1),
        basis_until=date(basis_year, 12, 31),
        amount=Decimal(amount),
        cap_per_organization=Decimal(cap) if cap else None,
        applies_from=applies[0],
        applies_until=applies[1],
        state=state,
        description="依据上一年度的认定、授权和登记记录兑现；申请单位在平台列出的记录中选择，无需另行填报。",
    )


def _city_enterprises(exclude: set[int], limit: int):
    from kechuang.organizations.models import Organization
    from kechuang.regions.selectors import regions_under

    return list(
        Organization.objects.filter(kind="enterprise", region_id__in=regions_under(CITY))
        .exclude(pk__in=exclude)
        .exclude(qualifications__kind="hnte")
        .order_by("pk")[:limit]
    )


def _new_hnte(org, year: int, rng: random.Random):
    from kechuang.organizations.models import Qualification

    day = date(year, rng.choice((10, 11, 12)), rng.randint(1, 28))
    return Qualification.objects.create(
        organization=org,
        kind="hnte",
        level="national",
        certificate_no=f"GR{year}33{rng.randint(0, 999999):06d}",
        valid_from=day,
        valid_until=day.replace(year=year + 3),
    )


def _ensure_hnte(year: int, want: int, exclude: set[int], rng: random.Random) -> list:
    """Organizations of the city with a new 国家高新技术企业 recognition in `year` (a few written if too few)."""
    from kechuang.organizations.models import Organization
    from kechuang.regions.selectors import regions_under

    found = list(
        Organization.objects.filter(
            region_id__in=regions_under(CITY),
            qualifications__kind="hnte",
            qualifications__level="national",
            qualifications__valid_from__year=year,
            qualifications__revoked_on__isnull=True,
        )
        .exclude(pk__in=exclude)
        .distinct()
        .order_by("pk")[:want]
    )
    for org in _city_enterprises(exclude | {o.pk for o in found}, want - len(found)):
        _new_hnte(org, year, rng)
        found.append(org)
    return found


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, clock(rng.randint(9, 16), rng.randint(0, 59)), SHANGHAI)


def _claims(item, organizations, *, bureau, users, today, rng, states=STATES) -> int:
    """One claim per organization on its first record, in the given states, with their history."""
    from kechuang.core.audit import record_transition

    from . import eligibility
    from .models import PayoutClaim

    written = 0
    for n, org in enumerate(organizations):
        found = [r for r in eligibility.records(item, org) if r.claimable]
        if not found:
            continue
        record, state = found[0], states[n % len(states)]
        submitted = max(
            item.applies_from, min(today, item.applies_until) - timedelta(days=rng.randint(20, 80))
        )
        decided = min(submitted + timedelta(days=rng.randint(5, 15)), today)
        paid_on = min(
            decided + timedelta(days=rng.randint(5, 20)),
            today if item.state == "open" else item.applies_until,
        )
        approved = record.amount if state in ("approved", "paid") else None
        claim = PayoutClaim.objects.create(
            item=item,
            organization=org,
            basis_key=record.basis_key,
            basis_label=record.label[:200],
            state=state,
            holds=state in ("submitted", "approved", "paid"),
            amount_claimed=record.amount,
            amount_approved=approved,
            bank_account=f"6222 0206 {rng.randint(0, 9999):04d} {rng.randint(0, 9999):04d}",
            decided_by=bureau if state in ("approved", "paid", "rejected") else None,
            decided_at=_at(decided, rng) if state in ("approved", "paid", "rejected") else None,
            decision_note="证书信息与认定名单不符" if state == "rejected" else "",
            paid_on=paid_on if state == "paid" else None,
            payment_reference=f"SZCZ{paid_on:%Y%m%d}{claim_no(n)}" if state == "paid" else "",
            created_at=_at(submitted, rng),
        )
        user = users.get(org.pk)
        record_transition(instance=claim, by=user, from_state="", to_state="submitted")
        if state == "withdrawn":
            record_transition(instance=claim, by=user, from_state="submitted", to_state="withdrawn")
        if state in ("approved", "paid"):
            record_transition(instance=claim, by=bureau, from_state="submitted", to_state="approved")
        if state == "rejected":
            record_transition(
                instance=claim,
                by=bureau,
                from_state="submitted",
                to_state="rejected",
                reason=claim.decision_note,
            )
        if state == "paid":
            record_transition(instance=claim, by=bureau, from_state="approved", to_state="paid")
        written += 1
    return written


def claim_no(n: int) -> str:
    return f"{n + 1:04d}"


def seed(
    *, seed: int = 20260, log: Callable[[str], None] = print, today: date | None = None, **kwargs
) -> int:
    """Write the payouts demo once; returns the number of claims written (0 on a second run)."""
    from django.db import transaction
    from django.utils import timezone

    from kechuang.accounts.models import User

    from .models import PayoutItem

    started = time.monotonic()
    today = today or timezone.localdate()
    year = today.year
    if PayoutItem.objects.filter(region_id=CITY, name=HNTE_ITEM, year=year).exists():
        log("payouts: 演示数据已存在，跳过")
        return 0
    rng = random.Random(seed)
    bureau = User.objects.filter(username="sx_gaoxin").first()
    ent_demo = User.objects.filter(username="ent_demo").select_related("organization").first()
    demo_org = ent_demo.organization if ent_demo and ent_demo.organization_id else None
    reserved = {demo_org.pk} if demo_org else set()
    with transaction.atomic():
        policy = _policy(log)
        whole_year = (date(year, 1, 1), date(year, 12, 31))
        hnte = _item(
            policy,
            name=HNTE_ITEM,
            year=year,
            trigger="qualification",
            parameters={"qualification_kind": "hnte", "level": "national"},
            amount="200000",
            cap=None,
            basis_year=year - 1,
            state="open",
            applies=whole_year,
        )
        patents = _item(
            policy,
            name="发明专利授权资助",
            year=year,
            trigger="patent_grant",
            parameters={"patent_kind": "invention"},
            amount="10000",
            cap="100000",
            basis_year=year - 1,
            state="open",
            applies=whole_year,
        )
        contracts = _item(
            policy,
            name="技术合同登记奖励（技术输出方）",
            year=year,
            trigger="contract",
            parameters={"side": "seller", "rate": "0.01"},
            amount="500000",
            cap="1000000",
            basis_year=year - 1,
            state="open",
            applies=whole_year,
        )
        _item(
            policy,
            name="新认定省级众创空间奖励",
            year=year,
            trigger="carrier",
            parameters={"carrier_kind": "maker_space", "level": "provincial"},
            amount="300000",
            cap=None,
            basis_year=year - 1,
            state="open",
            applies=whole_year,
        )
        last = _item(
            policy,
            name=f"{year - 1}年度{HNTE_ITEM}",
            year=year - 1,
            trigger="qualification",
            parameters={"qualification_kind": "hnte", "level": "national"},
            amount="200000",
            cap=None,
            basis_year=year - 2,
            state="closed",
            applies=(date(year - 1, 3, 1), date(year - 1, 12, 31)),
        )
        current = _ensure_hnte(year - 1, 8, reserved, rng)
        earlier = _ensure_hnte(year - 2, 6, reserved | {o.pk for o in current}, rng)
        orgs = {o.pk for o in current + earlier}
        users = {
            u.organization_id: u
            for u in User.objects.filter(organization_id__in=orgs, is_active=True).order_by("pk")
        }
        written = _claims(hnte, current, bureau=bureau, users=users, today=today, rng=rng)
        written += _claims(
            last,
            earlier,
            bureau=bureau,
            users=users,
            today=date(year - 1, 12, 31),
            rng=rng,
            states=("paid", "paid", "rejected", "paid", "withdrawn", "paid"),
        )
        for item in (patents, contracts):
            written += _claims(item, _holders(item), bureau=bureau, users=users, today=today, rng=rng)
        if demo_org is not None:
            from . import eligibility

            if not any(r.claimable for r in eligibility.records(hnte, demo_org)):
                _new_hnte(demo_org, year - 1, rng)
            log(f"payouts: {demo_org.name} 可申请“{HNTE_ITEM}”")
    log(f"payouts: 5 个兑现事项，{written} 笔申请（{time.monotonic() - started:.1f}s）")
    return written


def _holders(item, limit: int = 6) -> list:
    """Organizations of the city with a record for a patent or contract item (none written: the data has them
    or the item simply has no claims)."""
    from kechuang.organizations.models import Organization
    from kechuang.regions.selectors import regions_under

    qs = Organization.objects.filter(region_id__in=regions_under(CITY))
    period = (item.basis_from, item.basis_until)
    if item.trigger == "patent_grant":
        qs = qs.filter(
            patents__kind=item.parameters["patent_kind"],
            patents__status="granted",
            patents__granted_on__range=period,
        )
    else:
        qs = qs.filter(contracts_sold__state="registered", contracts_sold__registered_on__range=period)
    return list(qs.distinct().order_by("pk")[:limit])
