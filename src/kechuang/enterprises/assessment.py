"""高新技术企业 (hnte), 科技型中小企业 (tsme) and 研发费用加计扣除 (super deduction) rules as pure functions.

Plain Python: no Django, no database, no translations. The messages are the Chinese sentences the
page shows; `Check.code`, `Check.passed` and the figures stay machine-readable for lists and the API.
The rules are those of docs rules.md §1–§3; each rule's source (document and article) is in the
ruleset's `cite` table and so in every `Check.rule`.

Invariants of every result:

* a threshold comparison is exact (Decimal arithmetic in an 80-digit context, never float) and uses
  the boundary the rule states: ≥ for "不低于", ≤ for "不超过", > for "以上（不含）";
* thresholds are parameters of a ruleset versioned by period (`HNTE_RULESETS`, `TSME_RULESETS`,
  `SD_RULESETS`); an assessment records the code of the ruleset in force on its date;
* `Check.passed` is None when the data cannot decide (a figure is missing, or experts decide);
* `Assessment.eligible` is False when a required check failed, None when none failed but one is
  undecided, True only when every required check passed; `Assessment.missing` lists the gap of
  every required check that did not pass, in check order.

Shortfalls ("还差…") hold the denominator fixed: the extra R&D needed at the same sales revenue, the
extra 科技人员 at the same 职工总数 (staff moved into R&D, rounded up), the extra high-tech income at
the same 总收入. This is the simplest honest reading — a new hire or new income also grows the
denominator, so the real need is a little larger; the message says "约". Amounts are rounded up to
the 0.01万元 shown. Other figures are shown rounded half up (万元 and percentages to two decimals).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Context, Decimal, localcontext
from functools import cache
from types import MappingProxyType, SimpleNamespace
from typing import Generic, TypeVar

_ZERO = Decimal("0")
_CENT = Decimal("0.01")
_HUNDRED = Decimal("100")
_WAN = Decimal("10000")
_YI = Decimal("100000000")
# Products for threshold comparisons (threshold × denominator) are computed in a wide context so
# that they are exact for any realistic figure (the default context keeps only 28 digits).
_EXACT = Context(prec=80)


# ---------------------------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True)
class YearData:
    """One fiscal year of one enterprise (企业年度数据); amounts in yuan, staff as 全年月平均数.

    IP counts are the valid IP the enterprise owns at the end of the year (a stock, not the year's
    grants); `achievements_transformed` is the year's count (a flow).
    """

    year: int
    total_income: Decimal | None = None  # 收入总额
    non_taxable_income: Decimal = _ZERO  # 不征税收入
    investment_income: Decimal = _ZERO  # 投资收益 (股息红利 + 股权转让所得)
    main_revenue: Decimal | None = None  # 主营业务收入
    other_revenue: Decimal = _ZERO  # 其他业务收入
    hitech_revenue: Decimal | None = None  # 高新技术产品（服务）收入 (incl. 技术性收入)
    cost_total: Decimal | None = None  # 成本费用支出总额 (科小 option 2)
    # R&D, 高企口径 (工作指引 8 categories), actual amounts
    hnte_rd_personnel: Decimal = _ZERO
    hnte_rd_direct: Decimal = _ZERO
    hnte_rd_depreciation: Decimal = _ZERO
    hnte_rd_amortization: Decimal = _ZERO
    hnte_rd_design: Decimal = _ZERO
    hnte_rd_trial: Decimal = _ZERO
    hnte_rd_commissioned_domestic: Decimal = _ZERO  # actual amount paid; counts 80%
    hnte_rd_commissioned_foreign: Decimal = _ZERO  # actual amount paid abroad; counts 80%, not 境内
    hnte_rd_other: Decimal = _ZERO  # 其他费用, capped at 20% of total
    # R&D, 加计扣除口径 (财税〔2015〕119号), actual amounts, 费用化 part
    sd_rd_personnel: Decimal = _ZERO
    sd_rd_direct: Decimal = _ZERO
    sd_rd_depreciation: Decimal = _ZERO
    sd_rd_amortization: Decimal = _ZERO
    sd_rd_design: Decimal = _ZERO
    sd_rd_other: Decimal = _ZERO  # 其他相关费用, capped 10%/(1-10%) of the five
    sd_rd_commissioned_domestic: Decimal = _ZERO  # actual paid, counts 80%
    sd_rd_commissioned_foreign: Decimal = _ZERO  # paid to foreign organisations; 80%, ≤ 2/3 of domestic
    sd_capitalized_amortization: Decimal = _ZERO  # book amortisation of R&D intangibles (tax: 200%/220%)
    staff_total: Decimal | None = None  # 职工总数 (全年月平均数, 高企口径)
    st_staff: Decimal | None = None  # 科技人员 (高企口径, ≥183 days)
    tsme_staff_total: Decimal | None = None  # 科小口径 (≥6 months); None → use staff_total
    tsme_st_staff: Decimal | None = None  # None → use st_staff
    net_assets: Decimal | None = None  # 净资产 at year end
    total_assets: Decimal | None = None  # 资产总额 at year end
    ip_invention: int = 0  # Ⅰ类: 发明专利
    ip_other_class1: int = 0  # Ⅰ类: 植物新品种、新药、布图设计…
    ip_utility_model: int = 0  # Ⅱ类
    ip_design: int = 0  # Ⅱ类
    ip_software: int = 0  # Ⅱ类
    ip_class2_used_before: int = 0  # Ⅱ类 already used in an earlier 高企 application (usable once)
    achievements_transformed: int = 0  # 科技成果转化 count in this year
    has_major_incident: bool = False  # 重大安全/质量事故或严重环境违法 in this year
    enhanced_rate: bool = False  # 集成电路/工业母机企业 (120%/220%, 2023年第44号, to 2027-12-31)

    @classmethod
    def of(cls, values: Mapping[str, object]) -> YearData:
        """The same as YearData(**values), about seven times faster, for batches.

        A frozen dataclass's __init__ sets each of the 45 fields through object.__setattr__; this
        fills the instance dict in one step. Unknown names raise TypeError, as the constructor would.
        """
        if "year" not in values:
            raise TypeError("YearData.of() needs 'year'")
        unknown = values.keys() - _YEAR_FIELDS
        if unknown:
            raise TypeError(f"YearData.of() got unexpected fields: {', '.join(sorted(unknown))}")
        obj = object.__new__(cls)
        object.__setattr__(obj, "__dict__", {**_YEAR_DEFAULTS, **values})
        return obj

    @classmethod
    def from_row(cls, row: Sequence) -> YearData:
        """The same as YearData(*row), about three times faster, for batches reading database rows.

        `row` holds every field in the dataclass's order (as `dataclasses.fields(YearData)`). Filling the
        instance dict directly skips the 45 object.__setattr__ calls of the frozen __init__; the value is
        the same frozen dataclass (equality, hash, repr). A row of another length goes to the constructor,
        which fills defaults or raises TypeError.
        """
        if len(row) != len(_YEAR_NAMES):
            return cls(*row)
        obj = object.__new__(cls)
        obj.__dict__.update(zip(_YEAR_NAMES, row, strict=True))
        return obj


_YEAR_NAMES = tuple(f.name for f in fields(YearData))
_YEAR_DEFAULTS = {f.name: f.default for f in fields(YearData) if f.name != "year"}
_YEAR_FIELDS = frozenset(_YEAR_NAMES)


@dataclass(frozen=True)
class EnterpriseFacts:
    """What the registry knows about an enterprise besides its yearly figures."""

    founded_on: date | None
    tech_field: str  # one of HNTE_FIELDS, or "" if unknown
    industry: str  # GB/T 4754 section letter, "" if unknown
    is_resident_in_mainland: bool = True
    valid_hnte: bool = False  # holds a 高企 certificate valid on the assessment date
    provincial_rd_institution: bool = False  # 省部级以上研发机构
    national_award_top3: bool = False  # 近五年国家级科技奖励前三
    led_standard: bool = False  # 近五年主导制定标准
    abnormal_listed: bool = False  # 经营异常名录/严重违法失信名单
    integrity_breach: bool = False  # 科研严重失信


# ---------------------------------------------------------------------------------------------
# Outputs
#
# The nightly batch judges 100,000 enterprises, so making an assessment is kept cheap:
#
# * results are plain slotted objects, not frozen dataclasses (a frozen dataclass's __init__ sets every
#   field through object.__setattr__ and costs about eight times as much);
# * Check and ScorePart format their text only when it is read: the batch stores just the code of a
#   passed check and none of the scores' reasoning, and formatting that text (万元 amounts,
#   percentages, sentences) was most of the cost of an assessment;
# * what depends on the ruleset alone (labels, thresholds, the checks and score items that are the
#   same for every enterprise) is made once per ruleset and shared between results.
#
# So treat results as read-only values.


class _Record:
    """Equality, repr and pickling over `_FIELDS`, as the dataclasses Check and ScorePart used to be."""

    __slots__ = ()
    _FIELDS: tuple[str, ...] = ()
    __hash__ = None  # mutable, like a dataclass with eq=True

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self._FIELDS)

    def __eq__(self, other):
        if other.__class__ is self.__class__:
            return self._values() == other._values()
        return NotImplemented

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}({', '.join(f'{n}={getattr(self, n)!r}' for n in self._FIELDS)})"

    def __reduce__(self):
        return self.__class__, self._values()  # a copy or pickle gets the text formatted


class Check(_Record):
    """One condition of a qualification, judged for one enterprise; a row of the page's table.

    The rule engine may give `figure`, `message` and `gap` as `_later` = (function, *arguments), a call
    that returns the three (`_Row.later`); they are then formatted on first read and kept.
    """

    __slots__ = ("code", "rule", "label", "passed", "threshold", "required", "_text", "_later")
    _FIELDS = ("code", "rule", "label", "passed", "figure", "threshold", "message", "gap", "required")
    __match_args__ = _FIELDS

    code: str  # stable id, e.g. "hnte.rd_ratio"
    rule: str  # citation shown to the user, e.g. "国科发火〔2016〕32号 第十一条（五）"
    label: str  # Chinese name of the condition
    passed: bool | None  # None = cannot judge (data missing or needs human judgement)
    threshold: str  # the requirement ("≥4%（最近一年销售收入5000万元至2亿元（含））")
    required: bool  # False: shown for information only, another route decides (科小 第八条)

    def __init__(
        self,
        code: str,
        rule: str,
        label: str,
        passed: bool | None,
        figure: str,
        threshold: str,
        message: str,
        gap: str = "",
        required: bool = True,
    ):
        self.code = code
        self.rule = rule
        self.label = label
        self.passed = passed
        self.threshold = threshold
        self.required = required
        self._text = (figure, message, gap)
        self._later = None

    def _texts(self) -> tuple[str, str, str]:
        later = self._later
        if later is not None:  # not formatted yet
            self._text = later[0](*later[1:])
            self._later = None
        return self._text

    @property
    def figure(self) -> str:
        """The enterprise's figure, formatted ("3.20%", "4,000.00万元", "20人")."""
        return self._texts()[0]

    @property
    def message(self) -> str:
        """Plain Chinese with numbers; for a failing check what is missing."""
        return self._texts()[1]

    @property
    def gap(self) -> str:
        """One line for the "还差什么" list; "" when passed."""
        return self._texts()[2]


class ScorePart(_Record):
    """One part (or sub-item) of a score, as a range of points: low == high when the data decides it.

    The rule engine may give `basis` as `_later` = (function, *arguments), a call that returns it
    (`_part`); it is then formatted on first read and kept.
    """

    __slots__ = (
        "code",
        "label",
        "max_points",
        "low",
        "high",
        "band",
        "_basis",
        "expert",
        "review",
        "choice",
        "items",
        "_later",
    )
    _FIELDS = (
        "code",
        "label",
        "max_points",
        "low",
        "high",
        "band",
        "basis",
        "expert",
        "review",
        "choice",
        "items",
    )
    __match_args__ = _FIELDS

    code: str  # e.g. "hnte.growth.sales"
    label: str
    max_points: int
    low: int
    high: int
    band: str  # "A"…"F" where the rule bands the figure
    expert: bool  # True: experts score it; the platform only narrows the range
    review: str  # why a person must look at it ("" if no reason)
    choice: str  # 科小 研发投入: "sales" (方式一) or "cost" (方式二), the option used
    items: tuple[ScorePart, ...]

    def __init__(
        self,
        code: str,
        label: str,
        max_points: int,
        low: int,
        high: int,
        band: str = "",
        basis: str = "",
        expert: bool = False,
        review: str = "",
        choice: str = "",
        items: tuple[ScorePart, ...] = (),
    ):
        self.code = code
        self.label = label
        self.max_points = max_points
        self.low = low
        self.high = high
        self.band = band
        self._basis = basis
        self._later = None
        self.expert = expert
        self.review = review
        self.choice = choice
        self.items = items

    @property
    def basis(self) -> str:
        """How the range was found, in Chinese, with the figure."""
        later = self._later
        if later is not None:  # not formatted yet
            self._basis = later[0](*later[1:])
            self._later = None
        return self._basis


_new = object.__new__


def _part(
    code: str,
    label: str,
    max_points: int,
    low: int,
    high: int,
    band: str = "",
    basis: str = "",
    expert: bool = False,
    review: str = "",
    choice: str = "",
    items: tuple[ScorePart, ...] = (),
    later: tuple | None = None,
) -> ScorePart:
    """ScorePart(...), or with the basis given as `later` = (function, *arguments), formatted when read
    (the batch never reads it). Filled slot by slot: calling the class costs as much again (its __init__
    is a second frame)."""
    part = _new(ScorePart)
    part.code = code
    part.label = label
    part.max_points = max_points
    part.low = low
    part.high = high
    part.band = band
    part._basis = basis
    part._later = later
    part.expert = expert
    part.review = review
    part.choice = choice
    part.items = items
    return part


@dataclass(slots=True)
class Score:
    """A total score as a range; `value` is set when it is decided (科小 with full data, 高企 with the expert score)."""

    low: int
    high: int
    estimate: Decimal  # the midpoint of the range (or the value), for ranking
    value: Decimal | None
    pass_mark: str  # ">70分（不含70分）", "≥60分"
    parts: list[ScorePart]


@dataclass(slots=True)
class Assessment:
    """The judgement of one enterprise for one qualification on one date, under one ruleset."""

    kind: str  # "hnte" | "tsme"
    ruleset: str  # code of the ruleset applied, e.g. "hnte-2016"
    source: str  # its documents
    on: date  # the application / evaluation date
    reference_year: int  # the latest fiscal year judged
    years: list[int]  # the fiscal years the multi-year conditions used (高企: 近三个会计年度)
    checks: list[Check]
    score: Score
    eligible: bool | None
    missing: list[str]  # the "还差什么" list: one gap per required check that did not pass
    route: str = ""  # 科小: "direct" (第八条, no score needed) or "score" (第七条)
    notes: list[str] = field(default_factory=list)  # remarks that are not checks (items to review …)

    @property
    def estimate(self) -> Decimal:
        """The score used for ranking (the midpoint of the range when experts still have to score)."""
        return self.score.estimate

    @property
    def failed(self) -> int:
        return sum(1 for c in self.checks if c.required and c.passed is False)

    @property
    def undetermined(self) -> int:
        return sum(1 for c in self.checks if c.required and c.passed is None)

    def as_dict(self) -> dict:
        """A JSON-ready copy (Decimals and dates as strings), for storing the full result."""
        return _plain(self)


# ---------------------------------------------------------------------------------------------
# Rulesets

P = TypeVar("P")


@dataclass(frozen=True)
class Ruleset(Generic[P]):
    """The parameters of one regime in force from `valid_from` to `valid_to` (inclusive; None = open)."""

    code: str
    source: str
    valid_from: date
    params: P
    valid_to: date | None = None


class RulesetNotFound(LookupError):
    """No ruleset is in force on the date asked for; the message is Chinese and can be shown as it is."""


def ruleset_for(rulesets: Sequence[Ruleset[P]], on: date) -> Ruleset[P]:
    """The ruleset in force on `on` (the latest `valid_from` among those covering the date)."""
    best = None
    for r in rulesets:
        if r.valid_from <= on and (r.valid_to is None or on <= r.valid_to):
            if best is None or r.valid_from > best.valid_from:
                best = r
    if best is None:
        names = "、".join(f"{r.code}（自{_date(r.valid_from)}起）" for r in rulesets)
        raise RulesetNotFound(f"{_date(on)}没有适用的规则版本；已收录：{names}")
    return best


@dataclass(frozen=True)
class Band:
    """A scoring band: the figure qualifies when it is ≥ `at_least` (> when `strict`)."""

    at_least: Decimal
    letter: str
    low: int
    high: int
    strict: bool = False


_NONE_E = Band(_ZERO, "E", 0, 0)  # 知识产权数量: 0项
_NONE_F = Band(_ZERO, "F", 0, 0)  # below every band


@dataclass(frozen=True)
class RdBand:
    """高企 R&D intensity threshold for enterprises whose latest 销售收入 is ≤ `up_to` (None = no bound)."""

    up_to: Decimal | None
    rate: Decimal
    threshold: str  # shown in the table
    phrase: str  # used in the message: "低于{phrase}{rate}的要求"


@dataclass(frozen=True)
class HnteParams:
    """高企 thresholds (国科发火〔2016〕32号 第十一条; 工作指引 国科发火〔2016〕195号 三)."""

    min_days: int  # 注册成立一年以上 = ≥365 calendar days
    st_staff_min: Decimal  # 科技人员 / 职工总数 ≥
    rd_bands: tuple[RdBand, ...]
    rd_domestic_min: Decimal  # 境内研发费用 / 研发费用 ≥
    hitech_min: Decimal  # 高新收入 / 总收入 ≥
    innovation_pass: Decimal  # score must be > this
    commissioned_share: Decimal  # 委托外部研发 counts this share of the amount paid
    other_share: Decimal  # 其他费用 ≤ this share of total R&D
    fields: Mapping[str, str]
    ip_max: int
    achievement_max: int
    org_max: int
    growth_item_max: int
    ip_item_max: tuple[int, int, int, int, int]  # (1) 先进程度 (2) 核心支持 (3) 数量 (4) 获得方式 (5) 加分
    ip_class1_band: Band  # item (3): ≥1 Ⅰ类
    ip_class2_bands: tuple[Band, ...]  # item (3): Ⅱ类 counts
    ip_acquisition: tuple[int, int]  # item (4) when IP exists and the way is unknown (自主研发 1–6)
    ip_bonus_yes: tuple[int, int]  # item (5) when the enterprise led a standard
    achievement_bands: tuple[Band, ...]
    growth_bands: tuple[Band, ...]
    growth_review_rate: Decimal  # main text "≥5%" vs 附件4 "＞5%": flag this exact rate
    cite: Mapping[str, str]


@dataclass(frozen=True)
class TsmeParams:
    """科小 thresholds (国科发政〔2017〕115号 第六条～第九条)."""

    max_staff: Decimal
    max_revenue: Decimal
    max_assets: Decimal
    pass_score: Decimal  # ≥
    st_bands: tuple[Band, ...]  # 科技人员 / 职工总数; low == high == points
    rd_sales_bands: tuple[Band, ...]  # 方式一: 研发费用 / 销售收入
    rd_cost_bands: tuple[Band, ...]  # 方式二: 研发费用 / 成本费用支出总额
    ip_class1_points: int
    ip_class2_bands: tuple[Band, ...]
    st_max: int
    rd_max: int
    ip_max: int
    sd_other_rate: Decimal  # R&D per 财税〔2015〕119号 口径 (第九条)
    sd_commissioned_share: Decimal
    sd_foreign_cap: tuple[int, int]
    cite: Mapping[str, str]


@dataclass(frozen=True)
class SdParams:
    """加计扣除 rates and caps (财税〔2015〕119号; 2021年第28号; 2023年第7号; 2023年第44号)."""

    rate: Decimal  # extra deduction on 费用化 R&D
    enhanced_rate: Decimal  # 集成电路/工业母机企业
    enhanced_until: date
    other_rate: Decimal  # 其他相关费用 ≤ five × rate ÷ (1 − rate)
    commissioned_share: Decimal
    foreign_cap: tuple[int, int]  # 委托境外 ≤ 2/3 of eligible domestic R&D (财税〔2018〕64号)
    negative_list_share: Decimal  # negative-list income > this share → excluded (2015年第97号)
    cite: Mapping[str, str]


_WAN_5000 = Decimal("50000000")
_YI_2 = Decimal("200000000")

HNTE_FIELDS: Mapping[str, str] = MappingProxyType(
    {  # 《国家重点支持的高新技术领域》 first-level names (32号 附件)
        "electronic_information": "电子信息",
        "bio_medicine": "生物与新医药",
        "aerospace": "航空航天",
        "new_materials": "新材料",
        "high_tech_services": "高技术服务",
        "new_energy": "新能源与节能",
        "resources_environment": "资源与环境",
        "advanced_manufacturing": "先进制造与自动化",
    }
)

_HNTE_32 = "国科发火〔2016〕32号"
_HNTE_195 = "工作指引（国科发火〔2016〕195号）"

HNTE_2016 = HnteParams(
    min_days=365,
    st_staff_min=Decimal("0.10"),
    rd_bands=(
        RdBand(
            _WAN_5000,
            Decimal("0.05"),
            "≥5%（最近一年销售收入5000万元（含）以下）",
            "销售收入5000万元（含）以下企业",
        ),
        RdBand(
            _YI_2,
            Decimal("0.04"),
            "≥4%（最近一年销售收入5000万元至2亿元（含））",
            "销售收入5000万至2亿元企业",
        ),
        RdBand(None, Decimal("0.03"), "≥3%（最近一年销售收入2亿元以上）", "销售收入2亿元以上企业"),
    ),
    rd_domestic_min=Decimal("0.60"),
    hitech_min=Decimal("0.60"),
    innovation_pass=Decimal("70"),
    commissioned_share=Decimal("0.8"),
    other_share=Decimal("0.2"),
    fields=HNTE_FIELDS,
    ip_max=30,
    achievement_max=30,
    org_max=20,
    growth_item_max=10,
    ip_item_max=(8, 8, 8, 6, 2),
    ip_class1_band=Band(Decimal("1"), "A", 7, 8),
    ip_class2_bands=(
        Band(Decimal("5"), "B", 5, 6),
        Band(Decimal("3"), "C", 3, 4),
        Band(Decimal("1"), "D", 1, 2),
    ),
    ip_acquisition=(1, 6),
    ip_bonus_yes=(1, 2),
    achievement_bands=(
        Band(Decimal("5"), "A", 25, 30),
        Band(Decimal("4"), "B", 19, 24),
        Band(Decimal("3"), "C", 13, 18),
        Band(Decimal("2"), "D", 7, 12),
        Band(Decimal("1"), "E", 1, 6),
    ),
    growth_bands=(
        Band(Decimal("0.35"), "A", 9, 10),
        Band(Decimal("0.25"), "B", 7, 8),
        Band(Decimal("0.15"), "C", 5, 6),
        Band(Decimal("0.05"), "D", 3, 4),
        Band(_ZERO, "E", 1, 2, strict=True),
    ),
    growth_review_rate=Decimal("0.05"),
    cite=MappingProxyType(
        {
            "hnte.resident": f"{_HNTE_32} 第二条",
            "hnte.registration": f"{_HNTE_32} 第十一条（一）；{_HNTE_195} 三（一）",
            "hnte.ip": f"{_HNTE_32} 第十一条（二）；{_HNTE_195} 三（二）",
            "hnte.tech_field": f"{_HNTE_32} 第十一条（三）",
            "hnte.st_staff": f"{_HNTE_32} 第十一条（四）；{_HNTE_195} 三（四）",
            "hnte.rd_ratio": f"{_HNTE_32} 第十一条（五）；{_HNTE_195} 三（五）",
            "hnte.rd_domestic": f"{_HNTE_32} 第十一条（五）；{_HNTE_195} 三（五）",
            "hnte.hitech_income": f"{_HNTE_32} 第十一条（六）；{_HNTE_195} 三（六）",
            "hnte.innovation": f"{_HNTE_32} 第十一条（七）；{_HNTE_195} 三（七）",
            "hnte.no_incident": f"{_HNTE_32} 第十一条（八）；{_HNTE_195} 五（六）",
        }
    ),
)

HNTE_RULESETS: list[Ruleset[HnteParams]] = [
    # The 2008 rules (国科发火〔2008〕172号) are deliberately absent (rules.md §1.1).
    Ruleset("hnte-2016", "国科发火〔2016〕32号、国科发火〔2016〕195号", date(2016, 1, 1), HNTE_2016),
]

_TSME_115 = "国科发政〔2017〕115号"


def _points(*rows: tuple[str, int]) -> tuple[Band, ...]:
    return tuple(Band(Decimal(at), "", pts, pts) for at, pts in rows)


TSME_2017 = TsmeParams(
    max_staff=Decimal("500"),
    max_revenue=_YI_2,
    max_assets=_YI_2,
    pass_score=Decimal("60"),
    # 第七条: "x%(含)–y%" bands, lower bound inclusive, upper exclusive
    st_bands=_points(("0.30", 20), ("0.25", 16), ("0.20", 12), ("0.15", 8), ("0.10", 4)),
    rd_sales_bands=_points(("0.06", 50), ("0.05", 40), ("0.04", 30), ("0.03", 20), ("0.02", 10)),
    rd_cost_bands=_points(("0.30", 50), ("0.25", 40), ("0.20", 30), ("0.15", 20), ("0.10", 10)),
    ip_class1_points=30,
    ip_class2_bands=_points(("4", 24), ("3", 18), ("2", 12), ("1", 6)),
    st_max=20,
    rd_max=50,
    ip_max=30,
    sd_other_rate=Decimal("0.1"),
    sd_commissioned_share=Decimal("0.8"),
    sd_foreign_cap=(2, 3),
    cite=MappingProxyType(
        {
            "tsme.resident": f"{_TSME_115} 第六条（一）",
            "tsme.staff_total": f"{_TSME_115} 第六条（二）",
            "tsme.revenue": f"{_TSME_115} 第六条（二）",
            "tsme.assets": f"{_TSME_115} 第六条（二）",
            "tsme.no_violation": f"{_TSME_115} 第六条（四）",
            "tsme.direct": f"{_TSME_115} 第八条",
            "tsme.st_staff": f"{_TSME_115} 第六条（五）、第七条（一）",
            "tsme.score": f"{_TSME_115} 第六条（五）、第七条",
        }
    ),
)

TSME_RULESETS: list[Ruleset[TsmeParams]] = [
    # 国科火字〔2022〕67号 and the MIIT notices (2024–) changed the procedure, not the conditions or the table.
    Ruleset("tsme-2017", "国科发政〔2017〕115号；国科火字〔2022〕67号", date(2017, 5, 3), TSME_2017),
]

SD_2023 = SdParams(
    rate=Decimal("1.00"),  # 2023年第7号 一
    enhanced_rate=Decimal("1.20"),  # 2023年第44号 一
    enhanced_until=date(2027, 12, 31),  # 2023年第44号 三
    other_rate=Decimal("0.1"),  # 2021年第28号 三
    commissioned_share=Decimal("0.8"),  # 财税〔2015〕119号 二（二）; 财税〔2018〕64号
    foreign_cap=(2, 3),  # 财税〔2018〕64号 一
    negative_list_share=Decimal("0.5"),  # 国家税务总局公告2015年第97号 四
    cite=MappingProxyType(
        {
            "rate": "财政部 税务总局公告2023年第7号 一",
            "enhanced": "财政部 税务总局 国家发展改革委 工业和信息化部公告2023年第44号",
            "other_cap": "国家税务总局公告2021年第28号 三",
            "commissioned": "财税〔2015〕119号 二（二）",
            "foreign": "财税〔2018〕64号 一",
            "negative_list": "财税〔2015〕119号 四；国家税务总局公告2015年第97号 四",
        }
    ),
)

SD_RULESETS: list[Ruleset[SdParams]] = [
    # Years before 2023 (75%/100% by industry and quarter, 2018–2022) are not supported: ruleset_for
    # raises RulesetNotFound, so an old year is never judged by today's rates.
    Ruleset(
        "sd-2023",
        "财政部 税务总局公告2023年第7号、2023年第44号；财税〔2015〕119号；国家税务总局公告2021年第28号",
        date(2023, 1, 1),
        SD_2023,
    ),
]


# ---------------------------------------------------------------------------------------------
# Formatting (messages show 万元 and percentages with two decimals, rounded half up)


def _wan(yuan: Decimal) -> str:
    return f"{yuan.scaleb(-4).quantize(_CENT, ROUND_HALF_UP):,}万元"


def _wan_up(yuan: Decimal) -> str:
    """A shortfall, rounded up to the 0.01万元 shown, so a failing figure never reads "还差0.00万元"."""
    return f"{yuan.scaleb(-4).quantize(_CENT, ROUND_CEILING):,}万元"


def _pct(num: Decimal, den: Decimal) -> str:
    return f"{(num * _HUNDRED / den).quantize(_CENT, ROUND_HALF_UP)}%"


@cache
def _rate(rate: Decimal) -> str:
    """A threshold as the rule writes it: 0.04 → "4%", 0.045 → "4.5%"."""
    return f"{_num(rate * _HUNDRED)}%"


def _num(value: Decimal | int) -> str:
    """A count without useless decimals: 20 → "20", 19.5 → "19.5", 4.666… → "4.67"."""
    if value.__class__ is int:
        return str(value)
    text = str(value.quantize(_CENT, ROUND_HALF_UP))  # never in exponent form at two decimals
    if text[-1] != "0":
        return text
    return text[:-3] if text[-2] == "0" else text[:-1]


_const = cache(_num)  # for thresholds, which repeat


@cache
def _yi(yuan: Decimal) -> str:
    """A round limit in 亿元 (2亿元), anything else in 万元."""
    q, r = divmod(yuan, _YI)
    return f"{q}亿元" if r == 0 else _wan(yuan)


def _pts(low: int, high: int) -> str:
    return f"{low}分" if low == high else f"{low}–{high}分"


def _people(value: Decimal) -> str:
    return f"{_num(value)}人"


def _date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _years_text(years: Sequence[int]) -> str:
    return "、".join(f"{y}年" for y in years)


def _span(years: Sequence[int]) -> str:
    return f"{years[0]}–{years[-1]}年" if len(years) > 1 else f"{years[0]}年"


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, _Record):
        return {name: _plain(getattr(value, name)) for name in value._FIELDS}
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    return value


# ---------------------------------------------------------------------------------------------
# Exact arithmetic helpers


def _at_least(num: Decimal, den: Decimal, rate: Decimal) -> bool:
    """num / den ≥ rate, exactly (den > 0)."""
    return num >= _EXACT.multiply(rate, den)


def _ratio_band(num: Decimal, den: Decimal, bands: Sequence[Band]) -> Band | None:
    """The first band whose threshold num / den reaches (den > 0); None below the last band.

    Bands are ordered best first with falling thresholds, so once one is reached every later one is: a
    binary search needs at most three exact products for five bands, where a scan needs up to five.
    """
    multiply = _EXACT.multiply
    lo, hi = 0, len(bands)  # the answer's index is in [lo, hi]; len(bands) stands for None
    while lo < hi:
        mid = (lo + hi) // 2
        b = bands[mid]
        product = multiply(b.at_least, den)
        if num > product if b.strict else num >= product:
            hi = mid
        else:
            lo = mid + 1
    return bands[lo] if lo < len(bands) else None


def _value_band(value: Decimal, bands: Sequence[Band]) -> Band | None:
    for b in bands:
        if value > b.at_least if b.strict else value >= b.at_least:
            return b
    return None


def _ceil(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding=ROUND_CEILING)


def _assessment(
    kind: str,
    rs: Ruleset,
    on: date,
    reference_year: int,
    years: list[int],
    checks: list[Check],
    score: Score,
    notes: list[str],
    route: str = "",
) -> Assessment:
    """The Assessment of `checks`: eligible, and missing (the gap of each required check that did not pass)."""
    eligible: bool | None = True
    missing = []
    for c in checks:
        if c.passed is not True and c.required:
            missing.append(c.gap)
            if c.passed is False:
                eligible = False
            elif eligible:
                eligible = None
    # positional: the dataclass's __init__ called with keywords costs twice as much
    return Assessment(
        kind, rs.code, rs.source, on, reference_year, years, checks, score, eligible, missing, route, notes
    )


def _sales(y: YearData) -> Decimal | None:
    """销售收入 = 主营业务收入 + 其他业务收入 (工作指引 三（五）; 115号 第九条)."""
    return None if y.main_revenue is None else y.main_revenue + y.other_revenue


# ---------------------------------------------------------------------------------------------
# R&D expense per 口径


@dataclass(slots=True)
class HnteRd:
    """One year's R&D expense, 高企口径 (工作指引 三（五）): 委托 at 80%, 其他费用 ≤ 20% of the total."""

    year: int
    commissioned_domestic: Decimal  # counted: 80% of the amount paid
    commissioned_foreign: Decimal  # counted: 80% of the amount paid; not 境内
    before_other: Decimal  # the seven categories other than 其他费用, 委托 counted at 80%
    other_actual: Decimal
    other_cap: Decimal  # before_other × 20% ÷ (1 − 20%)
    other_allowed: Decimal
    total: Decimal
    domestic: Decimal  # total − foreign commissioned part


def hnte_rd_expense(year: YearData, params: HnteParams = HNTE_2016) -> HnteRd:
    """The year's R&D counted for 高企 condition (五), per 工作指引 三（五） (worked example B of rules.md)."""
    return HnteRd(year.year, *_hnte_rd_parts(year, params))


def _hnte_rd_parts(year: YearData, params: HnteParams) -> tuple[Decimal, ...]:
    """The HnteRd fields after `year`, as a tuple (the three-year sum needs only the last two)."""
    share = params.commissioned_share
    dom = year.hnte_rd_commissioned_domestic * share
    foreign = year.hnte_rd_commissioned_foreign * share
    before = (
        year.hnte_rd_personnel
        + year.hnte_rd_direct
        + year.hnte_rd_depreciation
        + year.hnte_rd_amortization
        + year.hnte_rd_design
        + year.hnte_rd_trial
        + dom
        + foreign
    )
    # other ≤ 20% × (before + other) ⇔ other ≤ before × 20% ÷ (1 − 20%); exact for 20% (= before ÷ 4)
    cap = before * params.other_share / (1 - params.other_share)
    other = year.hnte_rd_other
    allowed = other if other <= cap else cap
    total = before + allowed
    return dom, foreign, before, other, cap, allowed, total, total - foreign


@dataclass(slots=True)
class SdRd:
    """One year's R&D eligible for 加计扣除 (财税〔2015〕119号 一; 2021年第28号 三; 财税〔2018〕64号)."""

    five_sum: Decimal  # 人员人工、直接投入、折旧、无形资产摊销、新产品设计等 五项
    other_actual: Decimal
    other_cap: Decimal  # five × 10% ÷ (1 − 10%), to the fen, once for the whole year
    other_allowed: Decimal
    commissioned_domestic: Decimal  # 80% of the amount paid
    domestic_eligible: Decimal  # five + allowed other + commissioned domestic
    foreign_counted: Decimal  # 80% of the amount paid to foreign organisations
    foreign_cap: Decimal  # 2/3 of domestic_eligible, to the fen
    foreign_allowed: Decimal
    eligible: Decimal


def sd_rd_expense(
    year: YearData,
    *,
    other_rate: Decimal,
    commissioned_share: Decimal,
    foreign_cap: tuple[int, int],
) -> SdRd:
    """The year's eligible R&D, 加计扣除口径; shared by `super_deduction` and the 科小 score (115号 第九条)."""
    five = (
        year.sd_rd_personnel
        + year.sd_rd_direct
        + year.sd_rd_depreciation
        + year.sd_rd_amortization
        + year.sd_rd_design
    )
    # 2021年第28号 三: the cap is computed once for all projects of the year; 1/9 does not terminate,
    # so it is rounded to the fen as on the tax return.
    cap = (five * other_rate / (1 - other_rate)).quantize(_CENT, ROUND_HALF_UP)
    other = year.sd_rd_other
    allowed = other if other <= cap else cap
    dom = (year.sd_rd_commissioned_domestic * commissioned_share).quantize(_CENT, ROUND_HALF_UP)
    domestic = five + allowed + dom
    foreign = (year.sd_rd_commissioned_foreign * commissioned_share).quantize(_CENT, ROUND_HALF_UP)
    fcap = (domestic * foreign_cap[0] / foreign_cap[1]).quantize(_CENT, ROUND_HALF_UP)
    fallowed = foreign if foreign <= fcap else fcap
    return SdRd(five, other, cap, allowed, dom, domestic, foreign, fcap, fallowed, domestic + fallowed)


def annual_average(months: Sequence[tuple[Decimal, Decimal]]) -> Decimal:
    """全年月平均数 from (月初数, 月末数) per month (工作指引 三（四） 统计方法).

    月平均数 = (月初数 + 月末数) ÷ 2; 全年月平均数 = Σ 月平均数 ÷ 12. An enterprise that started or
    stopped during the year counts its operating months as the year, so the divisor is the number of
    months given.
    """
    if not months:
        raise ValueError("没有月度数据")
    return sum((start + end) / 2 for start, end in months) / len(months)


# ---------------------------------------------------------------------------------------------
# 高新技术企业


def assess_hnte(
    facts: EnterpriseFacts,
    years: Sequence[YearData],
    *,
    on: date,
    expert_score: Decimal | None = None,
) -> Assessment:
    """Judge 32号 第十一条 (一)～(八) (and 第二条 residency) for an application on `on`.

    "最近一年" is the fiscal year before `on`'s year; "近三个会计年度" the three before it, or fewer
    when the enterprise was founded later (实际经营期不满三年按实际经营时间计算). IP, staff and
    high-tech income come from the latest fiscal year; incidents from it and from `on`'s year if
    given. `expert_score` is the 专家组 average when known (工作指引 二（四）, may be fractional);
    without it condition (七) is judged on the score's range: True only if even the lowest total
    is above 70, False if even the highest is not.
    """
    rs = ruleset_for(HNTE_RULESETS, on)
    p = rs.params
    r = _hnte_fixed(p)
    by_year = {y.year: y for y in years}
    latest_year = on.year - 1
    first = on.year - 3
    if facts.founded_on is not None and facts.founded_on.year > first:
        first = facts.founded_on.year
    period = list(range(first, on.year))
    recs = [by_year.get(n) for n in period]
    year_sales = [None if y is None else _sales(y) for y in recs]
    latest = by_year.get(latest_year)
    notes: list[str] = []

    score = _hnte_score(p, r, facts, latest, period, recs, year_sales, expert_score, notes)
    checks = [
        r.resident_yes if facts.is_resident_in_mainland else r.resident_no,
        _hnte_registration(p, r.registration, facts, on),
        _hnte_ip(r.ip, latest, latest_year),
        _hnte_field(p, r.field, facts),
        _hnte_staff(p, r, latest, latest_year),
        *_hnte_rd(p, r, period, recs, year_sales),
        _hnte_hitech(p, r, latest, latest_year),
        _hnte_innovation(p, r, score),
        _hnte_incident(r, latest, by_year.get(on.year), latest_year),
    ]
    return _assessment("hnte", rs, on, latest_year, period, checks, score, notes)


class _Row:
    """Makes the Checks of one condition: its code, citation, label and threshold are fixed per ruleset,
    so each _Row is made once (`_hnte_fixed`, `_tsme_fixed`)."""

    __slots__ = ("code", "rule", "label", "threshold")

    def __init__(self, p, code: str, label: str, threshold: str):
        self.code, self.rule, self.label, self.threshold = code, p.cite[code], label, threshold

    def __call__(self, passed: bool | None, figure: str, message: str, gap: str = "", required=True) -> Check:
        return Check(self.code, self.rule, self.label, passed, figure, self.threshold, message, gap, required)

    def later(self, passed: bool | None, text: tuple, required=True) -> Check:
        """The Check with (figure, message, gap) given as `text` = (function, *arguments), formatted when
        first read. Used for passed checks, whose text the nightly batch never reads (it stores their code
        only); a tuple costs less to make than a closure."""
        # Filled slot by slot: calling Check(...) costs as much again (its __init__ is a second frame).
        check = _new(Check)
        check.code = self.code
        check.rule = self.rule
        check.label = self.label
        check.passed = passed
        check.threshold = self.threshold
        check.required = required
        check._later = text
        return check


def _per_ruleset(build):
    """Memoizes build(params) per params object: rows, constant checks and score items depend on the
    ruleset only, and making them for each enterprise was a large part of an assessment's cost."""
    built: dict[int, tuple] = {}

    def get(p):
        entry = built.get(id(p))
        if entry is None:
            entry = built[id(p)] = (p, build(p))  # holds p, so its id is not reused
        return entry[1]

    return get


_RESIDENT = "在中国境内（不含港澳台）注册的居民企业"


@_per_ruleset
def _hnte_fixed(p: HnteParams) -> SimpleNamespace:
    """What the 高企 checks and score take from the ruleset alone: each condition's row (label and
    threshold), the checks and score items that do not depend on the enterprise, and the marks."""
    rd_label = "近三个会计年度研究开发费用总额占同期销售收入总额的比例"
    mark = _const(p.innovation_pass)
    staff_least, domestic_least, hitech_least = (
        _rate(p.st_staff_min),
        _rate(p.rd_domestic_min),
        _rate(p.hitech_min),
    )
    resident = _Row(p, "hnte.resident", _RESIDENT, "是")
    incident = _Row(
        p, "hnte.no_incident", "申请认定前一年内未发生重大安全、重大质量事故或严重环境违法行为", "无"
    )
    m1, m2, m3, m4, m5 = p.ip_item_max
    none = "没有可用的知识产权 → 0分"
    return SimpleNamespace(
        resident_yes=resident(True, "是", _RESIDENT),
        resident_no=resident(False, "否", f"高企须为{_RESIDENT}", "非境内注册的居民企业，不能申请"),
        registration=_Row(p, "hnte.registration", "注册成立一年以上", f"≥{p.min_days}天（注册成立一年以上）"),
        ip=_Row(
            p,
            "hnte.ip",
            "拥有对主要产品（服务）发挥核心支持作用的知识产权",
            "≥1项Ⅰ类或尚未使用过的Ⅱ类知识产权",
        ),
        field=_Row(p, "hnte.tech_field", "核心技术属于《国家重点支持的高新技术领域》", "八大领域之一"),
        staff=_Row(p, "hnte.st_staff", "科技人员占职工总数的比例", f"≥{staff_least}"),
        staff_least=staff_least,
        rd_unknown=_Row(p, "hnte.rd_ratio", rd_label, "—"),
        # (band, row, the requirement as the message states it)
        rd_bands=tuple(
            (b, _Row(p, "hnte.rd_ratio", rd_label, b.threshold), f"{b.phrase}{_rate(b.rate)}的要求")
            for b in p.rd_bands
        ),
        domestic=_Row(
            p, "hnte.rd_domestic", "境内研究开发费用占全部研究开发费用的比例", f"≥{domestic_least}"
        ),
        domestic_least=domestic_least,
        hitech=_Row(
            p, "hnte.hitech_income", "近一年高新技术产品（服务）收入占同期总收入的比例", f"≥{hitech_least}"
        ),
        hitech_least=hitech_least,
        innovation=_Row(p, "hnte.innovation", "企业创新能力评价", f">{mark}分（不含{mark}分）"),
        mark=mark,
        innovation_texts={},  # see _hnte_innovation
        pass_mark=f">{mark}分（不含{mark}分）",
        incident=incident,
        incident_none=incident(
            True, "无", "未记录重大安全、重大质量事故或严重环境违法行为（以主管部门意见为准）"
        ),
        # No bands are published for this part, so the data cannot narrow it (工作指引 三（七）3).
        org=ScorePart(
            "hnte.org",
            "研究开发组织管理水平",
            p.org_max,
            0,
            p.org_max,
            basis="由专家综合评价（研发管理制度与辅助账、研发机构与产学研合作、成果转化激励、人才制度），规则未给出分档",
            expert=True,
        ),
        # 知识产权 items (1) (2) (4) without data, with usable IP, and without it; (5) with and without a standard
        ip_unknown=(
            ScorePart("hnte.ip.advanced", "技术的先进程度", m1, 0, m1, expert=True),
            ScorePart("hnte.ip.core", "对主要产品（服务）的核心支持作用", m2, 0, m2, expert=True),
            ScorePart("hnte.ip.quantity", "知识产权数量", m3, 0, m3, basis="缺少知识产权数据"),
            ScorePart("hnte.ip.acquisition", "知识产权获得方式", m4, 0, m4, expert=True),
        ),
        ip_some=(
            ScorePart("hnte.ip.advanced", "技术的先进程度", m1, 0, m1, basis="专家判断", expert=True),
            ScorePart(
                "hnte.ip.core", "对主要产品（服务）的核心支持作用", m2, 0, m2, basis="专家判断", expert=True
            ),
            ScorePart(
                "hnte.ip.acquisition",
                "知识产权获得方式",
                m4,
                p.ip_acquisition[0],
                p.ip_acquisition[1],
                basis="有自主研发1–6分，仅受让、受赠、并购1–3分，由专家核实",
                expert=True,
            ),
        ),
        # Without usable IP the IP-based items score 0 (E/"无"); only the standards bonus remains.
        ip_none=(
            ScorePart("hnte.ip.advanced", "技术的先进程度", m1, 0, 0, "E", none),
            ScorePart("hnte.ip.core", "对主要产品（服务）的核心支持作用", m2, 0, 0, "E", none),
            ScorePart("hnte.ip.acquisition", "知识产权获得方式", m4, 0, 0, "", none),
        ),
        ip_bonus_led=ScorePart(
            "hnte.ip.bonus",
            "参与编制标准（加分项）",
            m5,
            p.ip_bonus_yes[0],
            p.ip_bonus_yes[1],
            basis="近五年主导制定过标准 → 是（1–2分）",
            expert=True,
        ),
        ip_bonus_open=ScorePart(
            "hnte.ip.bonus",
            "参与编制标准（加分项）",
            m5,
            0,
            m5,
            basis="是否参与编制标准、规范由专家核实",
            expert=True,
        ),
    )


def _hnte_registration(p: HnteParams, row: _Row, facts: EnterpriseFacts, on: date) -> Check:
    founded = facts.founded_on
    if founded is None:
        return row(None, "未填", "缺少注册成立日期，无法判断", "补充注册成立日期")
    days = (on - founded).days
    if days >= p.min_days:
        return row.later(True, (_registration_text, founded, days))
    short, earliest = p.min_days - days, _date(founded + timedelta(days=p.min_days))
    msg = f"{_date(founded)}注册成立，至申请日仅{days}天，不满一年，还差{short}天（最早可于{earliest}申请）"
    return row(False, f"{days}天", msg, f"注册成立时间还差{short}天，最早可于{earliest}申请")


def _registration_text(founded: date, days: int) -> tuple[str, str, str]:
    return f"{days}天", f"{_date(founded)}注册成立，至申请日已满{days}天，达到一年以上的要求", ""


def _usable_class2(y: YearData) -> int:
    """Ⅱ类 IP not yet used in a 高企 application (a Ⅱ类 IP may be used only once, 工作指引 三（二）)."""
    n = y.ip_utility_model + y.ip_design + y.ip_software - y.ip_class2_used_before
    return n if n > 0 else 0


def _hnte_ip(row: _Row, latest: YearData | None, latest_year: int) -> Check:
    if latest is None:
        return row(None, "未填", f"缺少{latest_year}年度数据，无法判断", f"补充{latest_year}年度知识产权数量")
    class1 = latest.ip_invention + latest.ip_other_class1
    class2 = _usable_class2(latest)
    if class1 or class2:
        return row.later(True, (_ip_text, class1, class2))
    figure = f"Ⅰ类{class1}项，可用Ⅱ类{class2}项"
    used = latest.ip_class2_used_before
    why = f"Ⅱ类知识产权{used}项均已用于以往的高企认定（每项只能使用一次）" if used else "也没有Ⅱ类知识产权"
    gap = "至少取得1项Ⅰ类知识产权，或1项未用于高企认定的Ⅱ类知识产权（实用新型、外观设计、软件著作权）"
    return row(False, figure, f"没有Ⅰ类知识产权，{why}；不具备知识产权的企业不能认定", gap)


def _ip_text(class1: int, class2: int) -> tuple[str, str, str]:
    return (
        f"Ⅰ类{class1}项，可用Ⅱ类{class2}项",
        f"拥有Ⅰ类知识产权{class1}项、尚未用于高企认定的Ⅱ类知识产权{class2}项；"
        "是否对主要产品（服务）在技术上发挥核心支持作用由专家判断",
        "",
    )


def _hnte_field(p: HnteParams, row: _Row, facts: EnterpriseFacts) -> Check:
    field = facts.tech_field
    if not field:
        return row(None, "未填", "未填写技术领域，无法判断", "填写核心技术所属的高新技术领域")
    name = p.fields.get(field)
    if name is None:
        msg = f"技术领域“{field}”不属于《国家重点支持的高新技术领域》"
        return row(False, field, msg, "核心技术须属于《国家重点支持的高新技术领域》")
    return row.later(True, (_field_text, name))


def _field_text(name: str) -> tuple[str, str, str]:
    return name, f"核心技术属于“{name}”领域；具体条目由专家核实", ""


def _hnte_staff(p: HnteParams, r: SimpleNamespace, latest: YearData | None, year: int) -> Check:
    row, least = r.staff, r.staff_least
    if latest is None or latest.st_staff is None or latest.staff_total is None:
        gap = f"补充{year}年职工总数和科技人员数（全年月平均数）"
        return row(None, "未填", f"缺少{year}年职工总数或科技人员数，无法判断", gap)
    st, total = latest.st_staff, latest.staff_total
    if total <= 0:
        return row(None, "—", f"{year}年职工总数为0，无法计算", f"核实{year}年职工总数")
    if _at_least(st, total, p.st_staff_min):
        return row.later(True, (_hnte_staff_text, year, st, total, f"，不低于{least}"))
    ratio, said = _hnte_staff_text(year, st, total)[:2]
    need = _people(_ceil(_EXACT.multiply(p.st_staff_min, total) - st))
    return row(False, ratio, f"{said}，低于{least}的要求，还差{need}", f"科技人员还差{need}")


def _hnte_staff_text(year: int, st: Decimal, total: Decimal, then: str = "") -> tuple[str, str, str]:
    ratio = _pct(st, total)
    return ratio, f"{year}年科技人员{_people(st)}，占职工总数{_people(total)}的{ratio}{then}", ""


def _hnte_rd(
    p: HnteParams,
    r: SimpleNamespace,
    period: list[int],
    recs: list[YearData | None],
    year_sales: list[Decimal | None],
) -> tuple[Check, Check]:
    dom_row, least = r.domestic, r.domestic_least
    if not period:
        msg, gap = "申请年度之前没有会计年度，无法计算", "至少需要一个完整会计年度的数据"
        return r.rd_unknown(None, "—", msg, gap), dom_row(None, "—", msg, gap)
    absent = [n for n, s in zip(period, year_sales, strict=True) if s is None]
    if absent:
        msg = f"缺少{_years_text(absent)}的销售收入或研发费用数据，无法计算"
        gap = f"补充{_years_text(absent)}的销售收入和研发费用（高企口径）"
        return r.rd_unknown(None, "未填", msg, gap), dom_row(None, "未填", msg, gap)
    sales = rd = domestic = _ZERO
    for y, s in zip(recs, year_sales, strict=True):
        sales += s
        parts = _hnte_rd_parts(y, p)
        rd += parts[6]
        domestic += parts[7]
    latest_sales = year_sales[-1]
    for entry in r.rd_bands:  # the band of the latest year's 销售收入; the last one has no upper bound
        if entry[0].up_to is None or latest_sales <= entry[0].up_to:
            break
    band, row, required = entry
    if sales <= 0:
        first = row(None, "—", f"{_which(period)}销售收入合计为0，无法计算研发费用占比", "核实销售收入")
    elif _at_least(rd, sales, band.rate):
        first = row.later(True, (_rd_text, period, rd, sales, required))
    else:
        ratio, short = _pct(rd, sales), _wan_up(_EXACT.multiply(band.rate, sales) - rd)
        msg = f"研发费用占比{ratio}，低于{required}，还差约{short}"
        first = row(False, ratio, msg, f"{_which(period)}研发费用（高企口径）还差约{short}")
    if rd <= 0:
        second = dom_row(None, "—", "研发费用为0，无法计算境内研发费用占比", "归集研发费用（高企口径）")
    elif _at_least(domestic, rd, p.rd_domestic_min):
        second = dom_row.later(True, (_domestic_text, domestic, rd, least))
    else:
        ratio, short = _pct(domestic, rd), _wan_up(_EXACT.multiply(p.rd_domestic_min, rd) - domestic)
        msg = f"境内研发费用占比{ratio}，低于{least}的要求，还差约{short}"
        second = dom_row(False, ratio, msg, f"境内研发费用还差约{short}（委托境外研发不计入境内）")
    return first, second


def _which(period: list[int]) -> str:
    n = len(period)
    return f"近三个会计年度（{_span(period)}）" if n >= 3 else f"实际经营的{n}个会计年度（{_span(period)}）"


def _rd_text(period: list[int], rd: Decimal, sales: Decimal, required: str) -> tuple[str, str, str]:
    ratio = _pct(rd, sales)
    return (
        ratio,
        f"{_which(period)}研发费用合计{_wan(rd)}，占同期销售收入{_wan(sales)}的{ratio}，达到{required}",
        "",
    )


def _domestic_text(domestic: Decimal, rd: Decimal, least: str) -> tuple[str, str, str]:
    ratio = _pct(domestic, rd)
    return ratio, f"境内研发费用{_wan(domestic)}，占研发费用总额{_wan(rd)}的{ratio}，不低于{least}", ""


def _hnte_hitech(p: HnteParams, r: SimpleNamespace, latest: YearData | None, year: int) -> Check:
    row, least = r.hitech, r.hitech_least
    if latest is None or latest.hitech_revenue is None or latest.total_income is None:
        msg = f"缺少{year}年收入总额或高新技术产品（服务）收入，无法判断"
        return row(None, "未填", msg, f"补充{year}年收入总额、不征税收入和高新技术产品（服务）收入")
    total = latest.total_income - latest.non_taxable_income  # 总收入 = 收入总额 − 不征税收入
    hitech = latest.hitech_revenue
    if total <= 0:
        return row(None, "—", f"{year}年总收入为0，无法计算", f"核实{year}年收入总额")
    if _at_least(hitech, total, p.hitech_min):
        return row.later(True, (_hitech_text, year, hitech, total, f"，不低于{least}"))
    ratio, said = _hitech_text(year, hitech, total)[:2]
    short = _wan_up(_EXACT.multiply(p.hitech_min, total) - hitech)
    return row(
        False, ratio, f"{said}，低于{least}的要求，还差约{short}", f"高新技术产品（服务）收入还差约{short}"
    )


def _hitech_text(year: int, hitech: Decimal, total: Decimal, then: str = "") -> tuple[str, str, str]:
    ratio = _pct(hitech, total)
    said = f"{year}年高新技术产品（服务）收入{_wan(hitech)}，占总收入（收入总额−不征税收入）{_wan(total)}的{ratio}"
    return ratio, said + then, ""


def _hnte_innovation(p: HnteParams, r: SimpleNamespace, score: Score) -> Check:
    row, mark = r.innovation, r.mark
    if score.value is not None:
        figure = f"{_num(score.value)}分"
        if score.value > p.innovation_pass:
            return row(True, figure, f"专家组综合评分{figure}，超过{mark}分")
        msg = f"专家组综合评分{figure}，未超过{mark}分（须{mark}分以上，不含{mark}分）"
        return row(False, figure, msg, f"创新能力评价须超过{mark}分（现为{figure}）")
    # Without the experts' score this is usually undecided, so its text is read for nearly every
    # enterprise. It depends only on the parts' ranges (their labels and maxima are the ruleset's), which
    # repeat across enterprises: made once per range.
    key = tuple([(s.low, s.high) for s in score.parts])
    text = r.innovation_texts.get(key)
    if text is None:
        text = r.innovation_texts[key] = _innovation_range_text(p, mark, score)
    return row(*text)


def _innovation_range_text(p: HnteParams, mark: str, score: Score) -> tuple[bool | None, str, str, str]:
    """(passed, figure, message, gap) of condition (七) judged on the score's range."""
    low, high = score.low, score.high  # whole points
    figure = f"预估{low}–{high}分"
    if low > p.innovation_pass:
        return True, figure, f"各项按最低分计也有{low}分，超过{mark}分", ""
    parts = "、".join(f"{s.label}{_pts(s.low, s.high)}" for s in score.parts)
    if high <= p.innovation_pass:
        lost = "、".join(
            f"{s.label}最高{s.high}分（满分{s.max_points}分）" for s in score.parts if s.high < s.max_points
        )
        msg = f"各项按最高分计也只有{high}分，未超过{mark}分（{parts}）"
        return False, figure, msg, f"创新能力评价最高{high}分，未超过{mark}分；失分在：{lost}"
    deciding = "、".join(s.label for s in score.parts if s.low < s.high)
    msg = f"{figure}（{parts}），能否超过{mark}分取决于专家对{deciding}的评分"
    return None, figure, msg, f"创新能力评价待专家评分（{figure}，须超过{mark}分）"


def _hnte_incident(r: SimpleNamespace, latest: YearData | None, current: YearData | None, year: int) -> Check:
    bad = [y.year for y in (latest, current) if y is not None and y.has_major_incident]
    if bad:
        msg = f"{_years_text(bad)}发生重大安全、重大质量事故或严重环境违法行为"
        return r.incident(
            False, "有", msg, "申请前一年内发生重大安全、质量事故或严重环境违法行为的，不能认定"
        )
    if latest is None:
        return r.incident(None, "未填", f"缺少{year}年度数据，无法判断", f"补充{year}年度数据")
    return r.incident_none


# --- 高企 创新能力评价 (工作指引 三（七）)


def _hnte_score(
    p: HnteParams,
    r: SimpleNamespace,
    facts: EnterpriseFacts,
    latest: YearData | None,
    period: list[int],
    recs: list[YearData | None],
    year_sales: list[Decimal | None],
    expert_score: Decimal | None,
    notes: list[str],
) -> Score:
    ip, achievement, org, growth = parts = [
        _hnte_ip_part(p, r, facts, latest),
        _hnte_achievement_part(p, period, recs),
        r.org,
        _hnte_growth_part(p, period, recs, year_sales),
    ]
    for item in growth.items:  # only growth rates are flagged
        if item.review:
            notes.append(item.review)
    low = ip.low + achievement.low + org.low + growth.low
    high = ip.high + achievement.high + org.high + growth.high
    estimate = expert_score if expert_score is not None else Decimal(low + high) / 2
    return Score(low, high, estimate, expert_score, r.pass_mark, parts)


def _hnte_ip_part(
    p: HnteParams, r: SimpleNamespace, facts: EnterpriseFacts, latest: YearData | None
) -> ScorePart:
    bonus = r.ip_bonus_led if facts.led_standard else r.ip_bonus_open
    if latest is None:
        items = (*r.ip_unknown, bonus)
    else:
        class1 = latest.ip_invention + latest.ip_other_class1
        class2 = _usable_class2(latest)
        if class1 >= p.ip_class1_band.at_least:
            band = p.ip_class1_band
            what, count = "Ⅰ类知识产权", class1
        else:
            band = _value_band(Decimal(class2), p.ip_class2_bands) or _NONE_E
            what, count = "尚未用于高企认定的Ⅱ类知识产权", class2
        quantity = _part(
            "hnte.ip.quantity",
            "知识产权数量",
            p.ip_item_max[2],
            band.low,
            band.high,
            band.letter,
            later=(_quantity_basis, what, count, band),
        )
        advanced, core, acquisition = r.ip_some if class1 or class2 else r.ip_none
        items = (advanced, core, quantity, acquisition, bonus)
    low = high = 0
    for item in items:
        low += item.low
        high += item.high
    # the bonus item cannot lift the part above its maximum (30)
    return _part(
        "hnte.ip",
        "知识产权",
        p.ip_max,
        min(low, p.ip_max),
        min(high, p.ip_max),
        basis="（1）（2）（4）（5）项由技术专家评分，（3）项按数量分档",
        expert=True,
        items=items,
    )


def _quantity_basis(what: str, count: int, band: Band) -> str:
    return f"{what}{count}项 → {band.letter}档（{_pts(band.low, band.high)}），专家在档内打分"


def _hnte_achievement_part(p: HnteParams, period: list[int], recs: list[YearData | None]) -> ScorePart:
    top = p.achievement_max
    absent = [n for n, y in zip(period, recs, strict=True) if y is None]
    if absent:
        return _part(
            "hnte.achievement",
            "科技成果转化能力",
            top,
            0,
            top,
            later=(_absent_basis, absent, "科技成果转化"),
            expert=True,
        )
    count = sum(y.achievements_transformed for y in recs)
    # 近3年内科技成果转化的年平均数; the divisor is the years in operation when fewer than three [2nd]
    divisor = min(3, len(period))
    average = Decimal(count) / divisor if divisor else _ZERO
    band = _value_band(average, p.achievement_bands) or _NONE_F
    return _part(
        "hnte.achievement",
        "科技成果转化能力",
        top,
        band.low,
        band.high,
        band.letter,
        later=(_achievement_basis, len(period), count, average, band),
        expert=True,
    )


def _absent_basis(absent: list[int], what: str) -> str:
    return f"缺少{_years_text(absent)}的{what}数据"


def _achievement_basis(years: int, count: int, average: Decimal, band: Band) -> str:
    return (
        f"{years}年内科技成果转化{count}项，年均{_num(average)}项 → {band.letter}档（{_pts(band.low, band.high)}），"
        "专家在档内打分"
    )


def _hnte_growth_part(
    p: HnteParams, period: list[int], recs: list[YearData | None], year_sales: list[Decimal | None]
) -> ScorePart:
    net = _growth_item(
        p,
        "hnte.growth.net_assets",
        "净资产增长率",
        "净资产",
        period,
        [None if y is None else y.net_assets for y in recs],
    )
    sales = _growth_item(p, "hnte.growth.sales", "销售收入增长率", "销售收入", period, year_sales)
    return _part(
        "hnte.growth",
        "企业成长性",
        2 * p.growth_item_max,
        net.low + sales.low,
        net.high + sales.high,
        basis="净资产增长率、销售收入增长率分别按公式计算并分档，财务专家在档内打分",
        expert=True,
        items=(net, sales),
    )


def _growth_item(
    p: HnteParams, code: str, label: str, what: str, period: list[int], values: list[Decimal | None]
) -> ScorePart:
    top = p.growth_item_max
    absent = [n for n, v in zip(period, values, strict=True) if v is None]
    if absent:
        return _part(code, label, top, 0, top, later=(_absent_basis, absent, what))
    rate, how = growth_rate(values)
    if rate is None:
        return _part(code, label, top, 0, 0, "F", f"{how} → 0分")
    band = _value_band(rate, p.growth_bands) or _NONE_F
    review = ""
    if rate == p.growth_review_rate:
        review = (
            f"{label}恰为{_rate(p.growth_review_rate)}：正文分档为“≥5%”（D档3–4分），"
            "附件4《财务专家评价表》为“＞5%”（则为E档1–2分），需人工复核"
        )
    if min(values) < 0:
        review = "；".join(x for x in (review, f"{label}：有年度{what}为负，公式结果需人工复核") if x)
    return _part(
        code,
        label,
        top,
        band.low,
        band.high,
        band.letter,
        later=(_growth_basis, label, rate, how, band),
        review=review,
    )


def _growth_basis(label: str, rate: Decimal, how: str, band: Band) -> str:
    shown = f"{(rate * _HUNDRED).quantize(_CENT, ROUND_HALF_UP)}%"
    return f"{label}{shown}（{how}） → {band.letter}档（{_pts(band.low, band.high)}）"


def growth_rate(values: Sequence[Decimal]) -> tuple[Decimal | None, str]:
    """The growth rate of the yearly values (oldest first) per 工作指引 三（七）4, and how it was computed.

    增长率 = ½ × (第二年 ÷ 第一年 + 第三年 ÷ 第二年) − 1; 第一年为0按后两年计算 (第三年 ÷ 第二年 − 1);
    第二年为0按0分计算; 实际经营不满三年按实际经营时间计算 (two years: 第二年 ÷ 第一年 − 1 [2nd]; one year:
    0分). Returns (None, why) when the rule gives 0 points without a rate.

    The rate is computed as (v2² + v1·v3) ÷ (2·v1·v2) − 1 with one division in an 80-digit context. For
    yuan amounts (two decimals, below 10^15) a quotient that differs from a two-decimal threshold differs
    by more than 10^-37, far above the rounding, so the band comparisons are exact — and a quotient
    equal to a threshold terminates and is computed exactly.
    """
    c = _EXACT
    n = len(values)
    if n >= 3:
        v1, v2, v3 = values[-3:]
        if v2 == 0:
            return None, "第二年为0，按0分计算"
        if v1 == 0:
            return c.subtract(c.divide(v3, v2), 1), "第一年为0，按后两年计算"
        with localcontext(
            c
        ):  # operators in the 80-digit context: the same operations, cheaper than c's methods
            return (v2 * v2 + v1 * v3) / (v1 * v2 * 2) - 1, "½×(第二年÷第一年＋第三年÷第二年)−1"
    if n == 2:
        v1, v2 = values
        if v1 == 0:
            return None, "实际经营两年且第一年为0，按0分计算"
        return c.subtract(c.divide(v2, v1), 1), "实际经营两年，第二年÷第一年−1"
    return None, "实际经营不足两年，无法计算增长率，按0分计算"


# ---------------------------------------------------------------------------------------------
# 科技型中小企业


def assess_tsme(facts: EnterpriseFacts, year: YearData, *, on: date) -> Assessment:
    """Judge 115号 第六条 (一)(二)(四)(五), the 第七条 score and the 第八条 direct routes.

    `year` is the reference year (the fiscal year before the evaluation). 第六条（三） (禁止、限制和淘汰类)
    cannot be read from the figures; it is left to the enterprise's declaration and noted, not checked.
    """
    rs = ruleset_for(TSME_RULESETS, on)
    p = rs.params
    r = _tsme_fixed(p)
    staff = year.tsme_staff_total if year.tsme_staff_total is not None else year.staff_total
    st = year.tsme_st_staff if year.tsme_st_staff is not None else year.st_staff
    sales = _sales(year)
    rd = sd_rd_expense(
        year,
        other_rate=p.sd_other_rate,
        commissioned_share=p.sd_commissioned_share,
        foreign_cap=p.sd_foreign_cap,
    ).eligible

    st_part, st_band = _tsme_st_part(p, r, st, staff)
    rd_part = _tsme_rd_part(p, r, rd, sales, year.cost_total)
    ip_part = _tsme_ip_part(p, year)
    parts = [st_part, rd_part, ip_part]
    low = st_part.low + rd_part.low + ip_part.low
    high = st_part.high + rd_part.high + ip_part.high
    value = Decimal(low) if low == high else None
    score = Score(low, high, Decimal(low + high) / 2, value, r.pass_mark, parts)

    flags = (facts.valid_hnte, facts.national_award_top3, facts.provincial_rd_institution, facts.led_standard)
    routes = [name for flag, name in zip(flags, _TSME_ROUTES, strict=True) if flag]
    direct = bool(routes)
    checks = [
        r.resident_yes if facts.is_resident_in_mainland else r.resident_no,
        _tsme_size(r.staff_total, "职工总数", staff, p.max_staff, _people, year.year),
        _tsme_size(r.revenue, "销售收入", sales, p.max_revenue, _wan, year.year),
        _tsme_size(r.assets, "资产总额", year.total_assets, p.max_assets, _wan, year.year),
        _tsme_violation(r, facts, year),
        _tsme_direct(r, routes),
        _tsme_st_check(p, r, st_part, st, staff, required=not direct),
        _tsme_score_check(
            p, r, score, (_tsme_hints, p, st, staff, st_band, rd, sales, year, score), required=not direct
        ),
    ]
    notes = [_TSME_INDUSTRY_NOTE]
    if year.year != on.year - 1:
        notes.append(f"参考年度为{year.year}年（通常应为评价年度的上一年，即{on.year - 1}年）")
    return _assessment(
        "tsme", rs, on, year.year, [year.year], checks, score, notes, "direct" if direct else "score"
    )


_TSME_INDUSTRY_NOTE = (
    "第六条（三）产品和服务不属于禁止、限制和淘汰类：无法从数据判断，由企业承诺、主管部门审核"
)
# 第八条 (一)～(四), in the order of EnterpriseFacts' flags valid_hnte, national_award_top3,
# provincial_rd_institution, led_standard
_TSME_ROUTES = (
    "拥有有效期内的高新技术企业资格证书（第八条（一））",
    "近五年获国家级科技奖励且排名前三（第八条（二））",
    "拥有经认定的省部级以上研发机构（第八条（三））",
    "近五年主导制定过国际、国家或行业标准（第八条（四））",
)


@_per_ruleset
def _tsme_fixed(p: TsmeParams) -> SimpleNamespace:
    """What the 科小 checks and score take from the ruleset alone (see `_hnte_fixed`)."""
    for bands in (p.st_bands, p.rd_sales_bands, p.rd_cost_bands):  # _ratio_band searches them by halves
        if any(a.at_least <= b.at_least for a, b in zip(bands, bands[1:], strict=False)):
            raise ValueError(f"科小 bands must be ordered best first, with falling thresholds: {bands}")
    resident = _Row(p, "tsme.resident", _RESIDENT, "是")
    violation = _Row(
        p,
        "tsme.no_violation",
        "未发生重大安全、质量事故和严重环境违法、科研严重失信行为，未列入经营异常名录和严重违法失信企业名单",
        "无",
    )
    direct = _Row(p, "tsme.direct", "直接确认（第八条）", "符合第八条任一情形")
    ten = _rate(p.st_bands[-1].at_least)
    mark = _const(p.pass_score)
    staff_limit, revenue_limit, assets_limit = _people(p.max_staff), _yi(p.max_revenue), _yi(p.max_assets)
    return SimpleNamespace(
        resident_yes=resident(True, "是", _RESIDENT),
        resident_no=resident(False, "否", f"科小须为{_RESIDENT}", "非境内注册的居民企业，不能评价"),
        # 第六条（二）: "不超过" includes the limit
        staff_total=(
            _Row(p, "tsme.staff_total", f"职工总数不超过{staff_limit}", f"≤{staff_limit}"),
            staff_limit,
        ),
        revenue=(
            _Row(p, "tsme.revenue", f"年销售收入不超过{revenue_limit}", f"≤{revenue_limit}"),
            revenue_limit,
        ),
        assets=(_Row(p, "tsme.assets", f"资产总额不超过{assets_limit}", f"≤{assets_limit}"), assets_limit),
        violation=violation,
        violation_none=violation(True, "无", "未记录事故、失信行为或经营异常名录"),
        direct=direct,
        direct_no=direct(False, "否", "不符合第八条直接确认的情形，按第七条评分", required=False),
        st_staff=_Row(p, "tsme.st_staff", "科技人员指标得分不为0分", f"科技人员占比≥{ten}"),
        ten=ten,
        score=_Row(p, "tsme.score", "综合评价得分", f"≥{mark}分"),
        mark=mark,
        pass_mark=f"≥{mark}分",
        st_unknown=ScorePart(
            "tsme.st", "科技人员指标", p.st_max, 0, p.st_max, basis="缺少职工总数或科技人员数"
        ),
        rd_unknown=ScorePart(
            "tsme.rd",
            "研发投入指标",
            p.rd_max,
            0,
            p.rd_max,
            basis="没有可用的销售收入或成本费用支出总额（缺少或为0）",
        ),
    )


def _tsme_size(fixed: tuple[_Row, str], what: str, value, limit: Decimal, fmt, year: int) -> Check:
    """第六条（二）: "不超过" includes the limit."""
    row, limit_text = fixed
    if value is None:
        return row(None, "未填", f"缺少{year}年{what}，无法判断", f"补充{year}年{what}")
    if value <= limit:
        return row.later(True, (_size_text, year, what, value, fmt, limit_text))
    shown = fmt(value)
    msg = f"{year}年{what}{shown}，超过{limit_text}的上限{fmt(value - limit)}，不属于科技型中小企业的规模"
    return row(False, shown, msg, f"{what}超过{limit_text}的上限")


def _size_text(year: int, what: str, value: Decimal, fmt, limit_text: str) -> tuple[str, str, str]:
    shown = fmt(value)
    return shown, f"{year}年{what}{shown}，不超过{limit_text}", ""


def _tsme_violation(r: SimpleNamespace, facts: EnterpriseFacts, year: YearData) -> Check:
    if not (year.has_major_incident or facts.integrity_breach or facts.abnormal_listed):
        return r.violation_none
    found = "；".join(
        text
        for flag, text in (
            (year.has_major_incident, f"{year.year}年发生重大安全、质量事故或严重环境违法行为"),
            (facts.integrity_breach, "有科研严重失信行为记录"),
            (facts.abnormal_listed, "列入经营异常名录或严重违法失信企业名单"),
        )
        if flag
    )
    return r.violation(False, "有", found, found)


def _tsme_direct(r: SimpleNamespace, routes: list[str]) -> Check:
    if routes:
        return r.direct.later(True, (_direct_text, routes))
    return r.direct_no


def _direct_text(routes: list[str]) -> tuple[str, str, str]:
    return "是", f"{'；'.join(routes)}：满足第六条（一）～（四）即可直接确认，不需评分", ""


def _tsme_st_part(p: TsmeParams, r: SimpleNamespace, st, staff) -> tuple[ScorePart, Band | None]:
    if st is None or staff is None or staff <= 0:
        return r.st_unknown, None
    band = _ratio_band(st, staff, p.st_bands)
    pts = band.low if band else 0
    part = _part("tsme.st", "科技人员指标", p.st_max, pts, pts, later=(_tsme_st_basis, st, staff, pts))
    return part, band


def _tsme_st_basis(st: Decimal, staff: Decimal, pts: int) -> str:
    return f"科技人员{_people(st)}÷职工总数{_people(staff)}={_pct(st, staff)} → {pts}分"


def _tsme_rd_part(p: TsmeParams, r: SimpleNamespace, rd: Decimal, sales, cost) -> ScorePart:
    top = p.rd_max
    items = []
    for choice, code, label, den, what, bands in (
        ("sales", "tsme.rd.sales", "方式一：研发费用占销售收入", sales, "销售收入", p.rd_sales_bands),
        (
            "cost",
            "tsme.rd.cost",
            "方式二：研发费用占成本费用支出总额",
            cost,
            "成本费用支出总额",
            p.rd_cost_bands,
        ),
    ):
        if den is not None and den > 0:
            band = _ratio_band(rd, den, bands)
            pts = band.low if band else 0
            items.append(
                _part(code, label, top, pts, pts, later=(_tsme_rd_basis, rd, what, den, pts), choice=choice)
            )
    if not items:
        return r.rd_unknown
    best = items[0]  # the enterprise chooses; a tie keeps 方式一
    if len(items) > 1 and items[1].low > best.low:
        best = items[1]
    return _part(
        "tsme.rd",
        "研发投入指标",
        top,
        best.low,
        best.high,
        basis=_RD_CHOICE_BASIS[best.choice],
        choice=best.choice,
        items=tuple(items),
    )


_RD_CHOICE_BASIS = {
    choice: f"企业可在两种方式中选择，按得分较高的{used}计分（研发费用为加计扣除口径）"
    for choice, used in (("sales", "方式一"), ("cost", "方式二"))
}


def _tsme_rd_basis(rd: Decimal, what: str, den: Decimal, pts: int) -> str:
    return f"研发费用{_wan(rd)}÷{what}{_wan(den)}={_pct(rd, den)} → {pts}分"


def _tsme_ip_part(p: TsmeParams, year: YearData) -> ScorePart:
    class1 = year.ip_invention + year.ip_other_class1
    class2 = year.ip_utility_model + year.ip_design + year.ip_software
    if class1 >= 1:
        pts, what, count = p.ip_class1_points, "Ⅰ类", class1
    else:
        band = _value_band(Decimal(class2), p.ip_class2_bands)
        pts, what, count = (band.low if band else 0), "Ⅱ类", class2
    return _part("tsme.ip", "科技成果指标", p.ip_max, pts, pts, later=(_tsme_ip_basis, what, count, pts))


def _tsme_ip_basis(what: str, count: int, pts: int) -> str:
    return f"{what}知识产权{count}项 → {pts}分"


def _tsme_st_check(p: TsmeParams, r: SimpleNamespace, part: ScorePart, st, staff, *, required: bool) -> Check:
    row, ten = r.st_staff, r.ten
    if part.low != part.high:
        return row(None, "未填", "缺少职工总数或科技人员数，无法判断", "补充职工总数和科技人员数", required)
    if part.low > 0:
        return row.later(True, (_tsme_st_text, st, staff, part.low), required)
    ratio = _pct(st, staff)
    need = _people(_ceil(_EXACT.multiply(p.st_bands[-1].at_least, staff) - st))
    msg = f"科技人员占比{ratio}，低于{ten}，科技人员指标得0分（得0分的不符合条件），还差{need}"
    return row(False, ratio, msg, f"科技人员还差{need}（占比须达到{ten}）", required)


def _tsme_st_text(st: Decimal, staff: Decimal, points: int) -> tuple[str, str, str]:
    ratio = _pct(st, staff)
    return ratio, f"科技人员占比{ratio}，得{points}分", ""


def _tsme_score_check(
    p: TsmeParams, r: SimpleNamespace, score: Score, hints: tuple, *, required: bool
) -> Check:
    """`hints` = (function, *arguments) giving the ways to a higher score, called only when they are needed."""
    row, mark = r.score, r.mark
    if score.value is not None and score.value >= p.pass_score:
        return row.later(True, (_tsme_score_text, score, mark), required)
    parts = _score_sum(score)
    low, high = _num(score.low), _num(score.high)
    if score.value is None:
        figure = f"{low}–{high}分"
        if score.low >= p.pass_score:
            return row(True, figure, f"得分{parts}，按最低计也不低于{mark}分", required=required)
        if score.high < p.pass_score:
            return row(
                False,
                figure,
                f"得分{parts}，按最高计也低于{mark}分",
                f"综合评分最高{high}分，低于{mark}分",
                required,
            )
        missing = "、".join(s.label for s in score.parts if s.low != s.high)
        return row(
            None, figure, f"得分{parts}；缺少数据的指标：{missing}", f"补充{missing}所需的数据", required
        )
    short = _num(p.pass_score - score.value)
    ways = hints[0](*hints[1:])
    gap = f"综合评分还差{short}分" + (f"（{'；'.join(ways)}）" if ways else "")
    return row(False, f"{low}分", f"得分{parts}＝{low}分，低于{mark}分，还差{short}分", gap, required)


def _tsme_score_text(score: Score, mark: str) -> tuple[str, str, str]:
    return f"{score.low}分", f"得分{_score_sum(score)}＝{score.low}分，不低于{mark}分", ""


def _score_sum(score: Score) -> str:
    return "＋".join(
        f"{s.label}{s.low}" if s.low == s.high else f"{s.label}{s.low}–{s.high}" for s in score.parts
    )


def _next_band(bands: Sequence[Band], current: Band | None) -> Band | None:
    """The band just above `current` (bands are ordered best first)."""
    if current is None:
        return bands[-1]
    i = bands.index(current)
    return bands[i - 1] if i > 0 else None


def _tsme_hints(p: TsmeParams, st, staff, st_band, rd, sales, year, score: Score) -> list[str]:
    """Ways to reach the next band of each indicator, holding the denominators fixed."""
    hints = []
    if st is not None and staff is not None and staff > 0:
        nxt = _next_band(p.st_bands, st_band)
        if nxt is not None:
            need = _ceil(_EXACT.multiply(nxt.at_least, staff) - st)
            hints.append(f"科技人员增加{_people(need)}可使占比达到{_rate(nxt.at_least)}（{nxt.low}分）")
    rd_part = score.parts[1]
    if rd_part.choice == "sales" and sales:
        nxt = _next_band(p.rd_sales_bands, _ratio_band(rd, sales, p.rd_sales_bands))
        if nxt is not None:
            need = _EXACT.multiply(nxt.at_least, sales) - rd
            hints.append(
                f"研发费用增加约{_wan_up(need)}可使占销售收入比例达到{_rate(nxt.at_least)}（{nxt.low}分）"
            )
    elif rd_part.choice == "cost" and year.cost_total:
        cost = year.cost_total
        nxt = _next_band(p.rd_cost_bands, _ratio_band(rd, cost, p.rd_cost_bands))
        if nxt is not None:
            need = _EXACT.multiply(nxt.at_least, cost) - rd
            hints.append(
                f"研发费用增加约{_wan_up(need)}可使占成本费用支出总额比例达到{_rate(nxt.at_least)}（{nxt.low}分）"
            )
    if year.cost_total is None:
        hints.append("可填报成本费用支出总额，按方式二（研发费用占成本费用支出总额）计分")
    if year.ip_invention + year.ip_other_class1 == 0:
        hints.append(f"取得1项Ⅰ类知识产权可得{p.ip_class1_points}分")
    return hints


# ---------------------------------------------------------------------------------------------
# 研发费用加计扣除


@dataclass(slots=True)
class DeductionLine:
    """One line of the super-deduction breakdown shown on the page."""

    label: str
    amount: Decimal | None  # yuan, or the rate for rate lines
    text: str  # formatted ("191.11万元", "100%")
    note: str = ""  # formula or source


@dataclass(slots=True)
class SuperDeduction:
    """The year's 研发费用加计扣除, 费用化 part and 资本化 (amortisation) part, with its breakdown."""

    ruleset: str
    year: int
    rd: SdRd
    rate: Decimal  # 1.00, or 1.20 for 集成电路/工业母机企业 to 2027
    extra_deduction: Decimal  # rd.eligible × rate
    capitalized_amortization: Decimal  # book amortisation of R&D intangibles this year
    capitalized_tax_amortization: Decimal  # deducted before tax: × (1 + rate), i.e. 200% / 220%
    capitalized_extra: Decimal  # the extra part: × rate
    total_extra: Decimal  # extra_deduction + capitalized_extra
    lines: list[DeductionLine]

    @property
    def eligible(self) -> Decimal:
        return self.rd.eligible

    def tax_saving(self, income_tax_rate: Decimal) -> Decimal:
        """企业所得税 saved by the extra deduction at the given rate (25%, or 15% for a 高企), to the fen."""
        return (self.total_extra * income_tax_rate).quantize(_CENT, ROUND_HALF_UP)


def super_deduction(year: YearData) -> SuperDeduction:
    """The year's extra deduction under 2023年第7号 (and 第44号 for 集成电路/工业母机企业 until 2027-12-31).

    Raises RulesetNotFound for fiscal years before 2023 (their rates are not in the rule base).
    """
    rs = ruleset_for(SD_RULESETS, date(year.year, 1, 1))
    p = rs.params
    rd = sd_rd_expense(
        year, other_rate=p.other_rate, commissioned_share=p.commissioned_share, foreign_cap=p.foreign_cap
    )
    enhanced = year.enhanced_rate and date(year.year, 1, 1) <= p.enhanced_until
    rate = p.enhanced_rate if enhanced else p.rate
    extra = (rd.eligible * rate).quantize(_CENT, ROUND_HALF_UP)
    amort = year.sd_capitalized_amortization
    cap_extra = (amort * rate).quantize(_CENT, ROUND_HALF_UP)
    cap_tax = amort + cap_extra
    rate_source = p.cite["enhanced"] if enhanced else p.cite["rate"]
    lines = [
        DeductionLine(
            "人员人工等五项费用",
            rd.five_sum,
            _wan(rd.five_sum),
            "人员人工、直接投入、折旧、无形资产摊销、新产品设计等费用",
        ),
        DeductionLine("其他相关费用（实际发生）", rd.other_actual, _wan(rd.other_actual)),
        DeductionLine(
            "其他相关费用限额",
            rd.other_cap,
            _wan(rd.other_cap),
            f"五项费用×{_rate(p.other_rate)}÷(1−{_rate(p.other_rate)})，全年合并计算（{p.cite['other_cap']}）",
        ),
        DeductionLine(
            "可加计扣除的其他相关费用", rd.other_allowed, _wan(rd.other_allowed), "实际发生数与限额孰小"
        ),
        DeductionLine(
            "委托境内研发费用（计入部分）",
            rd.commissioned_domestic,
            _wan(rd.commissioned_domestic),
            f"实际支付额×{_rate(p.commissioned_share)}（{p.cite['commissioned']}）",
        ),
        DeductionLine("境内符合条件的研发费用", rd.domestic_eligible, _wan(rd.domestic_eligible)),
        DeductionLine(
            "委托境外研发费用（计入部分）",
            rd.foreign_counted,
            _wan(rd.foreign_counted),
            f"实际支付额×{_rate(p.commissioned_share)}，不超过境内符合条件研发费用的"
            f"{p.foreign_cap[0]}/{p.foreign_cap[1]}（限额{_wan(rd.foreign_cap)}，{p.cite['foreign']}）",
        ),
        DeductionLine("可加计扣除的研发费用", rd.eligible, _wan(rd.eligible)),
        DeductionLine("加计扣除比例", rate, _rate(rate), rate_source),
        DeductionLine("费用化研发费用加计扣除额", extra, _wan(extra), f"可加计扣除的研发费用×{_rate(rate)}"),
    ]
    if amort:
        lines += [
            DeductionLine("无形资产本年摊销额（会计）", amort, _wan(amort)),
            DeductionLine(
                "无形资产税前摊销额", cap_tax, _wan(cap_tax), f"按无形资产成本的{_rate(1 + rate)}摊销"
            ),
            DeductionLine("无形资产加计摊销额", cap_extra, _wan(cap_extra)),
        ]
    lines.append(DeductionLine("加计扣除合计", extra + cap_extra, _wan(extra + cap_extra)))
    if year.enhanced_rate and not enhanced:
        lines.append(
            DeductionLine(
                "说明",
                None,
                "",
                f"集成电路/工业母机企业120%比例执行至{_date(p.enhanced_until)}，本年度按{_rate(rate)}",
            )
        )
    return SuperDeduction(
        rs.code, year.year, rd, rate, extra, amort, cap_tax, cap_extra, extra + cap_extra, lines
    )


# 财税〔2015〕119号 四: 烟草制造业 (C16), 住宿和餐饮业 (H), 批发和零售业 (F), 房地产业 (K), 租赁和商务服务业 (L),
# 娱乐业 (R90), per GB/T 4754; a section letter alone decides only for the whole-section industries.
NEGATIVE_LIST_INDUSTRIES: Mapping[str, str] = MappingProxyType(
    {
        "C16": "烟草制品业",
        "H": "住宿和餐饮业",
        "F": "批发和零售业",
        "K": "房地产业",
        "L": "租赁和商务服务业",
        "R90": "娱乐业",
    }
)


def negative_list_industry(industry: str) -> str | None:
    """The negative-list industry an GB/T 4754 code ("F", "F51", "C16", "R90" …) falls in, or None."""
    for prefix, name in NEGATIVE_LIST_INDUSTRIES.items():
        if industry.startswith(prefix):
            return name
    return None


def negative_list_excluded(
    industry_income: Decimal,
    total_income: Decimal,
    non_taxable: Decimal,
    investment_income: Decimal,
    *,
    share: Decimal = SD_2023.negative_list_share,
) -> bool:
    """True when negative-list income is more than 50% (不含) of 收入总额 − 不征税收入 − 投资收益 (2015年第97号 四)."""
    base = total_income - non_taxable - investment_income
    return industry_income > _EXACT.multiply(share, base)
