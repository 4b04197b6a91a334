"""Who may do what in talent; each predicate returns Allowed or Denied(reason). Areas append blocks."""

# --- talent ---

from django.utils.translation import gettext as _  # noqa: E402

from kechuang.accounts.enums import Role  # noqa: E402
from kechuang.core.permissions import Allowed, Denied, acts_for, in_region, is_bureau_editor  # noqa: E402

# Who keeps a dispatch's work log from the region side: the bureau's editors and the town officers (leaders read).
_LOG_ROLES = (Role.BUREAU_ADMIN, Role.BUREAU_STAFF, Role.OFFICER)


def can_manage_commissioners(user) -> "Allowed | Denied":
    """Commissioners are registered and dispatched by the bureau's editors (admin and staff)."""
    if is_bureau_editor(user, user.region_id if user.is_authenticated else None):
        return Allowed()
    return Denied(_("只有科技局业务人员可以管理科技特派员。"))


def can_dispatch_to(user, town) -> "Allowed | Denied":
    """A commissioner is dispatched to a town by an editor of a bureau whose region contains the town."""
    if town is None or town.level != "town":
        return Denied(_("派驻地须为乡镇（街道）。"))
    if not is_bureau_editor(user, town.code):
        return Denied(_("该乡镇不在您的管辖范围内。"))
    return Allowed()


def can_view_dispatch(user, dispatch) -> "Allowed | Denied":
    """The bureau and officers over the town, and the users of the commissioner's organization."""
    if in_region(user, dispatch.town_id) or acts_for(user, dispatch.commissioner.organization_id):
        return Allowed()
    return Denied(_("您无权查看该派驻记录。"))


def can_write_work_log(user, dispatch) -> "Allowed | Denied":
    """The commissioner's organization writes its log; so may the bureau's editors and officers of the town."""
    if acts_for(user, dispatch.commissioner.organization_id):
        return Allowed()
    if user.is_authenticated and (
        user.is_superuser or (user.role in _LOG_ROLES and in_region(user, dispatch.town_id))
    ):
        return Allowed()
    return Denied(_("只有派出单位或派驻乡镇的科技局人员、科技干部可以填写工作日志。"))


def can_manage_talents(user, organization) -> "Allowed | Denied":
    """Talents are selected and kept by the bureau's editors of the organization's region."""
    if organization is not None and is_bureau_editor(user, organization.region_id):
        return Allowed()
    return Denied(_("只有该单位属地的科技局业务人员可以管理人才。"))


def can_manage_talent_programs(user, region_code) -> "Allowed | Denied":
    if is_bureau_editor(user, region_code):
        return Allowed()
    return Denied(_("只有科技局业务人员可以管理人才计划。"))


def can_manage_foreign_expert(user, organization) -> "Allowed | Denied":
    """The engaging organization's users, or the bureau's editors of its region."""
    if organization is not None and (
        acts_for(user, organization.pk) or is_bureau_editor(user, organization.region_id)
    ):
        return Allowed()
    return Denied(_("只有聘用单位或其属地的科技局业务人员可以登记外国专家。"))
