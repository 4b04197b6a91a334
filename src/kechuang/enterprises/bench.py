"""Benchmark of the enterprise list (企业库) at province scale, on PostgreSQL.

    DATABASE_URL=postgres://kechuang:kechuang@127.0.0.1:5432/kechuang_bench_ent \
        python -m kechuang.enterprises.bench [--repeat 20] [--warmup 3] [--no-load]

Creates the database when it is missing, migrates it, loads the organizations and logins of
`demo_data --size province` (100,004 organizations; not its other demos) unless already loaded, then adds the
enterprise records the list filters on, deterministically and only once: qualifications (~10 % 高企, ~20 % 科小, a
few % others, some expired), two years of annual data for ~30 % of the enterprises and reserve-pool entries for
~2 %; self-assessments come from `evaluate.assess_all` when it exists (else synthetic ones); refreshes the tiers
and runs VACUUM ANALYZE (again before every measurement). It then requests the list page in-process through django.test.Client as the city bureau admin
(sx_admin), a county bureau staff member (kq_staff, 柯桥区) and a town officer (kq_officer, 柯桥街道) for about twenty
filter combinations, and prints p50 / p95 per case against the 100 ms target; then times the Excel export of
about 10,000 rows and, when `kechuang.enterprises.evaluate.assess_all` exists, the batch self-assessment.
See docs/bench-enterprises.md.
"""

import argparse
import json
import os
import platform
import random
import sys
import time
import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode, urlsplit

from kechuang.bench import TARGET_MS, Case, _ensure_database, _fail, _load, _pad, _percentile, _width

SEED = 2019
BENCH_TABLES = (
    "organizations_organization",
    "organizations_qualification",
    "enterprises_annualdata",
    "enterprises_assessmentresult",
    "enterprises_reserveentry",
)
MARKER = "BENCH-"  # certificate numbers of the generated qualifications: their presence means "loaded"
USERS = ("sx_admin", "kq_staff", "kq_officer")
# A region filter each user may apply (the town officer sees one town only).
REGION_FOR = {"sx_admin": "330603", "kq_staff": "330603L01", "kq_officer": "330603L01"}

# (kind, share of enterprises) for the qualifications in force; 高企 and 科小 as the brief asks, the rest rarer.
QUALIFICATION_SHARES = (
    ("hnte", 0.10),
    ("tsme", 0.20),
    ("ent_institute", 0.02),
    ("city_rd_center", 0.02),
    ("tech_center", 0.01),
    ("hnte_rd_center", 0.01),
    ("patent_demo", 0.01),
    ("tech_giant", 0.005),
    ("key_institute", 0.003),
    ("leader", 0.002),
)


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------


def _copy(model, rows: list[dict]) -> int:
    """Write rows (field name → value; the model's defaults for the rest) with PostgreSQL COPY, which takes a
    few seconds where model instances and bulk_create of 60,000 wide rows take minutes on this machine."""
    from django.db import connection
    from django.db.models import JSONField
    from django.utils import timezone

    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        else:
            defaults[f.attname] = f.get_default()  # "" for text fields, None for nullable ones
    json_fields = {f.attname for f in fields if isinstance(f, JSONField)}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                values = []
                for f in fields:
                    value = row.get(f.attname, defaults[f.attname])
                    values.append(json.dumps(value) if f.attname in json_fields else value)
                copy.write_row(values)
    return len(rows)


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _annual(org_id: int, year: int, rng: random.Random, *, status: str, submitted_at, size: float) -> dict:
    sales = size * rng.uniform(0.85, 1.2)
    other = sales * rng.uniform(0, 0.08)
    main = sales - other
    rd = sales * rng.choice((0.005, 0.015, 0.025, 0.035, 0.045, 0.055, 0.07, 0.09)) * rng.uniform(0.9, 1.1)
    staff = max(5, int(sales / rng.uniform(600_000, 1_500_000)))
    parts = (0.55, 0.25, 0.08, 0.02, 0.03, 0.03, 0.03, 0.0, 0.01)
    names = (
        "hnte_rd_personnel",
        "hnte_rd_direct",
        "hnte_rd_depreciation",
        "hnte_rd_amortization",
        "hnte_rd_design",
        "hnte_rd_trial",
        "hnte_rd_commissioned_domestic",
        "hnte_rd_commissioned_foreign",
        "hnte_rd_other",
    )
    rd_fields = {name: _money(rd * share) for name, share in zip(names, parts, strict=True)}
    return dict(
        organization_id=org_id,
        year=year,
        status=status,
        submitted_at=submitted_at,
        total_income=_money(sales * 1.02),
        main_revenue=_money(main),
        other_revenue=_money(other),
        hitech_revenue=_money(sales * rng.uniform(0.3, 0.9)),
        cost_total=_money(sales * rng.uniform(0.7, 0.95)),
        **rd_fields,
        sd_rd_personnel=rd_fields["hnte_rd_personnel"],
        sd_rd_direct=rd_fields["hnte_rd_direct"],
        staff_total=Decimal(staff),
        st_staff=Decimal(max(1, int(staff * rng.uniform(0.05, 0.35)))),
        net_assets=_money(sales * rng.uniform(0.2, 0.8)),
        total_assets=_money(sales * rng.uniform(0.6, 1.6)),
        ip_invention=rng.choice((0, 0, 0, 1, 1, 2, 3, 5)),
        ip_utility_model=rng.randint(0, 12),
        ip_software=rng.randint(0, 4),
    )


def load_enterprise_data(*, seed: int = SEED, log=print) -> bool:
    """Add the bench's qualifications, annual data, assessments and reserve entries once (False if present)."""
    from django.db import transaction
    from django.utils import timezone

    from kechuang.enterprises.enums import AnnualDataStatus, ReserveSource, ReserveStatus
    from kechuang.enterprises.models import AnnualData, AssessmentResult, ReserveEntry
    from kechuang.enterprises.services import tiers_refresh_all
    from kechuang.organizations.enums import DEFAULT_LEVEL, OrganizationKind
    from kechuang.organizations.models import Organization, Qualification

    if Qualification.objects.filter(certificate_no__startswith=MARKER).exists():
        log("enterprise records already loaded, skipped")
        return False
    started = time.monotonic()
    today = timezone.localdate()
    now = timezone.now()
    last_year = today.year - 1
    rng = random.Random(f"kechuang-bench-enterprises:{seed}")
    # By credit code, so the same enterprises get the same records whatever ids the database gave them.
    enterprises = list(
        Organization.objects.filter(kind=OrganizationKind.ENTERPRISE)
        .order_by("credit_code")
        .values_list("id", "credit_code")
    )

    qualifications, annual, assessments, reserve = [], [], [], []
    for org_id, code in enterprises:
        for kind, share in QUALIFICATION_SHARES:
            roll = rng.random()
            if roll >= share * 1.15:
                continue
            if kind == "tsme":  # 科技型中小企业: registered for one calendar year
                year = today.year if roll < share else today.year - 1
                valid_from = date(year, 1, 1) + timedelta(days=rng.randint(0, 150))
                valid_until = date(year, 12, 31)
            else:  # three years; in force today (some within 90 days of expiry), or expired
                back = rng.randint(0, 3 * 365 - 1) if roll < share else 3 * 365 + rng.randint(1, 400)
                valid_from = today - timedelta(days=back)
                valid_until = valid_from + timedelta(days=3 * 365)
            qualifications.append(
                dict(
                    organization_id=org_id,
                    kind=kind,
                    level=DEFAULT_LEVEL[kind],
                    certificate_no=f"{MARKER}{kind}-{code}",
                    valid_from=valid_from,
                    valid_until=valid_until,
                    created_at=now,
                )
            )
        if rng.random() < 0.30:
            size = 10 ** rng.uniform(6.3, 9.0)  # 200万 to 10亿元, log-uniform
            for year in (last_year - 1, last_year):
                draft = year == last_year and rng.random() < 0.1
                annual.append(
                    _annual(
                        org_id,
                        year,
                        rng,
                        status=AnnualDataStatus.DRAFT if draft else AnnualDataStatus.SUBMITTED,
                        submitted_at=None if draft else now,
                        size=size * (1.1 if year == last_year else 1.0),
                    )
                )
            for kind in ("hnte", "tsme"):
                roll = rng.random()
                eligible = True if roll < 0.25 else None if roll < 0.35 else False
                failed = 0 if eligible else rng.choice((1, 1, 2, 3)) if eligible is False else 0
                assessments.append(
                    dict(
                        organization_id=org_id,
                        kind=kind,
                        assessed_on=today,
                        data_year=last_year,
                        ruleset="bench",
                        eligible=eligible,
                        score=_money(rng.uniform(40, 95)),
                        failed=failed,
                        undetermined=1 if eligible is None else 0,
                        result={},
                    )
                )
        if rng.random() < 0.02:
            reserve.append(
                dict(
                    organization_id=org_id,
                    kind=rng.choice(("hnte", "hnte", "tsme")),
                    target_year=rng.choice((today.year, today.year + 1, today.year + 1)),
                    status=rng.choice(ReserveStatus.values),
                    source=ReserveSource.RULES,
                    reason="bench",
                    created_at=now,
                )
            )

    assess_all = _assess_all()
    with transaction.atomic():
        counts = {
            "qualifications": _copy(Qualification, qualifications),
            "annual data": _copy(AnnualData, annual),
            "reserve entries": _copy(ReserveEntry, reserve),
        }
        if assess_all is None:  # otherwise the real rules assess the data below
            counts["assessments (synthetic)"] = _copy(AssessmentResult, assessments)
        changed = tiers_refresh_all(day=today)
    if assess_all is not None:
        assessed = assess_all()
        counts["assessments (evaluate.assess_all)"] = (
            assessed.get("rows", 0) if isinstance(assessed, dict) else 0
        )
    vacuum_analyze()
    log(
        ", ".join(f"{n} {what}" for what, n in counts.items())
        + f"; {changed} tiers changed; VACUUM ANALYZE; {time.monotonic() - started:.1f} s"
    )
    return True


def vacuum_analyze() -> None:
    """Fresh statistics and visibility maps for the tables the list reads (index-only scans need the latter)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in BENCH_TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")


def _assess_all():
    """`kechuang.enterprises.evaluate.assess_all` when that module has it (written in parallel), else None."""
    try:
        from kechuang.enterprises import evaluate
    except ImportError:
        return None
    return getattr(evaluate, "assess_all", None)


# --------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------


def _cases(username: str, *, code: str, last_page: int, today: date) -> list[Case]:
    path = "/enterprises/"
    last = str(today.year - 1)
    region = REGION_FOR[username]
    return [
        Case("no filter", path, {}),
        Case("q=纺织 (2 chars)", path, {"q": "纺织"}),
        Case("q=精密机械", path, {"q": "精密机械"}),
        Case("q=<credit code>", path, {"q": code}),
        Case(f"region={region}", path, {"region": region}),
        Case("industry=C&tech_field", path, {"industry": "C", "tech_field": "new_materials"}),
        Case("tier=hnte", path, {"tier": "hnte"}),
        Case("tier=tsme", path, {"tier": "tsme"}),
        Case("qualification=hnte", path, {"qualification": "hnte"}),
        Case("qualification=tsme&expiring=90", path, {"qualification": "tsme", "expiring": "90"}),
        Case("expiring=90", path, {"expiring": "90"}),
        Case(f"reserve_year={today.year + 1}", path, {"reserve_year": str(today.year + 1)}),
        Case("reserve_status=cultivating", path, {"reserve_status": "cultivating"}),
        Case(f"data_year={last}", path, {"data_year": last}),
        Case("revenue=10m_50m", path, {"revenue": "10m_50m"}),
        Case("rd_ratio=4_5", path, {"rd_ratio": "4_5"}),
        Case("assessment=tsme:eligible", path, {"assessment": "tsme:eligible"}),
        Case("assessment=hnte:near", path, {"assessment": "hnte:near"}),
        Case(
            "region+industry+hnte+revenue",
            path,
            {"region": region, "industry": "C", "qualification": "hnte", "revenue": "50m_200m"},
        ),
        Case(
            "tier+data_year+rd_ratio+assessment",
            path,
            {"tier": "tsme", "data_year": last, "rd_ratio": "ge6", "assessment": "hnte:near"},
        ),
        Case("q=纺织&tier=tsme", path, {"q": "纺织", "tier": "tsme"}),
        Case("page=2", path, {"page": "2"}),
        Case(f"last page ({last_page})", path, {"page": str(last_page)}),
        Case("API qualification=hnte", "/api/enterprises", {"qualification": "hnte"}),
    ]


@dataclass
class Measurement:
    user: str
    case: Case
    status: int
    p50: float
    p95: float
    cpu_p50: float  # this process's CPU time per request: the Django side, whatever else runs on the machine
    queries: int
    sql_ms: float  # the request's SQL time, from one extra request
    count_p50: float | None = None  # the count a full first page asks for afterwards (enterprise_count)
    count_p95: float | None = None
    slowest_sql: str = ""

    @property
    def passed(self) -> bool:
        return self.status == 200 and self.p95 < TARGET_MS and (self.count_p95 or 0) < TARGET_MS


def _timed(client, url: str, repeat: int, warmup: int):
    response = None
    for _ in range(warmup):
        response = client.get(url)
    timings, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return response, timings, cpu


def _measure(client, username: str, case: Case, repeat: int, warmup: int) -> Measurement:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    query = ("?" + urlencode(case.params)) if case.params else ""
    response, timings, cpu = _timed(client, case.path + query, repeat, warmup)
    with CaptureQueriesContext(connection) as captured:
        client.get(case.path + query)
    queries = captured.captured_queries
    slowest = max(queries, key=lambda q: float(q["time"]), default=None)
    measured = Measurement(
        user=username,
        case=case,
        status=response.status_code,
        p50=_percentile(timings, 0.50),
        p95=_percentile(timings, 0.95),
        cpu_p50=_percentile(cpu, 0.50),
        queries=len(queries),
        sql_ms=sum(float(q["time"]) for q in queries) * 1000,
        slowest_sql=slowest["sql"] if slowest else "",
    )
    if b'hx-get="/enterprises/count/' in response.content:
        params = {k: v for k, v in case.params.items() if k != "page"}
        count_url = "/enterprises/count/" + (("?" + urlencode(params)) if params else "")
        _response, count_timings, _cpu = _timed(client, count_url, repeat, warmup)
        measured.count_p50 = _percentile(count_timings, 0.50)
        measured.count_p95 = _percentile(count_timings, 0.95)
    return measured


def _table(rows: list[Measurement]) -> str:
    headers = [
        "user",
        "case",
        "status",
        "p50 ms",
        "p95 ms",
        "app CPU ms",
        "queries",
        "SQL ms",
        "count p50",
        "count p95",
        "p95<100",
    ]
    cells = [
        [
            m.user,
            m.case.label,
            str(m.status),
            f"{m.p50:.1f}",
            f"{m.p95:.1f}",
            f"{m.cpu_p50:.1f}",
            str(m.queries),
            f"{m.sql_ms:.1f}",
            "—" if m.count_p50 is None else f"{m.count_p50:.1f}",
            "—" if m.count_p95 is None else f"{m.count_p95:.1f}",
            "PASS" if m.passed else "FAIL",
        ]
        for m in rows
    ]
    widths = [max(_width(r[i]) for r in [headers, *cells]) for i in range(len(headers))]
    numeric = {2, 3, 4, 5, 6, 7, 8, 9}

    def line(row):
        return "  ".join(_pad(cell, widths[i], right=i in numeric) for i, cell in enumerate(row)).rstrip()

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in cells)])


def _cpu_reference() -> float:
    """Milliseconds PostgreSQL takes to count a million generated rows: how busy the machine is right now."""
    from django.db import connection

    best = float("inf")
    with connection.cursor() as cursor:
        for _ in range(3):
            started = time.perf_counter()
            cursor.execute("SELECT count(*) FROM generate_series(1, 1000000)")
            cursor.fetchone()
            best = min(best, (time.perf_counter() - started) * 1000)
    return best


def _time_export(client, params: dict) -> tuple[float, int, int]:
    """Seconds, rows and bytes of one export (the response is read to the end, as a browser would)."""
    from io import BytesIO

    from openpyxl import load_workbook

    started = time.perf_counter()
    response = client.get("/enterprises/export/?" + urlencode(params))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        return seconds, -1, len(body)
    sheet = load_workbook(BytesIO(body), read_only=True).active
    rows = sum(1 for _ in sheet.iter_rows(values_only=True)) - 1
    return seconds, rows, len(body)


def _time_assess_all() -> str:
    assess_all = _assess_all()
    if assess_all is None:
        return "skipped: not available"
    started = time.perf_counter()
    result = assess_all()
    return f"{time.perf_counter() - started:.1f} s (returned {result!r})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kechuang.enterprises.bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per case (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests before (default 3)")
    parser.add_argument(
        "--no-load", action="store_true", help="do not migrate or load data, use the database as is"
    )
    parser.add_argument("--only", default="", help="run only the cases whose label contains this text")
    parser.add_argument(
        "--users", default=",".join(USERS), help=f"comma-separated (default {','.join(USERS)})"
    )
    parser.add_argument("--no-export", action="store_true", help="skip the export timing")
    parser.add_argument("--no-assess", action="store_true", help="skip the batch self-assessment timing")
    parser.add_argument("--verbose", action="store_true", help="print the slowest SQL of every failing case")
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql"):
        return _fail(
            "DATABASE_URL must point to PostgreSQL, e.g. "
            "DATABASE_URL=postgres://kechuang:kechuang@127.0.0.1:5432/kechuang_bench_ent (or `make bench-enterprises`)"
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
    from django.utils import timezone

    from kechuang.accounts.models import User
    from kechuang.enterprises.selectors import enterprises_visible_to
    from kechuang.organizations.models import Organization

    if connection.vendor != "postgresql":
        return _fail(f"the configured database is {connection.vendor}, not PostgreSQL")
    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")

    if not args.no_load:
        started = time.monotonic()
        call_command("migrate", verbosity=0, interactive=False)
        # The organizations and logins of `demo_data --size province`, without its other demos: the enterprise
        # records are the benchmark's own (below), in the proportions it states.
        from kechuang.demo.generator import load

        load("province")
        print(f"migrate + organizations: {time.monotonic() - started:.1f} s")
        load_enterprise_data()
    vacuum_analyze()

    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version')")
        server_version = cursor.fetchone()[0]
    sample = (
        Organization.objects.filter(
            region__path__startswith="330000/330600/330603/330603L01/", kind="enterprise"
        )
        .order_by("id")
        .values_list("credit_code", flat=True)[10]
    )
    print(
        f"PostgreSQL {server_version}, {Organization.objects.count()} organizations "
        f"({Organization.objects.filter(kind='enterprise').count()} enterprises), Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, DEBUG={settings.DEBUG}, {args.repeat} requests per case after {args.warmup} warm-up"
    )

    print(
        "load average before: "
        + _load()
        + f"; CPU reference (count of 1e6 generated rows): {_cpu_reference():.0f} ms"
    )

    rows: list[Measurement] = []
    clients = {}
    for username in args.users.split(","):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        clients[username] = client
        visible = enterprises_visible_to(user=user).count()
        for case in _cases(username, code=sample, last_page=max(1, -(-visible // 20)), today=today):
            if args.only and args.only not in case.label:
                continue
            rows.append(_measure(client, username, case, args.repeat, args.warmup))
    print()
    print(_table(rows))
    slow = [m for m in rows if not m.passed]
    print()
    if args.verbose:
        for m in slow:
            print(f"slowest SQL of {m.user} {m.case.label}: {m.slowest_sql[:600]}")
    print(
        "load average after: " + _load() + f"; CPU reference: {_cpu_reference():.0f} ms"
        "  (other work on the machine inflates the times)"
    )
    print(
        f"{len(rows) - len(slow)}/{len(rows)} cases answered 200 with p95 < {TARGET_MS:.0f} ms (page, and its count when asked afterwards)  ({'PASS' if not slow else 'FAIL'})"
    )

    if not args.no_export and "sx_admin" in clients:
        print()
        for params in ({"qualification": "hnte", "tier": "hnte"}, {"tier": "tsme"}):
            timings = [_time_export(clients["sx_admin"], params) for _ in range(3)]
            seconds = [t[0] for t in timings]
            print(
                f"export sx_admin ?{urlencode(params)}: {timings[0][1]} rows, {timings[0][2] / 1e6:.1f} MB, "
                f"median {sorted(seconds)[1]:.2f} s (runs: {', '.join(f'{s:.2f}' for s in seconds)})"
            )
    if not args.no_assess:
        print()
        print("batch self-assessment (evaluate.assess_all): " + _time_assess_all())
    return 0


if __name__ == "__main__":
    sys.exit(main())
