from django.utils.translation import gettext as _

from kechuang.core.permissions import Allowed, Denied

from .enums import MembershipStatus, Role


def can_decide_membership(user, member):
    """An organization's active admin approves or rejects the other users who ask to join it."""
    if not (user.is_authenticated and user.is_org_admin and user.active_organization_id):
        return Denied(_("只有本单位管理员可以审核单位成员。"))
    if member.organization_id != user.active_organization_id:
        return Denied(_("该用户不是本单位的成员申请人。"))
    if member.membership_status != MembershipStatus.PENDING:
        return Denied(_("该成员申请已处理。"))
    return Allowed()


def can_browse_audit(user):
    if user.is_authenticated and (user.is_superuser or user.role == Role.BUREAU_ADMIN):
        return Allowed()
    return Denied(_("只有科技局管理员可以查看审计日志。"))
