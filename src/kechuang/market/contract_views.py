"""Pages of contract registration (技术合同登记): the list with its filters and export, submitting and correcting a
contract (the 技术交易额 shown live), its page with the registrar's decision, and the statistics."""

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core.errors import DomainError
from kechuang.core.forms import perform
from kechuang.core.views import act_and_redirect, paginate, render_denied

from . import contract_rules as rules
from .contract_export import contracts_workbook, statistics_workbook
from .contract_filters import ContractFilter
from .contract_forms import (
    ContractForm,
    CostItemFormSet,
    StatisticsForm,
    TransitionForm,
    cost_items,
    initial_for_contract,
    initial_from_source,
    sub_type_choices,
)
from .contracts import (
    ContractAction,
    contract_actions,
    contract_cost_detail,
    contract_get_visible,
    contract_resubmit,
    contract_sources,
    contract_statistics,
    contract_submit,
    contract_timeline,
    contract_transition,
    contract_update,
    contracts_listed,
)
from .enums import ContractState
from .permissions import (
    MARKET_MEMBER_ROLES,
    can_edit_contract,
    can_submit_contract,
    can_view_market_figures,
    can_view_thread,
)

STATE_CLASS = {
    ContractState.REGISTERED: "verified",
    ContractState.SUBMITTED: "pending",
    ContractState.RETURNED: "rejected",
    ContractState.REJECTED: "rejected",
}


def _may_list(user) -> bool:
    return user.is_superuser or user.is_region_scoped or bool(user.active_organization_id)


def _acting_organization(user):
    """The organization a party's user submits for (None for the bureau, who names both parties)."""
    if user.role in MARKET_MEMBER_ROLES and user.active_organization_id:
        return user.organization
    return None


def _contract(request, pk):
    contract = contract_get_visible(user=request.user, pk=pk)
    if contract is None:
        raise Http404
    return contract


@login_required
def contract_list(request):
    if not _may_list(request.user):
        return render_denied(request, _("您无权查看技术合同登记。"))
    filterset = ContractFilter(request.GET, queryset=contracts_listed(user=request.user), request=request)
    if request.GET.get("format") == "xlsx":
        return contracts_workbook(filterset.qs)
    page = paginate(request, filterset.qs)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    context = {
        "filter": filterset,
        "page": page,
        "export_query": query.urlencode(),
        "can_submit": bool(can_submit_contract(request.user)),
        "can_see_statistics": bool(can_view_market_figures(request.user)),
    }
    template = "market/contract_rows.html" if request.htmx else "market/contract_list.html"
    return render(request, template, context)


def _source(queryset, value):
    return queryset.filter(pk=value).first() if value and str(value).isdigit() else None


@login_required
def contract_create(request):
    decision = can_submit_contract(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    organization = _acting_organization(request.user)
    sources = contract_sources(user=request.user)
    initial = initial_from_source(
        organization=organization,
        listing=_source(sources[0], request.GET.get("listing")),
        thread=_source(sources[1], request.GET.get("thread")),
        meeting=_source(sources[2], request.GET.get("meeting")),
    )
    post = request.POST or None
    form = ContractForm(
        post, request.FILES or None, organization=organization, sources=sources, initial=initial
    )
    costs = CostItemFormSet(post, prefix="costs")
    if request.method == "POST" and form.is_valid() and costs.is_valid():
        contract = perform(
            form, lambda: contract_submit(data=form.contract_data(cost_items(costs)), by=request.user)
        )
        if contract is not None:
            messages.success(request, _("已提交技术合同登记申请：%(title)s。") % {"title": contract.title})
            return redirect("market:contract_detail", pk=contract.pk)
    return render(
        request,
        "market/contract_form.html",
        {
            "form": form,
            "costs": costs,
            "organization": organization,
            "preview": _preview(
                form.data if form.is_bound else form.initial, costs if costs.is_bound else None
            ),
            "contract": None,
        },
    )


@login_required
def contract_edit(request, pk):
    contract = _contract(request, pk)
    decision = can_edit_contract(request.user, contract)
    if not decision:
        return render_denied(request, decision.reason)
    organization = _acting_organization(request.user)
    sources = contract_sources(user=request.user)
    post = request.POST or None
    form = ContractForm(
        post,
        request.FILES or None,
        organization=organization,
        sources=sources,
        initial=initial_for_contract(contract, organization=organization),
        file_required=False,
    )
    costs = CostItemFormSet(post, prefix="costs")
    resubmit = contract.state == ContractState.RETURNED and "resubmit" in request.POST
    if request.method == "POST" and form.is_valid() and costs.is_valid():
        data = form.contract_data(cost_items(costs))
        version = form.cleaned_data.get("version")
        if resubmit:
            done = perform(
                form,
                lambda: contract_resubmit(
                    contract=contract, data=data, by=request.user, expected_version=version
                ),
            )
        else:
            done = perform(
                form,
                lambda: contract_update(
                    contract=contract, data=data, by=request.user, expected_version=version
                ),
            )
        if done is not None:
            messages.success(request, _("已重新提交认定登记。") if resubmit else _("已保存修改。"))
            return redirect("market:contract_detail", pk=contract.pk)
    return render(
        request,
        "market/contract_form.html",
        {
            "form": form,
            "costs": costs,
            "organization": organization,
            "preview": _preview(
                form.data if form.is_bound else form.initial, costs if costs.is_bound else None
            ),
            "contract": contract,
            "cost_detail": contract_cost_detail(contract),
        },
    )


@login_required
def contract_detail(request, pk):
    contract = _contract(request, pk)
    forms = [
        (
            action,
            ContractAction(action).label,
            TransitionForm(initial={"action": action, "version": contract.version}, auto_id=f"{action}_%s"),
        )
        for action in contract_actions(contract, request.user)
    ]
    labels = dict(ContractState.choices)
    timeline = [
        (line, labels.get(line.from_state, ""), labels.get(line.to_state, line.to_state))
        for line in contract_timeline(contract)
    ]
    return render(
        request,
        "market/contract_detail.html",
        {
            "contract": contract,
            "state_class": STATE_CLASS.get(contract.state, ""),
            "cost_detail": contract_cost_detail(contract),
            "timeline": timeline,
            "forms": forms,
            "can_edit": bool(can_edit_contract(request.user, contract)),
            # The source thread is a link for whoever may open it (its parties, the listing region's bureau).
            "thread_visible": contract.thread_id is not None
            and bool(can_view_thread(request.user, contract.thread)),
        },
    )


@login_required
@require_POST
def contract_act(request, pk):
    contract = _contract(request, pk)
    form = TransitionForm(request.POST)
    done = {
        ContractAction.REGISTER: lambda c: _("已登记，登记号：%(no)s。") % {"no": c.registration_no},
        ContractAction.RETURN: lambda c: _("已退回修改。"),
        ContractAction.REJECT: lambda c: _("已决定不予登记。"),
        ContractAction.RESUBMIT: lambda c: _("已重新提交认定登记。"),
    }
    return act_and_redirect(
        request,
        form,
        lambda: contract_transition(
            contract=contract,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
            by=request.user,
            expected_version=form.cleaned_data.get("version"),
        ),
        success=lambda c: done[form.cleaned_data["action"]](c),
        to=reverse("market:contract_detail", args=[contract.pk]),
    )


@login_required
def contract_file(request, pk):
    """The contract's text, only for those who may see the contract (never a public media URL)."""
    contract = _contract(request, pk)
    if not contract.contract_file:
        raise Http404
    return FileResponse(
        contract.contract_file.open("rb"),
        as_attachment=False,
        filename=contract.contract_file.name.rsplit("/", 1)[-1],
    )


@login_required
def contract_sub_types(request):
    """htmx: the sub-type options of the type chosen (rules.md §5.2)."""
    groups = []
    for value, label in sub_type_choices(request.GET.get("contract_type")):
        if isinstance(label, (list, tuple)):
            groups.append((value, label))
        else:
            groups.append(("", [(value, label)]))
    return render(
        request,
        "market/contract_sub_type_options.html",
        {"groups": groups, "selected": request.GET.get("sub_type", "")},
    )


def _preview(values, costs) -> dict:
    """非技术性费用 and 技术交易额 for what the form holds now (rules.md §5.3), or why they cannot be computed."""
    amount = values.get("contract_amount")
    if amount in (None, ""):
        return {}
    items = []
    if costs is not None:
        for form in costs.forms:
            if form.is_valid() and (item := form.item()) is not None:
                items.append(item)
    try:
        computed = rules.amounts(
            amount, items=items, non_technical_amount=None if items else values.get("non_technical_amount")
        )
    except DomainError as exc:
        return {"error": exc.message}
    return {"amounts": computed, "itemised": bool(items)}


@login_required
def contract_amounts(request):
    """htmx: the amounts computed live while the form is filled in."""
    costs = CostItemFormSet(request.GET, prefix="costs") if "costs-TOTAL_FORMS" in request.GET else None
    return render(request, "market/contract_amounts.html", {"preview": _preview(request.GET, costs)})


def _list_link(stats, row) -> str:
    """The contracts list filtered to what a statistics row counts (no link for lines outside the regions)."""
    query = {"state": ContractState.REGISTERED}
    if stats.date_from:
        query["registered_from"] = stats.date_from.isoformat()
    if stats.date_to:
        query["registered_to"] = stats.date_to.isoformat()
    scope = "seller_region" if stats.direction == "out" else "buyer_region"
    if stats.region is not None:
        query[scope] = stats.region.code
    if stats.group_by in ("region_out", "region_in"):
        if (
            not row.key
            or (stats.region is not None and row.key == stats.region.code)
            or row.key.startswith("~")
        ):
            return ""
        query[scope] = row.key
    elif stats.group_by == "type":
        query["contract_type"] = row.key
    elif stats.group_by == "sub_type":
        query["sub_type"] = row.key
    elif stats.group_by == "field":
        query["tech_field"] = row.key
    elif stats.group_by == "month":
        year, month = (int(part) for part in row.key.split("-"))
        first = date(year, month, 1)
        last = date(year + month // 12, month % 12 + 1, 1).toordinal() - 1
        query["registered_from"] = max(first, stats.date_from or first).isoformat()
        query["registered_to"] = min(
            date.fromordinal(last), stats.date_to or date.fromordinal(last)
        ).isoformat()
    return reverse("market:contract_list") + "?" + urlencode(query)


@login_required
def contract_statistics_view(request):
    decision = can_view_market_figures(request.user)
    if not decision:
        return render_denied(request, decision.reason)
    data = request.GET.copy()
    for key, value in StatisticsForm.defaults().items():
        if not data.get(key):
            data[key] = value
    form = StatisticsForm(data, region_root=request.user.region_id)
    query = form.query()
    try:
        stats = contract_statistics(user=request.user, **query)
    except DomainError as exc:
        form.is_valid()
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        stats = None
    if stats is not None and request.GET.get("format") == "xlsx":
        return statistics_workbook(stats)
    export = data.copy()
    export["format"] = "xlsx"
    return render(
        request,
        "market/contract_statistics.html",
        {
            "form": form,
            "stats": stats,
            "rows": [(row, _list_link(stats, row)) for row in stats.rows] if stats else [],
            "export_query": export.urlencode(),
        },
    )
