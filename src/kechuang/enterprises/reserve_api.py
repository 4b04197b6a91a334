"""API of the reserve pool (后备库), mounted at /api/enterprises/reserve: the same selectors, filter set and
services as the pages."""

from datetime import datetime
from decimal import Decimal

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from kechuang.core.api import filtered
from kechuang.core.permissions import require

from .reserve import (
    can_view_reserve,
    reserve_add,
    reserve_entries_listed,
    reserve_entries_visible_to,
    reserve_propose,
    reserve_transition,
)
from .reserve_filters import ReserveFilter
from .selectors import enterprise_get_visible

router = Router(tags=["enterprises"])


class ReserveEntryOut(Schema):
    id: int
    organization_id: int
    organization_name: str = Field(alias="organization.name")
    region_code: str = Field(alias="organization.region_id")
    region_name: str = Field(alias="organization.region.name")
    tier: str = Field(alias="organization.tier")
    kind: str
    target_year: int
    status: str
    status_label: str
    source: str
    reason: str
    note: str
    status_since: datetime
    score: Decimal | None = None
    failed: int | None = None
    last_remark: str | None = None
    version: int

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class ReserveFilters(Schema):
    q: str | None = None
    target_year: int | None = None
    kind: str | None = None
    status: str | None = None
    source: str | None = None
    region: str | None = None


class ProposeIn(Schema):
    target_year: int
    kind: str = "hnte"


class ProposeOut(Schema):
    target_year: int
    kind: str
    count: int
    ids: list[int]


class ReserveAddIn(Schema):
    organization_id: int
    kind: str = "hnte"
    target_year: int
    reason: str
    note: str = ""


class TransitionIn(Schema):
    to: str
    reason: str = ""
    version: int | None = None


def _listed(request, pk: int):
    entry = reserve_entries_listed(user=request.user).filter(pk=pk).first()
    if entry is None:
        raise Http404
    return entry


@router.get("", response=list[ReserveEntryOut], summary="后备库列表")
@paginate(PageNumberPagination, page_size=20)
def reserve_list(request, filters: Query[ReserveFilters]):
    """Entries of the enterprises in the caller's region, filtered exactly like the list page."""
    require(can_view_reserve(request.user))
    return filtered(ReserveFilter, filters, reserve_entries_listed(user=request.user), request)


@router.post("/propose", response=ProposeOut, summary="按规则推荐入库")
def reserve_propose_api(request, payload: ProposeIn):
    run = reserve_propose(target_year=payload.target_year, kind=payload.kind, by=request.user)
    return {
        "target_year": run.target_year,
        "kind": run.kind,
        "count": run.count,
        "ids": [entry.pk for entry in run.created],
    }


@router.post("", response={201: ReserveEntryOut}, summary="人工添加入库")
def reserve_add_api(request, payload: ReserveAddIn):
    organization = enterprise_get_visible(user=request.user, pk=payload.organization_id)
    if organization is None:
        raise Http404
    entry = reserve_add(
        organization=organization,
        kind=payload.kind,
        target_year=payload.target_year,
        reason=payload.reason,
        note=payload.note,
        by=request.user,
    )
    return Status(201, _listed(request, entry.pk))


@router.post("/{pk}/transition", response=ReserveEntryOut, summary="变更后备库状态")
def reserve_transition_api(request, pk: int, payload: TransitionIn):
    entry = reserve_entries_visible_to(user=request.user).filter(pk=pk).first()
    if entry is None:
        raise Http404
    reserve_transition(
        entry=entry, to=payload.to, reason=payload.reason, by=request.user, expected_version=payload.version
    )
    return _listed(request, pk)
