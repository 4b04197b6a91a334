from django.utils.translation import gettext as _

from kechuang.core.permissions import Allowed, Denied

from .enums import AssignmentState


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
