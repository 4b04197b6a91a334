from datetime import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from kechuang.core.errors import PermissionDenied
from kechuang.projects.models import Call

from .models import ReviewAssignment
from .selectors import assignments_for_expert, other_reviews_visible
from .services import assignment_respond, review_draw, review_submit

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
    shortfalls: dict
    expected_fit: float
    realized_fit: float


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
