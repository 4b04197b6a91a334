"""Demo programs, an open call and applications at several stages, created through the services."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from kechuang.accounts.enums import MembershipStatus, Role
from kechuang.accounts.models import User
from kechuang.organizations.enums import QualificationKind
from kechuang.organizations.models import Qualification
from kechuang.regions.models import Region

from .defaults import STANDARD_FORM
from .models import Call, Program, RecommendationQuota, default_eligibility
from .services import (
    application_file_add,
    application_recommend,
    application_save,
    application_start,
    application_submit,
)

TITLES = [
    "高性能差别化纤维绿色制备关键技术研究",
    "印染废水深度处理与回用成套技术",
    "新能源汽车电驱系统轴承精密加工技术",
    "智能纺机远程运维平台研发",
    "生物基可降解包装材料产业化",
    "集成电路封装测试关键装备研制",
]


def _pdf(title: str) -> ContentFile:
    return ContentFile(b"%PDF-1.4\n% " + title.encode() + b"\n%%EOF", name="可行性研究报告.pdf")


def _fill(index: int, user) -> dict:
    amount = Decimal(200000 + 50000 * index)
    return {
        "title": TITLES[index % len(TITLES)],
        "contact": str(user),
        "phone": user.phone or "13800000000",
        "field": "新材料",
        "summary": "面向绍兴传统产业改造提升的关键技术攻关。",
        "start": "2027-01-01",
        "end": "2028-12-31",
        "amount": str(amount),
        "budget": [{"item": "设备费", "amount": str(amount - 50000)}, {"item": "材料费", "amount": "50000"}],
        "team": [{"name": str(user), "title": "高级工程师", "role": "项目负责人"}],
    }


def seed(log=print) -> None:
    if Program.objects.filter(code="sx-key-rd").exists():
        log("项目演示数据已存在，跳过")
        return
    now = timezone.now()
    with transaction.atomic():
        program = Program.objects.create(
            name="绍兴市重点研发计划",
            code="sx-key-rd",
            department="high_tech",
            region=Region.objects.get(pk="330600"),
            description="支持企业与高校院所开展关键核心技术攻关。",
        )
        call = Call.objects.create(
            program=program,
            title=f"{now.year}年度绍兴市重点研发计划项目申报指南（第一批）",
            year=now.year,
            guide="申报单位须为在绍兴市注册的企业或高校院所；每个单位限报1项。",
            opens_at=now - timedelta(days=7),
            closes_at=now + timedelta(days=60),
            is_published=True,
            eligibility=default_eligibility(),
            form_definition=STANDARD_FORM,
            budget_cap=Decimal("500000"),
            total_budget=Decimal("5000000"),
        )
        for county in Region.objects.filter(parent_id="330600"):
            RecommendationQuota.objects.create(call=call, region=county, quota=10)
    # A few 柯桥 enterprises have applied; two of them were already recommended by the county bureau.
    admins = list(
        User.objects.filter(
            role=Role.ENTERPRISE,
            is_org_admin=True,
            membership_status=MembershipStatus.ACTIVE,
            organization__status="verified",
            organization__region__path__startswith="330000/330600/330603/",
        )
        .exclude(username="ent_demo")
        .select_related("organization__region")
        .order_by("id")[:5]
    )
    # The county bureau recommends for all of 柯桥区 (a town officer only for the town).
    officer = User.objects.filter(username="kq_staff").select_related("region").first()
    for index, user in enumerate(admins):
        Qualification.objects.get_or_create(
            organization=user.organization,
            kind=QualificationKind.TSME,
            defaults={
                "valid_from": now.date().replace(month=1, day=1),
                "valid_until": now.date().replace(month=12, day=31),
            },
        )
        application = application_start(call=call, by=user)
        application, _errors = application_save(
            application=application, by=user, raw=_fill(index, user), expected_version=application.version
        )
        application_file_add(
            application=application, by=user, field_key="plan", upload=_pdf(application.title)
        )
        application = application_submit(application=application, by=user, started_at=timezone.now())
        officer_region = officer.region.path if officer else ""
        if officer and index < 2 and application.region.path.startswith(officer_region):
            application_recommend(
                application=application, by=officer, recommend=True, comment="材料齐全，同意推荐"
            )
    log(f"项目演示数据：1 个计划类别、1 个开放的申报指南、{len(admins)} 份申报书")
