"""Who may do what with calls and applications; each predicate returns Allowed or Denied(reason)."""

from django.utils.translation import gettext as _

from kechuang.accounts.enums import ORGANIZATION_ROLES, Role
from kechuang.core.permissions import Allowed, Denied
from kechuang.core.scoping import region_within_user_scope

from .enums import ApplicationState

EDITABLE_STATES = (ApplicationState.DRAFT, ApplicationState.RETURNED)


def can_apply(user):
    if not user.is_authenticated or user.role not in (Role.ENTERPRISE, Role.INSTITUTION):
        return Denied(_("只有企业和高校院所用户可以申报项目。"))
    if not user.active_organization_id:
        return Denied(_("您的单位成员身份尚未通过审核，暂不能申报。"))
    return Allowed()


def _is_applicant(user, application) -> bool:
    return bool(
        user.is_authenticated
        and user.role in ORGANIZATION_ROLES
        and user.active_organization_id == application.organization_id
    )


def can_view_application(user, application):
    if not user.is_authenticated:
        return Denied(_("请先登录。"))
    if _is_applicant(user, application):
        return Allowed()
    if application.state == ApplicationState.DRAFT:
        return Denied(_("申报书尚未提交。"))
    if (user.is_superuser or user.is_region_scoped) and region_within_user_scope(user, application.region_id):
        return Allowed()
    return Denied(_("您无权查看该申报书。"))


def applicant_may(user, application):
    if _is_applicant(user, application):
        return Allowed()
    return Denied(_("只有申报单位的用户可以办理。"))


def can_edit_application(user, application):
    decision = applicant_may(user, application)
    if not decision:
        return decision
    if application.state not in EDITABLE_STATES:
        return Denied(_("申报书已提交，不能再修改。"))
    return Allowed()


def locality_may(user, application):
    """Recommendation is the locality's: a town/county officer, or the county bureau's staff."""
    if not user.is_authenticated:
        return Denied(_("请先登录。"))
    in_region = region_within_user_scope(user, application.region_id)
    if in_region and (
        user.role == Role.OFFICER
        or (
            user.role in (Role.BUREAU_STAFF, Role.BUREAU_ADMIN)
            and user.region
            and user.region.level == "county"
        )
    ):
        return Allowed()
    return Denied(_("只有申报单位属地的科技干部可以推荐。"))


def bureau_may(user, application):
    """The formal check belongs to the staff of the bureau that runs the program."""
    if not user.is_authenticated:
        return Denied(_("请先登录。"))
    program_region = application.call.program.region_id
    if user.is_superuser or (
        user.role in (Role.BUREAU_STAFF, Role.BUREAU_ADMIN) and region_within_user_scope(user, program_region)
    ):
        return Allowed()
    return Denied(_("只有主管科技局的业务人员可以进行形式审查。"))


def can_manage_calls(user, program=None):
    if not user.is_authenticated or not (
        user.is_superuser or user.role in (Role.BUREAU_ADMIN, Role.BUREAU_STAFF)
    ):
        return Denied(_("只有科技局业务人员可以管理申报指南。"))
    if program is not None and not region_within_user_scope(user, program.region_id):
        return Denied(_("该计划类别不属于您的科技局。"))
    return Allowed()


def reviewer_or_bureau_may(user, application):
    """The review is finished by its last reviewer's submission, or by the bureau."""
    if bureau_may(user, application):
        return Allowed()
    if user.is_authenticated and application.assignments.filter(expert__user=user).exists():
        return Allowed()
    return Denied(_("只有本申报书的评审专家或科技局业务人员可以汇总评审结果。"))
