from django.urls import reverse
from django.utils.translation import gettext as _

from kechuang.core.jobs import job
from kechuang.core.notifications import notify

from .enums import MembershipStatus
from .models import User


@job("accounts.notify_membership_requested")
def notify_membership_requested(*, user_id: int) -> int:
    """Tell an organization's admins that a new user asks to join it."""
    member = User.objects.select_related("organization").get(pk=user_id)
    if member.membership_status != MembershipStatus.PENDING:
        return 0
    admins = User.objects.filter(
        organization_id=member.organization_id,
        is_org_admin=True,
        is_active=True,
        membership_status=MembershipStatus.ACTIVE,
    )
    return notify(
        recipients=admins,
        subject=_("新成员申请加入本单位：%(name)s") % {"name": member},
        link=reverse("accounts:members"),
        dedupe_key=f"membership-request-{member.pk}",
    )
