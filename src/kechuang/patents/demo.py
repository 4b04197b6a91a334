"""The patents demo data (issue 7): patents of 绍兴's enterprises and institutions filed 2014–2020, the city's
2019 patent subsidy policy with its claims, IP pledge financings, enforcement cases, and the resident population
of the city and its counties (2018–2020) for the per-capita figures.

`plan(...)` is pure (records as dicts, "_"-keys are positions in other planned lists); `seed()` writes it in bulk
in one transaction and is idempotent (a second run finds the city's 2019 policy and adds nothing; population
rows already there are kept).

Every application number is valid (numbers.normalize accepts it: year, kind digit, 7-digit serial, check
character). Statuses follow the dates: an invention is examined for 1½–5 years (granted or rejected, or still
pending when that lies after `today`), utility models and designs are granted within a year; granted patents
lapse when fees stop or their 10-year term (utility models, designs) ends before `today`.

The 2019 policy (open) subsidises patents granted in 2019: claims in every state, and a patent is held by at
most one submitted, approved or paid claim (rejected and withdrawn claims release theirs; some were claimed
again). The named organizations: ent_demo holds patents granted in 2019 that no claim holds yet (it can claim
them) and an active pledge; ent_demo2's claim waits for the bureau; inst_demo's claim was paid.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from kechuang.carriers.demo import at
from kechuang.demo.bulk import insert
from kechuang.market.demo import DemoOrg, DemoUser, demo_registry, in_city

from .enums import (
    HOLDING_CLAIM_STATES,
    CaseKind,
    CaseOutcome,
    CaseState,
    ClaimState,
    PatentKind,
    PatentStatus,
    PledgeState,
)
from .numbers import check_character

DEFAULT_SEED = 2019
CITY = "330600"
POLICY_YEAR = 2019
FILING_YEARS = range(2014, 2021)
CENT = Decimal("0.01")
KIND_DIGIT = {PatentKind.INVENTION: "1", PatentKind.UTILITY_MODEL: "2", PatentKind.DESIGN: "3"}
# 年末常住人口 (persons): 绍兴市 and its counties; the counties add up to the city.
POPULATION = {
    2018: {"330602": 951_000, "330603": 1_061_000, "330604": 795_000, "330624": 440_000, "330681": 1_146_000, "330683": 643_000},
    2019: {"330602": 952_000, "330603": 1_062_000, "330604": 794_000, "330624": 441_000, "330681": 1_145_000, "330683": 641_000},
    2020: {"330602": 1_004_000, "330603": 1_096_000, "330604": 830_000, "330624": 442_000, "330681": 1_218_000, "330683": 681_000},
}  # fmt: skip
POLICY = {
    "name": "2019年度绍兴市专利资助",
    "year": POLICY_YEAR,
    "granted_from": date(2019, 1, 1),
    "granted_until": date(2019, 12, 31),
    "invention_amount": Decimal("10000.00"),
    "utility_model_amount": Decimal("1000.00"),
    "design_amount": Decimal("500.00"),
    "cap_per_organization": Decimal("100000.00"),
    "state": "open",
    "description": "对2019年1月1日至12月31日授权的发明、实用新型和外观设计专利给予资助；每家单位年度资助总额不超过10万元。",
}
BANKS = (
    "中国工商银行绍兴分行",
    "中国农业银行绍兴分行",
    "绍兴银行",
    "浙江绍兴瑞丰农村商业银行",
    "交通银行绍兴分行",
    "浙商银行绍兴分行",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁沈任姚卢钟姜"
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玲红建国文斌宇浩凯鹏飞俊峰辉波林海燕晨阳琳雪梅晓东立新志"
)
# Per technology field: (IPC main groups, objects, methods) the titles are made of.
TOPICS = {
    "new_materials": (
        ("D06P 1/38", "D06M 15/263", "C08L 67/02", "D01F 6/92"),
        ("涤纶面料", "功能性纤维", "阻燃织物", "抗菌纱线", "高强复合材料"),
        ("染色方法", "制备方法", "整理工艺", "生产装置"),
    ),
    "advanced_manufacturing": (
        ("B23Q 3/06", "B23P 19/00", "F16C 33/58", "B65G 47/90"),
        ("数控车床", "轴承套圈", "自动上料机构", "液压夹具", "五金冲压模具"),
        ("加工方法", "检测装置", "控制系统", "装配设备"),
    ),
    "electronic_information": (
        ("H01L 21/56", "G06F 16/25", "H04L 67/12", "G01R 31/28"),
        ("芯片封装结构", "物联网网关", "数据采集终端", "功率模块"),
        ("测试方法", "通信方法", "制造工艺", "散热结构"),
    ),
    "bio_medicine": (
        ("A61K 36/28", "C12N 9/16", "A61K 9/20", "C07D 401/12"),
        ("中药提取物", "缓释片剂", "酶制剂", "医用敷料"),
        ("制备方法", "纯化工艺", "检测方法", "用途"),
    ),
    "new_energy": (
        ("H02K 1/27", "H01M 10/42", "F24S 20/40", "H02J 3/38"),
        ("永磁电机", "储能电池组", "光伏支架", "节能电机"),
        ("控制方法", "冷却结构", "管理系统", "安装装置"),
    ),
    "resources_environment": (
        ("C02F 9/14", "B01D 53/78", "C02F 1/52", "B09B 3/00"),
        ("印染废水", "废气", "污泥", "固体废弃物"),
        ("处理方法", "回收装置", "净化系统", "资源化利用工艺"),
    ),
}
TOPICS["high_tech_services"] = TOPICS["electronic_information"]
TOPICS["aerospace"] = TOPICS["advanced_manufacturing"]
ADJECTIVES = ("高效", "节能型", "智能", "低成本", "高精度", "环保型", "新型", "便携式")
DESIGNS = ("包装盒", "面料（花型）", "控制面板", "灯具", "茶具", "工具箱", "电机外壳", "领带（图案）")


@dataclass
class PatentPlan:
    """Every record the patents demo writes; `_patent`, `_claim`, `_pledge`, `_case` are list positions."""

    patents: list[dict] = field(default_factory=list)
    policies: list[dict] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)
    pledges: list[dict] = field(default_factory=list)
    pledged: list[tuple[int, int]] = field(default_factory=list)  # (pledge, patent)
    cases: list[dict] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)
    populations: list[dict] = field(default_factory=list)
    stories: dict[str, list[int]] = field(default_factory=dict)

    def tables(self) -> dict[str, list]:
        return {
            "patents": self.patents,
            "claims": self.claims,
            "items": self.items,
            "pledges": self.pledges,
            "cases": self.cases,
            "steps": self.steps,
            "populations": self.populations,
        }


def application_number(year: int, kind: str, serial: int) -> str:
    """The normalized number: year, kind digit, 7-digit serial, a dot and the check character."""
    digits = f"{year}{KIND_DIGIT[kind]}{serial:07d}"
    return f"{digits}.{check_character(digits)}"


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class _Planner:
    def __init__(self, organizations, users, seed, today):
        self.rng = random.Random(seed)
        self.today = today
        self.p = PatentPlan()
        orgs = sorted((o for o in organizations if in_city(o.region_code)), key=lambda o: o.id)
        self.story = {o.story: o for o in orgs if o.story}
        self.holders = [o for o in orgs if o.kind in ("enterprise", "institution")]
        self.by_id = {o.id: o for o in self.holders}
        self.bureau = [
            u
            for u in sorted(users, key=lambda u: u.id)
            if u.role in ("bureau_staff", "bureau_admin") and u.region_code == CITY
        ]
        self.serials: dict[tuple[int, str], int] = {}
        self.people = [self.person() for _ in range(400)]  # the inventors are drawn from them
        self.of_org: dict[int, list[int]] = defaultdict(list)

    def officer(self) -> int | None:
        return self.bureau[0].id if self.bureau else None

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(
            self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2)))
        )

    # -- patents ----------------------------------------------------------------------------------------------

    def patent(
        self, org: DemoOrg, kind: str, filed: date, *, granted: date | None = None, pending: bool = False
    ) -> int:
        rng = self.rng
        key = (filed.year, kind)
        serial = self.serials.get(key, rng.randrange(50_000, 400_000)) + rng.randint(1, 400)
        self.serials[key] = serial
        ipcs, objects, methods = TOPICS.get(org.tech_field, TOPICS["advanced_manufacturing"])
        if kind == PatentKind.DESIGN:
            title, ipc = rng.choice(DESIGNS), ""
        elif kind == PatentKind.INVENTION:
            title, ipc = (
                f"一种{rng.choice(ADJECTIVES)}{rng.choice(objects)}的{rng.choice(methods)}",
                rng.choice(ipcs),
            )
        else:
            title, ipc = f"一种{rng.choice(ADJECTIVES)}{rng.choice(objects)}", rng.choice(ipcs)
        status, lapsed, named = PatentStatus.APPLIED, None, granted is not None
        if granted is None and not pending:
            if kind == PatentKind.INVENTION:
                decided = filed + timedelta(days=rng.randint(540, 1800 if filed.year >= 2020 else 1300))
                outcome = rng.choices((PatentStatus.GRANTED, PatentStatus.REJECTED), (80, 20))[0]
            else:
                decided = filed + timedelta(days=rng.randint(90 if kind == PatentKind.DESIGN else 150, 360))
                outcome = rng.choices((PatentStatus.GRANTED, PatentStatus.REJECTED), (96, 4))[0]
            if decided < self.today:
                status = outcome
                granted = decided if outcome == PatentStatus.GRANTED else None
        elif granted is not None:
            status = PatentStatus.GRANTED
        if granted is not None:
            end = years_after(filed, 20 if kind == PatentKind.INVENTION else 10)  # the term runs from filing
            if rng.random() < 0.15 and not named:  # fees stopped (never a named one's)
                end = min(end, years_after(granted, rng.randint(2, 6)))
            if end < self.today:
                status, lapsed = PatentStatus.LAPSED, end
        applicants = org.name
        if org.kind == "enterprise" and rng.random() < 0.08 and self.story.get("inst_demo"):
            applicants = f"{org.name}；{self.story['inst_demo'].name}"
        position = len(self.p.patents)
        self.p.patents.append(
            {
                "_key": position,
                "application_no": application_number(filed.year, kind, serial),
                "kind": str(kind),
                "title": title,
                "organization_id": org.id,
                "applicants": applicants,
                "inventors": "；".join(rng.sample(self.people, rng.randint(1, 4))),
                "filed_on": filed,
                "granted_on": granted,
                "lapsed_on": lapsed,
                "status": str(status),
                "ipc": ipc,
                "created_at": at(min(self.today - timedelta(days=30), date(2024, 3, 1)), rng),
            }
        )
        self.of_org[org.id].append(position)
        return position

    def filed(self) -> date:
        return date(self.rng.choice(FILING_YEARS), self.rng.randint(1, 12), self.rng.randint(1, 28))

    def plan_patents(self) -> None:
        rng = self.rng
        for org in self.holders:
            if org.story:
                continue
            institution = org.kind == "institution"
            if rng.random() > (0.5 if institution else 0.12):
                continue
            weights = (70, 25, 5) if institution else (25, 50, 25)
            for _ in range(rng.randint(3, 15) if institution else rng.choice((1, 1, 2, 2, 3, 4, 6, 9))):
                kind = rng.choices(list(KIND_DIGIT), weights)[0]
                self.patent(org, kind, self.filed())
        # However small the registry, some have a utility model granted in 2019 (the subsidy's claims need them).
        ordinary = sorted(self.of_org)
        for org_id in rng.sample(ordinary, min(10, len(ordinary))):
            granted = date(2019, rng.randint(1, 12), rng.randint(1, 28))
            self.patent(
                self.by_id[org_id], PatentKind.UTILITY_MODEL, granted - timedelta(days=240), granted=granted
            )
        # The named organizations: patents granted in 2019 (the policy's period) among others.
        for name, count, in_2019 in (("ent_demo", 12, 5), ("ent_demo2", 5, 2), ("inst_demo", 15, 4)):
            org = self.story.get(name)
            if org is None:
                continue
            for n in range(count):
                kind = (PatentKind.INVENTION, PatentKind.UTILITY_MODEL, PatentKind.UTILITY_MODEL)[n % 3]
                if n < in_2019:
                    granted = date(2019, 2 + n * 2, 10 + n)
                    filed = granted - timedelta(days=900 if kind == PatentKind.INVENTION else 250)
                    self.patent(org, kind, filed, granted=granted)
                else:
                    self.patent(org, kind, self.filed())
            for n in range(2):  # filed last year, still examined
                self.patent(org, PatentKind.INVENTION, date(self.today.year - 1, 3 + n * 4, 12), pending=True)

    # -- subsidies --------------------------------------------------------------------------------------------

    def claim(self, org_id: int, patents: list[int], state: str, submitted: date) -> int | None:
        rng = self.rng
        amounts = {
            "invention": POLICY["invention_amount"],
            "utility_model": POLICY["utility_model_amount"],
            "design": POLICY["design_amount"],
        }
        left = POLICY["cap_per_organization"]
        key = len(self.p.claims)
        items = []
        for position in patents:
            amount = min(amounts[self.p.patents[position]["kind"]], left)
            if amount <= 0:
                break
            left -= amount
            items.append(
                {"_claim": key, "_patent": position, "amount": amount, "holds": state in HOLDING_CLAIM_STATES}
            )
        if not items:
            return None
        claimed = sum((i["amount"] for i in items), Decimal("0.00"))
        decided = state in (ClaimState.APPROVED, ClaimState.PAID, ClaimState.REJECTED)
        decided_at = at(submitted + timedelta(days=rng.randint(15, 60)), rng) if decided else None
        paid_on = (
            decided_at.date() + timedelta(days=rng.randint(20, 50)) if state == ClaimState.PAID else None
        )
        self.p.items.extend(items)
        self.p.claims.append(
            {
                "_key": key,
                "_policy": 0,
                "organization_id": org_id,
                "state": str(state),
                "amount_claimed": claimed,
                "amount_approved": claimed if state in (ClaimState.APPROVED, ClaimState.PAID) else None,
                "decided_by_id": self.officer() if decided else None,
                "decided_at": decided_at,
                "decision_note": {
                    ClaimState.REJECTED: "所附专利证书与登记信息不一致，请核对后重新申请。",
                    ClaimState.APPROVED: "经审核，符合资助条件。",
                    ClaimState.PAID: "经审核，符合资助条件。",
                }.get(state, ""),
                "paid_on": paid_on,
                "payment_reference": f"绍科拨〔{paid_on.year}〕{rng.randint(10, 99)}号" if paid_on else "",
                "created_at": at(submitted, rng),
            }
        )
        return key

    def plan_subsidies(self) -> None:
        rng = self.rng
        self.p.policies.append({"region_id": CITY, **POLICY, "created_at": at(date(2019, 3, 15), rng)})
        start, end = POLICY["granted_from"], POLICY["granted_until"]
        eligible: dict[int, list[int]] = defaultdict(list)
        for row in self.p.patents:
            if row["granted_on"] and start <= row["granted_on"] <= end:
                eligible[row["organization_id"]].append(row["_key"])
        story_ids = {o.id: name for name, o in self.story.items()}
        states = (
            ClaimState.PAID,
            ClaimState.APPROVED,
            ClaimState.SUBMITTED,
            ClaimState.REJECTED,
            ClaimState.WITHDRAWN,
        )
        made = 0  # the first claims go through every state, the rest mostly paid
        for org_id, patents in sorted(eligible.items()):
            name = story_ids.get(org_id)
            if name == "ent_demo":
                continue  # its 2019 patents wait for its own claim
            if name is None and made >= len(states) and rng.random() > 0.5:
                continue
            state = {"ent_demo2": ClaimState.SUBMITTED, "inst_demo": ClaimState.PAID}.get(name)
            if state is None:
                state = states[made] if made < len(states) else rng.choices(states, (50, 15, 15, 10, 10))[0]
                made += 1
            submitted = date(2020, 1, 6) + timedelta(days=rng.randint(0, 80))
            self.claim(org_id, patents, state, submitted)
            if state in (ClaimState.REJECTED, ClaimState.WITHDRAWN) and rng.random() < 0.6:
                # Claimed again once the papers were in order: the same patents, held by the new claim.
                again = rng.choice((ClaimState.PAID, ClaimState.SUBMITTED))
                self.claim(org_id, patents, again, submitted + timedelta(days=rng.randint(70, 120)))

    # -- pledges and cases --------------------------------------------------------------------------------------

    def granted_of(self, org_id: int, before: date) -> list[int]:
        return [
            k
            for k in self.of_org.get(org_id, ())
            if self.p.patents[k]["granted_on"] and self.p.patents[k]["granted_on"] < before
            and (self.p.patents[k]["lapsed_on"] is None or self.p.patents[k]["lapsed_on"] > before)
        ]  # fmt: skip

    def pledge(self, org_id: int, starts: date, years: int, state: str | None = None) -> None:
        rng = self.rng
        patents = self.granted_of(org_id, starts)
        if not patents:
            return
        ends = years_after(starts, years) - timedelta(days=1)
        if state is None:
            state = PledgeState.ACTIVE if ends >= self.today else PledgeState.RELEASED
        key = len(self.p.pledges)
        self.p.pledges.append(
            {
                "organization_id": org_id,
                "bank": rng.choice(BANKS),
                "contract_no": f"ZY{starts.year}{rng.randrange(10**6):06d}",
                "registration_no": f"Y{starts.year}33{rng.randrange(10**7):07d}",
                "amount": Decimal(rng.choice((100, 200, 300, 500, 800, 1000, 1500, 2000)) * 10000).quantize(
                    CENT
                ),
                "starts_on": starts,
                "ends_on": ends,
                "state": str(state),
                "created_at": at(starts, rng),
            }
        )
        for position in rng.sample(patents, min(len(patents), rng.randint(1, 4))):
            self.p.pledged.append((key, position))

    def plan_pledges(self) -> None:
        rng = self.rng
        rich = sorted(
            org for org, keys in self.of_org.items() if len(self.granted_of(org, date(2019, 1, 1))) >= 2
        )
        story_ids = {o.id for o in self.story.values()}
        rich = [org for org in rich if org not in story_ids]
        for n, org in enumerate(rng.sample(rich, min(8, len(rich)))):
            self.pledge(org, date(2018 + n % 4, rng.randint(1, 12), rng.randint(1, 28)), rng.randint(1, 3),
                        PledgeState.DEFAULTED if n == 3 else None)  # fmt: skip
        ent = self.story.get("ent_demo")
        if ent is not None:
            self.pledge(ent.id, date(self.today.year - 1, 6, 18), 2)

    def case(
        self,
        kind: str,
        region: str,
        received: date,
        patent: int | None,
        respondent: str,
        steps: list,
        outcome: str,
    ) -> None:
        rng = self.rng
        key = len(self.p.cases)
        row = self.p.patents[patent] if patent is not None else None
        closed = steps[-1][0] if outcome else None
        state = (
            CaseState.CLOSED
            if outcome
            else {"调查取证": CaseState.INVESTIGATING, "组织调解": CaseState.MEDIATING}.get(
                steps[-1][1], CaseState.RECEIVED
            )
        )
        self.p.cases.append(
            {
                "_key": key,
                "region_id": region,
                "case_no": f"绍知执〔{received.year}〕{len(self.p.cases) + 1}号",
                "kind": str(kind),
                "_patent": patent,
                "patent_number": f"ZL{row['application_no']}" if row else "",
                "complainant": next(
                    (o.name for o in self.holders if row and o.id == row["organization_id"]),
                    "绍兴市市场监督管理局（依职权）"
                    if kind == CaseKind.COUNTERFEIT
                    else "绍兴市上虞区某消费者",
                ),
                "complainant_organization_id": row["organization_id"] if row else None,
                "respondent": respondent,
                "respondent_organization_id": None,
                "received_on": received,
                "summary": {
                    CaseKind.INFRINGEMENT: "请求人认为被请求人制造、销售的产品落入其专利权保护范围，请求责令停止侵权。",
                    CaseKind.COUNTERFEIT: "市场检查中发现产品包装标注的专利号已失效，涉嫌假冒专利。",
                    CaseKind.OWNERSHIP: "双方就离职员工在职期间完成的发明创造归属发生争议。",
                    CaseKind.OTHER: "请求人反映被请求人在宣传资料中不当使用专利标识。",
                }[kind],
                "state": str(state),
                "outcome": outcome,
                "closed_on": closed if outcome else None,
                "created_at": at(received, rng),
            }
        )
        for day, action, note in steps:
            self.p.steps.append({"_case": key, "happened_on": day, "action": action, "note": note, "by_id": self.officer(),
                                 "recorded_at": at(day, rng)})  # fmt: skip

    def plan_cases(self) -> None:
        rng = self.rng
        granted = [
            r["_key"]
            for r in self.p.patents
            if r["status"] == PatentStatus.GRANTED and r["kind"] != PatentKind.DESIGN
        ]
        if not granted:
            return
        picks = rng.sample(granted, min(4, len(granted)))

        def flow(received: date, *names: str) -> list:
            day, out = received, []
            notes = {
                "受理立案": "材料齐全，予以立案。",
                "调查取证": "赴被请求人经营场所现场勘验，封存涉案产品样品。",
                "口头审理": "组织双方进行口头审理，听取陈述与答辩。",
                "组织调解": "双方同意调解，约定赔偿金额与停止侵权期限。",
                "作出处理决定": "认定侵权成立，责令立即停止侵权行为。",
                "行政处罚": "责令改正，没收违法所得并处罚款。",
                "请求人撤回": "双方自行和解，请求人撤回处理请求。",
                "结案": "案件办结，材料归档。",
            }
            for name in names:
                out.append((day, name, notes[name]))
                day += timedelta(days=rng.randint(7, 40))
            return out

        regions = {o.id: o.region_code[:6] for o in self.holders}
        rows = [
            (CaseKind.INFRINGEMENT, picks[0], date(2019, 4, 16), ("受理立案", "调查取证", "组织调解", "结案"), CaseOutcome.MEDIATED),
            (CaseKind.INFRINGEMENT, picks[1 % len(picks)], date(2019, 9, 3), ("受理立案", "调查取证", "口头审理", "作出处理决定", "结案"), CaseOutcome.DECIDED),
            (CaseKind.COUNTERFEIT, None, date(2020, 5, 20), ("受理立案", "调查取证", "行政处罚", "结案"), CaseOutcome.PENALIZED),
            (CaseKind.OWNERSHIP, picks[2 % len(picks)], date(2020, 11, 9), ("受理立案", "请求人撤回", "结案"), CaseOutcome.WITHDRAWN),
            (CaseKind.INFRINGEMENT, picks[3 % len(picks)], self.today - timedelta(days=75), ("受理立案", "调查取证"), CaseOutcome.NONE),
            (CaseKind.OTHER, None, self.today - timedelta(days=20), ("受理立案",), CaseOutcome.NONE),
        ]  # fmt: skip
        for kind, patent, received, names, outcome in rows:
            owner = self.p.patents[patent]["organization_id"] if patent is not None else None
            region = regions.get(owner, CITY)
            respondent = (
                f"绍兴{rng.choice('越柯上诸嵊新')}{rng.choice(('某某', '恒达', '鑫盛', '华晟'))}贸易有限公司"
            )
            self.case(kind, region, received, patent, respondent, flow(received, *names), str(outcome))

    def plan_population(self) -> None:
        for year, counties in POPULATION.items():
            self.p.populations.append({"region_id": CITY, "year": year, "population": sum(counties.values())})
            for code, population in counties.items():
                self.p.populations.append({"region_id": code, "year": year, "population": population})


def plan(
    organizations: Sequence[DemoOrg], users: Sequence[DemoUser], *, seed: int = DEFAULT_SEED, today: date
) -> PatentPlan:
    """Every record the patents demo writes for this registry; no database."""
    planner = _Planner(organizations, users, seed, today)
    planner.plan_patents()
    planner.plan_subsidies()
    planner.plan_pledges()
    planner.plan_cases()
    planner.plan_population()
    return planner.p


def write(planned: PatentPlan) -> dict[str, int]:
    from kechuang.regions.models import Population

    from .models import (
        CaseStep,
        EnforcementCase,
        Patent,
        PledgeFinancing,
        SubsidyClaim,
        SubsidyItem,
        SubsidyPolicy,
    )

    patents = insert(Patent, planned.patents)
    policies = insert(SubsidyPolicy, planned.policies)
    claims = insert(SubsidyClaim, planned.claims, {"_policy": ("policy_id", policies)})
    insert(SubsidyItem, planned.items, {"_claim": ("claim_id", claims), "_patent": ("patent_id", patents)})
    pledges = insert(PledgeFinancing, planned.pledges)
    through = PledgeFinancing.patents.through
    through.objects.bulk_create(
        [through(pledgefinancing_id=pledges[p], patent_id=patents[k]) for p, k in planned.pledged]
    )
    cases = insert(EnforcementCase, planned.cases, {"_patent": ("patent_id", patents)})
    insert(CaseStep, planned.steps, {"_case": ("case_id", cases)})
    taken = set(Population.objects.values_list("region_id", "year"))
    population = [row for row in planned.populations if (row["region_id"], row["year"]) not in taken]
    Population.objects.bulk_create([Population(**row) for row in population])
    counts = {name: len(rows) for name, rows in planned.tables().items()}
    counts["populations"] = len(population)
    return counts


def seeded() -> bool:
    from .models import SubsidyPolicy

    return SubsidyPolicy.objects.filter(region_id=CITY, year=POLICY_YEAR).exists()


@dataclass
class SeedResult:
    created: dict[str, int] = field(default_factory=dict)
    skipped: bool = False
    seconds: float = 0.0


def seed(
    *,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    log: Callable[[str], None] = print,
    registry: tuple[list[DemoOrg], list[DemoUser]] | None = None,
) -> SeedResult:
    """Write the patents demo for the demo city once (a second run adds nothing)."""
    from django.db import transaction
    from django.utils import timezone

    started = time.monotonic()
    result = SeedResult()
    organizations, users = registry or demo_registry()
    if not any(in_city(o.region_code) and o.kind in ("enterprise", "institution") for o in organizations):
        result.skipped = True
        log("没有演示城市的企业和高校院所，跳过专利演示数据")
        return result
    if seeded():
        result.skipped = True
        result.seconds = time.monotonic() - started
        log("专利演示数据已存在，跳过")
        return result
    planned = plan(organizations, users, seed=seed, today=today or timezone.localdate())
    with transaction.atomic():
        result.created = write(planned)
    result.seconds = time.monotonic() - started
    c = result.created
    log(
        f"专利演示数据：{c['patents']} 件专利、{c['claims']} 份资助申请、{c['pledges']} 笔质押融资、"
        f"{c['cases']} 件执法案件、{c['populations']} 条常住人口（用时 {result.seconds:.1f} 秒）"
    )
    return result
