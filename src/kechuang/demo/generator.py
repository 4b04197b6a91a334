"""Deterministic demo data: organizations and users of every role, spread over the real regions.

Two layers:

* `generate()` is pure: from a size, a seed and the region list it returns plain record specs
  (`OrgSpec`, `UserSpec`). The same arguments always give the same records, and record *i* of a
  bigger size equals record *i* of a smaller one, so data can grow from "small" to "province".
* `load()` writes the specs that are not in the database yet (by credit code / username), so a
  second run neither duplicates nor fails.

Names, addresses and people come from the word lists below (no Faker): realistic in form,
fictitious in substance. Credit codes follow GB 32100 (rules.md §4) and are unique by
construction — the organisation-code part is a bijection of the record's index.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from kechuang.organizations.validators import CHARSET, credit_code_check_char

DEMO_PASSWORD = "Kechuang2026"
DEFAULT_SEED = 2019
EMAIL_DOMAIN = "demo.kechuang.local"
BATCH_SIZE = 2000


@dataclass(frozen=True)
class SizePlan:
    organizations: int
    bureau_staff: int
    officers_per_town: int
    experts: int
    brokers: int
    admin_every: int  # one organization-admin user per this many organizations


SIZES: dict[str, SizePlan] = {
    # "tiny" is for tests only; the command's help shows the other three.
    "tiny": SizePlan(
        organizations=200, bureau_staff=12, officers_per_town=1, experts=10, brokers=5, admin_every=10
    ),
    "small": SizePlan(
        organizations=8000, bureau_staff=24, officers_per_town=1, experts=50, brokers=10, admin_every=10
    ),
    "medium": SizePlan(
        organizations=20000, bureau_staff=60, officers_per_town=2, experts=500, brokers=100, admin_every=10
    ),
    "province": SizePlan(
        organizations=100000, bureau_staff=150, officers_per_town=3, experts=5000, brokers=500, admin_every=10
    ),
}
PUBLIC_SIZES = ("small", "medium", "province")


# --------------------------------------------------------------------------------------------
# Regions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: str
    parent: str | None


def regions_from_json() -> list[RegionRow]:
    """The regions the migration loads, read from the shipped JSON (no database needed)."""
    path = Path(__file__).resolve().parent.parent / "regions" / "data" / "regions.json"
    rows = json.loads(path.read_text(encoding="utf-8"))["regions"]
    return sorted(
        (RegionRow(r["code"], r["name"], r["level"], r["parent"]) for r in rows), key=lambda r: r.code
    )


def regions_from_db() -> list[RegionRow]:
    from kechuang.regions.models import Region

    rows = Region.objects.order_by("code").values_list("code", "name", "level", "parent_id")
    return [RegionRow(*row) for row in rows]


SHAOXING = "330600"
# Relative weight of each 绍兴 county in the organization population.
COUNTY_WEIGHTS = {
    "330603": 28,  # 柯桥区
    "330602": 20,  # 越城区
    "330681": 20,  # 诸暨市
    "330604": 16,  # 上虞区
    "330624": 8,  # 新昌县
    "330683": 8,  # 嵊州市
}
OTHER_CITY_SHARE = 0.02  # a few providers and companies registered in 嘉兴 and 衢州 counties
COUNTY_LEVEL_SHARE = 0.12  # registered at county level rather than in a town
AREA_CODES = {"330600": "0575", "330400": "0573", "330800": "0570"}


def _short(name: str) -> str:
    """越城区 → 越城, 诸暨市 → 诸暨, 新昌县 → 新昌, 绍兴市 → 绍兴."""
    return name[:-1] if len(name) > 2 and name[-1] in "区市县" else name


class RegionIndex:
    """Lookups over the region list that the generator needs."""

    def __init__(self, regions: Sequence[RegionRow]):
        self.by_code = {r.code: r for r in regions}
        self.towns_of: dict[str, list[RegionRow]] = {}
        for r in sorted(regions, key=lambda r: r.code):
            if r.level == "town" and r.parent:
                self.towns_of.setdefault(r.parent, []).append(r)
        self.cities = [r for r in sorted(regions, key=lambda r: r.code) if r.level == "city"]
        self.counties = [r for r in sorted(regions, key=lambda r: r.code) if r.level == "county"]
        self.towns = [t for code in sorted(self.towns_of) for t in self.towns_of[code]]

        weighted: list[tuple[RegionRow, float]] = []
        home_counties = [c for c in self.counties if c.parent == SHAOXING]
        total = sum(COUNTY_WEIGHTS.get(c.code, 5) for c in home_counties) or 1
        for county in home_counties:
            share = (1 - OTHER_CITY_SHARE) * COUNTY_WEIGHTS.get(county.code, 5) / total
            towns = self.towns_of.get(county.code, [])
            if towns:
                weighted.append((county, share * COUNTY_LEVEL_SHARE))
                weighted.extend((t, share * (1 - COUNTY_LEVEL_SHARE) / len(towns)) for t in towns)
            else:
                weighted.append((county, share))
        others = [c for c in self.counties if c.parent != SHAOXING]
        weighted.extend((c, OTHER_CITY_SHARE / len(others)) for c in others)
        if not weighted:
            raise ValueError("no regions loaded: run `manage.py migrate` first")
        self.weighted_regions = [r for r, _ in weighted]
        running, cumulative = 0.0, []
        for _, w in weighted:
            running += w
            cumulative.append(running)
        self.cumulative = cumulative

    def pick(self, rng: random.Random) -> RegionRow:
        return rng.choices(self.weighted_regions, cum_weights=self.cumulative)[0]

    def county_of(self, region: RegionRow) -> RegionRow:
        while region.level not in ("county", "city", "province") and region.parent:
            region = self.by_code[region.parent]
        return region

    def city_of(self, region: RegionRow) -> RegionRow:
        while region.level not in ("city", "province") and region.parent:
            region = self.by_code[region.parent]
        return region


# --------------------------------------------------------------------------------------------
# Word lists
# --------------------------------------------------------------------------------------------

# Surnames with rough weights; 楼 寿 斯 宣 裘 竺 俞 are typical of 诸暨 / 嵊州 / 绍兴.
SURNAMES = tuple(
    (entry[0], int(entry[1:]))
    for entry in (
        "王8 陈9 张6 李6 徐5 周5 吴5 金4 沈4 杨4 黄4 朱4 胡4 钱3 赵3 孙3 何3 俞3 楼2 宣2 寿2 斯1 裘2 "
        "竺1 章3 孟2 马2 郭2 林2 罗2 郑2 谢2 宋2 唐2 许2 韩1 冯2 邓1 曹2 彭1 蒋2 蔡2 余2 叶2 程1 魏1 "
        "丁2 任1 姚2 陆2 汪2 范1 石1 夏1 方2 钟1 邵2 屠1 鲁1 顾1 贺1 汤1 毛1 应1 严1 傅2 潘1 袁1 施1 "
        "宓1 单1 "
    ).split()
)
GIVEN_CHARS_MALE = (
    "伟强磊军勇杰涛明超刚平辉鹏华飞斌波宇浩凯健俊帆旭宁龙林洋亮成峰建国志文海新立东永江晓晨阳荣庆德富良炳根"
)
GIVEN_CHARS_FEMALE = "欣怡婷静丽娟艳芳敏玲燕霞萍红英丹颖琳倩洁雪慧佳琪瑶璐蕾月春秋梅兰晓晨莉娜"

BRAND_CHARS = (
    "华宇恒泰鑫盛达隆兴顺丰瑞祥宏远通嘉信诚德利源创昌明伟力凯豪海天金永正中大联合东方越舜禹"
    "鉴稽兰亭亚欧佳康安博精卓赛特维航星光辉耀晶峰岭江帆汇群益昊富新万荣腾骏晟轩"
)

# (word, GB/T 4754 section, high-tech fields it may fall in, weight, "科技" suffix: always/maybe/never)
BASE_WORDS = (
    ("纺织", "C", ("new_materials", "advanced_manufacturing"), 4, "maybe"),
    ("印染", "C", ("resources_environment", "new_materials"), 2, "never"),
    ("化纤", "C", ("new_materials",), 2, "maybe"),
    ("服饰", "C", (), 2, "never"),
    ("机械", "C", ("advanced_manufacturing",), 4, "maybe"),
    ("精密机械", "C", ("advanced_manufacturing",), 3, "maybe"),
    ("机电", "C", ("advanced_manufacturing",), 3, "maybe"),
    ("电机", "C", ("advanced_manufacturing", "new_energy"), 2, "maybe"),
    ("汽车零部件", "C", ("advanced_manufacturing",), 2, "never"),
    ("五金", "C", (), 2, "never"),
    ("阀门", "C", ("advanced_manufacturing",), 1, "never"),
    ("泵业", "C", ("advanced_manufacturing",), 1, "never"),
    ("智能装备", "C", ("advanced_manufacturing",), 2, "maybe"),
    ("自动化", "C", ("advanced_manufacturing",), 2, "always"),
    ("电子", "C", ("electronic_information",), 3, "maybe"),
    ("光电", "C", ("electronic_information", "new_energy"), 2, "always"),
    ("电器", "C", ("electronic_information", "advanced_manufacturing"), 2, "never"),
    ("新材料", "C", ("new_materials",), 3, "always"),
    ("化工", "C", ("new_materials", "resources_environment"), 2, "never"),
    ("医药", "C", ("bio_medicine",), 1, "maybe"),
    ("医疗器械", "C", ("bio_medicine",), 1, "never"),
    ("食品", "C", (), 2, "never"),
    ("塑业", "C", ("new_materials",), 1, "never"),
    ("包装", "C", (), 2, "never"),
    ("建材", "C", ("new_materials",), 1, "never"),
    ("环保设备", "C", ("resources_environment",), 2, "never"),
    ("新能源", "C", ("new_energy",), 2, "always"),
    ("照明", "C", ("new_energy", "electronic_information"), 1, "maybe"),
    ("纸业", "C", (), 1, "never"),
    ("信息技术", "I", ("electronic_information",), 3, "never"),
    ("软件", "I", ("electronic_information",), 2, "maybe"),
    ("网络", "I", ("electronic_information",), 2, "always"),
    ("数据", "I", ("electronic_information", "high_tech_services"), 1, "always"),
    ("智能", "I", ("electronic_information",), 2, "always"),
    ("检测技术", "M", ("high_tech_services",), 1, "never"),
    ("工程技术", "M", ("high_tech_services",), 1, "never"),
    ("生物", "M", ("bio_medicine",), 1, "always"),
    ("环境", "M", ("resources_environment",), 1, "always"),
    ("工业设计", "M", ("high_tech_services",), 1, "never"),
    ("节能", "M", ("new_energy",), 1, "always"),
    ("纺织品", "F", (), 2, "never"),
    ("商贸", "F", (), 2, "never"),
    ("进出口", "F", (), 1, "never"),
    ("建设工程", "E", (), 1, "never"),
    ("生态农业", "A", (), 1, "maybe"),
    ("物流", "G", (), 1, "never"),
)
# Each county's signature industries, added on top of BASE_WORDS.
COUNTY_WORDS = {
    "330603": (
        ("纺织", "C", ("new_materials", "advanced_manufacturing"), 16, "maybe"),  # 柯桥: 中国轻纺城
        ("印染", "C", ("resources_environment", "new_materials"), 8, "never"),
        ("化纤", "C", ("new_materials",), 5, "maybe"),
        ("家纺", "C", (), 4, "never"),
        ("纺织品", "F", (), 6, "never"),
    ),
    "330602": (
        ("黄酒", "C", (), 4, "never"),
        ("集成电路", "C", ("electronic_information",), 4, "always"),
        ("针织", "C", (), 3, "never"),
        ("信息技术", "I", ("electronic_information",), 3, "never"),
    ),
    "330604": (
        ("化工", "C", ("new_materials", "resources_environment"), 8, "never"),
        ("新材料", "C", ("new_materials",), 5, "always"),
        ("伞业", "C", (), 3, "never"),
        ("电机", "C", ("advanced_manufacturing", "new_energy"), 3, "maybe"),
    ),
    "330624": (
        ("轴承", "C", ("advanced_manufacturing",), 8, "maybe"),
        ("医药", "C", ("bio_medicine",), 6, "maybe"),
        ("精密机械", "C", ("advanced_manufacturing",), 5, "maybe"),
        ("茶业", "C", (), 3, "never"),
    ),
    "330681": (
        ("袜业", "C", (), 8, "never"),
        ("五金", "C", (), 5, "never"),
        ("珍珠", "C", (), 3, "never"),
        ("铜业", "C", ("new_materials",), 4, "never"),
        ("管业", "C", ("new_materials",), 3, "never"),
        ("环保设备", "C", ("resources_environment",), 3, "never"),
    ),
    "330683": (
        ("领带", "C", (), 8, "never"),
        ("厨具", "C", ("advanced_manufacturing",), 6, "never"),
        ("电器", "C", ("electronic_information", "advanced_manufacturing"), 4, "never"),
        ("茶业", "C", (), 3, "never"),
    ),
}

ROADS = {
    "330602": "解放北路 解放南路 中兴中路 人民中路 胜利西路 延安东路 环城北路 越东路 二环北路 凤林西路 平江路 城南大道 世纪街".split(),
    "330603": "笛扬路 金柯桥大道 群贤路 鉴湖路 湖西路 柯华路 兴越路 百舸路 柯北大道 华齐路 育才路".split(),
    "330604": "人民大道 市民大道 江扬路 舜江路 曹娥路 百官大道 凤鸣路 德盛路 滨江路".split(),
    "330624": "人民路 七星路 鼓山路 江滨路 新昌大道 沃洲路 南岩路 羽林路".split(),
    "330681": "暨阳路 艮塔路 望云路 浣东路 东二路 江东路 陶朱路 大桥路 永昌路".split(),
    "330683": "官河路 鹿山路 北直街 嵊州大道 剡湖路 罗东路 三江路".split(),
}
GENERIC_ROADS = (
    "工业路 兴业路 创业路 科技路 发展大道 振兴路 光明路 人民路 建设路 新华路 文化路 "
    "镇中路 环镇路 园区路 开发区大道"
).split()

UNIVERSITIES = (  # real colleges of 绍兴, with their county
    ("绍兴文理学院", "330602"),
    ("浙江越秀外国语学院", "330602"),
    ("绍兴职业技术学院", "330602"),
    ("浙江工业职业技术学院", "330602"),
    ("浙江邮电职业技术学院", "330602"),
    ("绍兴文理学院元培学院", "330602"),
    ("浙江农林大学暨阳学院", "330681"),
    ("浙江理工大学科技与艺术学院", "330604"),
    ("浙江工业大学之江学院", "330603"),
)
PARENT_UNIVERSITIES = (
    "浙江大学 浙江工业大学 浙江理工大学 中国计量大学 杭州电子科技大学 浙江工商大学 "
    "浙江科技大学 浙江农林大学 宁波大学 浙江师范大学 东华大学 江南大学 上海大学 天津大学 "
    "西安交通大学 哈尔滨工业大学 北京理工大学"
).split()
RESEARCH_FIELDS = (
    "纺织 新材料 智能制造 生物医药 集成电路 先进制造 生态环境 现代农业 数字经济 新能源 "
    "高分子材料 精密制造 绿色化工 人工智能 光电 医疗器械 食品安全 茶叶 轴承 印染"
).split()
SERVICE_FIELDS = (
    "纺织品 产品质量 计量 食品 环境 化工产品 机械产品 电子电器 医疗器械 新材料 建筑材料 特种设备"
).split()
TECH_FIELD_TECH_WORD = {  # an institute's research field → its high-tech field
    "纺织": "new_materials",
    "新材料": "new_materials",
    "高分子材料": "new_materials",
    "印染": "new_materials",
    "智能制造": "advanced_manufacturing",
    "先进制造": "advanced_manufacturing",
    "精密制造": "advanced_manufacturing",
    "轴承": "advanced_manufacturing",
    "生物医药": "bio_medicine",
    "医疗器械": "bio_medicine",
    "集成电路": "electronic_information",
    "人工智能": "electronic_information",
    "数字经济": "electronic_information",
    "光电": "electronic_information",
    "生态环境": "resources_environment",
    "绿色化工": "resources_environment",
    "新能源": "new_energy",
}


# --------------------------------------------------------------------------------------------
# Credit codes (GB 32100, rules.md §4)
# --------------------------------------------------------------------------------------------

_SCRAMBLE = 7_368_787  # odd, not a multiple of 5 or 31: a bijection modulo 10^8 and modulo 31^6
_OFFSET = 104_729
FIXED_INDEX_BASE = 90_000_000  # indexes of the named demo organizations, far above any size


def gb11714_check_char(body8: str) -> str:
    """Check character of an 8-character organisation code (GB 11714: A=10 … Z=35)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, weights, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def organization_code(index: int, modern: bool) -> str:
    """The 9-character 主体标识码 for record `index`: unique per (index, modern) by construction.

    Codes issued since the 2015 reform start with "MA" followed by 6 charset characters; older
    organisation codes are 8 digits. The last character is the GB 11714 check.
    """
    if modern:
        n = (index * _SCRAMBLE + _OFFSET) % 31**6
        chars = []
        for _ in range(6):
            n, r = divmod(n, 31)
            chars.append(CHARSET[r])
        body = "MA" + "".join(reversed(chars))
    else:
        body = f"{(index * _SCRAMBLE + _OFFSET) % 10**8:08d}"
    return body + gb11714_check_char(body)


def make_credit_code(prefix2: str, county_code: str, index: int, modern: bool) -> str:
    first17 = prefix2 + county_code + organization_code(index, modern)
    return first17 + credit_code_check_char(first17)


# --------------------------------------------------------------------------------------------
# Record specs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgSpec:
    index: int
    kind: str
    name: str
    credit_code: str
    region_code: str
    address: str
    industry: str
    tech_field: str
    founded_on: date
    size: str
    legal_representative: str
    contact_phone: str
    status: str
    verified_at: datetime | None
    institution_type: str = ""

    def model_fields(self) -> dict:
        values = asdict(self)
        values.pop("index")
        values["region_id"] = values.pop("region_code")
        return values


@dataclass(frozen=True)
class UserSpec:
    username: str
    role: str
    last_name: str
    phone: str
    region_code: str | None = None
    department: str = ""
    organization_code: str | None = None  # credit code of the organization
    is_org_admin: bool = False
    membership_status: str = "active"
    is_staff: bool = False

    @property
    def email(self) -> str:
        return f"{self.username}@{EMAIL_DOMAIN}"


@dataclass
class DemoDataset:
    organizations: list[OrgSpec] = field(default_factory=list)
    users: list[UserSpec] = field(default_factory=list)

    def as_records(self) -> dict:
        """Plain dicts, for comparing two generations."""
        return {
            "organizations": [asdict(o) for o in self.organizations],
            "users": [asdict(u) for u in self.users],
        }


class Namer:
    """Person names, phones and addresses, drawn from one random stream."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._surnames = [s for s, _ in SURNAMES]
        running, self._surname_cum = 0, []
        for _, w in SURNAMES:
            running += w
            self._surname_cum.append(running)

    def person(self) -> str:
        rng = self.rng
        surname = rng.choices(self._surnames, cum_weights=self._surname_cum)[0]
        chars = GIVEN_CHARS_MALE if rng.random() < 0.55 else GIVEN_CHARS_FEMALE
        if rng.random() < 0.35:
            return surname + rng.choice(chars)
        first, second = rng.sample(chars, 2)
        return surname + first + second

    def landline(self, city_code: str) -> str:
        area = AREA_CODES.get(city_code, "0575")
        return f"{area}-8{self.rng.randrange(10**7):07d}"

    def mobile(self) -> str:
        prefix = self.rng.choice(
            ("135", "136", "137", "138", "139", "150", "151", "158", "159", "187", "188")
        )
        return f"{prefix}{self.rng.randrange(10**8):08d}"

    def address(self, index: RegionIndex, region: RegionRow) -> str:
        rng = self.rng
        county = index.county_of(region)
        number = rng.choice(
            (rng.randint(1, 99), rng.randint(1, 99), rng.randint(100, 999), rng.randint(1000, 2999))
        )
        if region.level == "town" and region.name.endswith(("镇", "乡")):
            return f"{county.name}{region.name}{rng.choice(GENERIC_ROADS)}{number}号"
        road = rng.choice(ROADS.get(county.code, GENERIC_ROADS))
        return f"{county.name}{road}{number}号"


def _founded(rng: random.Random) -> date:
    start = date(1990, 1, 1).toordinal()
    return date.fromordinal(rng.randint(start, date(2024, 12, 31).toordinal()))


_VERIFIED_FROM = datetime(2023, 1, 1, tzinfo=UTC)
_VERIFIED_SPAN = int((datetime(2025, 10, 31, tzinfo=UTC) - _VERIFIED_FROM).total_seconds())


class OrganizationGenerator:
    """Produces OrgSpec number 0, 1, 2 … from one random stream (so any prefix is stable)."""

    def __init__(self, regions: RegionIndex, seed: int):
        self.regions = regions
        self.rng = random.Random(f"kechuang-demo:{seed}:organizations")
        self.namer = Namer(self.rng)
        self.names: set[str] = set()
        self.universities = list(UNIVERSITIES)
        self._words_cache: dict[str, tuple[list, list]] = {}

    # -- helpers -------------------------------------------------------------------------------

    def _brand(self) -> str:
        a, b = self.rng.sample(BRAND_CHARS, 2)
        return a + b

    def _words(self, county_code: str):
        cached = self._words_cache.get(county_code)
        if cached is None:
            words = list(BASE_WORDS) + list(COUNTY_WORDS.get(county_code, ()))
            running, cum = 0, []
            for w in words:
                running += w[3]
                cum.append(running)
            cached = self._words_cache[county_code] = (words, cum)
        return cached

    def _unique(self, make: Callable[[], str], fallback: Callable[[], str]) -> str:
        for _ in range(12):
            name = make()
            if name not in self.names:
                self.names.add(name)
                return name
        while True:
            name = fallback()
            if name not in self.names:
                self.names.add(name)
                return name

    def _place_prefix(self, county: RegionRow, city: RegionRow) -> str:
        roll = self.rng.random()
        county_short, city_short = _short(county.name), _short(city.name)
        if county.level != "county":
            return city_short
        if roll < 0.45:
            return city_short + county_short
        if roll < 0.75:
            return county_short
        return city_short

    def _status(self) -> tuple[str, datetime | None]:
        if self.rng.random() < 0.03:
            return "pending", None
        return "verified", _VERIFIED_FROM + timedelta(seconds=self.rng.randrange(_VERIFIED_SPAN))

    # -- kinds ---------------------------------------------------------------------------------

    def _enterprise(self, region: RegionRow, county: RegionRow, city: RegionRow) -> dict:
        rng = self.rng
        words, cum = self._words(county.code)
        word, industry, fields, _, suffix = rng.choices(words, cum_weights=cum)[0]
        tech_field = rng.choice(fields) if fields and rng.random() < 0.75 else ""
        if not tech_field and industry in "CIM" and rng.random() < 0.3:
            tech_field = {
                "C": "advanced_manufacturing",
                "I": "electronic_information",
                "M": "high_tech_services",
            }[industry]
        roll = rng.random()
        form = "股份有限公司" if roll < 0.07 else "有限责任公司" if roll < 0.12 else "有限公司"
        tech = suffix == "always" or (suffix == "maybe" and tech_field and rng.random() < 0.6)
        tail = word + ("科技" if tech else "") + form
        if form == "股份有限公司":
            size = rng.choice(("medium", "large", "large"))
        else:
            size = rng.choices(("micro", "small", "medium", "large"), weights=(35, 42, 18, 5))[0]

        def make() -> str:
            prefix = (
                "浙江" + (_short(county.name) if rng.random() < 0.6 and county.level == "county" else "")
                if form == "股份有限公司"
                else self._place_prefix(county, city)
            )
            return prefix + self._brand() + tail

        def fallback() -> str:
            return self._place_prefix(county, city) + self._brand() + rng.choice(BRAND_CHARS) + tail

        return {
            "kind": "enterprise",
            "name": self._unique(make, fallback),
            "industry": industry,
            "tech_field": tech_field,
            "size": size,
            "prefix2": "91",
        }

    def _institution(self, region: RegionRow, county: RegionRow, city: RegionRow) -> dict:
        rng = self.rng
        research_field = rng.choice(RESEARCH_FIELDS)
        tech_field = TECH_FIELD_TECH_WORD.get(research_field, "")
        city_short = _short(city.name)
        place = rng.choice((city_short, city_short, _short(county.name)))
        if self.universities and rng.random() < 0.25:
            name, county_code = self.universities.pop(0)
            self.names.add(name)
            return {
                "kind": "institution",
                "institution_type": "university",
                "name": name,
                "industry": "P",
                "tech_field": "",
                "size": "large",
                "prefix2": "12",
                "region_override": county_code,
            }
        roll = rng.random()
        prefix2 = "12"
        if roll < 0.45:

            def make() -> str:
                field_part = research_field if rng.random() < 0.7 else ""
                return f"{rng.choice(PARENT_UNIVERSITIES)}{place}{field_part}{rng.choice(('研究院', '创新研究院'))}"
        elif roll < 0.75:

            def make() -> str:
                if county.level == "county" and rng.random() < 0.6:
                    return f"{county.name}{research_field}科学研究所"
                return f"{city.name}{research_field}研究院"
        else:
            prefix2 = "52"  # 民办非企业单位

            def make() -> str:
                return f"{city_short}{self._brand()}{research_field}研究院"

        def fallback() -> str:
            return f"{place}{self._brand()}{research_field}研究院"

        return {
            "kind": "institution",
            "institution_type": "research_institute",
            "name": self._unique(make, fallback),
            "industry": "M",
            "tech_field": tech_field,
            "size": rng.choice(("small", "medium")),
            "prefix2": prefix2,
        }

    def _provider(self, region: RegionRow, county: RegionRow, city: RegionRow) -> dict:
        rng = self.rng
        roll = rng.random()
        prefix2 = "91"
        if roll < 0.6:
            tail = rng.choice(
                (
                    "检测技术有限公司",
                    "检测技术服务有限公司",
                    "技术服务有限公司",
                    "科技服务有限公司",
                    "认证检测有限公司",
                    "计量检测有限公司",
                )
            )

            def make() -> str:
                return self._place_prefix(county, city) + self._brand() + tail
        elif roll < 0.85:
            prefix2 = "12"

            def make() -> str:
                owner = county.name if county.level == "county" and rng.random() < 0.6 else city.name
                return f"{owner}{rng.choice(SERVICE_FIELDS)}{rng.choice(('检测中心', '质量检验检测中心'))}"
        else:
            prefix2 = rng.choice(("12", "52"))

            def make() -> str:
                owner = county.name if county.level == "county" else city.name
                return f"{owner}{rng.choice(RESEARCH_FIELDS)}{rng.choice(('仪器共享平台', '科技创新服务平台', '公共服务平台'))}"

        def fallback() -> str:
            return self._place_prefix(county, city) + self._brand() + "检测技术有限公司"

        name = self._unique(make, fallback)
        if name.endswith("有限公司"):
            prefix2 = "91"
        tech_field = "high_tech_services" if rng.random() < 0.5 else ""
        return {
            "kind": "provider",
            "name": name,
            "industry": "M",
            "tech_field": tech_field,
            "size": rng.choices(("micro", "small", "medium"), weights=(30, 50, 20))[0],
            "prefix2": prefix2,
        }

    def _agency(self, region: RegionRow, county: RegionRow, city: RegionRow) -> dict:
        rng = self.rng
        roll = rng.random()
        industry, prefix2 = "L", "91"
        if roll < 0.35:

            def make() -> str:
                return f"{_short(city.name)}{self._brand()}知识产权代理事务所（普通合伙）"
        elif roll < 0.6:

            def make() -> str:
                return f"{self._place_prefix(county, city)}{self._brand()}专利代理有限公司"
        elif roll < 0.8:
            industry, prefix2 = "M", "52"

            def make() -> str:
                owner = county.name if county.level == "county" and rng.random() < 0.6 else city.name
                return f"{owner}{rng.choice(RESEARCH_FIELDS)}技术转移中心"
        else:
            industry = "M"

            def make() -> str:
                return f"{self._place_prefix(county, city)}{self._brand()}科技咨询有限公司"

        def fallback() -> str:
            return f"{self._place_prefix(county, city)}{self._brand()}科技咨询有限公司"

        name = self._unique(make, fallback)
        if name.endswith("有限公司") or name.endswith("（普通合伙）"):
            prefix2 = "91"
        return {
            "kind": "agency",
            "name": name,
            "industry": industry,
            "tech_field": "",
            "size": rng.choices(("micro", "small"), weights=(60, 40))[0],
            "prefix2": prefix2,
        }

    # -- one record ----------------------------------------------------------------------------

    def next(self, index: int) -> OrgSpec:
        rng = self.rng
        roll = rng.random()
        kind = (
            "enterprise"
            if roll < 0.85
            else "institution"
            if roll < 0.88
            else "provider"
            if roll < 0.95
            else "agency"
        )
        region = self.regions.pick(rng)
        county = self.regions.county_of(region)
        city = self.regions.city_of(region)
        spec = getattr(self, f"_{kind}")(region, county, city)
        if "region_override" in spec:
            region = county = self.regions.by_code.get(spec["region_override"], county)
            city = self.regions.city_of(region)
        founded_on = _founded(rng)
        # Codes issued after the 2015 reform are "MA…"; 事业单位 keep their numeric organisation code.
        modern = spec["prefix2"] != "12" and founded_on.year >= 2016
        status, verified_at = self._status()
        return OrgSpec(
            index=index,
            kind=spec["kind"],
            institution_type=spec.get("institution_type", ""),
            name=spec["name"],
            credit_code=make_credit_code(
                spec["prefix2"], county.code if county.level == "county" else city.code, index, modern
            ),
            region_code=region.code,
            address=self.namer.address(self.regions, region),
            industry=spec["industry"],
            tech_field=spec["tech_field"],
            founded_on=founded_on,
            size=spec["size"],
            legal_representative=self.namer.person(),
            contact_phone=self.namer.landline(city.code),
            status=status,
            verified_at=verified_at,
        )


def generate_organizations(
    regions: Sequence[RegionRow], count: int, seed: int = DEFAULT_SEED
) -> list[OrgSpec]:
    generator = OrganizationGenerator(RegionIndex(regions), seed)
    # The fixed demo organizations' names are taken, so no generated one collides with them.
    generator.names.update(o["name"] for o in FIXED_ORGANIZATIONS)
    return [generator.next(i) for i in range(count)]


# --------------------------------------------------------------------------------------------
# The named demo organizations and logins
# --------------------------------------------------------------------------------------------

FIXED_ORGANIZATIONS = (
    {
        "key": "ent_demo",
        "kind": "enterprise",
        "name": "绍兴柯桥演示纺织科技有限公司",
        "region": "330603L01",
        "industry": "C",
        "tech_field": "new_materials",
        "size": "medium",
        "founded_on": date(2008, 5, 18),
        "address": "柯桥区笛扬路1288号",
        "legal_representative": "王建华",
        "contact_phone": "0575-84123456",
        "prefix2": "91",
    },
    {
        "key": "ent_demo2",
        "kind": "enterprise",
        "name": "诸暨演示五金机械有限公司",
        "region": "330681L07",
        "industry": "C",
        "tech_field": "advanced_manufacturing",
        "size": "small",
        "founded_on": date(2017, 3, 9),
        "address": "诸暨市店口镇工业路66号",
        "legal_representative": "寿永明",
        "contact_phone": "0575-87123456",
        "prefix2": "91",
    },
    {
        "key": "inst_demo",
        "kind": "institution",
        "institution_type": "research_institute",
        "name": "绍兴演示理工研究院",
        "region": "330602L07",
        "industry": "M",
        "tech_field": "advanced_manufacturing",
        "size": "medium",
        "founded_on": date(2012, 9, 1),
        "address": "越城区二环北路88号",
        "legal_representative": "周文博",
        "contact_phone": "0575-88123456",
        "prefix2": "12",
    },
    {
        "key": "provider_demo",
        "kind": "provider",
        "name": "绍兴演示检测技术服务有限公司",
        "region": "330602L05",
        "industry": "M",
        "tech_field": "high_tech_services",
        "size": "small",
        "founded_on": date(2019, 11, 20),
        "address": "越城区城南大道210号",
        "legal_representative": "吴佳琪",
        "contact_phone": "0575-88654321",
        "prefix2": "91",
    },
)


def fixed_organizations(regions: Sequence[RegionRow]) -> list[OrgSpec]:
    index = RegionIndex(regions)
    specs = []
    for number, org in enumerate(FIXED_ORGANIZATIONS, start=1):
        region = index.by_code[org["region"]]
        county = index.county_of(region)
        modern = org["prefix2"] != "12" and org["founded_on"].year >= 2016
        specs.append(
            OrgSpec(
                index=FIXED_INDEX_BASE + number,
                kind=org["kind"],
                institution_type=org.get("institution_type", ""),
                name=org["name"],
                credit_code=make_credit_code(org["prefix2"], county.code, FIXED_INDEX_BASE + number, modern),
                region_code=region.code,
                address=org["address"],
                industry=org["industry"],
                tech_field=org["tech_field"],
                founded_on=org["founded_on"],
                size=org["size"],
                legal_representative=org["legal_representative"],
                contact_phone=org["contact_phone"],
                status="verified",
                verified_at=datetime(2024, 3, 1, 2, 0, tzinfo=UTC),
            )
        )
    return specs


@dataclass(frozen=True)
class NamedLogin:
    username: str
    role: str
    label: str
    sees: str
    full_name: str
    phone: str
    region_code: str | None = None
    department: str = ""
    organization_key: str | None = None
    is_org_admin: bool = False
    membership_status: str = "active"
    is_staff: bool = False


NAMED_LOGINS = (
    NamedLogin(
        "sx_admin",
        "bureau_admin",
        "市科技局管理员",
        "绍兴市全部单位；登记、核验单位；审计日志；管理后台（用户、区划）",
        "陈志强",
        "13805750001",
        "330600",
        "office",
        is_staff=True,
    ),
    NamedLogin(
        "sx_gaoxin",
        "bureau_staff",
        "市局高新技术处",
        "绍兴市全部单位；计划类别与申报指南；申报书形式审查；专家抽取与专家库",
        "徐晓峰",
        "13805750002",
        "330600",
        "high_tech",
    ),
    NamedLogin(
        "sx_leader", "bureau_leader", "局领导", "绍兴市全部单位（只读）", "金国平", "13805750003", "330600"
    ),
    NamedLogin(
        "kq_staff",
        "bureau_staff",
        "柯桥区科技局",
        "只看柯桥区的单位；登记、核验；推荐柯桥区的申报书",
        "沈丽娟",
        "13805750004",
        "330603",
        "high_tech",
    ),
    NamedLogin(
        "kq_officer",
        "officer",
        "柯桥街道科技干部",
        "只看柯桥街道的单位（只读）",
        "钱海燕",
        "13805750005",
        "330603L01",
    ),
    NamedLogin(
        "zj_officer",
        "officer",
        "诸暨市属地科技干部",
        "诸暨市各镇街的单位（只读）",
        "楼建华",
        "13805750006",
        "330681",
    ),
    NamedLogin(
        "ent_demo",
        "enterprise",
        "企业用户（单位管理员）",
        "本企业信息；在线申报项目；审核 ent_member 的加入申请",
        "王伟",
        "13805750007",
        "330603L01",
        organization_key="ent_demo",
        is_org_admin=True,
    ),
    NamedLogin(
        "ent_demo2",
        "enterprise",
        "企业用户（诸暨）",
        "另一家企业，看不到 ent_demo 的企业",
        "寿永明",
        "13805750008",
        "330681L07",
        organization_key="ent_demo2",
        is_org_admin=True,
    ),
    NamedLogin(
        "ent_member",
        "enterprise",
        "企业成员（待审核）",
        "加入申请待审核：还看不到单位信息",
        "李婷",
        "13805750009",
        "330603L01",
        organization_key="ent_demo",
        membership_status="pending",
    ),
    NamedLogin(
        "inst_demo",
        "institution",
        "高校院所用户",
        "本院所信息",
        "周文博",
        "13805750010",
        "330602L07",
        organization_key="inst_demo",
        is_org_admin=True,
    ),
    NamedLogin(
        "expert_demo",
        "expert",
        "专家",
        "我的评审任务；我的专家信息与回避单位",
        "章立新",
        "13805750011",
        "330600",
    ),
    NamedLogin(
        "provider_demo",
        "provider",
        "服务机构用户",
        "本机构信息",
        "吴佳琪",
        "13805750012",
        "330602L05",
        organization_key="provider_demo",
        is_org_admin=True,
    ),
    NamedLogin("broker_demo", "broker", "技术经纪人", "工作台", "孙浩", "13805750013", "330600"),
)


# --------------------------------------------------------------------------------------------
# Bulk users
# --------------------------------------------------------------------------------------------

_ORG_ROLE = {"enterprise": "enterprise", "institution": "institution", "provider": "provider"}
_DEPARTMENTS = ("high_tech", "rural_social", "achievement", "ip", "planning", "office")


def generate_users(
    regions: Sequence[RegionRow], organizations: Sequence[OrgSpec], plan: SizePlan, seed: int = DEFAULT_SEED
) -> list[UserSpec]:
    """Bulk users of every role. Usernames depend only on position, never on the seed."""
    index = RegionIndex(regions)
    rng = random.Random(f"kechuang-demo:{seed}:users")
    namer = Namer(rng)
    users: list[UserSpec] = []

    def person(username: str, role: str, **kwargs) -> None:
        users.append(
            UserSpec(username=username, role=role, last_name=namer.person(), phone=namer.mobile(), **kwargs)
        )

    # Bureau users: an admin per city and per 绍兴 county, leaders of the cities, then staff.
    home_counties = [c for c in index.counties if c.parent == SHAOXING]
    bureaus = index.cities + home_counties
    for i in range(plan.bureau_staff):
        region = bureaus[i % len(bureaus)]
        if i < len(bureaus):
            role, department = "bureau_admin", "office"
        elif i < len(bureaus) + len(index.cities):
            role, department = "bureau_leader", ""
        else:
            role, department = "bureau_staff", _DEPARTMENTS[i % len(_DEPARTMENTS)]
        person(f"bureau{i + 1:03d}", role, region_code=region.code, department=department)

    # Town officers.
    for town in index.towns:
        for k in range(1, plan.officers_per_town + 1):
            person(f"officer_{town.code.lower()}_{k}", "officer", region_code=town.code)

    # Organization users: an admin for every n-th organization, now and then a member awaiting approval.
    agencies = [o for o in organizations if o.kind == "agency"]
    for org in organizations:
        role = _ORG_ROLE.get(org.kind)
        if role is None or org.index % plan.admin_every:
            continue
        person(
            f"org{org.index:06d}",
            role,
            region_code=org.region_code,
            organization_code=org.credit_code,
            is_org_admin=True,
        )
        if org.index % (plan.admin_every * 5) == 0:
            person(
                f"org{org.index:06d}_m",
                role,
                region_code=org.region_code,
                organization_code=org.credit_code,
                membership_status="pending",
            )

    places = [SHAOXING, SHAOXING] + [c.code for c in home_counties]
    for i in range(plan.experts):
        person(f"expert{i + 1:05d}", "expert", region_code=rng.choice(places))
    for i in range(plan.brokers):
        agency = agencies[i % len(agencies)] if agencies and i % 2 == 0 else None
        person(
            f"broker{i + 1:04d}",
            "broker",
            region_code=rng.choice(places),
            organization_code=agency.credit_code if agency else None,
        )
    return users


def generate(size: str, seed: int = DEFAULT_SEED, regions: Sequence[RegionRow] | None = None) -> DemoDataset:
    """Every record of a demo dataset (without the named logins), no database involved."""
    plan = SIZES[size]
    regions = list(regions) if regions is not None else regions_from_json()
    organizations = generate_organizations(regions, plan.organizations, seed)
    return DemoDataset(organizations=organizations, users=generate_users(regions, organizations, plan, seed))


# --------------------------------------------------------------------------------------------
# Loading into the database
# --------------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    organizations_created: int = 0
    users_created: int = 0
    skipped: bool = False
    seconds: float = 0.0


def _chunks(items: list, size: int = BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


# The city admin is staff (not superuser): let the admin site show users and regions to maintain.
ADMIN_SITE_PERMISSIONS = (
    ("accounts", "user", ("view", "change")),
    ("regions", "region", ("view", "change")),
    ("organizations", "organization", ("view",)),
    ("core", "auditlog", ("view",)),
)


def _grant_admin_site_permissions(user) -> None:
    from django.contrib.auth.models import Permission

    wanted = [
        Permission.objects.filter(
            content_type__app_label=app,
            content_type__model=model,
            codename__in=[f"{action}_{model}" for action in actions],
        )
        for app, model, actions in ADMIN_SITE_PERMISSIONS
    ]
    for permissions in wanted:
        user.user_permissions.add(*permissions)


def load(size: str = "small", seed: int = DEFAULT_SEED, *, log: Callable[[str], None] = print) -> LoadResult:
    """Write the demo dataset of `size`, adding only what is missing. Safe to run again."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from kechuang.accounts.models import User
    from kechuang.organizations.models import Organization

    started = time.monotonic()
    regions = regions_from_db()
    needed = {o["region"] for o in FIXED_ORGANIZATIONS} | {n.region_code for n in NAMED_LOGINS}
    known = {r.code for r in regions}
    if not needed <= known:
        raise RuntimeError(
            f"行政区划数据缺失（{', '.join(sorted(needed - known))}），请先运行 manage.py migrate"
        )

    dataset = generate(size, seed, regions)
    fixed = fixed_organizations(regions)
    existing_codes = set(Organization.objects.values_list("credit_code", flat=True))
    existing_users = set(User.objects.values_list("username", flat=True))
    missing_fixed = [o for o in fixed if o.credit_code not in existing_codes]
    missing_named = [n for n in NAMED_LOGINS if n.username not in existing_users]
    missing_orgs = [o for o in dataset.organizations if o.credit_code not in existing_codes]
    missing_users = [u for u in dataset.users if u.username not in existing_users]
    result = LoadResult()
    if not (missing_fixed or missing_named or missing_orgs or missing_users):
        result.skipped = True
        result.seconds = time.monotonic() - started
        log("演示数据已存在，跳过")
        return result

    # Hashing is deliberately slow: hash once and give every demo user the same hash.
    password_hash = make_password(DEMO_PASSWORD)

    with transaction.atomic():
        # The named organizations and logins go through save(), so the audit trail records them.
        for spec in fixed:
            Organization.objects.get_or_create(credit_code=spec.credit_code, defaults=spec.model_fields())
        fixed_ids = dict(
            Organization.objects.filter(credit_code__in=[o.credit_code for o in fixed]).values_list(
                "credit_code", "id"
            )
        )
        fixed_by_key = {
            org["key"]: fixed_ids[spec.credit_code]
            for org, spec in zip(FIXED_ORGANIZATIONS, fixed, strict=True)
        }
        for login in NAMED_LOGINS:
            User.objects.get_or_create(
                username=login.username,
                defaults={
                    "password": password_hash,
                    "role": login.role,
                    "last_name": login.full_name,
                    "first_name": "",
                    "email": f"{login.username}@{EMAIL_DOMAIN}",
                    "phone": login.phone,
                    "region_id": login.region_code,
                    "department": login.department,
                    "organization_id": fixed_by_key.get(login.organization_key),
                    "is_org_admin": login.is_org_admin,
                    "membership_status": login.membership_status,
                    "is_staff": login.is_staff,
                    "is_superuser": False,
                },
            )
        _grant_admin_site_permissions(User.objects.get(username="sx_admin"))
        verifier_id = User.objects.filter(username="sx_admin").values_list("id", flat=True).first()
        Organization.objects.filter(id__in=fixed_ids.values(), verified_by__isnull=True).update(
            verified_by_id=verifier_id
        )

        # Bulk data: bulk_create sends no post_save signals, so the audit trail (kechuang.core.audit)
        # is skipped on purpose — a hundred thousand "create" lines would only drown the real ones.
        for batch in _chunks(missing_orgs):
            Organization.objects.bulk_create(
                [
                    Organization(
                        verified_by_id=verifier_id if o.status == "verified" else None, **o.model_fields()
                    )
                    for o in batch
                ],
                batch_size=BATCH_SIZE,
            )
        result.organizations_created = len(missing_orgs) + len(missing_fixed)

        wanted = {u.organization_code for u in missing_users if u.organization_code}
        org_ids: dict[str, int] = {}
        codes = sorted(wanted)
        for chunk in _chunks(codes, 900):  # stays under SQLite's bound-parameter limit
            org_ids.update(
                Organization.objects.filter(credit_code__in=chunk).values_list("credit_code", "id")
            )
        for batch in _chunks(missing_users):
            User.objects.bulk_create(
                [
                    User(
                        username=u.username,
                        password=password_hash,
                        role=u.role,
                        last_name=u.last_name,
                        first_name="",
                        email=u.email,
                        phone=u.phone,
                        region_id=u.region_code,
                        department=u.department,
                        organization_id=org_ids.get(u.organization_code),
                        is_org_admin=u.is_org_admin,
                        membership_status=u.membership_status,
                        is_staff=u.is_staff,
                    )
                    for u in batch
                ],
                batch_size=BATCH_SIZE,
            )
        result.users_created = len(missing_users) + len(missing_named)

    result.seconds = time.monotonic() - started
    log(
        f"已写入 {result.organizations_created} 家单位、{result.users_created} 个用户（用时 {result.seconds:.1f} 秒）"
    )
    return result
