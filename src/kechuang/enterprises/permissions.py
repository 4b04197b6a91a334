"""Who may see and change enterprise records; each predicate returns Allowed or Denied(reason).

Region roles act within their region (a town officer in the town); enterprise users only on their own
enterprise. Leaders read, never write.
"""

from django.utils.translation import gettext as _

from kechuang.accounts.enums import Role
from kechuang.core.permissions import Allowed, Denied
from kechuang.core.scoping import region_within_user_scope
from kechuang.organizations.enums import OrganizationKind

# Bureau staff who manage qualifications, the data of any enterprise, and liaison assignments.
_BUREAU_EDITORS = {Role.BUREAU_ADMIN, Role.BUREAU_STAFF}
# Who does the cultivation work on the ground: the bureau's staff and the town officers.
_CULTIVATORS = {Role.BUREAU_ADMIN, Role.BUREAU_STAFF, Role.OFFICER}


def _in_region(user, organization) -> bool:
    return (user.is_superuser or user.is_region_scoped) and region_within_user_scope(
        user, organization.region_id
    )


def _own(user, organization) -> bool:
    return user.active_organization_id == organization.pk


def _enterprise(organization):
    if organization.kind != OrganizationKind.ENTERPRISE:
        return Denied(_("该单位不是企业。"))
    return None


def can_view_enterprise(user, organization):
    if not user.is_authenticated:
        return Denied(_("请先登录。"))
    if _in_region(user, organization) or _own(user, organization):
        return Allowed()
    return Denied(_("您无权查看该企业的信息。"))


def can_edit_annual_data(user, organization):
    """The enterprise's own users fill in their figures; bureau staff may correct them."""
    if not user.is_authenticated:
        return Denied(_("请先登录。"))
    if (denied := _enterprise(organization)) is not None:
        return denied
    if _own(user, organization) and user.role == Role.ENTERPRISE:
        return Allowed()
    if user.is_superuser or (user.role in _BUREAU_EDITORS and _in_region(user, organization)):
        return Allowed()
    return Denied(_("只有本企业用户或属地科技局业务人员可以填报年度数据。"))


def can_import_annual_data(user):
    if user.is_authenticated and (user.is_superuser or user.role in _BUREAU_EDITORS):
        return Allowed()
    return Denied(_("只有科技局业务人员可以批量导入年度数据。"))


def can_manage_qualifications(user, organization):
    if not user.is_authenticated:
        return Denied(_("请先登录。"))
    if (denied := _enterprise(organization)) is not None:
        return denied
    if user.is_superuser or (user.role in _BUREAU_EDITORS and _in_region(user, organization)):
        return Allowed()
    return Denied(_("只有属地科技局业务人员可以登记或取消资质。"))


def can_curate_reserve(user, organization):
    if not user.is_authenticated:
        return Denied(_("请先登录。"))
    if (denied := _enterprise(organization)) is not None:
        return denied
    if user.is_superuser or (user.role in _CULTIVATORS and _in_region(user, organization)):
        return Allowed()
    return Denied(_("只有属地科技局人员或镇街科技干部可以维护后备库。"))


def can_log_visit(user, organization):
    if not user.is_authenticated:
        return Denied(_("请先登录。"))
    if (denied := _enterprise(organization)) is not None:
        return denied
    if user.is_superuser or (user.role in _CULTIVATORS and _in_region(user, organization)):
        return Allowed()
    return Denied(_("只有属地科技局人员或镇街科技干部可以记录走访。"))


def can_assign_liaison(user, organization):
    if not user.is_authenticated:
        return Denied(_("请先登录。"))
    if (denied := _enterprise(organization)) is not None:
        return denied
    if user.is_superuser or (user.role in _BUREAU_EDITORS and _in_region(user, organization)):
        return Allowed()
    return Denied(_("只有属地科技局业务人员可以安排挂联。"))
