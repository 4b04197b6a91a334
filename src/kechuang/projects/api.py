from datetime import date, datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from kechuang.core.permissions import require

from .enums import ApplicationState
from .models import Application, Call
from .permissions import can_apply, can_view_application
from .selectors import application_timeline, applications_visible_to, calls_published, eligibility_for
from .services import (
    application_formal_check,
    application_recommend,
    application_save,
    application_start,
    application_submit,
    application_withdraw,
    formal_check_results,
)

router = Router(tags=["projects"])


class CallOut(Schema):
    id: int
    title: str
    program: str
    year: int
    opens_at: datetime
    closes_at: datetime
    budget_cap: Decimal
    total_budget: Decimal
    eligibility: dict
    form_definition: list
    not_eligible_because: list[str] = []

    @staticmethod
    def resolve_program(obj):
        return obj.program.name


class ApplicationOut(Schema):
    id: int
    call_id: int
    organization_id: int
    organization_name: str
    title: str
    requested_amount: Decimal | None
    state: str
    state_label: str
    holder: str
    state_since: datetime
    due_at: datetime | None
    receipt_number: str | None
    submitted_at: datetime | None
    version: int

    @staticmethod
    def resolve_organization_name(obj):
        return obj.organization.name

    @staticmethod
    def resolve_state_label(obj):
        return obj.get_state_display()


class TransitionOut(Schema):
    at: datetime
    actor: str
    from_state: str
    to_state: str
    reason: str


class ApplicationDetailOut(ApplicationOut):
    form_definition: list
    data: dict
    correction_note: str
    timeline: list[TransitionOut]

    @staticmethod
    def resolve_timeline(obj):
        return [
            {
                "at": e.at,
                "actor": e.actor_name,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "reason": e.reason,
            }
            for e in application_timeline(obj)
        ]


class DraftIn(Schema):
    version: int
    data: dict


class DraftOut(Schema):
    application: ApplicationDetailOut
    errors: dict[str, list[str]]


class ReasonIn(Schema):
    reason: str = ""


class RecommendationIn(Schema):
    recommend: bool
    comment: str = ""


class FormalCheckIn(Schema):
    decision: str  # pass | return | reject
    reason: str = ""


class CheckResultOut(Schema):
    check: str
    ok: bool
    detail: str


def _application(request, pk) -> Application:
    application = get_object_or_404(
        Application.objects.select_related("call__program", "organization", "region"), pk=pk
    )
    require(can_view_application(request.user, application))
    return application


@router.get("/calls", response=list[CallOut], summary="开放的申报指南")
def call_list(request):
    """Published calls not yet closed; for an organization user, why it may not apply to each."""
    applying = can_apply(request.user)
    calls = list(calls_published())
    for call in calls:
        call.not_eligible_because = (
            eligibility_for(call=call, organization=request.user.organization) if applying else []
        )
    return calls


@router.post("/calls/{pk}/applications", response={201: ApplicationDetailOut}, summary="开始申报")
def application_start_api(request, pk: int):
    call = get_object_or_404(Call.objects.select_related("program"), pk=pk)
    return Status(201, application_start(call=call, by=request.user, at=request.received_at))


@router.get("/applications", response=list[ApplicationOut], summary="申报书列表")
def application_list(request, state: str | None = None):
    qs = applications_visible_to(user=request.user)
    if state in ApplicationState.values:
        qs = qs.filter(state=state)
    return qs.order_by("-state_since", "-id")[:200]


@router.get("/applications/{pk}", response=ApplicationDetailOut, summary="申报书详情")
def application_detail(request, pk: int):
    return _application(request, pk)


@router.patch("/applications/{pk}", response=DraftOut, summary="保存草稿")
def application_save_api(request, pk: int, payload: DraftIn):
    saved, errors = application_save(
        application=_application(request, pk),
        by=request.user,
        raw=payload.data,
        expected_version=payload.version,
        at=request.received_at,
    )
    return {"application": saved, "errors": errors}


@router.post("/applications/{pk}/submission", response=ApplicationDetailOut, summary="提交申报书")
def application_submit_api(request, pk: int):
    return application_submit(
        application=_application(request, pk), by=request.user, started_at=request.received_at
    )


@router.post("/applications/{pk}/withdrawal", response=ApplicationDetailOut, summary="撤回申报书")
def application_withdraw_api(request, pk: int, payload: ReasonIn):
    return application_withdraw(
        application=_application(request, pk), by=request.user, reason=payload.reason, at=request.received_at
    )


@router.post("/applications/{pk}/recommendation", response=ApplicationDetailOut, summary="属地推荐")
def application_recommend_api(request, pk: int, payload: RecommendationIn):
    return application_recommend(
        application=_application(request, pk),
        by=request.user,
        recommend=payload.recommend,
        comment=payload.comment,
    )


@router.get("/applications/{pk}/formal-check", response=list[CheckResultOut], summary="形式审查自动检查")
def formal_check_api(request, pk: int):
    from .permissions import bureau_may

    application = _application(request, pk)
    require(bureau_may(request.user, application))
    return formal_check_results(application)


@router.post("/applications/{pk}/formal-check", response=ApplicationDetailOut, summary="形式审查结论")
def formal_check_decide_api(request, pk: int, payload: FormalCheckIn):
    return application_formal_check(
        application=_application(request, pk),
        by=request.user,
        decision=payload.decision,
        reason=payload.reason,
    )


class ProjectOut(Schema):
    id: int
    code: str
    title: str
    organization_id: int
    approved_amount: Decimal
    state: str
    start_on: date | None
    end_on: date | None
    indicators: list
    milestones: list
    budget_lines: list
    tranches: list
    performance_grade: str
    paid: Decimal

    @staticmethod
    def resolve_paid(obj):
        return sum((d.amount for d in obj.disbursements.all()), Decimal("0"))


class DisbursementIn(Schema):
    amount: Decimal
    paid_on: date
    note: str = ""


def _project(request, pk):
    from .models import Project

    project = get_object_or_404(Project.objects.select_related("application__call__program"), pk=pk)
    require(can_view_application(request.user, project.application))
    return project


@router.get("/projects", response=list[ProjectOut], summary="立项项目")
def project_list(request):
    from .execution_views import projects_visible_to

    return projects_visible_to(request.user).prefetch_related("disbursements")[:200]


@router.get("/projects/{pk}", response=ProjectOut, summary="项目详情")
def project_detail(request, pk: int):
    return _project(request, pk)


@router.post("/projects/{pk}/disbursements", response={201: ProjectOut}, summary="记录经费拨付")
def project_pay(request, pk: int, payload: DisbursementIn):
    from .execution import disbursement_record

    project = _project(request, pk)
    disbursement_record(
        project=project, by=request.user, amount=payload.amount, paid_on=payload.paid_on, note=payload.note
    )
    return Status(201, _project(request, pk))
