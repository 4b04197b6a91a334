"""The vouchers' demo data (issue 6): a year 2019 calibrated to 绍兴's published figures, and a living present.

Two layers, as in market/demo.py (whose registry of organizations and users this module reads):

* `plan(organizations, users, seed=, today=, details=)` is pure: it returns every record to write as dicts
  of field values (keys starting with "_" are references between planned records). Money moves through a
  small in-memory ledger that applies the rules of `ledger.move` (the same table of movements), so every
  amount has its LedgerEntry and the program and quota totals are the sums of their entries.
* `seed()` writes the plan in bulk in one transaction (no audit lines and no notifications for demo data),
  then runs the fraud checks (`fraud.check_booking`, `fraud.check_provider`) over the present programs, as
  the services would have: the flags are found, not planted. A second run finds the 2019 program and adds
  nothing.

2019, by the definitions of vouchers/figures.py (`CALIBRATION`): one program of 绍兴 (2019-03-01 to
2019-12-31; 单次申领最高10万元, 每家企业年度累计30万元, 1万元以下全额支付, 1万元及以上支付50%; 嘉兴 and 衢州
as partner regions). Its quotas, granted automatically to enterprises of the city from March to November,
add up to exactly 46,860,000.00 yuan; the services confirmed in 2019 with them to exactly 18,660,000.00
yuan (a handful with providers of 嘉兴 and 衢州: cross-region). Around them, records the rules leave out:
bookings cancelled or declined (committed, then released), services booked in December and confirmed in
January 2020 (used in 2020), and the unused balances, expired by the nightly job on 2020-01-01 (expired, not
subtracted from 发放). Every confirmed service was claimed and paid in quarterly settlement batches, the last
in March 2020. When the registry has too few enterprises for 2019 (the test size "tiny"), both amounts are
scaled down by one factor and `VoucherPlan.calibrated` is False.

The present, laid out around `today` (tests pass `PRESENT_DAY`): 绍兴's program of the running year (open,
partners 嘉兴 and 衢州), and 柯桥区's (its bureau approves each quota; 越城区 is its partner, so 柯桥's
vouchers used in 越城 are cross-region within the city). Bookings in every state, settlement batches paid,
approved and in draft. The named demo users have their own: ent_demo's quota with a paid service, one
awaiting its confirmation and one awaiting provider_demo's acceptance, and its application to 柯桥 awaiting
kq_staff; ent_demo2's service in progress with a partner-region provider and its claim awaiting settlement;
inst_demo's instruments. Three patterns the fraud checks flag: an enterprise and a provider with the same
legal representative, three bookings just under the 1万元 tier line, and one provider taking most of
柯桥's redemptions.

Times are Asia/Shanghai working hours on working days (weekends skipped; public holidays are not modelled).
"""

from __future__ import annotations

import random
import time
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import ROUND_DOWN, Decimal
from itertools import accumulate
from zoneinfo import ZoneInfo

from kechuang.demo.bulk import insert
from kechuang.market.demo import DemoOrg, DemoUser, demo_registry, in_city

from .amounts import Tier, parse_tiers, split_fee
from .enums import (
    BatchState,
    BookingState,
    CopayMode,
    EntryKind,
    OfferingKind,
    ProgramState,
    ProviderState,
    QuotaState,
    ServiceCategory,
)
from .ledger import _PROGRAM, _QUOTA  # the movements' effects, so the demo moves money as ledger.move does

DEFAULT_SEED = 2019
CITY = "330600"
KEQIAO = "330603"
YUECHENG = "330602"
PARTNER_CITIES = ("330400", "330800")  # 嘉兴市, 衢州市
CALIBRATION_YEAR = 2019
# What vouchers.figures.report_figures gives for CITY and CALIBRATION_YEAR (demo-calibration.md), in 万元.
CALIBRATION = {"创新券发放": Decimal("4686"), "创新券使用": Decimal("1866")}
ISSUED_2019 = Decimal("46860000.00")
REDEEMED_2019 = Decimal("18660000.00")
PRESENT_DAY = date(2026, 12, 1)
SHANGHAI = ZoneInfo("Asia/Shanghai")
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
WAN = Decimal("10000")

ALL_CATEGORIES = list(ServiceCategory.values)
TIERS = [["0", "1"], ["10000", "0.5"]]
TERMS_2019 = {
    "name": "2019年绍兴市科技创新券",
    "year": 2019,
    "starts_on": date(2019, 3, 1),
    "ends_on": date(2019, 12, 31),
    "budget": Decimal("50000000.00"),
    "quota_per_application": Decimal("100000.00"),
    "annual_cap": Decimal("300000.00"),
    "copay_mode": CopayMode.WHOLE_FEE.value,
    "copay_tiers": TIERS,
    "auto_approve": True,
}
# Quota requests (万元) and how often each is asked for.
QUOTA_SIZES = ((1, 8), (2, 18), (3, 14), (5, 26), (8, 10), (10, 24))
KEQIAO_QUOTA_SIZES = ((1, 20), (2, 30), (3, 20), (5, 30))
# Share of each month (March–November) in the year's quota applications.
QUOTA_MONTHS = {3: 1.6, 4: 1.5, 5: 1.2, 6: 1.0, 7: 0.9, 8: 0.8, 9: 1.0, 10: 0.6, 11: 0.5}
MAX_CITY_PROVIDERS = 90  # providers of the city verified for vouchers (the rest never registered)
MAX_INSTITUTIONS = 12
# How much of the budget's room enterprises can take at most before the year is scaled (tiny registries).
CAP_USE = Decimal("0.6")

PURPOSES = {
    "testing": "产品委托检测",
    "instrument": "大型科研仪器共享使用",
    "design": "新产品工业设计",
    "rd": "委托研发与中试验证",
    "analysis": "材料分析测试",
    "consulting": "科技查新与技术咨询",
    "ip": "专利检索分析",
    "transfer": "科技成果评价与转化对接",
}
AVAILABILITY = (
    "工作日 8:30–17:00",
    "工作日 8:30–11:30、13:30–17:00",
    "周一至周六 9:00–17:00",
    "工作日全天，可预约夜间机时",
)
BOOKING_RULES = (
    "请提前3个工作日预约，样品随附委托单。",
    "首次使用须参加操作培训；机时按实际使用计，不足1小时按1小时计。",
    "出具报告周期约5个工作日，加急另议。",
    "预约后如需取消，请于服务日前1个工作日告知。",
)


@dataclass(frozen=True)
class Item:
    """One service or instrument of the catalogue the providers' offerings are drawn from."""

    category: str
    name: str
    price: int  # yuan, before each provider's own pricing
    unit: str
    keyword: str = ""  # a provider whose name has it is likely to offer it
    description: str = ""
    model: str = ""
    manufacturer: str = ""

    @property
    def kind(self) -> str:
        return OfferingKind.INSTRUMENT if self.model else OfferingKind.SERVICE


T, M, A, D, R = "testing", "instrument", "analysis", "design", "rd"  # M: machine time (仪器共享)
C, P, X = "consulting", "ip", "transfer"
CATALOGUE = (
    Item(
        T,
        "纺织品色牢度检测",
        320,
        "样",
        "纺织",
        "耐洗、耐摩擦、耐光色牢度，按GB/T 3921等标准检测，出具CMA报告。",
    ),
    Item(T, "纺织品纤维成分定量分析", 260, "样", "纺织", "化学溶解法与显微镜法测定纤维含量。"),
    Item(T, "纺织品甲醛及pH值检测", 280, "样", "纺织", "按GB 18401检测，适用于内销服装面料。"),
    Item(T, "金属材料力学性能检测", 850, "样", "机械", "拉伸、冲击、硬度试验，可出具第三方报告。"),
    Item(T, "机械零部件尺寸与形位公差检测", 1200, "批", "机械", "三坐标测量，提供全尺寸检测报告。"),
    Item(T, "电机能效测试", 3800, "台", "电", "按GB 18613测定效率等级，含温升与负载试验。"),
    Item(T, "家用电器安全性能检测", 4600, "项", "电", "按GB 4706系列标准检测，协助产品认证。"),
    Item(T, "电磁兼容（EMC）测试", 12800, "项", "电", "辐射与传导发射、抗扰度测试，3米法半电波暗室。"),
    Item(T, "化工产品理化指标检测", 900, "样", "化工", "含量、杂质、水分、闪点等常规指标。"),
    Item(T, "建筑材料物理性能检测", 700, "组", "建筑", "水泥、混凝土、墙体材料强度与耐久性试验。"),
    Item(T, "医疗器械生物相容性检测", 16000, "项", "医疗", "按GB/T 16886开展细胞毒性、致敏、刺激试验。"),
    Item(
        T, "环境可靠性试验（高低温湿热）", 6800, "批", "", "高低温、湿热、温度冲击试验，试验箱容积1立方米。"
    ),
    Item(T, "产品包装运输试验", 3200, "批", "", "跌落、振动、堆码试验。"),
    Item(T, "食品理化与微生物检测", 1100, "样", "食品", "营养成分、添加剂与微生物指标。"),
    Item(A, "材料失效分析", 6500, "项", "", "断口分析、金相分析与成分比对，出具失效原因报告。"),
    Item(A, "RoHS有害物质检测", 1500, "样", "电", "铅、汞、镉、六价铬及多溴联苯等10项。"),
    Item(A, "高分子材料热性能分析", 800, "样", "高分子", "DSC、TGA测定熔点、玻璃化温度与热稳定性。"),
    Item(A, "金属材料化学成分分析", 600, "样", "金属", "直读光谱法测定主要元素含量。"),
    Item(A, "未知物成分剖析", 8500, "项", "化工", "红外、色谱-质谱联用等多手段剖析配方组成。"),
    Item(M, "场发射扫描电子显微镜", 600, "小时", "", "表面形貌观察与能谱分析。", "SU8010", "日立"),
    Item(M, "X射线衍射仪", 400, "样", "", "物相定性定量分析、结晶度测定。", "D8 ADVANCE", "布鲁克"),
    Item(M, "透射电子显微镜", 1500, "小时", "", "高分辨成像与选区电子衍射。", "Talos F200X", "赛默飞世尔"),
    Item(M, "核磁共振波谱仪", 500, "样", "", "氢谱、碳谱及二维谱测试。", "AVANCE NEO 400", "布鲁克"),
    Item(M, "激光共聚焦显微镜", 450, "小时", "", "三维形貌与荧光成像。", "LSM 900", "蔡司"),
    Item(M, "三坐标测量机", 600, "小时", "机械", "精密零部件几何尺寸测量。", "CONTURA G2", "蔡司"),
    Item(M, "液相色谱-质谱联用仪", 800, "样", "", "痕量有机物定性定量分析。", "Xevo TQ-S", "沃特世"),
    Item(M, "电感耦合等离子体质谱仪", 350, "样", "", "痕量金属元素分析。", "NexION 2000", "珀金埃尔默"),
    Item(M, "万能材料试验机", 300, "样", "", "拉伸、压缩、弯曲试验，最大载荷100kN。", "5985", "英斯特朗"),
    Item(
        M, "同步热分析仪", 200, "样", "高分子", "热重与差示扫描量热同步测定。", "TGA/DSC 3+", "梅特勒-托利多"
    ),
    Item(M, "傅里叶变换红外光谱仪", 150, "样", "", "有机物官能团鉴定。", "Nicolet iS50", "赛默飞世尔"),
    Item(M, "气相色谱-质谱联用仪", 500, "样", "化工", "挥发性有机物分析。", "8890-5977B", "安捷伦"),
    Item(D, "产品外观设计", 30000, "项", "", "造型与色彩方案、效果图及外观模型。"),
    Item(D, "产品结构设计", 45000, "项", "机械", "结构方案、三维建模与工程图。"),
    Item(D, "包装与视觉设计", 8000, "项", "", "包装结构与平面视觉设计。"),
    Item(D, "纺织面料花型设计", 6000, "款", "纺织", "花型图案设计与配色方案。"),
    Item(D, "样机手板制作", 12000, "套", "", "CNC与3D打印手板，用于外观与装配验证。"),
    Item(R, "委托研发（工艺改进）", 60000, "项", "", "针对生产工艺瓶颈开展技术攻关，按合同交付。"),
    Item(R, "中试验证服务", 50000, "项", "", "依托中试线完成放大验证与工艺参数优化。"),
    Item(R, "新材料配方开发", 80000, "项", "材料", "配方设计、小试与性能评价。"),
    Item(R, "嵌入式软件开发", 40000, "项", "电", "控制器软件设计与测试。"),
    Item(C, "科技查新", 800, "项", "", "国内外文献检索，出具查新报告。"),
    Item(C, "技术可行性论证", 15000, "项", "", "组织专家论证技术方案与产业化前景。"),
    Item(C, "技术路线咨询", 20000, "项", "", "梳理技术现状，提出研发路线建议。"),
    Item(C, "标准制修订咨询", 12000, "项", "", "协助企业参与团体标准、行业标准制修订。"),
    Item(P, "专利检索分析", 5000, "项", "", "查新检索与侵权风险分析。"),
    Item(P, "专利导航分析", 40000, "项", "", "产业专利导航，提出研发与布局建议。"),
    Item(P, "专利价值评估", 8000, "项", "", "用于质押融资、转让作价的专利价值评估。"),
    Item(X, "科技成果评价", 12000, "项", "", "按科技成果评价规范组织第三方评价。"),
    Item(X, "技术转移对接服务", 20000, "项", "", "需求梳理、成果匹配与对接洽谈。"),
    Item(X, "技术合同登记辅导", 3000, "项", "", "合同认定登记与税收优惠申报辅导。"),
)


# --------------------------------------------------------------------------------------------
# The plan


@dataclass
class VoucherPlan:
    """Every record the vouchers demo writes, in writing order; references are keys (list positions)."""

    profiles: list[dict] = field(default_factory=list)
    offerings: list[dict] = field(default_factory=list)
    programs: list[dict] = field(default_factory=list)
    partners: list[tuple[int, str]] = field(default_factory=list)  # (program key, region code)
    quotas: list[dict] = field(default_factory=list)
    batches: list[dict] = field(default_factory=list)
    bookings: list[dict] = field(default_factory=list)
    entries: list[dict] = field(default_factory=list)
    calibrated: bool = True
    targets: dict[str, Decimal] = field(default_factory=dict)  # 2019's issued and redeemed, in yuan
    stories: dict[str, int] = field(default_factory=dict)  # named records (booking or quota keys)

    def tables(self) -> dict[str, list]:
        return {
            "profiles": self.profiles,
            "offerings": self.offerings,
            "programs": self.programs,
            "quotas": self.quotas,
            "batches": self.batches,
            "bookings": self.bookings,
            "entries": self.entries,
        }


def _add(rows: list[dict], row: dict) -> int:
    row["_key"] = len(rows)
    rows.append(row)
    return row["_key"]


def _workday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _moment(day: date, rng: random.Random) -> datetime:
    return datetime.combine(_workday(day), clock(8, 30), tzinfo=SHANGHAI) + timedelta(
        minutes=rng.randrange(9 * 60)
    )


def _after(moment: datetime, rng: random.Random, low: int, high: int) -> datetime:
    """A working-hours moment `low`–`high` days after `moment` (never before it)."""
    later = _moment(moment.date() + timedelta(days=rng.randint(low, high)), rng)
    return later if later > moment else moment + timedelta(minutes=rng.randint(20, 240))


def _night(day: date) -> datetime:
    """When the nightly job ran on `day`."""
    return datetime.combine(day, clock(1, 0), tzinfo=SHANGHAI)


def _price(base: int, rng: random.Random) -> Decimal:
    """A provider's own price for a catalogue item: within −15 %…+20 %, rounded as price lists are."""
    value = base * rng.uniform(0.85, 1.2)
    step = 10 if value < 1000 else 50 if value < 10000 else 500
    return Decimal(max(step, round(value / step) * step)).quantize(CENT)


class _Ledger:
    """The rules of ledger.move on planned rows: the program's and quota's totals change with each entry."""

    def __init__(self, plan: VoucherPlan):
        self.p = plan

    def move(
        self,
        kind: str,
        amount: Decimal,
        at: datetime,
        *,
        program: int,
        quota=None,
        booking=None,
        batch=None,
        by: int | None = None,
    ) -> None:
        amount = Decimal(amount)
        if amount < 0:
            raise ValueError("a movement's amount is positive")
        if amount == 0:
            return
        prog = self.p.programs[program]
        q = self.p.quotas[quota] if quota is not None else None
        available = q["granted"] - q["committed"] - q["redeemed"] - q["expired"] if q is not None else None
        problems = {
            EntryKind.ISSUE: amount > prog["budget"] - prog["issued"] + prog["expired"],
            EntryKind.COMMIT: q is not None and amount > available,
            EntryKind.EXPIRE: q is not None and amount > available,
            EntryKind.RELEASE: q is not None and amount > q["committed"],
            EntryKind.REDEEM: q is not None and amount > q["committed"],
            EntryKind.SETTLE: prog["settled"] + amount > prog["redeemed"],
            EntryKind.PAY: prog["paid"] + amount > prog["settled"],
        }
        if problems[kind]:
            raise RuntimeError(f"demo ledger: {kind} {amount} refused")
        for name, sign in _PROGRAM[kind]:
            prog[name] += sign * amount
        if q is not None:
            for name, sign in _QUOTA.get(kind, ()):
                q[name] += sign * amount
        self.p.entries.append(
            {
                "_program": program,
                "kind": str(kind),
                "amount": amount,
                "_quota": quota,
                "_booking": booking,
                "_batch": batch,
                "created_at": at,
                "created_by_id": by,
            }
        )


def available(quota: dict) -> Decimal:
    return quota["granted"] - quota["committed"] - quota["redeemed"] - quota["expired"]


class _Registry:
    """Lookups over the organizations and users the plan reads."""

    def __init__(self, organizations: Sequence[DemoOrg], users: Sequence[DemoUser]):
        self.orgs = sorted(organizations, key=lambda o: o.id)
        self.by_id = {o.id: o for o in self.orgs}
        self.story = {o.story: o for o in self.orgs if o.story}
        self.users_of: dict[int, list[DemoUser]] = defaultdict(list)
        self.named = {u.username: u for u in users}
        self.bureau: dict[str, list[DemoUser]] = defaultdict(list)
        for u in sorted(users, key=lambda u: u.id):
            if u.organization_id is not None:
                self.users_of[u.organization_id].append(u)
            if u.role in ("bureau_admin", "bureau_staff") and u.region_code:
                self.bureau[u.region_code].append(u)
        for people in self.bureau.values():
            people.sort(key=lambda u: (u.role != "bureau_staff", u.id))

    def user_id(self, org_id: int) -> int | None:
        users = self.users_of.get(org_id)
        return users[0].id if users else None

    def bureau_id(self, code: str) -> int | None:
        """A bureau user of the county `code` lies in, else of its city."""
        for region in (code[:6], code[:4] + "00"):
            if self.bureau.get(region):
                return self.bureau[region][0].id
        return None

    def named_id(self, username: str, fallback_region: str) -> int | None:
        user = self.named.get(username)
        return user.id if user else self.bureau_id(fallback_region)


def _provider_categories(org: DemoOrg) -> list[str]:
    name = org.name
    if org.kind == "institution":
        return [M, A, R, X] if ("学院" in name or "大学" in name) else [M, A, R]
    if "仪器共享" in name:
        return [M, A]
    if "服务平台" in name:
        return [R, D, X, M]
    if any(word in name for word in ("检测", "检验", "计量", "认证")):
        return [T, A]
    if "技术服务" in name or "科技服务" in name:
        return [C, P, X, D]
    return [C, T]


class _Planner:
    def __init__(self, registry: _Registry, seed: int, today: date, details: dict[int, tuple[str, str]]):
        self.reg = registry
        self.seed = seed
        self.today = today
        self.now = _night(today) + timedelta(hours=7)  # the demo is "seen" at 08:00 of `today`
        self.details = details
        self.p = VoucherPlan()
        self.ledger = _Ledger(self.p)
        self.offerings_of: dict[int, list[int]] = defaultdict(list)  # provider → offering keys
        self._accepted: dict[int, tuple[list[int], list[date]]] = {}
        self._weights: dict[tuple[int, str], list[float]] = {}
        self._tiers: dict[int, list[Tier]] = {}
        self.partner_weight: dict[int, float] = {}  # program → weight of a partner region's offering

    def _rng(self, part: str) -> random.Random:
        return random.Random(f"kechuang-vouchers-demo:{self.seed}:{part}")

    # -- providers and offerings ---------------------------------------------------------------

    def plan_providers(self) -> None:
        rng = self._rng("providers")
        from kechuang.demo.generator import Namer

        founded = lambda o: o.founded_on or date(2010, 1, 1)  # noqa: E731
        city_providers = [
            o for o in self.reg.orgs if o.kind == "provider" and in_city(o.region_code) and not o.story
        ]
        institutions = [
            o for o in self.reg.orgs if o.kind == "institution" and in_city(o.region_code) and not o.story
        ]
        outside = [
            o
            for o in self.reg.orgs
            if o.kind == "provider" and o.region_code[:4] + "00" in PARTNER_CITIES and not o.story
        ]
        chosen = rng.sample(city_providers, min(MAX_CITY_PROVIDERS, len(city_providers)))
        chosen += rng.sample(institutions, min(MAX_INSTITUTIONS, len(institutions)))
        related = self.related_pair()
        if related and self.reg.by_id[related[1]] not in chosen:
            chosen.append(self.reg.by_id[related[1]])
        chosen += outside
        chosen += [self.reg.story[k] for k in ("provider_demo", "inst_demo") if k in self.reg.story]
        chosen_ids = {o.id for o in chosen}
        pending = [o for o in city_providers if o.id not in chosen_ids][:3]
        for org in sorted(chosen, key=lambda o: o.id):
            # One stream per provider: whether a late one is verified by `today` changes nothing of the others
            # (nor of 2019).
            own = self._rng(f"provider:{org.id}")
            namer = Namer(own)
            since = max(
                date(2018, 10, 8) + timedelta(days=own.randrange(120)),
                founded(org) + timedelta(days=own.randint(60, 240)),
            )
            if since >= self.today - timedelta(days=20):
                continue
            decided = _moment(since, own)
            categories = _provider_categories(org)
            contact = self.reg.users_of.get(org.id)
            _add(
                self.p.profiles,
                {
                    "organization_id": org.id,
                    "state": ProviderState.VERIFIED.value,
                    "categories": categories,
                    "description": f"{org.name}面向企业提供"
                    + "、".join(str(ServiceCategory(c).label) for c in categories)
                    + "服务，可使用创新券支付。",
                    "contact_name": contact[0].name[:50] if contact else namer.person(),
                    "contact_phone": org.contact_phone or namer.mobile(),
                    "decided_by_id": self.reg.bureau_id(org.region_code),
                    "decided_at": decided,
                    "reason": "",
                    "created_at": decided - timedelta(days=own.randint(3, 20)),
                },
            )
            self.plan_offerings(org, categories, decided, own)
        namer = Namer(rng)
        for org in pending:
            asked = _moment(self.today - timedelta(days=rng.randint(2, 12)), rng)
            _add(
                self.p.profiles,
                {
                    "organization_id": org.id,
                    "state": ProviderState.PENDING.value,
                    "categories": _provider_categories(org),
                    "description": f"{org.name}申请成为创新券服务机构。",
                    "contact_name": namer.person(),
                    "contact_phone": org.contact_phone or namer.mobile(),
                    "decided_by_id": None,
                    "decided_at": None,
                    "reason": "",
                    "created_at": asked,
                },
            )

    def plan_offerings(
        self, org: DemoOrg, categories: list[str], decided: datetime, rng: random.Random
    ) -> None:
        items = [item for item in CATALOGUE if item.category in categories]
        weights = [
            5 if item.keyword and item.keyword in org.name else 1 if not item.keyword else 0.3
            for item in items
        ]
        count = min(
            len(items), rng.randint(3, 6) if org.story or org.kind == "institution" else rng.randint(2, 5)
        )
        picked: list[Item] = []
        while len(picked) < count:
            item = rng.choices(items, weights=weights)[0]
            if item not in picked:
                picked.append(item)
        address = self.details.get(org.id, ("", ""))[1]
        for item in picked:
            created = _after(decided, rng, 1, 10)
            key = _add(
                self.p.offerings,
                {
                    "provider_id": org.id,
                    "kind": item.kind.value,
                    "category": item.category,
                    "name": item.name,
                    "description": item.description,
                    "region_id": org.region_code,
                    "address": address,
                    "price": _price(item.price, rng),
                    "unit": item.unit,
                    "availability": rng.choice(AVAILABILITY),
                    "booking_rules": rng.choice(BOOKING_RULES),
                    "instrument_model": item.model,
                    "manufacturer": item.manufacturer,
                    "active": True,
                    "created_at": created,
                    "_from": created.date(),
                },
            )
            self.offerings_of[org.id].append(key)

    def related_pair(self) -> tuple[int, int] | None:
        """An enterprise and a provider of the city with the same legal representative (the first such pair)."""
        reps: dict[str, list[DemoOrg]] = defaultdict(list)
        for org in self.reg.orgs:
            rep = self.details.get(org.id, ("", ""))[0]
            if rep and in_city(org.region_code) and not org.story and org.kind in ("enterprise", "provider"):
                reps[rep].append(org)
        pairs = sorted(
            (p.id, e.id)
            for group in reps.values()
            for p in group
            if p.kind == "provider"
            for e in group
            if e.kind == "enterprise"
        )
        return (pairs[0][1], pairs[0][0]) if pairs else None

    # -- programs ------------------------------------------------------------------------------

    def program(
        self, region: str, values: dict, *, state: str, created: datetime, partners: Sequence[str]
    ) -> int:
        key = _add(
            self.p.programs,
            {
                "region_id": region,
                "state": state,
                "description": values.pop("description", ""),
                "eligible_kinds": ["enterprise"],
                "eligible_sizes": [],
                "required_qualifications": [],
                "categories": ALL_CATEGORIES,
                **values,
                **dict.fromkeys(("issued", "expired", "committed", "redeemed", "settled", "paid"), ZERO),
                "created_at": created,
            },
        )
        self.p.partners += [(key, code) for code in partners]
        return key

    def _accepted_offerings(self, program: int) -> tuple[list[int], list[date]]:
        """The offerings a program accepts (own region, partners, and what is under them, in its categories),
        in the order they were listed, with the day each was listed."""
        cached = self._accepted.get(program)
        if cached is None:
            prog = self.p.programs[program]
            prefixes = tuple(
                [_prefix(prog["region_id"])] + [_prefix(c) for k, c in self.p.partners if k == program]
            )
            rows = sorted(
                (
                    o
                    for o in self.p.offerings
                    if o["category"] in prog["categories"] and o["region_id"].startswith(prefixes)
                ),
                key=lambda o: (o["_from"], o["_key"]),
            )
            cached = self._accepted[program] = ([o["_key"] for o in rows], [o["_from"] for o in rows])
        return cached

    def offerings_for(self, program: int, on: date) -> list[int]:
        """The offerings a program accepts that were listed by `on`."""
        keys, listed = self._accepted_offerings(program)
        return keys[: bisect_right(listed, on)]

    def quota(
        self,
        program: int,
        org: DemoOrg,
        amount: Decimal,
        applied: datetime,
        *,
        decided: datetime | None,
        decided_by: int | None,
        state: str = QuotaState.APPROVED,
        reason: str = "",
        rng: random.Random,
    ) -> int:
        prog = self.p.programs[program]
        uses = rng.sample(prog["categories"][:6], k=2)
        key = _add(
            self.p.quotas,
            {
                "_program": program,
                "organization_id": org.id,
                "state": QuotaState.APPLIED.value if state == QuotaState.APPROVED else str(state),
                "requested": amount,
                "purpose": f"用于{PURPOSES[uses[0]]}、{PURPOSES[uses[1]]}",
                "granted": ZERO,
                "committed": ZERO,
                "redeemed": ZERO,
                "expired": ZERO,
                "applied_by_id": self.reg.user_id(org.id),
                "decided_by_id": decided_by if decided else None,
                "decided_at": decided,
                "reason": reason,
                "created_at": applied,
            },
        )
        if state == QuotaState.APPROVED and decided is not None:
            quota = self.p.quotas[key]
            quota["state"] = QuotaState.APPROVED.value
            who = "系统按规则自动审核；" if prog["auto_approve"] else ""
            quota["reason"] = f"{who}发放{amount}元"
            self.ledger.move(EntryKind.ISSUE, amount, decided, program=program, quota=key, by=decided_by)
        return key

    # -- bookings ------------------------------------------------------------------------------

    def booking(
        self,
        quota: int,
        offering: int,
        fee: Decimal,
        created: datetime,
        *,
        fate: str = "redeemed",
        rng: random.Random,
        service_in: tuple[int, int] = (2, 20),
        confirm_in: tuple[int, int] = (1, 7),
        note: str = "",
        until: str = BookingState.CLAIMED,
    ) -> int | None:
        """A booking and its steps up to `fate` (redeemed, cancelled, declined, disputed) or the state `until`,
        each taken only if its moment has come by `self.now`. None when the quota has nothing left for it."""
        q = self.p.quotas[quota]
        program = q["_program"]
        prog = self.p.programs[program]
        off = self.p.offerings[offering]
        voucher = self.share(program, fee, available(q))
        if voucher <= 0 or created > self.now:
            return None
        service_date = _workday(created.date() + timedelta(days=rng.randint(*service_in)))
        enterprise_user = self.reg.user_id(q["organization_id"])
        key = _add(
            self.p.bookings,
            {
                "_quota": quota,
                "_offering": offering,
                "provider_id": off["provider_id"],
                "issuing_region_id": prog["region_id"],
                "service_region_id": off["region_id"],
                "state": BookingState.REQUESTED.value,
                "category": off["category"],
                "service_date": service_date,
                "fee": fee,
                "voucher_amount": voucher,
                "enterprise_amount": fee - voucher,
                "note": note,
                "invoice_no": "",
                "created_by_id": enterprise_user,
                "completed_at": None,
                "confirmed_at": None,
                "claimed_at": None,
                "_batch": None,
                "created_at": created,
            },
        )
        b = self.p.bookings[key]
        self.ledger.move(
            EntryKind.COMMIT, voucher, created, program=program, quota=quota, booking=key, by=enterprise_user
        )
        if fate in ("cancelled", "declined"):
            ended = _after(created, rng, 0, 3)
            if ended <= self.now:
                b["state"] = (
                    BookingState.CANCELLED.value if fate == "cancelled" else BookingState.DECLINED.value
                )
                self.ledger.move(
                    EntryKind.RELEASE,
                    voucher,
                    ended,
                    program=program,
                    quota=quota,
                    booking=key,
                    by=enterprise_user if fate == "cancelled" else None,
                )
            return key
        accepted = _after(created, rng, 0, 2)
        if accepted > self.now or until == BookingState.REQUESTED:
            return key
        b["state"] = BookingState.ACCEPTED.value
        completed = _moment(service_date + timedelta(days=rng.randint(0, 4)), rng)
        if completed > self.now or until == BookingState.ACCEPTED:
            return key
        b["state"], b["completed_at"] = BookingState.COMPLETED.value, completed
        b["invoice_no"] = (
            f"{rng.randrange(10**7, 10**8)}"
            if created.year < 2021
            else f"{created.year % 100}33{rng.randrange(10**15, 10**16)}"
        )
        if fate == "disputed":
            b["state"] = BookingState.DISPUTED.value
            return key
        confirmed = _after(completed, rng, *confirm_in)
        if confirmed > self.now:
            return key
        b["state"], b["confirmed_at"] = BookingState.CONFIRMED.value, confirmed
        self.ledger.move(
            EntryKind.REDEEM,
            voucher,
            confirmed,
            program=program,
            quota=quota,
            booking=key,
            by=enterprise_user,
        )
        claimed = _after(confirmed, rng, 1, 20)
        if claimed <= self.now and until == BookingState.CLAIMED:
            b["state"], b["claimed_at"] = BookingState.CLAIMED.value, claimed
        return key

    def share(self, program: int, fee: Decimal, left: Decimal) -> Decimal:
        """The voucher's part of `fee` with `left` on the quota: `amounts.split_fee`'s amount without its
        sentence (the demo splits thousands of fees; the tests check every one against split_fee)."""
        prog = self.p.programs[program]
        tiers = self._tiers.get(program)
        if tiers is None:
            tiers = self._tiers[program] = parse_tiers(prog["copay_tiers"])
        return min(_voucher_part(fee, tiers, prog["copay_mode"]), max(left, ZERO))

    def fee_for(self, offering: int, rng: random.Random) -> Decimal:
        price = self.p.offerings[offering]["price"]
        qty = (
            rng.randint(10, 60)
            if price < 1000
            else rng.randint(2, 8)
            if price < 5000
            else rng.randint(1, 3)
            if price < 20000
            else 1
        )
        return min(price * qty, Decimal("200000.00"))

    def settle(
        self, program: int, batch_days: Sequence[date], *, by: int | None, reference: str, rng: random.Random
    ) -> None:
        """Settlement batches of the program's claims on each of `batch_days` (those that have come)."""
        claims = sorted(
            (
                b
                for b in self.p.bookings
                if self.p.quotas[b["_quota"]]["_program"] == program and b["claimed_at"]
            ),
            key=lambda b: b["claimed_at"],
        )
        start = 0
        for number, day in enumerate(sorted(batch_days), start=1):
            while day.weekday() >= 5:  # a batch is drawn up on the working day before, not after
                day -= timedelta(days=1)
            created = _moment(day, rng)
            if created > self.now:
                break
            members = []
            while start < len(claims) and claims[start]["claimed_at"] < created:
                members.append(claims[start])
                start += 1
            if not members:
                continue
            approved = _after(created, rng, 3, 7)
            paid = _after(approved, rng, 10, 20)
            state = (
                BatchState.PAID
                if paid <= self.now
                else BatchState.APPROVED
                if approved <= self.now
                else BatchState.DRAFT
            )
            key = _add(
                self.p.batches,
                {
                    "_program": program,
                    "state": state.value,
                    "total": sum((b["voucher_amount"] for b in members), ZERO),
                    "created_by_id": by,
                    "approved_at": approved if state != BatchState.DRAFT else None,
                    "paid_on": paid.date() if state == BatchState.PAID else None,
                    "payment_reference": reference.format(n=number) if state == BatchState.PAID else "",
                    "created_at": created,
                },
            )
            for b in members:
                b["_batch"], b["state"] = key, BookingState.SETTLED.value
                self.ledger.move(
                    EntryKind.SETTLE,
                    b["voucher_amount"],
                    created,
                    program=program,
                    booking=b["_key"],
                    batch=key,
                    by=by,
                )
            if state == BatchState.PAID:
                for b in members:
                    b["state"] = BookingState.PAID.value
                    self.ledger.move(
                        EntryKind.PAY,
                        b["voucher_amount"],
                        paid,
                        program=program,
                        booking=b["_key"],
                        batch=key,
                        by=by,
                    )

    def expire(self, program: int, day: date) -> None:
        """The nightly job after the program's end: unused balances return, quotas expire."""
        at = _night(day)
        for q in self.p.quotas:
            if q["_program"] != program or q["state"] not in (QuotaState.APPROVED, QuotaState.APPLIED):
                continue
            if q["state"] == QuotaState.APPROVED:
                self.ledger.move(EntryKind.EXPIRE, available(q), at, program=program, quota=q["_key"])
                q["state"] = QuotaState.EXPIRED.value
            else:
                q["state"] = QuotaState.WITHDRAWN.value

    # -- enterprises and amounts ---------------------------------------------------------------

    def _pool(self, before: date, prefix: str = CITY[:4]) -> list[DemoOrg]:
        return [
            o
            for o in self.reg.orgs
            if o.kind == "enterprise"
            and not o.story
            and o.region_code.startswith(prefix)
            and (o.founded_on is None or o.founded_on < before)
        ]

    def _offering_weights(self, program: int, county: str) -> list[float]:
        """Cumulative weights over the program's accepted offerings for an enterprise of `county`: its own
        county first, then the program's region, a partner region's (cross-region) least."""
        cached = self._weights.get((program, county))
        if cached is None:
            own = _prefix(self.p.programs[program]["region_id"])
            weights = []
            for key in self._accepted_offerings(program)[0]:
                region = self.p.offerings[key]["region_id"]
                if region[:6] == county:
                    weights.append(5.0)
                elif region.startswith(own):
                    weights.append(1.0)
                else:
                    weights.append(self.partner_weight.get(program, 0.04))
            cached = self._weights[(program, county)] = list(accumulate(weights))
        return cached

    def use_quota(
        self,
        quota: int,
        rng: random.Random,
        *,
        last_booking: date,
        budget: Decimal | None = None,
        disputes: bool = True,
        counted: Callable[[datetime], bool] = lambda _m: True,
    ) -> Decimal:
        """Bookings on a quota until its holder's need is met; returns what they redeemed where `counted`.
        With `budget`, redemptions stop short of going over it."""
        q = self.p.quotas[quota]
        if rng.random() < 0.25:
            return ZERO  # never used
        need = q["granted"] * Decimal(str(round(rng.uniform(0.3, 1.0), 2)))
        org = self.reg.by_id[q["organization_id"]]
        moment = q["decided_at"]
        got = ZERO
        for _attempt in range(8):
            if need <= q["granted"] - available(q) or available(q) < 100:
                break
            moment = _after(moment, rng, 3, 45)
            if moment.date() > last_booking:
                break
            candidates = self.offerings_for(q["_program"], moment.date())
            if not candidates:
                break
            cumulative = self._offering_weights(q["_program"], org.region_code[:6])[: len(candidates)]
            offering = rng.choices(candidates, cum_weights=cumulative)[0]
            fee = self.fee_for(offering, rng)
            roll = rng.random()
            fate = (
                "cancelled"
                if roll < 0.04
                else "declined"
                if roll < 0.07
                else "disputed"
                if roll < 0.085 and disputes
                else "redeemed"
            )
            if fate == "redeemed" and budget is not None:
                if got + self.share(q["_program"], fee, available(q)) > budget:
                    break
            key = self.booking(quota, offering, fee, moment, fate=fate, rng=rng)
            if key is not None and fate == "redeemed":
                b = self.p.bookings[key]
                if b["confirmed_at"] is not None and counted(b["confirmed_at"]):
                    got += b["voucher_amount"]
        return got

    # -- 2019 ----------------------------------------------------------------------------------

    def plan_2019(self) -> None:
        rng = self._rng("2019")
        start, end = TERMS_2019["starts_on"], TERMS_2019["ends_on"]
        pool = self._pool(start)
        cap = TERMS_2019["annual_cap"]
        room = len(pool) * cap * CAP_USE
        issued_target, redeemed_target = ISSUED_2019, REDEEMED_2019
        if room < ISSUED_2019:
            self.p.calibrated = False
            issued_target = (room / WAN).quantize(Decimal("1"), ROUND_DOWN) * WAN
            redeemed_target = (REDEEMED_2019 * issued_target / ISSUED_2019).quantize(CENT, ROUND_DOWN)
        self.p.targets = {"issued": issued_target, "redeemed": redeemed_target}
        sx = self.reg.named_id("sx_gaoxin", CITY)
        program = self.program(
            CITY,
            {
                **TERMS_2019,
                "description": "支持科技型中小企业向高校院所、检验检测机构和科技服务机构购买科技服务。",
            },
            state=ProgramState.CLOSED.value,
            created=_moment(date(2019, 2, 18), rng),
            partners=PARTNER_CITIES,
        )
        weights = list(accumulate(3 if o.tech_field else 1 for o in pool))
        taken: dict[int, Decimal] = defaultdict(lambda: ZERO)
        months = list(QUOTA_MONTHS)
        issued = ZERO
        quotas: list[int] = []
        while issued < issued_target:
            amount = min(
                Decimal(rng.choices(*zip(*QUOTA_SIZES, strict=True))[0]) * WAN, issued_target - issued
            )
            for _try in range(50):
                org = rng.choices(pool, cum_weights=weights)[0]
                if taken[org.id] + amount <= cap:
                    break
            else:
                raise RuntimeError("演示城市的企业不足以发放创新券")
            month = rng.choices(months, weights=list(QUOTA_MONTHS.values()))[0]
            applied = _moment(date(2019, month, 1) + timedelta(days=rng.randrange(28)), rng)
            decided = applied + timedelta(minutes=1)
            quotas.append(
                self.quota(
                    program, org, amount.quantize(CENT), applied, decided=decided, decided_by=None, rng=rng
                )
            )
            taken[org.id] += amount
            issued += amount
        quotas.sort(key=lambda k: self.p.quotas[k]["decided_at"])

        def in_2019(moment: datetime) -> bool:
            return moment.year == CALIBRATION_YEAR

        redeemed = ZERO
        for key in quotas:
            redeemed += self.use_quota(
                key, rng, last_booking=end, budget=redeemed_target - redeemed, counted=in_2019, disputes=False
            )
        redeemed += self.fill(program, quotas, redeemed_target - redeemed, rng)
        self.settle(
            program,
            [date(2019, 7, 15), date(2019, 10, 15), date(2020, 1, 15), date(2020, 3, 16)],
            by=sx,
            reference="绍科拨〔2019〕{n}号",
            rng=rng,
        )
        self.expire(program, date(2020, 1, 1))

    def fill(self, program: int, quotas: list[int], gap: Decimal, rng: random.Random) -> Decimal:
        """Services that bring the year's redemptions to the target exactly: negotiated fees on quotas with a
        balance, each confirmed in December."""
        prog = self.p.programs[program]
        tiers = parse_tiers(prog["copay_tiers"])
        filled = ZERO
        by_balance = sorted(quotas, key=lambda k: (-available(self.p.quotas[k]), k))
        for key in by_balance:
            if gap <= 0:
                break
            q = self.p.quotas[key]
            voucher = min(gap, available(q), Decimal("40000"))
            if voucher <= 0:
                continue
            fee = voucher if voucher < tiers[1].start else voucher * 2  # the 100 % tier, else the 50 % one
            if split_fee(fee, tiers, prog["copay_mode"], available=available(q)).voucher != voucher:
                continue
            candidates = [
                k
                for k in self.offerings_for(program, date(2019, 11, 1))
                if self.p.offerings[k]["unit"] == "项"
            ]
            if not candidates:
                continue
            created = _moment(date(2019, 11, 4) + timedelta(days=rng.randrange(14)), rng)
            booking = self.booking(
                key,
                rng.choice(candidates),
                fee,
                created,
                rng=rng,
                service_in=(3, 10),
                confirm_in=(1, 3),
                note="按合同约定价格",
            )
            if booking is None or self.p.bookings[booking]["confirmed_at"].year != CALIBRATION_YEAR:
                raise RuntimeError("demo: a completing service fell outside 2019")
            gap -= voucher
            filled += voucher
        if gap != 0:
            raise RuntimeError(f"demo: 2019 redemptions short of the target by {gap}")
        return filled

    # -- the present ---------------------------------------------------------------------------

    def plan_present(self) -> None:
        rng = self._rng("present")
        starts = _workday(self.today - timedelta(days=270))
        year = starts.year
        sx = self.reg.named_id("sx_gaoxin", CITY)
        city = self.program(
            CITY,
            {
                **TERMS_2019,
                "name": f"{year}年绍兴市科技创新券",
                "year": year,
                "starts_on": starts,
                "ends_on": starts + timedelta(days=364),
                "budget": Decimal("30000000.00"),
                "description": "支持科技型中小企业购买检验检测、仪器共享、研发设计等科技服务；嘉兴、衢州的服务机构通用通兑。",
            },
            state=ProgramState.OPEN.value,
            created=_moment(starts - timedelta(days=20), rng),
            partners=PARTNER_CITIES,
        )
        pool = self._pool(starts)
        count = max(12, min(220, len(pool) // 25))
        people = rng.sample(pool, min(count, len(pool)))
        quotas = []
        last = self.today - timedelta(days=3)
        for org in people:
            applied = _moment(starts + timedelta(days=rng.randrange(max(1, (last - starts).days))), rng)
            amount = Decimal(rng.choices(*zip(*QUOTA_SIZES, strict=True))[0]) * WAN
            quotas.append(
                self.quota(
                    city,
                    org,
                    amount.quantize(CENT),
                    applied,
                    decided=applied + timedelta(minutes=1),
                    decided_by=None,
                    rng=rng,
                )
            )
        quotas.sort(key=lambda k: self.p.quotas[k]["decided_at"])
        for key in quotas:
            self.use_quota(key, rng, last_booking=self.today)
        self.plan_stories(city, starts, rng)
        self.plan_patterns(city, starts, rng, people)
        self.settle(
            city,
            [
                starts + timedelta(days=95),
                starts + timedelta(days=185),
                self.today - timedelta(days=30),
                self.today - timedelta(days=3),
            ],
            by=sx,
            reference=f"绍科拨〔{year}〕{{n}}号",
            rng=rng,
        )
        self.plan_keqiao(rng)

    def plan_stories(self, city: int, starts: date, rng: random.Random) -> None:
        """The named users' own records in the city's present program."""
        story = self.reg.story
        ent, ent2 = story.get("ent_demo"), story.get("ent_demo2")
        provider, inst = story.get("provider_demo"), story.get("inst_demo")
        if not (ent and ent2 and provider and self.offerings_of.get(provider.id)):
            return
        mine = self.offerings_of[provider.id]
        decided = _moment(starts + timedelta(days=40), rng)
        q1 = self.quota(
            city,
            ent,
            Decimal("50000.00"),
            decided - timedelta(minutes=1),
            decided=decided,
            decided_by=None,
            rng=rng,
        )
        self.p.stories["ent_demo_quota"] = q1
        old = self.now - timedelta(days=80)
        self.p.stories["ent_demo_paid"] = self.booking(q1, mine[0], Decimal("6800.00"), old, rng=rng)
        self.p.stories["ent_demo_to_confirm"] = self.booking(
            q1,
            mine[1 % len(mine)],
            Decimal("12000.00"),
            self.now - timedelta(days=12),
            rng=rng,
            service_in=(3, 3),
            confirm_in=(30, 30),
        )
        self.p.stories["ent_demo_requested"] = self.booking(
            q1,
            mine[0],
            Decimal("4500.00"),
            self.now - timedelta(hours=20),
            rng=rng,
            service_in=(7, 7),
            until=BookingState.REQUESTED,
        )
        if inst and self.offerings_of.get(inst.id):
            self.p.stories["ent_demo_confirmed"] = self.booking(
                q1,
                self.offerings_of[inst.id][0],
                Decimal("3600.00"),
                self.now - timedelta(days=15),
                rng=rng,
                service_in=(2, 2),
                confirm_in=(2, 2),
                until=BookingState.CONFIRMED,
            )
        decided2 = _moment(starts + timedelta(days=70), rng)
        q2 = self.quota(
            city,
            ent2,
            Decimal("30000.00"),
            decided2 - timedelta(minutes=1),
            decided=decided2,
            decided_by=None,
            rng=rng,
        )
        outside = [
            k for k in self.offerings_for(city, self.today) if not in_city(self.p.offerings[k]["region_id"])
        ]
        self.p.stories["ent_demo2_in_progress"] = self.booking(
            q2,
            outside[0] if outside else mine[0],
            Decimal("8800.00"),
            self.now - timedelta(days=4),
            rng=rng,
            service_in=(5, 5),
            until=BookingState.ACCEPTED,
        )
        self.p.stories["ent_demo2_claimed"] = self.booking(
            q2,
            mine[-1],
            Decimal("9200.00"),
            self.now - timedelta(days=25),
            rng=rng,
            service_in=(2, 2),
            confirm_in=(2, 2),
            until=BookingState.CONFIRMED,
        )
        b = self.p.bookings[self.p.stories["ent_demo2_claimed"]]
        b["state"], b["claimed_at"] = (
            BookingState.CLAIMED.value,
            self.now - timedelta(days=1),
        )  # after the last batch

    def plan_patterns(self, city: int, starts: date, rng: random.Random, people: list[DemoOrg]) -> None:
        """What the fraud checks are there to find: related parties, bookings just under the tier line."""
        related = self.related_pair()
        if related and self.offerings_of.get(related[1]):
            enterprise = self.reg.by_id[related[0]]
            decided = _moment(starts + timedelta(days=60), rng)
            q = self.quota(
                city,
                enterprise,
                Decimal("50000.00"),
                decided - timedelta(minutes=1),
                decided=decided,
                decided_by=None,
                rng=rng,
            )
            self.p.stories["related"] = self.booking(
                q,
                self.offerings_of[related[1]][0],
                Decimal("18000.00"),
                _moment(starts + timedelta(days=75), rng),
                rng=rng,
            )
        splitter = next(
            (o for o in self._pool(starts) if o not in people and o.id not in (related or ())), None
        )
        if splitter is None:
            return
        decided = _moment(starts + timedelta(days=90), rng)
        q = self.quota(
            city,
            splitter,
            Decimal("50000.00"),
            decided - timedelta(minutes=1),
            decided=decided,
            decided_by=None,
            rng=rng,
        )
        candidates = [k for k in self.offerings_for(city, self.today) if self.p.offerings[k]["unit"] == "项"]
        keys = []
        for n, fee in enumerate(("9600.00", "9850.00", "9900.00")):
            moment = _moment(starts + timedelta(days=100 + 9 * n), rng)
            keys.append(self.booking(q, candidates[n % len(candidates)], Decimal(fee), moment, rng=rng))
        self.p.stories["under_threshold"] = keys[-1]

    def plan_keqiao(self, rng: random.Random) -> None:
        """柯桥区's program: its bureau approves each quota; 越城区 is its partner; one provider takes most."""
        starts = _workday(self.today - timedelta(days=200))
        kq = self.reg.named_id("kq_staff", KEQIAO)
        program = self.program(
            KEQIAO,
            {
                "name": f"{starts.year}年柯桥区科技创新券",
                "year": starts.year,
                "starts_on": starts,
                "ends_on": starts + timedelta(days=364),
                "budget": Decimal("5000000.00"),
                "quota_per_application": Decimal("50000.00"),
                "annual_cap": Decimal("100000.00"),
                "copay_mode": CopayMode.MARGINAL.value,
                "copay_tiers": TIERS,
                "auto_approve": False,
                "categories": [T, M, A, D],
                "description": "面向柯桥区纺织、印染等传统产业企业，支持检验检测与工业设计；越城区的服务机构通用通兑。",
            },
            state=ProgramState.OPEN.value,
            created=_moment(starts - timedelta(days=15), rng),
            partners=(YUECHENG,),
        )
        self.partner_weight[program] = 1.5  # 越城 is next door
        own = [
            k
            for k in self.offerings_for(program, starts)
            if self.p.offerings[k]["region_id"].startswith(KEQIAO)
        ]
        dominant = self.p.offerings[own[0]]["provider_id"] if own else None
        pool = self._pool(starts, KEQIAO)
        people = rng.sample(pool, min(len(pool), max(12, min(45, len(pool) // 40))))
        last = self.today - timedelta(days=5)
        for n, org in enumerate(people):
            applied = _moment(starts + timedelta(days=rng.randrange(max(1, (last - starts).days))), rng)
            leading = n < 4  # the first applicants all went to the dominant provider, early in the year
            if leading:
                applied = _moment(starts + timedelta(days=rng.randrange(60)), rng)
            decided = _after(applied, rng, 1, 4)
            waiting = n >= len(people) - 2  # the latest applications wait for the bureau
            if waiting:
                applied = _moment(self.today - timedelta(days=rng.randint(1, 6)), rng)
            if n % 9 == 8 and not waiting:
                self.quota(
                    program,
                    org,
                    Decimal("30000.00"),
                    applied,
                    decided=decided,
                    decided_by=kq,
                    state=QuotaState.REJECTED,
                    reason="申领用途与本计划支持的服务类别不符",
                    rng=rng,
                )
                continue
            if waiting or decided > self.now:
                self.quota(
                    program,
                    org,
                    Decimal("20000.00"),
                    applied,
                    decided=None,
                    decided_by=None,
                    state=QuotaState.APPLIED,
                    rng=rng,
                )
                continue
            amount = Decimal(rng.choices(*zip(*KEQIAO_QUOTA_SIZES, strict=True))[0]) * WAN
            if leading:
                amount = Decimal(50000)
            key = self.quota(
                program, org, amount.quantize(CENT), applied, decided=decided, decided_by=kq, rng=rng
            )
            if (
                dominant is not None
                and (leading or n % 2 == 0)
                and decided.date() < self.today - timedelta(days=45)
            ):
                moment = _after(decided, rng, 3, 20)
                offering = self.offerings_of[dominant][n % len(self.offerings_of[dominant])]
                fee = Decimal(50000 if leading else rng.choice((30000, 40000, 50000))).quantize(CENT)
                self.booking(key, offering, fee, moment, rng=rng, confirm_in=(1, 5))
            else:
                self.use_quota(key, rng, last_booking=self.today)
        ent = self.reg.story.get("ent_demo")
        if ent is not None:
            applied = _moment(self.today - timedelta(days=2), rng)
            self.p.stories["ent_demo_keqiao_applied"] = self.quota(
                program,
                ent,
                Decimal("30000.00"),
                applied,
                decided=None,
                decided_by=None,
                state=QuotaState.APPLIED,
                rng=rng,
            )
        self.settle(
            program,
            [starts + timedelta(days=120), self.today - timedelta(days=10)],
            by=kq,
            reference=f"柯科拨〔{starts.year}〕{{n}}号",
            rng=rng,
        )


def _voucher_part(fee: Decimal, tiers: Sequence[Tier], mode: str) -> Decimal:
    """The arithmetic of amounts.split_fee (before the quota's balance limits it)."""
    if mode == CopayMode.MARGINAL:
        share = ZERO
        for index, tier in enumerate(tiers):
            if fee <= tier.start:
                break
            top = tiers[index + 1].start if index + 1 < len(tiers) else fee
            share += (min(fee, top) - tier.start) * tier.ratio
    else:
        ratio = tiers[0].ratio
        for tier in tiers:
            if fee >= tier.start:
                ratio = tier.ratio
        share = fee * ratio
    return share.quantize(CENT, ROUND_DOWN)


def _prefix(code: str) -> str:
    """The code prefix shared by a region and everything under it (城市 4 digits, county 6, town all)."""
    if len(code) == 6 and code.endswith("0000"):
        return code[:2]
    if len(code) == 6 and code.endswith("00"):
        return code[:4]
    return code


def plan(
    organizations: Sequence[DemoOrg],
    users: Sequence[DemoUser],
    *,
    seed: int = DEFAULT_SEED,
    today: date = PRESENT_DAY,
    details: dict[int, tuple[str, str]] | None = None,
) -> VoucherPlan:
    """Every record the vouchers demo writes for this registry (`details`: each organization's legal
    representative and address); no database involved."""
    planner = _Planner(_Registry(organizations, users), seed, today, details or {})
    planner.plan_providers()
    planner.plan_2019()
    planner.plan_present()
    planner.p.entries.sort(key=lambda e: e["created_at"])
    return planner.p


# --------------------------------------------------------------------------------------------
# Writing


def write(planned: VoucherPlan) -> dict[str, int]:
    """Write a plan (in the caller's transaction); how many rows of each kind."""
    from .models import (
        Booking,
        LedgerEntry,
        Offering,
        ProviderProfile,
        Quota,
        SettlementBatch,
        VoucherProgram,
    )

    insert(ProviderProfile, planned.profiles, {})
    offerings = insert(Offering, planned.offerings, {})
    programs = insert(VoucherProgram, planned.programs, {})
    through = VoucherProgram.partner_regions.through
    through.objects.bulk_create(
        [through(voucherprogram_id=programs[key], region_id=code) for key, code in planned.partners]
    )
    quotas = insert(Quota, planned.quotas, {"_program": ("program_id", programs)})
    batches = insert(SettlementBatch, planned.batches, {"_program": ("program_id", programs)})
    bookings = insert(
        Booking,
        planned.bookings,
        {
            "_quota": ("quota_id", quotas),
            "_offering": ("offering_id", offerings),
            "_batch": ("batch_id", batches),
        },
    )
    refs = {
        "_program": ("program_id", programs),
        "_quota": ("quota_id", quotas),
        "_booking": ("booking_id", bookings),
        "_batch": ("batch_id", batches),
    }
    insert(LedgerEntry, planned.entries, refs)
    return {name: len(rows) for name, rows in planned.tables().items()}


def seeded() -> bool:
    """True when the calibration year's program is there (the demo was written)."""
    from .models import VoucherProgram

    return VoucherProgram.objects.filter(region_id=CITY, year=CALIBRATION_YEAR).exists()


def organization_details(ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    from kechuang.organizations.models import Organization

    return {
        pk: (rep or "", address or "")
        for pk, rep, address in Organization.objects.filter(pk__in=ids)
        .values_list("pk", "legal_representative", "address")
        .iterator(chunk_size=2000)
    }


def check_fraud(program_ids: Sequence[int]) -> int:
    """Run the fraud checks over the bookings of `program_ids`, as the services would have; flags raised."""
    from .fraud import REDEEMED_STATES, check_booking, check_provider
    from .models import Booking, Flag

    before = Flag.objects.count()
    # The latest booking of each enterprise with each provider: every pair is compared once, and the bookings
    # under a threshold are counted with the enterprise's last one (checking every booking finds the same).
    latest = {
        (program, enterprise, provider): pk
        for program, enterprise, provider, pk in Booking.objects.filter(quota__program_id__in=program_ids)
        .order_by("created_at", "pk")
        .values_list("quota__program_id", "quota__organization_id", "provider_id", "pk")
    }
    for booking in (
        Booking.objects.filter(pk__in=sorted(latest.values()))
        .select_related("quota__program", "quota__organization", "provider")
        .order_by("created_at", "pk")
    ):
        check_booking(booking)
    for provider_id, program_id in (
        Booking.objects.filter(quota__program_id__in=program_ids, state__in=REDEEMED_STATES)
        .order_by("provider_id", "quota__program_id")
        .values_list("provider_id", "quota__program_id")
        .distinct()
    ):
        check_provider(provider_id, program_id=program_id)
    return Flag.objects.count() - before


@dataclass
class SeedResult:
    created: dict[str, int] = field(default_factory=dict)
    skipped: bool = False
    calibrated: bool = True
    flags: int = 0
    figures: dict[str, Decimal] = field(default_factory=dict)  # CITY's CALIBRATION_YEAR, computed after
    seconds: float = 0.0


def seed(
    *,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    log: Callable[[str], None] = print,
) -> SeedResult:
    """Write the vouchers demo for the demo city once (a second run adds nothing)."""
    from django.db import transaction
    from django.utils import timezone

    from .figures import calibration_figures
    from .models import VoucherProgram

    started = time.monotonic()
    result = SeedResult()
    organizations, users = demo_registry()
    if not any(in_city(o.region_code) and o.kind == "enterprise" for o in organizations) or not any(
        in_city(o.region_code) and o.kind == "provider" for o in organizations
    ):
        result.skipped = True
        log("没有演示城市的企业和服务机构，跳过创新券演示数据")
        return result
    if seeded():
        result.skipped = True
        result.seconds = time.monotonic() - started
        log("创新券演示数据已存在，跳过")
        return result
    planned = plan(
        organizations,
        users,
        seed=seed,
        today=today or timezone.localdate(),
        details=organization_details([o.id for o in organizations]),
    )
    with transaction.atomic():
        result.created = write(planned)
        present = VoucherProgram.objects.filter(state=ProgramState.OPEN, region_id__in=(CITY, KEQIAO))
        result.flags = check_fraud(list(present.values_list("pk", flat=True)))
    result.calibrated = planned.calibrated
    result.figures = calibration_figures(CITY, CALIBRATION_YEAR)
    result.seconds = time.monotonic() - started
    created = result.created
    shown = "，".join(f"{label} {value}万元" for label, value in result.figures.items())
    log(
        f"创新券演示数据：{len(planned.programs)} 个计划、{created['profiles']} 家服务机构、"
        f"{created['offerings']} 个服务项目与仪器、{created['quotas']} 笔额度、{created['bookings']} 笔使用、"
        f"{created['entries']} 条台账记录、{result.flags} 条风险提示"
        f"（用时 {result.seconds:.1f} 秒）；{CALIBRATION_YEAR}年：{shown}"
        + ("" if planned.calibrated else "（单位数量不足，按比例缩小）")
    )
    return result
