"""Pages of IP finance: pledge financing (the organization's and its region's bureau), enforcement cases (the
bureau and officers only) and demonstration enterprises (专利示范企业)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core.forms import perform
from kechuang.core.permissions import is_bureau_editor
from kechuang.core.scoping import user_region_codes
from kechuang.core.views import act_and_redirect, paginate, render_denied
from kechuang.organizations.models import Organization
from kechuang.regions.models import Region

from . import ipfinance_services as services
from . import permissions as perm
from .enums import PledgeState
from .ipfinance_forms import (
    CaseCloseForm,
    CaseFilterForm,
    CaseForm,
    CaseStepForm,
    PledgeFilterForm,
    PledgeForm,
    PledgeSettleForm,
)
from .ipfinance_selectors import (
    case_get_visible,
    case_history,
    case_steps,
    cases_visible_to,
    demo_enterprises,
    pledge_get_visible,
    pledge_history,
    pledgeable_patents,
    pledges_visible_to,
)
from .models import Patent
from .numbers import InvalidNumber, normalize


def _not_found(request, reason):
    return render_denied(request, reason, status=404)


# ---------------------------------------------------------------------------------------------
# Pledges


@login_required
def pledge_list(request):
    user = request.user
    filters = PledgeFilterForm(request.GET or None)
    pledges = pledges_visible_to(user=user).order_by("-starts_on", "-pk")
    if filters.is_valid() and filters.cleaned_data.get("state"):
        pledges = pledges.filter(state=filters.cleaned_data["state"])
    may_create = bool(user.active_organization_id) or is_bureau_editor(user, user.region_id)
    return render(
        request,
        "patents/ipfinance_pledges.html",
        {"page": paginate(request, pledges), "filters": filters, "may_create": may_create},
    )


def _pledge_organization(request):
    """The organization a new pledge is for: the user's own, or the one a bureau editor picked."""
    user = request.user
    if user.active_organization_id:
        return user.organization
    pk = request.GET.get("organization") or request.POST.get("organization")
    codes = user_region_codes(user)
    qs = Organization.objects.all() if codes is None else Organization.objects.filter(region_id__in=codes)
    return qs.filter(pk=pk).first() if pk and str(pk).isdigit() else None


def _pledge_values(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k in services.PLEDGE_FIELDS}


@login_required
def pledge_new(request):
    user = request.user
    organization = _pledge_organization(request)
    if organization is None:
        if not is_bureau_editor(user, user.region_id):
            return render_denied(
                request, _("只有出质单位本单位的用户或属地科技局的业务人员可以登记质押融资。")
            )
        codes = user_region_codes(user)
        organizations = Organization.objects.order_by("name").only("pk", "name")
        if codes is not None:
            organizations = organizations.filter(region_id__in=codes)
        return render(request, "patents/ipfinance_pledge_pick.html", {"organizations": organizations[:500]})
    if not (decision := perm.can_edit_pledge(user, organization)):
        return render_denied(request, decision.reason)
    patents = list(pledgeable_patents(organization=organization))
    form = PledgeForm(request.POST or None, patents=patents)
    if request.method == "POST" and form.is_valid():
        pledge = perform(
            form,
            lambda: services.pledge_create(
                organization=organization,
                values=_pledge_values(form),
                patent_ids=form.cleaned_data["patents"],
                by=user,
            ),
        )
        if pledge is not None:
            messages.success(request, _("质押融资已登记。"))
            return redirect("patents:pledge", pk=pledge.pk)
    return render(
        request,
        "patents/ipfinance_pledge_form.html",
        {"form": form, "organization": organization, "pledge": None},
    )


@login_required
def pledge_edit(request, pk):
    user = request.user
    pledge = pledge_get_visible(user=user, pk=pk)
    if pledge is None:
        return _not_found(request, _("该质押融资记录不存在，或您无权查看。"))
    if not (decision := perm.can_edit_pledge(user, pledge.organization)):
        return render_denied(request, decision.reason)
    if pledge.state != PledgeState.ACTIVE:
        return render_denied(request, _("只有质押中的记录可以修改。"))
    current = list(pledge.patents.all())
    patents = current + [p for p in pledgeable_patents(organization=pledge.organization) if p not in current]
    initial = {k: getattr(pledge, k) for k in services.PLEDGE_FIELDS} | {
        "version": pledge.version,
        "patents": [str(p.pk) for p in current],
    }
    form = PledgeForm(request.POST or None, initial=initial, patents=patents)
    if request.method == "POST" and form.is_valid():
        saved = perform(
            form,
            lambda: services.pledge_update(
                pledge=pledge,
                values=_pledge_values(form),
                patent_ids=form.cleaned_data["patents"],
                expected_version=form.cleaned_data.get("version"),
                by=user,
            ),
        )
        if saved is not None:
            messages.success(request, _("质押融资已保存。"))
            return redirect("patents:pledge", pk=pledge.pk)
    return render(
        request,
        "patents/ipfinance_pledge_form.html",
        {"form": form, "organization": pledge.organization, "pledge": pledge},
    )


@login_required
def pledge_detail(request, pk):
    user = request.user
    pledge = pledge_get_visible(user=user, pk=pk)
    if pledge is None:
        return _not_found(request, _("该质押融资记录不存在，或您无权查看。"))
    active = pledge.state == PledgeState.ACTIVE
    return render(
        request,
        "patents/ipfinance_pledge.html",
        {
            "pledge": pledge,
            "patents": list(pledge.patents.order_by("pk")),
            "history": pledge_history(pledge),
            "may_edit": active and bool(perm.can_edit_pledge(user, pledge.organization)),
            "settle_form": PledgeSettleForm(initial={"version": pledge.version})
            if active and perm.can_settle_pledge(user, pledge)
            else None,
        },
    )


@login_required
@require_POST
def pledge_action(request, pk, action):
    pledge = pledge_get_visible(user=request.user, pk=pk)
    if pledge is None:
        return _not_found(request, _("该质押融资记录不存在，或您无权查看。"))
    service = {"release": services.pledge_release, "default": services.pledge_default}.get(action)
    if service is None:
        return _not_found(request, _("没有这个操作。"))
    form = PledgeSettleForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: service(
            pledge=pledge,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data.get("version"),
            by=request.user,
        ),
        success=lambda done: _("已办理：%(state)s。") % {"state": done.get_state_display()},
        to=reverse("patents:pledge", args=[pledge.pk]),
    )


# ---------------------------------------------------------------------------------------------
# Enforcement cases


def _region_users_only(request):
    user = request.user
    if not (user.is_superuser or user.is_region_scoped):
        return render_denied(request, _("专利执法案件仅对科技局和属地科技干部开放。"))
    return None


@login_required
def case_list(request):
    if (denied := _region_users_only(request)) is not None:
        return denied
    user = request.user
    filters = CaseFilterForm(request.GET or None)
    cases = cases_visible_to(user=user)
    if filters.is_valid():
        for name in ("state", "kind"):
            if filters.cleaned_data.get(name):
                cases = cases.filter(**{name: filters.cleaned_data[name]})
    return render(
        request,
        "patents/ipfinance_cases.html",
        {
            "page": paginate(request, cases),
            "filters": filters,
            "may_create": user.is_superuser or is_bureau_editor(user, user.region_id),
        },
    )


def _case_regions(user):
    codes = user_region_codes(user)
    qs = Region.objects.filter(level__in=("city", "county")).order_by("path")
    if codes is not None:
        qs = qs.filter(code__in=codes)
    return [(r.code, r.name) for r in qs]


def _registry_patent(number: str):
    try:
        return Patent.objects.filter(application_no=normalize(number)).first()
    except InvalidNumber:
        return None


@login_required
def case_new(request):
    user = request.user
    regions = _case_regions(user)
    if not (user.is_superuser or is_bureau_editor(user, user.region_id)) or not regions:
        return render_denied(request, _("只有科技局的业务人员可以登记专利执法案件。"))
    form = CaseForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        region = Region.objects.get(pk=data.pop("region"))
        number = (data.get("patent_number") or "").strip()
        data["patent"] = _registry_patent(number) if number else None
        case = perform(form, lambda: services.case_open(region=region, values=data, by=user))
        if case is not None:
            messages.success(request, _("案件已登记。"))
            return redirect("patents:case", pk=case.pk)
    return render(request, "patents/ipfinance_case_form.html", {"form": form})


@login_required
def case_detail(request, pk):
    if (denied := _region_users_only(request)) is not None:
        return denied
    case = case_get_visible(user=request.user, pk=pk)
    if case is None:
        return _not_found(request, _("该案件不存在，或您无权查看。"))
    handle = case.state != "closed" and bool(perm.can_handle_case(request.user, case.region_id))
    return render(
        request,
        "patents/ipfinance_case.html",
        {
            "case": case,
            "steps": case_steps(case),
            "history": case_history(case),
            "step_form": CaseStepForm(initial={"version": case.version}, prefix="step") if handle else None,
            "close_form": CaseCloseForm(initial={"version": case.version}, prefix="close")
            if handle
            else None,
        },
    )


@login_required
@require_POST
def case_step(request, pk):
    case = case_get_visible(user=request.user, pk=pk)
    if case is None:
        return _not_found(request, _("该案件不存在，或您无权查看。"))
    form = CaseStepForm(request.POST, prefix="step")
    return act_and_redirect(
        request,
        form,
        lambda: services.case_step_add(
            case=case,
            happened_on=form.cleaned_data["happened_on"],
            action=form.cleaned_data["action"],
            note=form.cleaned_data["note"],
            state=form.cleaned_data["state"],
            expected_version=form.cleaned_data.get("version"),
            by=request.user,
        ),
        success=lambda step: _("已记录：%(action)s。") % {"action": step.action},
        to=reverse("patents:case", args=[case.pk]),
    )


@login_required
@require_POST
def case_close(request, pk):
    case = case_get_visible(user=request.user, pk=pk)
    if case is None:
        return _not_found(request, _("该案件不存在，或您无权查看。"))
    form = CaseCloseForm(request.POST, prefix="close")
    return act_and_redirect(
        request,
        form,
        lambda: services.case_close(
            case=case,
            outcome=form.cleaned_data["outcome"],
            closed_on=form.cleaned_data["closed_on"],
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data.get("version"),
            by=request.user,
        ),
        success=lambda done: _("案件已结案。"),
        to=reverse("patents:case", args=[case.pk]),
    )


# ---------------------------------------------------------------------------------------------
# Demonstration enterprises


@login_required
def demo_enterprise_list(request):
    rows = demo_enterprises(user=request.user, day=timezone.localdate())
    return render(request, "patents/ipfinance_demo.html", {"page": paginate(request, rows, 50)})
