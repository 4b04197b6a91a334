from datetime import date, datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from kechuang.accounts.models import User
from kechuang.core.api import filtered
from kechuang.core.errors import DomainError, PermissionDenied
from kechuang.core.permissions import require
from kechuang.projects.models import Call
from kechuang.regions.models import Region

from .enums import ConflictKind
from .filters import ExpertFilter
from .models import Expert, ExpertConflict, ReviewAssignment
from .permissions import can_manage_experts, can_see_application, can_view_expert
from .reasons import shortfall_text
from .selectors import (
    assignments_for_expert,
    conflicts_of,
    experts_visible_to,
    organization_by_name_or_code,
    other_reviews_visible,
    review_content,
    review_files,
)
from .services import (
    assignment_respond,
    expert_conflict_declare,
    expert_conflict_remove,
    expert_save,
    review_draw,
    review_submit,
)

router = Router(tags=["reviews"])


class AssignmentOut(Schema):
    id: int
    application_id: int
    title: str
    call: str
    state: str
    total: Decimal | None
    submitted_at: datetime | None

    @staticmethod
    def resolve_title(obj):
        return obj.application.title

    @staticmethod
    def resolve_call(obj):
        return obj.application.call.title


class RespondIn(Schema):
    accept: bool
    reason: str = ""
    note: str = ""


class ReviewIn(Schema):
    scores: dict[str, int]
    comment: str


class OtherReviewOut(Schema):
    total: Decimal | None
    comment: str


class DrawIn(Schema):
    method: str = "randomized"
    q: float = 0.5


class DrawOut(Schema):
    id: int
    seed: int
    k: int
    q: Decimal
    panels: dict
    shortfalls: dict[str, str]
    expected_fit: float
    realized_fit: float

    @staticmethod
    def resolve_shortfalls(obj):
        return {str(a): shortfall_text(s) for a, s in (obj.shortfalls or {}).items()}


def _own(request, pk) -> ReviewAssignment:
    assignment = get_object_or_404(
        ReviewAssignment.objects.select_related("expert", "application__call"), pk=pk
    )
    if assignment.expert.user_id != request.user.pk:
        raise PermissionDenied(_("这不是您的评审任务。"))
    return assignment


@router.get("/reviews/assignments", response=list[AssignmentOut], summary="我的评审任务")
def my_assignments(request):
    return assignments_for_expert(user=request.user)


@router.post("/reviews/assignments/{pk}/response", response=AssignmentOut, summary="接受或谢绝评审")
def respond(request, pk: int, payload: RespondIn):
    done, _replacement = assignment_respond(
        assignment=_own(request, pk),
        by=request.user,
        accept=payload.accept,
        reason=payload.reason,
        note=payload.note,
    )
    return done


@router.post("/reviews/assignments/{pk}/review", response=AssignmentOut, summary="提交评审")
def submit_review(request, pk: int, payload: ReviewIn):
    return review_submit(
        assignment=_own(request, pk), by=request.user, scores=payload.scores, comment=payload.comment
    )


@router.get(
    "/reviews/assignments/{pk}/others", response=list[OtherReviewOut], summary="其他专家的评审（提交后可见）"
)
def other_reviews(request, pk: int):
    return other_reviews_visible(assignment=_own(request, pk))


@router.post("/calls/{pk}/draws", response={201: DrawOut}, summary="抽取评审专家")
def draw(request, pk: int, payload: DrawIn):
    call = get_object_or_404(Call.objects.select_related("program"), pk=pk)
    return Status(201, review_draw(call=call, by=request.user, method=payload.method, q=payload.q))


class ContentRowOut(Schema):
    label: str
    value: str


class AttachmentOut(Schema):
    id: int
    field: str
    name: str
    size: int
    url: str


class ApplicationContentOut(Schema):
    id: int
    title: str
    call: str
    organization: str | None
    fields: list[ContentRowOut]
    files: list[AttachmentOut]


@router.get(
    "/reviews/assignments/{pk}/application",
    response=ApplicationContentOut,
    summary="评审任务的申报内容（接受后可见）",
)
def assignment_application(request, pk: int):
    """The same content and attachments as the reviewer's page, only once the task is accepted."""
    assignment = _own(request, pk)
    require(can_see_application(request.user, assignment))
    application = assignment.application
    blind = bool(application.call.review_scheme.get("blind"))
    return {
        "id": application.pk,
        "title": application.title,
        "call": application.call.title,
        "organization": None if blind else application.organization.name,
        "fields": [
            {"label": str(label), "value": str(value)}
            for label, value in review_content(application=application, blind=blind)
        ],
        "files": [
            {
                "id": f.pk,
                "field": str(label),
                "name": f.name,
                "size": f.size,
                "url": reverse("reviews:application_file", args=[f.pk]),
            }
            for label, f in review_files(application=application)
        ],
    }


# --- expert pool (专家库) ----------------------------------------------------------------------------


class ExpertOut(Schema):
    id: int
    name: str
    username: str = Field(alias="user.username")
    organization_id: int | None
    organization_name: str | None
    region_code: str = Field(alias="region_id")
    title: str
    field_codes: list[str]
    keywords: str
    profile: str
    load_cap: int
    is_active: bool
    version: int

    @staticmethod
    def resolve_name(obj):
        return str(obj.user)

    @staticmethod
    def resolve_organization_name(obj):
        return obj.organization.name if obj.organization_id else None


class ExpertFilters(Schema):
    q: str | None = None
    field: str | None = None
    region: str | None = None
    is_active: bool | None = None


class ExpertIn(Schema):
    user_id: int | None = None
    organization: str | None = Field(None, description="单位全称或统一社会信用代码；空字符串表示无")
    region_code: str | None = None
    title: str | None = None
    field_codes: list[str] | None = None
    keywords: str | None = None
    profile: str | None = None
    load_cap: int | None = None
    is_active: bool | None = None
    version: int | None = None


class ConflictOut(Schema):
    id: int
    organization_id: int
    organization_name: str = Field(alias="organization.name")
    kind: str
    ended_on: date | None
    note: str


class ConflictIn(Schema):
    organization: str = Field(description="单位全称或统一社会信用代码")
    note: str = ""
    kind: str = ConflictKind.DECLARED
    ended_on: date | None = None


def _expert(request, pk: int) -> Expert:
    expert = get_object_or_404(Expert.objects.select_related("user", "organization"), pk=pk)
    require(can_view_expert(request.user, expert))
    return expert


def _organization(value: str):
    organization = organization_by_name_or_code(value)
    if organization is None:
        raise DomainError(_("单位库中没有该单位，请核对全称或统一社会信用代码。"), field="organization")
    return organization


def _expert_values(payload: ExpertIn) -> dict:
    values = payload.dict(exclude_unset=True)
    for key in ("user_id", "version"):
        values.pop(key, None)
    if "organization" in values:
        values["organization"] = _organization(values["organization"]) if values["organization"] else None
    if "region_code" in values:
        code = values.pop("region_code")
        region = Region.objects.filter(pk=code).first()
        if region is None:
            raise DomainError(_("区划代码 %(code)s 不存在。") % {"code": code}, field="region")
        values["region"] = region
    return values


@router.get("/experts", response=list[ExpertOut], summary="专家库（科技局）")
@paginate(PageNumberPagination, page_size=20)
def expert_list(request, filters: Query[ExpertFilters]):
    """Experts of the caller's region, filtered exactly like the pool page."""
    require(can_manage_experts(request.user))
    return filtered(ExpertFilter, filters, experts_visible_to(user=request.user), request)


@router.get("/experts/{pk}", response=ExpertOut, summary="专家信息")
def expert_detail(request, pk: int):
    return _expert(request, pk)


@router.post("/experts", response={201: ExpertOut}, summary="专家入库（科技局）")
def expert_create(request, payload: ExpertIn):
    require(can_manage_experts(request.user))
    user = User.objects.filter(pk=payload.user_id).first() if payload.user_id else None
    expert = expert_save(by=request.user, user=user, values=_expert_values(payload))
    return Status(201, Expert.objects.select_related("user", "organization").get(pk=expert.pk))


@router.patch("/experts/{pk}", response=ExpertOut, summary="修改专家信息")
def expert_update(request, pk: int, payload: ExpertIn):
    expert = _expert(request, pk)
    if payload.version is None:
        # Without the version read, a concurrent change would be overwritten unnoticed.
        raise DomainError(_("请提供所读取记录的版本号（version）。"), field="version")
    saved = expert_save(
        by=request.user, expert=expert, values=_expert_values(payload), expected_version=payload.version
    )
    return Expert.objects.select_related("user", "organization").get(pk=saved.pk)


@router.get("/experts/{pk}/conflicts", response=list[ConflictOut], summary="专家的回避单位")
def expert_conflicts(request, pk: int):
    return conflicts_of(expert=_expert(request, pk))


@router.post("/experts/{pk}/conflicts", response={201: ConflictOut}, summary="登记回避单位")
def expert_conflict_create(request, pk: int, payload: ConflictIn):
    conflict = expert_conflict_declare(
        expert=_expert(request, pk),
        by=request.user,
        organization=_organization(payload.organization),
        note=payload.note,
        kind=payload.kind,
        ended_on=payload.ended_on,
    )
    return Status(201, conflict)


@router.delete("/experts/conflicts/{pk}", response={204: None}, summary="撤销回避单位")
def expert_conflict_delete(request, pk: int):
    conflict = get_object_or_404(ExpertConflict.objects.select_related("expert"), pk=pk)
    require(can_view_expert(request.user, conflict.expert))
    expert_conflict_remove(conflict=conflict, by=request.user)
    return Status(204, None)
