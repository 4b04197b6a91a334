from django.db.models import QuerySet

from .enums import AssignmentState
from .models import ReviewAssignment


def assignments_for_expert(*, user) -> QuerySet[ReviewAssignment]:
    """An expert's own review tasks (never anyone else's)."""
    return (
        ReviewAssignment.objects.filter(expert__user=user)
        .exclude(state=AssignmentState.DECLINED)
        .select_related("application__call", "application__organization")
        .order_by("state", "-id")
    )


def other_reviews_visible(*, assignment: ReviewAssignment) -> QuerySet[ReviewAssignment]:
    """Other experts' submitted reviews of the same application, shown only once this one is submitted."""
    if assignment.state != AssignmentState.SUBMITTED:
        return ReviewAssignment.objects.none()
    return ReviewAssignment.objects.filter(
        application_id=assignment.application_id, state=AssignmentState.SUBMITTED
    ).exclude(pk=assignment.pk)
