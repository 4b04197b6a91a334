"""factory_boy factories for the foundation's records."""

import factory
from django.contrib.auth.hashers import make_password

from kechuang.accounts.enums import MembershipStatus, Role
from kechuang.accounts.models import User
from kechuang.organizations.enums import OrganizationKind, VerificationStatus
from kechuang.organizations.models import Organization
from kechuang.organizations.validators import credit_code_check_char
from kechuang.regions.models import Region

PASSWORD = "Kechuang2026test"
_PASSWORD_HASH = make_password(PASSWORD)


def credit_code(serial: int, county: str = "330603") -> str:
    """A valid credit code for an enterprise registered in `county` (rules.md §4.2)."""
    first17 = f"91{county}{serial:08d}" + "X"
    first17 = first17[:17]
    return first17 + credit_code_check_char(first17)


def region(code: str) -> Region:
    return Region.objects.get(pk=code)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = OrganizationKind.ENTERPRISE
    name = factory.Sequence(lambda n: f"绍兴测试{n}号科技有限公司")
    credit_code = factory.Sequence(lambda n: credit_code(n + 1))
    region = factory.LazyFunction(lambda: region("330603L01"))
    address = "柯桥区笛扬路1号"
    industry = "C"
    status = VerificationStatus.VERIFIED


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = _PASSWORD_HASH
    last_name = "张三"
    role = Role.ENTERPRISE
    membership_status = MembershipStatus.ACTIVE
    email = factory.LazyAttribute(lambda u: f"{u.username}@test.local")


def audit_for(instance, **filters):
    """Audit lines about one record."""
    from django.contrib.contenttypes.models import ContentType

    from kechuang.core.models import AuditLog

    return AuditLog.objects.filter(
        content_type=ContentType.objects.get_for_model(type(instance)), object_id=str(instance.pk), **filters
    )


def make_call(*, opens_at=None, closes_at=None, region_code="330600", eligibility=None, quotas=None, **extra):
    """A published call of a city program with the standard form, open now unless told otherwise."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from kechuang.projects.defaults import STANDARD_FORM
    from kechuang.projects.models import Call, Program, RecommendationQuota, default_eligibility

    now = timezone.now()
    program, _ = Program.objects.get_or_create(
        code=f"p-{region_code}",
        defaults={"name": "重点研发计划", "department": "high_tech", "region": region(region_code)},
    )
    call = Call.objects.create(
        program=program,
        title=extra.pop("title", "2026年度重点研发计划申报指南"),
        year=2026,
        opens_at=opens_at or now - timedelta(days=1),
        closes_at=closes_at or now + timedelta(days=10),
        is_published=True,
        eligibility=eligibility or default_eligibility(),
        form_definition=STANDARD_FORM,
        **{"budget_cap": Decimal("500000"), "total_budget": Decimal("5000000"), **extra},
    )
    for code, quota in (quotas or {}).items():
        RecommendationQuota.objects.create(call=call, region=region(code), quota=quota)
    return call


def complete_data() -> dict:
    return {
        "title": "高性能纺织纤维智能制造关键技术研究",
        "contact": "张三",
        "phone": "13800000000",
        "field": "新材料",
        "summary": "研究高性能纤维的连续化制备工艺。",
        "start": "2027-01-01",
        "end": "2028-12-31",
        "amount": "300000",
        "budget": [{"item": "设备费", "amount": "200000"}, {"item": "材料费", "amount": "100000"}],
        "team": [{"name": "张三", "title": "高级工程师", "role": "负责人"}],
    }
