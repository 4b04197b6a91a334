from django.utils.translation import gettext as _

from kechuang.accounts.enums import Role
from kechuang.core.permissions import Allowed, Denied
from kechuang.core.scoping import region_within_user_scope
from kechuang.projects.permissions import can_view_application

from .enums import AssignmentState, ConflictKind


def can_respond(user, assignment):
    if not (user.is_authenticated and assignment.expert.user_id == user.pk):
        return Denied(_("这不是您的评审任务。"))
    if assignment.state != AssignmentState.INVITED:
        return Denied(_("该评审任务已答复。"))
    return Allowed()


def can_review(user, assignment):
    if not (user.is_authenticated and assignment.expert.user_id == user.pk):
        return Denied(_("这不是您的评审任务。"))
    if assignment.state != AssignmentState.ACCEPTED:
        return Denied(_("请先接受评审任务；已提交的评审不能修改。"))
    return Allowed()


def can_see_application(user, assignment):
    """An expert reads an application's content and files only after accepting the task."""
    if not (user.is_authenticated and assignment.expert.user_id == user.pk):
        return Denied(_("这不是您的评审任务。"))
    if assignment.state not in (AssignmentState.ACCEPTED, AssignmentState.SUBMITTED):
        return Denied(_("接受评审任务后才能查看申报内容。"))
    return Allowed()


def can_manage_experts(user):
    """The expert pool is kept by the bureau's administrators and staff, each within their region."""
    if user.is_authenticated and (user.is_superuser or user.role in (Role.BUREAU_ADMIN, Role.BUREAU_STAFF)):
        return Allowed()
    return Denied(_("只有科技局业务人员可以管理专家库。"))


def _is_self(user, expert) -> bool:
    return bool(user.is_authenticated and expert.user_id == user.pk)


def can_manage_expert(user, expert):
    """Bureau staff whose region holds the expert's region."""
    decision = can_manage_experts(user)
    if decision and not region_within_user_scope(user, expert.region_id):
        return Denied(_("该专家不在您的辖区。"))
    return decision


def _manages(user, expert) -> bool:
    return bool(can_manage_expert(user, expert))


def can_view_expert(user, expert):
    if _is_self(user, expert) or _manages(user, expert):
        return Allowed()
    return Denied(_("您无权查看该专家的信息。"))


def can_change_expert(user, expert):
    """Bureau staff edit every field of an expert of their region; an expert edits their own profile."""
    if _is_self(user, expert) or _manages(user, expert):
        return Allowed()
    return Denied(_("您无权修改该专家的信息。"))


def can_declare_conflict(user, expert, kind: str = ConflictKind.DECLARED):
    """An expert declares their own conflicts; collaborations are recorded by bureau staff."""
    if _manages(user, expert):
        return Allowed()
    if _is_self(user, expert):
        if kind != ConflictKind.DECLARED:
            return Denied(_("合作关系由科技局业务人员登记。"))
        return Allowed()
    return Denied(_("您无权为该专家登记回避关系。"))


def can_remove_conflict(user, conflict):
    """Bureau staff remove any conflict of their region; an expert withdraws only their own declarations."""
    return can_declare_conflict(user, conflict.expert, conflict.kind)


def can_download_application_file(user, application_file):
    """The applicant and the officers who may see the application; an expert once they accepted it."""
    application = application_file.application
    decision = can_view_application(user, application)
    if decision:
        return decision
    if (
        user.is_authenticated
        and application.assignments.filter(
            expert__user=user, state__in=(AssignmentState.ACCEPTED, AssignmentState.SUBMITTED)
        ).exists()
    ):
        return Allowed()
    return Denied(_("您无权下载该附件。"))
