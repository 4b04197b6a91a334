"""Pages of the bureau's voucher work (科技局): programs and their terms, a program's books (figures,
reconciliation, ledger), settlement in batches, quota reviews, provider verification and risk flags.

Every page needs a bureau user or a town officer of a region (`can_oversee_vouchers`); officers and leaders
look, the bureau's admin and staff act (the services check it again). Records outside the user's region are
"not found" (404), so a county bureau cannot even learn that a city program's record exists.
"""

from datetime import date
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from kechuang.core.excel import workbook_response
from kechuang.core.forms import perform
from kechuang.core.permissions import Denied
from kechuang.core.text import clauses
from kechuang.core.views import paginate, render_denied

from . import permissions as perm
from . import services
from .amounts import RuleError, eligibility_problems, parse_tiers, tiers_text
from .bureau_forms import (
    BatchApproveForm,
    BatchCreateForm,
    BatchPayForm,
    FlagFilterForm,
    FlagReviewForm,
    LedgerFilterForm,
    ProgramActionForm,
    ProgramForm,
    ProviderDecisionForm,
    ProviderFilterForm,
    QuotaDecisionForm,
)
from .bureau_selectors import (
    batch_bookings,
    batch_get_visible,
    batches_of,
    bureau_counts,
    claims_to_settle,
    flag_get_visible,
    flags_visible_to,
    foreign_use,
    ledger_entries,
    ledger_totals,
    program_books,
    program_get_visible,
    programs_visible_to,
    provider_get_visible,
    providers_visible_to,
    quota_get_visible,
    quotas_pending,
)
from .enums import BatchState, CopayMode, EntryKind, FlagState, ProviderState, QuotaState
from .models import VoucherProgram


def bureau_page(view):
    """Signed in, and a bureau user or a town officer; anyone else is refused with the reason."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        decision = perm.can_oversee_vouchers(request.user)
        if not decision:
            return render_denied(request, decision.reason)
        try:
            return view(request, *args, **kwargs)
        except _NotFound as exc:
            return render_denied(request, exc.reason, status=404)

    return wrapper


class _NotFound(Exception):
    """A record that does not exist or lies outside the user's region (the page says which it may be)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _found(record, reason: str):
    if record is None:
        raise _NotFound(reason)
    return record


def _program(request, pk) -> VoucherProgram:
    return _found(
        program_get_visible(user=request.user, pk=pk), _("该创新券计划不存在或不在您的地区范围内。")
    )


def _posted(request):
    """The POST data of a POST (even an empty one, so that "nothing chosen" is an error), else None."""
    return request.POST if request.method == "POST" else None


def _back(request, default: str) -> str:
    """The `next` address the form carried, when it is one of ours; else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _quota_page(quota_id: int) -> str:
    """The quota's own page (path area); the review list until that page exists."""
    try:
        return reverse("vouchers:quota", args=[quota_id])
    except NoReverseMatch:
        return reverse("vouchers:quota_reviews")


# ---------------------------------------------------------------------------------------------------------
# Programs


def _creation(user):
    """May `user` create a program of their own region?"""
    if not user.region_id:
        return Denied(_("您的账号未设置所属地区，不能新建创新券计划。"))
    return perm.can_manage_program(user, VoucherProgram(region_id=user.region_id))


@bureau_page
def programs(request):
    page = paginate(request, programs_visible_to(user=request.user))
    return render(
        request,
        "vouchers/bureau/programs.html",
        {
            "page": page,
            "counts": bureau_counts(user=request.user),
            "foreign": foreign_use(user=request.user),
            "can_create": bool(_creation(request.user)),
        },
    )


def tiers_preview(tiers, mode) -> dict:
    """The rule sentence of `tiers` (amounts.tiers_text), or why the tiers are not valid."""
    if tiers is None:
        return {"error": _("各档的起点和比例须为数字。")}
    try:
        return {"text": tiers_text(parse_tiers(tiers), mode)}
    except RuleError as exc:
        return {"error": str(exc)}


NEW_PROGRAM = {"eligible_kinds": ["enterprise"], "auto_approve": True, "tier_pct_0": 100}


def _program_form(request, form, *, save, program, tiers, mode):
    if request.method == "POST":
        valid = form.is_valid()
        if "preview" in request.POST:
            preview = tiers_preview(form.posted_tiers(), form.data.get("copay_mode") or CopayMode.WHOLE_FEE)
            if request.htmx:
                return render(request, "vouchers/bureau/_tiers_preview.html", {"preview": preview})
        elif valid:
            done = perform(form, save)
            if done is not None:
                messages.success(request, _("创新券计划“%(name)s”已保存。") % {"name": done.name})
                return redirect("vouchers:program_books", pk=done.pk)
        tiers, mode = form.posted_tiers(), form.data.get("copay_mode") or CopayMode.WHOLE_FEE
    return render(
        request,
        "vouchers/bureau/program_form.html",
        {"form": form, "program": program, "preview": tiers_preview(tiers, mode)},
    )


@bureau_page
def program_new(request):
    user = request.user
    decision = _creation(user)
    if not decision:
        return render_denied(request, decision.reason)
    today = timezone.localdate()
    initial = {**NEW_PROGRAM, "starts_on": today, "ends_on": date(today.year, 12, 31)}
    form = ProgramForm(_posted(request), own_region=user.region, initial=initial)

    def save():
        return services.program_create(
            region=user.region,
            values=form.values(),
            partner_regions=list(form.cleaned_data["partner_regions"]),
            by=user,
        )

    return _program_form(request, form, save=save, program=None, tiers=[["0", "1"]], mode=CopayMode.WHOLE_FEE)


@bureau_page
def program_edit(request, pk):
    program = _program(request, pk)
    decision = perm.can_manage_program(request.user, program)
    if not decision:
        return render_denied(request, decision.reason)
    form = ProgramForm(
        request.POST or None, own_region=program.region, initial=ProgramForm.initial_from(program)
    )

    def save():
        return services.program_update(
            program=program,
            values=form.values(),
            partner_regions=list(form.cleaned_data["partner_regions"]),
            expected_version=form.cleaned_data.get("version"),
            by=request.user,
        )

    return _program_form(
        request, form, save=save, program=program, tiers=program.copay_tiers, mode=program.copay_mode
    )


PROGRAM_ACTIONS = {"open": services.program_open, "close": services.program_close}


@bureau_page
def program_action(request, pk, action):
    """GET: what the action will do, and a confirmation; POST: do it."""
    program = _program(request, pk)
    if action not in PROGRAM_ACTIONS:
        raise _NotFound(_("没有这项操作。"))
    decision = perm.can_manage_program(request.user, program)
    if not decision:
        return render_denied(request, decision.reason)
    form = ProgramActionForm(_posted(request), initial={"version": program.version})
    if request.method == "POST" and form.is_valid():
        done = perform(
            form,
            lambda: PROGRAM_ACTIONS[action](
                program=program, by=request.user, expected_version=form.cleaned_data.get("version")
            ),
        )
        if done is not None:
            if action == "open":
                text = _("“%(name)s”已开始受理。") % {"name": done.name}
            else:
                text = _("“%(name)s”已结束，未使用的额度已到期收回。") % {"name": done.name}
            messages.success(request, text)
            return redirect("vouchers:program_books", pk=done.pk)
    quotas = program.quotas.filter(state__in=(QuotaState.APPROVED, QuotaState.APPLIED))
    return render(
        request,
        "vouchers/bureau/program_action.html",
        {
            "program": program,
            "action": action,
            "label": services.PROGRAM_WORKFLOW.action_labels[action],
            "possible": action in services.PROGRAM_WORKFLOW.actions_from(program.state),
            "form": form,
            "approved": quotas.filter(state=QuotaState.APPROVED).count() if action == "close" else 0,
            "applied": quotas.filter(state=QuotaState.APPLIED).count() if action == "close" else 0,
        },
    )


@bureau_page
def program_books_view(request, pk):
    program = _program(request, pk)
    may_manage = bool(perm.can_manage_program(request.user, program))
    return render(
        request,
        "vouchers/bureau/program_books.html",
        {
            "program": program,
            "books": program_books(program),
            "rule": tiers_preview(program.copay_tiers, program.copay_mode),
            "partners": list(program.partner_regions.order_by("path")),
            "may_manage": may_manage,
            "actions": [
                (action, services.PROGRAM_WORKFLOW.action_labels[action])
                for action in services.PROGRAM_WORKFLOW.actions_from(program.state)
            ]
            if may_manage
            else [],
        },
    )


@bureau_page
def ledger(request, pk):
    program = _program(request, pk)
    filters = LedgerFilterForm(request.GET)
    kind = filters.cleaned_data["kind"] if filters.is_valid() else ""
    totals = ledger_totals(program=program)
    return render(
        request,
        "vouchers/bureau/ledger.html",
        {
            "program": program,
            "filter": filters,
            "page": paginate(request, ledger_entries(program=program, kind=kind), 50),
            "totals": [(value, label, totals[value]) for value, label in EntryKind.choices],
        },
    )


# ---------------------------------------------------------------------------------------------------------
# Settlement


@bureau_page
def settlement(request, pk):
    program = _program(request, pk)
    may_manage = perm.can_manage_program(request.user, program)
    claims = claims_to_settle(program=program)
    form = BatchCreateForm(_posted(request), claims=claims)
    if request.method == "POST":
        if not may_manage:
            return render_denied(request, may_manage.reason)
        if form.is_valid():
            batch = perform(
                form,
                lambda: services.batch_create(
                    program=program, bookings=list(form.cleaned_data["bookings"]), by=request.user
                ),
            )
            if batch is not None:
                messages.success(
                    request,
                    _("已编制结算批次，共%(n)s笔，%(total)s元。")
                    % {"n": batch.bookings.count(), "total": batch.total},
                )
                return redirect("vouchers:batch", pk=batch.pk)
    rows = list(claims)
    return render(
        request,
        "vouchers/bureau/settlement.html",
        {
            "program": program,
            "claims": rows,
            "claims_total": sum((b.voucher_amount for b in rows), start=0),
            "form": form,
            "chosen": {str(v) for v in form["bookings"].value() or ()} if form.is_bound else None,
            "batches": list(batches_of(program=program)),
            "may_manage": bool(may_manage),
        },
    )


@bureau_page
def batch(request, pk):
    found = _found(batch_get_visible(user=request.user, pk=pk), _("该结算批次不存在或不在您的地区范围内。"))
    program = found.program
    may_manage = perm.can_manage_program(request.user, program)
    approve_form = BatchApproveForm(initial={"version": found.version})
    pay_form = BatchPayForm(initial={"version": found.version})
    if request.method == "POST":
        if not may_manage:
            return render_denied(request, may_manage.reason)
        if request.POST.get("action") == "pay":
            pay_form = form = BatchPayForm(request.POST)

            def act():
                return services.batch_pay(
                    batch=found,
                    paid_on=form.cleaned_data["paid_on"],
                    reference=form.cleaned_data["reference"],
                    expected_version=form.cleaned_data.get("version"),
                    by=request.user,
                )

            success = _("已登记拨付。")
        else:
            approve_form = form = BatchApproveForm(request.POST)

            def act():
                return services.batch_approve(
                    batch=found, expected_version=form.cleaned_data.get("version"), by=request.user
                )

            success = _("结算批次已审定。")
        if form.is_valid() and perform(form, act) is not None:
            messages.success(request, success)
            return redirect("vouchers:batch", pk=found.pk)
    rows = list(batch_bookings(batch=found))
    return render(
        request,
        "vouchers/bureau/batch.html",
        {
            "batch": found,
            "program": program,
            "bookings": rows,
            "may_approve": bool(may_manage) and found.state == BatchState.DRAFT,
            "may_pay": bool(may_manage) and found.state == BatchState.APPROVED,
            "approve_form": approve_form,
            "pay_form": pay_form,
        },
    )


@bureau_page
def batch_export(request, pk):
    found = _found(batch_get_visible(user=request.user, pk=pk), _("该结算批次不存在或不在您的地区范围内。"))
    rows = list(batch_bookings(batch=found))
    header = [
        _("序号"),
        _("服务机构"),
        _("统一社会信用代码"),
        _("企业"),
        _("服务项目"),
        _("服务类别"),
        _("服务日期"),
        _("服务费用（元）"),
        _("创新券支付（元）"),
        _("企业自付（元）"),
        _("发票号码"),
        _("使用地区"),
        _("通用通兑"),
        _("状态"),
    ]
    lines = [
        [
            index,
            b.provider.name,
            b.provider.credit_code,
            b.quota.organization.name,
            b.offering.name,
            b.get_category_display(),
            b.service_date,
            b.fee,
            b.voucher_amount,
            b.enterprise_amount,
            b.invoice_no,
            b.service_region.name,
            _("是") if b.cross_region else _("否"),
            b.get_state_display(),
        ]
        for index, b in enumerate(rows, 1)
    ]
    lines.append(["", _("合计"), "", "", "", "", "", None, found.total, None, "", "", "", ""])
    return workbook_response(
        filename=_("创新券结算批次%(pk)s.xlsx") % {"pk": found.pk},
        sheets=[(_("结算明细"), header, lines)],
    )


# ---------------------------------------------------------------------------------------------------------
# Quota reviews


def _program_filter(request):
    value = request.GET.get("program") or ""
    return int(value) if value.isdigit() else None


@bureau_page
def quota_reviews(request):
    program_id = _program_filter(request)
    return render(
        request,
        "vouchers/bureau/quota_reviews.html",
        {
            "page": paginate(request, quotas_pending(user=request.user, program_id=program_id), 50),
            "program": program_get_visible(user=request.user, pk=program_id) if program_id else None,
        },
    )


@bureau_page
def quota_review(request, pk):
    quota = _found(quota_get_visible(user=request.user, pk=pk), _("该额度申领不存在或不在您的地区范围内。"))
    may_decide = perm.can_decide_quota(request.user, quota)
    form = QuotaDecisionForm(_posted(request), initial={"version": quota.version})
    if request.method == "POST":
        if not may_decide:
            return render_denied(request, may_decide.reason)
        if form.is_valid():
            data = form.cleaned_data
            if data["action"] == "approve":

                def act():
                    return services.quota_approve(
                        quota=quota,
                        amount=data["amount"],
                        expected_version=data.get("version"),
                        by=request.user,
                    )
            else:

                def act():
                    return services.quota_reject(
                        quota=quota,
                        reason=data["reason"],
                        expected_version=data.get("version"),
                        by=request.user,
                    )

            done = perform(form, act)
            if done is not None:
                if done.state == QuotaState.APPROVED:
                    messages.success(
                        request,
                        _("已向%(org)s发放额度%(v)s元。")
                        % {"org": done.organization.name, "v": done.granted},
                    )
                else:
                    messages.warning(
                        request,
                        _("%(org)s的申领未通过：%(reason)s")
                        % {"org": done.organization.name, "reason": done.reason},
                    )
                return redirect(_back(request, _quota_page(done.pk)))
    program = quota.program
    pending = quota.state == QuotaState.APPLIED
    return render(
        request,
        "vouchers/bureau/quota_review.html",
        {
            "quota": quota,
            "program": program,
            "form": form,
            "may_decide": bool(may_decide) and pending,
            "cap_left": services.cap_left(program, quota.organization_id, exclude=quota.pk)
            if pending
            else None,
            "problems": eligibility_problems(
                services.applicant_of(quota.organization, timezone.localdate()),
                kinds=program.eligible_kinds,
                sizes=program.eligible_sizes,
                qualifications=program.required_qualifications,
            )
            if pending
            else [],
            "next": _back(request, ""),
        },
    )


# ---------------------------------------------------------------------------------------------------------
# Providers


@bureau_page
def providers(request):
    data = request.GET.copy()
    data.setdefault("state", ProviderState.PENDING)
    filters = ProviderFilterForm(data)
    state = filters.cleaned_data["state"] if filters.is_valid() else ProviderState.PENDING
    page = paginate(request, providers_visible_to(user=request.user, state=state), 50)
    for profile in page:
        profile.category_labels = _labels(profile.categories)
    return render(request, "vouchers/bureau/providers.html", {"filter": filters, "page": page})


@bureau_page
def provider_review(request, pk):
    profile = _found(
        provider_get_visible(user=request.user, pk=pk), _("该服务机构不存在或不在您的地区范围内。")
    )
    available = services.PROVIDER_WORKFLOW.available(profile, request.user)
    form = ProviderDecisionForm(_posted(request), initial={"version": profile.version})
    if request.method == "POST":
        decision = perm.can_verify_provider(request.user, profile)
        if not decision:
            return render_denied(request, decision.reason)
        if form.is_valid():
            data = form.cleaned_data
            done = perform(
                form,
                lambda: services.provider_decide(
                    profile=profile,
                    action=data["action"],
                    reason=data["reason"],
                    expected_version=data.get("version"),
                    by=request.user,
                ),
            )
            if done is not None:
                messages.success(
                    request,
                    _("%(name)s：%(state)s。")
                    % {"name": done.organization.name, "state": done.get_state_display()},
                )
                return redirect("vouchers:providers_pending")
    organization = profile.organization
    return render(
        request,
        "vouchers/bureau/provider_review.html",
        {
            "profile": profile,
            "organization": organization,
            "offerings": list(
                organization.offerings.select_related("region").order_by("-active", "category", "pk")
            ),
            "category_labels": _labels(profile.categories),
            "form": form,
            "actions": [(a, services.PROVIDER_WORKFLOW.action_labels[a]) for a in available],
        },
    )


def _labels(categories) -> list[str]:
    from .enums import ServiceCategory

    names = dict(ServiceCategory.choices)
    return [str(names.get(c, c)) for c in categories]


# ---------------------------------------------------------------------------------------------------------
# Risk flags


# The keys fraud.py stores in Flag.evidence, as the page names them.
EVIDENCE_LABELS = {
    "reasons": _lazy("关联情形"),
    "voucher_income": _lazy("该机构本年度创新券兑付（元）"),
    "revenue": _lazy("该机构申报营业收入（元）"),
    "provider_redeemed": _lazy("该机构在本计划已兑付（元）"),
    "program_redeemed": _lazy("本计划已兑付（元）"),
    "threshold": _lazy("分档线（元）"),
}


@bureau_page
def flags(request):
    data = request.GET.copy()
    data.setdefault("state", FlagState.OPEN)
    filters = FlagFilterForm(data)
    chosen = filters.cleaned_data if filters.is_valid() else {"kind": "", "state": FlagState.OPEN}
    program_id = _program_filter(request)
    qs = flags_visible_to(
        user=request.user, kind=chosen["kind"], state=chosen["state"], program_id=program_id
    )
    return render(
        request,
        "vouchers/bureau/flags.html",
        {
            "filter": filters,
            "page": paginate(request, qs, 50),
            "program": program_get_visible(user=request.user, pk=program_id) if program_id else None,
        },
    )


@bureau_page
def flag(request, pk):
    found = _found(flag_get_visible(user=request.user, pk=pk), _("该风险提示不存在或不在您的地区范围内。"))
    may_review = perm.can_manage_program(request.user, found.program)
    form = FlagReviewForm(_posted(request), initial={"version": found.version})
    if request.method == "POST":
        if not may_review:
            return render_denied(request, may_review.reason)
        if form.is_valid():
            data = form.cleaned_data
            done = perform(
                form,
                lambda: services.flag_review(
                    flag=found,
                    state=data["state"],
                    note=data["note"],
                    expected_version=data.get("version"),
                    by=request.user,
                ),
            )
            if done is not None:
                messages.success(
                    request, _("风险提示已核查：%(state)s。") % {"state": done.get_state_display()}
                )
                return redirect("vouchers:flags")
    evidence = found.evidence or {}
    return render(
        request,
        "vouchers/bureau/flag.html",
        {
            "flag": found,
            "form": form,
            "may_review": bool(may_review),
            "evidence_bookings": [b for b in evidence.get("bookings", []) if isinstance(b, int)],
            "evidence": [
                (
                    EVIDENCE_LABELS.get(key, key),
                    clauses(map(str, value)) if isinstance(value, list) else value,
                )
                for key, value in evidence.items()
                if key != "bookings"
            ],
        },
    )


# ---------------------------------------------------------------------------------------------------------
# For the workbench (accounts/workbench.py has no panel mechanism yet: the lead can add these tiles there)


def workbench_tiles(user) -> list:
    """Tiles of 我的工作台 for the voucher work of a bureau: programs, and what waits, with counts."""
    from kechuang.accounts.workbench import Tile

    if not perm.can_oversee_vouchers(user):
        return []
    counts = bureau_counts(user=user)
    return [
        Tile(
            _("创新券计划"),
            reverse("vouchers:bureau_programs"),
            _("计划条款、台账、结算与拨付"),
            count=counts["claims"] or None,  # redemptions claimed, waiting to be settled
        ),
        Tile(
            _("创新券额度审核"),
            reverse("vouchers:quota_reviews"),
            _("待审核的额度申领"),
            count=counts["quotas"] or None,
        ),
        Tile(
            _("服务机构核验"),
            reverse("vouchers:providers_pending"),
            _("申请接受创新券的服务机构"),
            count=counts["providers"] or None,
        ),
        Tile(
            _("创新券风险提示"),
            reverse("vouchers:flags"),
            _("关联交易、依赖度异常、分档线下拆单"),
            count=counts["flags"] or None,
        ),
    ]
