"""API of liaison (挂联/走访), mounted at /api/enterprises/liaison: the same selectors, filter sets and
services as the pages. Internal to the bureau and the officers: enterprise users get 403."""

from dataclasses import asdict
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from kechuang.core.api import filtered
from kechuang.core.errors import DomainError
from kechuang.core.permissions import require

from .liaison import (
    assignment_create,
    assignment_end,
    assignments_visible_to,
    can_view_liaison,
    follow_up_complete,
    follow_ups_open_for,
    follow_ups_visible_to,
    need_to_demand,
    need_update_status,
    visit_log,
    visits_listed,
    visits_visible_to,
)
from .liaison_filters import AssignmentFilter, VisitFilter
from .models import Need
from .selectors import enterprise_get_visible

router = Router(tags=["enterprises"])
User = get_user_model()


class PersonOut(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj):
        return str(obj)


class AssignmentOut(Schema):
    id: int
    organization_id: int
    organization_name: str = Field(alias="organization.name")
    region_code: str = Field(alias="organization.region_id")
    staff: PersonOut
    since: date
    until: date | None
    note: str
    version: int


class AssignmentFilters(Schema):
    q: str | None = None
    region: str | None = None
    active: bool | None = None


class AssignmentIn(Schema):
    organization_id: int
    staff_id: int
    since: date
    until: date | None = None
    note: str = ""


class AssignmentEndIn(Schema):
    until: date | None = None
    version: int | None = None


class NeedOut(Schema):
    id: int
    kind: str
    description: str
    status: str
    demand_ref: str
    version: int


class FollowUpOut(Schema):
    id: int
    visit_id: int
    need_id: int | None
    action: str
    owner: PersonOut
    due_on: date
    done_on: date | None
    result: str
    overdue: bool
    version: int

    @staticmethod
    def resolve_overdue(obj):
        from django.utils import timezone

        return obj.done_on is None and obj.due_on < timezone.localdate()


class VisitOut(Schema):
    id: int
    organization_id: int
    organization_name: str = Field(alias="organization.name")
    region_code: str = Field(alias="organization.region_id")
    visited_on: date
    visitors: list[PersonOut]
    met: str
    summary: str
    recorded_by: PersonOut
    created_at: datetime
    needs: list[NeedOut]
    follow_ups: list[FollowUpOut]

    @staticmethod
    def resolve_visitors(obj):
        return list(obj.visitors.all())

    @staticmethod
    def resolve_needs(obj):
        return list(obj.needs.all())

    @staticmethod
    def resolve_follow_ups(obj):
        return list(obj.follow_ups.all())


class VisitFilters(Schema):
    q: str | None = None
    region: str | None = None
    since: date | None = None
    until: date | None = None
    need_kind: str | None = None
    organization: int | None = None


class NeedIn(Schema):
    kind: str
    description: str


class FollowUpIn(Schema):
    action: str
    owner_id: int
    due_on: date
    need: int | None = Field(None, description="1-based position of the need in `needs`")


class VisitIn(Schema):
    organization_id: int
    visited_on: date
    visitor_ids: list[int]
    met: str = ""
    summary: str
    needs: list[NeedIn] = []
    follow_ups: list[FollowUpIn] = []


class NeedStatusIn(Schema):
    status: str
    reason: str = ""
    version: int | None = None


class DemandOut(Schema):
    need_id: int
    title: str
    description: str
    organization_id: int
    organization_name: str
    region_code: str
    demand_ref: str


class FollowUpCompleteIn(Schema):
    result: str
    done_on: date | None = None
    version: int | None = None


def _people(ids: list[int], *, field: str) -> dict[int, object]:
    found = {user.pk: user for user in User.objects.filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise DomainError(_("人员编号不存在：%(ids)s") % {"ids": ", ".join(map(str, missing))}, field=field)
    return found


def _enterprise(request, pk: int):
    organization = enterprise_get_visible(user=request.user, pk=pk)
    if organization is None:
        raise Http404
    return organization


# --- assignments


@router.get("/assignments", response=list[AssignmentOut], summary="挂联安排列表")
@paginate(PageNumberPagination, page_size=50)
def assignment_list(request, filters: Query[AssignmentFilters]):
    require(can_view_liaison(request.user))
    return filtered(AssignmentFilter, filters, assignments_visible_to(user=request.user), request)


@router.post("/assignments", response={201: AssignmentOut}, summary="安排挂联")
def assignment_create_api(request, payload: AssignmentIn):
    organization = _enterprise(request, payload.organization_id)
    staff = _people([payload.staff_id], field="staff_id")[payload.staff_id]
    done = assignment_create(
        organization=organization,
        staff=staff,
        since=payload.since,
        until=payload.until,
        note=payload.note,
        by=request.user,
    )
    return Status(201, assignments_visible_to(user=request.user).get(pk=done.pk))


@router.post("/assignments/{pk}/end", response=AssignmentOut, summary="结束挂联")
def assignment_end_api(request, pk: int, payload: AssignmentEndIn):
    assignment = assignments_visible_to(user=request.user).filter(pk=pk).first()
    if assignment is None:
        raise Http404
    assignment_end(
        assignment=assignment, until=payload.until, by=request.user, expected_version=payload.version
    )
    return assignments_visible_to(user=request.user).get(pk=pk)


# --- visits and needs


@router.get("/visits", response=list[VisitOut], summary="走访记录列表")
@paginate(PageNumberPagination, page_size=20)
def visit_list(request, filters: Query[VisitFilters]):
    """Visits in the caller's region (a town officer: their town), with needs and follow-ups."""
    require(can_view_liaison(request.user))
    queryset = visits_listed(user=request.user).order_by("-visited_on", "-pk")
    return filtered(VisitFilter, filters, queryset, request)


@router.post("/visits", response={201: VisitOut}, summary="记录走访")
def visit_create_api(request, payload: VisitIn):
    require(can_view_liaison(request.user))
    organization = _enterprise(request, payload.organization_id)
    visitors = _people(payload.visitor_ids, field="visitor_ids")
    owners = _people([f.owner_id for f in payload.follow_ups], field="follow_ups")
    visit = visit_log(
        organization=organization,
        visited_on=payload.visited_on,
        visitors=[visitors[pk] for pk in payload.visitor_ids],
        met=payload.met,
        summary=payload.summary,
        needs=[n.dict() for n in payload.needs],
        follow_ups=[
            {"action": f.action, "owner": owners[f.owner_id], "due_on": f.due_on, "need": f.need}
            for f in payload.follow_ups
        ],
        by=request.user,
    )
    return Status(201, visits_listed(user=request.user).get(pk=visit.pk))


def _need(request, pk: int) -> Need:
    need = Need.objects.filter(visit__in=visits_visible_to(user=request.user), pk=pk).first()
    if need is None:
        raise Http404
    return need


@router.post("/needs/{pk}/status", response=NeedOut, summary="更新需求状态")
def need_status_api(request, pk: int, payload: NeedStatusIn):
    return need_update_status(
        need=_need(request, pk),
        status=payload.status,
        reason=payload.reason,
        by=request.user,
        expected_version=payload.version,
    )


@router.post("/needs/{pk}/demand", response=DemandOut, summary="需求转为技术需求")
def need_to_demand_api(request, pk: int):
    from kechuang.market.listings import demand_from_need

    draft = need_to_demand(
        need=_need(request, pk),
        by=request.user,
        create_demand=lambda draft: demand_from_need(draft, by=request.user),
    )
    return {**asdict(draft), "demand_ref": Need.objects.get(pk=pk).demand_ref}


# --- follow-ups


@router.get("/follow-ups", response=list[FollowUpOut], summary="我的跟进事项")
@paginate(PageNumberPagination, page_size=50)
def follow_up_list(request):
    """The caller's follow-ups not yet done, soonest due first."""
    require(can_view_liaison(request.user))
    return follow_ups_open_for(user=request.user)


@router.post("/follow-ups/{pk}/complete", response=FollowUpOut, summary="办结跟进事项")
def follow_up_complete_api(request, pk: int, payload: FollowUpCompleteIn):
    follow_up = follow_ups_visible_to(user=request.user).filter(pk=pk).first()
    if follow_up is None:
        raise Http404
    return follow_up_complete(
        follow_up=follow_up,
        result=payload.result,
        done_on=payload.done_on,
        by=request.user,
        expected_version=payload.version,
    )
