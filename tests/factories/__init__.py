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
