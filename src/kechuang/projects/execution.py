"""Approved projects: the agreement (任务书), its .docx, and disbursements never above the approved amount."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from io import BytesIO

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.core.audit import acting
from kechuang.core.errors import DomainError
from kechuang.core.money import yuan
from kechuang.core.permissions import require

from .enums import IntegrityKind, ProjectAction, ProjectState
from .models import Application, Disbursement, IntegrityRecord, Project
from .permissions import bureau_may, can_record_misconduct
from .workflow import ACCEPTANCE_APPLICATION_DAYS, PROJECT_STAGE_DAYS, PROJECT_WORKFLOW


def _date(value):
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _in_progress_due(project: Project):
    """实施中 lasts until the agreement's end date, then ACCEPTANCE_APPLICATION_DAYS to apply for acceptance."""
    if not project.end_on:
        return None
    last_day = project.end_on + timedelta(days=ACCEPTANCE_APPLICATION_DAYS)
    return timezone.make_aware(datetime.combine(last_day, time(23, 59, 59)))


def _enter_stage(project: Project, call, now) -> None:
    """Set the time limit of the stage the project is entering (the call's stage_days, else the default)."""
    if project.state == ProjectState.IN_PROGRESS:
        project.due_at = _in_progress_due(project)
        return
    days = (call.stage_days or {}).get(project.state) or PROJECT_STAGE_DAYS.get(project.state)
    project.due_at = now + timedelta(days=int(days)) if days else None


def project_transition(
    *, project: Project, by, action: str, reason: str = "", check=None, change=None
) -> Project:
    """Take a PROJECT_WORKFLOW action; the time limit of the new stage follows."""
    now = timezone.now()

    def change_and_enter(locked):
        if change is not None:
            change(locked)
        _enter_stage(locked, project.call, now)

    return PROJECT_WORKFLOW.apply(
        instance=project, action=action, by=by, reason=reason, check=check, change=change_and_enter
    )


def project_create_for(application: Application) -> Project:
    """Open the project of an approved application, its agreement prefilled from the application."""
    data = application.data
    code = f"{application.call.year}-{application.call.program.code[:10].upper()}-{application.pk:05d}"
    try:
        with transaction.atomic():
            return Project.objects.create(
                application=application,
                call=application.call,
                organization=application.organization,
                region=application.region,
                code=code,
                title=application.title,
                approved_amount=application.proposed_amount,
                start_on=_date(data.get("start")),
                end_on=_date(data.get("end")),
                goals=data.get("summary", ""),
                budget_lines=[
                    {"item": r.get("item", ""), "amount": r.get("amount", "")} for r in data.get("budget", [])
                ],
                tranches=[{"condition": _("任务书签订后拨付"), "amount": yuan(application.proposed_amount)}],
                due_at=timezone.now()
                + timedelta(
                    days=int(
                        (application.call.stage_days or {}).get(ProjectState.AGREEMENT)
                        or PROJECT_STAGE_DAYS[ProjectState.AGREEMENT]
                    )
                ),
            )
    except IntegrityError:
        return Project.objects.get(application=application)  # already opened: approving twice changes nothing


def _money_rows(rows, key: str, label: str) -> Decimal:
    total = Decimal("0")
    for number, row in enumerate(rows, 1):
        try:
            value = Decimal(str(row.get(key, "")).replace(",", ""))
        except InvalidOperation:
            raise DomainError(
                _("%(label)s第 %(n)d 行金额应为数字。") % {"label": label, "n": number}
            ) from None
        if value < 0:
            raise DomainError(_("%(label)s第 %(n)d 行金额不能为负。") % {"label": label, "n": number})
        total += value
    return total


def agreement_problems(project: Project) -> list[str]:
    """What stops the agreement from being submitted: budget and tranches must add up to the approved amount."""
    problems = []
    if not project.goals.strip():
        problems.append(_("请填写项目目标。"))
    if not project.indicators:
        problems.append(_("请填写至少一项考核指标。"))
    if not project.milestones:
        problems.append(_("请填写进度安排。"))
    for rows, label in ((project.budget_lines, _("经费预算")), (project.tranches, _("拨款计划"))):
        total = _money_rows(rows, "amount", label)
        if total != project.approved_amount:
            problems.append(
                _("%(label)s合计 %(total)s 元，应等于资助金额 %(amount)s 元。")
                % {"label": label, "total": yuan(total), "amount": yuan(project.approved_amount)}
            )
    if project.start_on and project.end_on and project.end_on <= project.start_on:
        problems.append(_("结束日期须晚于开始日期。"))
    return problems


AGREEMENT_FIELDS = ("goals", "indicators", "milestones", "budget_lines", "tranches", "start_on", "end_on")


@acting
@transaction.atomic
def agreement_save(*, project: Project, by, values: dict, expected_version: int | None) -> Project:
    """The organization edits its agreement while it is being drafted."""
    from .permissions import applicant_may

    locked = Project.objects.select_for_update().select_related("application").get(pk=project.pk)
    require(applicant_may(by, locked.application))
    if locked.state != ProjectState.AGREEMENT:
        raise DomainError(_("任务书已提交，不能修改。"))
    locked.check_version(expected_version)
    for name, value in values.items():
        if name not in AGREEMENT_FIELDS:
            raise DomainError(_("不允许修改字段：%(field)s") % {"field": name})
        setattr(locked, name, value)
    locked.bump_version()
    locked.save()
    return locked


@acting
def agreement_transition(*, project: Project, by, action: str, reason: str = "") -> Project:
    def check(locked):
        if action == ProjectAction.SUBMIT_AGREEMENT:
            problems = agreement_problems(locked)
            if problems:
                raise DomainError(problems[0])

    def change(locked):
        if action == ProjectAction.SIGN:
            locked.signed_at = timezone.now()

    return project_transition(
        project=project, by=by, action=action, reason=reason, check=check, change=change
    )


@acting
@transaction.atomic
def disbursement_record(*, project: Project, by, amount: Decimal, paid_on, note: str = "") -> Disbursement:
    """Record a payment; the total paid never exceeds the approved amount, also when two are recorded at once."""
    locked = (
        Project.objects.select_for_update().select_related("application__call__program").get(pk=project.pk)
    )
    require(bureau_may(by, locked.application))
    if locked.state != ProjectState.IN_PROGRESS:
        raise DomainError(_("任务书签订后才能拨付经费。"))
    if amount <= 0:
        raise DomainError(_("拨付金额应大于 0。"))
    paid = locked.disbursements.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    if paid + amount > locked.approved_amount:
        raise DomainError(
            _("累计拨付将达 %(total)s 元，超过资助金额 %(amount)s 元（已拨 %(paid)s 元）。")
            % {"total": yuan(paid + amount), "amount": yuan(locked.approved_amount), "paid": yuan(paid)}
        )
    return Disbursement.objects.create(
        project=locked, amount=amount, paid_on=paid_on, note=note[:200], recorded_by=by
    )


def agreement_docx(project: Project) -> bytes:
    """The agreement as a Word document (opens in LibreOffice and Word)."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Noto Serif CJK SC"
    style.font.size = Pt(11)
    doc.add_heading(_("科技计划项目任务书"), level=0)
    facts = [
        (_("项目编号"), project.code),
        (_("项目名称"), project.title),
        (_("承担单位"), project.organization.name),
        (_("统一社会信用代码"), project.organization.credit_code),
        (_("计划类别"), project.call.program.name),
        (_("资助金额（元）"), yuan(project.approved_amount)),
        (_("起止日期"), f"{project.start_on or ''} — {project.end_on or ''}"),
    ]
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in facts:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = str(label), str(value)
    doc.add_heading(_("项目目标"), level=1)
    doc.add_paragraph(project.goals)
    for heading, rows, columns in (
        (_("考核指标"), project.indicators, (("name", _("指标")), ("target", _("目标值")))),
        (_("进度安排"), project.milestones, (("due", _("完成时间")), ("content", _("内容")))),
        (_("经费预算"), project.budget_lines, (("item", _("预算科目")), ("amount", _("金额（元）")))),
        (_("拨款计划"), project.tranches, (("condition", _("拨付条件")), ("amount", _("金额（元）")))),
    ):
        doc.add_heading(heading, level=1)
        grid = doc.add_table(rows=1, cols=len(columns))
        grid.style = "Table Grid"
        for cell, (_key, label) in zip(grid.rows[0].cells, columns, strict=True):
            cell.text = str(label)
        for row in rows:
            cells = grid.add_row().cells
            for cell, (key, _label) in zip(cells, columns, strict=True):
                cell.text = str(row.get(key, ""))
    doc.add_paragraph("")
    doc.add_paragraph(_("甲方（科技局）：________________    乙方（承担单位）：________________"))
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _locked_project(project: Project) -> Project:
    return Project.objects.select_for_update().select_related("application__call__program").get(pk=project.pk)


@acting
@transaction.atomic
def midterm_submit(*, project: Project, by, progress: str, spending: Decimal):
    """The organization reports progress and spending at the midterm check."""
    from .models import MidtermReport
    from .permissions import applicant_may

    locked = _locked_project(project)
    require(applicant_may(by, locked.application))
    if locked.state != ProjectState.IN_PROGRESS:
        raise DomainError(_("项目实施期间才能提交中期报告。"))
    if not progress.strip():
        raise DomainError(_("请填写进展情况。"), field="progress")
    if spending < 0 or spending > locked.approved_amount:
        raise DomainError(
            _("已使用经费应在 0 到资助金额 %(a)s 元之间。") % {"a": yuan(locked.approved_amount)}
        )
    return MidtermReport.objects.create(
        project=locked, progress=progress.strip(), spending=spending, submitted_by=by
    )


@acting
@transaction.atomic
def midterm_assess(*, report, by, satisfactory: bool, assessment: str):
    from .models import MidtermReport

    locked = (
        MidtermReport.objects.select_for_update()
        .select_related("project__application__call__program")
        .get(pk=report.pk)
    )
    require(bureau_may(by, locked.project.application))
    if locked.satisfactory is not None:
        raise DomainError(_("该中期报告已检查。"))
    if not assessment.strip():
        raise DomainError(_("请填写检查意见。"), field="assessment")
    locked.satisfactory, locked.assessment, locked.assessed_by = satisfactory, assessment.strip(), by
    locked.bump_version()
    locked.save()
    return locked


@acting
@transaction.atomic
def change_request_submit(
    *,
    project: Project,
    by,
    kind: str,
    reason: str,
    new_end_on=None,
    new_budget_lines=None,
    team_change: str = "",
):
    """The organization asks for an extension, a budget reallocation or a team change."""
    from .enums import ChangeKind
    from .models import ChangeRequest
    from .permissions import applicant_may

    locked = _locked_project(project)
    require(applicant_may(by, locked.application))
    if locked.state != ProjectState.IN_PROGRESS:
        raise DomainError(_("项目实施期间才能申请变更。"))
    if not reason.strip():
        raise DomainError(_("请填写变更理由。"), field="reason")
    if locked.change_requests.filter(approved__isnull=True).exists():
        raise DomainError(_("已有待审批的变更申请。"))
    if kind == ChangeKind.EXTENSION:
        if new_end_on is None or (locked.end_on and new_end_on <= locked.end_on):
            raise DomainError(_("延期后的结束日期须晚于原结束日期。"), field="new_end_on")
    elif kind == ChangeKind.BUDGET:
        total = _money_rows(new_budget_lines or [], "amount", _("调整后预算"))
        if total != locked.approved_amount:
            raise DomainError(
                _("调整后预算合计 %(t)s 元，应等于资助金额 %(a)s 元。")
                % {"t": yuan(total), "a": yuan(locked.approved_amount)}
            )
    elif kind == ChangeKind.TEAM:
        if not team_change.strip():
            raise DomainError(_("请填写团队变更内容。"), field="team_change")
    else:
        raise DomainError(_("变更类型无效。"))
    return ChangeRequest.objects.create(
        project=locked,
        kind=kind,
        reason=reason.strip(),
        new_end_on=new_end_on,
        new_budget_lines=new_budget_lines or [],
        team_change=team_change.strip(),
        requested_by=by,
    )


@acting
@transaction.atomic
def change_request_decide(*, change, by, approve: bool, note: str):
    """The bureau approves (and the change is applied to the project) or refuses, with its note."""
    from .enums import ChangeKind
    from .models import ChangeRequest

    locked = ChangeRequest.objects.select_for_update().get(pk=change.pk)
    project = _locked_project(locked.project)
    require(bureau_may(by, project.application))
    if locked.approved is not None:
        raise DomainError(_("该变更申请已审批。"))
    if not note.strip():
        raise DomainError(_("请填写审批意见。"), field="note")
    locked.approved, locked.decision_note, locked.decided_by = approve, note.strip(), by
    locked.bump_version()
    locked.save()
    if approve:
        if locked.kind == ChangeKind.EXTENSION:
            project.end_on = locked.new_end_on
            if project.state == ProjectState.IN_PROGRESS:
                project.due_at = _in_progress_due(project)  # an extension moves the time limit too
        elif locked.kind == ChangeKind.BUDGET:
            project.budget_lines = locked.new_budget_lines
        project.bump_version()
        project.save()
    return locked


@acting
def acceptance_apply(*, project: Project, by, summary: str):
    if not summary.strip():
        raise DomainError(_("请填写结题总结。"), field="summary")
    return project_transition(
        project=project,
        by=by,
        action=ProjectAction.APPLY_ACCEPTANCE,
        change=lambda p: setattr(p, "acceptance_summary", summary.strip()),
    )


@acting
def acceptance_decide(*, project: Project, by, result: str, note: str, grade: str):
    """Record the acceptance result and the performance grade; a failed project blocks its organization."""
    from django.conf import settings

    from .enums import PerformanceGrade

    actions = {
        "pass": ProjectAction.PASS,
        "conditional": ProjectAction.PASS_CONDITIONALLY,
        "fail": ProjectAction.FAIL,
    }
    if result not in actions:
        raise DomainError(_("请选择验收结论。"), field="result")
    if grade not in PerformanceGrade.values:
        raise DomainError(_("请选择绩效评价等级。"), field="grade")

    def check(locked):
        if not locked.acceptance_panel.get("experts"):
            raise DomainError(_("请先抽取验收专家组。"))

    def change(locked):
        locked.acceptance_note, locked.performance_grade = note.strip(), grade
        if result == "fail":
            today = timezone.localdate()
            IntegrityRecord.objects.create(
                organization_id=locked.organization_id,
                starts_on=today,
                ends_on=today + timedelta(days=settings.KECHUANG_INTEGRITY_BLOCK_DAYS - 1),  # today counts
                reason=_("项目 %(code)s 验收不通过：%(note)s") % {"code": locked.code, "note": note.strip()},
                kind=IntegrityKind.FAILED_ACCEPTANCE,
                project=locked,
                recorded_by=by,
            )

    return project_transition(
        project=project, by=by, action=actions[result], reason=note, check=check, change=change
    )


@acting
@transaction.atomic
def integrity_record_create(
    *, organization, by, reason: str, days: int | None = None, project: Project | None = None, at=None
) -> IntegrityRecord:
    """Record misconduct (科研失信): the organization may not apply for `days` days (default: the setting)."""
    from django.conf import settings

    require(can_record_misconduct(by, organization))
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请填写失信事由。"), field="reason")
    days = settings.KECHUANG_INTEGRITY_BLOCK_DAYS if days is None else days
    if not 1 <= days <= 3650:
        raise DomainError(_("限制申报期限应为 1—3650 天。"), field="days")
    if project is not None and project.organization_id != organization.pk:
        raise DomainError(_("所选项目不是该单位承担的项目。"), field="project")
    today = timezone.localdate(at or timezone.now())
    return IntegrityRecord.objects.create(
        organization=organization,
        kind=IntegrityKind.MISCONDUCT,
        reason=reason[:2000],
        starts_on=today,
        ends_on=today + timedelta(days=days - 1),  # blocked `days` days, today the first
        project=project,
        recorded_by=by,
    )
