"""Benchmark of the projects module on PostgreSQL: the officers' application list at 50,000 applications
(--part list) and a deadline surge of 500 concurrent submissions against gunicorn (--part surge).

    bash scripts/services.sh     # PostgreSQL and Redis; prints the main DATABASE_URL
    DATABASE_URL=postgres://kechuang:kechuang@127.0.0.1:5432/kechuang_bench_projects \\
        .venv/bin/python -m kechuang.projects.bench [--part list|surge|all]

list: in the database of DATABASE_URL (kechuang_bench_projects when DATABASE_URL names the main database
`kechuang`), migrates, loads `demo_data --size medium`, then bulk-creates 50,000 applications over 11 calls
(not through the services: bulk_create in batches, with their audit lines and attachment rows), once.
Requests each page in-process with django.test.Client as sx_gaoxin (city), kq_staff (county) and
kq_officer (town): p50/p95 of --repeat requests after --warmup, and SQL queries per request.

surge: in a database of its own (kechuang_bench_surge on the same server, dropped and recreated each run),
prepares 500 enterprises with complete drafts through the services, starts gunicorn, and in the last minute
before the call's deadline fires 500 concurrent `POST /api/applications/<id>/submission`; then checks the
database (none lost, none half-saved) and that submissions after the deadline are refused.
See docs/bench-projects.md.
"""

import argparse
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from kechuang.bench import (
    TARGET_MS,
    Case,
    Measurement,
    _ensure_database,
    _load,
    _measure,
    _pad,
    _percentile,
    _width,
)

PROG = "python -m kechuang.projects.bench"
MAIN_DATABASE = "kechuang"
LIST_DATABASE = "kechuang_bench_projects"
SURGE_DATABASE = "kechuang_bench_surge"
BENCH_GUIDE = "【性能测试数据】本指南由 kechuang.projects.bench 生成。"
REPO = Path(__file__).resolve().parents[3]


def _fail(message: str) -> int:
    print(f"kechuang.projects.bench: {message}", file=sys.stderr)
    return 2


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def _database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _setup_django(url: str, **env: str) -> None:
    """Point Django at `url` (settings read the environment once, at setup) and set it up."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
    # Production-like: no query log, cached templates; pages render without collectstatic.
    os.environ.setdefault("KECHUANG_DEBUG", "0")
    os.environ.setdefault("KECHUANG_MANIFEST_STATIC", "0")
    os.environ.update(env)
    warnings.filterwarnings("ignore", message="No directory at")

    import django

    django.setup()


def _table(headers: list[str], rows: list[list[str]], numeric: set[int]) -> str:
    widths = [max(_width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(row):
        return "  ".join(_pad(cell, widths[i], right=i in numeric) for i, cell in enumerate(row)).rstrip()

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


# ------------------------------------------------------------------------------------------------
# Part 1: 50,000 applications, the officers' list
# ------------------------------------------------------------------------------------------------

PROGRAMS = [
    # code, name, department, region. "sx-key-rd" is the program demo_data seeds.
    ("bench-sx-sme", "绍兴市科技型中小企业技术创新计划", "high_tech", "330600"),
    ("bench-sx-social", "绍兴市社会发展科技计划", "rural_social", "330600"),
    ("bench-kq-rd", "柯桥区重点科技计划", "high_tech", "330603"),
    ("bench-yc-rd", "越城区科技计划", "high_tech", "330602"),
    ("bench-zj-rd", "诸暨市科技计划", "high_tech", "330681"),
    ("bench-jx-rd", "嘉兴市科技计划", "high_tech", "330400"),
    ("bench-qz-rd", "衢州市科技计划", "high_tech", "330800"),
]

CALLS = [
    # program code, opened days ago, open for days, share of the applications (before capping)
    ("sx-key-rd", 600, 45, 7000),
    ("sx-key-rd", 250, 40, 7000),
    ("bench-sx-sme", 420, 60, 7000),
    ("bench-sx-sme", 25, 45, 8000),
    ("bench-sx-social", 15, 45, 6000),
    ("bench-kq-rd", 300, 45, 3000),
    ("bench-kq-rd", 10, 40, 3500),
    ("bench-yc-rd", 30, 60, 2500),
    ("bench-zj-rd", 200, 45, 2800),
    ("bench-jx-rd", 20, 40, 180),
    ("bench-qz-rd", 20, 40, 150),
]

# State mixes: calls long closed are mostly decided; open calls are mostly drafts and waiting.
CLOSED_MIX = {
    "draft": 12,
    "submitted": 3,
    "recommended": 6,
    "returned": 3,
    "checked": 46,
    "rejected": 24,
    "withdrawn": 6,
}
OPEN_MIX = {
    "draft": 35,
    "submitted": 30,
    "recommended": 15,
    "returned": 5,
    "checked": 6,
    "rejected": 4,
    "withdrawn": 5,
}

TOPICS = [
    "高性能差别化纤维",
    "印染废水深度处理",
    "新能源汽车电驱轴承",
    "智能纺机远程运维",
    "生物基可降解材料",
    "集成电路封装测试装备",
    "黄酒酿造数字化",
    "珍珠养殖水质监测",
    "袜业柔性制造",
    "光伏组件回收",
    "工业互联网安全",
    "医用高分子材料",
    "氢燃料电池双极板",
    "伺服电机精密控制",
    "绿色建材低碳制备",
    "茶叶品质智能分选",
]
SUFFIXES = [
    "关键技术研究",
    "成套技术开发与产业化",
    "研发与示范应用",
    "关键装备研制",
    "工艺优化与推广",
    "平台建设",
]
FIELDS = [
    "电子信息",
    "生物与新医药",
    "新材料",
    "高技术服务",
    "新能源与节能",
    "资源与环境",
    "先进制造与自动化",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "建华",
    "海燕",
    "志强",
]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _application_data(rng: random.Random, org: dict, contact: str) -> dict:
    """Complete data for the standard form, like tests.factories.complete_data() but varied."""
    amount = rng.randrange(10, 50) * 10000
    equipment = amount * rng.randrange(4, 8) // 10
    team = [{"name": contact, "title": "高级工程师", "role": "项目负责人"}] + [
        {"name": _person(rng), "title": rng.choice(["工程师", "研究员", "助理工程师"]), "role": "技术骨干"}
        for _ in range(rng.randrange(0, 4))
    ]
    topic = rng.choice(TOPICS)
    return {
        "title": topic + rng.choice(SUFFIXES),
        "applicant": org["name"],
        "credit_code": org["credit_code"],
        "contact": contact,
        "phone": f"138{rng.randrange(10**8):08d}",
        "field": rng.choice(FIELDS),
        "summary": f"面向绍兴传统产业改造提升，围绕{topic}开展关键技术攻关，形成可推广的工艺与装备。" * 3,
        "start": "2027-01-01",
        "end": "2028-12-31",
        "amount": str(amount),
        "budget": [
            {"item": "设备费", "amount": str(equipment)},
            {"item": "材料费", "amount": str(amount - equipment)},
        ],
        "team": team,
    }


def _check_results(amount: int, ok: bool) -> list[dict]:
    return [
        {"check": "必填内容与附件", "ok": ok, "detail": "" if ok else "经费预算：请补充预算明细。"},
        {"check": "申请经费不超过单项上限", "ok": True, "detail": f"申请 {amount} 元，上限 500000 元"},
        {"check": "申报资格与科研诚信", "ok": True, "detail": ""},
        {"check": "未重复申报", "ok": True, "detail": ""},
    ]


def _history(state: str, rng: random.Random, created, deadline, now) -> tuple:
    """(submitted_at, transitions [(from, to, at, who, reason)], state_since) for an application in `state`."""

    def later(start, low_days, high_days, cap):
        return max(start, min(start + timedelta(seconds=rng.uniform(low_days, high_days) * 86400), cap))

    if state == "draft":
        return None, [], created
    if state == "withdrawn" and rng.random() < 0.5:
        at = later(created, 0, 10, deadline)
        return None, [("draft", "withdrawn", at, "applicant", "单位决定本年度不再申报")], at
    submitted_at = later(created, 0, 15, deadline)
    steps = [("draft", "submitted", submitted_at, "applicant", "")]
    if state == "submitted":
        return submitted_at, steps, submitted_at
    if state == "withdrawn":
        at = later(submitted_at, 0, 5, deadline)
        steps.append(("submitted", "withdrawn", at, "applicant", "项目内容调整，主动撤回"))
        return submitted_at, steps, at
    if state == "rejected" and rng.random() < 0.5:
        at = later(submitted_at, 1, 12, now)
        steps.append(("submitted", "rejected", at, "locality", "不符合属地推荐条件"))
        return submitted_at, steps, at
    recommended_at = later(submitted_at, 1, 12, now)
    steps.append(("submitted", "recommended", recommended_at, "locality", "材料齐全，同意推荐"))
    if state == "recommended":
        return submitted_at, steps, recommended_at
    target, reason = {
        "checked": ("checked", ""),
        "returned": ("returned", "预算明细不完整，请补充后重新提交"),
        "rejected": ("rejected", "形式审查不符合指南要求"),
    }[state]
    at = later(recommended_at, 1, 20, now)
    steps.append(("recommended", target, at, "bureau", reason))
    return submitted_at, steps, at


def _allocate(target: int, capacities: list[int]) -> list[int]:
    """Split `target` over the calls in proportion to their shares, within what each can take."""
    shares = [share for _p, _o, _d, share in CALLS]
    total = sum(shares)
    counts = [min(round(target * s / total), cap) for s, cap in zip(shares, capacities, strict=True)]
    while sum(counts) != target:
        step = 1 if sum(counts) < target else -1
        room = [
            i
            for i in range(len(counts))
            if (step > 0 and counts[i] < capacities[i]) or (step < 0 and counts[i] > 0)
        ]
        if not room:
            raise RuntimeError(f"the demo data has too few eligible organizations for {target} applications")
        i = max(room, key=lambda i: capacities[i] - counts[i])
        counts[i] += step * min(abs(target - sum(counts)), max(1, abs(target - sum(counts)) // len(room)))
        counts[i] = max(0, min(counts[i], capacities[i]))
    return counts


def load_applications(target: int, seed: int = 2026, log=print) -> None:
    """Bulk-create `target` applications over the bench calls, once (skips when they are there)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.db.models import Max
    from django.utils import timezone

    from kechuang.accounts.models import User
    from kechuang.core.models import AuditLog
    from kechuang.organizations.models import Organization
    from kechuang.regions.models import Region

    from .defaults import STANDARD_FORM
    from .models import Application, ApplicationFile, Call, Program, default_eligibility
    from .similarity import fingerprints
    from .workflow import HOLDER_BY_STATE

    existing = Application.objects.filter(call__guide=BENCH_GUIDE).count()
    if existing:
        if existing != target:
            raise RuntimeError(
                f"the database holds {existing} benchmark applications, not {target}: "
                "drop the database (or pass the same --applications) and run again"
            )
        log(f"{existing} benchmark applications already loaded, skipping")
        return

    started = time.monotonic()
    rng = random.Random(seed)
    now = timezone.now()
    ct = ContentType.objects.get_for_model(Application)
    with transaction.atomic():
        programs = {p.code: p for p in Program.objects.filter(code="sx-key-rd")}
        if "sx-key-rd" not in programs:
            raise RuntimeError("the seeded program sx-key-rd is missing: run demo_data first")
        for code, name, department, region in PROGRAMS:
            programs[code], _ = Program.objects.get_or_create(
                code=code,
                defaults={"name": name, "department": department, "region": Region.objects.get(pk=region)},
            )

        # Who may apply where: verified enterprises and institutions under each program's region.
        orgs = list(
            Organization.objects.filter(kind__in=["enterprise", "institution"], status="verified").values(
                "id", "name", "credit_code", "kind", "region_id", "region__path"
            )
        )
        calls, capacities = [], []
        seen_titles: Counter = Counter()
        for code, opened_days_ago, open_days, _share in CALLS:
            program = programs[code]
            opens_at = now - timedelta(days=opened_days_ago)
            closes_at = opens_at + timedelta(days=open_days)
            title = f"{opens_at.year}年度{program.name}项目申报指南"
            seen_titles[title] += 1
            if seen_titles[title] > 1:
                title += f"（第{'一二三四五'[seen_titles[title] - 1]}批）"
            call = Call.objects.create(
                program=program,
                title=title,
                year=opens_at.year,
                guide=BENCH_GUIDE,
                opens_at=opens_at,
                closes_at=closes_at,
                is_published=True,
                eligibility=default_eligibility(),
                form_definition=STANDARD_FORM,
                budget_cap=Decimal("500000"),
                total_budget=Decimal("50000000"),
            )
            prefix = program.region.path
            eligible = [o for o in orgs if o["region__path"].startswith(prefix)]
            calls.append((call, eligible))
            capacities.append(int(len(eligible) * 0.9))
        counts = _allocate(target, capacities)

        # Each applying organization needs a user to be its applicant: an existing member, else a new admin.
        members: dict[int, tuple[int, str]] = {}
        for row in (
            User.objects.filter(organization__isnull=False)
            .order_by("-is_org_admin", "id")
            .values("id", "organization_id", "username", "last_name", "first_name")
        ):
            members.setdefault(row["organization_id"], (row["id"], row["last_name"] + row["first_name"]))
        chosen = [rng.sample(eligible, count) for (_call, eligible), count in zip(calls, counts, strict=True)]
        missing = {o["id"]: o for sample in chosen for o in sample if o["id"] not in members}
        unusable = make_password(None)
        new_users = []
        for org in missing.values():
            name = _person(rng)
            new_users.append(
                User(
                    username=f"bench_org{org['id']}",
                    password=unusable,
                    last_name=name[0],
                    first_name=name[1:],
                    email=f"bench_org{org['id']}@bench.kechuang.local",
                    role=org["kind"],
                    organization_id=org["id"],
                    is_org_admin=True,
                    membership_status="active",
                )
            )
        User.objects.bulk_create(new_users, batch_size=2000)
        for user in User.objects.filter(username__startswith="bench_org").values(
            "id", "organization_id", "last_name", "first_name"
        ):
            members.setdefault(user["organization_id"], (user["id"], user["last_name"] + user["first_name"]))
        log(f"applicant users created: {len(new_users)}")

        next_id = (Application.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        created_total = audit_total = 0
        for (call, _eligible), sample in zip(calls, chosen, strict=True):
            is_open = call.closes_at > now
            mix = OPEN_MIX if is_open else CLOSED_MIX
            states = rng.choices(list(mix), weights=list(mix.values()), k=len(sample))
            deadline = min(call.closes_at, now)
            applications, audit, files = [], [], []
            for org, state in zip(sample, states, strict=True):
                pk = next_id
                next_id += 1
                user_id, contact = members[org["id"]]
                created = call.opens_at + (deadline - call.opens_at) * rng.random() * 0.9
                submitted_at, steps, since = _history(state, rng, created, deadline, now)
                data = _application_data(rng, org, contact)
                amount = int(data["amount"])
                stage_days = call.stage_days.get(state)
                formal = any(s[3] == "bureau" for s in steps)
                recommended = any(s[1] == "recommended" for s in steps)
                applications.append(
                    Application(
                        id=pk,
                        call=call,
                        organization_id=org["id"],
                        region_id=org["region_id"],
                        created_by_id=user_id,
                        title=data["title"],
                        requested_amount=Decimal(amount),
                        state=state,
                        state_since=since,
                        holder=HOLDER_BY_STATE[state].value,
                        due_at=since + timedelta(days=stage_days) if stage_days else None,
                        form_definition=STANDARD_FORM,
                        data=data,
                        receipt_number=f"KC{call.year}-{call.id:04d}-{pk:06d}" if submitted_at else None,
                        submit_started_at=submitted_at - timedelta(seconds=1) if submitted_at else None,
                        submitted_at=submitted_at,
                        correction_note=steps[-1][4] if state == "returned" else "",
                        check_results=_check_results(amount, state != "returned") if formal else [],
                        recommendation_comment="材料齐全，同意推荐" if recommended else "",
                        created_at=created,
                        version=1 + len(steps) + rng.randrange(2, 15),
                        # What application_submit stores for the formal check's near-duplicate search.
                        **(fingerprints(data["title"], STANDARD_FORM, data) if submitted_at else {}),
                    )
                )
                common = {
                    "content_type": ct,
                    "object_id": str(pk),
                    "object_repr": data["title"],
                    "region_code": org["region_id"],
                }
                audit.append(
                    AuditLog(
                        action="create",
                        at=created,
                        actor_id=user_id,
                        actor_name=f"u{user_id}",
                        changes={"state": [None, "draft"], "call": [None, str(call.id)]},
                        **common,
                    )
                )
                for source, target_state, at, who, reason in steps:
                    actor = {"applicant": (user_id, f"u{user_id}"), "locality": (None, "属地科技部门")}.get(
                        who, (None, "主管科技局")
                    )
                    audit.append(
                        AuditLog(
                            action="transition",
                            at=at,
                            actor_id=actor[0],
                            actor_name=actor[1],
                            from_state=source,
                            to_state=target_state,
                            reason=reason,
                            changes={"state": [source, target_state]},
                            **common,
                        )
                    )
                if submitted_at:
                    files.append(
                        ApplicationFile(
                            application_id=pk,
                            field_key="plan",
                            file=f"applications/{call.year}/bench-{pk}.pdf",
                            name="可行性研究报告.pdf",
                            size=rng.randrange(200_000, 4_000_000),
                            uploaded_by_id=user_id,
                            uploaded_at=submitted_at - timedelta(minutes=5),
                        )
                    )
            Application.objects.bulk_create(applications, batch_size=1000)
            ApplicationFile.objects.bulk_create(files, batch_size=2000)
            AuditLog.objects.bulk_create(audit, batch_size=2000)
            created_total += len(applications)
            audit_total += len(audit)
            log(f"  {call.title}: {len(applications)} applications ({'open' if is_open else 'closed'})")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('projects_application', 'id'), "
                "(SELECT MAX(id) FROM projects_application))"
            )
    # Steady state as autovacuum leaves it: statistics and the visibility map (index-only scans) up to date.
    with connection.cursor() as cursor:
        for table in ("projects_application", "projects_applicationfile", "core_auditlog", "accounts_user"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    log(
        f"bulk-created {created_total} applications, {audit_total} audit lines in "
        f"{time.monotonic() - started:.1f} s (bulk_create, not the services)"
    )


def _explain(sql: str) -> str:
    from django.db import connection

    if not sql.lstrip().upper().startswith("SELECT"):
        return "(not a SELECT)"
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def run_list(args) -> int:
    url = os.environ.get("DATABASE_URL", "")
    if _database_name(url) == MAIN_DATABASE:
        url = _with_database(url, LIST_DATABASE)
        print(f"DATABASE_URL names the main database; using {LIST_DATABASE} instead")
    _ensure_database(url)
    _setup_django(url)

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from kechuang.accounts.models import User

    from .models import Application, Call
    from .selectors import applications_visible_to

    if connection.vendor != "postgresql":
        return _fail(f"the configured database is {connection.vendor}, not PostgreSQL")
    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")

    if not args.no_load:
        started = time.monotonic()
        call_command("migrate", verbosity=0, interactive=False)
        call_command("demo_data", size="medium")
        print(f"migrate + demo_data --size medium: {time.monotonic() - started:.1f} s")
        load_applications(args.applications)

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version')")
        server_version = cursor.fetchone()[0]
    total = Application.objects.count()
    bench_calls = Call.objects.filter(guide=BENCH_GUIDE)
    samples = {}
    for state in ("recommended", "submitted"):
        samples[state] = (
            Application.objects.filter(
                call__in=bench_calls, region_id="330603L01", state=state, call__program__region_id="330600"
            )
            .order_by("id")
            .values_list("id", flat=True)
            .first()
        )
        if samples[state] is None:
            return _fail(f"no {state} application in 柯桥街道 to open: load the data first")
    cases = [
        Case("list, no filter", "/projects/applications/", {}),
        Case("?state=submitted", "/projects/applications/", {"state": "submitted"}),
        Case("?overdue=1", "/projects/applications/", {"overdue": "1"}),
        Case("?q=印染废水", "/projects/applications/", {"q": "印染废水"}),
        Case("?page=100", "/projects/applications/", {"page": "100"}),
        Case("detail (recommended)", f"/projects/applications/{samples['recommended']}/", {}),
        Case("detail (submitted)", f"/projects/applications/{samples['submitted']}/", {}),
        Case("API ?state=recommended", "/api/applications", {"state": "recommended"}),
    ]
    users = {name: User.objects.get(username=name) for name in ("sx_gaoxin", "kq_staff", "kq_officer")}
    visible = {name: applications_visible_to(user=user).count() for name, user in users.items()}

    print(
        f"PostgreSQL {server_version}, {total} applications in {Call.objects.count()} calls, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, DEBUG={settings.DEBUG}, "
        f"{args.repeat} requests per page after {args.warmup} warm-up"
    )
    print(
        "applications each user may see (drafts excluded): "
        + ", ".join(f"{k} {v}" for k, v in visible.items())
    )
    print("load average before: " + _load())
    rows: list[Measurement] = []
    for username, user in users.items():
        client = Client()
        client.force_login(user)
        for case in cases:
            rows.append(_measure(client, username, case, args.repeat, args.warmup))
    explained = [
        (m, _explain(m.slowest_sql)) for m in rows if args.explain or m.p95 >= TARGET_MS or m.status != 200
    ]
    print()
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
    print(_table(headers, cells, {2, 3, 4, 5, 6}))
    slow = [m for m in rows if m.p95 >= TARGET_MS or m.status != 200]
    print()
    print("load average after: " + _load() + "  (other work on the machine inflates the times)")
    print(f"{len(rows) - len(slow)}/{len(rows)} pages answered 200 with p95 < {TARGET_MS:.0f} ms")
    for m, plan in explained:
        print(
            f"\n--- EXPLAIN ANALYZE of the slowest query: {m.user} {m.case.label} ({m.slowest_query_ms:.1f} ms)"
        )
        print(m.slowest_sql)
        print(plan)
    return 0 if not slow else 1


# ------------------------------------------------------------------------------------------------
# Part 2: deadline surge against gunicorn
# ------------------------------------------------------------------------------------------------


def small_pdf(text: str) -> bytes:
    """A valid one-page PDF (catalog, pages, page, content stream, font, xref) showing `text` (ASCII)."""
    content = f"BT /F1 16 Tf 72 770 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _recreate_database(url: str) -> None:
    import psycopg

    name = _database_name(url)
    maintenance = _with_database(url, "postgres")
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _http(
    port: int, method: str, path: str, token: str, timeout: float = 120.0, stamp: bool = False
) -> tuple[int | str, bytes]:
    """One request; with `stamp`, the headers a reverse proxy adds (X-Request-Start: when it received it)."""
    from http.client import HTTPConnection

    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    if stamp:
        headers.update({"X-Request-Start": f"t={time.time():.3f}", "X-Forwarded-For": "203.0.113.9"})
    conn = HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=b"" if method == "POST" else None, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    except OSError as exc:
        return f"error:{type(exc).__name__}", b""
    finally:
        conn.close()


@dataclass
class Shot:
    application_id: int
    status: int | str
    ms: float
    body: bytes
    sent_at: float = 0.0  # time.time() just before connecting (same clock as the server: loopback)


def _prepare_surge(count: int, late: int, log=print):
    """A call, enterprises with their admins and complete drafts (through the services), and API tokens.

    Returns (call, [(application id, raw token)]): the first `count` are fired before the deadline,
    the other `late` after it.
    """
    from django.contrib.auth.hashers import make_password
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from kechuang.accounts.models import User
    from kechuang.accounts.services import api_token_create
    from kechuang.organizations.models import Organization
    from kechuang.organizations.validators import credit_code_check_char
    from kechuang.regions.models import Region

    from .defaults import STANDARD_FORM
    from .models import Call, Program, default_eligibility
    from .services import application_file_add, application_save, application_start, submission_problems

    rng = random.Random(500)
    now = timezone.now()
    city = Region.objects.get(pk="330600")
    program = Program.objects.create(
        name="绍兴市重点研发计划", code="surge-key-rd", department="high_tech", region=city
    )
    call = Call.objects.create(
        program=program,
        title=f"{now.year}年度绍兴市重点研发计划项目申报指南（截止压测）",
        year=now.year,
        opens_at=now - timedelta(days=30),
        closes_at=now + timedelta(days=1),  # moved to ~90 s ahead once everything is ready
        is_published=True,
        eligibility=default_eligibility(),
        form_definition=STANDARD_FORM,
        budget_cap=Decimal("500000"),
        total_budget=Decimal("50000000"),
    )
    towns = list(Region.objects.filter(level="town", path__startswith=city.path).order_by("path"))
    organizations = []
    for i in range(count + late):
        town = towns[i % len(towns)]
        county = town.path.strip("/").split("/")[2]
        first17 = f"91{county}{88000000 + i:08d}X"
        organizations.append(
            Organization(
                kind="enterprise",
                name=f"绍兴截止压测{i + 1:03d}号科技有限公司",
                credit_code=first17 + credit_code_check_char(first17),
                region=town,
                address=f"{town.name}科创路{i + 1}号",
                industry="C",
                status="verified",
                verified_at=now,
            )
        )
    Organization.objects.bulk_create(organizations)
    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(
                username=f"surge_ent{i + 1:03d}",
                password=unusable,
                last_name=_person(rng),
                email=f"surge_ent{i + 1:03d}@bench.kechuang.local",
                phone=f"1390575{i:04d}",
                role="enterprise",
                organization=org,
                is_org_admin=True,
                membership_status="active",
            )
            for i, org in enumerate(organizations)
        ]
        + [
            # The locality's officers get a 待办 notification for every submission, as in production.
            User(
                username=f"surge_officer_{county}",
                password=unusable,
                last_name=_person(rng),
                email=f"surge_officer_{county}@bench.kechuang.local",
                role="officer",
                region_id=county,
            )
            for county in sorted({t.path.strip("/").split("/")[2] for t in towns})
        ]
    )
    users = list(
        User.objects.filter(username__startswith="surge_ent")
        .select_related("organization__region")
        .order_by("username")
    )
    started = time.monotonic()
    prepared = []
    for i, user in enumerate(users):
        org = user.organization
        application = application_start(call=call, by=user)
        data = _application_data(rng, {"name": org.name, "credit_code": org.credit_code}, user.last_name)
        application, errors = application_save(
            application=application, by=user, raw=data, expected_version=application.version
        )
        if errors:
            raise RuntimeError(f"draft {application.pk} is not complete: {errors}")
        upload = ContentFile(small_pdf(f"Feasibility study {i + 1}"), name="可行性研究报告.pdf")
        application_file_add(application=application, by=user, field_key="plan", upload=upload)
        problems = submission_problems(application)
        if problems:
            raise RuntimeError(f"draft {application.pk} could not be submitted: {problems}")
        _token, raw = api_token_create(user=user, name="申报截止压测")
        prepared.append((application.pk, raw))
        if (i + 1) % 100 == 0:
            log(f"  {i + 1} drafts ({time.monotonic() - started:.1f} s)")
    log(
        f"prepared {len(prepared)} complete drafts with a PDF each and {len(prepared)} API tokens through the "
        f"services in {time.monotonic() - started:.1f} s"
    )
    return call, prepared


def _stop(proc: subprocess.Popen) -> None:
    """Stop the gunicorn this benchmark started: SIGTERM to its master (graceful), SIGKILL to its group after 60 s."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the process group created for it (start_new_session)
        proc.wait(timeout=10)


def _detail(body: bytes) -> str:
    """The `detail` message of an API error answer (JSON with \\u escapes), or the body as text."""
    import json

    try:
        return str(json.loads(body).get("detail", ""))
    except (ValueError, AttributeError):
        return body.decode("utf-8", "replace")


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def run_surge(args) -> int:
    if not 0 < args.fire_before < 60 or args.deadline_in <= args.fire_before + 5:
        return _fail("--fire-before must be within the last minute (0–60 s) and well before --deadline-in")
    url = _with_database(os.environ["DATABASE_URL"], args.surge_database)
    name = args.surge_database
    if name in (MAIN_DATABASE, LIST_DATABASE, "kechuang_bench", "postgres") or "surge" not in name:
        return _fail(f"refusing to drop {name!r}: the surge database's name must contain 'surge'")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        gunicorn = Path(shutil.which("gunicorn") or "gunicorn")

    started = time.monotonic()
    _recreate_database(url)
    media = Path(tempfile.mkdtemp(prefix="kechuang-surge-media-"))
    log_path = media.with_name(media.name + "-gunicorn.log")
    _setup_django(
        url,
        KECHUANG_MEDIA_ROOT=str(media),
        KECHUANG_JOBS="inprocess",
        KECHUANG_DEBUG="0",
        KECHUANG_MANIFEST_STATIC="0",
    )
    # A SIGTERM to this process must still stop gunicorn (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from kechuang.core.models import AuditLog, Notification

    from .models import Application, ApplicationFile, Call

    call_command("migrate", verbosity=0, interactive=False)
    print(f"recreated database {name} and migrated in {time.monotonic() - started:.1f} s; media in {media}")
    call, prepared = _prepare_surge(args.submissions, args.late)
    surge, late = prepared[: args.submissions], prepared[args.submissions :]
    ids = [pk for pk, _ in prepared]
    before = dict(Application.objects.filter(pk__in=ids).values_list("id", "version"))

    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "KECHUANG_DEBUG": "0",
        "KECHUANG_SECRET_KEY": secrets.token_urlsafe(50),
        "KECHUANG_ALLOWED_HOSTS": "127.0.0.1",
        "KECHUANG_MANIFEST_STATIC": "0",
        "KECHUANG_JOBS": "inprocess",
        "KECHUANG_MEDIA_ROOT": str(media),
        # No SMTP server here: mails are "sent" to memory (the notification rows are still written).
        "KECHUANG_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # --proxy-stamp: act as if nginx stood in front, stamping X-Request-Start (README, production mode).
        "KECHUANG_TRUSTED_PROXIES": "1" if args.proxy_stamp else "0",
    }
    command = [
        str(gunicorn),
        "kechuang.wsgi:application",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "120",
        "--graceful-timeout",
        "60",
        "--log-level",
        "warning",
    ]
    log_file = open(log_path, "wb")  # noqa: SIM115  closed in the finally
    proc = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
    )
    shots: list[Shot] = []
    late_shots: list[Shot] = []
    try:
        print(f"gunicorn pid {proc.pid}: {' '.join(command[1:])}")
        token = surge[0][1]
        for _ in range(200):
            if proc.poll() is not None:
                print(_tail(log_path))
                return _fail(f"gunicorn exited with {proc.returncode}")
            status, _body = _http(port, "GET", "/api/calls", token, timeout=5)
            if status == 200:
                break
            time.sleep(0.3)
        else:
            return _fail("gunicorn did not answer within 60 s")
        # A server at a deadline has been up for days: warm every worker's code paths first.
        with ThreadPoolExecutor(max_workers=32) as pool:
            warm = list(
                pool.map(
                    lambda item: _http(port, "GET", f"/api/applications/{item[0]}", item[1])[0],
                    prepared[:128],
                )
            )
        if set(warm) != {200}:
            print(_tail(log_path))
            return _fail(f"warm-up requests answered {Counter(warm)}")

        closes_at = timezone.now() + timedelta(seconds=args.deadline_in)
        Call.objects.filter(pk=call.pk).update(closes_at=closes_at)
        fire_at = closes_at - timedelta(seconds=args.fire_before)
        print(
            f"preparation done in {time.monotonic() - started:.0f} s; the call closes at "
            f"{timezone.localtime(closes_at):%H:%M:%S}; firing {len(surge)} submissions at "
            f"{timezone.localtime(fire_at):%H:%M:%S} ({args.fire_before:.0f} s before) with "
            f"{args.client_threads} client threads; load average {_load()}"
        )
        go = threading.Event()
        fired = [0.0]

        def shoot(pk: int, raw: str) -> tuple[Shot, float]:
            go.wait()
            sent_at = time.time()
            begin = time.perf_counter()
            status, body = _http(
                port, "POST", f"/api/applications/{pk}/submission", raw, stamp=args.proxy_stamp
            )
            end = time.perf_counter()
            return Shot(pk, status, (end - begin) * 1000, body, sent_at), end

        with ThreadPoolExecutor(max_workers=args.client_threads) as pool:
            futures = [pool.submit(shoot, pk, raw) for pk, raw in surge]
            time.sleep(max((fire_at - timezone.now()).total_seconds(), 0))
            fired[0] = time.perf_counter()
            go.set()
            results = [f.result() for f in futures]
        shots = [shot for shot, _end in results]
        wall = max(end for _shot, end in results) - fired[0]
        left = (closes_at - timezone.now()).total_seconds()
        print(
            f"surge done in {wall:.1f} s, {abs(left):.1f} s {'before' if left >= 0 else 'after'} the deadline; "
            f"every request was sent by {closes_at.timestamp() - max(s.sent_at for s in shots):.1f} s "
            "before it (client clock)"
        )

        # After the deadline: the remaining drafts must be refused, and left as they were.
        time.sleep(max((closes_at - timezone.now()).total_seconds() + 1.0, 0))
        for pk, raw in late:
            begin = time.perf_counter()
            status, body = _http(
                port, "POST", f"/api/applications/{pk}/submission", raw, stamp=args.proxy_stamp
            )
            late_shots.append(Shot(pk, status, (time.perf_counter() - begin) * 1000, body))

        # In-process jobs (notifications) run in the gunicorn workers after commit; let them finish.
        keys = [
            f"application-{shot.application_id}-v{before[shot.application_id] + 1}"
            for shot in shots
            if shot.status in (200, 201)
        ]
        waited = time.monotonic()
        notified = 0
        while time.monotonic() - waited < 120:
            notified = (
                Notification.objects.filter(dedupe_key__in=keys).values("dedupe_key").distinct().count()
            )
            if notified >= len(keys):
                break
            time.sleep(1)
        notified_after = time.monotonic() - waited
    finally:
        _stop(proc)
        log_file.close()
        connection.close()
    print(f"gunicorn stopped (exit {proc.returncode})")

    # ---- verification in the database ----
    ct = ContentType.objects.get_for_model(Application)
    rows = {a.pk: a for a in Application.objects.filter(pk__in=ids).select_related("call")}
    transitions: dict[int, list[tuple[str, str]]] = {pk: [] for pk in ids}
    for line in AuditLog.objects.filter(
        content_type=ct, object_id__in=[str(pk) for pk in ids], action=AuditLog.Action.TRANSITION
    ).values("object_id", "from_state", "to_state"):
        transitions[int(line["object_id"])].append((line["from_state"], line["to_state"]))
    files_missing = sum(
        not (Path(settings.MEDIA_ROOT) / name).is_file()
        for name in ApplicationFile.objects.filter(application_id__in=ids).values_list("file", flat=True)
    )
    closes_at = Call.objects.get(pk=call.pk).closes_at
    lost, half_saved, answered_but_missing, refused_but_saved = [], [], [], []
    for shot in shots:
        a, lines = rows[shot.application_id], transitions[shot.application_id]
        untouched = (
            a.state == "draft" and a.receipt_number is None and a.submitted_at is None and not lines
        ) and a.version == before[a.pk]
        whole = (
            a.state == "submitted"
            and a.holder == "locality"
            and bool(a.receipt_number)
            and a.submitted_at is not None
            and a.submit_started_at is not None
            and a.submit_started_at <= closes_at
            and a.version == before[a.pk] + 1
            and lines == [("draft", "submitted")]
        )
        if untouched:
            lost.append(a.pk)
        elif not whole:
            half_saved.append((a.pk, a.state, a.receipt_number, a.submit_started_at, lines))
        ok = isinstance(shot.status, int) and 200 <= shot.status < 300
        if ok and not whole:
            answered_but_missing.append(a.pk)
        if not ok and whole:
            refused_but_saved.append(a.pk)
    late_ok = []
    for shot in late_shots:
        a = rows[shot.application_id]
        text = _detail(shot.body)
        late_ok.append(
            shot.status == 400
            and "申报已于" in text
            and "截止" in text
            and a.state == "draft"
            and a.receipt_number is None
            and a.version == before[a.pk]
            and not transitions[a.pk]
        )

    latencies = [s.ms for s in shots]
    statuses = Counter(s.status for s in shots)
    ok_count = sum(n for s, n in statuses.items() if isinstance(s, int) and 200 <= s < 300)
    errors = ", ".join(
        f"{s}: {n}"
        for s, n in sorted(statuses.items(), key=str)
        if not (isinstance(s, int) and 200 <= s < 300)
    )
    started_at = [
        rows[s.application_id].submit_started_at for s in shots if rows[s.application_id].submit_started_at
    ]
    print()
    print(
        _table(
            [
                "requests",
                "2xx",
                "errors by status",
                "p50 ms",
                "p95 ms",
                "max ms",
                "wall s",
                "lost",
                "half-saved",
            ],
            [
                [
                    str(len(shots)),
                    str(ok_count),
                    errors or "none",
                    f"{_percentile(latencies, 0.50):.0f}",
                    f"{_percentile(latencies, 0.95):.0f}",
                    f"{max(latencies):.0f}",
                    f"{wall:.1f}",
                    str(len(lost)),
                    str(len(half_saved)),
                ]
            ],
            {0, 1, 3, 4, 5, 6, 7, 8},
        )
    )
    print()
    if started_at:
        print(
            f"server receive times (submit_started_at) span {(max(started_at) - min(started_at)).total_seconds():.1f} s; "
            f"the last was {(closes_at - max(started_at)).total_seconds():.1f} s before the deadline"
        )
    in_django = sorted(
        (a.submitted_at - a.submit_started_at).total_seconds() * 1000
        for a in (rows[s.application_id] for s in shots)
        if a.submitted_at and a.submit_started_at
    )
    if in_django:
        print(
            f"time inside Django up to the receipt (submitted_at − submit_started_at): "
            f"p50 {_percentile(in_django, 0.5):.0f} ms, max {in_django[-1]:.0f} ms; the rest of the latency "
            "is waiting for a free gunicorn thread (not yet stamped by ReceivedAtMiddleware)"
        )
    deadline_refused = sum(
        shot.status == 400 and "截止" in _detail(shot.body) and shot.sent_at < closes_at.timestamp()
        for shot in shots
    )
    print(f"refused as late although sent before the deadline: {deadline_refused}")
    print(
        f"2xx answered but not wholly submitted: {len(answered_but_missing)}; "
        f"refused/failed but submitted: {len(refused_but_saved)}; attachments missing on disk: {files_missing}"
    )
    print(f"notification jobs done: {notified}/{ok_count} ({notified_after:.0f} s after the surge)")
    late_statuses = Counter(s.status for s in late_shots)
    sample = _detail(late_shots[0].body) if late_shots else ""
    print(
        f"after the deadline: {len(late_shots)} requests, statuses {dict(late_statuses)}, "
        f"refused with the deadline message and unchanged: {sum(late_ok)}/{len(late_shots)}; e.g. {sample}"
    )
    print(
        f"{args.workers} gunicorn workers × {args.threads} threads, KECHUANG_JOBS=inprocess, "
        f"X-Request-Start {'stamped (trusted proxy)' if args.proxy_stamp else 'not sent'}, "
        f"{os.cpu_count()} CPUs, load average after: {_load()}"
    )
    for item in half_saved[:10]:
        print("half-saved:", item)
    refusals = Counter(
        (shot.status, _detail(shot.body)[:120])
        for shot in shots
        if not (isinstance(shot.status, int) and 200 <= shot.status < 300)
    )
    for (status, detail), n in refusals.most_common(10):
        print(f"refused: {n} × {status} {detail}")
    if any(not isinstance(status, int) or status >= 500 for status in statuses):
        print("gunicorn log (tail):\n" + _tail(log_path))
    if not args.keep_media:
        shutil.rmtree(media, ignore_errors=True)
        log_path.unlink(missing_ok=True)
    good = not lost and not half_saved and ok_count == len(shots) and all(late_ok) and not files_missing
    return 0 if good else 1


# ------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--part", choices=["list", "surge", "all"], default="all", help="what to run (default all)"
    )
    group = parser.add_argument_group("list")
    group.add_argument("--repeat", type=int, default=30, help="timed requests per page (default 30)")
    group.add_argument("--warmup", type=int, default=3, help="untimed requests before (default 3)")
    group.add_argument(
        "--applications", type=int, default=50_000, help="applications to load (default 50000)"
    )
    group.add_argument(
        "--no-load", action="store_true", help="do not migrate or load data, use the database as is"
    )
    group.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each page's slowest query")
    group = parser.add_argument_group("surge")
    group.add_argument("--submissions", type=int, default=500, help="concurrent submissions (default 500)")
    group.add_argument("--late", type=int, default=5, help="drafts submitted after the deadline (default 5)")
    group.add_argument(
        "--deadline-in", type=float, default=90, help="deadline, s after preparation (default 90)"
    )
    group.add_argument(
        "--fire-before", type=float, default=55, help="fire this many s before it (default 55)"
    )
    group.add_argument("--client-threads", type=int, default=500, help="client threads (default 500)")
    group.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    group.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (default 4)")
    group.add_argument(
        "--surge-database", default=SURGE_DATABASE, help=f"dropped and recreated (default {SURGE_DATABASE})"
    )
    group.add_argument(
        "--proxy-stamp",
        action="store_true",
        help="send X-Request-Start as a trusted reverse proxy would (KECHUANG_TRUSTED_PROXIES=1)",
    )
    group.add_argument("--keep-media", action="store_true", help="keep the temporary media directory")
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql"):
        return _fail(
            "DATABASE_URL must point to PostgreSQL, e.g. "
            f"DATABASE_URL=postgres://kechuang:kechuang@127.0.0.1:5432/{LIST_DATABASE} "
            "(`bash scripts/services.sh` starts the server and prints the URL of the main database)."
            + (f" Got: {urlsplit(url).scheme or 'nothing'}." if url else " It is not set.")
        )
    if args.part == "all":
        # Each part in a process of its own: Django is bound to one database per process.
        rest = []
        skip = False
        for item in argv:
            if skip:
                skip = False
            elif item == "--part":
                skip = True
            elif not item.startswith("--part="):
                rest.append(item)
        codes = [
            subprocess.call([sys.executable, "-m", "kechuang.projects.bench", "--part", part, *rest])
            for part in ("list", "surge")
        ]
        return max(codes)
    return run_list(args) if args.part == "list" else run_surge(args)


if __name__ == "__main__":
    sys.exit(main())
