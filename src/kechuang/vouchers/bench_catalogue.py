"""Benchmark of the voucher catalogue (创新地图) at 2,000 verified providers and 50,000 offerings, on PostgreSQL.

    DATABASE_URL=postgres://kechuang:kechuang@127.0.0.1:5432/kechuang_bench_vouchers \
        python -m kechuang.vouchers.bench_catalogue [--repeat 20] [--warmup 3] [--no-load] [--explain]

Creates the database when it is missing and migrates it; loads, once and deterministically, 2,000 verified
providers (and 200 whose profile is still pending, whose offerings must stay hidden) in the towns of 绍兴 and the
counties of 嘉兴 and 衢州, with 50,000 offerings of the verified ones (5 % of them closed) and 2,500 of the pending
ones, plus three open voucher programs (so every row is checked against them); then requests the catalogue page
in-process with django.test.Client as an anonymous visitor for sixteen filter cases, the count a full first page
asks for afterwards (three cases) and an offering's page, and prints p50 / p95 / max and the SQL queries of each.
Exits 1 when a case's p95 reaches 100 ms. --explain prints PostgreSQL's plan of each case's main query.
"""

import argparse
import os
import random
import sys
import time
import warnings
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode, urlsplit

from kechuang.bench import _ensure_database, _fail, _load, _pad, _percentile, _width

TARGET_MS = 100.0
SEED = 2026
PROVIDERS = 2000
PENDING_PROVIDERS = 200
OFFERINGS = 50_000
PENDING_OFFERINGS = 2_500
MARKER = "BENCH-VOUCHERS"  # the bench providers' addresses: their presence means "loaded"

# (instrument, [(manufacturer, model), …], categories it is booked under)
INSTRUMENTS = [
    (
        "场发射扫描电子显微镜",
        [("日立", "SU8010"), ("蔡司", "Sigma 300"), ("赛默飞", "Apreo 2")],
        ("instrument", "analysis"),
    ),
    ("透射电子显微镜", [("日本电子", "JEM-2100F"), ("赛默飞", "Talos F200X")], ("instrument", "analysis")),
    ("X射线衍射仪", [("布鲁克", "D8 Advance"), ("理学", "SmartLab")], ("instrument", "analysis")),
    ("电感耦合等离子体质谱仪", [("安捷伦", "7900"), ("赛默飞", "iCAP RQ")], ("instrument", "testing")),
    ("气相色谱-质谱联用仪", [("岛津", "GCMS-QP2020"), ("安捷伦", "8890-5977B")], ("instrument", "testing")),
    ("高效液相色谱仪", [("岛津", "LC-20AT"), ("沃特世", "e2695")], ("instrument", "testing")),
    ("傅里叶变换红外光谱仪", [("赛默飞", "Nicolet iS50"), ("布鲁克", "INVENIO")], ("instrument", "analysis")),
    ("激光共聚焦显微镜", [("徕卡", "TCS SP8"), ("蔡司", "LSM 900")], ("instrument",)),
    ("万能材料试验机", [("英斯特朗", "5967"), ("三思纵横", "UTM5105")], ("instrument", "testing")),
    ("三坐标测量机", [("海克斯康", "Global S"), ("蔡司", "CONTURA")], ("instrument", "testing")),
    ("核磁共振波谱仪", [("布鲁克", "AVANCE NEO 400")], ("instrument", "analysis")),
    ("比表面及孔径分析仪", [("麦克默瑞提克", "ASAP 2460")], ("instrument", "analysis")),
    ("差示扫描量热仪", [("耐驰", "DSC 214"), ("梅特勒-托利多", "DSC3")], ("instrument", "analysis")),
    ("热重分析仪", [("耐驰", "TG 209"), ("梅特勒-托利多", "TGA2")], ("instrument", "analysis")),
    ("原子力显微镜", [("布鲁克", "Dimension Icon")], ("instrument",)),
    ("激光粒度仪", [("马尔文帕纳科", "Mastersizer 3000")], ("instrument", "analysis")),
    ("高低温交变湿热试验箱", [("伟思富奇", "WKL 100"), ("爱斯佩克", "PL-3KPH")], ("instrument", "testing")),
    ("盐雾腐蚀试验箱", [("爱斯佩克", "SH-641"), ("伟思富奇", "SC 450")], ("instrument", "testing")),
    ("电磁兼容测试系统", [("罗德与施瓦茨", "ESR7"), ("是德科技", "N9038B")], ("instrument", "testing")),
    ("工业CT检测系统", [("蔡司", "METROTOM 1500"), ("YXLON", "FF35 CT")], ("instrument", "testing")),
]
SERVICES = {
    "testing": """纺织品成分检测 纺织品色牢度检测 食品安全检测 水质检测 环境空气检测 电气安全检测 电磁兼容检测
        材料力学性能检测 金属材料化学成分分析 建筑材料检测 医疗器械生物相容性检测 汽车零部件可靠性试验 锂电池安全检测
        塑料制品性能检测 涂料有害物质检测 家具甲醛释放量检测""",
    "analysis": "元素分析 成分剖析 失效分析 微观形貌分析 热分析 物相分析 表面分析 粒度分析",
    "design": "工业产品外观设计 产品结构设计 包装设计 人机交互设计 模具设计 服装面料花型设计",
    "rd": "中试服务 工艺开发 样品试制 嵌入式软件开发 配方研发 仿真分析 小批量试产",
    "consulting": "科技查新 技术咨询 高企认定咨询 研发费用归集辅导 标准制定咨询 技术可行性论证",
    "ip": "专利检索分析 专利申请代理 知识产权贯标 专利导航 商标与专利布局",
    "transfer": "技术评估 成果转化对接 技术经纪服务 技术合同登记辅导",
}
STANDARDS = [
    "GB/T 2910",
    "GB/T 3920",
    "GB 4806",
    "HJ 828",
    "GB 4943.1",
    "GB/T 228.1",
    "ISO 10993",
    "GB/T 2423",
]
SERVICE_UNITS = {
    "testing": "样",
    "analysis": "样",
    "design": "项",
    "rd": "项",
    "consulting": "次",
    "ip": "件",
    "transfer": "次",
}
PRICES = [50, 80, 100, 150, 200, 300, 500, 800, 1000, 1500, 2000, 3000, 5000, 8000, 12000, 20000, 50000]
PLACES = "越城 柯桥 上虞 诸暨 嵊州 新昌 镜湖 滨海 袍江 杨汛桥 钱清 店口 大唐 甘霖 儒岙 南湖 秀洲 嘉善 海宁 桐乡 柯城 衢江 江山".split()
SUFFIXES = [
    ("provider", "检测技术有限公司"),
    ("provider", "分析测试中心"),
    ("provider", "工业设计有限公司"),
    ("provider", "知识产权代理有限公司"),
    ("institution", "研究院"),
    ("institution", "大学分析测试中心"),
    ("enterprise", "科技股份有限公司"),
]
AVAILABILITY = [
    "工作日 9:00–17:00",
    "工作日 8:30–16:30，周末预约",
    "7×24小时（需提前两天预约）",
    "每周二、四全天",
]


def _offering_row(rng: random.Random, provider: tuple, regions_by_county: dict, created) -> dict:
    """One plausible offering of `provider` (id, region, kind of organization)."""
    org_id, region_id, _kind = provider
    county = region_id[:6]
    region = region_id if rng.random() < 0.8 else rng.choice(regions_by_county[county])
    row = {
        "provider_id": org_id,
        "region_id": region,
        "address": f"{rng.choice(PLACES)}路{rng.randint(1, 999)}号",
        "availability": rng.choice(AVAILABILITY),
        "active": rng.random() >= 0.05,
        "created_at": created,
        "updated_at": created,
    }
    if rng.random() < 0.4:
        name, makers, categories = rng.choice(INSTRUMENTS)
        maker, model = rng.choice(makers)
        row |= {
            "kind": "instrument",
            "category": rng.choice(categories),
            "name": name,
            "instrument_model": model,
            "manufacturer": maker,
            "unit": rng.choice(("机时", "小时", "样")),
            "price": Decimal(rng.choice(PRICES[2:13])),
            "description": f"{maker}{model}{name}，可开展{rng.choice(SERVICES['analysis'].split())}等测试，"
            f"配备专职操作人员，出具检测报告。",
            "booking_rules": "请提前三个工作日预约，送样须附样品信息单；危险化学品样品不予受理。",
        }
    else:
        category = rng.choices(list(SERVICES), weights=(40, 15, 12, 12, 10, 6, 5))[0]
        name = rng.choice(SERVICES[category].split())
        if category == "testing" and rng.random() < 0.5:
            name = f"{name}（{rng.choice(STANDARDS)}）"
        row |= {
            "kind": "service",
            "category": category,
            "name": name,
            "instrument_model": "",
            "manufacturer": "",
            "unit": SERVICE_UNITS[category],
            "price": Decimal(rng.choice(PRICES)),
            "description": f"面向{rng.choice(('纺织印染', '汽车零部件', '电子信息', '生物医药', '新材料', '食品'))}企业提供"
            f"{name}服务，依据国家和行业标准，{rng.randint(3, 15)}个工作日出具报告。",
            "booking_rules": "预约后请按约定时间送样或到场；如需加急请在备注中说明。",
        }
    return row


def load(*, log=print) -> None:
    """The bench's providers, offerings and programs, once."""
    from django.db import connection, transaction
    from django.utils import timezone

    from kechuang.organizations.models import Organization
    from kechuang.organizations.validators import credit_code_check_char
    from kechuang.regions.models import Region
    from kechuang.vouchers.models import Offering, ProviderProfile, VoucherProgram

    if Organization.objects.filter(address=MARKER).exists():
        log(f"providers: already loaded ({Offering.objects.count()} offerings)")
        return
    rng = random.Random(f"kechuang-bench-vouchers:{SEED}")
    started = time.monotonic()
    towns = list(
        Region.objects.filter(path__startswith="330000/330600/", level="town").values_list("code", flat=True)
    )
    counties = list(
        Region.objects.filter(level="county")
        .exclude(path__startswith="330000/330600/")
        .values_list("code", flat=True)
    )
    regions_by_county: dict[str, list[str]] = {}
    for code in Region.objects.exclude(level__in=("province", "city")).values_list("code", flat=True):
        regions_by_county.setdefault(code[:6], []).append(code)
    total = PROVIDERS + PENDING_PROVIDERS
    organizations = []
    for i in range(total):
        region = rng.choice(towns) if rng.random() < 0.7 else rng.choice(counties)
        kind, suffix = rng.choice(SUFFIXES)
        first17 = f"91{region[:6]}{700000 + i:08d}X"[:17]
        organizations.append(
            Organization(
                kind=kind,
                name=f"{'绍兴' if region.startswith('3306') else ''}{rng.choice(PLACES)}{suffix}{i:04d}"[
                    :100
                ],
                credit_code=first17 + credit_code_check_char(first17),
                region_id=region,
                address=MARKER,
                industry="M",
                status="verified",
            )
        )
    now = timezone.now()
    with transaction.atomic():
        Organization.objects.bulk_create(organizations, batch_size=1000)
        providers = list(
            Organization.objects.filter(address=MARKER).order_by("pk").values_list("pk", "region_id", "kind")
        )
        ProviderProfile.objects.bulk_create(
            [
                ProviderProfile(
                    organization_id=org_id,
                    state="verified" if i < PROVIDERS else "pending",
                    categories=rng.sample(list(SERVICES) + ["instrument"], 3),
                    description="开放共享科研仪器设备，提供检验检测和技术服务。",
                    contact_name="联系人",
                    contact_phone="0575-88000000",
                    decided_at=now if i < PROVIDERS else None,
                )
                for i, (org_id, _region, _kind) in enumerate(providers)
            ],
            batch_size=1000,
        )
        log(f"providers: {len(providers)} organizations and profiles in {time.monotonic() - started:.1f} s")
        verified, pending = providers[:PROVIDERS], providers[PROVIDERS:]
        batch = []
        for n in range(OFFERINGS + PENDING_OFFERINGS):
            provider = rng.choice(verified) if n < OFFERINGS else rng.choice(pending)
            created = now - timedelta(minutes=(OFFERINGS + PENDING_OFFERINGS - n) * 7)
            batch.append(Offering(**_offering_row(rng, provider, regions_by_county, created)))
            if len(batch) == 5000:
                Offering.objects.bulk_create(batch)
                batch = []
        Offering.objects.bulk_create(batch)
        today = timezone.localdate()
        for region_id, name, categories, partners in (
            ("330600", "2026年绍兴市科技创新券", ["testing", "instrument", "analysis", "design"], []),
            ("330603", "2026年柯桥区科技创新券", ["testing", "instrument", "rd"], ["330400"]),
            ("330400", "2026年嘉兴市科技创新券", ["testing", "analysis", "consulting"], ["330600"]),
        ):
            program = VoucherProgram.objects.create(
                region_id=region_id,
                name=name,
                year=today.year,
                starts_on=date(today.year, 1, 1),
                ends_on=date(today.year + 1, 12, 31),
                state="open",
                budget=Decimal("10000000"),
                eligible_kinds=["enterprise"],
                categories=categories,
                quota_per_application=Decimal("20000"),
                annual_cap=Decimal("100000"),
                copay_tiers=[["0", "1"], ["10000", "0.5"]],
            )
            program.partner_regions.set(partners)
    with connection.cursor() as cursor:
        for table in ("vouchers_offering", "vouchers_providerprofile", "organizations_organization"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    log(
        f"offerings: {OFFERINGS} of verified + {PENDING_OFFERINGS} of pending providers, 3 open programs, "
        f"VACUUM ANALYZE, in {time.monotonic() - started:.1f} s"
    )


def cases() -> list[tuple[str, dict]]:
    return [
        ("no filter (by category)", {}),
        ("sort=price", {"sort": "price"}),
        ("sort=new", {"sort": "new"}),
        ("kind=instrument", {"kind": "instrument"}),
        ("category=testing, sort=price", {"category": "testing", "sort": "price"}),
        ("region=330603 (county)", {"region": "330603"}),
        ("region=330600 (city), sort=-price", {"region": "330600", "sort": "-price"}),
        ("price 1000–5000", {"price_min": "1000", "price_max": "5000"}),
        ("q=扫描电子显微镜", {"q": "扫描电子显微镜"}),
        ("q=岛津 (manufacturer)", {"q": "岛津"}),
        ("q=SU8010 (model), sort=price", {"q": "SU8010", "sort": "price"}),
        ("q=柯城检测技术 (provider)", {"q": "柯城检测技术"}),
        ("q=no hit", {"q": "没有这个服务"}),
        (
            "all filters",
            {
                "kind": "instrument",
                "category": "analysis",
                "region": "330602",
                "price_max": "2000",
                "q": "分析",
                "sort": "price",
            },
        ),
        ("page=200", {"page": "200"}),
        ("htmx, category=design", {"category": "design", "_htmx": "1"}),
        # the count a full first page asks for after it is shown (htmx)
        ("count: no filter", {"_path": "count/"}),
        ("count: region=330600 (city)", {"_path": "count/", "region": "330600"}),
        ("count: q=岛津", {"_path": "count/", "q": "岛津"}),
        ("offering page", {"_path": "offering"}),
    ]


def _measure(client, params: dict, repeat: int, warmup: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    params = dict(params)
    headers = {"HTTP_HX_REQUEST": "true"} if params.pop("_htmx", None) else {}
    url = "/vouchers/" + params.pop("_path", "") + (("?" + urlencode(params)) if params else "")
    response = None
    for _ in range(warmup):
        response = client.get(url, **headers)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, **headers)
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    text = response.content.decode()
    rows = text.count('data-testid="offering"') or text.count('data-testid="offering-name"')
    slowest = max(captured.captured_queries, key=lambda q: float(q["time"]), default=None)
    return response.status_code, timings, len(captured.captured_queries), rows, slowest


def _explain(params: dict) -> str:
    from django.db import connection

    from kechuang.vouchers.catalogue_forms import CatalogueFilterForm
    from kechuang.vouchers.catalogue_selectors import offerings_listed

    if "_path" in params:
        return "(not the catalogue's query)"
    params = {k: v for k, v in params.items() if not k.startswith("_") and k != "page"}
    form = CatalogueFilterForm(params)
    form.is_valid()
    qs = offerings_listed(**form.filters())
    sql, sql_params = qs[:20].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + sql, sql_params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _table(rows: list[list[str]], headers: list[str], numeric: set[int]) -> str:
    widths = [max(_width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(row):
        return "  ".join(_pad(cell, widths[i], right=i in numeric) for i, cell in enumerate(row)).rstrip()

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kechuang.vouchers.bench_catalogue", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per case (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests before (default 3)")
    parser.add_argument("--no-load", action="store_true", help="use the database as it is")
    parser.add_argument("--explain", action="store_true", help="print the plan of each case's main query")
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql"):
        return _fail(
            "DATABASE_URL must point to PostgreSQL, e.g. "
            "DATABASE_URL=postgres://kechuang:kechuang@127.0.0.1:5432/kechuang_bench_vouchers"
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
    os.environ.setdefault("KECHUANG_DEBUG", "0")
    os.environ.setdefault("KECHUANG_MANIFEST_STATIC", "0")
    warnings.filterwarnings("ignore", message="No directory at")
    _ensure_database(url)

    import django

    django.setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from kechuang.vouchers.models import Offering

    if connection.vendor != "postgresql":
        return _fail(f"the configured database is {connection.vendor}, not PostgreSQL")
    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")

    if not args.no_load:
        started = time.monotonic()
        call_command("migrate", verbosity=0, interactive=False)
        print(f"migrate: {time.monotonic() - started:.1f} s")
        load()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version')")
        server_version = cursor.fetchone()[0]
    public = Offering.objects.filter(active=True, provider__voucher_provider__state="verified").count()
    print(
        f"PostgreSQL {server_version}, {Offering.objects.count()} offerings ({public} public), "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, DEBUG={settings.DEBUG}, "
        f"{args.repeat} requests per case after {args.warmup} warm-up, anonymous visitor"
    )
    print(f"load average before: {_load()}")
    client = Client()
    rows, failed, everything = [], False, []
    sample = Offering.objects.filter(active=True, provider__voucher_provider__state="verified").order_by(
        "pk"
    )[1000]
    for label, params in cases():
        if params.get("_path") == "offering":
            params = {"_path": f"offerings/{sample.pk}/"}
        status, timings, queries, shown, slowest = _measure(client, params, args.repeat, args.warmup)
        p95 = _percentile(timings, 0.95)
        everything.extend(timings)
        failed |= p95 >= TARGET_MS or status != 200
        rows.append(
            [
                label,
                str(status),
                str(shown),
                f"{_percentile(timings, 0.5):.1f}",
                f"{p95:.1f}",
                f"{max(timings):.1f}",
                str(queries),
                f"{float(slowest['time']) * 1000:.1f}" if slowest else "-",
                "yes" if p95 < TARGET_MS else "NO",
            ]
        )
        if args.explain:
            print(f"\n-- {label}\n{_explain(params)}")
    print()
    print(
        _table(
            rows,
            ["case", "status", "rows", "p50 ms", "p95 ms", "max ms", "queries", "slowest SQL ms", "p95<100"],
            numeric={1, 2, 3, 4, 5, 6, 7},
        )
    )
    print()
    print(
        f"all cases: p50 {_percentile(everything, 0.5):.1f} ms, p95 {_percentile(everything, 0.95):.1f} ms; "
        f"{sum(r[-1] == 'yes' for r in rows)}/{len(rows)} cases with p95 < {TARGET_MS:.0f} ms"
    )
    print(f"load average after: {_load()}  (other work on the machine inflates the times)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
