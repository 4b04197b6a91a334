"""Pages for the decision steps (bureau) and the public notice (anyone)."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core.errors import DomainError
from kechuang.core.forms import perform
from kechuang.core.views import act_and_redirect, render_denied

from . import decision
from .enums import ApplicationState
from .forms import MeetingForm, ObjectionForm, PublishForm, ResolveForm
from .models import Call, Objection, PublicNotice
from .permissions import can_manage_calls


def _proposal(post, ranking) -> tuple[dict, dict]:
    amounts, declines = {}, {}
    for application in ranking:
        if application.state != ApplicationState.REVIEWED:
            continue
        raw = (post.get(f"amount_{application.pk}") or "").replace(",", "").strip()
        reason = (post.get(f"decline_{application.pk}") or "").strip()
        if raw:
            try:
                amounts[application.pk] = Decimal(raw)
            except InvalidOperation:
                raise DomainError(_("%(title)s 的拟资助金额应为数字。") % {"title": application}) from None
        elif reason:
            declines[application.pk] = reason
    return amounts, declines


@login_required
def call_decision(request, pk):
    call = get_object_or_404(Call.objects.select_related("program"), pk=pk)
    allowed = can_manage_calls(request.user, call.program)
    if not allowed:
        return render_denied(request, allowed.reason)
    ranking = list(decision.ranking(call))
    meeting_form, publish_form = MeetingForm(), PublishForm()
    if request.method == "POST":
        step = request.POST.get("step")
        if step == "propose":
            form = PublishForm(request.POST)  # only for its one-time token
            try:
                amounts, declines = _proposal(request.POST, ranking)
                done = perform(
                    form,
                    lambda: (
                        decision.funding_propose(
                            call=call, by=request.user, amounts=amounts, declines=declines
                        )
                        or True
                    ),
                )
            except DomainError as exc:
                messages.error(request, exc.message)
                done = None
            for error in form.non_field_errors():
                messages.error(request, error)
            if done:
                messages.success(request, _("拟立项方案已保存。"))
            return redirect("projects:decision", pk=pk)
        if step == "meeting":
            meeting_form = MeetingForm(request.POST)
            if meeting_form.is_valid() and perform(
                meeting_form,
                lambda: decision.meeting_record(
                    call=call,
                    by=request.user,
                    **{k: v for k, v in meeting_form.cleaned_data.items() if k != "form_token"},
                ),
            ):
                messages.success(request, _("决策会议已记录。"))
                return redirect("projects:decision", pk=pk)
        if step == "publish":
            publish_form = PublishForm(request.POST)
            if publish_form.is_valid() and perform(
                publish_form,
                lambda: decision.notice_publish(
                    call=call, by=request.user, days=publish_form.cleaned_data["days"]
                ),
            ):
                messages.success(request, _("已发布公示。"))
                return redirect("projects:decision", pk=pk)
    notices = list(call.notices.prefetch_related("objections__application"))
    return render(
        request,
        "projects/decision.html",
        {
            "call": call,
            "ranking": ranking,
            "meetings": call.meetings.all(),
            "notices": notices,
            "meeting_form": meeting_form,
            "publish_form": publish_form,
            "resolve_form": ResolveForm(),
            "committed": decision.funding_committed(call),
        },
    )


@login_required
@require_POST
def objection_resolve(request, pk):
    objection = get_object_or_404(Objection.objects.select_related("notice__call"), pk=pk)
    form = ResolveForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: decision.objection_resolve(
            objection=objection,
            by=request.user,
            upheld=form.cleaned_data["upheld"],
            resolution=form.cleaned_data["resolution"],
        ),
        success=lambda done: _("异议已处理。"),
        to=reverse("projects:decision", args=[objection.notice.call_id]),
    )


@login_required
@require_POST
def notice_close(request, pk):
    notice = get_object_or_404(PublicNotice, pk=pk)
    try:
        approved = decision.notice_close(notice=notice, by=request.user, at=request.received_at)
        messages.success(request, _("公示已办结，%(n)d 个项目立项。") % {"n": len(approved)})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("projects:decision", pk=notice.call_id)


def notice_list(request):
    """Public notices (公示) on the portal: no login needed."""
    notices = PublicNotice.objects.select_related("call").order_by("-starts_at")[:50]
    return render(request, "projects/notice_list.html", {"notices": notices})


def notice_detail(request, pk):
    notice = get_object_or_404(PublicNotice.objects.select_related("call", "meeting"), pk=pk)
    listed = list(
        notice.call.applications.filter(state__in=[ApplicationState.IN_NOTICE, ApplicationState.APPROVED])
        .select_related("organization")
        .order_by("-review_score")
    )
    open_ = notice.is_open(getattr(request, "received_at", None))
    form = ObjectionForm(request.POST or None, applications=listed) if open_ else None
    if request.method == "POST" and form is not None and form.is_valid():
        done = perform(
            form,
            lambda: decision.objection_submit(
                notice=notice,
                application_id=form.cleaned_data["application"],
                name=form.cleaned_data["name"],
                contact=form.cleaned_data["contact"],
                text=form.cleaned_data["text"],
                at=request.received_at,
            ),
        )
        if done is not None:
            messages.success(request, _("异议已提交，科技局将核查处理。"))
            return redirect("projects:notice", pk=pk)
    return render(
        request,
        "projects/notice_detail.html",
        {
            "notice": notice,
            "listed": listed,
            "form": form,
            "open": open_,
        },
    )
