from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from .models import Region

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None
    is_local_code: bool

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent_id


@router.get("", response=list[RegionOut], summary="行政区划列表")
def region_list(request, parent: str | None = None, level: str | None = None):
    """Administrative divisions (public reference data), optionally children of `parent` or of one level."""
    qs = Region.objects.order_by("path")
    if parent:
        qs = qs.filter(parent_id=parent)
    if level:
        qs = qs.filter(level=level)
    return qs


@router.get("/{code}", response=RegionOut, summary="行政区划")
def region_detail(request, code: str):
    return get_object_or_404(Region, pk=code)
