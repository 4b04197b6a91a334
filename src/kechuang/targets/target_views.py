"""Pages of 目标责任制考核: the indicator catalogue, the targets grid, a region's progress with its records and
reported actuals, assessments (weights, ranked results, per-indicator detail) and their Excel exports.

Views are thin: they read through target_selectors and progress, check the predicates of permissions.py, run a
service inside `perform` (a DomainError is shown with the form) and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core.excel import workbook_response
from kechuang.core.forms import perform
from kechuang.core.views import render_denied
from kechuang.regions.models import Region

from . import permissions as perm
from . import services
from .computations import COMPUTATIONS
from .enums import AssessmentState, Source
from .models import Assessment, Indicator
from .progress import progress
from .target_forms import ActionForm, ActualsForm, AssessmentForm, IndicatorForm, TargetGridForm
from .target_selectors import (
    assessments_visible_to,
    grid_regions,
    indicators,
    latest_year,
    reported_indicators,
    reported_of,
    targets_of,
)

RECORDS_LIMIT = 200

# How a record of each model reads in the records list: (select_related, line).
_LINES = {
    "qualification": (
        ("organization",),
        lambda q: " · ".join(
            filter(
                None,
                [
                    q.organization.name,
                    q.get_kind_display(),
                    q.get_level_display(),
                    q.certificate_no,
                    str(q.valid_from),
                ],
            )
        ),
    ),
    "annualdata": (("organization",), str),
    "meeting": (
        ("event", "demand_party", "supply_party"),
        lambda m: f"{m.event.title} · {m.demand_party} — {m.supply_party} · {m.get_outcome_display()}",
    ),
    "contractregistration": ((), lambda c: f"{c.title} · {c.seller_name} · {c.transaction_amount}"),
    "incubateerevenue": (("incubatee",), lambda r: f"{r.incubatee.name} · {r.year} · {r.revenue}"),
    "incubatee": (("carrier",), lambda i: f"{i.name} · {i.carrier.name} · {i.entered_on}"),
    "talent": (("organization",), lambda t: f"{t.name} · {t.get_kind_display()} · {t.organization.name}"),
    "ledgerentry": (("program",), lambda e: f"{e.program.name} · {e.get_kind_display()} · {e.amount}"),
    "patent": (("organization",), lambda p: f"{p.application_no} · {p.title} · {p.organization.name}"),
}


def describe(records) -> list[str]:
    """One readable line per record, related rows read in the same query."""
    related, line = _LINES.get(records.model._meta.model_name, ((), str))
    return [line(row) for row in records.select_related(*related)]


def _may_read(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.is_region_scoped)


def _year(request, default: int) -> int:
    try:
        return int(request.GET.get("year") or default)
    except ValueError:
        return default


def _region_code(request) -> str | None:
    return request.GET.get("region") or request.user.region_id


def _number(value) -> str:
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# ---------------------------------------------------------------------------------------------
# Indicators


@login_required
def indicator_list(request):
    if not _may_read(request.user):
        return render_denied(request, _("您无权查看考核指标。"))
    return render(
        request,
        "targets/indicators.html",
        {"indicators": indicators(), "may_manage": perm.can_manage_indicators(request.user)},
    )


@login_required
def indicator_detail(request, pk: int):
    if not _may_read(request.user):
        return render_denied(request, _("您无权查看考核指标。"))
    indicator = get_object_or_404(indicators(), pk=pk)
    computation = COMPUTATIONS.get(indicator.computation)
    return render(
        request,
        "targets/indicator.html",
        {
            "indicator": indicator,
            "computation": computation,
            "children": indicator.children.all(),
            "may_manage": perm.can_manage_indicators(request.user),
        },
    )


@login_required
def indicator_form(request, pk: int | None = None):
    decision = perm.can_manage_indicators(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    indicator = get_object_or_404(Indicator, pk=pk) if pk else None
    form = IndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        if indicator is None:
            result = perform(
                form, lambda: services.indicator_create(by=request.user, **form.service_fields())
            )
        else:
            result = perform(
                form,
                lambda: services.indicator_update(
                    indicator=indicator,
                    by=request.user,
                    expected_version=form.cleaned_data.get("version"),
                    **form.service_fields(),
                ),
            )
        if result is not None:
            messages.success(request, _("考核指标已保存。"))
            return redirect("targets:indicator", result.pk)
    return render(request, "targets/indicator_form.html", {"form": form, "indicator": indicator})


# ---------------------------------------------------------------------------------------------
# Targets grid


def _grid_context(request):
    user = request.user
    code = _region_code(request)
    if not code or not perm.can_view_targets(user, code):
        return None, _("您无权查看该地区的目标。")
    year = _year(request, latest_year(code))
    regions = grid_regions(code)
    rows = list(indicators(active_only=True))
    targets = targets_of(year, [r.code for r in regions])
    editable = {r.code for r in regions if perm.can_set_target(user, r.code)}
    return {
        "code": code,
        "year": year,
        "regions": regions,
        "indicators": rows,
        "targets": targets,
        "editable": editable,
    }, None


@login_required
def target_grid(request):
    ctx, reason = _grid_context(request)
    if ctx is None:
        return render_denied(request, reason)
    form = TargetGridForm(
        request.POST or None,
        regions=ctx["regions"],
        indicators=ctx["indicators"],
        targets=ctx["targets"],
        editable=ctx["editable"],
    )
    if request.method == "POST":
        if not ctx["editable"]:
            return render_denied(request, _("只有本地区或上级地区科技局的业务人员可以设定该地区的目标。"))
        if form.is_valid():
            result = perform(
                form, lambda: services.target_set(year=ctx["year"], cells=form.cells(), by=request.user)
            )
            if result is not None:
                messages.success(request, _("目标已保存。"))
                return redirect(f"{reverse('targets:grid')}?region={ctx['code']}&year={ctx['year']}")
    return render(request, "targets/grid.html", {**ctx, "form": form, "years": _years(ctx["year"])})


def _years(year: int) -> list[int]:
    return list(range(year + 1, year - 5, -1))


@login_required
def target_grid_export(request):
    ctx, reason = _grid_context(request)
    if ctx is None:
        return render_denied(request, reason)
    header = [_("指标"), _("单位"), *[r.name for r in ctx["regions"]]]
    rows = []
    for indicator in ctx["indicators"]:
        line = [indicator.name, indicator.unit]
        for region in ctx["regions"]:
            target = ctx["targets"].get((region.code, indicator.pk))
            if target is None:
                line.append(None)
            elif target.stretch_value is not None:
                line.append(
                    _("%(v)s，力争%(s)s") % {"v": _number(target.value), "s": _number(target.stretch_value)}
                )
            else:
                line.append(float(target.value))
        rows.append(line)
    name = _("%(year)s年度目标") % {"year": ctx["year"]}
    return workbook_response(filename=f"{name}.xlsx", sheets=[(name, header, rows)])


# ---------------------------------------------------------------------------------------------
# Progress, records, reported actuals


@login_required
def progress_home(request):
    code = request.user.region_id
    if not code or not perm.can_view_targets(request.user, code):
        return render_denied(request, _("您无权查看该地区的目标。"))
    return redirect("targets:progress", code, latest_year(code))


def _region_or_denied(request, region: str):
    decision = perm.can_view_targets(request.user, region)
    if not decision:
        return None, render_denied(request, decision.reason)
    return get_object_or_404(Region, pk=region), None


@login_required
def progress_page(request, region: str, year: int):
    place, response = _region_or_denied(request, region)
    if response:
        return response
    lines = progress(region, year)
    return render(
        request,
        "targets/progress.html",
        {
            "region": place,
            "year": year,
            "lines": lines,
            "met": sum(1 for line in lines if line.met),
            "may_report": perm.can_report_actual(request.user, region),
            "years": _years(year),
        },
    )


@login_required
def progress_export(request, region: str, year: int):
    place, response = _region_or_denied(request, region)
    if response:
        return response
    header = [
        _("指标"),
        _("单位"),
        _("目标值"),
        _("力争值"),
        _("完成值"),
        _("完成率（%）"),
        _("是否完成"),
        _("数据来源"),
    ]
    rows = [
        [
            line.indicator.name,
            line.indicator.unit,
            float(line.target),
            None if line.stretch is None else float(line.stretch),
            None if line.actual is None else float(line.actual),
            None if line.ratio is None else float(line.ratio * 100),
            "" if line.met is None else (_("是") if line.met else _("否")),
            line.indicator.get_source_display(),
        ]
        for line in progress(region, year)
    ]
    name = _("%(region)s%(year)s年度目标完成情况") % {"region": place.name, "year": year}
    return workbook_response(filename=f"{name}.xlsx", sheets=[(name, header, rows)])


@login_required
def records_page(request, region: str, year: int, code: str):
    place, response = _region_or_denied(request, region)
    if response:
        return response
    indicator = get_object_or_404(Indicator, code=code, source=Source.COMPUTED)
    computation = COMPUTATIONS.get(indicator.computation)
    if computation is None:
        return render_denied(request, _("该指标没有可追溯的业务记录。"), status=404)
    value, records = computation(region, year)
    rows, count = [], 0
    if records is not None:
        count = records.count()
        rows = describe(records.order_by("pk")[:RECORDS_LIMIT])
    return render(
        request,
        "targets/records.html",
        {
            "region": place,
            "year": year,
            "indicator": indicator,
            "computation": computation,
            "value": value,
            "rows": rows,
            "count": count,
            "limit": RECORDS_LIMIT,
        },
    )


@login_required
def actuals_form(request, region: str, year: int):
    place, response = _region_or_denied(request, region)
    if response:
        return response
    decision = perm.can_report_actual(request.user, region)
    if not decision:
        return render_denied(request, decision.reason)
    form = ActualsForm(
        request.POST or None, indicators=list(reported_indicators()), reported=reported_of(region, year)
    )
    if request.method == "POST" and form.is_valid():

        def report():
            return [
                services.actual_report(
                    indicator=entry["indicator"],
                    region_code=region,
                    year=year,
                    value=entry["value"],
                    source_note=entry["source_note"],
                    expected_version=entry["expected_version"],
                    by=request.user,
                )
                for entry in form.entries()
            ]

        if perform(form, report) is not None:
            messages.success(request, _("完成值已保存。"))
            return redirect("targets:progress", region, year)
    return render(request, "targets/actuals.html", {"form": form, "region": place, "year": year})


# ---------------------------------------------------------------------------------------------
# Assessments


@login_required
def assessment_list(request):
    if not _may_read(request.user):
        return render_denied(request, _("您无权查看考核。"))
    code = request.user.region_id
    return render(
        request,
        "targets/assessments.html",
        {
            "assessments": assessments_visible_to(request.user),
            "may_create": bool(code) and perm.can_manage_assessment(request.user, code),
        },
    )


@login_required
def assessment_create(request):
    code = request.user.region_id
    decision = perm.can_manage_assessment(request.user, code)
    if not decision:
        return render_denied(request, decision.reason)
    form = AssessmentForm(request.POST or None, indicators=list(indicators(active_only=True)))
    if request.method == "POST" and form.is_valid():
        result = perform(
            form,
            lambda: services.assessment_create(
                region_code=code,
                year=form.cleaned_data["year"],
                name=form.cleaned_data["name"],
                weights=form.weights(),
                by=request.user,
            ),
        )
        if result is not None:
            messages.success(request, _("考核已创建。"))
            return redirect("targets:assessment", result.pk)
    return render(request, "targets/assessment_form.html", {"form": form})


def _assessment_or_denied(request, pk: int):
    assessment = get_object_or_404(Assessment.objects.select_related("region"), pk=pk)
    decision = perm.can_view_assessment(request.user, assessment)
    if not decision:
        return None, render_denied(request, decision.reason, status=404)
    return assessment, None


@login_required
def assessment_detail(request, pk: int):
    assessment, response = _assessment_or_denied(request, pk)
    if response:
        return response
    may_manage = perm.can_manage_assessment(request.user, assessment.region_id)
    results = list(assessment.results.select_related("region"))
    if assessment.state != AssessmentState.PUBLISHED and not may_manage:
        results = []
    return render(
        request,
        "targets/assessment.html",
        {
            "assessment": assessment,
            "weights": assessment.weights.select_related("indicator").order_by("indicator__position"),
            "results": results,
            "may_manage": may_manage and assessment.state == AssessmentState.DRAFT,
            "form": ActionForm(initial={"version": assessment.version}),
        },
    )


@login_required
@require_POST
def assessment_action(request, pk: int, action: str):
    assessment, response = _assessment_or_denied(request, pk)
    if response:
        return response
    service = {"compute": services.assessment_compute, "publish": services.assessment_publish}.get(action)
    if service is None:
        return render_denied(request, _("不支持该操作。"), status=404)
    form = ActionForm(request.POST)
    if form.is_valid():
        result = perform(
            form,
            lambda: service(
                assessment=assessment, by=request.user, expected_version=form.cleaned_data.get("version")
            ),
        )
        if result is not None:
            messages.success(request, _("考核结果已计算。") if action == "compute" else _("考核结果已发布。"))
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("targets:assessment", pk)


@login_required
def assessment_export(request, pk: int):
    assessment, response = _assessment_or_denied(request, pk)
    if response:
        return response
    if assessment.state != AssessmentState.PUBLISHED and not perm.can_manage_assessment(
        request.user, assessment.region_id
    ):
        return render_denied(request, _("考核结果尚未发布。"))
    weights = list(assessment.weights.select_related("indicator").order_by("indicator__position"))
    results = list(assessment.results.select_related("region"))
    header = [_("排名"), _("地区"), _("得分")] + [
        f"{w.indicator.name}（{_number(w.weight)}）" for w in weights
    ]
    rows = []
    detail_rows = []
    for result in results:
        scores = {d["indicator"]: d for d in result.detail}
        rows.append(
            [result.rank, result.region.name, float(result.score)]
            + [
                float(scores[w.indicator.code]["score"]) if w.indicator.code in scores else None
                for w in weights
            ]
        )
        for d in result.detail:
            detail_rows.append(
                [
                    result.region.name,
                    d.get("name", d["indicator"]),
                    d["weight"],
                    d["target"],
                    d["actual"],
                    d["score"],
                ]
            )
    detail_header = [_("地区"), _("指标"), _("权重"), _("目标值"), _("完成值"), _("得分")]
    return workbook_response(
        filename=f"{assessment.name}.xlsx",
        sheets=[(_("考核结果"), header, rows), (_("得分明细"), detail_header, detail_rows)],
    )
