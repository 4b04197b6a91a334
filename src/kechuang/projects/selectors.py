from django.db.models import Q, QuerySet
from django.utils import timezone

from kechuang.accounts.enums import ORGANIZATION_ROLES
from kechuang.core.models import AuditLog
from kechuang.core.scoping import scope_by_region, user_region_codes

from .eligibility import Facts, eligibility_problems
from .enums import ApplicationState, Holder
from .models import Application, Call, IntegrityRecord


def calls_published(*, at=None) -> QuerySet[Call]:
    """Calls published and not yet closed, soonest deadline first."""
    at = at or timezone.now()
    return (
        Call.objects.select_related("program")
        .filter(is_published=True, closes_at__gte=at)
        .order_by("closes_at")
    )


def eligibility_facts(*, call: Call, organization, at=None, excluding: int | None = None) -> Facts:
    at = at or timezone.now()
    day = timezone.localdate(at)
    block = (
        IntegrityRecord.objects.filter(organization=organization, starts_on__lte=day, ends_on__gte=day)
        .order_by("-ends_on")
        .values_list("ends_on", flat=True)
        .first()
    )
    return Facts(
        organization_kind=organization.kind,
        organization_verified=organization.status == "verified",
        region_path=organization.region.path,
        qualifications=frozenset(
            organization.qualifications.filter(valid_from__lte=day, valid_until__gte=day).values_list(
                "kind", flat=True
            )
        ),
        integrity_blocked_until=block.isoformat() if block else None,
        applications_in_call=Application.objects.filter(call=call, organization=organization)
        .exclude(state=ApplicationState.WITHDRAWN)
        .exclude(pk=excluding)
        .count(),
    )


def eligibility_for(*, call: Call, organization, at=None, excluding: int | None = None) -> list[str]:
    """Why `organization` may not apply to `call` now (empty when it may); `excluding` an application
    already counted (its own, when it is submitted or checked)."""
    facts = eligibility_facts(call=call, organization=organization, at=at, excluding=excluding)
    return eligibility_problems(call.eligibility, facts)


def applications_visible_to(*, user) -> QuerySet[Application]:
    """Applications the user may see: their organization's, or those of their region."""
    qs = Application.objects.select_related("call", "call__program", "organization", "region")
    if not user.is_authenticated:
        return qs.none()
    if user.role in ORGANIZATION_ROLES:
        if not user.active_organization_id:
            return qs.none()
        return qs.filter(organization_id=user.active_organization_id)
    if user.is_superuser or user.is_region_scoped:
        # Drafts are the applicant's own business until submitted.
        return scope_by_region(qs, user).exclude(state=ApplicationState.DRAFT)
    return qs.none()


def applications_overdue(*, user, at=None) -> QuerySet[Application]:
    """Applications in the user's region whose current stage is past its time limit (not the applicant's)."""
    at = at or timezone.now()
    return (
        applications_visible_to(user=user)
        .filter(due_at__lt=at)
        .exclude(holder__in=[Holder.APPLICANT, Holder.NOBODY])
    )


def application_timeline(application: Application) -> QuerySet[AuditLog]:
    """Every state change of the application, oldest first."""
    return AuditLog.objects.filter(
        content_type__app_label="projects",
        content_type__model="application",
        object_id=str(application.pk),
        action=AuditLog.Action.TRANSITION,
    ).order_by("at", "id")


def region_codes_of(user) -> list[str] | None:
    return user_region_codes(user)


def near_duplicates(application: Application, *, threshold: float = 0.8) -> list[Application]:
    """Live applications of the same organization in other calls whose title is nearly the same."""
    from .similarity import title_similarity

    others = (
        Application.objects.filter(organization_id=application.organization_id)
        .exclude(pk=application.pk)
        .exclude(call_id=application.call_id)
        .exclude(Q(state__in=[ApplicationState.WITHDRAWN, ApplicationState.REJECTED, ApplicationState.DRAFT]))
        .select_related("call")
    )
    return [other for other in others if title_similarity(application.title, other.title) >= threshold]
