"""Benchmark of the self-assessment batch (issue item 8: 100,000 enterprises in under 30 s), on PostgreSQL.

    DATABASE_URL=postgres://kechuang:kechuang@127.0.0.1:5432/kechuang_bench_assess \
        python -m kechuang.enterprises.bench_assess [--enterprises 100000] [--repeat 2]

Creates the database when it is missing and migrates it, then loads synthetic enterprises (with three
years of submitted annual data for most of them, two or one for the younger ones, none for some, and a
few qualifications) until there are `--enterprises` of them, and times `evaluate.assess_all` over all of
them (`--repeat` runs: the first writes the rows, the next ones rewrite them). Use a database of its own:
the loader adds 100,000 enterprises to whatever is there.

`measure()` is what another benchmark (kechuang.enterprises.bench) can call on a loaded database.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

BENCH_PREFIX = "绍兴评测"  # names of the synthetic enterprises, so a second run finds them
TARGET_SECONDS = 30.0


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _annual_rows(rng: random.Random, organization_id: int, years: list[int]) -> list[dict]:
    """Plausible yearly figures of one enterprise: revenue growing by ±30 %, R&D 0–9 % of it, etc."""
    revenue = rng.lognormvariate(17.0, 1.3)  # median ≈ 2,400 万元
    staff = max(5, int(revenue / rng.uniform(4e5, 1.5e6)))
    rd_share = rng.choice((0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08)) + rng.uniform(0, 0.01)
    st_share = rng.uniform(0.02, 0.4)
    hitech_share = rng.uniform(0.0, 0.95)
    ip_invention = rng.choice((0, 0, 0, 1, 2))
    ip_utility = rng.choice((0, 1, 2, 3, 5, 8))
    net_assets = revenue * rng.uniform(0.2, 0.8)
    rows = []
    for year in years:
        revenue *= rng.uniform(0.85, 1.35)
        net_assets *= rng.uniform(0.9, 1.3)
        main = revenue * rng.uniform(0.85, 1.0)
        other = revenue - main
        rd = revenue * rd_share
        personnel = rd * 0.5
        sd_other = rd * rng.uniform(0.0, 0.15)
        rows.append(
            {
                "organization_id": organization_id,
                "year": year,
                "status": "submitted",
                "total_income": _money(revenue * 1.02),
                "non_taxable_income": _money(revenue * 0.01),
                "investment_income": _money(revenue * 0.005),
                "main_revenue": _money(main),
                "other_revenue": _money(other),
                "hitech_revenue": _money(revenue * hitech_share),
                "cost_total": _money(revenue * rng.uniform(0.6, 0.95)),
                "hnte_rd_personnel": _money(personnel),
                "hnte_rd_direct": _money(rd * 0.25),
                "hnte_rd_depreciation": _money(rd * 0.08),
                "hnte_rd_amortization": _money(rd * 0.02),
                "hnte_rd_design": _money(rd * 0.03),
                "hnte_rd_trial": _money(rd * 0.02),
                "hnte_rd_commissioned_domestic": _money(rd * 0.05),
                "hnte_rd_commissioned_foreign": _money(rd * rng.choice((0, 0, 0.02))),
                "hnte_rd_other": _money(rd * rng.uniform(0.0, 0.12)),
                "sd_rd_personnel": _money(personnel),
                "sd_rd_direct": _money(rd * 0.25),
                "sd_rd_depreciation": _money(rd * 0.07),
                "sd_rd_amortization": _money(rd * 0.02),
                "sd_rd_design": _money(rd * 0.03),
                "sd_rd_other": _money(sd_other),
                "sd_rd_commissioned_domestic": _money(rd * 0.05),
                "sd_rd_commissioned_foreign": _money(0),
                "sd_capitalized_amortization": _money(rd * rng.choice((0, 0, 0.1))),
                "staff_total": Decimal(staff),
                "st_staff": Decimal(max(0, round(staff * st_share))),
                "net_assets": _money(net_assets),
                "total_assets": _money(net_assets * rng.uniform(1.3, 2.5)),
                "ip_invention": ip_invention,
                "ip_utility_model": ip_utility,
                "ip_software": rng.choice((0, 0, 1, 3)),
                "achievements_transformed": rng.choice((0, 1, 2, 3, 5)),
                "has_major_incident": rng.random() < 0.005,
                "enhanced_rate": rng.random() < 0.01,
            }
        )
    return rows


def load_enterprises(count: int, *, seed: int = 2026, on: date | None = None, log=print) -> int:
    """Add synthetic enterprises (named BENCH_PREFIX…) until there are `count`; returns how many were added.

    Plain bulk_create (no signals, no audit lines): benchmark data, not user actions.
    """
    from django.db import transaction
    from django.utils import timezone

    from kechuang.demo.generator import RegionIndex, regions_from_db
    from kechuang.organizations.enums import (
        OrganizationKind,
        QualificationKind,
        QualificationLevel,
        TechField,
        VerificationStatus,
    )
    from kechuang.organizations.models import Organization, Qualification
    from kechuang.organizations.validators import credit_code_check_char

    from .models import AnnualData

    on = on or timezone.localdate()
    have = Organization.objects.filter(name__startswith=BENCH_PREFIX).count()
    if have >= count:
        return 0
    rng = random.Random(seed + have)
    regions = RegionIndex(regions_from_db())
    fields = [value for value, _label in TechField.choices]
    started = time.monotonic()
    batch = 5000
    for start in range(have, count, batch):
        stop = min(start + batch, count)
        with transaction.atomic():
            organizations = []
            for serial in range(start, stop):
                first17 = f"91330600{serial:09d}"
                organizations.append(
                    Organization(
                        kind=OrganizationKind.ENTERPRISE,
                        name=f"{BENCH_PREFIX}{serial:06d}科技有限公司",
                        credit_code=first17 + credit_code_check_char(first17),
                        region_id=regions.pick(rng).code,
                        industry=rng.choice("CCCCCIIMMF"),
                        tech_field=rng.choice(fields + [""]),
                        founded_on=on - timedelta(days=rng.randint(200, 6000)),
                        status=VerificationStatus.VERIFIED,
                    )
                )
            Organization.objects.bulk_create(organizations, batch_size=1000)
            annual, qualifications = [], []
            for organization in organizations:
                age_years = (on - organization.founded_on).days // 365
                kept = min(3, max(0, age_years)) if rng.random() > 0.05 else 0
                years = list(range(on.year - kept, on.year))
                annual.extend(AnnualData(**row) for row in _annual_rows(rng, organization.pk, years))
                roll = rng.random()
                if roll < 0.12:
                    qualifications.append(
                        Qualification(
                            organization=organization,
                            kind=QualificationKind.HNTE,
                            level=QualificationLevel.NATIONAL,
                            valid_from=on - timedelta(days=rng.randint(30, 1000)),
                            valid_until=on + timedelta(days=rng.randint(1, 1000)),
                        )
                    )
                elif roll < 0.15:
                    qualifications.append(
                        Qualification(
                            organization=organization,
                            kind=QualificationKind.ENTERPRISE_INSTITUTE,
                            level=QualificationLevel.PROVINCIAL,
                            valid_from=on - timedelta(days=400),
                            valid_until=on + timedelta(days=3000),
                        )
                    )
            AnnualData.objects.bulk_create(annual, batch_size=1000)
            Qualification.objects.bulk_create(qualifications, batch_size=1000)
        log(f"  {stop} enterprises loaded ({time.monotonic() - started:.0f} s)")
    return count - have


def measure(*, on: date | None = None, region_code: str | None = None, repeat: int = 1) -> dict:
    """Run the batch `repeat` times on the current database; the seconds of each run and its counts."""
    import resource

    from django.db import connection

    from .evaluate import assess_all

    runs, cpu, worker_cpu = [], [], []
    summary: dict = {}
    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    for _ in range(repeat):
        queries[0] = 0
        # Counted with a wrapper, not CaptureQueriesContext: that one keeps the text of every (huge) INSERT.
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        with connection.execute_wrapper(count):
            started, started_cpu = time.perf_counter(), time.process_time()
            summary = assess_all(on=on, region_code=region_code)
            runs.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        worker_cpu.append(after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime)
        summary["queries"] = queries[0]
    return {**summary, "seconds": runs, "cpu_seconds": cpu, "worker_cpu_seconds": worker_cpu}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kechuang.enterprises.bench_assess", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2, help="timed runs of the batch (default 2)")
    parser.add_argument("--no-load", action="store_true", help="use the database as it is")
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql"):
        print(
            "bench_assess: DATABASE_URL must point to a PostgreSQL database of its own, e.g. "
            "postgres://kechuang:kechuang@127.0.0.1:5432/kechuang_bench_assess",
            file=sys.stderr,
        )
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
    os.environ.setdefault("KECHUANG_DEBUG", "0")

    from kechuang.bench import _ensure_database

    _ensure_database(url)

    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection

    from kechuang.organizations.models import Organization

    if not args.no_load:
        started = time.monotonic()
        call_command("migrate", verbosity=0, interactive=False)
        added = load_enterprises(args.enterprises)
        if added:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"migrate + load ({added} enterprises added): {time.monotonic() - started:.1f} s")

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version')")
        server_version = cursor.fetchone()[0]
    enterprises = Organization.objects.filter(kind="enterprise").count()
    print(
        f"PostgreSQL {server_version}, {enterprises} enterprises, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs; load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}"
    )
    result = measure(repeat=args.repeat)
    runs = zip(result["seconds"], result["cpu_seconds"], result["worker_cpu_seconds"], strict=True)
    for index, (seconds, cpu, workers) in enumerate(runs, 1):
        verdict = "yes" if seconds < TARGET_SECONDS else "NO"
        print(
            f"run {index}: {seconds:.1f} s wall (< {TARGET_SECONDS:.0f} s: {verdict}); CPU {cpu:.1f} s in this "
            f"process, {workers:.1f} s in worker processes (PostgreSQL's own CPU not counted)"
        )
    print(
        "assessed {enterprises} enterprises, wrote {rows} rows in {queries} queries; "
        "hnte eligible {hnte_eligible}, tsme eligible {tsme_eligible}".format(**result)
    )
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
