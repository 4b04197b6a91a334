from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Least
from django.utils import timezone

from kechuang.accounts.enums import ORGANIZATION_ROLES
from kechuang.core.models import AuditLog
from kechuang.core.scoping import scope_by_region, user_region_codes

from .eligibility import Facts, eligibility_problems
from .enums import ApplicationState, Holder
from .models import Application, Call, IntegrityRecord, Program


def calls_published(*, at=None) -> QuerySet[Call]:
    """Calls published and not yet closed, soonest deadline first."""
    at = at or timezone.now()
    return (
        Call.objects.select_related("program")
        .filter(is_published=True, closes_at__gte=at)
        .order_by("closes_at")
    )


def programs_visible_to(*, user) -> QuerySet[Program]:
    """Programs run in the user's region and the regions below (none for users without a region)."""
    qs = Program.objects.select_related("region").order_by("name", "id")
    if not user.is_authenticated or not (user.is_superuser or user.is_region_scoped):
        return qs.none()
    return scope_by_region(qs, user)


def programs_managed_by(*, user, active_only: bool = False) -> QuerySet[Program]:
    """The programs the user may manage (and open calls under, when `active_only`)."""
    from .permissions import can_manage_programs

    if not can_manage_programs(user):
        return Program.objects.none()
    qs = programs_visible_to(user=user)
    return qs.filter(is_active=True) if active_only else qs


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
        qualifications=frozenset(organization.qualifications.in_force(day).values_list("kind", flat=True)),
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


# What a list row never shows: the frozen form, the content and the call's rules (kilobytes of JSON each).
LIST_DEFERRED = (
    "form_definition",
    "data",
    "check_results",
    "call__form_definition",
    "call__eligibility",
    "call__review_scheme",
    "call__stage_days",
    "call__guide",
)


def applications_listed(*, user) -> QuerySet[Application]:
    """applications_visible_to, for list pages: newest state first, without the JSON a row never shows."""
    return applications_visible_to(user=user).defer(*LIST_DEFERRED).order_by("-state_since", "-id")


def overdue_only(qs: QuerySet[Application], *, at) -> QuerySet[Application]:
    """Only applications whose current stage is past its time limit and held by an officer (not the applicant).

    The condition matches the partial index `application_overdue`.
    """
    return qs.filter(due_at__lt=at).exclude(holder__in=[Holder.APPLICANT, Holder.NOBODY])


def applications_overdue(*, user, at=None) -> QuerySet[Application]:
    """Applications in the user's region whose current stage is past its time limit (not the applicant's)."""
    return overdue_only(applications_visible_to(user=user), at=at or timezone.now())


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


# Until every application of a call is decided, the call is "still under review".
UNDECIDED_STATES = (
    ApplicationState.SUBMITTED,
    ApplicationState.RECOMMENDED,
    ApplicationState.RETURNED,
    ApplicationState.CHECKED,
    ApplicationState.IN_REVIEW,
    ApplicationState.REVIEWED,
    ApplicationState.PROPOSED,
    ApplicationState.IN_NOTICE,
)
# An application out of the running cannot be funded twice: it does not make another one a duplicate.
NOT_RUNNING_STATES = (
    ApplicationState.DRAFT,
    ApplicationState.WITHDRAWN,
    ApplicationState.REJECTED,
    ApplicationState.NOT_APPROVED,
)
NEAR_DUPLICATE_CANDIDATES = 20  # the nearest by fingerprint; their texts are compared word by word
# Texts at cosine 0.7 differ in 16 of 64 fingerprint bits on average (angle/π), rarely in more than 24;
# unrelated applications differ in about 32.
MAX_FINGERPRINT_DISTANCE = 24
TITLE_THRESHOLD = 0.8
CONTENT_THRESHOLD = 0.7


@dataclass(frozen=True)
class NearDuplicate:
    """Another submitted application that looks like the same project."""

    application_id: int
    receipt_number: str
    call_title: str
    title: str
    title_similarity: float
    content_similarity: float
    organization_id: int = 0
    region_id: str = ""

    @property
    def similarity(self) -> float:
        return max(self.title_similarity, self.content_similarity)


def calls_live(*, at=None) -> QuerySet[Call]:
    """Calls open for applications now, or closed but with applications still undecided."""
    at = at or timezone.now()
    # EXISTS per call walks the (call, state) index; IN (SELECT call_id …) would read every application.
    undecided = Application.objects.filter(call_id=OuterRef("pk"), state__in=UNDECIDED_STATES)
    return Call.objects.filter(Q(is_published=True, opens_at__lte=at, closes_at__gte=at) | Exists(undecided))


def near_duplicates(
    application: Application,
    *,
    at=None,
    title_threshold: float = TITLE_THRESHOLD,
    content_threshold: float = CONTENT_THRESHOLD,
    limit: int = NEAR_DUPLICATE_CANDIDATES,
) -> list[NearDuplicate]:
    """Applications of any organization whose title or content (the long-text fields) is nearly the same
    as this application's, most similar first: those submitted to another live call (see calls_live) and
    still in the running, and those approved in any other call (the same project funded twice).

    Two queries whatever the number of applications: the live calls, then the texts of the `limit`
    applications nearest in fingerprint (Hamming) distance, computed by the database; word similarity
    decides on those.
    """
    from .expressions import hamming_or_max
    from .similarity import content_of, content_similarity, fingerprints, title_similarity

    content = content_of(application.form_definition, application.data)
    mine = fingerprints(application.title, application.form_definition, application.data)
    if mine["title_fingerprint"] is None and mine["content_fingerprint"] is None:
        return []
    # The live calls' ids first: a short literal list lets the planner use the fingerprint index.
    live = list(calls_live(at=at).exclude(pk=application.call_id).values_list("pk", flat=True))
    # Distances are computed in the database, which returns only the nearest `limit`.
    distance = Least(
        hamming_or_max("title_fingerprint", mine["title_fingerprint"]),
        hamming_or_max("content_fingerprint", mine["content_fingerprint"]),
    )
    # The nearest ids from the fingerprint index alone; only those rows' texts are read from the table.
    # Two sets, each served by an index: the running applications of live calls, and approved ones anywhere.
    running = Application.objects.filter(call_id__in=live, receipt_number__isnull=False).exclude(
        state__in=[*NOT_RUNNING_STATES, ApplicationState.APPROVED]
    )
    approved = Application.objects.filter(state=ApplicationState.APPROVED).exclude(
        call_id=application.call_id
    )
    nearest = [
        qs.annotate(distance=distance)
        .filter(distance__lte=MAX_FINGERPRINT_DISTANCE)
        .order_by("distance", "pk")
        .values("pk")[:limit]
        for qs in (running, approved)
    ]
    candidates = (
        Application.objects.filter(Q(pk__in=nearest[0]) | Q(pk__in=nearest[1]))
        .order_by()
        .values_list(
            "pk",
            "receipt_number",
            "call__title",
            "title",
            "form_definition",
            "data",
            "organization_id",
            "region_id",
        )
    )
    hits = []
    for pk, receipt_number, call_title, title, definition, data, organization_id, region_id in candidates:
        by_title = title_similarity(application.title, title)
        by_content = content_similarity(content, content_of(definition, data))
        if by_title >= title_threshold or by_content >= content_threshold:
            hits.append(
                NearDuplicate(
                    pk, receipt_number, call_title, title, by_title, by_content, organization_id, region_id
                )
            )
    return sorted(hits, key=lambda hit: (-hit.similarity, hit.application_id))


# Project states whose time limit is being watched (the others have no time limit).
PROJECT_TIMED_STATES = ("agreement", "agreement_review", "in_progress", "acceptance")


def projects_visible_to(user):
    """Projects the user may see: their organization's, or those of their region."""
    from .models import Project

    qs = Project.objects.select_related("organization", "call__program", "application")
    if not user.is_authenticated:
        return qs.none()
    if user.active_organization_id and not user.is_region_scoped:
        return qs.filter(organization_id=user.active_organization_id)
    if user.is_superuser or user.is_region_scoped:
        return scope_by_region(qs, user)
    return qs.none()


def projects_overdue(*, user, at=None):
    """Visible projects whose agreement, agreement review or acceptance decision is past its time limit."""
    at = at or timezone.now()
    return projects_visible_to(user=user).filter(state__in=PROJECT_TIMED_STATES, due_at__lt=at)


def withdrawal_requests_of(application: Application):
    """The application's withdrawal requests (撤回申请), oldest first, with who asked and who decided."""
    return application.withdrawal_requests.select_related("requested_by", "decided_by").order_by(
        "created_at", "id"
    )
