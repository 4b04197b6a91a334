"""Pages of the work summary (工作总结): the reports of the user's region, generating one, a report with its
downloads and the figures it states (each with its records' count and, where the dashboard has one, its
drill-down), 存在问题, and the region's template with a preview.

Views are thin: a scoped selector finds the record (404 when the user may not see it), a service changes it
inside `perform` (a DomainError, including an error of the bureau's template with its line, is shown next to
the form), and the page is rendered.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core.errors import DomainError
from kechuang.core.forms import perform
from kechuang.core.views import paginate, render_denied
from kechuang.regions.models import Region

from . import permissions as perm
from . import report_services as services
from .default_template import DEFAULT_BODY
from .report_forms import ReportGenerateForm, ReportProblemsForm, ReportTemplateForm
from .report_selectors import report_get_visible, reports_visible_to, template_active_for, template_own


def _not_found(request):
    return render_denied(request, _("该工作总结不存在，或您无权查看。"), status=404)


@login_required
def report_list(request):
    decision = perm.can_view_reports(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    page = paginate(request, reports_visible_to(user=request.user))
    user = request.user
    may_generate = bool(user.region_id) and bool(perm.can_generate_report(user, user.region_id))
    return render(request, "cockpit/report_list.html", {"page": page, "may_generate": may_generate})


@login_required
def report_generate_view(request):
    user = request.user
    decision = (
        perm.can_generate_report(user, user.region_id) if user.region_id or not user.is_superuser else None
    )
    if decision is not None and not decision:
        return render_denied(request, decision.reason)
    form = ReportGenerateForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        region = Region.objects.get(pk=form.cleaned_data["region"])
        report = perform(
            form, lambda: services.report_generate(region=region, year=form.cleaned_data["year"], by=user)
        )
        if report is not None:
            if report.generated_at is None:
                messages.info(request, _("工作总结正在后台生成，请稍后刷新页面。"))
            else:
                messages.success(request, _("工作总结已生成。"))
            return redirect("cockpit:report", pk=report.pk)
    return render(request, "cockpit/report_generate.html", {"form": form})


def _drill_url(report, row) -> str | None:
    """The dashboard's drill-down of a figure (its records), when the dashboard offers one."""
    if row.get("index") is None:
        return None
    try:
        return reverse(
            "cockpit:drill",
            kwargs={
                "module": row["module"],
                "region": report.region_id,
                "year": report.year,
                "figure": str(row["index"]),
            },
        )
    except NoReverseMatch:
        return None


@login_required
def report_detail(request, pk):
    report = report_get_visible(user=request.user, pk=pk)
    if report is None:
        return _not_found(request)
    may_edit = bool(perm.can_edit_report(request.user, report.region_id))
    form = ReportProblemsForm(initial={"problems": report.problems, "version": report.version})
    if request.method == "POST":
        if not may_edit:
            return render_denied(request, perm.can_edit_report(request.user, report.region_id).reason)
        form = ReportProblemsForm(request.POST)
        if form.is_valid():
            done = perform(
                form,
                lambda: services.report_set_problems(
                    report=report,
                    text=form.cleaned_data["problems"],
                    expected_version=form.cleaned_data["version"],
                    by=request.user,
                ),
            )
            if done is not None:
                messages.success(request, _("存在问题已保存，工作总结已更新。"))
                return redirect("cockpit:report", pk=report.pk)
    headings = {module: heading for module, _dotted, heading in services.SOURCES}
    figures = [
        {
            **row,
            "display": services.format_number(row["value"]),
            "module_name": headings.get(row["module"], ""),
        }
        for row in report.figures
    ]
    for row in figures:
        row["drill"] = _drill_url(report, row)
    return render(
        request,
        "cockpit/report_detail.html",
        {"report": report, "figures": figures, "form": form, "may_edit": may_edit},
    )


@login_required
def report_file(request, pk, which):
    report = report_get_visible(user=request.user, pk=pk)
    if report is None or which not in ("document", "tables"):
        return _not_found(request)
    stored = report.document if which == "document" else report.tables
    if not stored:
        return render_denied(request, _("该文件尚未生成。"), status=404)
    ext = "docx" if which == "document" else "xlsx"
    name = f"{report.region.name}{report.year}年{'工作总结' if which == 'document' else '统计表'}.{ext}"
    response = FileResponse(stored.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def report_template(request):
    """The region's template: edit, preview (with the latest report's figures of the year), save."""
    user = request.user
    region_code = request.GET.get("region") or request.POST.get("region") or user.region_id
    decision = perm.can_edit_report_template(user, region_code)
    if not decision or not region_code:
        return render_denied(request, decision.reason if not decision else _("请选择地区。"))
    region = Region.objects.filter(pk=region_code).first()
    if region is None:
        return render_denied(request, _("地区不存在。"), status=404)
    own = template_own(region)
    active = template_active_for(region)
    body = active.body if active else DEFAULT_BODY
    year = timezone.localdate().year - 1
    form = ReportTemplateForm(
        request.POST or None, initial={"body": body, "version": own.version if own else None, "year": year}
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data.get("year") or year
        if "preview" in request.POST:
            try:
                preview = services.preview_blocks(region=region, year=year, body=form.cleaned_data["body"])
            except DomainError as exc:
                form.add_error("body", exc.message)
        else:
            saved = perform(
                form,
                lambda: services.report_template_save(
                    region=region,
                    body=form.cleaned_data["body"],
                    expected_version=form.cleaned_data["version"],
                    by=user,
                ),
            )
            if saved is not None:
                messages.success(request, _("模板已保存。"))
                return redirect(reverse("cockpit:report_template") + f"?region={region.code}")
    return render(
        request,
        "cockpit/report_template.html",
        {"form": form, "region": region, "preview": preview, "inherited": active is not None and own is None},
    )


@login_required
@require_POST
def report_template_reset(request):
    """Back to the default text: the region's own template is saved with the default body."""
    user = request.user
    region_code = request.POST.get("region") or user.region_id
    region = Region.objects.filter(pk=region_code).first()
    decision = perm.can_edit_report_template(user, region_code)
    if region is None or not decision:
        return render_denied(request, decision.reason if not decision else _("地区不存在。"))
    own = template_own(region)
    form = ReportTemplateForm({"body": DEFAULT_BODY, "version": own.version if own else ""})
    if form.is_valid():
        perform(
            form,
            lambda: services.report_template_save(
                region=region, body=DEFAULT_BODY, expected_version=None, by=user
            ),
        )
        messages.success(request, _("已恢复为默认模板。"))
    return redirect(reverse("cockpit:report_template") + f"?region={region.code}")
