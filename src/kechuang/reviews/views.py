from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core.forms import perform
from kechuang.core.views import act_and_redirect, paginate, render_denied
from kechuang.organizations.enums import TechField
from kechuang.projects.enums import ApplicationState
from kechuang.projects.models import ApplicationFile, Call
from kechuang.projects.permissions import can_manage_calls

from .enums import AssignmentState
from .filters import ExpertFilter
from .forms import ConflictForm, DrawForm, ExpertForm, RemoveForm, RespondForm, ReviewForm
from .models import Expert, ExpertConflict, ReviewAssignment, ReviewDraw
from .permissions import (
    can_change_expert,
    can_download_application_file,
    can_manage_expert,
    can_manage_experts,
    can_see_application,
    can_view_expert,
)
from .profiles import open_load
from .reasons import shortfall_text
from .selectors import (
    assignments_for_expert,
    conflicts_of,
    expert_of,
    experts_visible_to,
    other_reviews_visible,
    review_content,
    review_files,
)
from .services import (
    assignment_respond,
    expert_conflict_declare,
    expert_conflict_remove,
    expert_save,
    review_draw,
    review_submit,
)


@login_required
def my_reviews(request):
    return render(
        request, "reviews/my_reviews.html", {"assignments": assignments_for_expert(user=request.user)}
    )


@login_required
def assignment_view(request, pk):
    assignment = get_object_or_404(
        ReviewAssignment.objects.select_related("application__call", "application__organization", "expert"),
        pk=pk,
    )
    if assignment.expert.user_id != request.user.pk:
        return render_denied(request, _("这不是您的评审任务。"))
    call = assignment.application.call
    criteria = call.review_scheme.get("criteria", [])
    blind = bool(call.review_scheme.get("blind"))
    # Before accepting (and after declining) the expert sees the title and the call, not the content.
    may_read = bool(can_see_application(request.user, assignment))
    respond_form = RespondForm(request.POST or None) if assignment.state == AssignmentState.INVITED else None
    review_form = (
        ReviewForm(request.POST or None, criteria=criteria)
        if assignment.state == AssignmentState.ACCEPTED
        else None
    )
    if request.method == "POST":
        if respond_form is not None and respond_form.is_valid():
            done = perform(
                respond_form,
                lambda: assignment_respond(
                    assignment=assignment,
                    by=request.user,
                    accept=respond_form.cleaned_data["accept"],
                    reason=respond_form.cleaned_data["reason"],
                    note=respond_form.cleaned_data["note"],
                ),
            )
            if done is not None:
                messages.success(request, _("已答复。"))
                return redirect(
                    reverse("reviews:mine")
                    if done[0].state == AssignmentState.DECLINED
                    else reverse("reviews:assignment", args=[pk])
                )
        elif review_form is not None and review_form.is_valid():
            done = perform(
                review_form,
                lambda: review_submit(
                    assignment=assignment,
                    by=request.user,
                    scores=review_form.scores(),
                    comment=review_form.cleaned_data["comment"],
                ),
            )
            if done is not None:
                messages.success(request, _("评审意见已提交。"))
                return redirect("reviews:assignment", pk=pk)
    return render(
        request,
        "reviews/assignment.html",
        {
            "assignment": assignment,
            "content": review_content(application=assignment.application, blind=blind) if may_read else None,
            "files": review_files(application=assignment.application) if may_read else None,
            "blind": blind,
            "respond_form": respond_form,
            "review_form": review_form,
            "criteria": criteria,
            "others": other_reviews_visible(assignment=assignment).select_related("expert__user"),
        },
    )


@login_required
def call_draw(request, pk):
    call = get_object_or_404(Call.objects.select_related("program"), pk=pk)
    decision = can_manage_calls(request.user, call.program)
    if not decision:
        return render_denied(request, decision.reason)
    form = DrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        draw = perform(
            form,
            lambda: review_draw(
                call=call,
                by=request.user,
                method=form.cleaned_data["method"],
                q=float(form.cleaned_data["q"]),
            ),
        )
        if draw is not None:
            messages.success(request, _("已完成专家抽取，随机种子 %(seed)s。") % {"seed": draw.seed})
            return redirect("reviews:call_draw", pk=pk)
    draws = list(ReviewDraw.objects.filter(call=call).select_related("created_by"))
    declined_ids = {s.get("expert") for d in draws for s in d.shortfalls.values() if isinstance(s, dict)}
    names = {e.pk: str(e) for e in Expert.objects.filter(pk__in=declined_ids - {None}).select_related("user")}
    for d in draws:
        d.shortfall_texts = [(int(a), shortfall_text(s, names)) for a, s in d.shortfalls.items()]
    assignments = (
        ReviewAssignment.objects.filter(draw__call=call)
        .select_related("application", "expert__user", "expert__organization")
        .order_by("application_id", "id")
    )
    return render(
        request,
        "reviews/call_draw.html",
        {
            "call": call,
            "form": form,
            "draws": draws,
            "assignments": assignments,
            "waiting": call.applications.filter(state=ApplicationState.CHECKED).count(),
        },
    )


@login_required
def application_file(request, pk):
    """An application's attachment, for its applicant and officers and for experts who accepted it."""
    attachment = get_object_or_404(
        ApplicationFile.objects.select_related("application__call__program"), pk=pk
    )
    decision = can_download_application_file(request.user, attachment)
    if not decision:
        return render_denied(request, decision.reason)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


# --- expert pool (专家库) ----------------------------------------------------------------------------


@login_required
def expert_list(request):
    decision = can_manage_experts(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    filterset = ExpertFilter(request.GET, queryset=experts_visible_to(user=request.user), request=request)
    page = paginate(request, filterset.qs)
    template = "reviews/_expert_rows.html" if request.htmx else "reviews/expert_list.html"
    return render(request, template, {"filter": filterset, "page": page})


def _expert_for(request, pk, predicate):
    expert = get_object_or_404(Expert.objects.select_related("user", "organization", "region"), pk=pk)
    decision = predicate(request.user, expert)
    if not decision:
        return None, render_denied(request, decision.reason)
    return expert, None


@login_required
def expert_detail(request, pk):
    expert, denied = _expert_for(request, pk, can_view_expert)
    if denied:
        return denied
    bureau = bool(can_manage_expert(request.user, expert))
    return render(
        request,
        "reviews/expert_detail.html",
        {
            "expert": expert,
            "conflicts": conflicts_of(expert=expert),
            "fields": [str(TechField(c).label) for c in expert.field_codes if c in TechField.values],
            "bureau": bureau,
            "is_self": expert.user_id == request.user.pk,
            "conflict_form": ConflictForm(bureau=bureau),
            "open_tasks": open_load([expert.pk]).get(expert.pk, 0),
        },
    )


@login_required
def expert_mine(request):
    expert = expert_of(user=request.user)
    if expert is None:
        return render(request, "reviews/expert_missing.html", status=404)
    return redirect("reviews:expert", pk=expert.pk)


@login_required
def expert_edit(request, pk=None):
    if pk is None:
        decision = can_manage_experts(request.user)
        if not decision:
            return render_denied(request, decision.reason)
        expert, bureau = None, True
    else:
        expert, denied = _expert_for(request, pk, can_change_expert)
        if denied:
            return denied
        bureau = bool(can_manage_expert(request.user, expert))
    form = ExpertForm(request.POST or None, by=request.user, expert=expert, bureau=bureau)
    if request.method == "POST" and form.is_valid():
        saved = perform(
            form,
            lambda: expert_save(
                by=request.user,
                expert=expert,
                user=form.cleaned_data.get("user"),
                values=form.values(),
                expected_version=form.cleaned_data.get("version"),
            ),
        )
        if saved is not None:
            messages.success(request, _("专家信息已保存。"))
            return redirect("reviews:expert", pk=saved.pk)
    title = _("修改专家信息") if expert else _("专家入库")
    return render(request, "reviews/expert_form.html", {"form": form, "expert": expert, "title": title})


@login_required
@require_POST
def conflict_declare(request, pk):
    expert, denied = _expert_for(request, pk, can_view_expert)
    if denied:
        return denied
    form = ConflictForm(request.POST, bureau=bool(can_manage_expert(request.user, expert)))
    return act_and_redirect(
        request,
        form,
        lambda: expert_conflict_declare(expert=expert, by=request.user, **form.values()),
        success=lambda conflict: _("已登记回避单位：%(org)s") % {"org": conflict.organization.name},
        to=reverse("reviews:expert", args=[pk]),
    )


@login_required
@require_POST
def conflict_remove(request, pk):
    conflict = get_object_or_404(ExpertConflict.objects.select_related("expert", "organization"), pk=pk)
    form = RemoveForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: expert_conflict_remove(conflict=conflict, by=request.user) or conflict,
        success=lambda removed: _("已撤销回避单位：%(org)s") % {"org": removed.organization.name},
        to=reverse("reviews:expert", args=[conflict.expert_id]),
    )
