"""The talent demo data (issue 7): science commissioners dispatched to 绍兴's towns 2018–2020 with their work
logs, the city's talent program, and foreign experts (some at the foreign-expert workstations of 2019).

`plan(...)` is pure (records as dicts, "_"-keys are positions in other planned lists); `seed()` writes it in bulk
in one transaction and is idempotent (a second run finds the city's talent program and adds nothing).

2019, as the bureau published it: the work logs dated in 2019 of dispatches to the city's towns add up to
实施项目96个, 推广新技术72项, 举办培训256期 (WorkLog.quantity summed per kind). Visits, varieties and bases
are logged too, and 2018 and 2020 have their own logs (not calibrated).

inst_demo's commissioners include one dispatched this year (active), so its users have a work log to keep.
Run after the carriers demo: foreign experts are placed at the foreign-expert workstations it wrote.
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

from .enums import CommissionerKind, DispatchState, Engagement, TalentKind, TalentState, WorkKind

DEFAULT_SEED = 2019
CITY = "330600"
CALIBRATION_YEAR = 2019
# 实施项目96个，推广新技术72项，举办培训256期 (the issue; WorkLog.quantity summed over 2019).
CALIBRATION = {WorkKind.PROJECT: 96, WorkKind.TECHNOLOGY: 72, WorkKind.TRAINING: 256}
# Uncalibrated kinds in 2019, and every kind in the other years: how many log lines per dispatch-year.
OTHER_LINES = {WorkKind.VISIT: (6, 12), WorkKind.VARIETY: (0, 2), WorkKind.BASE: (0, 1)}
YEAR_LINES = {
    WorkKind.PROJECT: (1, 3),
    WorkKind.TECHNOLOGY: (1, 2),
    WorkKind.TRAINING: (3, 7),
    **OTHER_LINES,
}
PROGRAM_NAME = "绍兴市“名士之乡”英才计划"
COMMISSIONERS = {CommissionerKind.INDIVIDUAL: 28, CommissionerKind.TEAM: 8, CommissionerKind.LEGAL_PERSON: 4}
TALENTS = 30
FOREIGN_EXPERTS = 25

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁沈任姚卢钟姜崔谭陆范金石廖贾夏韦傅方邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玲红建国文斌宇浩凯鹏飞俊峰辉波林海燕晨阳琳雪梅晓东立新志坚"
SPECIALTIES = (
    ("茶叶栽培与加工", "名优茶"),
    ("果蔬种植", "设施葡萄"),
    ("水产养殖", "稻渔综合种养"),
    ("畜牧兽医", "生态养殖"),
    ("中药材种植", "浙贝母"),
    ("食用菌栽培", "香菇"),
    ("花卉苗木", "香榧"),
    ("农产品加工", "黄酒酿造"),
    ("纺织印染工艺", "数码印花"),
    ("机械制造", "数控加工"),
    ("农村电子商务", "直播营销"),
    ("土壤肥料", "测土配方施肥"),
)
TITLES = ("教授", "副教授", "研究员", "副研究员", "高级农艺师", "高级工程师", "农艺师", "工程师")
VILLAGES = "东西南北上下前后新桥山溪塘湖"
FOREIGN_NAMES = (
    ("汉斯·米勒", "德国"),
    ("克劳斯·施密特", "德国"),
    ("约翰·史密斯", "美国"),
    ("迈克尔·布朗", "美国"),
    ("山田太郎", "日本"),
    ("佐藤健一", "日本"),
    ("金敏俊", "韩国"),
    ("朴志勋", "韩国"),
    ("让·杜邦", "法国"),
    ("皮埃尔·马丁", "法国"),
    ("马可·罗西", "意大利"),
    ("乔瓦尼·比安奇", "意大利"),
    ("詹姆斯·威尔逊", "英国"),
    ("大卫·泰勒", "英国"),
    ("伊万·彼得罗夫", "俄罗斯"),
    ("安德烈·伊万诺夫", "乌克兰"),
    ("拉尔斯·安德森", "瑞典"),
    ("扬·德弗里斯", "荷兰"),
    ("彼得·霍夫曼", "奥地利"),
    ("托马斯·韦伯", "瑞士"),
    ("诺姆·科恩", "以色列"),
    ("拉杰什·库马尔", "印度"),
    ("卢卡斯·席尔瓦", "巴西"),
    ("丹尼尔·李", "新加坡"),
    ("亚历山大·科瓦尔斯基", "波兰"),
    ("马修·琼斯", "澳大利亚"),
    ("安娜·诺瓦克", "捷克"),
)
EXPERT_FIELDS = (
    "纺织新材料",
    "精密机械",
    "生物医药",
    "集成电路",
    "智能制造",
    "环保工程",
    "食品工程",
    "新能源",
)


@dataclass
class TalentPlan:
    """Every record the talent demo writes; `_commissioner` and `_dispatch` are positions in their lists."""

    commissioners: list[dict] = field(default_factory=list)
    dispatches: list[dict] = field(default_factory=list)
    logs: list[dict] = field(default_factory=list)
    programs: list[dict] = field(default_factory=list)
    talents: list[dict] = field(default_factory=list)
    experts: list[dict] = field(default_factory=list)

    def tables(self) -> dict[str, list[dict]]:
        return {
            "commissioners": self.commissioners,
            "dispatches": self.dispatches,
            "logs": self.logs,
            "programs": self.programs,
            "talents": self.talents,
            "experts": self.experts,
        }


@dataclass(frozen=True)
class Workstation:
    id: int
    operator_id: int
    recognized_on: date
    field: str


class _Planner:
    def __init__(self, organizations, users, towns, workstations, seed, today):
        self.rng = random.Random(seed)
        self.today = today
        self.p = TalentPlan()
        orgs = sorted((o for o in organizations if in_city(o.region_code)), key=lambda o: o.id)
        self.story = {o.story: o for o in orgs if o.story}
        self.institutions = [o for o in orgs if o.kind == "institution" and not o.story]
        self.enterprises = [o for o in orgs if o.kind == "enterprise" and not o.story]
        self.towns = sorted(towns, key=lambda t: t[0])
        self.workstations = sorted(workstations, key=lambda w: w.id)
        self.users_of: dict[int, list[DemoUser]] = defaultdict(list)
        for u in sorted(users, key=lambda u: u.id):
            if u.organization_id is not None:
                self.users_of[u.organization_id].append(u)
        self.used_names: set[str] = set()

    def person(self) -> str:
        rng = self.rng
        while True:
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    # -- commissioners ------------------------------------------------------------------------------------------

    def commissioner(self, kind: str, org: DemoOrg) -> int:
        rng = self.rng
        specialty, topic = rng.choice(SPECIALTIES)
        leader = self.person()
        members = "、".join(self.person() for _ in range(rng.randint(2, 4))) if kind != "individual" else ""
        name = {"individual": leader, "team": f"{leader}{specialty[:4]}团队", "legal_person": org.name}[kind]
        key = len(self.p.commissioners)
        self.p.commissioners.append(
            {
                "_key": key,
                "_topic": topic,
                "kind": kind,
                "name": name,
                "organization_id": org.id,
                "leader": leader,
                "members": members,
                "specialty": specialty,
                "title": rng.choice(TITLES),
                "phone": f"138{rng.randrange(10**8):08d}",
                "created_at": at(date(2018, 2, rng.randint(1, 27)), rng),
            }
        )
        return key

    def dispatch(self, commissioner: int, starts: date, *, years: int = 2, town=None) -> int:
        rng = self.rng
        code, name = town or rng.choice(self.towns)
        ends = date(starts.year + years, starts.month, 1) - timedelta(days=1)
        state = DispatchState.ACTIVE if ends >= self.today else DispatchState.ENDED
        if state == DispatchState.ENDED and rng.random() < 0.06:
            state, ends = DispatchState.RECALLED, starts + timedelta(days=rng.randint(200, 400))
        village = f"{rng.choice(VILLAGES)}{rng.choice('岙村坞湾浦')}"
        topic = self.p.commissioners[commissioner]["_topic"]
        key = len(self.p.dispatches)
        self.p.dispatches.append(
            {
                "_key": key,
                "_commissioner": commissioner,
                "town_id": code,
                "served": f"{name}{village}村、{name}{topic}专业合作社",
                "starts_on": starts,
                "ends_on": ends,
                "state": str(state),
                "tasks": f"围绕{topic}产业开展技术指导、项目实施和农民培训。",
                "created_at": at(starts - timedelta(days=10), rng),
            }
        )
        return key

    def plan_commissioners(self) -> None:
        rng = self.rng
        sources = self.institutions or self.enterprises
        inst = self.story.get("inst_demo")
        legal = rng.sample(sources, min(len(sources), COMMISSIONERS[CommissionerKind.LEGAL_PERSON]))
        for kind, count in COMMISSIONERS.items():
            for n in range(count):
                if inst is not None and n < (3 if kind == "individual" else 1):
                    org = inst
                elif kind == CommissionerKind.LEGAL_PERSON:
                    org = legal[n % len(legal)]
                else:
                    org = rng.choice(sources)
                key = self.commissioner(kind, org)
                starts = date(rng.choice((2018, 2018, 2019, 2020)), 3, 1)
                self.dispatch(key, starts)
                if starts.year == 2018 and rng.random() < 0.5:  # renewed for a second term
                    self.dispatch(key, date(2020, 3, 1), town=None)
        if inst is not None:  # inst_demo's commissioner serving now
            key = next(c["_key"] for c in self.p.commissioners if c["organization_id"] == inst.id)
            self.dispatch(key, date(self.today.year, 3, 1))

    def log(self, dispatch: dict, kind: str, day: date, quantity: int = 1) -> None:
        rng = self.rng
        topic = self.p.commissioners[dispatch["_commissioner"]]["_topic"]
        org = self.p.commissioners[dispatch["_commissioner"]]["organization_id"]
        writer = self.users_of.get(org, [None])[0]
        title, description = {
            WorkKind.VISIT: (
                f"走访{dispatch['served'].split('、')[0]}",
                f"了解{topic}生产中的技术难题，现场指导。",
            ),
            WorkKind.PROJECT: (f"实施{topic}提质增效项目", "制定实施方案，落实示范户与技术指标。"),
            WorkKind.TECHNOLOGY: (f"推广{topic}新技术{quantity}项", "现场示范并发放技术资料。"),
            WorkKind.VARIETY: (f"引进{topic}新品种", "试种观察长势与产量表现。"),
            WorkKind.TRAINING: (f"举办{topic}技术培训班", "讲授关键技术要点并现场答疑。"),
            WorkKind.BASE: (f"建立{topic}示范基地", "落实基地面积与示范内容。"),
        }[kind]
        self.p.logs.append(
            {
                "_dispatch": dispatch["_key"],
                "kind": str(kind),
                "happened_on": day,
                "title": title,
                "description": description,
                "quantity": quantity,
                "attendance": rng.randint(20, 120) if kind == WorkKind.TRAINING else None,
                "written_by_id": writer.id if writer else None,
                "created_at": at(day + timedelta(days=rng.randint(0, 3)), rng),
            }
        )

    @staticmethod
    def span(dispatch: dict, year: int, today: date) -> tuple[date, date] | None:
        """The days of `year` within the dispatch's term, up to yesterday."""
        first = max(dispatch["starts_on"], date(year, 1, 1))
        last = min(dispatch["ends_on"], date(year, 12, 31), today - timedelta(days=1))
        return (first, last) if first <= last else None

    def day(self, span: tuple[date, date]) -> date:
        return span[0] + timedelta(days=self.rng.randint(0, (span[1] - span[0]).days))

    def plan_logs(self) -> None:
        rng = self.rng
        years = sorted(
            {y for d in self.p.dispatches for y in range(d["starts_on"].year, d["ends_on"].year + 1)}
        )
        for year in years:
            active = [(d, s) for d in self.p.dispatches if (s := self.span(d, year, self.today))]
            if not active:
                continue
            calibrated = year == CALIBRATION_YEAR
            for dispatch, span in active:
                for kind, (low, high) in (OTHER_LINES if calibrated else YEAR_LINES).items():
                    for _ in range(rng.randint(low, high)):
                        quantity = rng.randint(1, 3) if kind == WorkKind.TECHNOLOGY else 1
                        self.log(dispatch, kind, self.day(span), quantity)
            if calibrated:
                # Each unit of the published totals goes to a dispatch in proportion to its days in the year.
                weights = [(s[1] - s[0]).days + 1 for _d, s in active]
                for kind, total in CALIBRATION.items():
                    left = total
                    while left:
                        quantity = min(left, rng.randint(1, 3)) if kind == WorkKind.TECHNOLOGY else 1
                        dispatch, span = rng.choices(active, weights)[0]
                        self.log(dispatch, kind, self.day(span), quantity)
                        left -= quantity
        self.p.logs.sort(key=lambda row: (row["happened_on"], row["_dispatch"]))

    # -- talents and foreign experts ------------------------------------------------------------------------------

    def plan_talents(self) -> None:
        rng = self.rng
        self.p.programs.append(
            {
                "region_id": CITY,
                "name": PROGRAM_NAME,
                "description": "引进和培育领军人才、创新团队与青年英才，给予项目资助。",
                "created_at": at(date(2017, 2, 20), rng),
            }
        )
        hosts = self.enterprises * 2 + self.institutions
        if not hosts:
            return
        stories = {2019: ("ent_demo", TalentKind.LEADING), 2020: ("inst_demo", TalentKind.TEAM)}
        for n in range(TALENTS):
            year = 2017 + n * 4 // TALENTS
            kind = rng.choices((TalentKind.LEADING, TalentKind.TEAM, TalentKind.YOUTH), (4, 3, 3))[0]
            org = None
            if n in (19, 29) and stories[year][0] in self.story:  # one talent of 2019 and the last of 2020
                name, kind = stories[year]
                org = self.story[name]
            for _ in range(20 if org is None else 0):  # one founded before the year, most likely
                org = rng.choice(hosts)
                if org.founded_on is None or org.founded_on.year < year:
                    break
            leader = self.person()
            specialty = rng.choice(EXPERT_FIELDS)
            funding = {"leading": (100, 500), "team": (500, 1000), "youth": (30, 50)}[kind]
            state = TalentState.COMPLETED if year + 3 < self.today.year else TalentState.ACTIVE
            if rng.random() < 0.07:
                state = TalentState.WITHDRAWN
            self.p.talents.append(
                {
                    "_program": 0,
                    "kind": str(kind),
                    "name": f"{leader}团队" if kind == TalentKind.TEAM else leader,
                    "members": "、".join(self.person() for _ in range(3)) if kind == TalentKind.TEAM else "",
                    "organization_id": org.id,
                    "year": year,
                    "field": specialty,
                    "project": f"{specialty}关键技术研发及产业化",
                    "funding": Decimal(rng.randint(*funding) * 10000).quantize(Decimal("0.01")),
                    "state": str(state),
                    "created_at": at(date(year, 9, rng.randint(1, 28)), rng),
                }
            )

    def plan_experts(self) -> None:
        rng = self.rng
        names = list(FOREIGN_NAMES)
        rng.shuffle(names)
        recent = [w for w in self.workstations if w.recognized_on.year == CALIBRATION_YEAR]
        others = [w for w in self.workstations if w.recognized_on.year != CALIBRATION_YEAR]
        employers = self.enterprises + self.institutions
        if not employers:
            return
        for n, (name, country) in enumerate(names[:FOREIGN_EXPERTS]):
            station = None
            if n < 14 and recent:
                station = recent[n % len(recent)]
            elif n < 20 and others:
                station = rng.choice(others)
            if station is not None:
                starts = max(station.recognized_on, date(2018, 1, 1)) + timedelta(days=rng.randint(0, 300))
                org_id, specialty = station.operator_id, station.field or rng.choice(EXPERT_FIELDS)
            else:
                starts = date(rng.randint(2017, 2021), rng.randint(1, 12), rng.randint(1, 28))
                org_id, specialty = rng.choice(employers).id, rng.choice(EXPERT_FIELDS)
            engagement = Engagement.FULL_TIME if rng.random() < 0.25 else Engagement.FLEXIBLE
            self.p.experts.append(
                {
                    "name": name,
                    "country": country,
                    "field": specialty,
                    "organization_id": org_id,
                    "workstation_id": station.id if station else None,
                    "engagement": str(engagement),
                    "starts_on": starts,
                    "ends_on": date(starts.year + rng.randint(1, 3), starts.month, 1) - timedelta(days=1),
                    "days_per_year": None
                    if engagement == Engagement.FULL_TIME
                    else rng.choice((30, 45, 60, 90)),
                    "created_at": at(starts - timedelta(days=20), rng),
                }
            )


def plan(
    organizations: Sequence[DemoOrg],
    users: Sequence[DemoUser],
    towns: Sequence[tuple[str, str]],
    workstations: Sequence[Workstation] = (),
    *,
    seed: int = DEFAULT_SEED,
    today: date,
) -> TalentPlan:
    """Every record the talent demo writes (`towns`: the city's (code, name) at level town); no database."""
    planner = _Planner(organizations, users, towns, workstations, seed, today)
    planner.plan_commissioners()
    planner.plan_logs()
    planner.plan_talents()
    planner.plan_experts()
    return planner.p


def write(planned: TalentPlan) -> dict[str, int]:
    from .models import Commissioner, Dispatch, ForeignExpert, Talent, TalentProgram, WorkLog

    commissioners = insert(Commissioner, planned.commissioners)
    dispatches = insert(Dispatch, planned.dispatches, {"_commissioner": ("commissioner_id", commissioners)})
    insert(WorkLog, planned.logs, {"_dispatch": ("dispatch_id", dispatches)})
    programs = insert(TalentProgram, planned.programs)
    insert(Talent, planned.talents, {"_program": ("program_id", programs)})
    insert(ForeignExpert, planned.experts)
    return {name: len(rows) for name, rows in planned.tables().items()}


def seeded() -> bool:
    from .models import TalentProgram

    return TalentProgram.objects.filter(region_id=CITY, name=PROGRAM_NAME).exists()


def city_towns() -> list[tuple[str, str]]:
    from kechuang.regions.models import Region

    return list(
        Region.objects.filter(level="town", path__contains=f"{CITY}/")
        .order_by("code")
        .values_list("code", "name")
    )


def city_workstations() -> list[Workstation]:
    from kechuang.carriers.enums import CarrierKind
    from kechuang.carriers.models import Carrier

    rows = Carrier.objects.filter(kind=CarrierKind.FOREIGN_WORKSTATION, region__path__contains=f"{CITY}/")
    return [Workstation(*row) for row in rows.values_list("pk", "operator_id", "recognized_on", "field")]


def prefix(code: str) -> str:
    """The code prefix shared by a region and everything under it (province 2 digits, city 4, county 6)."""
    if len(code) == 6 and code.endswith("0000"):
        return code[:2]
    if len(code) == 6 and code.endswith("00"):
        return code[:4]
    return code


def calibration_figures(region: str = CITY, year: int = CALIBRATION_YEAR) -> dict[str, int]:
    """实施项目, 推广新技术, 举办培训 of `year`: WorkLog.quantity summed over the region's towns."""
    from django.db.models import Sum

    from .models import WorkLog

    rows = (
        WorkLog.objects.filter(
            happened_on__range=(date(year, 1, 1), date(year, 12, 31)),
            dispatch__town__code__startswith=prefix(region),
        )
        .values_list("kind")
        .annotate(total=Sum("quantity"))
    )
    totals = dict(rows)
    return {str(WorkKind(kind).label): totals.get(kind, 0) for kind in CALIBRATION}


@dataclass
class SeedResult:
    created: dict[str, int] = field(default_factory=dict)
    skipped: bool = False
    figures: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def seed(
    *,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    log: Callable[[str], None] = print,
    registry: tuple[list[DemoOrg], list[DemoUser]] | None = None,
) -> SeedResult:
    """Write the talent demo for the demo city once (a second run adds nothing)."""
    from django.db import transaction
    from django.utils import timezone

    started = time.monotonic()
    result = SeedResult()
    organizations, users = registry or demo_registry()
    towns = city_towns()
    if not towns or not any(in_city(o.region_code) for o in organizations):
        result.skipped = True
        log("没有演示城市的单位或镇街，跳过人才与科技特派员演示数据")
        return result
    if seeded():
        result.skipped = True
        result.seconds = time.monotonic() - started
        log("人才与科技特派员演示数据已存在，跳过")
        return result
    planned = plan(
        organizations, users, towns, city_workstations(), seed=seed, today=today or timezone.localdate()
    )
    with transaction.atomic():
        result.created = write(planned)
    result.figures = calibration_figures()
    result.seconds = time.monotonic() - started
    c = result.created
    shown = "，".join(f"{label} {value}" for label, value in result.figures.items())
    log(
        f"人才与科技特派员演示数据：{c['commissioners']} 名科技特派员、{c['dispatches']} 次派驻、{c['logs']} 条工作日志、"
        f"{c['talents']} 名人才、{c['experts']} 名外国专家（用时 {result.seconds:.1f} 秒）；{CALIBRATION_YEAR}年：{shown}"
    )
    return result
