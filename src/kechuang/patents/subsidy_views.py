"""Pages of patent subsidies (专利资助): policies (bureau), the organization's apply page, claims and the bureau's
decisions on them.

Views are thin: they find the record through a scoped selector (404 when the user may not see it), run one service
inside `perform` (a DomainError is shown next to the form), and render.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core.forms import perform
from kechuang.core.permissions import is_bureau_editor
from kechuang.core.views import act_and_redirect, paginate, render_denied
from kechuang.regions.models import Region
from kechuang.regions.selectors import regions_under

from . import permissions as perm
from . import subsidy_services as services
from .enums import ClaimState, PolicyState
from .subsidy_forms import CLAIM_ACTION_FORMS, ActionForm, ApplyForm, ClaimFilterForm, PolicyForm
from .subsidy_selectors import (
    claim_get_visible,
    claim_history,
    claim_items,
    claims_visible_to,
    organization_patents,
    policies_visible_to,
    policy_get_visible,
)


def _not_found(request, reason):
    return render_denied(request, reason, status=404)


def _organization(user):
    return user.organization if user.active_organization_id else None


def _region_choices(user):
    """Regions a bureau editor may make policies for: their own and the counties under it."""
    qs = Region.objects.filter(level__in=("city", "county")).order_by("path")
    if user.region_id:
        qs = qs.filter(code__in=regions_under(user.region_id))
    return [(r.code, r.name) for r in qs]


# ---------------------------------------------------------------------------------------------
# Policies


@login_required
def policy_list(request):
    page = paginate(request, policies_visible_to(user=request.user).order_by("-year", "-pk"))
    may_create = bool(request.user.is_superuser or is_bureau_editor(request.user, request.user.region_id))
    return render(request, "patents/subsidy_policies.html", {"page": page, "may_create": may_create})


def _policy_values(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k in services.POLICY_FIELDS}


@login_required
def policy_new(request):
    user = request.user
    regions = _region_choices(user)
    if not (user.is_superuser or is_bureau_editor(user, user.region_id)) or not regions:
        return render_denied(request, _("只有科技局的业务人员可以制定专利资助政策。"))
    form = PolicyForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        region = Region.objects.get(pk=form.cleaned_data["region"])
        policy = perform(
            form, lambda: services.policy_create(region=region, values=_policy_values(form), by=user)
        )
        if policy is not None:
            messages.success(request, _("资助政策已保存为草稿。"))
            return redirect("patents:subsidy_policy", pk=policy.pk)
    return render(request, "patents/subsidy_policy_form.html", {"form": form, "policy": None})


@login_required
def policy_edit(request, pk):
    policy = policy_get_visible(user=request.user, pk=pk)
    if policy is None:
        return _not_found(request, _("该资助政策不存在，或您无权查看。"))
    if not (decision := perm.can_manage_subsidy_policy(request.user, policy)):
        return render_denied(request, decision.reason)
    initial = {k: getattr(policy, k) for k in services.POLICY_FIELDS} | {"version": policy.version}
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = perform(
            form,
            lambda: services.policy_update(
                policy=policy,
                values=_policy_values(form),
                expected_version=form.cleaned_data.get("version"),
                by=request.user,
            ),
        )
        if saved is not None:
            messages.success(request, _("资助政策已保存。"))
            return redirect("patents:subsidy_policy", pk=policy.pk)
    return render(request, "patents/subsidy_policy_form.html", {"form": form, "policy": policy})


@login_required
def policy_detail(request, pk):
    user = request.user
    policy = policy_get_visible(user=user, pk=pk)
    if policy is None:
        return _not_found(request, _("该资助政策不存在，或您无权查看。"))
    organization = _organization(user)
    return render(
        request,
        "patents/subsidy_policy.html",
        {
            "policy": policy,
            "may_manage": bool(perm.can_manage_subsidy_policy(user, policy)),
            "actions": services.POLICY_WORKFLOW.available(policy, user),
            "may_apply": policy.state == PolicyState.OPEN
            and organization is not None
            and bool(perm.can_claim_subsidy(user, organization.pk)),
        },
    )


@login_required
@require_POST
def policy_action(request, pk, action):
    policy = policy_get_visible(user=request.user, pk=pk)
    if policy is None:
        return _not_found(request, _("该资助政策不存在，或您无权查看。"))
    service = {"open": services.policy_open, "close": services.policy_close}.get(action)
    if service is None:
        return _not_found(request, _("没有这个操作。"))
    form = ActionForm(request.POST)
    return act_and_redirect(
        request,
        form,
        lambda: service(policy=policy, expected_version=form.cleaned_data.get("version"), by=request.user),
        success=lambda _policy: _("操作已完成。"),
        to=reverse("patents:subsidy_policy", args=[policy.pk]),
    )


# ---------------------------------------------------------------------------------------------
# Applying


def _apply_context(request, policy, organization, form=None) -> dict:
    verdicts = services.assess_patents(
        policy=policy, organization=organization, patents=organization_patents(organization=organization)
    )
    eligible = [v for v in verdicts if v.eligible]
    if form is None:
        form = ApplyForm(
            initial={"version": policy.version, "patents": [str(v.patent.pk) for v in eligible]},
            patent_choices=[(str(v.patent.pk), v.patent.application_no) for v in eligible],
        )
    return {
        "policy": policy,
        "organization": organization,
        "eligible": eligible,
        "refused": [v for v in verdicts if not v.eligible],
        "total": sum((v.amount for v in eligible), services.rules.ZERO),
        "form": form,
    }


@login_required
def apply(request, pk):
    user = request.user
    policy = policy_get_visible(user=user, pk=pk)
    if policy is None:
        return _not_found(request, _("该资助政策不存在，或您无权查看。"))
    organization = _organization(user)
    if organization is None or not perm.can_claim_subsidy(user, organization.pk):
        return render_denied(request, _("只有专利权人单位本单位的用户可以申请专利资助。"))
    if policy.state != PolicyState.OPEN:
        return render_denied(request, _("该资助政策当前不受理申请。"))
    if not services.policy_covers(policy, organization):
        return render_denied(request, _("本单位不在该资助政策的适用地区内。"))
    form = None
    if request.method == "POST":
        choices = [(pk, pk) for pk in request.POST.getlist("patents")]
        form = ApplyForm(request.POST, patent_choices=choices)
        if form.is_valid():

            def submit():
                policy.check_version(form.cleaned_data.get("version"))
                return services.claim_submit(
                    policy=policy, organization=organization, patent_ids=form.cleaned_data["patents"], by=user
                )

            claim = perform(form, submit)
            if claim is not None:
                messages.success(
                    request,
                    _("资助申请已提交，申请金额%(v)s元，等待科技局审核。") % {"v": claim.amount_claimed},
                )
                return redirect("patents:subsidy_claim", pk=claim.pk)
    return render(request, "patents/subsidy_apply.html", _apply_context(request, policy, organization, form))


# ---------------------------------------------------------------------------------------------
# Claims


@login_required
def claim_list(request):
    user = request.user
    policies = list(policies_visible_to(user=user).order_by("-year", "-pk")[:100])
    filters = ClaimFilterForm(request.GET or None, policies=policies)
    claims = claims_visible_to(user=user).order_by("-created_at", "-pk")
    if filters.is_valid():
        if filters.cleaned_data.get("policy"):
            claims = claims.filter(policy_id=filters.cleaned_data["policy"])
        if filters.cleaned_data.get("state"):
            claims = claims.filter(state=filters.cleaned_data["state"])
    page = paginate(request, claims)
    return render(request, "patents/subsidy_claims.html", {"page": page, "filters": filters})


def _action_forms(claim, user) -> list[tuple[str, str, object]]:
    """(action, label, form) for each action the user may take on the claim now."""
    labels = services.CLAIM_WORKFLOW.action_labels
    forms = []
    for action in services.CLAIM_WORKFLOW.available(claim, user):
        initial = {"version": claim.version}
        if action == "approve":
            initial["amount"] = claim.amount_claimed
        forms.append((action, labels[action], CLAIM_ACTION_FORMS[action](initial=initial, prefix=action)))
    return forms


@login_required
def claim_detail(request, pk):
    claim = claim_get_visible(user=request.user, pk=pk)
    if claim is None:
        return _not_found(request, _("该资助申请不存在，或您无权查看。"))
    return render(
        request,
        "patents/subsidy_claim.html",
        {
            "claim": claim,
            "items": claim_items(claim),
            "history": claim_history(claim),
            "action_forms": _action_forms(claim, request.user),
            "paid": claim.state == ClaimState.PAID,
        },
    )


@login_required
@require_POST
def claim_action(request, pk, action):
    user = request.user
    claim = claim_get_visible(user=user, pk=pk)
    if claim is None:
        return _not_found(request, _("该资助申请不存在，或您无权查看。"))
    form_class = CLAIM_ACTION_FORMS.get(action)
    if form_class is None:
        return _not_found(request, _("没有这个操作。"))
    form = form_class(request.POST, prefix=action)
    if form.is_valid():
        data = form.cleaned_data
        version = data.get("version")
        calls = {
            "approve": lambda: services.claim_approve(
                claim=claim, amount=data["amount"], note=data["note"], expected_version=version, by=user
            ),
            "reject": lambda: services.claim_reject(
                claim=claim, reason=data["reason"], expected_version=version, by=user
            ),
            "pay": lambda: services.claim_pay(
                claim=claim,
                paid_on=data["paid_on"],
                reference=data["reference"],
                expected_version=version,
                by=user,
            ),
            "withdraw": lambda: services.claim_withdraw(
                claim=claim, reason=data["reason"], expected_version=version, by=user
            ),
        }
        done = perform(form, calls[action])
        if done is not None:
            messages.success(
                request, _("已完成：%(action)s。") % {"action": services.CLAIM_WORKFLOW.action_labels[action]}
            )
            return redirect("patents:subsidy_claim", pk=claim.pk)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("patents:subsidy_claim", pk=claim.pk)
