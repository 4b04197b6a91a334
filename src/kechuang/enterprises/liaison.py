"""挂联 / 帮扶 (liaison): staff assigned to enterprises, the visits they log, the needs the enterprises raise
and the follow-ups that answer them.

Liaison is internal work of the bureau and the town officers: enterprise users see none of it. Everything is
scoped by the enterprise's region, so a town officer sees the visits in their own town.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.accounts.enums import REGION_ROLES
from kechuang.core.audit import acting, record_transition
from kechuang.core.errors import DomainError
from kechuang.core.permissions import Allowed, Denied, require
from kechuang.core.scoping import region_within_user_scope, scope_by_region
from kechuang.organizations.models import Organization

from .enums import NeedKind, NeedStatus
from .models import FollowUp, LiaisonAssignment, Need, Visit
from .permissions import can_assign_liaison, can_log_visit

User = get_user_model()
N = NeedStatus

# How a need moves while it is followed up. 已转技术需求 is reached only through need_to_demand.
NEED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    N.OPEN: (N.IN_PROGRESS, N.RESOLVED),
    N.IN_PROGRESS: (N.RESOLVED, N.OPEN),
    N.RESOLVED: (N.IN_PROGRESS,),
    N.TO_MARKET: (),
}


def can_view_liaison(user, organization: Organization | None = None) -> "Allowed | Denied":
    """Liaison records are internal: the bureau and the officers in their region, never enterprise users."""
    if not user.is_authenticated:
        return Denied(_("请先登录。"))
    if not (user.is_superuser or user.is_region_scoped):
        return Denied(_("挂联走访信息仅供科技局人员和属地科技干部查看。"))
    if organization is not None and not region_within_user_scope(user, organization.region_id):
        return Denied(_("该企业不在您的属地范围内。"))
    return Allowed()


def _covering_codes(organization: Organization) -> list[str]:
    """The codes of the enterprise's region and every region above it."""
    return [code for code in organization.region.path.strip("/").split("/") if code]


def liaison_candidates(organization: Organization) -> QuerySet:
    """People who may be assigned to, visit, or follow up an enterprise: the bureau and officers whose
    region contains it."""
    return (
        User.objects.filter(
            is_active=True, role__in=list(REGION_ROLES), region_id__in=_covering_codes(organization)
        )
        .select_related("region")
        .order_by("region__path", "last_name", "first_name", "username")
    )


def _check_person(user, organization: Organization, *, field: str) -> None:
    if user is None:
        raise DomainError(_("请选择人员。"), field=field)
    if not (
        user.is_active and user.is_region_scoped and region_within_user_scope(user, organization.region_id)
    ):
        raise DomainError(_("%(name)s 不是该企业属地的科技局人员或科技干部。") % {"name": user}, field=field)


# ---------------------------------------------------------------------------------------------------------
# Reads


def assignments_visible_to(*, user) -> QuerySet[LiaisonAssignment]:
    qs = LiaisonAssignment.objects.select_related("organization", "organization__region", "staff")
    if not can_view_liaison(user):
        return qs.none()
    return scope_by_region(qs, user, field="organization__region").order_by(
        "organization__name", "-since", "pk"
    )


def assignments_active(qs: QuerySet, *, day: date) -> QuerySet:
    return qs.filter(since__lte=day).filter(Q(until__isnull=True) | Q(until__gte=day))


def assignments_of(*, user, day: date | None = None) -> QuerySet[LiaisonAssignment]:
    """我的挂联企业: the user's assignments in force, each with the date of the enterprise's last visit."""
    last_visit = Visit.objects.filter(organization=OuterRef("organization")).order_by("-visited_on")
    return (
        assignments_active(
            LiaisonAssignment.objects.filter(staff=user).select_related(
                "organization", "organization__region"
            ),
            day=day or timezone.localdate(),
        )
        .annotate(last_visit=Subquery(last_visit.values("visited_on")[:1]))
        .order_by("organization__name", "pk")
    )


def assignments_of_enterprise(*, organization: Organization, day: date) -> QuerySet[LiaisonAssignment]:
    """Who is assigned to the enterprise now (for its detail page)."""
    return assignments_active(
        LiaisonAssignment.objects.filter(organization=organization).select_related("staff", "staff__region"),
        day=day,
    ).order_by("since", "pk")


def visits_visible_to(*, user) -> QuerySet[Visit]:
    """Visits to enterprises in the user's region (a town officer: their town); none outside the bureau."""
    qs = Visit.objects.select_related("organization", "organization__region", "recorded_by")
    if not can_view_liaison(user):
        return qs.none()
    return scope_by_region(qs, user, field="organization__region")


def visits_listed(*, user) -> QuerySet[Visit]:
    """The visits list: each visit with its visitors, needs and follow-ups in three queries in all."""
    return visits_visible_to(user=user).prefetch_related(
        Prefetch("visitors", queryset=User.objects.order_by("pk")),
        Prefetch("needs", queryset=Need.objects.order_by("pk")),
        Prefetch("follow_ups", queryset=FollowUp.objects.select_related("owner").order_by("due_on", "pk")),
    )


def follow_ups_visible_to(*, user) -> QuerySet[FollowUp]:
    qs = FollowUp.objects.select_related(
        "visit", "visit__organization", "visit__organization__region", "owner", "need"
    )
    if not can_view_liaison(user):
        return qs.none()
    return scope_by_region(qs, user, field="visit__organization__region")


def follow_ups_open_for(*, user) -> QuerySet[FollowUp]:
    """我的跟进事项: the user's follow-ups not yet done, soonest due first."""
    return follow_ups_visible_to(user=user).filter(owner=user, done_on__isnull=True).order_by("due_on", "pk")


# ---------------------------------------------------------------------------------------------------------
# Assignments


@acting
@transaction.atomic
def assignment_create(
    *, organization: Organization, staff, since: date, by, until: date | None = None, note: str = ""
) -> LiaisonAssignment:
    """Assign a staff member or officer to help an enterprise (挂联) from `since`."""
    require(can_assign_liaison(by, organization))
    _check_person(staff, organization, field="staff")
    if since is None:
        raise DomainError(_("请填写挂联开始日期。"), field="since")
    if until is not None and until < since:
        raise DomainError(_("挂联结束日期不能早于开始日期。"), field="until")
    overlapping = LiaisonAssignment.objects.filter(organization=organization, staff=staff).filter(
        Q(until__isnull=True) | Q(until__gte=since)
    )
    if until is not None:
        overlapping = overlapping.filter(since__lte=until)
    if overlapping.exists():
        raise DomainError(_("%(staff)s 已挂联该企业。") % {"staff": staff}, field="staff")
    return LiaisonAssignment.objects.create(
        organization=organization, staff=staff, since=since, until=until, note=note.strip()[:200]
    )


@acting
@transaction.atomic
def assignment_end(
    *, assignment: LiaisonAssignment, by, until: date | None = None, expected_version: int | None = None
) -> LiaisonAssignment:
    """End an assignment on `until` (today by default)."""
    locked = (
        LiaisonAssignment.objects.select_for_update().select_related("organization").get(pk=assignment.pk)
    )
    require(can_assign_liaison(by, locked.organization))
    locked.check_version(expected_version)
    until = until or timezone.localdate()
    if locked.until is not None and locked.until <= timezone.localdate():
        raise DomainError(_("该挂联已结束。"))
    if until < locked.since:
        raise DomainError(_("挂联结束日期不能早于开始日期。"), field="until")
    locked.until = until
    locked.bump_version()
    locked.save()
    return locked


# ---------------------------------------------------------------------------------------------------------
# Visits, needs and follow-ups


def _follow_up_build(*, visit: Visit, action: str, owner, due_on: date | None, need: Need | None, n=None):
    prefix = _("第%(n)s项跟进事项：") % {"n": n} if n else ""
    action = (action or "").strip()
    if not action:
        raise DomainError(prefix + _("请填写跟进事项。"), field="follow_ups" if n else "action")
    try:
        _check_person(owner, visit.organization, field="follow_ups" if n else "owner")
    except DomainError as exc:
        raise DomainError(prefix + _("责任人：") + exc.message, field=exc.field) from exc
    if due_on is None:
        raise DomainError(prefix + _("请填写完成期限。"), field="follow_ups" if n else "due_on")
    if due_on < visit.visited_on:
        raise DomainError(prefix + _("完成期限不能早于走访日期。"), field="follow_ups" if n else "due_on")
    if need is not None and need.visit_id != visit.pk:
        raise DomainError(prefix + _("对应需求不属于本次走访。"), field="follow_ups" if n else "need")
    return FollowUp.objects.create(visit=visit, need=need, action=action[:300], owner=owner, due_on=due_on)


@acting
@transaction.atomic
def visit_log(
    *,
    organization: Organization,
    visited_on: date,
    visitors,
    summary: str,
    by,
    met: str = "",
    needs=(),
    follow_ups=(),
) -> Visit:
    """Record a visit with the needs the enterprise raised and the follow-ups agreed, all or nothing.

    `needs` are {"kind", "description"}; `follow_ups` are {"action", "owner", "due_on", "need"} where the
    optional "need" is the 1-based position of a need in `needs`.
    """
    require(can_log_visit(by, organization))
    if visited_on is None:
        raise DomainError(_("请填写走访日期。"), field="visited_on")
    if visited_on > timezone.localdate():
        raise DomainError(_("走访日期不能晚于今天。"), field="visited_on")
    if not (summary or "").strip():
        raise DomainError(_("请填写走访情况。"), field="summary")
    visitors = list(visitors)
    if not visitors:
        raise DomainError(_("请选择走访人员。"), field="visitors")
    for visitor in visitors:
        _check_person(visitor, organization, field="visitors")
    visit = Visit.objects.create(
        organization=organization,
        visited_on=visited_on,
        met=(met or "").strip()[:200],
        summary=summary.strip(),
        recorded_by=by,
    )
    visit.visitors.set(visitors)
    created: list[Need] = []
    for n, item in enumerate(needs, 1):
        kind = item.get("kind")
        description = (item.get("description") or "").strip()
        if kind not in NeedKind.values:
            raise DomainError(_("第%(n)s项需求的类型不正确。") % {"n": n}, field="needs")
        if not description:
            raise DomainError(_("请填写第%(n)s项需求的描述。") % {"n": n}, field="needs")
        created.append(Need.objects.create(visit=visit, kind=kind, description=description))
    for n, item in enumerate(follow_ups, 1):
        need = None
        if item.get("need"):
            position = int(item["need"])
            if not 1 <= position <= len(created):
                raise DomainError(
                    _("第%(n)s项跟进事项对应的需求%(need)s未填写。") % {"n": n, "need": position},
                    field="follow_ups",
                )
            need = created[position - 1]
        _follow_up_build(
            visit=visit,
            action=item.get("action", ""),
            owner=item.get("owner"),
            due_on=item.get("due_on"),
            need=need,
            n=n,
        )
    return visit


@acting
@transaction.atomic
def need_update_status(
    *, need: Need, status: str, by, reason: str = "", expected_version: int | None = None
) -> Need:
    """Move a need along NEED_TRANSITIONS (待解决 → 跟进中 → 已解决 …), recorded with who, when and why."""
    locked = Need.objects.select_for_update().select_related("visit__organization").get(pk=need.pk)
    require(can_log_visit(by, locked.visit.organization))
    locked.check_version(expected_version)
    source = locked.status
    if status not in NEED_TRANSITIONS.get(source, ()):
        raise DomainError(
            _("需求状态不能从“%(from)s”改为“%(to)s”。")
            % {"from": N(source).label, "to": N(status).label if status in N.values else status},
            field="status",
        )
    locked.status = status
    locked.bump_version()
    locked.save()
    record_transition(
        instance=locked, by=by, from_state=source, to_state=status, reason=(reason or "").strip()
    )
    return locked


@dataclass(frozen=True)
class DemandDraft:
    """What a tech demand (技术需求) of the market needs from an enterprise's need."""

    need_id: int
    title: str
    description: str
    organization_id: int
    organization_name: str
    region_code: str


def _demand_title(organization: Organization, description: str) -> str:
    first_line = description.strip().splitlines()[0] if description.strip() else ""
    short = first_line[:30] + ("…" if len(first_line) > 30 else "")
    return _("%(organization)s技术需求：%(short)s") % {"organization": organization.name, "short": short}


@acting
@transaction.atomic
def need_to_demand(*, need: Need, by, create_demand=None, expected_version: int | None = None) -> DemandDraft:
    """Turn a technical need into a tech demand for the market: marks it 已转技术需求 and returns the demand's data.

    The one hook for the market module: `create_demand(draft) -> reference` creates the real demand inside
    this transaction and returns its number, which is kept in `demand_ref`. Until the market exists the
    reference is a placeholder ("need:<id>") that the market's import replaces.
    """
    locked = Need.objects.select_for_update().select_related("visit__organization").get(pk=need.pk)
    organization = locked.visit.organization
    require(can_log_visit(by, organization))
    locked.check_version(expected_version)
    if locked.status == N.TO_MARKET:
        raise DomainError(_("该需求已转为技术需求（%(ref)s）。") % {"ref": locked.demand_ref})
    if locked.kind != NeedKind.TECHNICAL:
        raise DomainError(_("只有技术类需求可以转为技术市场的技术需求。"))
    if locked.status == N.RESOLVED:
        raise DomainError(_("该需求已解决，无需再转为技术需求。"))
    draft = DemandDraft(
        need_id=locked.pk,
        title=_demand_title(organization, locked.description),
        description=locked.description,
        organization_id=organization.pk,
        organization_name=organization.name,
        region_code=organization.region_id,
    )
    reference = create_demand(draft) if create_demand is not None else f"need:{locked.pk}"
    source = locked.status
    locked.status = N.TO_MARKET
    locked.demand_ref = str(reference)[:40]
    locked.bump_version()
    locked.save()
    record_transition(
        instance=locked, by=by, from_state=source, to_state=N.TO_MARKET, reason=_("转为技术需求")
    )
    return draft


@acting
@transaction.atomic
def follow_up_create(
    *, visit: Visit, action: str, owner, due_on: date, by, need: Need | None = None
) -> FollowUp:
    """Add a follow-up to a visit (optionally for one of its needs), with an owner and a due date."""
    require(can_log_visit(by, visit.organization))
    return _follow_up_build(visit=visit, action=action, owner=owner, due_on=due_on, need=need)


def can_complete_follow_up(user, follow_up: FollowUp) -> "Allowed | Denied":
    if user.is_authenticated and follow_up.owner_id == user.pk and user.is_region_scoped:
        return Allowed()
    decision = can_log_visit(user, follow_up.visit.organization)
    if decision:
        return decision
    return Denied(_("只有责任人或属地科技局人员、科技干部可以办结跟进事项。"))


@acting
@transaction.atomic
def follow_up_complete(
    *, follow_up: FollowUp, result: str, by, done_on: date | None = None, expected_version: int | None = None
) -> FollowUp:
    """Record that a follow-up is done, with what came of it."""
    locked = FollowUp.objects.select_for_update().select_related("visit__organization").get(pk=follow_up.pk)
    require(can_complete_follow_up(by, locked))
    locked.check_version(expected_version)
    if locked.done_on is not None:
        raise DomainError(_("该跟进事项已办结。"))
    if not (result or "").strip():
        raise DomainError(_("请填写办理结果。"), field="result")
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise DomainError(_("完成日期不能晚于今天。"), field="done_on")
    if done_on < locked.visit.visited_on:
        raise DomainError(_("完成日期不能早于走访日期。"), field="done_on")
    locked.done_on = done_on
    locked.result = result.strip()[:300]
    locked.bump_version()
    locked.save()
    return locked
