"""Benchmark of the organization pages at province scale, on PostgreSQL.

    DATABASE_URL=postgres://kechuang:kechuang@127.0.0.1:5432/kechuang_bench python -m kechuang.bench [--repeat 30]

Creates the database when it is missing, migrates it, loads `demo_data --size province` unless already
loaded, then requests each page in-process with django.test.Client as the city bureau admin
(sx_admin, sees all of 绍兴) and as the county bureau staff (kq_staff, 柯桥区 only). For each page it
reports the server time (p50 and p95 of --repeat requests after --warmup requests) and the number of
SQL queries per request. Static files and whitenoise take no part: only Django views are timed.
See docs/bench.md.
"""

import argparse
import math
import os
import platform
import sys
import time
import warnings
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit, urlunsplit

TARGET_MS = 100.0


@dataclass
class Case:
    label: str
    path: str
    params: dict


@dataclass
class Measurement:
    user: str
    case: Case
    status: int
    p50: float
    p95: float
    queries: int
    slowest_query_ms: float
    slowest_sql: str = field(repr=False, default="")


def _fail(message: str) -> int:
    print(f"kechuang.bench: {message}", file=sys.stderr)
    return 2


def _ensure_database(url: str) -> None:
    """Create the benchmark database when it does not exist yet (the role must be allowed to)."""
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=5).close()
        return
    except psycopg.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    print(f"created database {name}")


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


def _cases(code: str, detail_id: int) -> list[Case]:
    return [
        Case("list, no filter", "/organizations/", {}),
        Case("kind+industry", "/organizations/", {"kind": "enterprise", "industry": "C"}),
        Case("region 柯桥区", "/organizations/", {"region": "330603"}),
        Case(
            "tech_field+status",
            "/organizations/",
            {"tech_field": "electronic_information", "status": "verified"},
        ),
        Case("name q=纺织", "/organizations/", {"q": "纺织"}),
        Case("name q=华宇", "/organizations/", {"q": "华宇"}),
        Case("name q=精密机械", "/organizations/", {"q": "精密机械"}),
        Case("name q=绍兴柯桥华宇", "/organizations/", {"q": "绍兴柯桥华宇"}),
        Case("credit code q=", "/organizations/", {"q": code}),
        Case("page=200", "/organizations/", {"page": "200"}),
        Case("detail", f"/organizations/{detail_id}/", {}),
        Case("API kind=enterprise", "/api/organizations", {"kind": "enterprise"}),
    ]


def _measure(client, username: str, case: Case, repeat: int, warmup: int) -> Measurement:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = case.path + (("?" + urlencode(case.params)) if case.params else "")
    status = 0
    for _ in range(warmup):
        status = client.get(url).status_code
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        status = response.status_code
    # Queries are counted on one extra request, so that recording them does not slow the timed ones.
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    slowest = max(captured.captured_queries, key=lambda q: float(q["time"]), default=None)
    return Measurement(
        user=username,
        case=case,
        status=status,
        p50=_percentile(timings, 0.50),
        p95=_percentile(timings, 0.95),
        queries=len(captured.captured_queries),
        slowest_query_ms=float(slowest["time"]) * 1000 if slowest else 0.0,
        slowest_sql=slowest["sql"] if slowest else "",
    )


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(width - _width(text), 0)
    return fill + text if right else text + fill


def _table(rows: list[Measurement]) -> str:
    headers = ["user", "page", "status", "p50 ms", "p95 ms", "queries", "slowest SQL ms", "p95<100"]
    cells = [
        [
            m.user,
            m.case.label,
            str(m.status),
            f"{m.p50:.1f}",
            f"{m.p95:.1f}",
            str(m.queries),
            f"{m.slowest_query_ms:.1f}",
            "yes" if m.p95 < TARGET_MS else "NO",
        ]
        for m in rows
    ]
    widths = [max(_width(r[i]) for r in [headers, *cells]) for i in range(len(headers))]
    numeric = {2, 3, 4, 5, 6}

    def line(row):
        return "  ".join(_pad(cell, widths[i], right=i in numeric) for i, cell in enumerate(row)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in cells)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kechuang.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests before (default 3)")
    parser.add_argument("--size", default="province", help="demo_data size to load (default province)")
    parser.add_argument(
        "--no-load", action="store_true", help="do not migrate or load data, use the database as is"
    )
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql"):
        return _fail(
            "DATABASE_URL must point to PostgreSQL, e.g. "
            "DATABASE_URL=postgres://kechuang:kechuang@127.0.0.1:5432/kechuang_bench "
            "(`bash scripts/services.sh` starts the server and prints the URL of the main database; "
            "use a separate database for the benchmark)."
            + (f" Got: {urlsplit(url).scheme or 'nothing'}." if url else " It is not set.")
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
    # Production-like: no debug toolbar-ish overhead, no query log, templates cached.
    os.environ.setdefault("KECHUANG_DEBUG", "0")
    # Pages are rendered without collectstatic: plain static storage, no manifest lookups.
    os.environ.setdefault("KECHUANG_MANIFEST_STATIC", "0")

    # whitenoise warns when var/static was never collected; static files are not part of the benchmark.
    warnings.filterwarnings("ignore", message="No directory at")

    _ensure_database(url)

    import django

    django.setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from kechuang.accounts.models import User
    from kechuang.organizations.models import Organization

    if connection.vendor != "postgresql":
        return _fail(f"the configured database is {connection.vendor}, not PostgreSQL")
    # Django's test Client is refused by ALLOWED_HOSTS unless "testserver" is allowed.
    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")

    if not args.no_load:
        started = time.monotonic()
        call_command("migrate", verbosity=0, interactive=False)
        call_command("demo_data", size=args.size)
        print(f"migrate + demo_data: {time.monotonic() - started:.1f} s")

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version')")
        server_version = cursor.fetchone()[0]
        cursor.execute("ANALYZE organizations_organization")
    total = Organization.objects.count()
    sample = (
        Organization.objects.filter(region__path__startswith="330000/330600/330603/", status="verified")
        .order_by("id")
        .values("id", "credit_code")[100]
    )
    users = {name: User.objects.get(username=name) for name in ("sx_admin", "kq_staff")}

    print(
        f"PostgreSQL {server_version}, {total} organizations, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, DEBUG={settings.DEBUG}, {args.repeat} requests per page after {args.warmup} warm-up"
    )
    print("load average before: " + _load())
    rows = []
    for username, user in users.items():
        client = Client()
        client.force_login(user)
        for case in _cases(sample["credit_code"], sample["id"]):
            rows.append(_measure(client, username, case, args.repeat, args.warmup))
    print()
    print(_table(rows))
    slow = [m for m in rows if m.p95 >= TARGET_MS or m.status != 200]
    print()
    print("load average after: " + _load() + "  (other work on the machine inflates the times)")
    print(f"{len(rows) - len(slow)}/{len(rows)} pages answered 200 with p95 < {TARGET_MS:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
