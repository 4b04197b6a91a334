"""Pages of 企业年度数据: the enterprise's history and entry form, the bureau's list, export and import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.accounts.enums import Role
from kechuang.core.excel import workbook_response
from kechuang.core.forms import perform
from kechuang.core.selectors import audit_logs
from kechuang.core.views import paginate, render_denied
from kechuang.organizations.enums import OrganizationKind
from kechuang.organizations.models import Organization

from .annual import (
    BOOLEAN_FIELDS,
    DECIMAL_FIELDS,
    EDITABLE_FIELDS,
    FIELDSETS,
    KeyFigures,
    annual_data_for,
    annual_data_save,
    annual_data_visible_to,
    annual_data_warnings,
    annual_year_problem,
    can_browse_annual_data,
    label,
    last_year,
    values_of,
)
from .annual_filters import AnnualDataFilter
from .annual_forms import AnnualDataForm, AnnualImportForm, AnnualYearForm
from .annual_import import (
    GUIDE_TITLE,
    SHEET_TITLE,
    AnnualImportRejected,
    annual_data_import,
    column_title,
    guide_rows,
    template_header,
)
from .models import AnnualData
from .permissions import can_edit_annual_data, can_import_annual_data, can_view_enterprise

PANEL_YEARS = 3
IMPORT_ERRORS_SHOWN = 1000


def _own_enterprise(user) -> Organization | None:
    """The enterprise an enterprise user acts for, or None."""
    if user.role != Role.ENTERPRISE or not user.active_organization_id:
        return None
    return (
        Organization.objects.filter(pk=user.active_organization_id, kind=OrganizationKind.ENTERPRISE)
        .select_related("region")
        .first()
    )


def _back_url(user) -> str:
    if user.is_superuser or user.is_region_scoped:
        return reverse("enterprises:annual_list")
    return reverse("enterprises:annual_mine")


@login_required
def annual_mine(request):
    """An enterprise's own years (history with key figures) and the choice of the year to enter."""
    organization = _own_enterprise(request.user)
    if organization is None:
        if request.user.is_superuser or request.user.is_region_scoped:
            return redirect("enterprises:annual_list")
        return render_denied(request, _("只有企业用户可以填报本企业的年度数据。"))
    form = AnnualYearForm(request.GET if "year" in request.GET else None, organization=organization)
    if form.is_bound and form.is_valid():
        return redirect("enterprises:annual_edit", pk=organization.pk, year=form.cleaned_data["year"])
    history = [KeyFigures.of(r) for r in annual_data_for(user=request.user, organization=organization)]
    entered = {row.record.year for row in history}
    return render(
        request,
        "enterprises/annual/mine.html",
        {
            "organization": organization,
            "form": form,
            "history": history,
            "last_year": last_year(),
            "last_year_entered": last_year() in entered,
        },
    )


def _readonly_sections(record: AnnualData):
    """(title, [(label, value, field name)]) of every fieldset, for the read-only page."""
    sections = []
    for title, names in FIELDSETS:
        items = []
        for name in names:
            value = getattr(record, name)
            if name in BOOLEAN_FIELDS:
                value = _("是") if value else _("否")
            items.append((label(name), value, name))
        sections.append((title, items))
    return sections


@login_required
def annual_edit(request, pk, year):
    """One enterprise's figures for one year: the form for whoever may edit, a read-only page for the others."""
    organization = get_object_or_404(
        Organization.objects.select_related("region"), pk=pk, kind=OrganizationKind.ENTERPRISE
    )
    decision = can_view_enterprise(request.user, organization)
    if not decision:
        return render_denied(request, decision.reason)
    record = (
        annual_data_for(user=request.user, organization=organization)
        .filter(year=year)
        .select_related("submitted_by")
        .first()
    )
    history = list(
        annual_data_for(user=request.user, organization=organization).values_list("year", flat=True)
    )
    changes = []
    if record is not None and (request.user.is_superuser or request.user.is_bureau):
        changes = audit_logs(user=request.user).filter(
            content_type__app_label="enterprises", content_type__model="annualdata", object_id=str(record.pk)
        )[:20]
    context = {
        "organization": organization,
        "year": year,
        "record": record,
        "figures": KeyFigures.of(record) if record else None,
        "history": history,
        "changes": changes,
        "back_url": _back_url(request.user),
    }
    editable = can_edit_annual_data(request.user, organization)
    if not editable:
        if request.method == "POST":
            return render_denied(request, editable.reason)
        if record is None:
            raise Http404(_("该年度数据尚未填报。"))
        context["sections"] = _readonly_sections(record)
        context["decimal_fields"] = DECIMAL_FIELDS
        return render(request, "enterprises/annual/detail.html", context)
    if record is None:
        problem = annual_year_problem(year, founded_on=organization.founded_on)
        if problem:
            messages.error(request, problem)
            return redirect(context["back_url"])
    submitting = request.POST.get("action") == "submit"
    form = AnnualDataForm(
        request.POST or None,
        instance=record or AnnualData(organization=organization, year=year),
        submitting=submitting,
    )
    if request.method == "POST" and form.is_valid():
        saved = perform(
            form,
            lambda: annual_data_save(
                organization=organization,
                year=year,
                data=form.changes(),
                by=request.user,
                expected_version=form.cleaned_data.get("version"),
                submit=submitting,
            ),
        )
        if saved is not None:
            if submitting:
                messages.success(request, _("%(year)s 年度数据已提交。") % {"year": year})
            else:
                messages.success(request, _("%(year)s 年度数据已保存。") % {"year": year})
            for warning in annual_data_warnings(values_of(saved)):
                messages.warning(request, warning)
            if submitting and request.user.role == Role.ENTERPRISE:
                return redirect("enterprises:annual_mine")
            return redirect("enterprises:annual_edit", pk=organization.pk, year=year)
    context["form"] = form
    return render(request, "enterprises/annual/form.html", context)


def _listed(request):
    filterset = AnnualDataFilter(
        request.GET, queryset=annual_data_visible_to(user=request.user), request=request
    )
    return filterset, filterset.qs.order_by("-year", "organization__name", "organization_id")


@login_required
def annual_list(request):
    """The bureau's list of every enterprise's annual data in its region, filtered, paged, exportable."""
    decision = can_browse_annual_data(request.user)
    if not decision:
        if _own_enterprise(request.user) is not None:
            return redirect("enterprises:annual_mine")
        return render_denied(request, decision.reason)
    filterset, rows = _listed(request)
    page = paginate(request, rows)
    page.object_list = [KeyFigures.of(record) for record in page.object_list]
    template = "enterprises/annual/_rows.html" if request.htmx else "enterprises/annual/list.html"
    return render(
        request,
        template,
        {
            "filter": filterset,
            "page": page,
            "can_import": can_import_annual_data(request.user),
            "query": request.GET.urlencode(),
        },
    )


def export_header() -> list[str]:
    leading = [
        _("企业名称"),
        _("统一社会信用代码"),
        _("属地"),
        _("行业门类"),
        _("高新技术领域"),
        _("年度"),
        _("状态"),
        _("提交时间"),
    ]
    figures = [column_title(name) for name in EDITABLE_FIELDS]
    derived = [_("销售收入"), _("研发费用合计（高企口径）"), _("研发费用占销售收入比例（%）")]
    return leading + figures + derived


def export_row(record: AnnualData) -> list:
    organization = record.organization
    key = KeyFigures.of(record)
    submitted = (
        timezone.localtime(record.submitted_at).strftime("%Y-%m-%d %H:%M") if record.submitted_at else ""
    )
    figures = []
    for name in EDITABLE_FIELDS:
        value = getattr(record, name)
        figures.append((_("是") if value else _("否")) if name in BOOLEAN_FIELDS else value)
    return [
        organization.name,
        organization.credit_code,
        organization.region.name,
        organization.get_industry_display(),
        organization.get_tech_field_display(),
        record.year,
        record.get_status_display(),
        submitted,
        *figures,
        key.sales_revenue,
        key.rd_total,
        key.rd_ratio,
    ]


@login_required
def annual_export(request):
    """The filtered list as an .xlsx workbook: every figure, with the same headers as the import template."""
    decision = can_browse_annual_data(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    filterset, rows = _listed(request)
    if not filterset.is_valid():
        return render_denied(request, _("筛选条件不正确。"), status=400)
    data = [export_row(record) for record in rows.iterator(chunk_size=2000)]
    filename = _("企业年度数据") + timezone.localdate().strftime("-%Y%m%d") + ".xlsx"
    return workbook_response(filename=filename, sheets=[(str(_("企业年度数据")), export_header(), data)])


@login_required
def annual_template(request):
    """The import template: the header row, and a sheet explaining every column."""
    decision = can_import_annual_data(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    return workbook_response(
        filename=_("企业年度数据导入模板") + ".xlsx",
        sheets=[
            (str(SHEET_TITLE), template_header(), []),
            (str(GUIDE_TITLE), [_("列名"), _("说明"), _("是否必填"), _("格式")], guide_rows()),
        ],
    )


@login_required
def annual_import(request):
    """Upload a filled template; every row is checked and either all are imported or none (with the errors)."""
    decision = can_import_annual_data(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    form = AnnualImportForm(request.POST or None, request.FILES or None)
    rejected: list[AnnualImportRejected] = []
    summary = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]

        def action():
            try:
                return annual_data_import(file=upload, by=request.user, filename=upload.name)
            except AnnualImportRejected as exc:
                rejected.append(exc)
                raise

        summary = perform(form, action)
        if summary is not None:
            messages.success(
                request,
                _("导入完成：新增 %(created)s 条，更新 %(updated)s 条。")
                % {"created": summary.created, "updated": summary.updated},
            )
            form = AnnualImportForm()
    errors = rejected[0].errors if rejected else []
    return render(
        request,
        "enterprises/annual/import.html",
        {
            "form": form,
            "summary": summary,
            "errors": errors[:IMPORT_ERRORS_SHOWN],
            "error_count": len(errors),
            "errors_truncated": len(errors) > IMPORT_ERRORS_SHOWN,
        },
    )


def panel(*, user, organization) -> dict | None:
    """The annual-data panel of the enterprise page: the latest years' key figures and links.

    Contract: the enterprise page includes "enterprises/annual/_panel.html" with this dict as `annual`; None
    when the user may not see the enterprise (nothing to show). Keys: visible (True), organization, rows
    (KeyFigures, newest first, at most PANEL_YEARS), more (bool: older years exist), can_edit (bool),
    entry_url (the form for the last fiscal year, or None), list_url.
    """
    if not can_view_enterprise(user, organization):
        return None
    records = list(annual_data_for(user=user, organization=organization)[: PANEL_YEARS + 1])
    can_edit = bool(can_edit_annual_data(user, organization))
    own = user.active_organization_id == organization.pk and user.role == Role.ENTERPRISE
    return {
        "visible": True,
        "organization": organization,
        "rows": [KeyFigures.of(record) for record in records[:PANEL_YEARS]],
        "more": len(records) > PANEL_YEARS,
        "can_edit": can_edit,
        "entry_url": reverse("enterprises:annual_edit", args=[organization.pk, last_year()])
        if can_edit
        else None,
        "list_url": reverse("enterprises:annual_mine")
        if own
        else reverse("enterprises:annual_list") + f"?q={organization.credit_code}",
    }
