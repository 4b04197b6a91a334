"""The carriers' demo data (issue 7): 2015–2021 recognitions across 绍兴's counties, with 2019 calibrated.

`plan(organizations, users, indicators, seed=)` is pure (records as dicts, "_"-keys are references between
planned records); `seed()` writes it in bulk in one transaction (no audit lines or notifications for demo
data). A second run finds the calibration year's provincial maker spaces and adds nothing.

2019, by the definitions in demo-calibration.md: 28 provincial maker spaces (新增省级众创空间), 4 national
星创天地, 10 foreign-expert workstations recognized in the year, and 30 city- and county-level 产业创新服务
综合体 active and recognized by the end of 2019 (provincial complexes exist too, outside that count). The
figures do not depend on the registry's size: carriers share operators when the registry is small.

Incubators, maker spaces and 星创天地 house companies (some in the registry, some by name only) with their
registered capital and two or three years of revenue. Annual reports for 2019 (and 2018 for incubators) are
written for every kind that has report indicators (configuration seeded by migration; kinds without any get
no reports). Incubators are evaluated for 2018 and 2019 (published): score = Σ weight × min(value / target,
1), graded by the scheme's thresholds and ranked by the rules of evaluation.py; one incubator fails both years
and is removed.

The named demo organizations: inst_demo operates an incubator (evaluated) and a maker space whose 2019 report
was returned; ent_demo operates a maker space whose 2019 report is a draft; ent_demo2 graduated from an
incubator of 诸暨.
"""

from __future__ import annotations

import random
import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import ROUND_CEILING, Decimal
from zoneinfo import ZoneInfo

from kechuang.demo.bulk import insert
from kechuang.market.demo import DemoOrg, DemoUser, demo_registry, in_city

from . import evaluation
from .enums import (
    CarrierKind,
    CarrierState,
    Consequence,
    Grade,
    IncubateeState,
    ReportState,
)

DEFAULT_SEED = 2019
CITY = "330600"
CALIBRATION_YEAR = 2019
YEARS = range(2015, 2022)
SHANGHAI = ZoneInfo("Asia/Shanghai")
COUNTIES = {
    "330602": "越城",
    "330603": "柯桥",
    "330604": "上虞",
    "330624": "新昌",
    "330681": "诸暨",
    "330683": "嵊州",
}
COUNTY_WEIGHTS = {"330603": 28, "330602": 20, "330681": 20, "330604": 16, "330624": 8, "330683": 8}
# demo-calibration.md, as counted from the records (see the module's docstring).
CALIBRATION = {
    "新增省级众创空间": 28,
    "新认定国家级星创天地": 4,
    "产业创新服务综合体": 30,
    "新增外国专家工作站": 10,
}

K = CarrierKind
N, P, C, X = "national", "provincial", "city", "county"
# Recognitions per (kind, level): a number for each year of YEARS, or a (low, high) range drawn per year.
FIXED = {
    (K.MAKER_SPACE, P, 2019): 28,
    (K.STAR_SPACE, N, 2019): 4,
    (K.FOREIGN_WORKSTATION, C, 2019): 7,
    (K.FOREIGN_WORKSTATION, P, 2019): 3,
    # 产业创新服务综合体 began in 2017: city and county ones up to 2019 add up to 30.
    (K.COMPLEX, C, 2017): 2,
    (K.COMPLEX, X, 2017): 0,
    (K.COMPLEX, C, 2018): 8,
    (K.COMPLEX, X, 2018): 6,
    (K.COMPLEX, C, 2019): 7,
    (K.COMPLEX, X, 2019): 7,
}
RANGES = {
    (K.INCUBATOR, N): (0, 1),
    (K.INCUBATOR, P): (1, 3),
    (K.INCUBATOR, C): (2, 4),
    (K.MAKER_SPACE, N): (0, 2),
    (K.MAKER_SPACE, P): (10, 20),
    (K.MAKER_SPACE, C): (4, 8),
    (K.STAR_SPACE, N): (1, 3),
    (K.STAR_SPACE, P): (2, 5),
    (K.COMPLEX, P): (1, 3),
    (K.COMPLEX, C): (2, 5),
    (K.COMPLEX, X): (2, 4),
    (K.INSTITUTE, P): (1, 3),
    (K.INSTITUTE, C): (2, 4),
    (K.KEY_LAB, P): (1, 2),
    (K.KEY_LAB, C): (3, 5),
    (K.ENG_CENTER, P): (2, 4),
    (K.ENG_CENTER, C): (4, 6),
    (K.WORKSTATION, P): (2, 4),
    (K.WORKSTATION, C): (3, 5),
    (K.FOREIGN_WORKSTATION, P): (1, 2),
    (K.FOREIGN_WORKSTATION, C): (2, 4),
}
FIRST_YEAR = {K.COMPLEX: 2017}
# Who operates each kind, in order of preference.
OPERATORS = {
    K.INCUBATOR: ("enterprise", "institution"),
    K.MAKER_SPACE: ("enterprise", "institution"),
    K.STAR_SPACE: ("enterprise",),
    K.COMPLEX: ("institution", "agency", "provider"),
    K.INSTITUTE: ("institution", "enterprise"),
    K.KEY_LAB: ("institution", "enterprise"),
    K.ENG_CENTER: ("enterprise", "institution"),
    K.WORKSTATION: ("enterprise",),
    K.FOREIGN_WORKSTATION: ("enterprise", "institution"),
}
SUFFIX = {
    K.INCUBATOR: "科技企业孵化器",
    K.MAKER_SPACE: "众创空间",
    K.STAR_SPACE: "星创天地",
    K.COMPLEX: "产业创新服务综合体",
    K.INSTITUTE: "研究院",
    K.KEY_LAB: "重点实验室",
    K.ENG_CENTER: "工程技术研究中心",
    K.WORKSTATION: "院士专家工作站",
    K.FOREIGN_WORKSTATION: "外国专家工作站",
}
BRANDS = (
    "创客",
    "智谷",
    "云创",
    "梦工场",
    "启航",
    "星火",
    "青创",
    "E家",
    "智汇",
    "科创",
    "匠心",
    "新芽",
    "领创",
)
FIELDS = (
    "纺织新材料",
    "高端装备",
    "集成电路",
    "生物医药",
    "智能制造",
    "电子信息",
    "现代农业",
    "节能环保",
    "新能源",
)
INDUSTRIES = {
    "330602": ("集成电路", "生物医药", "现代纺织"),
    "330603": ("现代纺织", "印染", "新材料"),
    "330604": ("精细化工", "伞业", "高端装备"),
    "330624": ("轴承", "生物医药", "茶叶"),
    "330681": ("五金", "袜业", "珍珠"),
    "330683": ("领带", "厨具", "电机"),
}
INCUBATEE_WORDS = (
    "智能",
    "微电子",
    "新材料",
    "生物",
    "数控",
    "云联",
    "精密",
    "光电",
    "环保",
    "软件",
    "医疗器械",
    "农业",
)
REVIEW_NOTE = "请补充在孵企业营业收入的佐证材料（财务报表）后重新提交。"
REMOVAL_REASON = "连续两年绩效评价不合格"

# How large an indicator's value typically is, by its unit (the scheme's target for it).
TYPICAL = {"家": 25, "个": 10, "人": 60, "人次": 400, "万元": 1500, "%": 60, "平方米": 8000, "件": 15, "项": 8, "场": 20,
           "期": 12, "户": 200, "天": 60, "篇": 10}  # fmt: skip
TYPICAL_DEFAULT = 12
HUNDRED = Decimal("100")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    value_type: str
    id: int = 0


@dataclass
class CarrierPlan:
    """Every record the carriers demo writes, in writing order; `_carrier`, `_incubatee`, `_report`, `_scheme`
    are positions in the lists they name."""

    carriers: list[dict] = field(default_factory=list)
    incubatees: list[dict] = field(default_factory=list)
    revenues: list[dict] = field(default_factory=list)
    reports: list[dict] = field(default_factory=list)
    schemes: list[dict] = field(default_factory=list)
    scheme_indicators: list[dict] = field(default_factory=list)
    evaluations: list[dict] = field(default_factory=list)
    stories: dict[str, int] = field(default_factory=dict)  # named carriers (positions)

    def tables(self) -> dict[str, list[dict]]:
        return {
            "carriers": self.carriers,
            "incubatees": self.incubatees,
            "revenues": self.revenues,
            "reports": self.reports,
            "schemes": self.schemes,
            "scheme_indicators": self.scheme_indicators,
            "evaluations": self.evaluations,
        }


def at(day: date, rng: random.Random) -> datetime:
    """A working-hours moment on `day` (moved past a weekend), Asia/Shanghai."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, clock(8, 30), tzinfo=SHANGHAI) + timedelta(minutes=rng.randrange(9 * 60))


def day_in(year: int, rng: random.Random, first: int = 1, last: int = 12) -> date:
    return date(year, rng.randint(first, last), rng.randint(1, 28))


def county(code: str) -> str:
    return code[:6]


def typical(indicator: Indicator) -> Decimal:
    return Decimal(TYPICAL.get(indicator.unit, TYPICAL_DEFAULT))


def median(values: list[Decimal]) -> Decimal:
    """A scheme's target for an indicator: the middle of the values reported (at least 1), rounded up."""
    ordered = sorted(values)
    middle = ordered[len(ordered) // 2] if ordered else Decimal(1)
    return max(Decimal(1), middle.to_integral_value(rounding=ROUND_CEILING))


class _Planner:
    def __init__(self, organizations, users, indicators, seed):
        self.rng = random.Random(seed)
        self.p = CarrierPlan()
        self.indicators: dict[str, list[Indicator]] = indicators
        orgs = sorted((o for o in organizations if in_city(o.region_code)), key=lambda o: o.id)
        self.story = {o.story: o for o in orgs if o.story}
        self.pool: dict[tuple[str, str], list[DemoOrg]] = defaultdict(list)
        for o in orgs:
            if not o.story and county(o.region_code) in COUNTIES:
                self.pool[(o.kind, county(o.region_code))].append(o)
        for members in self.pool.values():
            members.sort(key=lambda o: (o.founded_on or date.min, o.id))
        self.founded = {
            key: [o.founded_on or date.min for o in members] for key, members in self.pool.items()
        }
        self.enterprises = [o for o in orgs if o.kind == "enterprise" and not o.story]
        self.users_of: dict[int, list[DemoUser]] = defaultdict(list)
        self.bureau: list[DemoUser] = []
        for u in sorted(users, key=lambda u: u.id):
            if u.organization_id is not None:
                self.users_of[u.organization_id].append(u)
            if u.role in ("bureau_staff", "bureau_admin") and u.region_code == CITY:
                self.bureau.append(u)
        self.names: set[str] = set()
        self.linked: set[int] = set()  # registry enterprises already incubated
        self.housed: dict[int, list[dict]] = defaultdict(list)  # a carrier's incubatees

    # -- carriers -------------------------------------------------------------------------------------------

    def operator(self, kind: str, code: str, year: int) -> DemoOrg | None:
        """An organization of a kind that operates `kind`, founded before `year`: in the county if one is there,
        else anywhere in the city, else any organization of the city (a tiny registry)."""
        for org_kind in OPERATORS[kind]:
            for where in (code, *COUNTIES):
                found = self.pool.get((org_kind, where), ())
                # The pool is sorted by founding day: those founded before the year are a prefix of it.
                found = found[: bisect_left(self.founded.get((org_kind, where), []), date(year, 1, 1))]
                if found:
                    return self.rng.choice(found)
        anyone = [o for orgs in self.pool.values() for o in orgs]
        return self.rng.choice(anyone) if anyone else None

    def name(self, kind: str, operator: DemoOrg, code: str) -> str:
        short = operator.name
        for tail in ("股份有限公司", "有限责任公司", "有限公司", "集团"):
            short = short.removesuffix(tail)
        if kind == K.MAKER_SPACE:
            base = f"{COUNTIES[code]}{self.rng.choice(BRANDS)}{SUFFIX[kind]}"
        elif kind == K.COMPLEX:
            base = f"{COUNTIES[code]}{self.rng.choice(INDUSTRIES[code])}{SUFFIX[kind]}"
        else:
            base = f"{short}{SUFFIX[kind]}"
        name, n = base, 2
        while name in self.names:
            name, n = (
                f"{base}（{n}）"
                if kind not in (K.MAKER_SPACE, K.COMPLEX)
                else f"{base[: -len(SUFFIX[kind])]}{n}号{SUFFIX[kind]}",
                n + 1,
            )
        self.names.add(name)
        return name

    def carrier(
        self, kind: str, level: str, year: int, *, operator: DemoOrg | None = None, on=None
    ) -> int | None:
        rng = self.rng
        code = (
            operator.region_code[:6]
            if operator
            else rng.choices(list(COUNTY_WEIGHTS), COUNTY_WEIGHTS.values())[0]
        )
        operator = operator or self.operator(kind, code, year)
        if operator is None:
            return None
        code = county(operator.region_code)
        recognized = on or day_in(year, rng, 3, 12)
        by, prefix = {
            N: ("科学技术部", "国科发"),
            P: ("浙江省科学技术厅", "浙科发"),
            C: ("绍兴市科学技术局", "绍市科"),
            X: (f"{COUNTIES[code]}区（县、市）科学技术局", f"{COUNTIES[code]}科"),
        }[level]
        if kind == K.COMPLEX and level in (P, C):
            by = "浙江省人民政府" if level == P else "绍兴市人民政府"
        incubating = kind in (K.INCUBATOR, K.MAKER_SPACE, K.STAR_SPACE)
        row = {
            "kind": str(kind),
            "level": level,
            "name": self.name(kind, operator, code),
            "operator_id": operator.id,
            "region_id": operator.region_code if len(operator.region_code) > 6 else code,
            "recognized_on": recognized,
            "recognized_by": by,
            "certificate_no": f"{prefix}〔{recognized.year}〕{rng.randint(10, 180)}号",
            "field": rng.choice(INDUSTRIES[code] if kind == K.COMPLEX else FIELDS),
            "area_m2": Decimal(rng.randrange(800, 30000, 50)).quantize(CENT)
            if incubating or kind == K.COMPLEX
            else None,
            "description": f"由{operator.name}运营，{recognized.year}年经{by}认定。",
            "state": CarrierState.ACTIVE.value,
            "removed_on": None,
            "removal_reason": "",
            "created_at": at(recognized + timedelta(days=7), rng),
        }
        row["_key"] = len(self.p.carriers)
        self.p.carriers.append(row)
        return row["_key"]

    def plan_carriers(self) -> None:
        rng = self.rng
        for (kind, level), (low, high) in RANGES.items():
            for year in YEARS:
                if year < FIRST_YEAR.get(kind, YEARS.start):
                    continue
                count = FIXED.get((kind, level, year))
                if count is None:
                    count = rng.randint(low, high)
                for _ in range(count):
                    self.carrier(kind, level, year)
        inst, ent, ent2 = (self.story.get(k) for k in ("inst_demo", "ent_demo", "ent_demo2"))
        if inst is not None:
            self.p.stories["inst_incubator"] = self.carrier(K.INCUBATOR, C, 2016, operator=inst)
            self.p.stories["inst_maker_space"] = self.carrier(K.MAKER_SPACE, C, 2018, operator=inst)
        if ent is not None:
            self.p.stories["ent_maker_space"] = self.carrier(K.MAKER_SPACE, X, 2018, operator=ent)
        if ent2 is not None:
            zhuji = [c["_key"] for c in self.p.carriers if c["kind"] == K.INCUBATOR and c["region_id"][:6] == "330681"
                     and c["recognized_on"] < date(2017, 6, 1)]  # fmt: skip
            self.p.stories["ent2_incubator"] = (
                zhuji[0] if zhuji else self.carrier(K.INCUBATOR, C, 2016, on=date(2016, 5, 10))
            )

        # The incubator that fails its evaluation twice: an ordinary one recognized before 2018.
        named = set(self.p.stories.values())
        weak = next(
            (
                c["_key"]
                for c in self.p.carriers
                if c["kind"] == K.INCUBATOR and c["recognized_on"].year <= 2017 and c["_key"] not in named
            ),
            None,
        )
        if weak is not None:
            self.p.stories["failed_twice"] = weak

    # -- incubated companies ----------------------------------------------------------------------------------

    def incubatee(
        self, carrier: dict, entered: date, org: DemoOrg | None, state: str | None = None, exited=None
    ) -> None:
        rng = self.rng
        if state is None:
            state = rng.choices(
                (IncubateeState.INCUBATING, IncubateeState.GRADUATED, IncubateeState.LEFT), (55, 33, 12)
            )[0]
        if state != IncubateeState.INCUBATING and exited is None:
            exited = min(entered + timedelta(days=rng.randint(400, 1300)), date(2022, 12, 20))
            if exited <= entered:
                state, exited = IncubateeState.INCUBATING, None
        code = county(carrier["region_id"])
        name = (
            org.name
            if org
            else f"绍兴{COUNTIES[code]}{rng.choice(INCUBATEE_WORDS)}{rng.choice(('科技', '技术'))}有限公司"
        )
        if org is None:
            name = name.replace(
                "有限公司", f"{rng.choice('瑞恒创达联宏博云睿铭')}{rng.choice('科源泰信思德维欣')}有限公司", 1
            )
        key = len(self.p.incubatees)
        self.p.incubatees.append(
            row := {
                "_key": key,
                "_carrier": carrier["_key"],
                "organization_id": org.id if org else None,
                "name": name[:100],
                "credit_code": "",
                "field": rng.choice(FIELDS),
                "registered_capital": Decimal(
                    rng.choice((10, 30, 50, 100, 200, 300, 500, 1000)) * 10000
                ).quantize(CENT),
                "entered_on": entered,
                "state": str(state),
                "exited_on": exited,
                "exit_reason": {"graduated": "达到毕业条件，迁出孵化场地", "left": "经营调整，主动退出"}.get(
                    str(state), ""
                ),
                "created_at": at(entered + timedelta(days=3), rng),
            }
        )
        self.housed[carrier["_key"]].append(row)
        last = min((exited or date(2021, 12, 31)).year, 2021)
        first = max(entered.year, last - rng.randint(1, 2))
        revenue = Decimal(rng.randint(20, 800) * 10000)
        for year in range(first, last + 1):
            self.p.revenues.append({"_incubatee": key, "year": year, "revenue": revenue.quantize(CENT)})
            revenue = revenue * Decimal(str(round(rng.uniform(0.9, 1.6), 2)))

    def plan_incubatees(self) -> None:
        rng = self.rng
        sizes = {K.INCUBATOR: (6, 12), K.MAKER_SPACE: (3, 8), K.STAR_SPACE: (3, 6)}
        candidates = [o for o in self.enterprises if o.founded_on and o.founded_on.year >= 2012]
        by_county = defaultdict(list)
        for o in candidates:
            by_county[county(o.region_code)].append(o)
        for carrier in self.p.carriers:
            if carrier["kind"] not in sizes:
                continue
            start = carrier["recognized_on"] - timedelta(days=365)
            if carrier["_key"] == self.p.stories.get("failed_twice"):  # its companies left before 2018
                for _ in range(2):
                    self.incubatee(
                        carrier, start, None, IncubateeState.LEFT, date(2017, rng.randint(6, 11), 30)
                    )
                continue
            for _ in range(rng.randint(*sizes[carrier["kind"]])):
                entered = start + timedelta(days=rng.randint(0, max(1, (date(2021, 12, 1) - start).days)))
                org = None
                if rng.random() < 0.35:
                    near = by_county[county(carrier["region_id"])]
                    for candidate in [rng.choice(near) for _ in range(5)] if near else ():
                        if candidate.id not in self.linked and candidate.founded_on <= entered:
                            org = candidate
                            self.linked.add(org.id)
                            break
                self.incubatee(carrier, entered, org)
        ent2 = self.story.get("ent_demo2")
        if ent2 is not None and "ent2_incubator" in self.p.stories:
            carrier = self.p.carriers[self.p.stories["ent2_incubator"]]
            self.incubatee(carrier, date(2017, 6, 12), ent2, IncubateeState.GRADUATED, date(2020, 9, 30))

    # -- reports and evaluations -------------------------------------------------------------------------------

    def values(self, carrier: dict, year: int, strength: float) -> dict[str, str]:
        rng = self.rng
        out = {}
        inside = self.housed.get(carrier["_key"], [])
        end = date(year, 12, 31)
        for ind in self.indicators.get(carrier["kind"], ()):
            if ind.name.startswith(("在孵企业数", "入驻创业团队和企业数")):  # at the end of the year
                value = Decimal(
                    sum(
                        1
                        for i in inside
                        if i["entered_on"] <= end and (i["exited_on"] is None or i["exited_on"] > end)
                    )
                )
            elif inside and "当年新增" in ind.name:
                value = Decimal(sum(1 for i in inside if i["entered_on"].year == year))
            elif inside and "毕业" in ind.name:
                value = Decimal(
                    sum(1 for i in inside if i["state"] == "graduated" and i["exited_on"].year == year)
                )
            else:
                value = typical(ind) * Decimal(str(round(strength * rng.uniform(0.8, 1.2), 3)))
            if ind.unit == "%":
                value = min(value, HUNDRED)
            value = value.quantize(CENT) if ind.value_type == "decimal" else value.quantize(Decimal(1))
            out[ind.code] = str(value)
        return out

    def report(self, carrier: dict, year: int, state: str, strength: float) -> int:
        rng = self.rng
        submitter = self.users_of.get(carrier["operator_id"], [None])[0]
        submitted = state != ReportState.DRAFT
        values = self.values(carrier, year, strength)
        if state == ReportState.DRAFT:
            values = dict(list(values.items())[: max(1, len(values) // 2)])
        key = len(self.p.reports)
        self.p.reports.append(
            {
                "_key": key,
                "_carrier": carrier["_key"],
                "year": year,
                "state": str(state),
                "values": values,
                "summary": ""
                if not submitted
                else f"{year}年度，{carrier['name']}围绕{carrier['field']}开展服务，各项指标按要求填报。",
                "submitted_at": at(day_in(year + 1, rng, 1, 3), rng) if submitted else None,
                "submitted_by_id": submitter.id if submitted and submitter else None,
                "review_note": REVIEW_NOTE if state == ReportState.RETURNED else "",
                "created_at": at(date(year + 1, 1, 5), rng),
            }
        )
        return key

    def plan_reports(self) -> None:
        rng = self.rng
        self.strength = {c["_key"]: rng.uniform(0.85, 1.25) for c in self.p.carriers}
        weak = self.p.stories.get("failed_twice")
        if weak is not None:
            self.strength[weak] = 0.3
        special = {
            self.p.stories.get("inst_maker_space"): ReportState.RETURNED,
            self.p.stories.get("ent_maker_space"): ReportState.DRAFT,
        }
        for carrier in self.p.carriers:
            if not self.indicators.get(carrier["kind"]):
                continue
            if carrier["kind"] == K.INCUBATOR and carrier["recognized_on"].year <= 2018:
                self.report(carrier, 2018, ReportState.ACCEPTED, self.strength[carrier["_key"]])
            if carrier["recognized_on"].year <= CALIBRATION_YEAR:
                state = special.get(carrier["_key"])
                if state is None:
                    state = rng.choices(
                        (
                            ReportState.ACCEPTED,
                            ReportState.SUBMITTED,
                            ReportState.RETURNED,
                            ReportState.DRAFT,
                        ),
                        (88, 6, 3, 3),
                    )[0]
                    if carrier["_key"] in (weak, self.p.stories.get("inst_incubator")):
                        state = ReportState.ACCEPTED
                self.report(carrier, CALIBRATION_YEAR, state, self.strength[carrier["_key"]])

    def plan_evaluations(self) -> None:
        indicators = self.indicators.get(K.INCUBATOR, [])
        if not indicators:
            return
        rng = self.rng
        weights = [Decimal(100 // len(indicators))] * len(indicators)
        weights[0] += HUNDRED - sum(weights)
        failed_before: set[int] = set()
        for year in (2018, 2019):
            scheme_key = len(self.p.schemes)
            published = at(date(year + 1, 4, 20), rng)
            scheme = {
                "_key": scheme_key,
                "region_id": CITY,
                "kind": str(K.INCUBATOR),
                "year": year,
                "name": f"{year}年度绍兴市科技企业孵化器绩效评价",
                "state": "published",
                "excellent_min": Decimal("90.00"),
                "good_min": Decimal("75.00"),
                "pass_min": Decimal("60.00"),
                "published_at": published,
                "created_at": at(date(year + 1, 3, 2), rng),
            }
            self.p.schemes.append(scheme)
            accepted = [
                r
                for r in self.p.reports
                if r["year"] == year
                and r["state"] == ReportState.ACCEPTED
                and self.p.carriers[r["_carrier"]]["kind"] == K.INCUBATOR
            ]
            lines = []
            for ind, weight in zip(indicators, weights, strict=True):
                target = median([Decimal(r["values"].get(ind.code) or 0) for r in accepted])
                self.p.scheme_indicators.append(
                    {"_scheme": scheme_key, "indicator_id": ind.id, "weight": weight, "target": target}
                )
                lines.append(evaluation.Weighting(ind.code, weight, target))
            scored = {r["_key"]: evaluation.score(r["values"], lines) for r in accepted}
            ranks = evaluation.ranks({key: total for key, (total, _parts) in scored.items()})
            failing = set()
            for report in sorted(accepted, key=lambda r: (ranks[r["_key"]], r["_carrier"])):
                carrier = self.p.carriers[report["_carrier"]]
                total, parts = scored[report["_key"]]
                grade = evaluation.grade(
                    total,
                    excellent_min=scheme["excellent_min"],
                    good_min=scheme["good_min"],
                    pass_min=scheme["pass_min"],
                )
                consequence = evaluation.consequence(
                    grade, Grade.FAIL if carrier["_key"] in failed_before else None
                )
                if grade == Grade.FAIL:
                    failing.add(carrier["_key"])
                if consequence == Consequence.REMOVAL:
                    carrier.update(state=CarrierState.REMOVED.value, removed_on=published.date() + timedelta(days=25),
                                   removal_reason=REMOVAL_REASON)  # fmt: skip
                elif consequence == Consequence.WARNING and year == CALIBRATION_YEAR:
                    carrier["state"] = CarrierState.WARNED.value
                self.p.evaluations.append(
                    {
                        "_scheme": scheme_key,
                        "_carrier": carrier["_key"],
                        "_report": report["_key"],
                        "score": total,
                        "breakdown": {code: str(points) for code, points in parts.items()},
                        "grade": str(grade),
                        "rank": ranks[report["_key"]],
                        "consequence": str(consequence),
                        "note": {
                            Consequence.REMOVAL: "连续两年不合格，撤销认定",
                            Consequence.WARNING: "不合格，限期一年整改",
                        }.get(consequence, ""),
                        "created_at": published - timedelta(days=10),
                    }
                )
            failed_before = failing


def plan(
    organizations: Sequence[DemoOrg],
    users: Sequence[DemoUser],
    indicators: dict[str, list[Indicator]] | None = None,
    *,
    seed: int = DEFAULT_SEED,
) -> CarrierPlan:
    """Every record the carriers demo writes for this registry and these report indicators; no database."""
    planner = _Planner(organizations, users, indicators or {}, seed)
    planner.plan_carriers()
    planner.plan_incubatees()
    planner.plan_reports()
    planner.plan_evaluations()
    return planner.p


# --------------------------------------------------------------------------------------------
# Writing (shared by the talent and patents demos)


def write(planned: CarrierPlan) -> dict[str, int]:
    """Write a plan (in the caller's transaction); how many rows of each kind."""
    from .models import (
        AnnualReport,
        Carrier,
        Evaluation,
        EvaluationScheme,
        Incubatee,
        IncubateeRevenue,
        SchemeIndicator,
    )

    carriers = insert(Carrier, planned.carriers)
    incubatees = insert(Incubatee, planned.incubatees, {"_carrier": ("carrier_id", carriers)})
    insert(IncubateeRevenue, planned.revenues, {"_incubatee": ("incubatee_id", incubatees)})
    reports = insert(AnnualReport, planned.reports, {"_carrier": ("carrier_id", carriers)})
    schemes = insert(EvaluationScheme, planned.schemes)
    insert(SchemeIndicator, planned.scheme_indicators, {"_scheme": ("scheme_id", schemes)})
    insert(
        Evaluation,
        planned.evaluations,
        {
            "_scheme": ("scheme_id", schemes),
            "_carrier": ("carrier_id", carriers),
            "_report": ("report_id", reports),
        },
    )
    return {name: len(rows) for name, rows in planned.tables().items()}


def seeded() -> bool:
    """True when the calibration year's provincial maker spaces are there (the demo was written)."""
    from .models import Carrier

    return Carrier.objects.filter(
        kind=K.MAKER_SPACE, level=P, recognized_on__year=CALIBRATION_YEAR, region__path__contains=f"{CITY}/"
    ).exists()


def report_indicators() -> dict[str, list[Indicator]]:
    """The active report indicators of each kind, as configured in the database."""
    from .models import ReportIndicator

    out: dict[str, list[Indicator]] = defaultdict(list)
    for pk, kind, code, name, unit, value_type in (
        ReportIndicator.objects.filter(active=True)
        .order_by("kind", "position", "id")
        .values_list("pk", "kind", "code", "name", "unit", "value_type")
    ):
        out[kind].append(Indicator(code, name, unit, value_type, pk))
    return dict(out)


def calibration_figures(region: str = CITY, year: int = CALIBRATION_YEAR) -> dict[str, int]:
    """The calibrated figures counted from the records (the definitions of demo-calibration.md)."""
    from .models import Carrier

    under = Carrier.objects.filter(region__path__contains=f"{region}/")
    return {
        "新增省级众创空间": under.filter(kind=K.MAKER_SPACE, level=P, recognized_on__year=year).count(),
        "新认定国家级星创天地": under.filter(kind=K.STAR_SPACE, level=N, recognized_on__year=year).count(),
        "产业创新服务综合体": under.filter(
            kind=K.COMPLEX, level__in=(C, X), state=CarrierState.ACTIVE, recognized_on__lte=date(year, 12, 31)
        ).count(),
        "新增外国专家工作站": under.filter(kind=K.FOREIGN_WORKSTATION, recognized_on__year=year).count(),
    }


@dataclass
class SeedResult:
    created: dict[str, int] = field(default_factory=dict)
    skipped: bool = False
    figures: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def seed(
    *,
    seed: int = DEFAULT_SEED,
    log: Callable[[str], None] = print,
    registry: tuple[list[DemoOrg], list[DemoUser]] | None = None,
) -> SeedResult:
    """Write the carriers demo for the demo city once (a second run adds nothing)."""
    from django.db import transaction

    started = time.monotonic()
    result = SeedResult()
    organizations, users = registry or demo_registry()
    if not any(in_city(o.region_code) for o in organizations):
        result.skipped = True
        log("没有演示城市的单位，跳过创新载体演示数据")
        return result
    if seeded():
        result.skipped = True
        result.seconds = time.monotonic() - started
        log("创新载体演示数据已存在，跳过")
        return result
    indicators = report_indicators()
    planned = plan(organizations, users, indicators, seed=seed)
    with transaction.atomic():
        result.created = write(planned)
    result.figures = calibration_figures()
    result.seconds = time.monotonic() - started
    c = result.created
    shown = "，".join(f"{label} {value}" for label, value in result.figures.items())
    log(
        f"创新载体演示数据：{c['carriers']} 个载体、{c['incubatees']} 家在孵企业、{c['reports']} 份年报、"
        f"{c['evaluations']} 条评价结果（用时 {result.seconds:.1f} 秒）；{CALIBRATION_YEAR}年：{shown}"
        + ("" if indicators else "（尚无年报指标，未生成年报与评价）")
    )
    return result
