"""The market's demo data (issue 5): a year 2019 calibrated to 绍兴's published figures, and a living present.

Two layers, as in enterprises/demo.py:

* `plan(organizations, users, seed=, today=)` is pure: from the demo registry (organizations and users as
  plain records) it returns every record to write, as dicts of field values (keys starting with "_" are
  references between planned records and notes of the plan). The same arguments give the same records.
* `seed()` reads the registry, plans, and writes everything in bulk in one transaction (bulk_create: no audit
  lines and no jobs for demo data; search and matching pick the listings up by `content_changed_at`). A
  second run finds the 2019 listings and adds nothing.

2019, by the definitions of market/figures.py (`CALIBRATION`):

* 495 demands of enterprises and 1,106 achievements of institutions of 绍兴, recorded in 2019 and submitted;
  published a few days later and expired since (a few withdrawn after publication, still counted). Around
  them, records each rule leaves out: drafts never submitted, listings withdrawn before publication,
  demands of institutions, achievements of enterprises (used at the events and in contracts), and listings
  of December 2018.
* 33 events held in 2019 spread over the counties (the city bureau's among them), with registrations and
  scheduled meetings (no organization and no table twice in a slot); 131 meetings ended in 达成意向 or 签约.
  Also an event held in December 2018 and a cancelled one of 2019, neither counted.
* 1,600 contracts registered in 2019 with a seller in 绍兴 whose 技术交易额 add up to exactly
  5,600,000,000.00 yuan: log-normal amounts (median about 70万, a few of 1–3亿), each with both amounts
  (技术交易额 = 合同成交额 − 非技术性费用, rules.md §5.3: some development contracts include equipment and
  materials). Types per rules.md §5.2 as registered in 2019: licences were then filed as 技术转让 (the
  民法典's separate 技术许可 applies from 2021), so 2019 has no 技术许可 contract. Contracts from the signed
  meetings come first. Left out: contracts with a seller outside 绍兴 (吸纳), contracts signed in December
  and registered in January 2020, and refused ones.

The present, laid out around `today` (the day the seed runs; tests pass `PRESENT_DAY`) so that the market
looks alive whenever the demo is loaded: some 320 published listings built from the phrase bank
(data/demo_texts.py) so that demands and achievements match each other in different words, with budgets,
prices, maturity, patents and expiry dates ahead; a few expired, pending moderation, returned with a reason,
drafts and withdrawn; contact requests; negotiation threads in every state with their messages; an event
finished five weeks ago with outcomes and one open for registration; contracts registered in the last
eleven months, a few awaiting registration. The named demo users have their own: ent_demo's demands (one
pending, one returned, one draft) and its thread that became a contract with inst_demo; ent_demo2's demands
and its thread at 达成意向 followed by broker_demo; inst_demo's achievements; contracts waiting for kq_staff.

Times are Asia/Shanghai working hours on working days (weekends skipped; public holidays are not modelled).
"""

from __future__ import annotations

import math
import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate
from zoneinfo import ZoneInfo

from .data.demo_texts import (
    ACHIEVEMENT_APPLICATIONS,
    ACHIEVEMENT_OPENINGS,
    ACHIEVEMENT_TITLE_FORMS,
    BROKER_LINE,
    CONTACT_MESSAGES,
    CONTRACT_RETURN_REASONS,
    CONTRACT_TITLE_FORMS,
    DEMAND_ASKS,
    DEMAND_OPENINGS,
    DEMAND_TITLE_FORMS,
    EVENT_PLACES,
    EVENT_THEME_TEXT,
    EVENT_THEMES,
    MATURITY_STAGES,
    OUTSIDE_BUYERS,
    OUTSIDE_TRADES,
    REJECT_REASONS,
    RETURN_REASONS,
    THREAD_LINES,
    THREAD_OPENING,
    TOPICS,
    Topic,
)

DEFAULT_SEED = 2019
CITY = "330600"
CALIBRATION_YEAR = 2019
# What market.figures must give for CITY and CALIBRATION_YEAR (demo-calibration.md).
CALIBRATION = {
    "摸排提炼企业技术需求": 495,
    "征集高校院所科技成果": 1106,
    "科技对接活动": 33,
    "达成意向合作项目": 131,
    "技术交易额": Decimal("56.0"),
}
TRANSACTION_TOTAL = Decimal("5600000000.00")
CONTRACTS_2019 = 1600
PRESENT_DAY = date(2026, 12, 1)
SHANGHAI = ZoneInfo("Asia/Shanghai")

COUNTIES = {
    "330602": "越城区",
    "330603": "柯桥区",
    "330604": "上虞区",
    "330624": "新昌县",
    "330681": "诸暨市",
    "330683": "嵊州市",
}
# 2019's events per organizing bureau (33 in all).
EVENTS_2019 = {"330600": 6, "330603": 7, "330602": 5, "330681": 5, "330604": 5, "330624": 3, "330683": 2}
# Share of each month in the year's listings (摸排 campaigns in spring and autumn, little at 春节).
LISTING_MONTHS = (0.6, 0.35, 1.3, 1.5, 1.2, 1.0, 0.8, 0.7, 1.2, 0.8, 1.2, 0.9)
# Registrations peak in December (tax year end).
CONTRACT_MONTHS = (0.6, 0.5, 0.9, 0.9, 0.9, 1.0, 0.9, 0.8, 1.0, 0.9, 1.1, 1.9)

COOPERATION_WORDS = {
    "transfer": "技术转让",
    "license": "技术许可",
    "joint_development": "合作开发",
    "commissioned": "委托开发",
    "equity": "作价入股",
    "service": "技术服务与咨询",
}
DEMAND_COOPERATION = (("joint_development", 40), ("commissioned", 30), ("transfer", 15), ("service", 15))
ACHIEVEMENT_COOPERATION = (("transfer", 35), ("license", 25), ("joint_development", 30), ("equity", 10))

# (sub_type, contract_type, weight, amount factor) per era: the 民法典 split 技术许可 from 技术转让 in 2021.
CONTRACT_KINDS_2019 = (
    ("commissioned_development", "development", 33, 1.5),
    ("cooperative_development", "development", 9, 1.6),
    ("patent_transfer", "transfer", 6, 1.2),
    ("patent_application_transfer", "transfer", 1, 0.8),
    ("secret_transfer", "transfer", 4, 1.3),
    ("consulting", "consulting", 7, 0.3),
    ("general_service", "service", 34, 0.6),
    ("training", "service", 2, 0.15),
    ("intermediary", "service", 4, 0.2),
)
CONTRACT_KINDS_NOW = (
    ("commissioned_development", "development", 32, 1.5),
    ("cooperative_development", "development", 9, 1.6),
    ("patent_transfer", "transfer", 5, 1.2),
    ("patent_application_transfer", "transfer", 1, 0.8),
    ("secret_transfer", "transfer", 3, 1.3),
    ("patent_license", "license", 4, 0.9),
    ("secret_license", "license", 1, 1.0),
    ("consulting", "consulting", 7, 0.3),
    ("general_service", "service", 34, 0.6),
    ("training", "service", 2, 0.15),
    ("intermediary", "service", 2, 0.2),
)
# Who sells each contract type: organization kind → weight.
SELLERS = {
    "development": {"enterprise": 60, "institution": 40},
    "transfer": {"institution": 60, "enterprise": 40},
    "license": {"institution": 60, "enterprise": 40},
    "consulting": {"institution": 50, "provider": 25, "agency": 25},
    "general_service": {"provider": 35, "enterprise": 40, "institution": 25},
    "training": {"institution": 60, "provider": 40},
    "intermediary": {"agency": 100},
}


# --------------------------------------------------------------------------------------------
# The registry the plan reads


@dataclass(frozen=True)
class DemoOrg:
    """What the plan needs to know about an organization."""

    id: int
    kind: str
    name: str
    region_code: str
    founded_on: date | None = None
    tech_field: str = ""
    institution_type: str = ""
    contact_phone: str = ""
    story: str = ""  # key of a named demo organization ("ent_demo", "ent_demo2", "inst_demo", …)


@dataclass(frozen=True)
class DemoUser:
    """What the plan needs to know about a user."""

    id: int
    username: str
    role: str
    name: str
    phone: str = ""
    email: str = ""
    region_code: str | None = None
    organization_id: int | None = None


@dataclass
class MarketPlan:
    """Every record the market demo writes, in writing order; references are keys (list positions)."""

    listings: list[dict] = field(default_factory=list)
    contact_requests: list[dict] = field(default_factory=list)
    threads: list[dict] = field(default_factory=list)
    messages: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    registrations: list[dict] = field(default_factory=list)
    meetings: list[dict] = field(default_factory=list)
    contracts: list[dict] = field(default_factory=list)

    def tables(self) -> dict[str, list[dict]]:
        return {
            "listings": self.listings,
            "contact_requests": self.contact_requests,
            "threads": self.threads,
            "messages": self.messages,
            "events": self.events,
            "registrations": self.registrations,
            "meetings": self.meetings,
            "contracts": self.contracts,
        }


def in_city(code: str | None) -> bool:
    """A region code under CITY (every code below 绍兴市 starts with its first four digits)."""
    return bool(code) and code[:4] == CITY[:4]


def county_of(code: str) -> str:
    return code[:6]


class _Registry:
    """Lookups over the organizations and users."""

    def __init__(self, organizations: Sequence[DemoOrg], users: Sequence[DemoUser]):
        self.orgs = sorted(organizations, key=lambda o: o.id)
        self.by_id = {o.id: o for o in self.orgs}
        self.story = {o.story: o for o in self.orgs if o.story}
        self.users_of: dict[int, list[DemoUser]] = defaultdict(list)
        self.named: dict[str, DemoUser] = {}
        self.bureau: dict[str, list[DemoUser]] = defaultdict(list)
        self.brokers: list[DemoUser] = []
        for u in sorted(users, key=lambda u: u.id):
            self.named[u.username] = u
            if u.organization_id is not None and u.organization_id in self.by_id:
                self.users_of[u.organization_id].append(u)
            if u.role in ("bureau_staff", "bureau_admin") and u.region_code:
                self.bureau[u.region_code].append(u)
            if u.role == "broker":
                self.brokers.append(u)
        for people in self.bureau.values():
            people.sort(key=lambda u: (u.role != "bureau_staff", u.id))  # staff first, then the admin

    def city_orgs(self, kinds: tuple[str, ...], *, before: date, stories: bool = False) -> list[DemoOrg]:
        """Organizations of CITY of `kinds` founded before `before` (named ones only when asked)."""
        return [
            o
            for o in self.orgs
            if o.kind in kinds
            and in_city(o.region_code)
            and (o.founded_on is None or o.founded_on < before)
            and (stories or not o.story)
        ]

    def outside_orgs(self, kinds: tuple[str, ...]) -> list[DemoOrg]:
        return [o for o in self.orgs if o.kind in kinds and not in_city(o.region_code)]

    def user_of(self, org_id: int | None) -> DemoUser | None:
        users = self.users_of.get(org_id) if org_id is not None else None
        return users[0] if users else None

    def bureau_user(self, code: str) -> DemoUser | None:
        """A bureau user of the county `code` lies in, else of the city."""
        for region in (county_of(code), CITY):
            if self.bureau.get(region):
                return self.bureau[region][0]
        return None


# --------------------------------------------------------------------------------------------
# Dates and amounts


def _workday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _workday_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _moment(day: date, rng: random.Random, start: clock = clock(8, 30), minutes: int = 9 * 60) -> datetime:
    return datetime.combine(day, start, tzinfo=SHANGHAI) + timedelta(minutes=rng.randrange(minutes))


def _night(day: date) -> datetime:
    """When a nightly job ran on `day` (expiry)."""
    return datetime.combine(day, clock(1, 0), tzinfo=SHANGHAI)


def _day_in_year(rng: random.Random, year: int, months: Sequence[float], last: date | None = None) -> date:
    while True:
        month = rng.choices(range(1, 13), weights=months)[0]
        first = date(year, month, 1)
        days = ((date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - first).days
        day = _workday(first + timedelta(days=rng.randrange(days)))
        if day.year == year and (last is None or day <= last):
            return day


def _round_amount(value: Decimal) -> Decimal:
    """Amounts as contracts state them: to 100 yuan below 100万, 1,000 below 1000万, else 10,000."""
    step = Decimal(100) if value < 1_000_000 else Decimal(1000) if value < 10_000_000 else Decimal(10000)
    return max(step, (value / step).quantize(Decimal(1), ROUND_HALF_UP) * step).quantize(Decimal("0.01"))


def _wan(n: float) -> Decimal:
    return _round_amount(Decimal(str(round(n * 10000, 2))))


def fit_total(raw: Sequence[float], target: Decimal) -> list[Decimal]:
    """Amounts in the proportions of `raw`, rounded as contracts are, adding up to exactly `target`:
    the rounding remainder goes to the largest one."""
    scale = float(target) / sum(raw)
    amounts = [_round_amount(Decimal(str(round(x * scale, 2)))) for x in raw]
    largest = max(range(len(amounts)), key=lambda i: amounts[i])
    amounts[largest] += target - sum(amounts)
    if amounts[largest] <= 0:
        raise ValueError("the amounts cannot add up to the target")
    return amounts


def patent_number(year: int, kind: str, serial: int) -> str:
    """A Chinese patent application number with its check character (rules.md §7b)."""
    digits = f"{year}{kind}{serial:07d}"
    total = sum(int(d) * w for d, w in zip(digits, (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5), strict=True))
    check = total % 11
    return f"{digits}.{'X' if check == 10 else check}"


# --------------------------------------------------------------------------------------------
# Texts


_NAME_WORDS = tuple(sorted({word for topic in TOPICS for word in topic.name_words}))
_TOPIC_WORDS = tuple(frozenset(topic.name_words) for topic in TOPICS)


def _affinities(org: DemoOrg) -> list[float]:
    """How likely each of TOPICS is for `org`: its name names the trade, its field, its county."""
    words = {word for word in _NAME_WORDS if word in org.name}
    county = county_of(org.region_code)
    weights = []
    for topic, topic_words in zip(TOPICS, _TOPIC_WORDS, strict=True):
        weight = 0.2
        if words and not words.isdisjoint(topic_words):
            weight += 6
        if org.tech_field == topic.field:
            weight += 2
        if org.kind == "enterprise":
            if not topic.counties:
                weight += 0.5
            elif county in topic.counties:
                weight += 1.5
        weights.append(weight)
    return weights


class _Texts:
    """Listing texts from the phrase bank, drawn from one random stream."""

    def __init__(self, rng: random.Random):
        from kechuang.demo.generator import Namer

        self.rng = rng
        self.namer = Namer(rng)
        self._weights: dict[int, list[float]] = {}
        self._pool_weights: dict[tuple[str, str], list[float]] = {}
        self.topics = {t.key: t for t in TOPICS}

    def _affinities(self, org: DemoOrg) -> list[float]:
        weights = self._weights.get(org.id)
        if weights is None:
            weights = self._weights[org.id] = _affinities(org)
        return weights

    def topic_for(self, org: DemoOrg) -> Topic:
        return self.rng.choices(TOPICS, weights=self._affinities(org))[0]

    def org_for(self, topic: Topic, pool: Sequence[DemoOrg], pool_name: str) -> DemoOrg:
        """An organization of `pool` (named `pool_name`, for the cache) likely to have this topic."""
        cumulative = self._pool_weights.get((pool_name, topic.key))
        if cumulative is None:
            index = TOPICS.index(topic)
            cumulative = list(accumulate(self._affinities(o)[index] for o in pool))
            self._pool_weights[(pool_name, topic.key)] = cumulative
        return self.rng.choices(pool, cum_weights=cumulative)[0]

    def _keywords(self, topic: Topic) -> str:
        return "，".join(self.rng.sample(topic.keywords, k=min(len(topic.keywords), self.rng.randint(3, 5))))

    def demand(self, org: DemoOrg, topic: Topic) -> dict:
        rng = self.rng
        cooperation = rng.choices([c for c, _ in DEMAND_COOPERATION], [w for _, w in DEMAND_COOPERATION])[0]
        opening = rng.choice(DEMAND_OPENINGS).format(
            county=COUNTIES.get(county_of(org.region_code), "绍兴市"),
            industry=topic.industry,
            staff=rng.randint(40, 900),
            output=f"{rng.uniform(0.3, 12):.1f}",
            year=org.founded_on.year if org.founded_on else rng.randint(1995, 2012),
        )
        problems = rng.sample(topic.demand_problems, k=rng.randint(1, len(topic.demand_problems)))
        ask = rng.choice(DEMAND_ASKS).format(cooperation=COOPERATION_WORDS[cooperation])
        low = high = None
        budget = ""
        if rng.random() < 0.85:
            lo = rng.randint(*topic.budget)
            hi = max(lo + 5, round(lo * rng.choice((1.5, 2, 2, 3)) / 5) * 5)
            low, high = _wan(lo), _wan(hi)
            budget = f"预算约{lo}–{hi}万元。"
        else:
            budget = "预算面议。"
        return {
            "title": rng.choice(DEMAND_TITLE_FORMS).format(t=rng.choice(topic.demand_titles)),
            "description": opening
            + "".join(problems)
            + f"希望实现：{rng.choice(topic.demand_goals)}。"
            + ask
            + budget,
            "tech_field": topic.field,
            "keywords": self._keywords(topic),
            "cooperation": cooperation,
            "budget_min": low,
            "budget_max": high,
            "maturity": None,
            "ip_numbers": "",
            "price": None,
            "negotiable": False,
        }

    def achievement(self, org: DemoOrg, topic: Topic, year: int) -> dict:
        rng = self.rng
        cooperation = rng.choices(
            [c for c, _ in ACHIEVEMENT_COOPERATION], [w for _, w in ACHIEVEMENT_COOPERATION]
        )[0]
        maturity = rng.randint(*topic.maturity)
        short = org.name if len(org.name) <= 14 else org.name[:14]
        opening = rng.choice(ACHIEVEMENT_OPENINGS).format(
            org=short, years=rng.randint(2, 6), industry=topic.industry
        )
        patents = []
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            filed = year - rng.randint(0, 5)
            kind = rng.choice(("1", "1", "1", "2"))
            number = patent_number(filed, kind, rng.randrange(1, 9_999_999))
            patents.append(("ZL" + number) if filed <= year - 2 or kind == "2" else number)
        granted = sum(1 for p in patents if p.startswith("ZL"))
        ip = f"已获授权专利{granted}项" if granted else "已申请发明专利"
        ip += f"、在审{len(patents) - granted}项。" if granted and granted < len(patents) else "。"
        price, negotiable = None, False
        if rng.random() < 0.7:
            price = _wan(rng.randint(*topic.price))
        else:
            negotiable = True
        description = (
            opening
            + f"{rng.choice(topic.achievement_methods)}，{rng.choice(topic.achievement_results)}。"
            + MATURITY_STAGES[maturity]
            + ip
            + rng.choice(ACHIEVEMENT_APPLICATIONS).format(industry=topic.industry)
        )
        return {
            "title": rng.choice(ACHIEVEMENT_TITLE_FORMS).format(t=rng.choice(topic.achievement_titles)),
            "description": description,
            "tech_field": topic.field,
            "keywords": self._keywords(topic),
            "cooperation": cooperation,
            "budget_min": None,
            "budget_max": None,
            "maturity": maturity,
            "ip_numbers": "，".join(patents),
            "price": price,
            "negotiable": negotiable,
        }


# --------------------------------------------------------------------------------------------
# The planner


class _Planner:
    def __init__(self, registry: _Registry, seed: int, today: date):
        self.reg = registry
        self.seed = seed
        self.today = today
        self.p = MarketPlan()
        self.texts = _Texts(self._rng("texts"))
        # Threads that reached a contract: (thread, seller, buyer); their contracts are registered.
        self.thread_contracts: list[tuple[int, DemoOrg, DemoOrg]] = []

    def _rng(self, part: str) -> random.Random:
        return random.Random(f"kechuang-market-demo:{self.seed}:{part}")

    @staticmethod
    def _add(rows: list[dict], row: dict) -> int:
        row["_key"] = len(rows)
        rows.append(row)
        return row["_key"]

    # -- listings ------------------------------------------------------------------------------

    def _contact(self, org: DemoOrg) -> dict:
        user = self.reg.user_of(org.id)
        if user is not None:
            return {
                "contact_name": user.name[:50],
                "contact_phone": user.phone or org.contact_phone or self.texts.namer.mobile(),
                "contact_email": user.email,
            }
        return {
            "contact_name": self.texts.namer.person(),
            "contact_phone": org.contact_phone or self.texts.namer.mobile(),
            "contact_email": "",
        }

    def listing(
        self,
        kind: str,
        org: DemoOrg,
        topic: Topic,
        *,
        created: datetime,
        state: str,
        submitted: datetime | None,
        published: datetime | None,
        expires_on: date,
        state_since: datetime,
        creator: DemoUser | None,
        views: int = 0,
        return_reason: str = "",
        texts: dict | None = None,
    ) -> int:
        if texts is None:
            texts = (
                self.texts.demand(org, topic)
                if kind == "demand"
                else self.texts.achievement(org, topic, created.year)
            )
        row = {
            "kind": kind,
            "organization_id": org.id,
            "created_by_id": creator.id if creator else None,
            "region_id": org.region_code,
            **texts,
            "expires_on": expires_on,
            **self._contact(org),
            "state": state,
            "state_since": state_since,
            "submitted_at": submitted,
            "published_at": published,
            "return_reason": return_reason,
            "view_count": views,
            "content_changed_at": submitted or created,
            "created_at": created,
            "_topic": topic.key,
        }
        return self._add(self.p.listings, row)

    def _published_life(
        self, rng: random.Random, created: datetime, *, expires_after: tuple[int, int]
    ) -> tuple[datetime, datetime, date]:
        submitted = created + timedelta(minutes=rng.randint(5, 60 * 24 * 3))
        published = _moment(_workday(submitted.date() + timedelta(days=rng.randint(1, 6))), rng)
        return submitted, published, published.date() + timedelta(days=rng.randint(*expires_after))

    def _history_listing(self, rng, kind: str, org: DemoOrg, day: date, *, how: str) -> int:
        """A listing recorded on `day` (2018 or 2019). `how`: counted (submitted, published, expired or
        withdrawn afterwards), draft (never submitted) or withdrawn (before publication)."""
        topic = self.texts.topic_for(org)
        created = _moment(day, rng)
        creator = self.reg.user_of(org.id)
        if kind == "demand" and rng.random() < 0.6:
            creator = self.reg.bureau_user(org.region_code) or creator  # 摸排: typed in by the bureau
        if how == "draft":
            return self.listing(
                kind,
                org,
                topic,
                created=created,
                state="draft",
                submitted=None,
                published=None,
                expires_on=day + timedelta(days=180),
                state_since=created,
                creator=creator,
            )
        submitted, published, expires_on = self._published_life(rng, created, expires_after=(120, 365))
        if how == "withdrawn":
            withdrawn = submitted + timedelta(hours=rng.randint(2, 40))
            return self.listing(
                kind,
                org,
                topic,
                created=created,
                state="withdrawn",
                submitted=submitted,
                published=None,
                expires_on=expires_on,
                state_since=withdrawn,
                creator=creator,
            )
        state, since = "expired", _night(expires_on + timedelta(days=1))
        if rng.random() < 0.04:
            state, since = "withdrawn", published + timedelta(days=rng.randint(10, 100))
        return self.listing(
            kind,
            org,
            topic,
            created=created,
            state=state,
            submitted=submitted,
            published=published,
            expires_on=expires_on,
            state_since=since,
            creator=creator,
            views=rng.randint(10, 600),
        )

    def _weighted(self, rng: random.Random, pool: Sequence[DemoOrg], n: int) -> list[DemoOrg]:
        """`n` organizations of `pool` with repetition, those of a high-tech field three times as likely."""
        if not pool:
            raise RuntimeError("演示城市没有可用的单位，无法生成技术市场演示数据")
        return rng.choices(pool, weights=[3 if o.tech_field else 1 for o in pool], k=n)

    def plan_listings_2019(self) -> dict[str, list[int]]:
        rng = self._rng("listings-2019")
        before = date(CALIBRATION_YEAR, 1, 1)
        enterprises = self.reg.city_orgs(("enterprise",), before=before) or self.reg.city_orgs(
            ("enterprise",), before=before, stories=True
        )
        institutions = self.reg.city_orgs(("institution",), before=before) or self.reg.city_orgs(
            ("institution",), before=before, stories=True
        )
        out: dict[str, list[int]] = defaultdict(list)

        def make(name: str, kind: str, pool: list[DemoOrg], n: int, how: str) -> None:
            for org in self._weighted(rng, pool, n):
                day = _day_in_year(rng, CALIBRATION_YEAR, LISTING_MONTHS)
                out[name].append(self._history_listing(rng, kind, org, day, how=how))

        make("demands", "demand", enterprises, CALIBRATION["摸排提炼企业技术需求"], "counted")
        make("achievements", "achievement", institutions, CALIBRATION["征集高校院所科技成果"], "counted")
        make("enterprise_achievements", "achievement", enterprises, 140, "counted")
        make("left_out", "demand", institutions, 9, "counted")
        make("left_out", "demand", enterprises, 16, "draft")
        make("left_out", "achievement", institutions, 14, "draft")
        make("left_out", "demand", enterprises, 7, "withdrawn")
        make("left_out", "achievement", institutions, 6, "withdrawn")
        # Autumn 2018: counted in 2018 (they meet at the event of December 2018).
        for kind, pool, n, name in (
            ("demand", enterprises, 14, "demands_2018"),
            ("achievement", institutions, 22, "achievements_2018"),
        ):
            for org in self._weighted(rng, pool, n):
                day = _workday_before(date(2018, 10, 8) + timedelta(days=rng.randrange(60)))
                out[name].append(self._history_listing(rng, kind, org, day, how="counted"))
        return out

    # -- events --------------------------------------------------------------------------------

    def _organizer(self, county: str) -> DemoUser | None:
        if county == CITY:
            return self.reg.named.get("sx_gaoxin") or self.reg.bureau_user(CITY)
        return self.reg.bureau_user(county)

    def event(
        self,
        rng: random.Random,
        *,
        county: str,
        held_on: date,
        state: str,
        intents: int = 0,
        others: int = 0,
        demands: Sequence[int] = (),
        achievements: Sequence[int] = (),
        must: Sequence[tuple[int, int, str]] = (),
        titles: set[str] | None = None,
    ) -> int:
        """An event of the bureau of `county` held on `held_on`, with registrations of the organizations of
        the listings it picks from `demands` and `achievements` (live on the day) and `intents + others`
        scheduled meetings; `must` are (demand, achievement, outcome) meetings it holds first."""
        theme, fields = rng.choice(EVENT_THEMES[county])
        place_name = "绍兴市" if county == CITY else COUNTIES[county]
        title = f"{held_on.year}年{place_name}{theme}"
        if titles is not None:
            number = 2
            base = title
            while title in titles:
                title, number = f"{base}（第{number}场）", number + 1
            titles.add(title)
        organizer = self._organizer(county)
        created = _moment(held_on - timedelta(days=rng.randint(25, 50)), rng)
        closes = held_on - timedelta(days=rng.randint(2, 5))
        since = {
            "finished": datetime.combine(held_on, clock(17, 30), tzinfo=SHANGHAI),
            "cancelled": _moment(closes - timedelta(days=3), rng),
            "open": created + timedelta(days=rng.randint(1, 3)),
        }[state]
        tables = rng.choice((6, 8, 8, 10, 10, 12))
        key = self._add(
            self.p.events,
            {
                "title": title,
                "theme": rng.choice(EVENT_THEME_TEXT).format(theme=theme.removesuffix("对接会")),
                "tech_fields": list(fields),
                "region_id": county,
                "held_on": held_on,
                "place": rng.choice(EVENT_PLACES[county]),
                "starts_at": rng.choice((clock(9, 0), clock(9, 0), clock(13, 30))),
                "slot_minutes": rng.choice((20, 20, 30)),
                "slot_count": 9,
                "tables": tables,
                "registration_closes_on": closes,
                "state": state,
                "state_since": since,
                "organizer_id": organizer.id if organizer else None,
                "created_at": created,
            },
        )
        listings = self.p.listings

        def live(k: int) -> bool:
            row = listings[k]
            return (
                row["published_at"] is not None
                and row["published_at"].date() <= held_on - timedelta(days=2)
                and row["expires_on"] >= held_on
                and (row["state"] != "withdrawn" or row["state_since"].date() > held_on)
            )

        def preference(k: int) -> float:
            row = listings[k]
            near = county == CITY or county_of(row["region_id"]) == county
            return (2 if row["tech_field"] in fields else 0) + (1 if near else 0) + rng.random()

        must = [(d, a, outcome) for d, a, outcome in must if live(d) and live(a)]
        wanted = intents + others
        fixed = [(d, a) for d, a, _ in must]
        ds = sorted((k for k in demands if live(k)), key=preference, reverse=True)
        as_ = sorted((k for k in achievements if live(k)), key=preference, reverse=True)
        size = max(4, math.ceil(math.sqrt(wanted * 2)) + 1) if wanted else rng.randint(3, 6)
        while True:
            chosen_d = self._spread(ds, size, fixed_keys=[d for d, _ in fixed])
            chosen_a = self._spread(as_, size, fixed_keys=[a for _, a in fixed])
            meetings = self._schedule(rng, chosen_d, chosen_a, fixed, wanted + len(fixed), tables)
            if len(meetings) >= wanted + len(fixed) or (
                len(chosen_d) >= len(ds) and len(chosen_a) >= len(as_)
            ):
                break
            size += 2
        if len(meetings) < wanted + len(fixed) and intents:
            raise RuntimeError(f"not enough listings for the event of {held_on}")
        self._registrations(rng, key, held_on, chosen_d + chosen_a)
        for i, (demand, achievement, slot, table, score) in enumerate(meetings):
            if state != "finished":
                outcome = "pending"
            elif i < len(must):
                outcome = must[i][2]
            elif i < len(must) + intents:
                outcome = "signed" if rng.random() < 0.25 else "intent"
            else:
                outcome = "no_deal" if rng.random() < 0.8 else "absent"
            amount = None
            note = ""
            if outcome == "signed":
                amount = _wan(min(2000, max(10, math.exp(rng.gauss(math.log(80), 0.9)))))
                note = "现场签约"
            elif outcome == "intent":
                note = rng.choice(
                    (
                        "双方约定一个月内完成现场考察并提交合作方案。",
                        "已达成合作意向，拟签订技术开发合同。",
                        "",
                    )
                )
                if rng.random() < 0.5:
                    amount = _wan(min(500, max(5, math.exp(rng.gauss(math.log(50), 0.8)))))
            self._add(
                self.p.meetings,
                {
                    "_event": key,
                    "_demand": demand,
                    "_achievement": achievement,
                    "demand_party_id": listings[demand]["organization_id"],
                    "supply_party_id": listings[achievement]["organization_id"],
                    "slot": slot,
                    "table": table,
                    "score": score,
                    "outcome": outcome,
                    "amount": amount,
                    "note": note,
                    "created_at": created + timedelta(days=rng.randint(5, 20)),
                },
            )
        return key

    def _spread(self, keys: list[int], n: int, fixed_keys: Sequence[int]) -> list[int]:
        """Up to `n` of `keys` in order (plus `fixed_keys`), at most two listings of one organization."""
        chosen = list(dict.fromkeys(fixed_keys))
        per_org: dict[int, int] = defaultdict(int)
        for k in chosen:
            per_org[self.p.listings[k]["organization_id"]] += 1
        for k in keys:
            if len(chosen) >= n + len(fixed_keys):
                break
            org = self.p.listings[k]["organization_id"]
            if k not in chosen and per_org[org] < 2:
                chosen.append(k)
                per_org[org] += 1
        return chosen

    def _schedule(self, rng, ds, as_, fixed, wanted, tables) -> list[tuple[int, int, int, int, float]]:
        """Pairs of different organizations, best first, each in the first slot where both parties and a
        table are free (the rule of scheduling.schedule)."""
        listings = self.p.listings
        pairs = []
        for d in ds:
            for a in as_:
                if listings[d]["organization_id"] == listings[a]["organization_id"]:
                    continue
                if listings[d]["_topic"] == listings[a]["_topic"]:
                    score = rng.uniform(0.78, 0.96)
                elif listings[d]["tech_field"] == listings[a]["tech_field"]:
                    score = rng.uniform(0.55, 0.78)
                else:
                    score = rng.uniform(0.3, 0.55)
                pairs.append((score, d, a))
        pairs.sort(key=lambda p: -p[0])
        order = [(s, d, a) for s, d, a in pairs if (d, a) in fixed]
        order += [(s, d, a) for s, d, a in pairs if (d, a) not in fixed]
        busy: dict[int, set[int]] = defaultdict(set)
        used: dict[int, int] = defaultdict(int)
        meetings = []
        for score, d, a in order:
            if len(meetings) >= wanted:
                break
            parties = {listings[d]["organization_id"], listings[a]["organization_id"]}
            for slot in range(9):
                if used[slot] < tables and not parties & busy[slot]:
                    meetings.append((d, a, slot, used[slot], round(score, 4)))
                    busy[slot] |= parties
                    used[slot] += 1
                    break
        return meetings

    def _registrations(self, rng, event: int, held_on: date, keys: Sequence[int]) -> None:
        by_org: dict[int, list[int]] = defaultdict(list)
        for k in keys:
            by_org[self.p.listings[k]["organization_id"]].append(k)
        for org_id, listing_keys in by_org.items():
            user = self.reg.user_of(org_id)
            first = self.p.listings[listing_keys[0]]
            self._add(
                self.p.registrations,
                {
                    "_event": event,
                    "_listings": listing_keys,
                    "organization_id": org_id,
                    "attendee": first["contact_name"],
                    "phone": first["contact_phone"],
                    "registered_by_id": user.id if user else None,
                    "created_at": _moment(held_on - timedelta(days=rng.randint(4, 20)), rng),
                },
            )

    def plan_events_2019(self, listings: dict[str, list[int]]) -> None:
        rng = self._rng("events-2019")
        n = CALIBRATION["科技对接活动"]
        intents = [3] * n
        for _ in range(CALIBRATION["达成意向合作项目"] - 3 * n):
            intents[rng.randrange(n)] += 1
        counties = [c for c, k in EVENTS_2019.items() for _ in range(k)]
        rng.shuffle(counties)
        days: list[date] = []
        while len(days) < n:
            day = _workday(date(2019, 3, 20) + timedelta(days=rng.randrange(270)))
            if day not in days and day.year == 2019:
                days.append(day)
        days.sort()
        demands = listings["demands"]
        achievements = listings["achievements"] + listings["enterprise_achievements"]
        titles: set[str] = set()
        for county, day, wanted in zip(counties, days, intents, strict=True):
            self.event(
                rng,
                county=county,
                held_on=day,
                state="finished",
                intents=wanted,
                others=rng.randint(3, 10),
                demands=demands,
                achievements=achievements,
                titles=titles,
            )
        # Not counted in 2019: held in December 2018, and cancelled.
        self.event(
            rng,
            county="330603",
            held_on=date(2018, 12, 18),
            state="finished",
            intents=3,
            others=4,
            demands=listings["demands_2018"],
            achievements=listings["achievements_2018"],
            titles=titles,
        )
        self.event(
            rng,
            county="330604",
            held_on=date(2019, 8, 22),
            state="cancelled",
            demands=demands,
            achievements=achievements,
            titles=titles,
        )

    # -- contracts -----------------------------------------------------------------------------

    def _seller(self, rng, sub_type: str, contract_type: str, pools: dict[str, list[DemoOrg]]) -> DemoOrg:
        weights = SELLERS.get(sub_type) or SELLERS[contract_type]
        kinds = [k for k in weights if pools.get(k)]
        if not kinds:
            kinds = [k for k in ("enterprise", "institution") if pools.get(k)]
        kind = rng.choices(kinds, weights=[weights.get(k, 1) for k in kinds])[0]
        return rng.choice(pools[kind])

    def _buyer(self, rng, seller: DemoOrg, city: list[DemoOrg], outside: list[DemoOrg]) -> tuple:
        """(organization or None, name, region code or None): 55 % an enterprise of the city."""
        roll = rng.random()
        if roll < 0.55 and city:
            buyer = rng.choice(city)
            if buyer.id != seller.id:
                return buyer, buyer.name, buyer.region_code
        if roll < 0.65 and outside:
            buyer = rng.choice(outside)
            return buyer, buyer.name, buyer.region_code
        place, region = rng.choice(OUTSIDE_BUYERS)
        brand = "".join(rng.sample("华宇恒泰鑫盛达隆兴顺丰瑞祥宏远通嘉信诚德利源创昌明伟力凯豪海天", 2))
        return None, f"{place}{brand}{rng.choice(OUTSIDE_TRADES)}", region

    def _contract_title(self, rng, sub_type: str, topic: Topic) -> str:
        """The contract's name from the topic's wording, without a doubled 技术 or a trailing 需求."""
        if sub_type in (
            "patent_transfer",
            "patent_application_transfer",
            "patent_license",
            "secret_transfer",
        ):
            base = rng.choice(topic.achievement_titles)
        elif sub_type in ("general_service", "training", "intermediary"):
            base = f"{topic.industry}{rng.choice(topic.keywords)}"
        else:
            base = rng.choice(topic.demand_titles)
        if sub_type not in ("patent_transfer", "patent_application_transfer", "patent_license"):
            for suffix in ("技术需求", "需求", "技术"):
                base = base.removesuffix(suffix)
        return CONTRACT_TITLE_FORMS[sub_type].format(t=base)[:200]

    def contract(
        self,
        rng,
        *,
        sub_type: str,
        contract_type: str,
        seller: DemoOrg | None,
        seller_name: str,
        seller_region: str,
        buyer: DemoOrg | None,
        buyer_name: str,
        buyer_region: str | None,
        transaction: Decimal,
        registered_on: date | None,
        signed_on: date,
        state: str = "registered",
        topic: Topic | None = None,
        reason: str = "",
        listing: int | None = None,
        thread: int | None = None,
        meeting: int | None = None,
        non_technical: Decimal | None = None,
    ) -> int:
        topic = topic or (self.texts.topic_for(buyer) if buyer else self.texts.topic_for(seller))
        detail = ""
        if non_technical is None:
            non_technical = Decimal("0.00")
            share = {"development": 0.3, "transfer": 0.1, "service": 0.05}.get(contract_type, 0)
            if sub_type not in ("training", "intermediary") and rng.random() < share:
                non_technical = _round_amount(transaction * Decimal(str(round(rng.uniform(0.05, 0.4), 3))))
                detail = self._cost_detail(rng, contract_type, transaction, non_technical)
        submitted_on = (registered_on or signed_on + timedelta(days=rng.randint(5, 30))) - timedelta(
            days=rng.randint(1, 10)
        )
        submitted_on = max(submitted_on, signed_on)
        created = _moment(submitted_on, rng)
        valid_from = signed_on + timedelta(days=rng.randint(0, 15))
        submitter = self.reg.user_of(seller.id if seller else None) or self.reg.user_of(
            buyer.id if buyer else None
        )
        if state == "registered":
            since = _moment(registered_on, rng)
        else:
            since = created + timedelta(days=rng.randint(1, 5))
        return self._add(
            self.p.contracts,
            {
                "registration_no": None,
                "title": self._contract_title(rng, sub_type, topic),
                "contract_type": contract_type,
                "sub_type": sub_type,
                "seller_id": seller.id if seller else None,
                "seller_name": seller_name[:100],
                "seller_region_id": seller_region,
                "buyer_id": buyer.id if buyer else None,
                "buyer_name": buyer_name[:100],
                "buyer_region_id": buyer_region,
                "tech_field": topic.field,
                "contract_amount": transaction + non_technical,
                "non_technical_amount": non_technical,
                "transaction_amount": transaction,
                "non_technical_detail": detail,
                "signed_on": signed_on,
                "valid_from": valid_from,
                "valid_until": valid_from + timedelta(days=rng.randint(90, 1000)),
                "submitted_by_id": submitter.id if submitter else None,
                "state": state,
                "state_since": since,
                "registrar_id": None,
                "registered_on": registered_on if state == "registered" else None,
                "return_reason": reason,
                "created_at": created,
                "_listing": listing,
                "_thread": thread,
                "_meeting": meeting,
            },
        )

    @staticmethod
    def _cost_detail(rng, contract_type: str, transaction: Decimal, non_technical: Decimal) -> str:
        """The costs inside the contract amount, in the words contracts.describe_costs uses: equipment and
        materials (deducted), and for some development contracts two prototype sets, which are technology
        carriers within the reasonable 1–2 sets and so part of the 技术交易额 (rules.md §5.3)."""
        equipment = min(
            non_technical, _round_amount(non_technical * Decimal(str(round(rng.uniform(0.5, 0.9), 3))))
        )
        parts = [f"购置设备 {equipment:.2f}元"]
        if non_technical > equipment:
            parts.append(f"原材料 {non_technical - equipment:.2f}元")
        if contract_type == "development" and rng.random() < 0.3:
            sets = _round_amount(transaction * Decimal(str(round(rng.uniform(0.02, 0.1), 3))))
            parts.append(f"成套技术设备/试验装置 {sets:.2f}元（2套），不扣除")
        return "；".join(parts)

    def _contract_pools(self, before: date) -> dict[str, list[DemoOrg]]:
        return {
            kind: self.reg.city_orgs((kind,), before=before)
            or self.reg.city_orgs((kind,), before=before, stories=True)
            for kind in ("enterprise", "institution", "provider", "agency")
        }

    def _draw_contracts(self, rng, n: int, kinds, *, days: Callable[[], date]) -> list[tuple]:
        """(sub_type, type, raw amount, registered_on) of `n` contracts: log-normal amounts (median 60万)
        weighted by type."""
        drawn = []
        for _ in range(n):
            sub_type, contract_type, _w, factor = rng.choices(kinds, weights=[k[2] for k in kinds])[0]
            raw = min(3e8, max(2e4, math.exp(rng.gauss(math.log(6e5), 1.8)))) * factor
            drawn.append((sub_type, contract_type, max(raw, 1e4), days()))
        return drawn

    def _signed(self, rng, registered_on: date) -> date:
        return registered_on - timedelta(days=rng.randint(5, 120))

    def plan_contracts_2019(self) -> None:
        rng = self._rng("contracts-2019")
        pools = self._contract_pools(date(2019, 1, 1))
        buyers = pools["enterprise"]
        outside = self.reg.outside_orgs(("enterprise", "institution", "provider"))
        year_end = date(2019, 12, 27)
        # The signed meetings of 2019's events become contracts first (7 in 10).
        fixed: list[int] = []
        for k, meeting in enumerate(self.p.meetings):
            event = self.p.events[meeting["_event"]]
            if meeting["outcome"] != "signed" or event["held_on"].year != 2019 or rng.random() >= 0.7:
                continue
            seller = self.reg.by_id[meeting["supply_party_id"]]
            buyer = self.reg.by_id[meeting["demand_party_id"]]
            registered_on = _workday_before(
                min(year_end, event["held_on"] + timedelta(days=rng.randint(10, 60)))
            )
            sub_type = rng.choice(("commissioned_development", "cooperative_development", "patent_transfer"))
            contract_type = "transfer" if sub_type == "patent_transfer" else "development"
            fixed.append(
                self.contract(
                    rng,
                    sub_type=sub_type,
                    contract_type=contract_type,
                    seller=seller,
                    seller_name=seller.name,
                    seller_region=seller.region_code,
                    buyer=buyer,
                    buyer_name=buyer.name,
                    buyer_region=buyer.region_code,
                    transaction=meeting["amount"],
                    registered_on=registered_on,
                    signed_on=event["held_on"],
                    topic=self.texts.topics[self.p.listings[meeting["_achievement"]]["_topic"]],
                    listing=meeting["_achievement"],
                    meeting=k,
                    non_technical=Decimal("0.00"),
                )
            )
        fixed_total = sum((self.p.contracts[k]["transaction_amount"] for k in fixed), Decimal(0))
        drawn = self._draw_contracts(
            rng,
            CONTRACTS_2019 - len(fixed),
            CONTRACT_KINDS_2019,
            days=lambda: _day_in_year(rng, 2019, CONTRACT_MONTHS, year_end),
        )
        amounts = fit_total([d[2] for d in drawn], TRANSACTION_TOTAL - fixed_total)
        for (sub_type, contract_type, _raw, registered_on), amount in zip(drawn, amounts, strict=True):
            seller = self._seller(rng, sub_type, contract_type, pools)
            buyer, name, region = self._buyer(rng, seller, buyers, outside)
            self.contract(
                rng,
                sub_type=sub_type,
                contract_type=contract_type,
                seller=seller,
                seller_name=seller.name,
                seller_region=seller.region_code,
                buyer=buyer,
                buyer_name=name,
                buyer_region=region,
                transaction=amount,
                registered_on=registered_on,
                signed_on=self._signed(rng, registered_on),
            )
        # Left out of 2019's 输出: sellers outside 绍兴 (吸纳), registered in January 2020, refused.
        for sub_type, contract_type, raw, registered_on in self._draw_contracts(
            rng, 24, CONTRACT_KINDS_2019, days=lambda: _day_in_year(rng, 2019, CONTRACT_MONTHS, year_end)
        ):
            buyer = rng.choice(buyers)
            if outside:
                seller = rng.choice(outside)
                seller_name, seller_region = seller.name, seller.region_code
            else:
                seller, seller_name, seller_region = None, "嘉兴华星新材料科技有限公司", "330402"
            self.contract(
                rng,
                sub_type=sub_type,
                contract_type=contract_type,
                seller=seller,
                seller_name=seller_name,
                seller_region=seller_region,
                buyer=buyer,
                buyer_name=buyer.name,
                buyer_region=buyer.region_code,
                transaction=_round_amount(Decimal(str(round(raw, 2)))),
                registered_on=registered_on,
                signed_on=self._signed(rng, registered_on),
            )
        for state, n in (("registered", 12), ("rejected", 6)):
            for sub_type, contract_type, raw, _day in self._draw_contracts(
                rng, n, CONTRACT_KINDS_2019, days=lambda: None
            ):
                seller = self._seller(rng, sub_type, contract_type, pools)
                buyer, name, region = self._buyer(rng, seller, buyers, outside)
                if state == "registered":
                    signed_on = date(2019, 12, rng.randint(16, 31))
                    registered_on = _workday(date(2020, 1, rng.randint(6, 20)))
                else:
                    signed_on = _day_in_year(rng, 2019, CONTRACT_MONTHS, year_end)
                    registered_on = None
                self.contract(
                    rng,
                    sub_type=sub_type,
                    contract_type=contract_type,
                    seller=seller,
                    seller_name=seller.name,
                    seller_region=seller.region_code,
                    buyer=buyer,
                    buyer_name=name,
                    buyer_region=region,
                    transaction=_round_amount(Decimal(str(round(raw, 2)))),
                    registered_on=registered_on,
                    signed_on=signed_on,
                    state=state,
                    reason=rng.choice(REJECT_REASONS) if state == "rejected" else "",
                )

    def number_contracts(self) -> None:
        """登记号 per registering county and year in order of registration (contract_rules' format); the
        registrar is the bureau of the seller's county."""
        registered = sorted(
            (c for c in self.p.contracts if c["state"] == "registered"),
            key=lambda c: (c["registered_on"], c["state_since"], c["_key"]),
        )
        sequence: dict[tuple[str, int], int] = defaultdict(int)
        for c in registered:
            registry = county_of(c["seller_region_id"])
            year = c["registered_on"].year
            sequence[(registry, year)] += 1
            c["registration_no"] = f"{year:04d}{registry}{sequence[(registry, year)]:06d}"
            people = self.reg.bureau.get(registry)
            c["registrar_id"] = people[0].id if people else None

    # -- the present ---------------------------------------------------------------------------

    def _ago(self, rng, low: int, high: int) -> datetime:
        return _moment(_workday_before(self.today - timedelta(days=rng.randint(low, high))), rng)

    def present_listing(
        self,
        rng,
        kind: str,
        org: DemoOrg,
        topic: Topic,
        state: str,
        *,
        creator: DemoUser | None = None,
        age: tuple[int, int] = (8, 330),
    ) -> int:
        today = self.today
        creator = creator or self.reg.user_of(org.id)
        if state == "published":
            created = self._ago(rng, *age)
            submitted, published, _expires = self._published_life(rng, created, expires_after=(120, 365))
            if published.date() >= today:
                published = submitted + timedelta(hours=4)
            expires_on = min(
                published.date() + timedelta(days=365),
                max(today + timedelta(days=rng.randint(14, 300)), published.date() + timedelta(days=120)),
            )
            age_days = (today - published.date()).days
            return self.listing(
                kind,
                org,
                topic,
                created=created,
                state=state,
                submitted=submitted,
                published=published,
                expires_on=expires_on,
                state_since=published,
                creator=creator,
                views=rng.randint(3, 30) + age_days * rng.randint(1, 3) // 2,
            )
        if state == "expired":
            expires_on = today - timedelta(days=rng.randint(3, 60))
            created = _moment(_workday_before(expires_on - timedelta(days=rng.randint(120, 300))), rng)
            submitted, published, _expires = self._published_life(rng, created, expires_after=(120, 365))
            return self.listing(
                kind,
                org,
                topic,
                created=created,
                state=state,
                submitted=submitted,
                published=published,
                expires_on=expires_on,
                state_since=_night(expires_on + timedelta(days=1)),
                creator=creator,
                views=rng.randint(40, 400),
            )
        created = self._ago(rng, 2, 20)
        expires_on = today + timedelta(days=rng.randint(90, 300))
        if state == "draft":
            return self.listing(
                kind,
                org,
                topic,
                created=created,
                state=state,
                submitted=None,
                published=None,
                expires_on=expires_on,
                state_since=created,
                creator=creator,
            )
        submitted = created + timedelta(minutes=rng.randint(10, 600))
        if state == "pending":
            return self.listing(
                kind,
                org,
                topic,
                created=created,
                state=state,
                submitted=submitted,
                published=None,
                expires_on=expires_on,
                state_since=submitted,
                creator=creator,
            )
        decided = submitted + timedelta(hours=rng.randint(3, 30))
        reasons = [r for r in RETURN_REASONS if (kind == "demand") != ("成果" in r or "专利" in r)]
        return self.listing(
            kind,
            org,
            topic,
            created=created,
            state=state,
            submitted=submitted,
            published=None,
            expires_on=expires_on,
            state_since=decided,
            creator=creator,
            return_reason=rng.choice(reasons) if state == "returned" else "",
        )

    def _active(self, rng, pool: list[DemoOrg], n: int) -> list[DemoOrg]:
        with_users = [o for o in pool if self.reg.users_of.get(o.id)]
        others = [o for o in pool if not self.reg.users_of.get(o.id)]
        return with_users + rng.sample(others, max(0, min(len(others), n - len(with_users))))

    def plan_present(self) -> None:
        rng = self._rng("present")
        today = self.today
        before = today - timedelta(days=180)
        # The active part of the registry: every organization whose users log in, and some others.
        enterprises = self._active(rng, self.reg.city_orgs(("enterprise",), before=before), 800)
        institutions = self._active(
            rng,
            self.reg.city_orgs(("institution",), before=before)
            or self.reg.city_orgs(("institution",), before=before, stories=True),
            200,
        )
        demands: list[int] = []
        achievements: list[int] = []
        # Every topic has demands and achievements, in different words; then more by who the posters are.
        for topic in TOPICS:
            demands.append(
                self.present_listing(
                    rng,
                    "demand",
                    self.texts.org_for(topic, enterprises, "present-enterprises"),
                    topic,
                    "published",
                )
            )
            for _ in range(2):
                org = self.texts.org_for(topic, institutions, "present-institutions")
                achievements.append(self.present_listing(rng, "achievement", org, topic, "published"))
        for org in self._weighted(rng, enterprises, 150 - len(TOPICS)):
            demands.append(self.present_listing(rng, "demand", org, self.texts.topic_for(org), "published"))
        for org in self._weighted(rng, institutions, 105):
            achievements.append(
                self.present_listing(rng, "achievement", org, self.texts.topic_for(org), "published")
            )
        for org in self._weighted(rng, enterprises, 30):
            achievements.append(
                self.present_listing(rng, "achievement", org, self.texts.topic_for(org), "published")
            )
        # The other states, in the counties whose bureau users the demo names (柯桥, and the city).
        kq = [o for o in enterprises if county_of(o.region_code) == "330603"] or enterprises
        for state, n in (("pending", 4), ("returned", 2), ("expired", 6), ("draft", 3), ("withdrawn", 2)):
            for i in range(n):
                pool = kq if i % 2 == 0 else enterprises
                org = rng.choice(pool)
                self.present_listing(rng, "demand", org, self.texts.topic_for(org), state)
                org = rng.choice(institutions)
                self.present_listing(rng, "achievement", org, self.texts.topic_for(org), state)

        named = self._plan_named_listings(rng)
        self._plan_threads(rng, demands, achievements, named)
        self._plan_contact_requests(rng, demands + achievements, named)
        self._plan_present_events(rng, demands, achievements, named)
        self._plan_present_contracts(rng)

    def _plan_named_listings(self, rng) -> dict[str, int]:
        """The named demo organizations' own listings, keyed "<story>:<topic>"."""
        out: dict[str, int] = {}
        spec = (
            ("ent_demo", "demand", "dye_wastewater", "published"),
            ("ent_demo", "demand", "setting_exhaust", "published"),
            ("ent_demo", "demand", "functional_finish", "pending"),
            ("ent_demo", "demand", "fabric_inspection", "returned"),
            ("ent_demo", "demand", "compressed_air", "draft"),
            ("ent_demo", "achievement", "fine_fiber", "published"),
            ("ent_demo2", "demand", "welding_robot", "published"),
            ("ent_demo2", "demand", "chromium_free", "published"),
            ("ent_demo2", "demand", "predictive_maintenance", "expired"),
            ("inst_demo", "achievement", "fabric_inspection", "published"),
            ("inst_demo", "achievement", "welding_robot", "published"),
            ("inst_demo", "achievement", "bearing_precision", "published"),
            ("inst_demo", "achievement", "predictive_maintenance", "published"),
            ("inst_demo", "achievement", "mes_digital", "pending"),
            ("inst_demo", "achievement", "industrial_design", "expired"),
        )
        for story, kind, topic_key, state in spec:
            org = self.reg.story.get(story)
            if org is None:
                continue
            user = self.reg.named.get(story) or self.reg.user_of(org.id)
            out[f"{story}:{topic_key}"] = self.present_listing(
                rng, kind, org, self.texts.topics[topic_key], state, creator=user, age=(60, 200)
            )
        return out

    def _message(self, thread: int, author: DemoUser | None, body: str, at: datetime) -> None:
        self._add(
            self.p.messages,
            {"_thread": thread, "author_id": author.id if author else None, "body": body, "created_at": at},
        )

    def thread(
        self,
        rng,
        listing: int,
        party: DemoOrg,
        state: str,
        *,
        counter: int | None = None,
        broker: DemoUser | None = None,
        start: datetime | None = None,
    ) -> int:
        """A negotiation about `listing` by `party`, with the messages that brought it to `state`."""
        row = self.p.listings[listing]
        owner = self.reg.by_id[row["organization_id"]]
        owner_user, party_user = self.reg.user_of(owner.id), self.reg.user_of(party.id)
        topic = self.texts.topics[row["_topic"]]
        supply_is_party = row["kind"] == "demand"
        script: list[tuple[str, str]] = [("supply" if supply_is_party else "demand", "")]
        steps = {
            "contacted": [],
            "negotiating": ["negotiating"],
            "intent": ["negotiating", "intent"],
            "contract": ["negotiating", "intent", "contract"],
            "closed": ["negotiating", "intent", "contract", "closed"],
            "failed": ["negotiating", "failed"],
        }[state]
        for step in steps:
            script.extend(THREAD_LINES[step])
        script[0] = (script[0][0], THREAD_OPENING[script[0][0]])
        if len(script) > 1 and script[1][0] == script[0][0]:
            del script[1]  # the party already asked in its opening
        # Replies come the same day or up to three working days later, in working hours, ending by yesterday.
        offsets = [0] + [rng.randint(0, 3) for _ in script[1:]]
        span = math.ceil(sum(offsets) * 7 / 5) + 3
        first = start or max(
            row["published_at"] + timedelta(days=rng.randint(2, 20)), self._ago(rng, 60, 150)
        )
        day = min(first.date(), self.today - timedelta(days=1 + span))
        day = max(day, row["published_at"].date() + timedelta(days=1))
        moments: list[datetime] = []
        for offset in offsets:
            day = _workday(day + timedelta(days=offset))
            moment = _moment(day, rng)
            if moments and moment <= moments[-1]:
                moment = moments[-1] + timedelta(minutes=rng.randint(20, 120))
            moments.append(moment)
        amount = _wan(rng.choice((20, 30, 45, 60, 80, 120, 150)))
        values = {
            "party": party.name,
            "title": row["title"],
            "n": rng.randint(3, 12),
            "result": rng.choice(topic.achievement_results),
            "cooperation": COOPERATION_WORDS[rng.choice(("joint_development", "commissioned", "transfer"))],
            "amount": f"{amount / 10000:.0f}",
        }
        key = self._add(
            self.p.threads,
            {
                "_listing": listing,
                "_counter_listing": counter,
                "owner_id": owner.id,
                "party_id": party.id,
                "started_by_id": party_user.id if party_user else None,
                "broker_id": broker.id if broker else None,
                "state": state,
                "state_since": moments[-1],
                "intent_amount": amount if state in ("intent", "contract", "closed") else None,
                "last_message_at": moments[-1],
                "created_at": moments[0],
            },
        )
        users = {
            "supply": party_user if supply_is_party else owner_user,
            "demand": owner_user if supply_is_party else party_user,
        }
        for (side, text), moment in zip(script, moments, strict=True):
            self._message(key, users[side], text.format(**values), moment)
        if broker is not None:
            self._message(key, broker, BROKER_LINE.format(name=broker.name), moments[0] + timedelta(hours=2))
        thread = self.p.threads[key]
        thread["last_message_at"] = max(
            moments[-1], moments[0] + timedelta(hours=2) if broker else moments[-1]
        )
        thread["state_since"] = moments[-1]
        if state in ("contract", "closed"):
            achievement_side = owner if row["kind"] == "achievement" else party
            demand_side = party if row["kind"] == "achievement" else owner
            self.thread_contracts.append((key, achievement_side, demand_side))
        return key

    def _plan_threads(self, rng, demands: list[int], achievements: list[int], named: dict[str, int]) -> None:
        reg = self.reg
        story = reg.story
        with_users = [
            o for o in reg.orgs if reg.users_of.get(o.id) and in_city(o.region_code) and not o.story
        ]
        institutions_with_users = [o for o in with_users if o.kind == "institution"] or [
            story[s] for s in ("inst_demo",) if s in story
        ]
        broker = reg.named.get("broker_demo") or (reg.brokers[0] if reg.brokers else None)
        taken: set[tuple[int, int]] = set()

        def start(listing: int, party: DemoOrg, state: str, **kwargs) -> int | None:
            if (listing, party.id) in taken or self.p.listings[listing]["organization_id"] == party.id:
                return None
            taken.add((listing, party.id))
            return self.thread(rng, listing, party, state, **kwargs)

        if "ent_demo:dye_wastewater" in named and institutions_with_users:
            start(named["ent_demo:dye_wastewater"], rng.choice(institutions_with_users), "negotiating")
        if "inst_demo:welding_robot" in named and "ent_demo2" in story:
            start(
                named["inst_demo:welding_robot"],
                story["ent_demo2"],
                "intent",
                counter=named.get("ent_demo2:welding_robot"),
                broker=broker,
            )
        if "inst_demo:fabric_inspection" in named and "ent_demo" in story:
            start(
                named["inst_demo:fabric_inspection"],
                story["ent_demo"],
                "contract",
                start=self._ago(rng, 100, 110),
            )
        if "ent_demo:setting_exhaust" in named:
            parties = [o for o in with_users if o.kind == "enterprise"]
            if parties:
                start(named["ent_demo:setting_exhaust"], rng.choice(parties), "contacted")
        # Others, between organizations whose users can answer.
        old_enough = _moment(self.today - timedelta(days=40), rng)
        owned = [
            k
            for k in demands + achievements
            if reg.users_of.get(self.p.listings[k]["organization_id"])
            and self.p.listings[k]["published_at"] <= old_enough
        ]
        states = [
            "contacted",
            "negotiating",
            "negotiating",
            "intent",
            "intent",
            "contract",
            "closed",
            "failed",
            "failed",
        ]
        for state in states:
            if not owned or not with_users:
                break
            listing = rng.choice(owned)
            row = self.p.listings[listing]
            side = "institution" if row["kind"] == "demand" else "enterprise"
            parties = [o for o in with_users if o.kind == side] or with_users
            party = rng.choice(parties)
            counter = next(
                (
                    k
                    for k in (achievements if row["kind"] == "demand" else demands)
                    if self.p.listings[k]["organization_id"] == party.id
                    and self.p.listings[k]["_topic"] == row["_topic"]
                ),
                None,
            )
            start(listing, party, state, counter=counter, broker=broker if rng.random() < 0.3 else None)

    def _plan_contact_requests(self, rng, listings: list[int], named: dict[str, int]) -> None:
        reg = self.reg
        requesters = [u for o in reg.orgs if in_city(o.region_code) for u in reg.users_of.get(o.id, [])[:1]]
        if not requesters:
            return
        seen: set[tuple[int, int]] = set()

        def ask(listing: int, user: DemoUser, status: str) -> None:
            row = self.p.listings[listing]
            if (listing, user.id) in seen or row["organization_id"] == user.organization_id:
                return
            seen.add((listing, user.id))
            at = max(row["published_at"], self._ago(rng, 3, 90)) + timedelta(hours=rng.randint(1, 48))
            at = min(at, _moment(self.today - timedelta(days=1), rng))
            self._add(
                self.p.contact_requests,
                {
                    "_listing": listing,
                    "requester_id": user.id,
                    "organization_id": user.organization_id,
                    "message": rng.choice(CONTACT_MESSAGES),
                    "status": status,
                    "decided_at": None if status == "pending" else at + timedelta(hours=rng.randint(2, 72)),
                    "created_at": at,
                },
            )

        for name in ("ent_demo:dye_wastewater", "ent_demo:setting_exhaust", "inst_demo:bearing_precision"):
            if name in named:
                ask(named[name], rng.choice(requesters), "pending")
        if "inst_demo:predictive_maintenance" in named:
            ask(named["inst_demo:predictive_maintenance"], rng.choice(requesters), "granted")
        for username, status in (("ent_demo", "granted"), ("ent_demo2", "pending")):
            user = reg.named.get(username)
            if user is not None and user.organization_id is not None:
                mine = [k for k in listings if self.p.listings[k]["kind"] == "achievement"]
                ask(rng.choice(mine), user, status)
        for _ in range(45):
            status = rng.choices(("pending", "granted", "declined"), weights=(40, 45, 15))[0]
            ask(rng.choice(listings), rng.choice(requesters), status)

    def _plan_present_events(
        self, rng, demands: list[int], achievements: list[int], named: dict[str, int]
    ) -> None:
        today = self.today
        must = []
        for d, a, outcome in (
            ("ent_demo:setting_exhaust", None, "intent"),
            ("ent_demo2:welding_robot", "inst_demo:welding_robot", "intent"),
        ):
            if d not in named:
                continue
            demand = named[d]
            if a is None:
                topic = self.p.listings[demand]["_topic"]
                same = [k for k in achievements if self.p.listings[k]["_topic"] == topic]
                if not same:
                    continue
                achievement = same[0]
            elif a in named:
                achievement = named[a]
            else:
                continue
            must.append((demand, achievement, outcome))
        extra_d = [named[k] for k in ("ent_demo:dye_wastewater",) if k in named]
        extra_a = [named[k] for k in ("inst_demo:fabric_inspection",) if k in named]
        self.event(
            rng,
            county="330603",
            held_on=_workday_before(today - timedelta(days=38)),
            state="finished",
            intents=4,
            others=7,
            demands=extra_d + demands,
            achievements=extra_a + achievements,
            must=must,
        )
        others = [
            k
            for k in demands + achievements
            if not self.reg.by_id[self.p.listings[k]["organization_id"]].story
        ]
        self.event(
            rng,
            county=CITY,
            held_on=_workday(today + timedelta(days=16)),
            state="open",
            demands=[k for k in others if self.p.listings[k]["kind"] == "demand"],
            achievements=[k for k in others if self.p.listings[k]["kind"] == "achievement"],
        )

    def _plan_present_contracts(self, rng) -> None:
        today = self.today
        before = today - timedelta(days=180)
        pools = self._contract_pools(before)
        buyers = pools["enterprise"]
        outside = self.reg.outside_orgs(("enterprise", "institution", "provider"))

        def day() -> date:
            return _workday_before(today - timedelta(days=rng.randint(1, 330)))

        for sub_type, contract_type, raw, registered_on in self._draw_contracts(
            rng, 140, CONTRACT_KINDS_NOW, days=day
        ):
            seller = self._seller(rng, sub_type, contract_type, pools)
            buyer, name, region = self._buyer(rng, seller, buyers, outside)
            self.contract(
                rng,
                sub_type=sub_type,
                contract_type=contract_type,
                seller=seller,
                seller_name=seller.name,
                seller_region=seller.region_code,
                buyer=buyer,
                buyer_name=name,
                buyer_region=region,
                transaction=_round_amount(Decimal(str(round(raw, 2)))),
                registered_on=registered_on,
                signed_on=self._signed(rng, registered_on),
            )
        # Waiting for the registrars: three in 柯桥 (kq_staff), the others in the city's counties.
        kq = [o for o in pools["enterprise"] + pools["institution"] if county_of(o.region_code) == "330603"]
        waiting = [
            ("submitted", kq),
            ("submitted", kq),
            ("submitted", kq),
            ("submitted", None),
            ("submitted", None),
            ("returned", None),
            ("rejected", None),
        ]
        for state, pool in waiting:
            sub_type, contract_type, raw, _d = self._draw_contracts(rng, 1, CONTRACT_KINDS_NOW, days=day)[0]
            seller = rng.choice(pool) if pool else self._seller(rng, sub_type, contract_type, pools)
            buyer, name, region = self._buyer(rng, seller, buyers, outside)
            reason = {"returned": rng.choice(CONTRACT_RETURN_REASONS), "rejected": rng.choice(REJECT_REASONS)}
            self.contract(
                rng,
                sub_type=sub_type,
                contract_type=contract_type,
                seller=seller,
                seller_name=seller.name,
                seller_region=seller.region_code,
                buyer=buyer,
                buyer_name=name,
                buyer_region=region,
                transaction=_round_amount(Decimal(str(round(raw, 2)))),
                registered_on=None,
                signed_on=today - timedelta(days=rng.randint(8, 40)),
                state=state,
                reason=reason.get(state, ""),
            )
        for key, seller, buyer in self.thread_contracts:
            thread = self.p.threads[key]
            signed_on = thread["last_message_at"].date()
            registered_on = _workday_before(min(today - timedelta(days=1), signed_on + timedelta(days=12)))
            self.contract(
                rng,
                sub_type="commissioned_development",
                contract_type="development",
                seller=seller,
                seller_name=seller.name,
                seller_region=seller.region_code,
                buyer=buyer,
                buyer_name=buyer.name,
                buyer_region=buyer.region_code,
                transaction=thread["intent_amount"],
                registered_on=registered_on,
                signed_on=signed_on,
                topic=self.texts.topics[self.p.listings[thread["_listing"]]["_topic"]],
                listing=thread["_listing"],
                thread=key,
                non_technical=Decimal("0.00"),
            )


def plan(
    organizations: Sequence[DemoOrg],
    users: Sequence[DemoUser],
    *,
    seed: int = DEFAULT_SEED,
    today: date = PRESENT_DAY,
) -> MarketPlan:
    """Every record the market demo writes for this registry; no database involved."""
    planner = _Planner(_Registry(organizations, users), seed, today)
    listings = planner.plan_listings_2019()
    planner.plan_events_2019(listings)
    planner.plan_contracts_2019()
    planner.plan_present()
    planner.number_contracts()
    return planner.p


# --------------------------------------------------------------------------------------------
# Writing


def demo_registry() -> tuple[list[DemoOrg], list[DemoUser]]:
    """The verified organizations (enterprises, institutions, providers, agencies) and the users the plan
    needs, with the named demo organizations marked."""
    from kechuang.accounts.models import User
    from kechuang.demo.generator import FIXED_ORGANIZATIONS, fixed_organizations, regions_from_db
    from kechuang.organizations.models import Organization

    keys = {
        spec.credit_code: org["key"]
        for org, spec in zip(FIXED_ORGANIZATIONS, fixed_organizations(regions_from_db()), strict=True)
    }
    rows = Organization.objects.filter(
        status="verified", kind__in=("enterprise", "institution", "provider", "agency")
    ).order_by("pk")
    organizations = [
        DemoOrg(
            pk, kind, name, region_id, founded_on, tech_field, institution_type, phone, keys.get(code, "")
        )
        for pk, kind, name, region_id, founded_on, tech_field, institution_type, phone, code in rows.values_list(
            "pk",
            "kind",
            "name",
            "region_id",
            "founded_on",
            "tech_field",
            "institution_type",
            "contact_phone",
            "credit_code",
        )
    ]
    people = User.objects.filter(is_active=True).exclude(membership_status="pending").order_by("pk")
    people = people.filter(
        role__in=("bureau_admin", "bureau_staff", "broker", "enterprise", "institution", "provider")
    )
    users = [
        DemoUser(pk, username, role, (last + first) or username, phone, email, region_id, org_id)
        for pk, username, role, last, first, phone, email, region_id, org_id in people.values_list(
            "pk",
            "username",
            "role",
            "last_name",
            "first_name",
            "phone",
            "email",
            "region_id",
            "organization_id",
        )
    ]
    return organizations, users


@dataclass
class SeedResult:
    created: dict[str, int] = field(default_factory=dict)
    skipped: bool = False
    figures: dict[str, int | Decimal] = field(default_factory=dict)  # CITY's CALIBRATION_YEAR, computed after
    matched: int = 0  # live listings whose matches were computed
    seconds: float = 0.0


def _match_named(organization_ids: list[int]) -> int:
    """Matches for the named demo organizations' listings (what a visitor logging in sees), on words only.

    Bulk rows queue no `market.listing_changed`, so nothing computes them otherwise. The others' matches follow
    their first change or the bureau's "重新计算全部匹配": at ~25 ms a listing (and a fifth of a second more per
    text with the model), all 400 would add a third to the demo's load time.
    """
    from django.utils import timezone

    from .embedding import turned_off
    from .match_services import LIVE_STATES, Market, listing_matches_refresh
    from .models import Listing

    market = Market(timezone.localdate())
    listings = Listing.objects.filter(organization_id__in=organization_ids, state__in=LIVE_STATES).order_by(
        "pk"
    )
    with turned_off():
        for listing in listings:
            listing_matches_refresh(listing, market)
    return len(listings)


def calibration_figures(region: str = CITY, year: int = CALIBRATION_YEAR) -> dict[str, int | Decimal]:
    """The market's report figures as market.figures computes them from the database."""
    from .figures import report_figures

    return {figure.label: figure.value for figure in report_figures(region, year)}


def _bulk(model, rows: list[dict], refs: dict[str, tuple[str, list[int]]]) -> list[int]:
    """Insert `rows` (keys starting with "_" resolved through `refs` or dropped); their ids in order."""
    objects = []
    for row in rows:
        values = {name: value for name, value in row.items() if not name.startswith("_")}
        for ref, (attname, ids) in refs.items():
            values[attname] = ids[row[ref]] if row.get(ref) is not None else None
        objects.append(model(**values))
    model.objects.bulk_create(objects, batch_size=500)
    return [o.pk for o in objects]


def write(planned: MarketPlan) -> dict[str, int]:
    """Write a plan (in the caller's transaction); how many rows of each kind."""
    from .models import (
        ContactRequest,
        ContractRegistration,
        EventRegistration,
        Listing,
        MatchmakingEvent,
        Meeting,
        Message,
        Thread,
    )

    listings = _bulk(Listing, planned.listings, {})
    _bulk(ContactRequest, planned.contact_requests, {"_listing": ("listing_id", listings)})
    threads = _bulk(
        Thread,
        planned.threads,
        {"_listing": ("listing_id", listings), "_counter_listing": ("counter_listing_id", listings)},
    )
    _bulk(Message, planned.messages, {"_thread": ("thread_id", threads)})
    events = _bulk(MatchmakingEvent, planned.events, {})
    registrations = _bulk(EventRegistration, planned.registrations, {"_event": ("event_id", events)})
    through = EventRegistration.listings.through
    through.objects.bulk_create(
        [
            through(eventregistration_id=registrations[row["_key"]], listing_id=listings[k])
            for row in planned.registrations
            for k in row["_listings"]
        ],
        batch_size=500,
    )
    meetings = _bulk(
        Meeting,
        planned.meetings,
        {
            "_event": ("event_id", events),
            "_demand": ("demand_id", listings),
            "_achievement": ("achievement_id", listings),
        },
    )
    _bulk(
        ContractRegistration,
        planned.contracts,
        {
            "_listing": ("listing_id", listings),
            "_thread": ("thread_id", threads),
            "_meeting": ("meeting_id", meetings),
        },
    )
    return {name: len(rows) for name, rows in planned.tables().items()}


def seeded(region: str = CITY) -> bool:
    """True when the calibration year's listings are there (the demo was written)."""
    from kechuang.regions.selectors import regions_under

    from .models import Listing

    return Listing.objects.filter(
        region_id__in=regions_under(region),
        created_at__gte=datetime(CALIBRATION_YEAR, 1, 1, tzinfo=SHANGHAI),
        created_at__lt=datetime(CALIBRATION_YEAR + 1, 1, 1, tzinfo=SHANGHAI),
    ).exists()


def seed(
    *,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    log: Callable[[str], None] = print,
) -> SeedResult:
    """Write the market demo for the demo city once (a second run adds nothing)."""
    from django.db import connection, transaction
    from django.utils import timezone

    started = time.monotonic()
    result = SeedResult()
    organizations, users = demo_registry()
    if not any(in_city(o.region_code) and o.kind == "enterprise" for o in organizations):
        result.skipped = True
        log("没有演示城市的企业，跳过技术市场演示数据")
        return result
    if seeded():
        result.skipped = True
        result.seconds = time.monotonic() - started
        log("技术市场演示数据已存在，跳过")
        return result
    planned = plan(organizations, users, seed=seed, today=today or timezone.localdate())
    with transaction.atomic():
        result.created = write(planned)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE market_listing, market_meeting, market_contractregistration")
    result.matched = _match_named([o.id for o in organizations if o.story])
    result.figures = calibration_figures()
    result.seconds = time.monotonic() - started
    shown = "，".join(f"{label} {value}" for label, value in result.figures.items())
    created = result.created
    log(
        f"技术市场演示数据：{created['listings']} 条供需信息、{created['events']} 场对接活动、"
        f"{created['meetings']} 场洽谈、{created['threads']} 个在线洽谈、{created['contracts']} 份技术合同，"
        f"{result.matched} 条信息已匹配"
        f"（用时 {result.seconds:.1f} 秒）；{CALIBRATION_YEAR}年：{shown}"
    )
    return result
