from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kechuang.core.forms import perform
from kechuang.core.views import render_denied
from kechuang.projects.enums import ApplicationState
from kechuang.projects.models import Call
from kechuang.projects.permissions import can_manage_calls

from .enums import AssignmentState
from .forms import DrawForm, RespondForm, ReviewForm
from .models import ReviewAssignment, ReviewDraw
from .selectors import assignments_for_expert, other_reviews_visible
from .services import assignment_respond, review_draw, review_submit


@login_required
def my_reviews(request):
    return render(
        request, "reviews/my_reviews.html", {"assignments": assignments_for_expert(user=request.user)}
    )


def _content(application, *, blind: bool):
    """The application's fields for the reviewer; with a blind call, nothing that names the applicant."""
    rows = []
    for spec in application.form_definition:
        if spec.get("type") == "file":
            continue
        if blind and str(spec.get("prefill", "")).split(".")[0] in ("organization", "user"):
            continue
        value = application.data.get(spec["key"], "")
        if spec.get("type") == "table":
            value = "；".join(" ".join(str(v) for v in row.values()) for row in value or [])
        rows.append((spec.get("label", spec["key"]), value))
    return rows


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
            "content": _content(assignment.application, blind=blind),
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
    draws = ReviewDraw.objects.filter(call=call).select_related("created_by")
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
