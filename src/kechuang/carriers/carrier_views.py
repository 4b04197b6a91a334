"""Pages of carriers: the list and a carrier's page, the bureau's recognition forms, incubated companies, annual
reports, the kinds' report indicators and the evaluation schemes with their results. Views are thin: they parse,
call one selector or service, and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core.errors import DomainError
from kechuang.core.excel import workbook_response
from kechuang.core.forms import perform
from kechuang.core.models import AuditLog
from kechuang.core.permissions import in_region, is_bureau_editor
from kechuang.core.views import act_and_redirect, paginate, render_denied

from . import services
from .carrier_forms import (
    CarrierFilterForm,
    CarrierForm,
    IncubateeExitForm,
    IncubateeForm,
    IndicatorForm,
    NoteForm,
    OptionalReasonForm,
    ReasonForm,
    ReportForm,
    RevenueForm,
    SchemeForm,
    VersionForm,
    indicator_label,
)
from .carrier_selectors import (
    carrier_get_visible,
    carriers_listed,
    evaluations_of_carrier,
    incubatee_counts,
    incubatee_get_visible,
    incubatees_with_revenue,
    report_get_visible,
    reports_visible_to,
    scheme_results,
    schemes_visible_to,
)
from .enums import INCUBATING_KINDS, CarrierKind, ReportState, SchemeState
from .models import AnnualReport, Evaluation, ReportIndicator
from .permissions import (
    can_configure_indicators,
    can_fill_report,
    can_keep_carrier_records,
    can_manage_carrier,
    can_manage_scheme,
    can_oversee_carriers,
    can_review_report,
)


def _may_list(user) -> bool:
    return user.is_superuser or user.is_region_scoped or bool(user.active_organization_id)


def _carrier_or_404(request, pk):
    carrier = carrier_get_visible(user=request.user, pk=pk)
    if carrier is None:
        raise Http404(_("该载体不存在或您无权查看。"))
    return carrier


# ---------------------------------------------------------------------------------------------------------
# Carriers


@login_required
def carrier_list(request):
    if not _may_list(request.user):
        return render_denied(request, _("只有科技局、属地科技干部和载体运营单位可以查看创新载体。"))
    filter_form = CarrierFilterForm(request.GET or None, user=request.user)
    page = paginate(request, carriers_listed(user=request.user, filters=filter_form.filters()))
    template = "carriers/_rows.html" if request.htmx else "carriers/list.html"
    return render(
        request,
        template,
        {
            "filter_form": filter_form,
            "page": page,
            "can_create": request.user.is_superuser or is_bureau_editor(request.user, request.user.region_id),
        },
    )


@login_required
def carrier_create_view(request):
    if not (request.user.is_superuser or is_bureau_editor(request.user, request.user.region_id)):
        return render_denied(request, _("只有科技局的业务人员可以登记创新载体。"))
    form = CarrierForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        carrier = perform(form, lambda: services.carrier_create(values=form.values(), by=request.user))
        if carrier is not None:
            messages.success(request, _("已登记创新载体：%(name)s。") % {"name": carrier.name})
            return redirect("carriers:detail", carrier.pk)
    return render(
        request, "carriers/form.html", {"form": form, "title": _("登记创新载体"), "multipart": True}
    )


@login_required
def carrier_edit_view(request, pk):
    carrier = _carrier_or_404(request, pk)
    if not (decision := can_manage_carrier(request.user, carrier)):
        return render_denied(request, decision.reason)
    form = CarrierForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial=CarrierForm.initial_for(carrier),
    )
    if request.method == "POST" and form.is_valid():
        done = perform(
            form,
            lambda: services.carrier_update(
                carrier=carrier,
                values=form.values(),
                expected_version=form.cleaned_data.get("version"),
                by=request.user,
            ),
        )
        if done is not None:
            messages.success(request, _("已保存。"))
            return redirect("carriers:detail", carrier.pk)
    return render(
        request,
        "carriers/form.html",
        {"form": form, "title": _("修改载体信息"), "subtitle": carrier.name, "multipart": True},
    )


@login_required
def carrier_remove_view(request, pk):
    carrier = _carrier_or_404(request, pk)
    if not (decision := can_manage_carrier(request.user, carrier)):
        return render_denied(request, decision.reason)
    form = ReasonForm(request.POST or None, initial={"version": carrier.version})
    form.fields["reason"].label = _("撤销原因")
    if request.method == "POST" and form.is_valid():
        done = perform(
            form,
            lambda: services.carrier_remove(
                carrier=carrier,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data.get("version"),
                by=request.user,
            ),
        )
        if done is not None:
            messages.success(request, _("已撤销该载体的认定。"))
            return redirect("carriers:detail", carrier.pk)
    return render(
        request,
        "carriers/form.html",
        {"form": form, "title": _("撤销认定"), "subtitle": carrier.name, "danger": True},
    )


@login_required
@require_POST
def carrier_restore_view(request, pk):
    carrier = _carrier_or_404(request, pk)
    form = OptionalReasonForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: services.carrier_restore(
            carrier=carrier,
            reason=form.cleaned_data.get("reason", ""),
            expected_version=form.cleaned_data.get("version"),
            by=request.user,
        ),
        success=lambda done: _("已恢复该载体。"),
        to=reverse("carriers:detail", args=[carrier.pk]),
    )


@login_required
def carrier_detail(request, pk):
    carrier = _carrier_or_404(request, pk)
    user = request.user
    incubating = carrier.kind in INCUBATING_KINDS
    incubatees = incubatees_with_revenue(carrier) if incubating else []
    years = sorted({r.year for i in incubatees for r in i.revenues.all()})
    rows = [
        (i, [(y, next((r.revenue for r in i.revenues.all() if r.year == y), None)) for y in years])
        for i in incubatees
    ]
    history = []
    if in_region(user, carrier.region_id):
        history = list(
            AuditLog.objects.filter(
                content_type=ContentType.objects.get_for_model(type(carrier)), object_id=str(carrier.pk)
            )[:30]
        )
    this_year = timezone.localdate().year
    return render(
        request,
        "carriers/detail.html",
        {
            "carrier": carrier,
            "incubating": incubating,
            "counts": incubatee_counts(carrier) if incubating else {},
            "incubatee_rows": rows,
            "revenue_years": years,
            "capital_total": sum((i.registered_capital or 0) for i in incubatees if i.state == "incubating"),
            "reports": list(carrier.annual_reports.order_by("-year")),
            "evaluations": evaluations_of_carrier(carrier),
            "history": history,
            "can_manage": bool(can_manage_carrier(user, carrier)),
            "can_keep": bool(can_keep_carrier_records(user, carrier)) and carrier.state != "removed",
            "can_fill": bool(can_fill_report(user, carrier)) and carrier.state != "removed",
            "report_year": this_year - 1,
            "restore_form": OptionalReasonForm(initial={"version": carrier.version}),
        },
    )


@login_required
def certificate_download(request, pk):
    carrier = _carrier_or_404(request, pk)  # the visibility check is the permission check
    if not carrier.certificate_file:
        raise Http404(_("该载体没有上传认定文件。"))
    stored = carrier.certificate_file
    return FileResponse(stored.open("rb"), as_attachment=True, filename=stored.name.rsplit("/", 1)[-1])


# ---------------------------------------------------------------------------------------------------------
# Incubated companies


@login_required
def incubatee_add_view(request, pk):
    carrier = _carrier_or_404(request, pk)
    if not (decision := can_keep_carrier_records(request.user, carrier)):
        return render_denied(request, decision.reason)
    form = IncubateeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = perform(
            form, lambda: services.incubatee_add(carrier=carrier, values=form.cleaned_data, by=request.user)
        )
        if done is not None:
            messages.success(request, _("已登记在孵企业：%(name)s。") % {"name": done.name})
            return redirect("carriers:detail", carrier.pk)
    return render(
        request, "carriers/form.html", {"form": form, "title": _("登记在孵企业"), "subtitle": carrier.name}
    )


def _incubatee_or_denied(request, pk):
    incubatee = incubatee_get_visible(user=request.user, pk=pk)
    if incubatee is None:
        raise Http404(_("该在孵企业不存在或您无权查看。"))
    decision = can_keep_carrier_records(request.user, incubatee.carrier)
    return incubatee, (None if decision else render_denied(request, decision.reason))


@login_required
def incubatee_edit_view(request, pk):
    incubatee, denied = _incubatee_or_denied(request, pk)
    if denied is not None:
        return denied
    initial = {
        f: getattr(incubatee, f) for f in ("name", "credit_code", "field", "registered_capital", "entered_on")
    }
    form = IncubateeForm(request.POST or None, initial=initial | {"version": incubatee.version})
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "form_token")}
        done = perform(
            form,
            lambda: services.incubatee_update(
                incubatee=incubatee,
                values=values,
                expected_version=form.cleaned_data.get("version"),
                by=request.user,
            ),
        )
        if done is not None:
            messages.success(request, _("已保存。"))
            return redirect("carriers:detail", incubatee.carrier_id)
    return render(
        request, "carriers/form.html", {"form": form, "title": _("修改在孵企业"), "subtitle": incubatee.name}
    )


@login_required
def incubatee_exit_view(request, pk):
    incubatee, denied = _incubatee_or_denied(request, pk)
    if denied is not None:
        return denied
    form = IncubateeExitForm(request.POST or None, initial={"version": incubatee.version})
    if request.method == "POST" and form.is_valid():
        done = perform(
            form,
            lambda: services.incubatee_exit(
                incubatee=incubatee,
                state=form.cleaned_data["state"],
                exited_on=form.cleaned_data["exited_on"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data.get("version"),
                by=request.user,
            ),
        )
        if done is not None:
            messages.success(
                request,
                _("已登记：%(name)s %(state)s。") % {"name": done.name, "state": done.get_state_display()},
            )
            return redirect("carriers:detail", incubatee.carrier_id)
    return render(
        request, "carriers/form.html", {"form": form, "title": _("毕业或退出"), "subtitle": incubatee.name}
    )


@login_required
def incubatee_revenue_view(request, pk):
    incubatee, denied = _incubatee_or_denied(request, pk)
    if denied is not None:
        return denied
    form = RevenueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = perform(
            form,
            lambda: services.incubatee_revenue_set(
                incubatee=incubatee,
                year=form.cleaned_data["year"],
                revenue=form.cleaned_data["revenue"],
                by=request.user,
            ),
        )
        if done is not None:
            messages.success(request, _("已保存%(year)s年营业收入。") % {"year": done.year})
            return redirect("carriers:detail", incubatee.carrier_id)
    return render(
        request,
        "carriers/form.html",
        {
            "form": form,
            "title": _("年度营业收入"),
            "subtitle": incubatee.name,
            "revenues": incubatee.revenues.order_by("-year"),
        },
    )


# ---------------------------------------------------------------------------------------------------------
# Annual reports


@login_required
def report_list(request):
    if not (decision := can_oversee_carriers(request.user)):
        return render_denied(request, decision.reason)
    year = request.GET.get("year") or ""
    state = request.GET.get("state") or ""
    qs = reports_visible_to(user=request.user).order_by("-year", "carrier__kind", "carrier__name")
    if year.isdigit():
        qs = qs.filter(year=int(year))
    if state in ReportState.values:
        qs = qs.filter(state=state)
    return render(
        request,
        "carriers/reports.html",
        {"page": paginate(request, qs), "year": year, "state": state, "states": ReportState.choices},
    )


@login_required
def report_view(request, pk, year):
    carrier = _carrier_or_404(request, pk)
    report = AnnualReport.objects.filter(carrier=carrier, year=year).first()
    indicators = list(services.indicators_of(carrier.kind))
    editable = (
        bool(can_fill_report(request.user, carrier))
        and carrier.state != "removed"
        and (report is None or report.state in (ReportState.DRAFT, ReportState.RETURNED))
    )
    form = None
    if editable:
        form = ReportForm(request.POST or None, indicators=indicators, initial=ReportForm.initial_for(report))
        if request.method == "POST" and form.is_valid():

            def save():
                try:
                    return services.report_save(
                        carrier=carrier,
                        year=year,
                        values=form.values(),
                        summary=form.cleaned_data["summary"],
                        expected_version=form.cleaned_data.get("version") if report else None,
                        by=request.user,
                    )
                except DomainError as exc:
                    if exc.field in {i.code for i in indicators}:
                        exc.field = f"v_{exc.field}"  # the form's name for the indicator's field
                    raise

            saved = perform(form, save)
            if saved is not None:
                if request.POST.get("action") != "submit":
                    messages.success(request, _("已保存草稿。"))
                    return redirect("carriers:report", carrier.pk, year)
                try:
                    services.report_submit(report=saved, expected_version=saved.version, by=request.user)
                except DomainError as exc:
                    messages.warning(request, _("草稿已保存，但未能提交：%(why)s") % {"why": exc.message})
                    return redirect("carriers:report", carrier.pk, year)
                messages.success(request, _("年报已提交。"))
                return redirect("carriers:report", carrier.pk, year)
    elif request.method == "POST":
        return render_denied(request, _("该年报当前不能修改。"))
    rows = [(indicator_label(i), (report.values.get(i.code, "") if report else "")) for i in indicators]
    return render(
        request,
        "carriers/report.html",
        {
            "carrier": carrier,
            "year": year,
            "report": report,
            "form": form,
            "rows": rows,
            "can_review": report is not None and bool(can_review_report(request.user, report)),
            "review_form": ReasonForm(initial={"version": report.version if report else None}),
            "accept_form": VersionForm(initial={"version": report.version if report else None}),
        },
    )


def _report(request, pk):
    report = report_get_visible(user=request.user, pk=pk)
    if report is None:
        raise Http404(_("该年报不存在或您无权查看。"))
    return report


@login_required
@require_POST
def report_return_view(request, pk):
    report = _report(request, pk)
    form = ReasonForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: services.report_return(
            report=report,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data.get("version"),
            by=request.user,
        ),
        success=lambda done: _("已退回年报。"),
        to=reverse("carriers:report", args=[report.carrier_id, report.year]),
    )


@login_required
@require_POST
def report_accept_view(request, pk):
    report = _report(request, pk)
    form = VersionForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: services.report_accept(
            report=report, expected_version=form.cleaned_data.get("version"), by=request.user
        ),
        success=lambda done: _("已确认年报。"),
        to=reverse("carriers:report", args=[report.carrier_id, report.year]),
    )


# ---------------------------------------------------------------------------------------------------------
# Report indicators


def _kind(request) -> str:
    kind = request.GET.get("kind") or CarrierKind.INCUBATOR
    return kind if kind in CarrierKind.values else CarrierKind.INCUBATOR


@login_required
def indicator_list(request):
    if not (decision := can_oversee_carriers(request.user)):
        return render_denied(request, decision.reason)
    kind = _kind(request)
    return render(
        request,
        "carriers/indicators.html",
        {
            "kind": kind,
            "kinds": CarrierKind.choices,
            "indicators": list(ReportIndicator.objects.filter(kind=kind)),
            "can_configure": bool(can_configure_indicators(request.user)),
        },
    )


@login_required
def indicator_create_view(request):
    if not (decision := can_configure_indicators(request.user)):
        return render_denied(request, decision.reason)
    kind = _kind(request)
    form = IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = perform(
            form,
            lambda: services.indicator_create(
                kind=kind, code=form.cleaned_data["code"], values=form.values(), by=request.user
            ),
        )
        if done is not None:
            messages.success(request, _("已添加指标：%(name)s。") % {"name": done.name})
            return redirect(reverse("carriers:indicators") + f"?kind={kind}")
    return render(
        request,
        "carriers/form.html",
        {"form": form, "title": _("添加年报指标"), "subtitle": CarrierKind(kind).label},
    )


@login_required
def indicator_edit_view(request, pk):
    if not (decision := can_configure_indicators(request.user)):
        return render_denied(request, decision.reason)
    indicator = ReportIndicator.objects.filter(pk=pk).first()
    if indicator is None:
        raise Http404(_("该指标不存在。"))
    initial = {
        f: getattr(indicator, f)
        for f in ("code", "name", "unit", "value_type", "required", "position", "active", "help_text")
    }
    form = IndicatorForm(request.POST or None, initial=initial | {"version": indicator.version}, editing=True)
    if request.method == "POST" and form.is_valid():
        done = perform(
            form,
            lambda: services.indicator_update(
                indicator=indicator,
                values=form.values(),
                expected_version=form.cleaned_data.get("version"),
                by=request.user,
            ),
        )
        if done is not None:
            messages.success(request, _("已保存。"))
            return redirect(reverse("carriers:indicators") + f"?kind={indicator.kind}")
    return render(
        request,
        "carriers/form.html",
        {"form": form, "title": _("修改年报指标"), "subtitle": indicator.get_kind_display()},
    )


# ---------------------------------------------------------------------------------------------------------
# Evaluation schemes


@login_required
def scheme_list(request):
    if not (decision := can_oversee_carriers(request.user)):
        return render_denied(request, decision.reason)
    return render(
        request,
        "carriers/schemes.html",
        {
            "schemes": list(schemes_visible_to(user=request.user).order_by("-year", "kind")),
            "kinds": CarrierKind.choices,
            "can_create": bool(request.user.region_id)
            and is_bureau_editor(request.user, request.user.region_id),
        },
    )


@login_required
def scheme_create_view(request):
    user = request.user
    if not (user.region_id and is_bureau_editor(user, user.region_id)):
        return render_denied(request, _("只有科技局的业务人员可以组织绩效评价。"))
    kind = _kind(request)
    indicators = services.indicators_of(kind)
    year = timezone.localdate().year - 1
    form = SchemeForm(
        request.POST or None,
        indicators=indicators,
        initial={
            "name": _("%(year)s年度%(kind)s绩效评价") % {"year": year, "kind": CarrierKind(kind).label},
            "year": year,
            "excellent_min": 90,
            "good_min": 75,
            "pass_min": 60,
        },
    )
    if request.method == "POST" and form.is_valid():
        scheme = perform(
            form,
            lambda: services.scheme_create(
                region=user.region,
                kind=kind,
                year=form.cleaned_data["year"],
                values=form.values(),
                weights=form.weights(),
                by=user,
            ),
        )
        if scheme is not None:
            messages.success(request, _("已创建评价方案。"))
            return redirect("carriers:scheme", scheme.pk)
    return render(
        request,
        "carriers/scheme_form.html",
        {
            "form": form,
            "kind_label": CarrierKind(kind).label,
            "kind": kind,
            "kinds": CarrierKind.choices,
            "creating": True,
        },
    )


def _scheme(request, pk):
    scheme = schemes_visible_to(user=request.user).filter(pk=pk).first()
    if scheme is None:
        raise Http404(_("该评价方案不存在或您无权查看。"))
    return scheme


@login_required
def scheme_edit_view(request, pk):
    scheme = _scheme(request, pk)
    if not (decision := can_manage_scheme(request.user, scheme)):
        return render_denied(request, decision.reason)
    indicators = ReportIndicator.objects.filter(kind=scheme.kind).filter(
        Q(active=True) | Q(pk__in=scheme.indicators.values("indicator_id"))
    )
    form = SchemeForm(
        request.POST or None, indicators=indicators, editing=True, initial=SchemeForm.initial_for(scheme)
    )
    if request.method == "POST" and form.is_valid():
        done = perform(
            form,
            lambda: services.scheme_update(
                scheme=scheme,
                values=form.values(),
                weights=form.weights(),
                expected_version=form.cleaned_data.get("version"),
                by=request.user,
            ),
        )
        if done is not None:
            messages.success(request, _("已保存评价方案；如已计算结果，请重新计算。"))
            return redirect("carriers:scheme", scheme.pk)
    return render(
        request,
        "carriers/scheme_form.html",
        {"form": form, "kind_label": scheme.get_kind_display(), "scheme": scheme},
    )


@login_required
def scheme_detail(request, pk):
    scheme = _scheme(request, pk)
    results = scheme_results(scheme)
    weights = list(scheme.indicators.select_related("indicator"))
    return render(
        request,
        "carriers/scheme.html",
        {
            "scheme": scheme,
            "weights": weights,
            "results": results,
            "can_manage": bool(can_manage_scheme(request.user, scheme)),
            "draft": scheme.state == SchemeState.DRAFT,
            "action_form": VersionForm(initial={"version": scheme.version}),
            "note_form": NoteForm(),
        },
    )


@login_required
@require_POST
def scheme_evaluate_view(request, pk):
    scheme = _scheme(request, pk)
    form = VersionForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: services.scheme_evaluate(
            scheme=scheme, expected_version=form.cleaned_data.get("version"), by=request.user
        ),
        success=lambda done: _("已计算%(n)s个载体的评价结果。") % {"n": len(done)},
        to=reverse("carriers:scheme", args=[scheme.pk]),
    )


@login_required
@require_POST
def scheme_publish_view(request, pk):
    scheme = _scheme(request, pk)
    form = VersionForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: services.scheme_publish(
            scheme=scheme, expected_version=form.cleaned_data.get("version"), by=request.user
        ),
        success=lambda done: _("评价结果已发布，处理结果已记录。"),
        to=reverse("carriers:scheme", args=[scheme.pk]),
    )


@login_required
def scheme_export(request, pk):
    scheme = _scheme(request, pk)
    codes = [(si.indicator.code, si.indicator.name) for si in scheme.indicators.select_related("indicator")]
    header = [
        _("排名"),
        _("载体名称"),
        _("运营单位"),
        _("所在地区"),
        _("级别"),
        _("得分"),
        _("等次"),
        _("处理结果"),
    ]
    header += [name for _code, name in codes] + [_("备注")]
    rows = [
        [
            e.rank,
            e.carrier.name,
            e.carrier.operator.name,
            e.carrier.region.name,
            e.carrier.get_level_display(),
            float(e.score),
            e.get_grade_display(),
            e.get_consequence_display(),
            *[float(e.breakdown[c]) if c in e.breakdown else None for c, _name in codes],
            e.note,
        ]
        for e in scheme_results(scheme)
    ]
    return workbook_response(filename=f"{scheme.name}.xlsx", sheets=[(_("评价结果"), header, rows)])


@login_required
@require_POST
def evaluation_note_view(request, pk):
    evaluation = (
        Evaluation.objects.select_related("scheme")
        .filter(pk=pk, scheme__in=schemes_visible_to(user=request.user))
        .first()
    )
    if evaluation is None:
        raise Http404(_("该评价结果不存在或您无权查看。"))
    form = NoteForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: services.evaluation_note(
            evaluation=evaluation,
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data.get("version"),
            by=request.user,
        ),
        success=lambda done: _("已保存备注。"),
        to=reverse("carriers:scheme", args=[evaluation.scheme_id]),
    )
