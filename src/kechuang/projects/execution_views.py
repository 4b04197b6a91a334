"""Pages of approved projects: agreement, its .docx, disbursements."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kechuang.core.errors import DomainError
from kechuang.core.views import paginate, render_denied

from . import execution, selectors
from .enums import ChangeKind, PerformanceGrade, ProjectAction, ProjectState
from .forms import raw_from_post
from .models import Project
from .permissions import applicant_may, bureau_may, can_record_misconduct, can_view_application

AGREEMENT_TABLES = [
    {
        "key": "indicators",
        "label": gettext_lazy("考核指标"),
        "type": "table",
        "columns": [
            {"key": "name", "label": gettext_lazy("指标")},
            {"key": "target", "label": gettext_lazy("目标值")},
        ],
    },
    {
        "key": "milestones",
        "label": gettext_lazy("进度安排"),
        "type": "table",
        "columns": [
            {"key": "due", "label": gettext_lazy("完成时间")},
            {"key": "content", "label": gettext_lazy("内容")},
        ],
    },
    {
        "key": "budget_lines",
        "label": gettext_lazy("经费预算"),
        "type": "table",
        "columns": [
            {"key": "item", "label": gettext_lazy("预算科目")},
            {"key": "amount", "label": gettext_lazy("金额（元）")},
        ],
    },
    {
        "key": "tranches",
        "label": gettext_lazy("拨款计划"),
        "type": "table",
        "columns": [
            {"key": "condition", "label": gettext_lazy("拨付条件")},
            {"key": "amount", "label": gettext_lazy("金额（元）")},
        ],
    },
]


def projects_visible_to(user):
    return selectors.projects_visible_to(user=user)


@login_required
def project_list(request):
    """立项项目; ?overdue=1 keeps those whose agreement, its review or the acceptance decision is overdue."""
    overdue = bool(request.GET.get("overdue"))
    qs = (
        selectors.projects_overdue(user=request.user, at=request.received_at)
        if overdue
        else selectors.projects_visible_to(user=request.user)
    )
    page = paginate(request, qs.order_by("-id"))
    return render(
        request,
        "projects/project_list.html",
        {"page": page, "overdue": overdue, "now": timezone.now()},
    )


def _project(request, pk):
    project = get_object_or_404(
        Project.objects.select_related("application__call__program", "organization"), pk=pk
    )
    decision = can_view_application(request.user, project.application)
    return project, (None if decision else render_denied(request, decision.reason))


def _tables(project):
    tables = []
    for spec in AGREEMENT_TABLES:
        rows = list(getattr(project, spec["key"]) or []) + [{}]
        tables.append(
            {
                "spec": spec,
                "rows": [
                    (i, [(c, row.get(c["key"], "")) for c in spec["columns"]]) for i, row in enumerate(rows)
                ],
            }
        )
    return tables


@login_required
def project_detail(request, pk):
    project, denied = _project(request, pk)
    if denied:
        return denied
    editable = project.state == ProjectState.AGREEMENT and bool(
        applicant_may(request.user, project.application)
    )
    if request.method == "POST" and editable:
        raw = raw_from_post(AGREEMENT_TABLES, request.POST)
        values = {
            key: [r for r in raw.get(key, []) if any(str(v).strip() for v in r.values())]
            for key in ("indicators", "milestones", "budget_lines", "tranches")
        }
        values["goals"] = request.POST.get("goals", "")
        try:
            for name in ("start_on", "end_on"):
                values[name] = date.fromisoformat(request.POST[name]) if request.POST.get(name) else None
            project = execution.agreement_save(
                project=project,
                by=request.user,
                values=values,
                expected_version=int(request.POST.get("version") or 0) or None,
            )
            if request.POST.get("then") == "submit":
                project = execution.agreement_transition(
                    project=project, by=request.user, action=ProjectAction.SUBMIT_AGREEMENT
                )
                messages.success(request, _("任务书已提交，待科技局审核。"))
            else:
                messages.success(request, _("任务书已保存。"))
            return redirect("projects:project", pk=pk)
        except (DomainError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", _("日期格式不正确。")))
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "editable": editable,
            "tables": _tables(project),
            "problems": execution.agreement_problems(project) if editable else [],
            "can_decide": project.state == ProjectState.AGREEMENT_REVIEW
            and bool(bureau_may(request.user, project.application)),
            "can_pay": project.state == ProjectState.IN_PROGRESS
            and bool(bureau_may(request.user, project.application)),
            "disbursements": project.disbursements.all(),
            "is_applicant": bool(applicant_may(request.user, project.application)),
            "is_bureau": bool(bureau_may(request.user, project.application)),
            "midterms": project.midterm_reports.all(),
            "changes": project.change_requests.all(),
            "change_kinds": ChangeKind.choices,
            "grades": PerformanceGrade.choices,
            "can_record_misconduct": bool(can_record_misconduct(request.user, project.organization)),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def project_decide(request, pk):
    project, denied = _project(request, pk)
    if denied:
        return denied
    action = ProjectAction.SIGN if request.POST.get("decision") == "sign" else ProjectAction.RETURN_AGREEMENT
    try:
        execution.agreement_transition(
            project=project, by=request.user, action=action, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("已处理。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("projects:project", pk=pk)


@login_required
@require_POST
def project_pay(request, pk):
    project, denied = _project(request, pk)
    if denied:
        return denied
    try:
        amount = Decimal(request.POST.get("amount", "").replace(",", ""))
        paid_on = date.fromisoformat(request.POST.get("paid_on", ""))
        execution.disbursement_record(
            project=project,
            by=request.user,
            amount=amount,
            paid_on=paid_on,
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("已记录拨付。"))
    except (InvalidOperation, ValueError):
        messages.error(request, _("请填写正确的金额和日期。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("projects:project", pk=pk)


@login_required
def project_docx(request, pk):
    project, denied = _project(request, pk)
    if denied:
        return denied
    response = HttpResponse(
        execution.agreement_docx(project),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{escape_uri_path(project.code + '-任务书.docx')}"
    )
    return response


def _op(request, project, op):
    """Run one project operation posted from the project page; returns the success message."""
    from kechuang.reviews.services import acceptance_panel_draw

    from .models import ChangeRequest, MidtermReport

    post = request.POST
    user = request.user
    if op == "midterm":
        execution.midterm_submit(
            project=project,
            by=user,
            progress=post.get("progress", ""),
            spending=Decimal(post.get("spending") or "0"),
        )
        return _("中期报告已提交。")
    if op == "midterm_assess":
        report = get_object_or_404(MidtermReport, pk=post.get("report"), project=project)
        execution.midterm_assess(
            report=report,
            by=user,
            satisfactory=post.get("satisfactory") == "1",
            assessment=post.get("assessment", ""),
        )
        return _("中期检查意见已保存。")
    if op == "change":
        end = post.get("new_end_on")
        execution.change_request_submit(
            project=project,
            by=user,
            kind=post.get("kind", ""),
            reason=post.get("reason", ""),
            new_end_on=date.fromisoformat(end) if end else None,
            team_change=post.get("team_change", ""),
        )
        return _("变更申请已提交。")
    if op == "change_decide":
        change = get_object_or_404(ChangeRequest, pk=post.get("change"), project=project)
        execution.change_request_decide(
            change=change, by=user, approve=post.get("approve") == "1", note=post.get("note", "")
        )
        return _("变更申请已审批。")
    if op == "acceptance":
        execution.acceptance_apply(project=project, by=user, summary=post.get("summary", ""))
        return _("已申请结题验收。")
    if op == "panel":
        acceptance_panel_draw(project=project, by=user)
        return _("已抽取验收专家组。")
    if op == "accept_decide":
        execution.acceptance_decide(
            project=project,
            by=user,
            result=post.get("result", ""),
            note=post.get("note", ""),
            grade=post.get("grade", ""),
        )
        return _("验收结论已保存。")
    raise DomainError(_("未知操作。"))


@login_required
@require_POST
def project_act(request, pk):
    project, denied = _project(request, pk)
    if denied:
        return denied
    try:
        messages.success(request, _op(request, project, request.POST.get("op", "")))
    except (InvalidOperation, ValueError):
        messages.error(request, _("请填写正确的金额和日期。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("projects:project", pk=pk)


@login_required
def integrity_record_create_view(request):
    """记录科研失信: bureau staff record misconduct against an organization of their region."""
    from kechuang.core.forms import perform
    from kechuang.organizations.models import Organization

    from .forms import IntegrityRecordForm
    from .models import IntegrityRecord

    decision = can_record_misconduct(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    initial = {}
    project = None
    if request.GET.get("project"):
        project = selectors.projects_visible_to(user=request.user).filter(pk=request.GET["project"]).first()
        if project is not None:
            initial = {"credit_code": project.organization.credit_code, "project_code": project.code}
    form = IntegrityRecordForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organization = Organization.objects.filter(credit_code=data["credit_code"].strip().upper()).first()
        if organization is None:
            form.add_error("credit_code", _("未找到该统一社会信用代码对应的单位。"))
        else:
            project = None
            if data["project_code"].strip():
                project = Project.objects.filter(code=data["project_code"].strip()).first()
                if project is None:
                    form.add_error("project_code", _("项目编号不存在。"))
            if not form.errors:
                record = perform(
                    form,
                    lambda: execution.integrity_record_create(
                        organization=organization,
                        by=request.user,
                        reason=data["reason"],
                        days=data["days"],
                        project=project,
                        at=request.received_at,
                    ),
                )
                if record is not None:
                    messages.success(
                        request,
                        _("已记录科研失信，%(org)s 在 %(end)s（含）前不能申报项目。")
                        % {"org": organization.name, "end": record.ends_on.isoformat()},
                    )
                    return redirect(reverse("projects:integrity_create") + f"?organization={organization.pk}")
    organization_id = request.GET.get("organization") or (project.organization_id if project else None)
    records = (
        IntegrityRecord.objects.filter(organization_id=organization_id)
        .select_related("organization", "project", "recorded_by")
        .order_by("-starts_on", "-id")
        if organization_id and str(organization_id).isdigit()
        else IntegrityRecord.objects.none()
    )
    records = [r for r in records if can_record_misconduct(request.user, r.organization)]
    return render(request, "projects/integrity_form.html", {"form": form, "records": records})
