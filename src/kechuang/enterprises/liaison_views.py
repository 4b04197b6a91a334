"""Pages of liaison (挂联/帮扶): assignments, 我的挂联企业, the visit log and list, needs, 我的跟进事项, and
the enterprise panel."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.accounts.enums import Role
from kechuang.core.errors import DomainError
from kechuang.core.forms import perform
from kechuang.core.views import act_and_redirect, paginate, render_denied
from kechuang.organizations.enums import OrganizationKind

from .liaison import (
    NEED_TRANSITIONS,
    assignment_create,
    assignment_end,
    assignments_of,
    assignments_of_enterprise,
    assignments_visible_to,
    can_view_liaison,
    follow_up_complete,
    follow_up_create,
    follow_ups_open_for,
    follow_ups_visible_to,
    liaison_candidates,
    need_to_demand,
    need_update_status,
    visit_log,
    visits_listed,
    visits_visible_to,
)
from .liaison_filters import AssignmentFilter, VisitFilter
from .liaison_forms import (
    AssignmentEndForm,
    AssignmentForm,
    FollowUpCompleteForm,
    FollowUpCreateForm,
    FollowUpFormSet,
    NeedFormSet,
    NeedStatusForm,
    NeedToDemandForm,
    VisitForm,
    filled,
)
from .models import Need
from .permissions import can_assign_liaison, can_log_visit
from .reserve_views import _back
from .selectors import enterprise_get_visible, enterprises_visible_to


def _denied_unless_internal(request, organization=None):
    decision = can_view_liaison(request.user, organization)
    return None if decision else render_denied(request, decision.reason)


def _enterprise(request, pk):
    """The enterprise `pk` if the user may see it, else None."""
    return enterprise_get_visible(user=request.user, pk=pk) if pk and str(pk).isdigit() else None


def pick_enterprise(request, *, title: str, link):
    """A small search to choose the enterprise a form is about; `link(organization)` is where each hit goes."""
    q = (request.GET.get("q") or "").strip()
    hits = []
    if q:
        found = enterprises_visible_to(user=request.user).filter(name__contains=q).order_by("name")[:20]
        hits = [(organization, link(organization)) for organization in found]
    return render(request, "enterprises/liaison/pick.html", {"title": title, "q": q, "hits": hits})


def _with_organization(name: str):
    return lambda organization: reverse(name) + f"?organization={organization.pk}"


# ---------------------------------------------------------------------------------------------------------
# Assignments


@login_required
def assignment_list(request):
    if denied := _denied_unless_internal(request):
        return denied
    data = request.GET.copy()
    if "active" not in data:
        data["active"] = "true"
    filterset = AssignmentFilter(data, queryset=assignments_visible_to(user=request.user), request=request)
    page = paginate(request, filterset.qs)
    return render(
        request,
        "enterprises/liaison/assignments.html",
        {
            "filter": filterset,
            "page": page,
            "today": timezone.localdate(),
            "can_assign": request.user.is_superuser
            or request.user.role in (Role.BUREAU_ADMIN, Role.BUREAU_STAFF),
            "end_form": AssignmentEndForm(),
            "here": request.get_full_path(),
        },
    )


@login_required
def assignment_create_view(request):
    organization = _enterprise(request, request.GET.get("organization"))
    if organization is None:
        if denied := _denied_unless_internal(request):
            return denied
        return pick_enterprise(
            request,
            title=_("安排挂联：选择企业"),
            link=_with_organization("enterprises:liaison_assignment_create"),
        )
    decision = can_assign_liaison(request.user, organization)
    if not decision:
        return render_denied(request, decision.reason)
    form = AssignmentForm(request.POST or None, candidates=liaison_candidates(organization))
    if request.method == "POST" and form.is_valid():
        done = perform(
            form,
            lambda: assignment_create(
                organization=organization,
                staff=form.cleaned_data["staff"],
                since=form.cleaned_data["since"],
                until=form.cleaned_data["until"],
                note=form.cleaned_data["note"],
                by=request.user,
            ),
        )
        if done is not None:
            messages.success(
                request,
                _("已安排 %(staff)s 挂联 %(name)s。") % {"staff": done.staff, "name": organization.name},
            )
            return redirect(_back(request, reverse("enterprises:liaison_assignments")))
    return render(
        request,
        "enterprises/liaison/assignment_form.html",
        {"form": form, "organization": organization, "next": _back(request, "")},
    )


@login_required
@require_POST
def assignment_end_view(request, pk):
    assignment = assignments_visible_to(user=request.user).filter(pk=pk).first()
    if assignment is None:
        return render_denied(request, _("该挂联记录不存在或不在您的属地范围内。"), status=404)
    form = AssignmentEndForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: assignment_end(
            assignment=assignment,
            until=form.cleaned_data["until"],
            by=request.user,
            expected_version=form.cleaned_data.get("version"),
        ),
        success=lambda done: (
            _("已结束 %(staff)s 对 %(name)s 的挂联。") % {"staff": done.staff, "name": done.organization.name}
        ),
        to=_back(request, reverse("enterprises:liaison_assignments")),
    )


@login_required
def my_enterprises(request):
    if denied := _denied_unless_internal(request):
        return denied
    return render(
        request,
        "enterprises/liaison/mine.html",
        {"assignments": list(assignments_of(user=request.user))},
    )


# ---------------------------------------------------------------------------------------------------------
# Visits


@login_required
def visit_list(request):
    if denied := _denied_unless_internal(request):
        return denied
    filterset = VisitFilter(
        request.GET, queryset=visits_listed(user=request.user).order_by("-visited_on", "-pk"), request=request
    )
    page = paginate(request, filterset.qs)
    return render(
        request,
        "enterprises/liaison/visits.html",
        {"filter": filterset, "page": page, "today": timezone.localdate()},
    )


def _visit_payload(needs_formset, follow_ups_formset):
    needs = [{"kind": d["kind"], "description": d["description"]} for _row, d in filled(needs_formset)]
    # "需求 n" in a follow-up names a row of the needs table; the service counts only the rows filled in.
    positions = {row: index for index, (row, _d) in enumerate(filled(needs_formset), 1)}
    follow_ups = []
    for number, data in filled(follow_ups_formset):
        need = data.get("need")
        if need and need not in positions:
            raise DomainError(_("第%(n)s项跟进事项对应的需求%(need)s未填写。") % {"n": number, "need": need})
        follow_ups.append(
            {
                "action": data["action"],
                "owner": data["owner"],
                "due_on": data["due_on"],
                "need": positions.get(need) if need else None,
            }
        )
    return needs, follow_ups


@login_required
def visit_create_view(request):
    organization = _enterprise(request, request.GET.get("organization"))
    if organization is None:
        if denied := _denied_unless_internal(request):
            return denied
        return pick_enterprise(
            request,
            title=_("记录走访：选择企业"),
            link=_with_organization("enterprises:liaison_visit_create"),
        )
    decision = can_log_visit(request.user, organization)
    if not decision:
        return render_denied(request, decision.reason)
    candidates = liaison_candidates(organization)
    post = request.POST or None
    form = VisitForm(post, candidates=candidates, by=request.user)
    needs = NeedFormSet(post, prefix="needs")
    follow_ups = FollowUpFormSet(post, prefix="follow_ups", form_kwargs={"candidates": candidates})
    if request.method == "POST" and form.is_valid() and needs.is_valid() and follow_ups.is_valid():

        def action():
            need_items, follow_up_items = _visit_payload(needs, follow_ups)
            return visit_log(
                organization=organization,
                visited_on=form.cleaned_data["visited_on"],
                visitors=form.cleaned_data["visitors"],
                met=form.cleaned_data["met"],
                summary=form.cleaned_data["summary"],
                needs=need_items,
                follow_ups=follow_up_items,
                by=request.user,
            )

        visit = perform(form, action)
        if visit is not None:
            messages.success(request, _("已记录对 %(name)s 的走访。") % {"name": organization.name})
            return redirect("enterprises:liaison_visit", pk=visit.pk)
    return render(
        request,
        "enterprises/liaison/visit_form.html",
        {"form": form, "needs": needs, "follow_ups": follow_ups, "organization": organization},
    )


@login_required
def visit_detail(request, pk):
    if denied := _denied_unless_internal(request):
        return denied
    visit = visits_listed(user=request.user).filter(pk=pk).first()
    if visit is None:
        return render_denied(request, _("该走访记录不存在或不在您的属地范围内。"), status=404)
    may_edit = bool(can_log_visit(request.user, visit.organization))
    needs = [
        (
            need,
            NeedStatusForm(
                initial={"version": need.version, "status": (NEED_TRANSITIONS.get(need.status) or [""])[0]},
                auto_id=f"n{need.pk}_%s",
            )
            if may_edit and NEED_TRANSITIONS.get(need.status)
            else None,
        )
        for need in visit.needs.all()
    ]
    return render(
        request,
        "enterprises/liaison/visit_detail.html",
        {
            "visit": visit,
            "needs": needs,
            "may_edit": may_edit,
            "demand_form": NeedToDemandForm(),
            "follow_up_form": FollowUpCreateForm(
                candidates=liaison_candidates(visit.organization), needs=visit.needs.all()
            )
            if may_edit
            else None,
            "complete_form": FollowUpCompleteForm(),
            "today": timezone.localdate(),
        },
    )


def _need(request, pk):
    return (
        Need.objects.filter(visit__in=visits_visible_to(user=request.user), pk=pk)
        .select_related("visit")
        .first()
    )


@login_required
@require_POST
def need_status_view(request, pk):
    need = _need(request, pk)
    if need is None:
        return render_denied(request, _("该需求不存在或不在您的属地范围内。"), status=404)
    form = NeedStatusForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: need_update_status(
            need=need,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            by=request.user,
            expected_version=form.cleaned_data.get("version"),
        ),
        success=lambda done: _("需求状态已改为“%(status)s”。") % {"status": done.get_status_display()},
        to=reverse("enterprises:liaison_visit", args=[need.visit_id]),
    )


@login_required
@require_POST
def need_to_demand_view(request, pk):
    need = _need(request, pk)
    if need is None:
        return render_denied(request, _("该需求不存在或不在您的属地范围内。"), status=404)
    from kechuang.market.listings import demand_from_need

    form = NeedToDemandForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: need_to_demand(
            need=need,
            by=request.user,
            expected_version=form.cleaned_data.get("version"),
            create_demand=lambda draft: demand_from_need(draft, by=request.user),
        ),
        success=lambda draft: (
            _("已转为技术需求草稿：%(title)s。企业完善后提交审核发布。") % {"title": draft.title}
        ),
        to=reverse("enterprises:liaison_visit", args=[need.visit_id]),
    )


# ---------------------------------------------------------------------------------------------------------
# Follow-ups


@login_required
@require_POST
def follow_up_create_view(request, pk):
    visit = visits_visible_to(user=request.user).filter(pk=pk).first()
    if visit is None:
        return render_denied(request, _("该走访记录不存在或不在您的属地范围内。"), status=404)
    form = FollowUpCreateForm(
        request.POST, candidates=liaison_candidates(visit.organization), needs=visit.needs.all()
    )
    return act_and_redirect(
        request,
        form,
        lambda: follow_up_create(
            visit=visit,
            action=form.cleaned_data["action"],
            owner=form.cleaned_data["owner"],
            due_on=form.cleaned_data["due_on"],
            need=form.cleaned_data["need"],
            by=request.user,
        ),
        success=lambda done: _("已添加跟进事项，责任人：%(owner)s。") % {"owner": done.owner},
        to=reverse("enterprises:liaison_visit", args=[pk]),
    )


@login_required
def follow_up_list(request):
    if denied := _denied_unless_internal(request):
        return denied
    page = paginate(request, follow_ups_open_for(user=request.user), 50)
    return render(
        request,
        "enterprises/liaison/follow_ups.html",
        {"page": page, "today": timezone.localdate(), "complete_form": FollowUpCompleteForm()},
    )


@login_required
@require_POST
def follow_up_complete_view(request, pk):
    follow_up = follow_ups_visible_to(user=request.user).filter(pk=pk).first()
    if follow_up is None:
        return render_denied(request, _("该跟进事项不存在或不在您的属地范围内。"), status=404)
    form = FollowUpCompleteForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: follow_up_complete(
            follow_up=follow_up,
            result=form.cleaned_data["result"],
            done_on=form.cleaned_data["done_on"],
            by=request.user,
            expected_version=form.cleaned_data.get("version"),
        ),
        success=lambda done: _("跟进事项已办结：%(action)s") % {"action": done.action},
        to=_back(request, reverse("enterprises:liaison_follow_ups")),
    )


# ---------------------------------------------------------------------------------------------------------
# The enterprise detail page's panel


def panel(*, user, organization) -> dict | None:
    """The liaison panel of the enterprise detail page (`enterprises/liaison/_panel.html`, passed as `liaison`),
    or None when the user may not see it (enterprise users never do)."""
    if organization.kind != OrganizationKind.ENTERPRISE or not can_view_liaison(user, organization):
        return None
    today = timezone.localdate()
    visits = list(
        visits_listed(user=user).filter(organization=organization).order_by("-visited_on", "-pk")[:5]
    )
    return {
        "organization": organization,
        "assignments": list(assignments_of_enterprise(organization=organization, day=today)),
        "visits": visits,
        "open_follow_ups": list(
            follow_ups_visible_to(user=user)
            .filter(visit__organization=organization, done_on__isnull=True)
            .order_by("due_on", "pk")[:10]
        ),
        "today": today,
        "can_log_visit": bool(can_log_visit(user, organization)),
        "can_assign": bool(can_assign_liaison(user, organization)),
        "visit_url": reverse("enterprises:liaison_visit_create") + f"?organization={organization.pk}",
        "assign_url": reverse("enterprises:liaison_assignment_create") + f"?organization={organization.pk}",
        "visits_url": reverse("enterprises:liaison_visits") + f"?organization={organization.pk}",
    }
