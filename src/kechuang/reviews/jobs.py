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
