"""Pages of the science commissioners (科技特派员): list, detail with dispatches, the dispatch page with its work log
and the commissioner's annual summary, the town summary and the bureau's figures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core.forms import perform
from kechuang.core.permissions import in_region
from kechuang.core.views import act_and_redirect, paginate, render_denied
from kechuang.organizations.selectors import organizations_visible_to
from kechuang.regions.models import Region
from kechuang.regions.selectors import regions_for_choice

from .enums import Engagement, TalentKind
from .forms import (
    CommissionerFilterForm,
    CommissionerForm,
    DeleteForm,
    DispatchEndForm,
    DispatchForm,
    DispatchRecallForm,
    WorkLogForm,
    initial_from,
)
from .permissions import can_dispatch_to, can_manage_commissioners, can_write_work_log
from .selectors import (
    commissioner_get_visible,
    commissioners_listed,
    dispatch_get_visible,
    dispatches_of,
    towns_visible_to,
    work_log_get_visible,
    work_logs_of,
)
from .services import (
    COMMISSIONER_FIELDS,
    commissioner_create,
    commissioner_update,
    dispatch_create,
    dispatch_end,
    dispatch_recall,
    worklog_add,
    worklog_delete,
    worklog_update,
)
from .summaries import commissioner_figures, commissioner_summary, talent_figures, town_summary

LOG_FIELDS = ("kind", "happened_on", "title", "description", "quantity", "attendance")


def _year(request) -> int:
    value = request.GET.get("year") or ""
    return int(value) if value.isdigit() and 1990 <= int(value) <= 2100 else timezone.localdate().year


def _not_found(request):
    return render_denied(request, _("该记录不存在或您无权查看。"), status=404)


# ---------------------------------------------------------------------------------------------------------
# Commissioners


@login_required
def commissioner_list(request):
    user = request.user
    if not (user.is_superuser or user.is_region_scoped or user.active_organization_id):
        return render_denied(request, _("您无权查看科技特派员。"))
    towns = towns_visible_to(user=user)
    form = CommissionerFilterForm(request.GET or None, towns=towns)
    filters = form.cleaned_data if form.is_valid() else {}
    town = filters.get("town")
    qs = commissioners_listed(
        user=user,
        kind=filters.get("kind") or "",
        town=town.pk if town else "",
        year=filters.get("year"),
        q=filters.get("q") or "",
    )
    page = paginate(request, qs)
    template = "talent/commissioners/_rows.html" if request.htmx else "talent/commissioners/list.html"
    return render(
        request,
        template,
        {"form": form, "page": page, "can_manage": bool(can_manage_commissioners(user))},
    )


def _commissioner_form(request, instance=None):
    organizations = organizations_visible_to(user=request.user)
    initial = initial_from(instance, COMMISSIONER_FIELDS) if instance else None
    return CommissionerForm(request.POST or None, initial=initial, organizations=organizations)


@login_required
def commissioner_create_view(request):
    decision = can_manage_commissioners(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    form = _commissioner_form(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = perform(
            form, lambda: commissioner_create(by=request.user, **{k: data[k] for k in COMMISSIONER_FIELDS})
        )
        if done is not None:
            messages.success(request, _("已登记科技特派员 %(name)s。") % {"name": done.name})
            return redirect("talent:commissioner", pk=done.pk)
    return render(request, "talent/form.html", {"form": form, "title": _("登记科技特派员")})


@login_required
def commissioner_edit_view(request, pk):
    commissioner = commissioner_get_visible(user=request.user, pk=pk)
    if commissioner is None:
        return _not_found(request)
    decision = can_manage_commissioners(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    form = _commissioner_form(request, commissioner)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = perform(
            form,
            lambda: commissioner_update(
                commissioner=commissioner,
                by=request.user,
                expected_version=data.get("version"),
                **{k: data[k] for k in COMMISSIONER_FIELDS},
            ),
        )
        if done is not None:
            messages.success(request, _("已保存。"))
            return redirect("talent:commissioner", pk=done.pk)
    return render(
        request,
        "talent/form.html",
        {"form": form, "title": _("编辑科技特派员"), "subtitle": commissioner.name},
    )


@login_required
def commissioner_detail(request, pk):
    commissioner = commissioner_get_visible(user=request.user, pk=pk)
    if commissioner is None:
        return _not_found(request)
    return render(
        request,
        "talent/commissioners/detail.html",
        {
            "commissioner": commissioner,
            "dispatches": list(dispatches_of(user=request.user, commissioner=commissioner)),
            "can_manage": bool(can_manage_commissioners(request.user)),
        },
    )


@login_required
def dispatch_create_view(request, pk):
    commissioner = commissioner_get_visible(user=request.user, pk=pk)
    if commissioner is None:
        return _not_found(request)
    decision = can_manage_commissioners(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    form = DispatchForm(request.POST or None, towns=towns_visible_to(user=request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = perform(
            form,
            lambda: dispatch_create(
                commissioner=commissioner,
                town=data["town"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                served=data["served"],
                tasks=data["tasks"],
                by=request.user,
            ),
        )
        if done is not None:
            messages.success(request, _("已派驻到 %(town)s。") % {"town": done.town.name})
            return redirect("talent:dispatch", pk=done.pk)
    return render(
        request,
        "talent/form.html",
        {"form": form, "title": _("派驻科技特派员"), "subtitle": commissioner.name},
    )


# ---------------------------------------------------------------------------------------------------------
# Dispatch page and work log


def _dispatch_context(request, dispatch, *, log_form=None):
    year = _year(request)
    logs = list(work_logs_of(dispatch=dispatch, year=year))
    may_write = bool(can_write_work_log(request.user, dispatch))
    return {
        "dispatch": dispatch,
        "year": year,
        "years": list(range(dispatch.starts_on.year, dispatch.ends_on.year + 1)),
        "logs": logs,
        "may_write": may_write,
        "may_manage": bool(can_dispatch_to(request.user, dispatch.town)),
        "log_form": log_form or (WorkLogForm() if may_write else None),
        "delete_form": DeleteForm(),
        "end_form": DispatchEndForm(),
        "recall_form": DispatchRecallForm(),
        # Region users see the commissioner's year within their region; the organization sees all of it.
        "summary": commissioner_summary(
            commissioner=dispatch.commissioner,
            year=year,
            region_code=request.user.region_id if request.user.is_region_scoped else None,
        ),
        "today": timezone.localdate(),
    }


@login_required
def dispatch_detail(request, pk):
    dispatch = dispatch_get_visible(user=request.user, pk=pk)
    if dispatch is None:
        return _not_found(request)
    return render(request, "talent/commissioners/dispatch.html", _dispatch_context(request, dispatch))


@login_required
@require_POST
def worklog_add_view(request, pk):
    dispatch = dispatch_get_visible(user=request.user, pk=pk)
    if dispatch is None:
        return _not_found(request)
    decision = can_write_work_log(request.user, dispatch)
    if not decision:
        return render_denied(request, decision.reason)
    form = WorkLogForm(request.POST)
    done = None
    if form.is_valid():
        data = form.cleaned_data
        done = perform(
            form,
            lambda: worklog_add(dispatch=dispatch, by=request.user, **{k: data[k] for k in LOG_FIELDS}),
        )
    if request.htmx:
        context = _dispatch_context(request, dispatch, log_form=None if done else form)
        return render(request, "talent/commissioners/_log.html", context)
    if done is not None:
        messages.success(request, _("已添加工作日志。"))
        return redirect(reverse("talent:dispatch", args=[dispatch.pk]) + f"?year={done.happened_on.year}")
    return render(
        request, "talent/commissioners/dispatch.html", _dispatch_context(request, dispatch, log_form=form)
    )


@login_required
def worklog_edit_view(request, pk):
    log = work_log_get_visible(user=request.user, pk=pk)
    if log is None:
        return _not_found(request)
    decision = can_write_work_log(request.user, log.dispatch)
    if not decision:
        return render_denied(request, decision.reason)
    form = WorkLogForm(request.POST or None, initial=initial_from(log, LOG_FIELDS))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = perform(
            form,
            lambda: worklog_update(
                log=log,
                by=request.user,
                expected_version=data.get("version"),
                **{k: data[k] for k in LOG_FIELDS},
            ),
        )
        if done is not None:
            messages.success(request, _("已保存。"))
            return redirect(
                reverse("talent:dispatch", args=[log.dispatch_id]) + f"?year={done.happened_on.year}"
            )
    return render(
        request,
        "talent/form.html",
        {"form": form, "title": _("编辑工作日志"), "subtitle": str(log.dispatch)},
    )


@login_required
@require_POST
def worklog_delete_view(request, pk):
    log = work_log_get_visible(user=request.user, pk=pk)
    if log is None:
        return _not_found(request)
    form = DeleteForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: (
            worklog_delete(log=log, by=request.user, expected_version=form.cleaned_data.get("version")) or log
        ),
        success=lambda done: _("已删除工作日志“%(title)s”。") % {"title": done.title},
        to=reverse("talent:dispatch", args=[log.dispatch_id]) + f"?year={log.happened_on.year}",
    )


@login_required
@require_POST
def dispatch_end_view(request, pk):
    dispatch = dispatch_get_visible(user=request.user, pk=pk)
    if dispatch is None:
        return _not_found(request)
    form = DispatchEndForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: dispatch_end(
            dispatch=dispatch, by=request.user, expected_version=form.cleaned_data.get("version")
        ),
        success=lambda done: _("派驻已期满结束。"),
        to=reverse("talent:dispatch", args=[dispatch.pk]),
    )


@login_required
@require_POST
def dispatch_recall_view(request, pk):
    dispatch = dispatch_get_visible(user=request.user, pk=pk)
    if dispatch is None:
        return _not_found(request)
    form = DispatchRecallForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: dispatch_recall(
            dispatch=dispatch,
            reason=form.cleaned_data["reason"],
            by=request.user,
            expected_version=form.cleaned_data.get("version"),
        ),
        success=lambda done: _("已召回科技特派员。"),
        to=reverse("talent:dispatch", args=[dispatch.pk]),
    )


# ---------------------------------------------------------------------------------------------------------
# Town summary and the bureau's figures


@login_required
def town_summary_view(request):
    user = request.user
    if not (user.is_superuser or user.is_region_scoped):
        return render_denied(request, _("乡镇汇总仅供科技局人员和属地科技干部查看。"))
    towns = towns_visible_to(user=user)
    code = request.GET.get("town") or ""
    town = towns.filter(pk=code).first() if code else None
    if town is None and user.region_id and user.region.level == "town":
        town = user.region
    year = _year(request)
    return render(
        request,
        "talent/commissioners/town.html",
        {
            "towns": towns,
            "town": town,
            "year": year,
            "summary": town_summary(town_code=town.pk, year=year) if town else None,
        },
    )


@login_required
def figures_view(request):
    user = request.user
    if not (user.is_superuser or user.is_region_scoped):
        return render_denied(request, _("统计数据仅供科技局人员和属地科技干部查看。"))
    regions = regions_for_choice(user.region if user.region_id else None, max_level="county")
    code = request.GET.get("region") or (user.region_id or "")
    region = Region.objects.filter(pk=code).first() if code else None
    if region is None or not in_region(user, region.pk):
        region = (
            user.region if user.region_id else Region.objects.filter(level="city").order_by("path").first()
        )
    year = _year(request)
    talents = talent_figures(region_code=region.pk, year=year)
    return render(
        request,
        "talent/figures.html",
        {
            "regions": regions,
            "region": region,
            "year": year,
            "commissioners": commissioner_figures(region_code=region.pk, year=year),
            "talents": talents,
            "talent_kinds": [(kind.label, talents["talents_by_kind"][kind.value]) for kind in TalentKind],
            "engagements": [(e.label, talents["foreign_experts_by_engagement"][e.value]) for e in Engagement],
        },
    )
