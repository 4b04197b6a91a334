from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from kechuang.core.api import filtered
from kechuang.core.errors import DomainError
from kechuang.core.permissions import require

from .filters import ApplicationFilter
from .models import Application, Call, Program
from .permissions import can_apply, can_view_application
from .selectors import (
    application_timeline,
    applications_listed,
    calls_published,
    eligibility_for,
)
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

    # The columns the list endpoint loads for these fields (keep in step with the fields above).
    FIELDS: ClassVar[tuple[str, ...]] = (
        "id",
        "call_id",
        "organization_id",
        "organization__name",
        "title",
        "requested_amount",
        "state",
        "holder",
        "state_since",
        "due_at",
        "receipt_number",
        "submitted_at",
        "version",
    )

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


# --- Programs and calls, for the bureau (the same services and permissions as the management pages) ---


class ProgramIn(Schema):
    name: str
    code: str
    department: str
    region: str  # region code, in the caller's region
    description: str = ""
    is_active: bool = True


class ProgramPatch(Schema):
    version: int  # the version read; a stale one is refused with 409
    name: str | None = None
    code: str | None = None
    department: str | None = None
    region: str | None = None
    description: str | None = None
    is_active: bool | None = None


class ProgramOut(Schema):
    id: int
    name: str
    code: str
    department: str
    region: str
    region_name: str
    description: str
    is_active: bool
    version: int

    @staticmethod
    def resolve_region(obj):
        return obj.region_id

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name


class EligibilityIn(Schema):
    organization_kinds: list[str] = ["enterprise", "institution"]
    region_codes: list[str] = []
    qualifications: list[str] = []
    require_clean_integrity: bool = True
    max_applications_per_organization: int = Field(1, ge=1)


class CallIn(Schema):
    """A call's settings; times without an offset are Asia/Shanghai. An empty form means the standard form."""

    program_id: int
    title: str
    year: int
    guide: str = ""
    opens_at: datetime
    closes_at: datetime
    is_published: bool = False
    budget_cap: Decimal
    total_budget: Decimal
    eligibility: EligibilityIn = EligibilityIn()
    form_definition: list = []
    review_scheme: dict | None = None
    stage_days: dict | None = None
    quotas: dict[str, int] = {}  # region code → recommendation quota


class CallPatch(Schema):
    """Only the fields sent change; `eligibility` and `quotas`, when sent, replace the whole value."""

    version: int
    program_id: int | None = None
    title: str | None = None
    year: int | None = None
    guide: str | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    is_published: bool | None = None
    budget_cap: Decimal | None = None
    total_budget: Decimal | None = None
    eligibility: EligibilityIn | None = None
    form_definition: list | None = None
    review_scheme: dict | None = None
    stage_days: dict | None = None
    quotas: dict[str, int] | None = None


class CallSettingsOut(Schema):
    id: int
    version: int
    program_id: int
    title: str
    year: int
    guide: str
    opens_at: datetime
    closes_at: datetime
    is_published: bool
    budget_cap: Decimal
    total_budget: Decimal
    eligibility: dict
    form_definition: list
    review_scheme: dict
    stage_days: dict
    quotas: dict[str, int]

    @staticmethod
    def resolve_quotas(obj):
        return {q.region_id: q.quota for q in obj.quotas.all()}


def _managed_program(request, pk):
    from .permissions import can_manage_programs

    program = get_object_or_404(Program.objects.select_related("region"), pk=pk)
    require(can_manage_programs(request.user, program.region_id))
    return program


def _managed_call(request, pk):
    from .permissions import can_manage_calls

    call = get_object_or_404(Call.objects.select_related("program"), pk=pk)
    require(can_manage_calls(request.user, call.program))
    return call


def _aware(moment: datetime) -> datetime:
    from django.utils import timezone

    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _call_values(fields: dict, call: Call | None) -> dict:
    """call_save's values from the API fields, completing a partial update from the call as it is."""
    from .models import default_review_scheme, default_stage_days

    values = {
        "title": call.title if call else None,
        "year": call.year if call else None,
        "guide": call.guide if call else "",
        "opens_at": call.opens_at if call else None,
        "closes_at": call.closes_at if call else None,
        "is_published": call.is_published if call else False,
        "budget_cap": call.budget_cap if call else None,
        "total_budget": call.total_budget if call else None,
        "eligibility": call.eligibility if call else EligibilityIn().dict(),
        "form_definition": call.form_definition if call else [],
        "review_scheme": call.review_scheme if call else default_review_scheme(),
        "stage_days": call.stage_days if call else default_stage_days(),
        "quotas": {q.region_id: q.quota for q in call.quotas.all()} if call else {},
    }
    program_id = fields.pop("program_id", None) or (call.program_id if call else None)
    values.update({name: value for name, value in fields.items() if value is not None})
    values["program"] = get_object_or_404(Program, pk=program_id)
    for name in ("opens_at", "closes_at"):
        values[name] = _aware(values[name])
    return values


@router.get("/programs", response=list[ProgramOut], summary="计划类别列表")
def program_list(request):
    """The programs the caller's bureau manages, active or not."""
    from .permissions import can_manage_programs
    from .selectors import programs_managed_by

    require(can_manage_programs(request.user))
    return programs_managed_by(user=request.user)


@router.post("/programs", response={201: ProgramOut}, summary="新建计划类别")
def program_create(request, payload: ProgramIn):
    from .services import program_save

    return Status(201, program_save(by=request.user, values=payload.dict()))


@router.get("/programs/{pk}", response=ProgramOut, summary="计划类别详情")
def program_detail(request, pk: int):
    return _managed_program(request, pk)


@router.patch("/programs/{pk}", response=ProgramOut, summary="修改计划类别")
def program_update(request, pk: int, payload: ProgramPatch):
    from .services import program_save

    fields = payload.dict(exclude_unset=True)
    version = fields.pop("version")
    return program_save(
        by=request.user,
        values={name: value for name, value in fields.items() if value is not None},
        program=_managed_program(request, pk),
        expected_version=version,
    )


@router.post("/calls", response={201: CallSettingsOut}, summary="新建申报指南")
def call_create(request, payload: CallIn):
    from .services import call_save

    return Status(201, call_save(by=request.user, values=_call_values(payload.dict(), None)))


@router.get("/calls/{pk}/settings", response=CallSettingsOut, summary="申报指南设置")
def call_settings(request, pk: int):
    return _managed_call(request, pk)


@router.patch("/calls/{pk}", response=CallSettingsOut, summary="修改申报指南")
def call_update(request, pk: int, payload: CallPatch):
    from .services import call_save

    call = _managed_call(request, pk)
    fields = payload.dict(exclude_unset=True)
    version = fields.pop("version")
    return call_save(by=request.user, values=_call_values(fields, call), call=call, expected_version=version)


# --- Applications ---


@router.post("/calls/{pk}/applications", response={201: ApplicationDetailOut}, summary="开始申报")
def application_start_api(request, pk: int):
    call = get_object_or_404(Call.objects.select_related("program"), pk=pk)
    return Status(201, application_start(call=call, by=request.user, at=request.received_at))


class ApplicationFilters(Schema):
    q: str | None = None
    state: str | None = None
    call: int | None = None
    overdue: bool | None = None


@router.get("/applications", response=list[ApplicationOut], summary="申报书列表")
@paginate(PageNumberPagination, page_size=20)
def application_list(request, filters: Query[ApplicationFilters]):
    """Applications the caller may see, filtered exactly like the list page."""
    rows = filtered(ApplicationFilter, filters, applications_listed(user=request.user), request)
    # A list row needs the organization's name and nothing of the call, program or region.
    return rows.select_related(None).select_related("organization").only(*ApplicationOut.FIELDS)


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
    return formal_check_results(application, viewer=request.user)


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
    state_label: str
    state_since: datetime
    due_at: datetime | None
    start_on: date | None
    end_on: date | None
    indicators: list
    milestones: list
    budget_lines: list
    tranches: list
    performance_grade: str
    paid: Decimal
    version: int

    @staticmethod
    def resolve_state_label(obj):
        return obj.get_state_display()

    @staticmethod
    def resolve_paid(obj):
        return sum((d.amount for d in obj.disbursements.all()), Decimal("0"))


class MidtermOut(Schema):
    id: int
    progress: str
    spending: Decimal
    created_at: datetime
    satisfactory: bool | None
    assessment: str


class ChangeOut(Schema):
    id: int
    kind: str
    reason: str
    new_end_on: date | None
    new_budget_lines: list
    team_change: str
    created_at: datetime
    approved: bool | None
    decision_note: str


class ProjectDetailOut(ProjectOut):
    goals: str
    signed_at: datetime | None
    acceptance_summary: str
    acceptance_panel: dict
    acceptance_note: str
    midterm_reports: list[MidtermOut]
    change_requests: list[ChangeOut]

    @staticmethod
    def resolve_midterm_reports(obj):
        return list(obj.midterm_reports.all())

    @staticmethod
    def resolve_change_requests(obj):
        return list(obj.change_requests.all())


class DisbursementIn(Schema):
    amount: Decimal
    paid_on: date
    note: str = ""


class AgreementIn(Schema):
    """The agreement fields to change; the ones left out keep their value."""

    version: int
    goals: str | None = None
    indicators: list[dict] | None = None
    milestones: list[dict] | None = None
    budget_lines: list[dict] | None = None
    tranches: list[dict] | None = None
    start_on: date | None = None
    end_on: date | None = None


class AgreementDecisionIn(Schema):
    decision: str  # sign | return
    reason: str = ""


class MidtermIn(Schema):
    progress: str
    spending: Decimal


class MidtermAssessIn(Schema):
    satisfactory: bool
    assessment: str


class ChangeIn(Schema):
    kind: str  # extension | budget | team
    reason: str
    new_end_on: date | None = None
    new_budget_lines: list[dict] | None = None
    team_change: str = ""


class ApproveIn(Schema):
    approve: bool
    note: str = ""


class AcceptanceIn(Schema):
    summary: str


class AcceptanceDecisionIn(Schema):
    result: str  # pass | conditional | fail
    grade: str  # excellent | good | pass | fail
    note: str = ""


class ProjectFilters(Schema):
    state: str | None = None
    overdue: bool | None = None


def _project(request, pk):
    from .models import Project

    project = get_object_or_404(
        Project.objects.select_related("application__call__program", "call", "organization"), pk=pk
    )
    require(can_view_application(request.user, project.application))
    return project


@router.get("/projects", response=list[ProjectOut], summary="立项项目")
@paginate(PageNumberPagination, page_size=20)
def project_list(request, filters: Query[ProjectFilters]):
    """Projects the caller may see; overdue=true keeps those past the time limit of their stage."""
    from .enums import ProjectState
    from .selectors import projects_overdue, projects_visible_to

    qs = (
        projects_overdue(user=request.user, at=request.received_at)
        if filters.overdue
        else projects_visible_to(user=request.user)
    )
    if filters.state in ProjectState.values:
        qs = qs.filter(state=filters.state)
    return qs.prefetch_related("disbursements").order_by("-id")


@router.get("/projects/{pk}", response=ProjectDetailOut, summary="项目详情")
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


@router.patch("/projects/{pk}/agreement", response=ProjectDetailOut, summary="保存任务书")
def agreement_save_api(request, pk: int, payload: AgreementIn):
    from .execution import agreement_save

    values = payload.dict(exclude_unset=True)
    version = values.pop("version")
    agreement_save(project=_project(request, pk), by=request.user, values=values, expected_version=version)
    return _project(request, pk)


@router.post("/projects/{pk}/agreement/submission", response=ProjectDetailOut, summary="提交任务书")
def agreement_submit_api(request, pk: int):
    from .enums import ProjectAction
    from .execution import agreement_transition

    agreement_transition(
        project=_project(request, pk), by=request.user, action=ProjectAction.SUBMIT_AGREEMENT
    )
    return _project(request, pk)


@router.post("/projects/{pk}/agreement/decision", response=ProjectDetailOut, summary="签订或退回任务书")
def agreement_decide_api(request, pk: int, payload: AgreementDecisionIn):
    from .enums import ProjectAction
    from .execution import agreement_transition

    actions = {"sign": ProjectAction.SIGN, "return": ProjectAction.RETURN_AGREEMENT}
    if payload.decision not in actions:
        raise DomainError(_("请选择签订或退回。"), field="decision")
    agreement_transition(
        project=_project(request, pk),
        by=request.user,
        action=actions[payload.decision],
        reason=payload.reason,
    )
    return _project(request, pk)


@router.post("/projects/{pk}/midterm-reports", response={201: MidtermOut}, summary="提交中期报告")
def midterm_submit_api(request, pk: int, payload: MidtermIn):
    from .execution import midterm_submit

    report = midterm_submit(
        project=_project(request, pk), by=request.user, progress=payload.progress, spending=payload.spending
    )
    return Status(201, report)


@router.post(
    "/projects/{pk}/midterm-reports/{report_id}/assessment", response=MidtermOut, summary="中期检查意见"
)
def midterm_assess_api(request, pk: int, report_id: int, payload: MidtermAssessIn):
    from .execution import midterm_assess
    from .models import MidtermReport

    project = _project(request, pk)
    report = get_object_or_404(MidtermReport, pk=report_id, project=project)
    return midterm_assess(
        report=report, by=request.user, satisfactory=payload.satisfactory, assessment=payload.assessment
    )


@router.post("/projects/{pk}/change-requests", response={201: ChangeOut}, summary="提交变更申请")
def change_request_submit_api(request, pk: int, payload: ChangeIn):
    from .execution import change_request_submit

    change = change_request_submit(
        project=_project(request, pk),
        by=request.user,
        kind=payload.kind,
        reason=payload.reason,
        new_end_on=payload.new_end_on,
        new_budget_lines=payload.new_budget_lines,
        team_change=payload.team_change,
    )
    return Status(201, change)


@router.post(
    "/projects/{pk}/change-requests/{change_id}/decision", response=ChangeOut, summary="审批变更申请"
)
def change_request_decide_api(request, pk: int, change_id: int, payload: ApproveIn):
    from .execution import change_request_decide
    from .models import ChangeRequest

    project = _project(request, pk)
    change = get_object_or_404(ChangeRequest, pk=change_id, project=project)
    return change_request_decide(change=change, by=request.user, approve=payload.approve, note=payload.note)


@router.post("/projects/{pk}/acceptance", response=ProjectDetailOut, summary="申请结题验收")
def acceptance_apply_api(request, pk: int, payload: AcceptanceIn):
    from .execution import acceptance_apply

    acceptance_apply(project=_project(request, pk), by=request.user, summary=payload.summary)
    return _project(request, pk)


@router.post("/projects/{pk}/acceptance/decision", response=ProjectDetailOut, summary="验收结论与绩效评价")
def acceptance_decide_api(request, pk: int, payload: AcceptanceDecisionIn):
    from .execution import acceptance_decide

    acceptance_decide(
        project=_project(request, pk),
        by=request.user,
        result=payload.result,
        note=payload.note,
        grade=payload.grade,
    )
    return _project(request, pk)


class WithdrawalRequestOut(Schema):
    id: int
    application_id: int
    reason: str
    requested_by: str
    created_at: datetime
    approved: bool | None
    decision_note: str
    decided_by: str | None
    decided_at: datetime | None

    @staticmethod
    def resolve_requested_by(obj):
        return obj.requested_by.get_username()

    @staticmethod
    def resolve_decided_by(obj):
        return obj.decided_by.get_username() if obj.decided_by_id else None


class WithdrawalRequestIn(Schema):
    reason: str


@router.get(
    "/applications/{pk}/withdrawal-requests", response=list[WithdrawalRequestOut], summary="撤回申请记录"
)
def withdrawal_request_list_api(request, pk: int):
    from .selectors import withdrawal_requests_of

    return list(withdrawal_requests_of(_application(request, pk)))


@router.post(
    "/applications/{pk}/withdrawal-requests", response={201: WithdrawalRequestOut}, summary="提出撤回申请"
)
def withdrawal_request_submit_api(request, pk: int, payload: WithdrawalRequestIn):
    from .services import withdrawal_request_submit

    withdrawal = withdrawal_request_submit(
        application=_application(request, pk), by=request.user, reason=payload.reason, at=request.received_at
    )
    return Status(201, withdrawal)


@router.post("/withdrawal-requests/{pk}/decision", response=WithdrawalRequestOut, summary="审批撤回申请")
def withdrawal_request_decide_api(request, pk: int, payload: ApproveIn):
    from .models import WithdrawalRequest
    from .services import withdrawal_request_decide

    withdrawal = get_object_or_404(WithdrawalRequest, pk=pk)
    _application(request, withdrawal.application_id)
    return withdrawal_request_decide(
        withdrawal=withdrawal, by=request.user, approve=payload.approve, note=payload.note
    )


class IntegrityRecordIn(Schema):
    organization_id: int
    reason: str
    days: int | None = None  # default: KECHUANG_INTEGRITY_BLOCK_DAYS
    project_id: int | None = None


class IntegrityRecordOut(Schema):
    id: int
    organization_id: int
    kind: str
    reason: str
    starts_on: date
    ends_on: date
    project_id: int | None


@router.post("/integrity-records", response={201: IntegrityRecordOut}, summary="记录科研失信")
def integrity_record_create_api(request, payload: IntegrityRecordIn):
    from kechuang.organizations.models import Organization

    from .execution import integrity_record_create
    from .models import Project

    organization = get_object_or_404(Organization, pk=payload.organization_id)
    project = get_object_or_404(Project, pk=payload.project_id) if payload.project_id else None
    record = integrity_record_create(
        organization=organization,
        by=request.user,
        reason=payload.reason,
        days=payload.days,
        project=project,
        at=request.received_at,
    )
    return Status(201, record)
