from django.urls import reverse
from django.utils.translation import gettext as _

from kechuang.core.jobs import job
from kechuang.core.notifications import notify

from .models import ReviewAssignment


@job("reviews.notify_invited")
def notify_invited(*, draw_id: int) -> int:
    sent = 0
    for assignment in ReviewAssignment.objects.filter(draw_id=draw_id).select_related("expert__user"):
        sent += notify_assignment(assignment_id=assignment.pk)
    return sent


@job("reviews.notify_assignment")
def notify_assignment(*, assignment_id: int) -> int:
    """Invite an expert to a review (in-app and e-mail)."""
    assignment = ReviewAssignment.objects.select_related("expert__user", "application__call").get(
        pk=assignment_id
    )
    return notify(
        recipients=[assignment.expert.user],
        subject=_("评审邀请：%(call)s") % {"call": assignment.application.call},
        link=reverse("reviews:assignment", args=[assignment.pk]),
        dedupe_key=f"review-invite-{assignment.pk}",
    )


@job("reviews.notify_cancelled")
def notify_cancelled(*, assignment_id: int) -> int:
    """Tell an expert that a task ended because the application was withdrawn (in-app and e-mail)."""
    assignment = ReviewAssignment.objects.select_related("expert__user", "application").get(pk=assignment_id)
    if assignment.expert.user is None:
        return 0
    return notify(
        recipients=[assignment.expert.user],
        subject=_("评审任务已撤销：%(title)s") % {"title": assignment.application},
        body=_("申报单位已撤回该申报书，无需再评审。"),
        dedupe_key=f"review-cancelled-{assignment.pk}",
    )
