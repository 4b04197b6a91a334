"""Pages of talent programs, talents (领军人才、创新团队) and foreign experts (外国专家)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core.forms import perform
from kechuang.core.permissions import is_bureau_editor
from kechuang.core.views import act_and_redirect, paginate, render_denied
from kechuang.organizations.selectors import organizations_visible_to
from kechuang.regions.selectors import regions_for_choice

from .enums import Engagement, TalentKind, TalentState
from .forms import ForeignExpertForm, TalentForm, TalentProgramForm, TalentWithdrawForm, initial_from
from .permissions import can_manage_foreign_expert, can_manage_talent_programs, can_manage_talents
from .selectors import (
    foreign_experts_visible_to,
    talent_programs_for,
    talent_programs_visible_to,
    talents_visible_to,
)
from .services import (
    EXPERT_FIELDS,
    TALENT_FIELDS,
    foreign_expert_create,
    foreign_expert_update,
    talent_create,
    talent_program_create,
    talent_update,
    talent_withdraw,
)


def _not_found(request):
    return render_denied(request, _("该记录不存在或您无权查看。"), status=404)


def _may_edit_talents(user) -> bool:
    return is_bureau_editor(user, user.region_id if user.is_authenticated else None)


def _int(value) -> int | None:
    return int(value) if (value or "").isdigit() else None


# ---------------------------------------------------------------------------------------------------------
# Talent programs


@login_required
def program_list(request):
    return render(
        request,
        "talent/talents/programs.html",
        {
            "programs": list(talent_programs_visible_to(user=request.user).order_by("name")),
            "can_manage": _may_edit_talents(request.user),
        },
    )


@login_required
def program_detail(request, pk):
    program = talent_programs_visible_to(user=request.user).filter(pk=pk).first()
    if program is None:
        return _not_found(request)
    talents = talents_visible_to(user=request.user).filter(program=program).order_by("-year", "name", "pk")
    return render(
        request,
        "talent/talents/program.html",
        {"program": program, "talents": list(talents[:200]), "can_manage": _may_edit_talents(request.user)},
    )


@login_required
def program_create_view(request):
    user = request.user
    decision = can_manage_talent_programs(user, user.region_id)
    if not decision:
        return render_denied(request, decision.reason)
    regions = regions_for_choice(user.region if user.region_id else None, max_level="county")
    form = TalentProgramForm(request.POST or None, regions=regions, initial={"region": user.region_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = perform(
            form,
            lambda: talent_program_create(
                region=data["region"], name=data["name"], description=data["description"], by=user
            ),
        )
        if done is not None:
            messages.success(request, _("已登记人才计划 %(name)s。") % {"name": done.name})
            return redirect("talent:program", pk=done.pk)
    return render(request, "talent/form.html", {"form": form, "title": _("登记人才计划")})


# ---------------------------------------------------------------------------------------------------------
# Talents


@login_required
def talent_list(request):
    qs = talents_visible_to(user=request.user)
    get = request.GET
    filters = {
        "q": (get.get("q") or "").strip(),
        "kind": get.get("kind") if get.get("kind") in TalentKind.values else "",
        "state": get.get("state") if get.get("state") in TalentState.values else "",
        "year": _int(get.get("year")),
        "program": _int(get.get("program")),
    }
    if filters["q"]:
        qs = qs.filter(
            Q(name__contains=filters["q"])
            | Q(organization__name__contains=filters["q"])
            | Q(field__contains=filters["q"])
        )
    if filters["kind"]:
        qs = qs.filter(kind=filters["kind"])
    if filters["state"]:
        qs = qs.filter(state=filters["state"])
    if filters["year"]:
        qs = qs.filter(year=filters["year"])
    if filters["program"]:
        qs = qs.filter(program_id=filters["program"])
    page = paginate(request, qs.order_by("-year", "name", "pk"))
    return render(
        request,
        "talent/talents/list.html",
        {
            "page": page,
            "filters": filters,
            "kinds": TalentKind.choices,
            "states": TalentState.choices,
            "programs": talent_programs_visible_to(user=request.user).order_by("name"),
            "can_manage": _may_edit_talents(request.user),
        },
    )


@login_required
def talent_detail(request, pk):
    talent = talents_visible_to(user=request.user).filter(pk=pk).first()
    if talent is None:
        return _not_found(request)
    return render(
        request,
        "talent/talents/detail.html",
        {
            "talent": talent,
            "can_manage": bool(can_manage_talents(request.user, talent.organization)),
            "withdraw_form": TalentWithdrawForm(initial={"version": talent.version}),
        },
    )


def _talent_form(request, instance=None):
    initial = initial_from(instance, TALENT_FIELDS) if instance else None
    return TalentForm(
        request.POST or None,
        initial=initial,
        programs=talent_programs_for(user=request.user),
        organizations=organizations_visible_to(user=request.user),
    )


@login_required
def talent_create_view(request):
    if not _may_edit_talents(request.user):
        return render_denied(request, _("只有科技局业务人员可以管理人才。"))
    form = _talent_form(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = perform(form, lambda: talent_create(by=request.user, **{k: data[k] for k in TALENT_FIELDS}))
        if done is not None:
            messages.success(request, _("已登记人才 %(name)s。") % {"name": done.name})
            return redirect("talent:talent", pk=done.pk)
    return render(request, "talent/form.html", {"form": form, "title": _("登记人才")})


@login_required
def talent_edit_view(request, pk):
    talent = talents_visible_to(user=request.user).filter(pk=pk).first()
    if talent is None:
        return _not_found(request)
    decision = can_manage_talents(request.user, talent.organization)
    if not decision:
        return render_denied(request, decision.reason)
    form = _talent_form(request, talent)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = perform(
            form,
            lambda: talent_update(
                talent=talent,
                by=request.user,
                expected_version=data.get("version"),
                **{k: data[k] for k in TALENT_FIELDS},
            ),
        )
        if done is not None:
            messages.success(request, _("已保存。"))
            return redirect("talent:talent", pk=done.pk)
    return render(
        request, "talent/form.html", {"form": form, "title": _("编辑人才"), "subtitle": talent.name}
    )


@login_required
@require_POST
def talent_withdraw_view(request, pk):
    talent = talents_visible_to(user=request.user).filter(pk=pk).first()
    if talent is None:
        return _not_found(request)
    form = TalentWithdrawForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: talent_withdraw(
            talent=talent,
            reason=form.cleaned_data["reason"],
            by=request.user,
            expected_version=form.cleaned_data.get("version"),
        ),
        success=lambda done: _("已撤销 %(name)s 的入选资格。") % {"name": done.name},
        to=reverse("talent:talent", args=[talent.pk]),
    )


# ---------------------------------------------------------------------------------------------------------
# Foreign experts


def _may_add_experts(user) -> bool:
    return _may_edit_talents(user) or bool(
        user.is_authenticated and user.acts_for_organization and user.active_organization_id
    )


@login_required
def expert_list(request):
    qs = foreign_experts_visible_to(user=request.user)
    get = request.GET
    today = timezone.localdate()
    filters = {
        "q": (get.get("q") or "").strip(),
        "engagement": get.get("engagement") if get.get("engagement") in Engagement.values else "",
        "active": get.get("active") == "1",
    }
    if filters["q"]:
        qs = qs.filter(
            Q(name__contains=filters["q"])
            | Q(country__contains=filters["q"])
            | Q(organization__name__contains=filters["q"])
        )
    if filters["engagement"]:
        qs = qs.filter(engagement=filters["engagement"])
    if filters["active"]:
        qs = qs.filter(starts_on__lte=today, ends_on__gte=today)
    page = paginate(request, qs.order_by("-starts_on", "pk"))
    return render(
        request,
        "talent/experts/list.html",
        {
            "page": page,
            "filters": filters,
            "engagements": Engagement.choices,
            "today": today,
            "can_add": _may_add_experts(request.user),
        },
    )


@login_required
def expert_detail(request, pk):
    expert = foreign_experts_visible_to(user=request.user).filter(pk=pk).first()
    if expert is None:
        return _not_found(request)
    return render(
        request,
        "talent/experts/detail.html",
        {
            "expert": expert,
            "can_manage": bool(can_manage_foreign_expert(request.user, expert.organization)),
            "today": timezone.localdate(),
        },
    )


def _expert_form(request, instance=None):
    initial = initial_from(instance, EXPERT_FIELDS) if instance else None
    return ForeignExpertForm(
        request.POST or None, initial=initial, organizations=organizations_visible_to(user=request.user)
    )


@login_required
def expert_create_view(request):
    if not _may_add_experts(request.user):
        return render_denied(request, _("只有聘用单位或其属地的科技局业务人员可以登记外国专家。"))
    form = _expert_form(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = perform(
            form, lambda: foreign_expert_create(by=request.user, **{k: data[k] for k in EXPERT_FIELDS})
        )
        if done is not None:
            messages.success(request, _("已登记外国专家 %(name)s。") % {"name": done.name})
            return redirect("talent:expert", pk=done.pk)
    return render(request, "talent/form.html", {"form": form, "title": _("登记外国专家")})


@login_required
def expert_edit_view(request, pk):
    expert = foreign_experts_visible_to(user=request.user).filter(pk=pk).first()
    if expert is None:
        return _not_found(request)
    decision = can_manage_foreign_expert(request.user, expert.organization)
    if not decision:
        return render_denied(request, decision.reason)
    form = _expert_form(request, expert)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = perform(
            form,
            lambda: foreign_expert_update(
                expert=expert,
                by=request.user,
                expected_version=data.get("version"),
                **{k: data[k] for k in EXPERT_FIELDS},
            ),
        )
        if done is not None:
            messages.success(request, _("已保存。"))
            return redirect("talent:expert", pk=done.pk)
    return render(
        request, "talent/form.html", {"form": form, "title": _("编辑外国专家"), "subtitle": expert.name}
    )
