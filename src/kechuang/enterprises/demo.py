"""Demo data of the enterprise module: qualifications 2015–2026 and annual data of 绍兴's enterprises.

Two layers, like `kechuang.demo.generator`:

* `plan(enterprises, seed)` is pure: from the enterprises (`DemoEnterprise`, in credit-code order) and a
  seed it returns the qualification and annual-data records to write. The same arguments always give the
  same records.
* `seed()` writes them in bulk (executemany, as bulk_create would: demo data are not user actions, so no
  audit lines), then refreshes every enterprise's tier. It runs once: when the demo city's enterprises
  already hold 高企 certificates issued in 2019 or before, it adds nothing.

**The calibrated year.** For 绍兴 (330600) and 2019, `enterprises.figures` computes from these records
exactly the figures the city's bureau published (../shared/docs/demo-calibration.md): 新认定高新技术企业
416, 高新技术企业净增 379, 高新技术企业总数 1346, 新增省科技型中小企业 1202, 新增省级企业研究院 16,
新增省级高新技术企业研究开发中心 49. How the 高企 figures add up, with certificates valid three years:
the enterprises in force on 2018-12-31 (967) hold certificates of the 2016, 2017 and 2018 batches. During
2019 every surviving 2016 certificate (S of them) runs out and a few others are revoked (R); the 416
certificates of 2019 go to some of those S enterprises (renewals), to enterprises whose certificate had
lapsed before 2019 (重新认定) and to first-timers. So 1346 = 967 − S − R + 416, i.e. S + R = 37: the 2016
batch is small (32 certificates: the first year under 国科发火〔2016〕32号), and R follows from it.

**Too few enterprises.** The calibration needs about 1,400 enterprises of a high-tech field founded early
enough for the 2015–2019 batches and 1,200 small or medium ones for the 科技型中小企业 of 2019: the
generator's first ~3,100 organizations (~2,550 enterprises in 绍兴) give that, its first ~7,600 (~6,250)
also the full growth to 2026. The sizes "tiny" and "small" have 156 and 1,610 enterprises in 绍兴, of which
fewer than 900 are high-tech and old enough: there every year is scaled down by one factor until it fits
(so the city's growth keeps its shape) and `DemoPlan.calibrated` is False. A population that fits 2019 but
not the later growth keeps 2019 exact and scales the years after it.

Conventions:

* 高企: one certificate date per year (the province's main batch); valid three years
  (`qualifications.hnte_valid_until`); revocations cite 国科发火〔2016〕32号 第十九条.
* 科技型中小企业: evaluated every year; a registration is valid to 31 December of its year (as
  `projects/demo.py` records it), so `new_recognitions(tsme)` counts the year's registrations, returning
  enterprises included.
* 省级企业研究院 / 省级高新技术企业研究开发中心 / 省级重点企业研究院 / 创新型领军企业 have no term in the rules
  (they are re-evaluated and revoked when they fail): recorded as valid to 2099-12-31.
* The history ends in 2026 whatever the date (so every run gives the same records); annual data cover
  2018, 2019 (the demo year and its growth base) and 2023–2025, submitted.
* The named demo enterprises have a fixed story: ent_demo is a 科技型中小企业 since 2020 and a 高企 since
  2020 (renewed 2023 and 2026); ent_demo2 a 科技型中小企业 since 2023 whose figures are close to the 高企
  thresholds (a reserve-pool candidate). Neither touches 2019.
"""

from __future__ import annotations

import math
import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from kechuang.organizations.enums import DEFAULT_LEVEL, QualificationKind

HNTE = QualificationKind.HNTE.value
TSME = QualificationKind.TSME.value
ENT_INSTITUTE = QualificationKind.ENTERPRISE_INSTITUTE.value
KEY_INSTITUTE = QualificationKind.KEY_ENTERPRISE_INSTITUTE.value
HNTE_RD_CENTER = QualificationKind.HNTE_RD_CENTER.value
LEADER = QualificationKind.INNOVATION_LEADER.value

DEFAULT_SEED = 2019
CITY = "330600"
CALIBRATION_YEAR = 2019
# What enterprises.figures must give for CITY and CALIBRATION_YEAR (demo-calibration.md).
CALIBRATION = {
    "新认定高新技术企业": 416,
    "高新技术企业净增": 379,
    "高新技术企业总数": 1346,
    "新增省科技型中小企业": 1202,
    "新增省级企业研究院": 16,
    "新增省级高新技术企业研究开发中心": 49,
}
FIRST_YEAR, LAST_YEAR = 2015, 2026
NO_TERM = date(2099, 12, 31)
ANNUAL_YEARS = (2018, 2019, 2023, 2024, 2025)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class HnteYear:
    """One year of 高企 recognitions: counts at full scale."""

    issued: int | None  # certificates dated this year (None: whatever makes `in_force`)
    in_force: int | None = None  # enterprises in force on 31 December (the calibration)
    revoked: int | None = None  # revocations (None: from `in_force`, else 0.4 % of those in force)
    renew: float = 0.8  # share of the certificates running out this year renewed this year
    again: int | None = None  # re-recognitions after an earlier lapse (None: 5 % of issued)


HNTE_YEARS = {
    2015: HnteYear(issued=130, revoked=0),
    2016: HnteYear(issued=32, revoked=0),
    2017: HnteYear(issued=450, revoked=1),
    2018: HnteYear(issued=None, in_force=967, revoked=2, renew=0.55),
    2019: HnteYear(issued=416, in_force=1346, renew=0.7, again=45),
    2020: HnteYear(issued=620),
    2021: HnteYear(issued=760),
    2022: HnteYear(issued=930),
    2023: HnteYear(issued=1060),
    2024: HnteYear(issued=1120),
    2025: HnteYear(issued=1150),
    2026: HnteYear(issued=1180),
}
# The certificate date of each year's batch (浙江省 main batch); 2026's is before the demo's "today".
HNTE_DATES = {
    2015: date(2015, 9, 17),
    2016: date(2016, 11, 21),
    2017: date(2017, 11, 13),
    2018: date(2018, 11, 30),
    2019: date(2019, 12, 4),
    2020: date(2020, 12, 1),
    2021: date(2021, 12, 16),
    2022: date(2022, 12, 24),
    2023: date(2023, 12, 8),
    2024: date(2024, 12, 6),
    2025: date(2025, 12, 19),
    2026: date(2026, 11, 20),
}
HNTE_REVOKE_REASONS = (  # 国科发火〔2016〕32号 第十九条
    "在申请认定过程中存在严重弄虚作假行为（国科发火〔2016〕32号第十九条）",
    "发生重大安全、重大质量事故或有严重环境违法行为（国科发火〔2016〕32号第十九条）",
    "累计两年未填报年度发展情况报表（国科发火〔2016〕32号第十九条）",
    "经复核不符合认定条件（国科发火〔2016〕32号第十六条）",
)
TSME_YEARS = {
    2016: 520,
    2017: 700,
    2018: 930,
    2019: 1202,
    2020: 1450,
    2021: 1750,
    2022: 2100,
    2023: 2500,
    2024: 2850,
    2025: 3100,
    2026: 3300,
}
TSME_RETURN = 0.7  # share of last year's 科技型中小企业 evaluated again
# Provincial R&D institutions and leaders recognised per year, with the date of the year's list.
RD_YEARS = {
    ENT_INSTITUTE: {2016: 12, 2017: 14, 2018: 15, 2019: 16, 2020: 18, 2021: 20, 2022: 22, 2023: 22, 2024: 24}
    | {2025: 25, 2026: 25},
    HNTE_RD_CENTER: {2016: 40, 2017: 45, 2018: 47, 2019: 49, 2020: 55, 2021: 60, 2022: 62, 2023: 65}
    | {2024: 66, 2025: 68, 2026: 70},
    KEY_INSTITUTE: {2017: 2, 2018: 2, 2020: 2, 2022: 3, 2024: 2, 2026: 2},
    LEADER: {2021: 3, 2023: 4, 2025: 3},
}
RD_DATES = {
    ENT_INSTITUTE: (12, 20),
    HNTE_RD_CENTER: (12, 10),
    KEY_INSTITUTE: (12, 28),
    LEADER: (9, 15),
}
RD_REVOKED_FROM = 2021  # 绩效评价 of provincial R&D institutions: one of each kind fails a year from then


def _rd_date(kind: str, year: int) -> date:
    month, day = RD_DATES[kind]
    if year == LAST_YEAR and month == 12:
        return date(year, 11, day)  # before the demo's "today"
    return date(year, month, day)


# --------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True)
class DemoEnterprise:
    """What the plan needs to know about an enterprise."""

    id: int
    credit_code: str
    region_code: str
    founded_on: date | None
    size: str
    industry: str
    tech_field: str
    story: str = ""  # "ent_demo" / "ent_demo2": a named demo enterprise with a fixed history


@dataclass
class QualificationSpec:
    organization_id: int
    kind: str
    valid_from: date
    valid_until: date
    certificate_no: str = ""
    revoked_on: date | None = None
    revoke_reason: str = ""

    @property
    def level(self) -> str:
        return DEFAULT_LEVEL[QualificationKind(self.kind)].value

    def end_of_force(self) -> date:
        if self.revoked_on is not None:
            return min(self.valid_until, self.revoked_on - timedelta(days=1))
        return self.valid_until

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.end_of_force()


@dataclass(frozen=True)
class AnnualSpec:
    organization_id: int
    year: int
    values: dict


@dataclass
class DemoPlan:
    qualifications: list[QualificationSpec]
    annual: list[AnnualSpec]
    # Share of the full-scale counts planned, up to 2019 and after it, per family.
    scales: dict[str, float] = field(default_factory=dict)

    @property
    def calibrated(self) -> bool:
        return self.scales.get("hnte_history") == 1.0 and self.scales.get("tsme_history") == 1.0


class _Shortage(Exception):
    def __init__(self, needed: int, available: int):
        super().__init__(f"needed {needed}, available {available}")
        self.needed, self.available = needed, available


def _scaled(n: int | None, scale: float) -> int | None:
    return None if n is None else round(n * scale)


def _hnte_valid_until(valid_from: date) -> date:
    from .qualifications import hnte_valid_until

    return hnte_valid_until(valid_from)


# --------------------------------------------------------------------------------------------
# 高企


def _old_enough(enterprise: DemoEnterprise, day: date) -> bool:
    """注册成立一年以上 (工作指引: at least 365 days before the certificate)."""
    return enterprise.founded_on is None or enterprise.founded_on <= day - timedelta(days=365)


def _plan_hnte(
    pop: Sequence[DemoEnterprise], seed: int, history: float, current: float
) -> list[QualificationSpec]:
    """高企 certificates by simulating the batches year by year; raises _Shortage when enterprises run out."""
    rng = random.Random(f"kechuang-demo:{seed}:hnte")
    candidates = [e for e in pop if e.tech_field and not e.story]
    rng.shuffle(candidates)
    batches: dict[int, list[QualificationSpec]] = defaultdict(list)
    ever: set[int] = set()
    lapsed: list[int] = []  # certificate ran out in an earlier year, not revoked: may be re-recognised
    certificates: list[QualificationSpec] = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        spec, day = HNTE_YEARS[year], HNTE_DATES[year]
        scale = history if year <= CALIBRATION_YEAR else current
        alive = [c for c in batches[year - 1] + batches[year - 2] if c.revoked_on is None]
        expiring = [c for c in batches[year - 3] if c.revoked_on is None]
        in_force = _scaled(spec.in_force, scale)
        issued = _scaled(spec.issued, scale)
        if issued is None:
            revoked = _scaled(spec.revoked, scale) or 0
            issued = max(0, in_force - (len(alive) - revoked))
        elif in_force is not None:
            revoked = len(alive) + issued - in_force
        elif spec.revoked is not None:
            revoked = _scaled(spec.revoked, scale)
        else:
            revoked = round(0.004 * len(alive))
        revoked = min(max(revoked, 0), len(alive))
        for cert in rng.sample(alive, revoked):
            first = max(cert.valid_from + timedelta(days=30), date(year, 1, 10))
            cert.revoked_on = first + timedelta(days=rng.randrange((date(year, 11, 30) - first).days + 1))
            cert.revoke_reason = rng.choice(HNTE_REVOKE_REASONS)
        renew_n = round(spec.renew * len(expiring))
        if year > CALIBRATION_YEAR:
            issued = max(issued, renew_n)  # a thin population still renews its certificates
        renewed = rng.sample(expiring, min(renew_n, issued))
        again_n = _scaled(spec.again, scale) if spec.again is not None else round(0.05 * issued)
        again = rng.sample(lapsed, min(again_n, len(lapsed), issued - len(renewed)))
        fresh_n = issued - len(renewed) - len(again)
        fresh = []
        for e in candidates:
            if len(fresh) == fresh_n:
                break
            if e.id not in ever and _old_enough(e, day):
                fresh.append(e.id)
        if len(fresh) < fresh_n:
            raise _Shortage(fresh_n + len(ever), len(fresh) + len(ever))
        taken = set(again)
        lapsed = [org for org in lapsed if org not in taken]
        renewed_ids = {c.organization_id for c in renewed}
        lapsed += [c.organization_id for c in expiring if c.organization_id not in renewed_ids]
        ever.update(fresh)
        until = _hnte_valid_until(day)
        for org in sorted(renewed_ids) + sorted(again) + fresh:
            cert = QualificationSpec(org, HNTE, day, until)
            batches[year].append(cert)
            certificates.append(cert)
    # 证书编号 GR + year + 33 (浙江) + serial: each batch is a slice of the province's list.
    for year, batch in batches.items():
        serial = rng.randint(1, 400)
        for cert in sorted(batch, key=lambda c: c.organization_id):
            cert.certificate_no = f"GR{year}33{serial:06d}"
            serial += rng.randint(1, 12)
    return certificates


# --------------------------------------------------------------------------------------------
# 科技型中小企业


def _tsme_eligible(e: DemoEnterprise, year: int) -> bool:
    return (
        e.size != "large"
        and (e.tech_field or e.industry in ("C", "I", "M"))
        and (e.founded_on is None or e.founded_on < date(year, 3, 1))
    )


def _plan_tsme(
    pop: Sequence[DemoEnterprise], seed: int, history: float, current: float
) -> list[QualificationSpec]:
    rng = random.Random(f"kechuang-demo:{seed}:tsme")
    candidates = [e for e in pop if not e.story]
    rng.shuffle(candidates)
    by_id = {e.id: e for e in candidates}
    registrations: list[QualificationSpec] = []
    last: list[int] = []
    for year, full in TSME_YEARS.items():
        wanted = round(full * (history if year <= CALIBRATION_YEAR else current))
        returning = [org for org in last if _tsme_eligible(by_id[org], year)]
        chosen = rng.sample(returning, min(round(TSME_RETURN * len(last)), wanted, len(returning)))
        taken = set(chosen)
        for e in candidates:
            if len(chosen) == wanted:
                break
            if e.id not in taken and _tsme_eligible(e, year):
                chosen.append(e.id)
                taken.add(e.id)
        if len(chosen) < wanted:
            raise _Shortage(wanted, len(chosen))
        serials: dict[str, int] = defaultdict(int)
        for org in sorted(chosen):
            county = by_id[org].region_code[:6]
            serials[county] += 1
            day = date(year, rng.randint(4, 11), 15)  # monthly 入库 lists, April to November
            registrations.append(
                QualificationSpec(org, TSME, day, date(year, 12, 31), f"{year}{county}{serials[county]:07d}")
            )
        last = chosen
    return registrations


# --------------------------------------------------------------------------------------------
# Provincial R&D institutions and leaders


_PREFERRED_SIZES = {
    ENT_INSTITUTE: ("medium", "large"),
    KEY_INSTITUTE: ("large",),
    LEADER: ("large", "medium"),
}


def _plan_rd(
    pop: Sequence[DemoEnterprise], hnte: list[QualificationSpec], seed: int, history: float, current: float
) -> list[QualificationSpec]:
    """R&D institutions go to enterprises holding a 高企 certificate that day (a condition of both lists)."""
    rng = random.Random(f"kechuang-demo:{seed}:rd")
    size_of = {e.id: e.size for e in pop}
    periods = [(c.valid_from, c.end_of_force(), c.organization_id) for c in hnte]

    def hnte_holders(day: date) -> set[int]:
        return {org for start, end, org in periods if start <= day <= end}

    held: dict[str, dict[int, QualificationSpec]] = defaultdict(dict)
    records: list[QualificationSpec] = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        scale = history if year <= CALIBRATION_YEAR else current
        for kind in (ENT_INSTITUTE, HNTE_RD_CENTER, KEY_INSTITUTE, LEADER):
            wanted = round(RD_YEARS[kind].get(year, 0) * scale)
            day = _rd_date(kind, year)
            if kind == KEY_INSTITUTE:  # an upgrade of an enterprise research institute two years old
                pool = [
                    org
                    for org, rec in held[ENT_INSTITUTE].items()
                    if rec.in_force_on(day) and rec.valid_from.year <= year - 2
                ]
            elif kind == LEADER:
                pool = list((set(held[ENT_INSTITUTE]) | set(held[HNTE_RD_CENTER])) & hnte_holders(day))
            else:
                pool = list(hnte_holders(day))
            pool = sorted(org for org in pool if org not in held[kind])
            preferred = _PREFERRED_SIZES.get(kind, ())
            ranked = sorted(pool, key=lambda org: rng.random() / (3 if size_of.get(org) in preferred else 1))
            for org in ranked[:wanted]:
                record = QualificationSpec(org, kind, day, NO_TERM)
                held[kind][org] = record
                records.append(record)
            # One of each kind fails its 绩效评价 a year (only at full scale: a thin demo keeps its few).
            if year >= RD_REVOKED_FROM and kind in (ENT_INSTITUTE, HNTE_RD_CENTER) and scale == 1.0:
                standing = sorted(
                    org for org, rec in held[kind].items() if rec.in_force_on(date(year, 6, 30))
                )
                if standing:
                    failed = held[kind][rng.choice(standing[: max(1, len(standing) // 2)])]
                    failed.revoked_on = date(year, 6, 30)
                    failed.revoke_reason = "绩效评价不合格"
    return records


# --------------------------------------------------------------------------------------------
# The named demo enterprises


def _story(e: DemoEnterprise) -> list[QualificationSpec]:
    if e.story == "ent_demo":
        hnte = [
            QualificationSpec(
                e.id, HNTE, HNTE_DATES[y], _hnte_valid_until(HNTE_DATES[y]), f"GR{y}33{990000 + y % 100:06d}"
            )
            for y in (2020, 2023, 2026)
        ]
        tsme = [
            QualificationSpec(
                e.id, TSME, date(y, 5, 15), date(y, 12, 31), f"{y}{e.region_code[:6]}9{y % 100:06d}"
            )
            for y in range(2020, LAST_YEAR + 1)
        ]
        return hnte + tsme
    if e.story == "ent_demo2":
        return [
            QualificationSpec(
                e.id, TSME, date(y, 6, 15), date(y, 12, 31), f"{y}{e.region_code[:6]}9{y % 100:06d}"
            )
            for y in range(2023, LAST_YEAR + 1)
        ]
    return []


# --------------------------------------------------------------------------------------------
# Annual data


_REVENUE_RANGE = {  # 2018 sales revenue by size, yuan
    "micro": (3e6, 2e7),
    "small": (1e7, 8e7),
    "medium": (6e7, 4e8),
    "large": (3e8, 5e9),
}
_STAFF_RANGE = {"micro": (8, 30), "small": (25, 150), "medium": (120, 900), "large": (500, 4000)}


def _yuan(value: float) -> Decimal:
    return Decimal(round(value))


def _rd_threshold(revenue: float) -> float:
    """高企 condition (五): 5 % up to 5,000万, 4 % up to 2亿, 3 % above (国科发火〔2016〕32号 第十一条)."""
    return 0.05 if revenue <= 5e7 else 0.04 if revenue <= 2e8 else 0.03


@dataclass
class _Profile:
    quality: str  # meets / near / below the 高企 conditions
    revenues: dict[int, float]
    staff: int
    rd_shares: dict[str, float]
    tsme_limits: bool
    invention: int
    utility: int
    software: int
    design: int


def _profile(rng: random.Random, e: DemoEnterprise, hnte: bool, tsme: bool) -> _Profile:
    roll = rng.random()
    if e.story:
        quality = "meets" if e.story == "ent_demo" else "near"
    elif hnte:
        quality = "meets" if roll < 0.9 else "near"
    else:
        quality = "near" if roll < (0.45 if tsme else 0.35) else "below"
    low, high = _REVENUE_RANGE.get(e.size, _REVENUE_RANGE["small"])
    revenue = math.exp(rng.uniform(math.log(low), math.log(high)))
    revenues = {}
    for year in range(2018, 2026):
        revenues[year] = revenue
        revenue *= 1 + min(0.4, max(-0.2, rng.gauss(0.07, 0.09)))
    staff_low, staff_high = _STAFF_RANGE.get(e.size, _STAFF_RANGE["small"])
    staff = rng.randint(staff_low, staff_high)
    if tsme:  # 科小: ≤500 staff, ≤2亿 revenue and assets (国科发政〔2017〕115号 第六条)
        peak = max(revenues.values())
        if peak > 1.8e8:
            factor = rng.uniform(4e7, 1.7e8) / peak
            revenues = {y: r * factor for y, r in revenues.items()}
        staff = min(staff, rng.randint(200, 450))
    shares = {
        "personnel": rng.uniform(0.42, 0.58),
        "direct": rng.uniform(0.18, 0.3),
        "depreciation": rng.uniform(0.05, 0.1),
        "amortization": rng.uniform(0.01, 0.03),
        "design": rng.uniform(0.01, 0.04),
        "trial": rng.uniform(0.01, 0.04),
        "commissioned_domestic": 0.0 if rng.random() < 0.6 else rng.uniform(0.02, 0.08),
        "commissioned_foreign": 0.0 if rng.random() < 0.95 else rng.uniform(0.01, 0.04),
        "other": rng.uniform(0.02, 0.07),
    }
    total = sum(shares.values())
    shares = {k: v / total for k, v in shares.items()}
    if quality == "meets":
        invention = rng.randint(1, 6) if rng.random() < 0.7 else 0
        utility = rng.randint(6, 25)
    elif quality == "near":
        invention = 1 if rng.random() < 0.3 else 0
        utility = rng.randint(2, 8)
    else:
        invention, utility = 0, rng.randint(0, 3)
    software = rng.randint(3, 15) if e.industry == "I" else rng.randint(0, 2)
    return _Profile(quality, revenues, staff, shares, tsme, invention, utility, software, rng.randint(0, 5))


def _year_values(rng: random.Random, e: DemoEnterprise, p: _Profile, year: int, rd_institution: bool) -> dict:
    revenue = p.revenues[year]
    threshold = _rd_threshold(revenue)
    if p.quality == "meets":
        rd_rate, st_rate, hitech_rate = (
            threshold + rng.uniform(0.004, 0.035),
            rng.uniform(0.14, 0.4),
            rng.uniform(0.64, 0.92),
        )
        achievements = rng.randint(3, 8)
    elif p.quality == "near":
        rd_rate, st_rate, hitech_rate = (
            threshold + rng.uniform(-0.009, 0.002),
            rng.uniform(0.09, 0.13),
            rng.uniform(0.55, 0.66),
        )
        achievements = rng.randint(1, 3)
    else:
        rd_rate = rng.uniform(0.003, max(0.004, threshold - 0.012))
        st_rate, hitech_rate, achievements = (
            rng.uniform(0.03, 0.09),
            rng.uniform(0.05, 0.55),
            rng.randint(0, 1),
        )
    grown = year - 2018
    main = revenue * rng.uniform(0.9, 0.99)
    total_income = revenue * rng.uniform(1.005, 1.04)
    non_taxable = total_income * rng.uniform(0, 0.01)
    rd = revenue * rd_rate
    hnte = {name: rd * share for name, share in p.rd_shares.items()}
    net_assets = revenue * rng.uniform(0.35, 0.9)
    total_assets = net_assets * rng.uniform(1.4, 2.3)
    if p.tsme_limits and total_assets > 1.95e8:
        total_assets = rng.uniform(1.2e8, 1.9e8)
        net_assets = min(net_assets, total_assets * 0.7)
    staff = max(5, round(p.staff * (1 + 0.04 * grown) * rng.uniform(0.95, 1.05)))
    if p.tsme_limits:
        staff = min(staff, 480)
    return {
        "total_income": _yuan(total_income),
        "non_taxable_income": _yuan(non_taxable),
        "investment_income": _yuan(total_income * rng.uniform(0, 0.01)),
        "main_revenue": _yuan(main),
        "other_revenue": _yuan(revenue - main),
        "hitech_revenue": _yuan((total_income - non_taxable) * hitech_rate),
        "cost_total": _yuan(revenue * rng.uniform(0.78, 0.95)),
        "hnte_rd_personnel": _yuan(hnte["personnel"]),
        "hnte_rd_direct": _yuan(hnte["direct"]),
        "hnte_rd_depreciation": _yuan(hnte["depreciation"]),
        "hnte_rd_amortization": _yuan(hnte["amortization"]),
        "hnte_rd_design": _yuan(hnte["design"]),
        "hnte_rd_trial": _yuan(hnte["trial"]),
        "hnte_rd_commissioned_domestic": _yuan(hnte["commissioned_domestic"]),
        "hnte_rd_commissioned_foreign": _yuan(hnte["commissioned_foreign"]),
        "hnte_rd_other": _yuan(hnte["other"]),
        # 加计扣除口径 is narrower (rules.md §3.7): staff directly in R&D, no buildings, no 装备调试, other ≤ 10 %.
        "sd_rd_personnel": _yuan(hnte["personnel"] * rng.uniform(0.9, 1.0)),
        "sd_rd_direct": _yuan(hnte["direct"] * rng.uniform(0.95, 1.0)),
        "sd_rd_depreciation": _yuan(hnte["depreciation"] * rng.uniform(0.55, 0.85)),
        "sd_rd_amortization": _yuan(hnte["amortization"] * rng.uniform(0.85, 1.0)),
        "sd_rd_design": _yuan(hnte["design"] + hnte["trial"] * rng.uniform(0.3, 0.7)),
        "sd_rd_other": _yuan(hnte["other"] * rng.uniform(0.5, 0.9)),
        "sd_rd_commissioned_domestic": _yuan(hnte["commissioned_domestic"]),
        "sd_rd_commissioned_foreign": _yuan(hnte["commissioned_foreign"]),
        "sd_capitalized_amortization": _yuan(0 if rng.random() < 0.9 else rd * rng.uniform(0.01, 0.05)),
        "staff_total": Decimal(staff),
        "st_staff": Decimal(max(1, round(staff * st_rate))),
        "net_assets": _yuan(net_assets),
        "total_assets": _yuan(total_assets),
        "ip_invention": p.invention + grown // 3,
        "ip_utility_model": p.utility + grown // 2,
        "ip_design": p.design,
        "ip_software": p.software + (grown // 2 if e.industry == "I" else 0),
        "ip_class2_used_before": p.utility // 2 if p.quality == "meets" else 0,
        "achievements_transformed": achievements,
        "rd_institutions": 1 if rd_institution else 0,
        "has_major_incident": p.quality == "below" and rng.random() < 0.01,
        "enhanced_rate": e.tech_field == "electronic_information" and rng.random() < 0.05,
        "national_award_top3": p.quality == "meets" and rng.random() < 0.01,
        "led_standard": p.quality == "meets" and rng.random() < 0.1,
    }


def _plan_annual(
    pop: Sequence[DemoEnterprise], qualifications: list[QualificationSpec], seed: int
) -> list[AnnualSpec]:
    """Submitted figures for ANNUAL_YEARS: every enterprise qualified that year, and some candidates."""
    rng = random.Random(f"kechuang-demo:{seed}:annual")
    by_org: dict[int, list[QualificationSpec]] = defaultdict(list)
    for q in qualifications:
        by_org[q.organization_id].append(q)
    rows: list[AnnualSpec] = []
    # Candidates the bureau also collects figures from: about 12 %, at most some 1,500 enterprises.
    share = min(0.12, 1500 / max(1, len(pop)))
    for e in pop:
        held = by_org.get(e.id, [])
        volunteer = rng.random() < share and bool(e.tech_field or e.industry in ("C", "I", "M"))
        years = []
        for year in ANNUAL_YEARS:
            if e.founded_on is not None and e.founded_on >= date(year, 7, 1):
                continue
            start, end = date(year, 1, 1), date(year, 12, 31)
            qualified = any(q.valid_from <= end and q.end_of_force() >= start for q in held)
            if qualified or volunteer:
                years.append(year)
        if not years:
            continue
        profile = _profile(
            rng, e, hnte=any(q.kind == HNTE for q in held), tsme=any(q.kind == TSME for q in held)
        )
        for year in years:
            rd_institution = any(
                q.kind in (ENT_INSTITUTE, HNTE_RD_CENTER, KEY_INSTITUTE) and q.in_force_on(date(year, 12, 31))
                for q in held
            )
            rows.append(AnnualSpec(e.id, year, _year_values(rng, e, profile, year, rd_institution)))
    return rows


# --------------------------------------------------------------------------------------------
# The plan


def _fit(attempt: Callable[[float], list]) -> tuple[float, list]:
    """The largest scale (1 or less) at which `attempt` finds enough enterprises, and its records."""
    scale = 1.0
    while scale >= 0.005:
        try:
            return scale, attempt(scale)
        except _Shortage as short:
            ratio = short.available / short.needed if short.needed else 0
            scale = round(scale * min(0.99, max(0.5, ratio)), 4)
    return 0.0, attempt(0.0)


def _fit_years(attempt: Callable[[float, float], list]) -> tuple[float, float, list]:
    """Scales up to the calibration year and after it: the calibrated year exact whenever it fits, else
    one scale for every year, so that a small population still grows the way the city did."""
    try:
        attempt(1.0, 0.0)
    except _Shortage:
        scale, records = _fit(lambda s: attempt(s, s))
        return scale, scale, records
    current, records = _fit(lambda s: attempt(1.0, s))
    return 1.0, current, records


def _tsme_scales(pop: Sequence[DemoEnterprise]) -> tuple[float, float]:
    """Each year's registrations only need as many eligible enterprises: the scales follow directly."""
    room = {
        year: sum(1 for e in pop if not e.story and _tsme_eligible(e, year)) / full
        for year, full in TSME_YEARS.items()
    }
    history = min(r for y, r in room.items() if y <= CALIBRATION_YEAR)
    if history >= 1:
        return 1.0, min(1.0, math.floor(min(r for y, r in room.items() if y > CALIBRATION_YEAR) * 1e4) / 1e4)
    scale = min(1.0, math.floor(min(room.values()) * 1e4) / 1e4)
    return scale, scale


def plan(enterprises: Sequence[DemoEnterprise], seed: int = DEFAULT_SEED) -> DemoPlan:
    """Every record the enterprise demo writes for `enterprises`; no database involved."""
    pop = sorted(enterprises, key=lambda e: e.credit_code)
    hnte_history, hnte_current, hnte = _fit_years(lambda h, c: _plan_hnte(pop, seed, h, c))
    tsme_history, tsme_current = _tsme_scales(pop)
    tsme = _plan_tsme(pop, seed, tsme_history, tsme_current)
    rd = _plan_rd(pop, hnte, seed, hnte_history, hnte_current)
    stories = [q for e in pop for q in _story(e)]
    qualifications = hnte + tsme + rd + stories
    return DemoPlan(
        qualifications=qualifications,
        annual=_plan_annual(pop, qualifications, seed),
        scales={
            "hnte_history": hnte_history,
            "hnte_current": hnte_current,
            "tsme_history": tsme_history,
            "tsme_current": tsme_current,
        },
    )


# --------------------------------------------------------------------------------------------
# Writing


def demo_enterprises(region: str = CITY) -> list[DemoEnterprise]:
    """The enterprises of `region` the figures count, with the named demo enterprises marked."""
    from kechuang.demo.generator import FIXED_ORGANIZATIONS, fixed_organizations, regions_from_db

    from .figures import enterprises_in

    keys = {
        spec.credit_code: org["key"]
        for org, spec in zip(FIXED_ORGANIZATIONS, fixed_organizations(regions_from_db()), strict=True)
    }
    rows = enterprises_in(region).order_by("credit_code")
    return [
        DemoEnterprise(pk, code, region_id, founded_on, size, industry, tech_field, keys.get(code, ""))
        for pk, code, region_id, founded_on, size, industry, tech_field in rows.values_list(
            "pk", "credit_code", "region_id", "founded_on", "size", "industry", "tech_field"
        )
    ]


@dataclass
class SeedResult:
    qualifications_created: int = 0
    annual_created: int = 0
    tiers_changed: int = 0
    skipped: bool = False
    calibrated: bool = False
    scales: dict[str, float] = field(default_factory=dict)
    figures: dict[str, int] = field(default_factory=dict)  # CITY's CALIBRATION_YEAR, as computed afterwards
    seconds: float = 0.0


def _chunks(items: list, size: int = 900):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def calibration_figures(region: str = CITY, year: int = CALIBRATION_YEAR) -> dict[str, int]:
    """The calibrated figures as enterprises.figures computes them from the database."""
    from django.db import connection

    from .figures import report_figures

    if connection.vendor == "postgresql":
        # Thousands of rows were just inserted: without fresh statistics the planner picks nested loops.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE organizations_organization, organizations_qualification")
    return {figure.label: figure.value for figure in report_figures(region, year)}


def _insert(model, rows: list[dict]) -> int:
    """INSERT `rows` (field values by attname, the rest from the fields' defaults) with executemany.

    What bulk_create does for demo data (no signals, no audit lines), without its per-value preparation,
    which made the "small" demo take a quarter of a minute: Decimal, date, int, bool and str values go to
    the driver as they are (Django's SQLite adapters and psycopg take them), datetimes through the
    backend's own adaptation.
    """
    from django.db import connection
    from django.db.models import DateTimeField
    from django.utils import timezone

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) or f.default is timezone.now:
            defaults[f.attname] = now
        elif f.has_default() or f.null or f.empty_strings_allowed:
            defaults[f.attname] = f.get_default()
    adapt = connection.ops.adapt_datetimefield_value
    moments = {f.attname for f in fields if isinstance(f, DateTimeField)}
    defaults = {name: adapt(value) if name in moments else value for name, value in defaults.items()}
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    given = [f.attname for f in fields]
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, 5000):
            values = []
            for row in chunk:
                line = []
                for name in given:
                    if name in row:
                        line.append(adapt(row[name]) if name in moments else row[name])
                    else:
                        line.append(defaults.get(name))
                values.append(line)
            cursor.executemany(sql, values)
    return len(rows)


def seed(
    *,
    enterprises: Sequence[DemoEnterprise] | None = None,
    seed: int = DEFAULT_SEED,
    log: Callable[[str], None] = print,
) -> SeedResult:
    """Write the enterprise demo for the demo city (or for `enterprises`, which must exist); safe to run again."""
    from django.db import transaction

    from kechuang.organizations.models import Qualification

    from .enums import AnnualDataStatus
    from .models import AnnualData
    from .services import tiers_refresh_all

    started = time.monotonic()
    result = SeedResult()
    pop = list(enterprises) if enterprises is not None else demo_enterprises()
    ids = [e.id for e in pop]
    seeded = any(
        Qualification.objects.filter(
            organization_id__in=chunk, kind=HNTE, valid_from__lte=date(CALIBRATION_YEAR, 12, 31)
        ).exists()
        for chunk in _chunks(ids)
    )
    if not pop or seeded:
        result.skipped = True
        result.seconds = time.monotonic() - started
        log("企业演示数据已存在，跳过" if pop else "没有演示城市的企业，跳过企业演示数据")
        return result

    planned = plan(pop, seed)
    # Records another demo wrote first (projects/demo.py registers a few 科技型中小企业 this year) stay;
    # the plan's own for the same enterprise, kind and year are left out.
    taken: set[tuple[int, str, int]] = set()
    annual_taken: set[tuple[int, int]] = set()
    for chunk in _chunks(ids):
        taken.update(
            (org, kind, day.year)
            for org, kind, day in Qualification.objects.filter(organization_id__in=chunk).values_list(
                "organization_id", "kind", "valid_from"
            )
        )
        annual_taken.update(
            AnnualData.objects.filter(organization_id__in=chunk, year__in=ANNUAL_YEARS).values_list(
                "organization_id", "year"
            )
        )
    qualifications = [
        {
            "organization_id": q.organization_id,
            "kind": q.kind,
            "level": q.level,
            "certificate_no": q.certificate_no,
            "valid_from": q.valid_from,
            "valid_until": q.valid_until,
            "revoked_on": q.revoked_on,
            "revoke_reason": q.revoke_reason,
        }
        for q in planned.qualifications
        if (q.organization_id, q.kind, q.valid_from.year) not in taken
    ]
    annual = [
        {
            "organization_id": row.organization_id,
            "year": row.year,
            "status": AnnualDataStatus.SUBMITTED.value,
            # Submitted in the spring after the year, spread over two months.
            "submitted_at": datetime(row.year + 1, 4, 1, 9, tzinfo=SHANGHAI)
            + timedelta(minutes=(row.organization_id * 7919) % (60 * 24 * 60)),
            **row.values,
        }
        for row in planned.annual
        if (row.organization_id, row.year) not in annual_taken
    ]
    with transaction.atomic():
        _insert(Qualification, qualifications)
        _insert(AnnualData, annual)
    result.tiers_changed = tiers_refresh_all()
    result.qualifications_created = len(qualifications)
    result.annual_created = len(annual)
    result.calibrated = planned.calibrated
    result.scales = planned.scales
    result.figures = calibration_figures()
    result.seconds = time.monotonic() - started
    shown = "，".join(f"{label} {value}" for label, value in result.figures.items())
    log(
        f"企业演示数据：{result.qualifications_created} 条资质、{result.annual_created} 份年度数据"
        f"（用时 {result.seconds:.1f} 秒）；{CALIBRATION_YEAR}年：{shown}"
        + ("" if result.calibrated else f"（企业数不足，未按公开数据校准，按比例 {planned.scales} 生成）")
    )
    return result
