from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kechuang.core.errors import DomainError
from kechuang.core.views import act_and_redirect, paginate, render_denied

from .enums import ApplicationAction, ApplicationState
from .filters import ApplicationFilter
from .forms import DecisionForm, UploadForm, WithdrawForm, raw_from_post
from .models import Application, Call
from .permissions import (
    applicant_may,
    bureau_may,
    can_apply,
    can_edit_application,
    can_view_application,
    locality_may,
)
from .selectors import (
    application_timeline,
    applications_listed,
    calls_published,
    eligibility_for,
)
from .services import (
    application_file_add,
    application_formal_check,
    application_recommend,
    application_save,
    application_start,
    application_submit,
    application_withdraw,
    formal_check_results,
    submission_problems,
)

RECOMMEND_CHOICES = [
    ("yes", ApplicationAction.RECOMMEND.label),
    ("no", ApplicationAction.NOT_RECOMMEND.label),
]
CHECK_CHOICES = [
    ("pass", ApplicationAction.PASS_CHECK.label),
    ("return", ApplicationAction.RETURN.label),
    ("reject", ApplicationAction.REJECT.label),
]


@login_required
def call_list(request):
    """Open calls; an organization user sees for each whether it may apply and, if not, why."""
    calls = list(calls_published())
    rows = []
    applying = can_apply(request.user)
    for call in calls:
        reasons = eligibility_for(call=call, organization=request.user.organization) if applying else []
        rows.append({"call": call, "reasons": reasons, "open": call.is_open()})
    return render(request, "projects/call_list.html", {"rows": rows, "can_apply": applying})


@login_required
@require_POST
def call_apply(request, pk):
    call = get_object_or_404(Call.objects.select_related("program"), pk=pk)
    try:
        application = application_start(call=call, by=request.user, at=request.received_at)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("projects:call_list")
    return redirect("projects:application_edit", pk=application.pk)


@login_required
def application_list(request):
    filterset = ApplicationFilter(request.GET or None, queryset=applications_listed(user=request.user))
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    return render(
        request,
        "projects/application_list.html",
        {
            "page": paginate(request, qs),
            "filter": filterset,
            "states": ApplicationState.choices,
            "now": timezone.now(),
        },
    )


def _visible(request, pk, predicate=can_view_application):
    application = get_object_or_404(
        Application.objects.select_related("call__program", "organization", "region"), pk=pk
    )
    decision = predicate(request.user, application)
    return application, (None if decision else render_denied(request, decision.reason))


@login_required
def application_detail(request, pk):
    application, denied = _visible(request, pk)
    if denied:
        return denied
    labels = dict(ApplicationState.choices)
    timeline = list(application_timeline(application))
    for entry in timeline:
        entry.from_label, entry.to_label = labels.get(entry.from_state, ""), labels.get(entry.to_state, "")
    content = _fields_with_values(application)
    for item in content:
        if item["spec"].get("type") == "table":
            columns = item["spec"].get("columns", [])
            item["cells"] = [[row.get(c["key"], "") for c in columns] for row in item["value"] or []]
    context = {
        "application": application,
        "timeline": timeline,
        "content": content,
        "can_edit": can_edit_application(request.user, application),
        "can_withdraw": bool(applicant_may(request.user, application))
        and application.state in (ApplicationState.DRAFT, ApplicationState.SUBMITTED)
        and timezone.now() <= application.call.closes_at,
        "withdraw_form": WithdrawForm(),
        "now": timezone.now(),
    }
    context.update(_withdrawal_context(request, application))
    if application.state == ApplicationState.SUBMITTED and locality_may(request.user, application):
        context["recommend_form"] = DecisionForm(choices=RECOMMEND_CHOICES)
    if application.state == ApplicationState.RECOMMENDED and bureau_may(request.user, application):
        context["check_form"] = DecisionForm(choices=CHECK_CHOICES)
        context["check_results"] = formal_check_results(application, viewer=request.user)
    return render(request, "projects/application_detail.html", context)


def _withdrawal_context(request, application) -> dict:
    """The withdrawal requests (撤回申请) on the detail page, and the forms the user may use on them."""
    from .permissions import can_request_withdrawal
    from .selectors import withdrawal_requests_of
    from .withdrawal_views import WITHDRAWAL_DECISION_CHOICES

    requests = list(withdrawal_requests_of(application))
    pending = next((r for r in requests if r.approved is None), None)
    return {
        "withdrawal_requests": requests,
        "withdrawal_request_form": WithdrawForm()
        if pending is None and can_request_withdrawal(request.user, application)
        else None,
        "withdrawal_pending": pending,
        "withdrawal_decide_form": DecisionForm(choices=WITHDRAWAL_DECISION_CHOICES)
        if pending is not None and bureau_may(request.user, application)
        else None,
    }


def _fields_with_values(application, errors=None):
    """The frozen form's fields with their current values and errors, ready for the template."""
    errors = errors or {}
    files: dict[str, list] = {}
    for f in application.files.all():
        files.setdefault(f.field_key, []).append(f)
    fields = []
    for spec in application.form_definition:
        value = application.data.get(spec["key"], "")
        item = {
            "spec": spec,
            "value": value,
            "errors": errors.get(spec["key"], []),
            "files": files.get(spec["key"], []),
        }
        if spec.get("type") == "table":
            rows = list(value or [])
            rows.append({})  # always one empty row to type into
            item["rows"] = [
                (i, [(c, row.get(c["key"], "")) for c in spec.get("columns", [])])
                for i, row in enumerate(rows)
            ]
        fields.append(item)
    return fields


@login_required
def application_edit(request, pk):
    application, denied = _visible(request, pk, can_edit_application)
    if denied:
        return denied
    errors = submission_problems(application) if request.GET.get("check") else {}
    return render(
        request,
        "projects/application_form.html",
        {
            "application": application,
            "fields": _fields_with_values(application, errors),
            "upload_form": UploadForm(),
            "general_errors": errors.get("", []),
        },
    )


@login_required
@require_POST
def application_autosave(request, pk):
    """htmx: save the draft as the user types; answer with the save status and the field errors."""
    application, denied = _visible(request, pk, can_edit_application)
    if denied:
        return denied
    raw = raw_from_post(application.form_definition, request.POST)
    try:
        saved, errors = application_save(
            application=application,
            by=request.user,
            raw=raw,
            expected_version=int(request.POST.get("version") or 0) or None,
            at=request.received_at,
        )
    except DomainError as exc:
        return render(
            request,
            "projects/_save_status.html",
            {"failure": exc.message},
            status=409 if exc.status == 409 else 400,
        )
    full = request.POST.get("rerender") == "1"
    return render(
        request,
        "projects/_save_status.html",
        {
            "application": saved,
            "saved_at": timezone.localtime(),
            "error_blocks": [(spec["key"], errors.get(spec["key"], [])) for spec in saved.form_definition],
            "fields": _fields_with_values(saved, errors) if full else None,
        },
    )


@login_required
@require_POST
def application_upload(request, pk):
    application, denied = _visible(request, pk, can_edit_application)
    if denied:
        return denied
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            application_file_add(
                application=application,
                by=request.user,
                field_key=form.cleaned_data["field_key"],
                upload=form.cleaned_data["upload"],
            )
            messages.success(request, _("附件已上传。"))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("请选择要上传的文件。"))
    return redirect("projects:application_edit", pk=pk)


@login_required
@require_POST
def application_submit_view(request, pk):
    application, denied = _visible(request, pk)
    if denied:
        return denied
    try:
        done = application_submit(application=application, by=request.user, started_at=request.received_at)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("projects:application_edit", args=[pk]) + "?check=1")
    messages.success(request, _("申报书已提交，受理编号：%(no)s") % {"no": done.receipt_number})
    return redirect("projects:application_detail", pk=pk)


@login_required
@require_POST
def application_withdraw_view(request, pk):
    application, denied = _visible(request, pk)
    if denied:
        return denied
    form = WithdrawForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: application_withdraw(
            application=application,
            by=request.user,
            reason=form.cleaned_data["reason"],
            at=request.received_at,
        ),
        success=lambda done: _("申报书已撤回。"),
        to=reverse("projects:application_detail", args=[pk]),
    )


@login_required
@require_POST
def application_recommend_view(request, pk):
    application, denied = _visible(request, pk)
    if denied:
        return denied
    form = DecisionForm(request.POST, choices=RECOMMEND_CHOICES)
    return act_and_redirect(
        request,
        form,
        lambda: application_recommend(
            application=application,
            by=request.user,
            recommend=form.cleaned_data["decision"] == "yes",
            comment=form.cleaned_data["reason"],
        ),
        success=lambda done: _("已处理：%(state)s") % {"state": done.get_state_display()},
        to=reverse("projects:application_detail", args=[pk]),
    )


@login_required
@require_POST
def application_check_view(request, pk):
    application, denied = _visible(request, pk)
    if denied:
        return denied
    form = DecisionForm(request.POST, choices=CHECK_CHOICES)
    return act_and_redirect(
        request,
        form,
        lambda: application_formal_check(
            application=application,
            by=request.user,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
        ),
        success=lambda done: _("已处理：%(state)s") % {"state": done.get_state_display()},
        to=reverse("projects:application_detail", args=[pk]),
    )


@login_required
def call_manage_list(request):
    from .permissions import can_manage_calls
    from .selectors import programs_managed_by

    decision = can_manage_calls(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    # Calls of a program that was switched off stay listed: they may still be running.
    calls = Call.objects.filter(program__in=programs_managed_by(user=request.user)).select_related("program")
    return render(request, "projects/call_manage_list.html", {"calls": calls})


@login_required
def call_edit(request, pk=None):
    from django.db.models import Q

    from .forms import CallForm
    from .models import Program
    from .permissions import can_manage_calls
    from .selectors import programs_managed_by
    from .services import call_save

    call = get_object_or_404(Call.objects.select_related("program"), pk=pk) if pk else None
    decision = can_manage_calls(request.user, call.program if call else None)
    if not decision:
        return render_denied(request, decision.reason)
    programs = programs_managed_by(user=request.user, active_only=True)
    if call is not None:
        programs = Program.objects.filter(Q(pk__in=programs.values("pk")) | Q(pk=call.program_id))
    form = CallForm(request.POST or None, instance=call or Call(), programs=programs)
    if request.method == "POST" and form.is_valid():
        from kechuang.core.forms import perform

        saved = perform(
            form,
            lambda: call_save(
                by=request.user,
                values=form.values(),
                call=call,
                expected_version=form.cleaned_data.get("version"),
            ),
        )
        if saved is not None:
            messages.success(request, _("申报指南已保存。"))
            return redirect("projects:call_manage_list")
    return render(request, "projects/call_form.html", {"form": form, "call": call})


@login_required
def program_list(request):
    """The programs (科技计划类别) of the user's bureau, active or not."""
    from django.db.models import Count

    from .permissions import can_manage_programs
    from .selectors import programs_managed_by

    decision = can_manage_programs(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    programs = programs_managed_by(user=request.user).annotate(call_count=Count("calls"))
    return render(request, "projects/program_list.html", {"programs": programs})


@login_required
def program_edit(request, pk=None):
    from kechuang.core.forms import perform
    from kechuang.regions.selectors import label_regions, regions_for_choice

    from .forms import ProgramForm
    from .models import Program
    from .permissions import can_manage_programs
    from .services import program_save

    program = get_object_or_404(Program.objects.select_related("region"), pk=pk) if pk else None
    decision = can_manage_programs(request.user, program.region_id if program else None)
    if not decision:
        return render_denied(request, decision.reason)
    root = request.user.region if request.user.region_id else None
    form = ProgramForm(
        request.POST or None,
        instance=program or Program(),
        regions=regions_for_choice(root, max_level="county"),
    )
    label_regions(form.fields["region"])
    if request.method == "POST" and form.is_valid():
        saved = perform(
            form,
            lambda: program_save(
                by=request.user,
                values=form.values(),
                program=program,
                expected_version=form.cleaned_data.get("version"),
            ),
        )
        if saved is not None:
            messages.success(request, _("计划类别已保存。"))
            return redirect("projects:program_list")
    return render(request, "projects/program_form.html", {"form": form, "program": program})


# Lazy: the module is imported once, the header is shown in each request's language.
FIGURE_HEADER = [
    gettext_lazy("申报指南/计划类别"),
    gettext_lazy("申报数"),
    gettext_lazy("属地推荐数"),
    gettext_lazy("形式审查通过数"),
    gettext_lazy("已评审数"),
    gettext_lazy("立项数"),
    gettext_lazy("资助金额（元）"),
    gettext_lazy("提交至决策平均天数"),
]


@login_required
def figures(request):
    from .figures import figure_rows, figures_for_calls
    from .permissions import can_manage_calls
    from .selectors import programs_visible_to

    decision = can_manage_calls(request.user)
    if not decision and request.user.role != "bureau_leader":
        return render_denied(request, decision.reason)
    calls = Call.objects.filter(program__in=programs_visible_to(user=request.user)).select_related("program")
    per_call, per_program = figures_for_calls(calls)
    header = [str(h) for h in FIGURE_HEADER]
    if request.GET.get("format") == "xlsx":
        from kechuang.core.excel import workbook_response

        return workbook_response(
            filename=_("科技计划项目统计") + ".xlsx",
            sheets=[
                (str(_("按申报指南")), header, [figure_rows(f) for _call, f in per_call]),
                (str(_("按计划类别")), header, [figure_rows(f) for f in per_program]),
            ],
        )
    return render(
        request,
        "projects/figures.html",
        {
            "per_call": per_call,
            "per_program": per_program,
            "header": header,
        },
    )
