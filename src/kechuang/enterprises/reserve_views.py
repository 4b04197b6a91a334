"""Pages of the reserve pool (后备库): the list with its filters, actions and export, and the enterprise panel."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kechuang.core.forms import perform
from kechuang.core.models import AuditLog
from kechuang.core.scoping import region_within_user_scope
from kechuang.core.views import act_and_redirect, paginate, render_denied
from kechuang.organizations.enums import OrganizationKind

from .enums import AssessmentKind, ReserveStatus
from .models import AssessmentResult, ReserveEntry
from .permissions import can_curate_reserve
from .reserve import (
    can_propose_reserve,
    can_view_reserve,
    reserve_add,
    reserve_entries_listed,
    reserve_entries_visible_to,
    reserve_propose,
    reserve_transition,
    reserve_transitions_allowed,
)
from .reserve_filters import ReserveFilter
from .reserve_forms import ReserveAddForm, ReserveProposeForm, ReserveTransitionForm, default_target_year
from .selectors import enterprise_get_visible

EXPORT_HEADER = [
    gettext_lazy("企业名称"),
    gettext_lazy("统一社会信用代码"),
    gettext_lazy("属地"),
    gettext_lazy("培育梯度"),
    gettext_lazy("培育方向"),
    gettext_lazy("目标年度"),
    gettext_lazy("自评得分（估计）"),
    gettext_lazy("未满足条件数"),
    gettext_lazy("入库理由"),
    gettext_lazy("来源"),
    gettext_lazy("状态"),
    gettext_lazy("状态时间"),
    gettext_lazy("最新说明"),
]


def _back(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _transition_form(entry: ReserveEntry) -> ReserveTransitionForm | None:
    targets = reserve_transitions_allowed(entry)
    if not targets:
        return None
    return ReserveTransitionForm(
        targets=targets, initial={"version": entry.version, "to": targets[0]}, auto_id=f"e{entry.pk}_%s"
    )


def _export(entries):
    from kechuang.core.excel import workbook_response

    rows = [
        [
            e.organization.name,
            e.organization.credit_code,
            e.organization.region.name,
            e.organization.get_tier_display(),
            e.get_kind_display(),
            e.target_year,
            float(e.score) if e.score is not None else None,
            e.failed,
            e.reason,
            e.get_source_display(),
            e.get_status_display(),
            timezone.localtime(e.status_since).strftime("%Y-%m-%d %H:%M"),
            e.last_remark or "",
        ]
        for e in entries.iterator(chunk_size=2000)
    ]
    return workbook_response(
        filename=_("后备库") + f"-{timezone.localdate():%Y%m%d}.xlsx",
        sheets=[(_("后备库"), [str(h) for h in EXPORT_HEADER], rows)],
    )


@login_required
def reserve_list(request):
    decision = can_view_reserve(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    filterset = ReserveFilter(
        request.GET, queryset=reserve_entries_listed(user=request.user), request=request
    )
    if request.GET.get("format") == "xlsx":
        return _export(filterset.qs)
    page = paginate(request, filterset.qs)
    curator = bool(can_propose_reserve(request.user))
    rows = [
        (
            entry,
            _transition_form(entry)
            if curator and can_curate_reserve(request.user, entry.organization)
            else None,
        )
        for entry in page
    ]
    propose_form = None
    if curator:
        year = filterset.form.cleaned_data.get("target_year") if filterset.is_valid() else None
        kind = filterset.form.cleaned_data.get("kind") if filterset.is_valid() else None
        propose_form = ReserveProposeForm(
            initial={
                "target_year": int(year) if year else default_target_year(),
                "kind": kind or AssessmentKind.HNTE,
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    context = {
        "filter": filterset,
        "page": page,
        "rows": rows,
        "propose_form": propose_form,
        "export_query": query.urlencode(),
        "here": request.get_full_path(),
    }
    template = "enterprises/reserve/_rows.html" if request.htmx else "enterprises/reserve/list.html"
    return render(request, template, context)


@login_required
@require_POST
def reserve_propose_view(request):
    form = ReserveProposeForm(request.POST)
    back = reverse("enterprises:reserve_list")
    if form.is_valid():
        year, kind = form.cleaned_data["target_year"], form.cleaned_data["kind"]
        run = perform(form, lambda: reserve_propose(target_year=year, kind=kind, by=request.user))
        if run is not None:
            messages.success(
                request,
                _("已按规则推荐 %(n)s 家企业进入%(year)s年%(kind)s后备库。")
                % {"n": run.count, "year": year, "kind": AssessmentKind(kind).label},
            )
            return redirect(f"{back}?target_year={year}&kind={kind}&status=proposed")
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect(back)


@login_required
@require_POST
def reserve_transition_view(request, pk):
    entry = reserve_entries_visible_to(user=request.user).filter(pk=pk).first()
    if entry is None:
        return render_denied(request, _("该后备库记录不存在或不在您的属地范围内。"), status=404)
    form = ReserveTransitionForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: reserve_transition(
            entry=entry,
            to=form.cleaned_data["to"],
            reason=form.cleaned_data["reason"],
            by=request.user,
            expected_version=form.cleaned_data.get("version"),
        ),
        success=lambda done: (
            _("%(name)s 已改为“%(status)s”。")
            % {"name": done.organization.name, "status": done.get_status_display()}
        ),
        to=_back(request, reverse("enterprises:reserve_list")),
    )


@login_required
def reserve_add_view(request, organization_pk):
    organization = enterprise_get_visible(user=request.user, pk=organization_pk)
    if organization is None:
        return render_denied(request, _("该企业不存在或不在您的属地范围内。"), status=404)
    decision = can_curate_reserve(request.user, organization)
    if not decision:
        return render_denied(request, decision.reason)
    form = ReserveAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entry = perform(
            form,
            lambda: reserve_add(
                organization=organization,
                kind=form.cleaned_data["kind"],
                target_year=form.cleaned_data["target_year"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                by=request.user,
            ),
        )
        if entry is not None:
            messages.success(request, _("已将 %(name)s 加入后备库。") % {"name": organization.name})
            return redirect(_back(request, reverse("enterprises:reserve_list") + f"?q={organization.name}"))
    return render(
        request,
        "enterprises/reserve/add.html",
        {"form": form, "organization": organization, "next": _back(request, "")},
    )


@login_required
def reserve_add_pick(request):
    """Choose the enterprise to add by hand."""
    from .liaison_views import pick_enterprise

    decision = can_propose_reserve(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    return pick_enterprise(
        request,
        title=_("加入后备库：选择企业"),
        link=lambda organization: reverse("enterprises:reserve_add", args=[organization.pk]),
    )


def panel(*, user, organization) -> dict | None:
    """The reserve panel of the enterprise detail page (`enterprises/reserve/_panel.html`, passed as `reserve`),
    or None when the user may not see it."""
    if organization.kind != OrganizationKind.ENTERPRISE or not can_view_reserve(user):
        return None
    if not region_within_user_scope(user, organization.region_id):
        return None
    entries = list(ReserveEntry.objects.filter(organization=organization).order_by("-target_year", "kind"))
    curate = bool(can_curate_reserve(user, organization))
    history = list(
        AuditLog.objects.filter(
            content_type=ContentType.objects.get_for_model(ReserveEntry),
            object_id__in=[str(e.pk) for e in entries],
            action=AuditLog.Action.TRANSITION,
        ).order_by("-at", "-id")[:20]
    )
    by_pk = {str(e.pk): e for e in entries}
    status = dict(ReserveStatus.choices)
    return {
        "organization": organization,
        "rows": [(entry, _transition_form(entry) if curate else None) for entry in entries],
        "assessments": list(AssessmentResult.objects.filter(organization=organization).order_by("kind")),
        "history": [
            {
                "line": line,
                "entry": by_pk.get(line.object_id),
                "from": status.get(line.from_state, line.from_state),
                "to": status.get(line.to_state, line.to_state),
            }
            for line in history
        ],
        "can_curate": curate,
        "add_url": reverse("enterprises:reserve_add", args=[organization.pk]) if curate else "",
    }
