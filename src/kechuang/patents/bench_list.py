"""Benchmark of the patent list at city scale: 500,000 patents of 100,000 organizations, on PostgreSQL.

    DATABASE_URL=postgres://kechuang:kechuang@127.0.0.1:5432/kechuang_bench_patents \
        python -m kechuang.patents.bench_list [--repeat 20] [--warmup 3] [--no-load] [--patents N]

Run it on a copy of the province-scale bench database (`make bench` writes kechuang_bench: 100,004 organizations
and the named users), e.g. `CREATE DATABASE kechuang_bench_patents TEMPLATE kechuang_bench`. Migrates, then loads
once and deterministically N patents (default 500,000; filed 2008–2025, about half granted, some lapsed, a few
hundred per large enterprise and a handful for most) for the enterprises; then requests the patent list in-process
with django.test.Client as the city's staff (sx_gaoxin), a county's staff (kq_staff) and an enterprise's clerk,
for the filters of the page, and prints p50 / p95 / max and the SQL queries of each. Exits 1 when a case's p95
reaches 100 ms.
"""

import argparse
import os
import random
import sys
import time
import warnings
from datetime import date, timedelta
from urllib.parse import urlencode, urlsplit

from kechuang.bench import _ensure_database, _fail, _load, _pad, _percentile, _width

SEED = 7
TARGET_MS = 100.0
MARKER = "（基准测试）"  # in every bench patent's title
IPC = ("A01B", "A61K", "B01D", "B23K", "C08L", "D01F", "D06M", "F16H", "G01N", "G06F", "H01L", "H01M", "H04L")
TITLES = ("一种纺织面料", "一种检测装置", "一种控制方法", "一种复合材料", "一种电池模组", "一种数据处理系统")
CLERK = "bench_patent_clerk"


def _number(year: int, kind_digit: str, serial: int) -> str:
    from kechuang.patents.numbers import check_character

    digits = f"{year}{kind_digit}{serial:07d}"
    return f"{digits}.{check_character(digits)}"


def load(total: int, *, log=print) -> None:
    """The bench's patents, once (COPY, in chunks), then ANALYZE."""
    from django.db import connection, transaction

    from kechuang.demo.bulk import insert
    from kechuang.organizations.models import Organization
    from kechuang.patents.models import Patent

    if Patent.objects.filter(title__endswith=MARKER).exists():
        log(f"patents: already loaded ({Patent.objects.count()} patents)")
        return
    rng = random.Random(f"kechuang-bench-patents:{SEED}")
    started = time.monotonic()
    owners = list(
        Organization.objects.filter(kind__in=("enterprise", "institution")).values_list("pk", flat=True)
    )
    # A few organizations hold most patents, as in any city: weights from a long-tailed distribution.
    weights = [rng.paretovariate(1.2) for _ in owners]
    serials: dict[tuple[int, str], int] = {}
    rows = []
    for owner in rng.choices(owners, weights=weights, k=total):
        year = rng.randint(2008, 2025)
        kind_digit = rng.choices("123", weights=(3, 5, 2))[0]
        serials[(year, kind_digit)] = serial = serials.get((year, kind_digit), 100000) + 1
        filed = date(year, 1, 1) + timedelta(days=rng.randrange(365))
        kind = {"1": "invention", "2": "utility_model", "3": "design"}[kind_digit]
        status, granted, lapsed = "applied", None, None
        if rng.random() < 0.55:
            granted = filed + timedelta(
                days=rng.randint(120, 300) if kind != "invention" else rng.randint(500, 1100)
            )
            status = "granted"
            if granted > date(2026, 11, 30):
                status, granted = "applied", None
            elif rng.random() < 0.15:
                status, lapsed = "lapsed", granted + timedelta(days=rng.randint(400, 2000))
                if lapsed > date(2026, 11, 30):
                    status, lapsed = "granted", None
        rows.append(
            {
                "application_no": _number(year, kind_digit, serial),
                "kind": kind,
                "title": f"{rng.choice(TITLES)}{MARKER}",
                "organization_id": owner,
                "filed_on": filed,
                "granted_on": granted,
                "lapsed_on": lapsed,
                "status": status,
                "ipc": f"{rng.choice(IPC)} {rng.randint(1, 99)}/{rng.randint(0, 99):02d}",
            }
        )
    for first in range(0, len(rows), 50_000):
        with transaction.atomic():
            insert(Patent, rows[first : first + 50_000])
        log(f"patents: {min(first + 50_000, len(rows))} of {len(rows)}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE patents_patent")
    log(f"patents: {len(rows)} loaded in {time.monotonic() - started:.1f} s")


def _clerk():
    """An enterprise clerk of the organization with the most patents."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from kechuang.accounts.enums import MembershipStatus, Role
    from kechuang.organizations.models import Organization

    top = Organization.objects.annotate(n=Count("patents")).order_by("-n").values_list("pk", "region_id")[0]
    user, _created = get_user_model().objects.update_or_create(
        username=CLERK,
        defaults={
            "role": Role.ENTERPRISE,
            "organization_id": top[0],
            "membership_status": MembershipStatus.ACTIVE,
            "is_active": True,
        },
    )
    return user


def cases() -> list[tuple[str, str, dict]]:
    """(label, user, query) of each case."""
    city, county = "sx_gaoxin", "kq_staff"
    return [
        ("city: no filter", city, {}),
        ("city: kind=invention, status=granted", city, {"kind": "invention", "status": "granted"}),
        ("city: granted_year=2023", city, {"granted_year": "2023"}),
        ("city: filed_year=2019, kind=design", city, {"filed_year": "2019", "kind": "design"}),
        ("city: region=330681 (county)", city, {"region": "330681"}),
        ("city: ipc=H01M", city, {"ipc": "H01M"}),
        ("city: organization keyword", city, {"organization": "纺织"}),
        ("city: application number prefix", city, {"organization": "20191010"}),
        (
            "city: all filters",
            city,
            {"kind": "invention", "status": "granted", "granted_year": "2022", "ipc": "G06F"},
        ),
        ("city: page 50", city, {"page": "50"}),
        ("county: no filter", county, {}),
        ("county: status=lapsed", county, {"status": "lapsed"}),
        ("county: filed_year=2024", county, {"filed_year": "2024"}),
        ("clerk: own patents", CLERK, {}),
        ("clerk: kind=invention", CLERK, {"kind": "invention"}),
    ]


def _measure(client, params: dict, repeat: int, warmup: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = "/patents/" + (("?" + urlencode(params)) if params else "")
    for _ in range(warmup):
        client.get(url)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    rows = response.content.decode().count('data-testid="patent-row"')
    slowest = max(captured.captured_queries, key=lambda q: float(q["time"]), default=None)
    return response.status_code, timings, len(captured.captured_queries), rows, slowest


def _table(rows: list[list[str]], headers: list[str], numeric: set[int]) -> str:
    widths = [max(_width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(row):
        return "  ".join(_pad(cell, widths[i], right=i in numeric) for i, cell in enumerate(row)).rstrip()

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kechuang.patents.bench_list", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per case (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests before (default 3)")
    parser.add_argument("--patents", type=int, default=500_000, help="patents to load (default 500,000)")
    parser.add_argument("--no-load", action="store_true", help="use the database as it is")
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql"):
        return _fail("DATABASE_URL must point to PostgreSQL (a copy of kechuang_bench, see the module's doc)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
    os.environ.setdefault("KECHUANG_DEBUG", "0")
    os.environ.setdefault("KECHUANG_MANIFEST_STATIC", "0")
    warnings.filterwarnings("ignore", message="No directory at")
    _ensure_database(url)

    import django

    django.setup()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from kechuang.organizations.models import Organization
    from kechuang.patents.models import Patent

    if connection.vendor != "postgresql":
        return _fail(f"the configured database is {connection.vendor}, not PostgreSQL")
    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")
    if not args.no_load:
        started = time.monotonic()
        call_command("migrate", verbosity=0, interactive=False)
        print(f"migrate: {time.monotonic() - started:.1f} s")
        load(args.patents)
    users = {
        name: get_user_model().objects.filter(username=name).first() for name in ("sx_gaoxin", "kq_staff")
    }
    if not all(users.values()):
        return _fail("the database lacks the users sx_gaoxin and kq_staff: copy kechuang_bench (see the doc)")
    users[CLERK] = _clerk()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version')")
        server_version = cursor.fetchone()[0]
    print(
        f"PostgreSQL {server_version}, {Patent.objects.count()} patents of {Organization.objects.count()} "
        f"organizations (the clerk's: {Patent.objects.filter(organization_id=users[CLERK].organization_id).count()}), "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, DEBUG={settings.DEBUG}, "
        f"{args.repeat} requests per case after {args.warmup} warm-up"
    )
    print(f"load average before: {_load()}")
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    rows, failed, everything = [], False, []
    for label, who, params in cases():
        status, timings, queries, shown, slowest = _measure(clients[who], params, args.repeat, args.warmup)
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
