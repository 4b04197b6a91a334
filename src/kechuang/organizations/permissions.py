"""Who may see and change organizations; each predicate returns Allowed or Denied(reason)."""

from django.utils.translation import gettext as _

from kechuang.accounts.enums import Role
from kechuang.core.permissions import Allowed, Denied
from kechuang.core.scoping import region_within_user_scope

from .enums import VerificationStatus

_EDITING_BUREAU_ROLES = {Role.BUREAU_ADMIN, Role.BUREAU_STAFF}


def _in_region(user, organization) -> bool:
    return (user.is_superuser or user.is_region_scoped) and region_within_user_scope(
        user, organization.region_id
    )


def can_view_organization(user, organization):
    if not user.is_authenticated:
        return Denied(_("请先登录。"))
    if _in_region(user, organization):
        return Allowed()
    if user.active_organization_id == organization.pk:
        return Allowed()
    return Denied(_("您无权查看该单位的信息。"))


def can_change_organization(user, organization):
    if not user.is_authenticated:
        return Denied(_("请先登录。"))
    if user.is_superuser or (user.role in _EDITING_BUREAU_ROLES and _in_region(user, organization)):
        return Allowed()
    if user.is_org_admin and user.active_organization_id == organization.pk:
        return Allowed()
    return Denied(_("您无权修改该单位的信息。"))


def can_create_organization(user, region_code: str | None):
    if not user.is_authenticated or not (user.is_superuser or user.role in _EDITING_BUREAU_ROLES):
        return Denied(_("只有科技局业务人员可以直接登记单位。"))
    if region_code and not region_within_user_scope(user, region_code):
        return Denied(_("不能在您管辖范围以外的区划登记单位。"))
    return Allowed()


def can_verify_organization(user, organization):
    if not user.is_authenticated or not (
        user.is_superuser or (user.role in _EDITING_BUREAU_ROLES and _in_region(user, organization))
    ):
        return Denied(_("只有属地科技局业务人员可以核验单位。"))
    if organization.status != VerificationStatus.PENDING:
        return Denied(_("该单位不在待核验状态。"))
    return Allowed()


def can_override_credit_code(user):
    if user.is_authenticated and (user.is_superuser or user.role in _EDITING_BUREAU_ROLES):
        return Allowed()
    return Denied(_("校验位不符的代码只能由科技局人员登记并说明理由。"))
