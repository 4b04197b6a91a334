"""Pages of 政策兑现: the public list and detail of payout items; for an organization's user "我可以申请的兑现"
(every open item with its qualifying records, one click per record); claims with their history (both parties);
for the bureau the item forms, the claim queue with its actions and the Excel export.

Records outside the user's reach are "not found" (404), so nobody learns that another's claim exists.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core.excel import workbook_response
from kechuang.core.forms import perform
from kechuang.core.permissions import Denied
from kechuang.core.views import paginate, render_denied

from . import eligibility, services
from . import payout_selectors as sel
from . import permissions as perm
from .enums import ClaimState, ItemState
from .models import PayoutClaim, PayoutItem
from .payout_forms import ApproveForm, ClaimFilterForm, ClaimForm, ItemForm, PayForm, RejectForm, VersionForm


def policy_url(policy_id) -> str:
    try:
        return reverse("portal:policy", args=[policy_id])
    except NoReverseMatch:
        return ""


def _may_create(user):
    if not user.is_authenticated or not user.region_id:
        return Denied(_("您的账号未设置所属地区，不能新建兑现事项。"))
    return perm.can_manage_item(user, PayoutItem(region_id=user.region_id))


def _item_or_404(request, pk):
    item = sel.item_get_visible(user=request.user, pk=pk)
    if item is None:
        return None, render_denied(request, _("该兑现事项不存在或尚未发布。"), status=404)
    return item, None


def _claim_or_404(request, pk):
    claim = sel.claim_get_visible(user=request.user, pk=pk)
    if claim is None:
        return None, render_denied(request, _("该兑现申请不存在或您无权查看。"), status=404)
    return claim, None


# ---------------------------------------------------------------------------------------------------------
# Items


def items(request):
    qs = sel.items_visible_to(request.user)
    state = request.GET.get("state", "")
    if state in ItemState.values:
        qs = qs.filter(state=state)
    return render(
        request,
        "payouts/items.html",
        {
            "page": paginate(request, qs),
            "state": state,
            "states": ItemState.choices,
            "may_create": bool(_may_create(request.user)),
            "may_claim": bool(
                perm.can_claim_for(request.user, getattr(request.user, "active_organization_id", None))
            )
            if request.user.is_authenticated
            else False,
        },
    )


def item(request, pk):
    found, denied = _item_or_404(request, pk)
    if denied is not None:
        return denied
    user = request.user
    context = {
        "item": found,
        "policy_url": policy_url(found.policy_id),
        "conditions": sel.conditions(found),
        "rate": eligibility.rate_of(found.parameters) if found.trigger == "contract" else None,
        "may_manage": bool(perm.can_manage_item(user, found)),
        "actions": services.ITEM_WORKFLOW.available(found, user) if user.is_authenticated else [],
        "action_labels": services.ITEM_WORKFLOW.action_labels,
        "form": VersionForm(initial={"version": found.version}),
    }
    if perm.in_region(user, found.region_id):
        labels = dict(ClaimState.choices)
        context["totals"] = [
            {"label": labels.get(row["state"], row["state"]), "n": row["n"], "amount": row["amount"]}
            for row in found.claims.values("state")
            .annotate(n=Count("id"), amount=Sum("amount_claimed"))
            .order_by("state")
        ]
    return render(request, "payouts/item.html", context)


def _item_form(request, form, save, *, item_obj):
    if request.method == "POST" and form.is_valid():
        done = perform(form, save)
        if done is not None:
            messages.success(request, _("兑现事项“%(name)s”已保存。") % {"name": done.name})
            return redirect("payouts:item", pk=done.pk)
    return render(request, "payouts/item_form.html", {"form": form, "item": item_obj})


def _policies(user):
    from kechuang.portal.enums import PublishState
    from kechuang.portal.models import Policy

    return (
        Policy.objects.filter(state=PublishState.PUBLISHED)
        .select_related("region")
        .order_by("-published_at", "-id")
    )


@login_required
def item_new(request):
    user = request.user
    decision = _may_create(user)
    if not decision:
        return render_denied(request, decision.reason)
    today = timezone.localdate()
    initial = {
        "year": today.year,
        "basis_from": today.replace(month=1, day=1),
        "basis_until": today.replace(month=12, day=31),
        "applies_from": today,
        "applies_until": today.replace(month=12, day=31),
        "side": "seller",
    }
    form = ItemForm(request.POST or None, policies=_policies(user), initial=initial)

    def save():
        return services.item_create(
            policy=form.cleaned_data["policy"], region=user.region, values=form.values(), by=user
        )

    return _item_form(request, form, save, item_obj=None)


@login_required
def item_edit(request, pk):
    found, denied = _item_or_404(request, pk)
    if denied is not None:
        return denied
    decision = perm.can_manage_item(request.user, found)
    if not decision:
        return render_denied(request, decision.reason)
    form = ItemForm(
        request.POST or None, policies=_policies(request.user), initial=ItemForm.initial_from(found)
    )

    def save():
        return services.item_update(
            item=found,
            values=form.values(),
            policy=form.cleaned_data["policy"],
            expected_version=form.cleaned_data.get("version"),
            by=request.user,
        )

    return _item_form(request, form, save, item_obj=found)


@login_required
@require_POST
def item_action(request, pk, action):
    found, denied = _item_or_404(request, pk)
    if denied is not None:
        return denied
    run = {"open": services.item_open, "close": services.item_close}.get(action)
    if run is None:
        return render_denied(request, _("未知的操作。"), status=404)
    form = VersionForm(request.POST)
    if form.is_valid():
        done = perform(
            form, lambda: run(item=found, by=request.user, expected_version=form.cleaned_data.get("version"))
        )
        if done is not None:
            messages.success(request, _("兑现事项状态：%(state)s。") % {"state": done.get_state_display()})
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("payouts:item", pk=found.pk)


# ---------------------------------------------------------------------------------------------------------
# 我可以申请的兑现


def _last_account(organization_id) -> str:
    return (
        PayoutClaim.objects.filter(organization_id=organization_id)
        .exclude(bank_account="")
        .order_by("-created_at", "-id")
        .values_list("bank_account", flat=True)
        .first()
        or ""
    )


@login_required
def mine(request):
    user = request.user
    decision = perm.can_claim_for(user, user.active_organization_id)
    if not decision:
        return render_denied(request, decision.reason)
    organization = user.organization
    account = _last_account(organization.pk)
    rows = [
        {
            "item": row_item,
            "records": [
                {
                    "record": r,
                    "form": ClaimForm(initial={"basis_key": r.basis_key, "bank_account": account})
                    if r.claimable
                    else None,
                }
                for r in records
            ],
            "claimable": sum(1 for r in records if r.claimable),
        }
        for row_item, records in sel.mine(organization, timezone.localdate())
    ]
    recent = list(sel.claims_visible_to(user).order_by("-created_at", "-id")[:10])
    return render(
        request, "payouts/mine.html", {"rows": rows, "recent": recent, "organization": organization}
    )


@login_required
@require_POST
def claim_new(request, pk):
    user = request.user
    decision = perm.can_claim_for(user, user.active_organization_id)
    if not decision:
        return render_denied(request, decision.reason)
    found, denied = _item_or_404(request, pk)
    if denied is not None:
        return denied
    form = ClaimForm(request.POST)
    if form.is_valid():
        claim = perform(
            form,
            lambda: services.claim_submit(
                item=found,
                organization=user.organization,
                basis_key=form.cleaned_data["basis_key"],
                bank_account=form.cleaned_data.get("bank_account") or "",
                by=user,
            ),
        )
        if claim is not None:
            messages.success(request, _("已提交兑现申请，申请金额%(v)s元。") % {"v": claim.amount_claimed})
            return redirect("payouts:claim", pk=claim.pk)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("payouts:mine")


# ---------------------------------------------------------------------------------------------------------
# Claims


def _filtered_claims(request):
    user = request.user
    form = ClaimFilterForm(
        request.GET or None, items=sel.items_for_filter(user).select_related(None).only("pk", "name", "year")
    )
    qs = sel.claims_visible_to(user)
    if form.is_valid():
        data = form.cleaned_data
        qs = sel.filter_claims(
            qs, item=data.get("item"), state=data.get("state") or "", q=(data.get("q") or "").strip()
        )
    return form, qs


@login_required
def claims(request):
    user = request.user
    if not (perm.can_oversee_payouts(user) or user.active_organization_id):
        return render_denied(request, _("您无权查看兑现申请。"))
    form, qs = _filtered_claims(request)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "payouts/claims.html",
        {
            "page": paginate(request, qs),
            "filter_form": form,
            "bureau": bool(perm.can_oversee_payouts(user)),
            "query": query.urlencode(),
        },
    )


@login_required
def claims_export(request):
    decision = perm.can_oversee_payouts(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    _form, qs = _filtered_claims(request)
    header = [
        _("编号"),
        _("兑现事项"),
        _("年度"),
        _("申请单位"),
        _("统一社会信用代码"),
        _("所在地区"),
        _("兑现依据"),
        _("状态"),
        _("申请金额（元）"),
        _("核准金额（元）"),
        _("收款账户"),
        _("申请时间"),
        _("审核意见"),
        _("兑现日期"),
        _("拨付凭证号"),
    ]
    rows = [
        [
            c.pk,
            c.item.name,
            c.item.year,
            c.organization.name,
            c.organization.credit_code,
            c.organization.region.name,
            c.basis_label,
            c.get_state_display(),
            c.amount_claimed,
            c.amount_approved,
            c.bank_account,
            timezone.localtime(c.created_at).strftime("%Y-%m-%d %H:%M"),
            c.decision_note,
            c.paid_on.isoformat() if c.paid_on else "",
            c.payment_reference,
        ]
        for c in qs[:20000]
    ]
    return workbook_response(filename=_("政策兑现申请.xlsx"), sheets=[(_("兑现申请"), header, rows)])


@login_required
def claim(request, pk):
    found, denied = _claim_or_404(request, pk)
    if denied is not None:
        return denied
    user = request.user
    available = services.CLAIM_WORKFLOW.available(found, user)
    initial = {"version": found.version}
    forms = {
        "withdraw": VersionForm(initial=initial) if "withdraw" in available else None,
        "approve": ApproveForm(initial=initial | {"amount": found.amount_claimed})
        if "approve" in available
        else None,
        "reject": RejectForm(initial=initial) if "reject" in available else None,
        "pay": PayForm(initial=initial) if "pay" in available else None,
    }
    return render(
        request,
        "payouts/claim.html",
        {
            "claim": found,
            "forms": forms,
            "history": sel.history(found),
            "policy_url": policy_url(found.item.policy_id),
        },
    )


@login_required
@require_POST
def claim_action(request, pk, action):
    found, denied = _claim_or_404(request, pk)
    if denied is not None:
        return denied
    user = request.user
    form_class = {"withdraw": VersionForm, "approve": ApproveForm, "reject": RejectForm, "pay": PayForm}.get(
        action
    )
    if form_class is None:
        return render_denied(request, _("未知的操作。"), status=404)
    form = form_class(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        common = {"claim": found, "by": user, "expected_version": data.get("version")}
        run = {
            "withdraw": lambda: services.claim_withdraw(**common),
            "approve": lambda: services.claim_approve(
                **common, amount=data["amount"], note=data.get("note", "")
            ),
            "reject": lambda: services.claim_reject(**common, reason=data["reason"]),
            "pay": lambda: services.claim_pay(**common, paid_on=data["paid_on"], reference=data["reference"]),
        }[action]
        done = perform(form, run)
        if done is not None:
            messages.success(request, _("兑现申请状态：%(state)s。") % {"state": done.get_state_display()})
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("payouts:claim", pk=found.pk)
