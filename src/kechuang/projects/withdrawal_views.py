"""Pages of withdrawal requests (撤回申请): the applicant files one, the bureau grants or refuses it."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kechuang.core.views import act_and_redirect, render_denied

from .forms import DecisionForm, WithdrawForm
from .models import Application, WithdrawalRequest
from .permissions import can_view_application
from .services import withdrawal_request_decide, withdrawal_request_submit

WITHDRAWAL_DECISION_CHOICES = [
    ("approve", gettext_lazy("同意撤回")),
    ("refuse", gettext_lazy("不同意撤回")),
]


@login_required
@require_POST
def withdrawal_request_create(request, pk):
    application = get_object_or_404(Application.objects.select_related("call__program"), pk=pk)
    decision = can_view_application(request.user, application)
    if not decision:
        return render_denied(request, decision.reason)
    form = WithdrawForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: withdrawal_request_submit(
            application=application,
            by=request.user,
            reason=form.cleaned_data["reason"],
            at=request.received_at,
        ),
        success=lambda done: _("撤回申请已提交，待科技局审批。"),
        to=reverse("projects:application_detail", args=[pk]),
    )


@login_required
@require_POST
def withdrawal_request_decide_view(request, pk):
    withdrawal = get_object_or_404(
        WithdrawalRequest.objects.select_related("application__call__program"), pk=pk
    )
    decision = can_view_application(request.user, withdrawal.application)
    if not decision:
        return render_denied(request, decision.reason)
    form = DecisionForm(request.POST, choices=WITHDRAWAL_DECISION_CHOICES)
    return act_and_redirect(
        request,
        form,
        lambda: withdrawal_request_decide(
            withdrawal=withdrawal,
            by=request.user,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["reason"],
        ),
        success=lambda done: _("已同意撤回，申报书已撤回。") if done.approved else _("已不同意撤回。"),
        to=reverse("projects:application_detail", args=[withdrawal.application_id]),
    )
