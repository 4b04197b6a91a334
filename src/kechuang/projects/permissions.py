"""Who may do what with calls and applications; each predicate returns Allowed or Denied(reason)."""

from django.utils.translation import gettext as _

from kechuang.accounts.enums import ORGANIZATION_ROLES, Role
from kechuang.core.permissions import Allowed, Denied
from kechuang.core.scoping import region_within_user_scope

from .enums import ApplicationState

EDITABLE_STATES = (ApplicationState.DRAFT, ApplicationState.RETURNED)

# Accepted into processing and not yet approved (立项): the applicant may only ask the bureau to withdraw
# (撤回申请). SUBMITTED counts only after the deadline; before it the applicant withdraws directly.
WITHDRAWABLE_ON_REQUEST = (
    ApplicationState.SUBMITTED,
    ApplicationState.RECOMMENDED,
    ApplicationState.RETURNED,
    ApplicationState.CHECKED,
    ApplicationState.IN_REVIEW,
    ApplicationState.REVIEWED,
    ApplicationState.PROPOSED,
    ApplicationState.IN_NOTICE,
)


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


def can_manage_programs(user, region_id=None):
    """Programs belong to a bureau: its staff manage those of their own region and the regions below."""
    if not user.is_authenticated or not (
        user.is_superuser or user.role in (Role.BUREAU_ADMIN, Role.BUREAU_STAFF)
    ):
        return Denied(_("只有科技局业务人员可以管理计划类别。"))
    if region_id is not None and not region_within_user_scope(user, region_id):
        return Denied(_("该区划不属于您的科技局。"))
    return Allowed()


def reviewer_or_bureau_may(user, application):
    """The review is finished by its last reviewer's submission, or by the bureau."""
    if bureau_may(user, application):
        return Allowed()
    if user.is_authenticated and application.assignments.filter(expert__user=user).exists():
        return Allowed()
    return Denied(_("只有本申报书的评审专家或科技局业务人员可以汇总评审结果。"))


def can_request_withdrawal(user, application, at=None):
    """The applicant asks the bureau to withdraw an application it can no longer withdraw itself."""
    from django.utils import timezone

    decision = applicant_may(user, application)
    if not decision:
        return decision
    if application.state not in WITHDRAWABLE_ON_REQUEST:
        if application.state == ApplicationState.APPROVED:
            return Denied(_("项目已立项，不能撤回；如需终止或调整，请提交项目变更申请。"))
        return Denied(_("当前状态不能申请撤回。"))
    if (
        application.state == ApplicationState.SUBMITTED
        and (at or timezone.now()) <= application.call.closes_at
    ):
        return Denied(_("申报截止前可直接撤回，无需提出撤回申请。"))
    return Allowed()


def can_record_misconduct(user, organization=None):
    """A 科研失信 record is made by bureau staff of the organization's region (any region: may open the form)."""
    if not user.is_authenticated:
        return Denied(_("请先登录。"))
    if user.is_superuser or (
        user.role in (Role.BUREAU_STAFF, Role.BUREAU_ADMIN)
        and (organization is None or region_within_user_scope(user, organization.region_id))
    ):
        return Allowed()
    return Denied(_("只有该单位所在地科技局的业务人员可以记录科研失信。"))
