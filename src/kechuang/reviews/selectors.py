from django.db.models import Count, Q, QuerySet

from kechuang.core.scoping import scope_by_region, user_region_codes
from kechuang.core.text import clauses
from kechuang.organizations.models import Organization
from kechuang.organizations.validators import normalize_credit_code
from kechuang.regions.models import Region

from .enums import OPEN_ASSIGNMENT_STATES, AssignmentState
from .models import Expert, ExpertConflict, ReviewAssignment
from .permissions import can_manage_experts


def assignments_for_expert(*, user) -> QuerySet[ReviewAssignment]:
    """An expert's own review tasks (never anyone else's)."""
    return (
        ReviewAssignment.objects.filter(expert__user=user)
        .exclude(state__in=[AssignmentState.DECLINED, AssignmentState.CANCELLED])
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


def experts_visible_to(*, user) -> QuerySet[Expert]:
    """The expert pool as bureau staff see it: experts of their region; nobody else sees a list."""
    if not can_manage_experts(user):
        return Expert.objects.none()
    qs = Expert.objects.select_related("user", "organization", "region").annotate(
        open_tasks=Count(
            "assignments", filter=Q(assignments__state__in=OPEN_ASSIGNMENT_STATES), distinct=True
        ),
        conflict_count=Count("conflicts", distinct=True),
    )
    return scope_by_region(qs, user).order_by("id")


def expert_of(*, user) -> Expert | None:
    """The user's own expert record, if they are in the pool."""
    if not user.is_authenticated:
        return None
    return Expert.objects.select_related("user", "organization", "region").filter(user=user).first()


def conflicts_of(*, expert: Expert) -> QuerySet[ExpertConflict]:
    return ExpertConflict.objects.filter(expert=expert).select_related("organization").order_by("kind", "id")


def organization_by_name_or_code(value: str) -> Organization | None:
    """The organization with this exact name or credit code (names are typed, codes pasted)."""
    value = (value or "").strip()
    if not value:
        return None
    code = normalize_credit_code(value)
    return (
        Organization.objects.filter(credit_code=code).first()
        or Organization.objects.filter(name=value).order_by("id").first()
    )


def regions_choosable(*, user) -> QuerySet[Region]:
    """Regions below the province that lie in the user's scope (for an expert's region and the filter)."""
    qs = Region.objects.exclude(level="province").order_by("path")
    if user is None or not user.is_authenticated:
        return qs.none()
    codes = user_region_codes(user)
    return qs if codes is None else qs.filter(code__in=codes)


def review_content(*, application, blind: bool) -> list[tuple[str, object]]:
    """The application's fields for its reviewer; with a blind call, nothing that names the applicant."""
    rows = []
    for spec in application.form_definition:
        if spec.get("type") == "file":
            continue
        if blind and str(spec.get("prefill", "")).split(".")[0] in ("organization", "user"):
            continue
        value = application.data.get(spec["key"], "")
        if spec.get("type") == "table":
            value = clauses(" ".join(str(v) for v in row.values()) for row in value or [])
        rows.append((spec.get("label", spec["key"]), value))
    return rows


def review_files(*, application) -> list:
    """(field label, ApplicationFile) for every attachment, in the order of the application's form."""
    labels = {spec["key"]: spec.get("label", spec["key"]) for spec in application.form_definition}
    order = {key: i for i, key in enumerate(labels)}
    files = sorted(application.files.all(), key=lambda f: (order.get(f.field_key, len(order)), f.pk))
    return [(labels.get(f.field_key, f.field_key), f) for f in files]
