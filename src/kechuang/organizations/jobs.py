"""Background jobs of the organizations module (run through kechuang.core.jobs)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kechuang.accounts.enums import Role
from kechuang.accounts.models import User
from kechuang.core.jobs import job
from kechuang.core.notifications import notify

from .enums import VerificationStatus
from .models import Organization


def _bureau_staff_covering(organization: Organization):
    """Active bureau admins and staff whose region contains the organization's region."""
    ancestors = [code for code in organization.region.path.strip("/").split("/") if code]
    return User.objects.filter(
        is_active=True, role__in=[Role.BUREAU_ADMIN, Role.BUREAU_STAFF], region_id__in=ancestors
    )


@job("organizations.notify_registered")
def notify_registered(*, organization_id: int) -> int:
    """Tell the bureau staff of the region that an organization is waiting for verification."""
    organization = Organization.objects.select_related("region").get(pk=organization_id)
    if organization.status != VerificationStatus.PENDING:
        return 0
    return notify(
        recipients=_bureau_staff_covering(organization),
        subject=_("新单位待核验：%(name)s") % {"name": organization.name},
        body=_("%(name)s（%(code)s，%(region)s）已在平台注册，请核验。")
        % {"name": organization.name, "code": organization.credit_code, "region": organization.region.name},
        link=reverse("organizations:detail", args=[organization.pk]),
        dedupe_key=f"org-registered-{organization.pk}",
    )


@job("organizations.notify_verified")
def notify_verified(*, organization_id: int) -> int:
    """Tell an organization's users the outcome of its verification."""
    organization = Organization.objects.get(pk=organization_id)
    outcome = organization.get_status_display()
    return notify(
        recipients=User.objects.filter(organization=organization, is_active=True),
        subject=_("单位核验结果：%(outcome)s") % {"outcome": outcome},
        body=_("%(name)s 的核验结果为：%(outcome)s。") % {"name": organization.name, "outcome": outcome},
        link=reverse("organizations:detail", args=[organization.pk]),
        dedupe_key=f"org-verified-{organization.pk}-{organization.version}",
    )


@job("organizations.pending_digest")
def pending_digest() -> int:
    """Daily: remind each bureau admin and staff member how many organizations in their region await verification."""
    from django.utils import timezone

    from kechuang.core.scoping import scope_by_region

    sent = 0
    today = timezone.localdate().isoformat()
    for user in User.objects.filter(is_active=True, role__in=[Role.BUREAU_ADMIN, Role.BUREAU_STAFF]):
        pending = scope_by_region(
            Organization.objects.filter(status=VerificationStatus.PENDING), user
        ).count()
        if pending:
            sent += notify(
                recipients=[user],
                subject=ngettext("有 %(n)d 家单位待核验", "有 %(n)d 家单位待核验", pending) % {"n": pending},
                link=reverse("organizations:list") + "?status=pending",
                dedupe_key=f"pending-digest-{today}",
            )
    return sent
