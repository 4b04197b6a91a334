"""Pages of the voucher path (issue 6 item 3): open programs and their terms, applying for a quota, my quotas,
booking an offering, my bookings (made or received), and each party's actions on a booking.

Views are thin: they find the record through a scoped selector (404 when the user may not see it), run one
service inside `perform` (a DomainError is shown next to the form, which is rendered again with the input),
and render. Every write carries the record's version, so a concurrent change is reported, never overwritten.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core.errors import ConflictError
from kechuang.core.forms import perform
from kechuang.core.text import enumeration
from kechuang.core.views import paginate, render_denied
from kechuang.organizations.enums import OrganizationKind, OrganizationSize, QualificationKind
from kechuang.organizations.models import Organization

from . import permissions as perm
from . import services
from .amounts import RuleError, eligibility_problems, parse_tiers, tiers_text
from .enums import ProgramState, QuotaState, ServiceCategory
from .models import Quota
from .path_filters import BookingFilter
from .path_forms import (
    BookingActionForm,
    BookingCompleteForm,
    BookingForm,
    BookingReasonForm,
    QuotaApplyForm,
    QuotaDecisionForm,
)
from .path_selectors import (
    booking_get_visible,
    booking_history,
    bookings_of_quota,
    bookings_visible_to,
    offering_bookable,
    program_get_visible,
    programs_open,
    quota_get_visible,
    quota_history,
    quotas_of_program,
    quotas_usable_for,
    quotas_visible_to,
    split_preview,
)

# What the parties do on a booking from its page; settle and pay are the bureau's, through settlement.
PATH_ACTIONS = ("accept", "decline", "cancel", "complete", "confirm", "dispute", "claim")
REASON_ACTIONS = ("decline", "cancel", "dispute")


def _labels(choices, values) -> str:
    names = dict(choices.choices)
    return enumeration(str(names.get(v, v)) for v in values or ())


def _not_found(request, reason):
    return render_denied(request, reason, status=404)


def _check_version(record, posted) -> None:
    """The record the form was filled against changed meanwhile (its terms or price): refuse, tell."""
    if posted is not None and int(posted) != record.version:
        raise ConflictError(_("该信息在您填写期间已被修改，请核对页面上的最新内容后重新提交。"))


def _organization(user) -> Organization | None:
    return user.organization if user.active_organization_id else None


# ---------------------------------------------------------------------------------------------
# Programs


def program_terms(program) -> list[tuple[str, str]]:
    """The program's terms in plain Chinese, label by label."""
    try:
        copay = tiers_text(parse_tiers(program.copay_tiers), program.copay_mode)
    except RuleError as exc:
        copay = str(exc)
    eligible = _labels(OrganizationKind, program.eligible_kinds) or _("不限")
    if program.eligible_sizes:
        eligible += _("；规模：%(sizes)s") % {"sizes": _labels(OrganizationSize, program.eligible_sizes)}
    if program.required_qualifications:
        eligible += _("；须具备以下资质之一：%(list)s") % {
            "list": _labels(QualificationKind, program.required_qualifications)
        }
    partners = [r.name for r in program.partner_regions.all()]
    where = _("%(region)s（含下辖地区）的服务机构") % {"region": program.region.name}
    if partners:
        where += _("；通用通兑：另可在%(list)s的服务机构使用，跨地区使用由发放地区结算") % {
            "list": enumeration(partners)
        }
    return [
        (_("发放地区"), program.region.name),
        (
            _("受理期"),
            _("%(start)s 至 %(end)s，未使用的额度在截止日之后到期收回")
            % {"start": program.starts_on, "end": program.ends_on},
        ),
        (_("预算"), _("%(v)s元") % {"v": program.budget}),
        (_("剩余可发放"), _("%(v)s元") % {"v": program.remaining}),
        (_("申领对象"), eligible),
        (_("可使用的服务类别"), _labels(ServiceCategory, program.categories)),
        (_("单次申领上限"), _("%(v)s元") % {"v": program.quota_per_application}),
        (_("每家单位年度累计上限"), _("%(v)s元") % {"v": program.annual_cap}),
        (_("创新券支付比例"), copay),
        (_("可使用的服务机构"), where),
        (_("审核方式"), _("符合条件自动发放") if program.auto_approve else _("由科技局逐笔审核")),
    ]


@login_required
def program_list(request):
    page = paginate(request, programs_open())
    return render(request, "vouchers/path/programs.html", {"page": page})


def _program_context(request, program, form=None) -> dict:
    user = request.user
    organization = _organization(user)
    today = timezone.localdate()
    may_apply = perm.can_apply_for(user, user.active_organization_id)
    problems, cap_left, mine = [], None, []
    if organization is not None:
        mine = quotas_of_program(program=program, organization_id=organization.pk)
        if may_apply:
            problems = eligibility_problems(
                services.applicant_of(organization, today),
                kinds=program.eligible_kinds,
                sizes=program.eligible_sizes,
                qualifications=program.required_qualifications,
            )
            cap_left = services.cap_left(program, organization.pk)
    accepting = program.state == ProgramState.OPEN and program.starts_on <= today <= program.ends_on
    if form is None and may_apply and accepting and not problems:
        form = QuotaApplyForm(
            initial={
                "requested": min(program.quota_per_application, max(cap_left, 0)),
                "version": program.version,
            }
        )
    return {
        "program": program,
        "terms": program_terms(program),
        "accepting": accepting,
        "may_apply": may_apply,
        "problems": problems,
        "cap_left": cap_left,
        "mine": mine,
        "pending": any(q.state == QuotaState.APPLIED for q in mine),
        "form": form if accepting else None,
    }


@login_required
def program_detail(request, pk):
    program = program_get_visible(user=request.user, pk=pk)
    if program is None:
        return _not_found(request, _("该创新券计划不存在或尚未发布。"))
    return render(request, "vouchers/path/program.html", _program_context(request, program))


@login_required
@require_POST
def quota_apply_view(request, pk):
    program = program_get_visible(user=request.user, pk=pk)
    if program is None:
        return _not_found(request, _("该创新券计划不存在或尚未发布。"))
    organization = _organization(request.user)
    if organization is None:
        return render_denied(request, _("只有申领单位本单位的用户可以申领创新券。"))
    form = QuotaApplyForm(request.POST)

    def apply():
        _check_version(program, form.cleaned_data.get("version"))
        return services.quota_apply(
            program=program,
            organization=organization,
            requested=form.cleaned_data["requested"],
            purpose=form.cleaned_data["purpose"],
            by=request.user,
        )

    quota = perform(form, apply) if form.is_valid() else None
    if quota is not None:
        if quota.state == QuotaState.APPROVED:
            messages.success(request, _("额度已发放：%(v)s元。") % {"v": quota.granted})
        elif quota.state == QuotaState.REJECTED:
            messages.warning(request, _("申领未通过：%(r)s") % {"r": quota.reason})
        else:
            messages.success(request, _("申领已提交，等待科技局审核。"))
        return redirect("vouchers:quota", pk=quota.pk)
    program.refresh_from_db()
    return render(request, "vouchers/path/program.html", _program_context(request, program, form=form))


# ---------------------------------------------------------------------------------------------
# Quotas


@login_required
def quota_list(request):
    state = request.GET.get("state") or ""
    quotas = quotas_visible_to(user=request.user).order_by("-created_at", "-pk")
    if state in QuotaState.values:
        quotas = quotas.filter(state=state)
    page = paginate(request, quotas)
    return render(
        request,
        "vouchers/path/quotas.html",
        {"page": page, "state": state, "states": QuotaState.choices},
    )


def _review_url(quota) -> str:
    try:
        return reverse("vouchers:quota_review", args=[quota.pk])
    except NoReverseMatch:  # the bureau's pages are another area's; until they are mounted, no form
        return ""


@login_required
def quota_detail(request, pk):
    quota = quota_get_visible(user=request.user, pk=pk)
    if quota is None:
        return _not_found(request, _("该额度不存在，或您无权查看。"))
    decide = quota.state == QuotaState.APPLIED and perm.can_decide_quota(request.user, quota)
    return render(
        request,
        "vouchers/path/quota.html",
        {
            "quota": quota,
            "bookings": list(bookings_of_quota(quota=quota)),
            "history": quota_history(quota),
            "decision_form": QuotaDecisionForm(initial={"amount": quota.requested, "version": quota.version})
            if decide
            else None,
            "review_url": _review_url(quota) if decide else "",
            "may_book": bool(perm.acts_for(request.user, quota.organization_id))
            and quota.state == QuotaState.APPROVED,
        },
    )


# ---------------------------------------------------------------------------------------------
# Booking an offering


@login_required
def booking_new(request, pk):
    offering = offering_bookable(pk=pk)
    if offering is None:
        return _not_found(request, _("该服务项目不存在或当前不接受创新券预约。"))
    user = request.user
    decision = perm.can_apply_for(user, user.active_organization_id)
    if not decision:
        return render_denied(request, decision.reason)
    usable = quotas_usable_for(user=user, offering=offering, today=timezone.localdate())
    quotas = Quota.objects.filter(pk__in=[q.pk for q in usable]).select_related("program")
    form = BookingForm(request.POST or None, quotas=quotas, offering=offering)
    preview = None
    if request.method == "POST":
        previewing = "preview" in request.POST or request.htmx
        if form.is_valid() and not previewing:

            def book():
                _check_version(offering, form.cleaned_data.get("version"))
                return services.booking_create(
                    quota=form.cleaned_data["quota"],
                    offering=offering,
                    fee=form.cleaned_data["fee"],
                    service_date=form.cleaned_data["service_date"],
                    note=form.cleaned_data["note"],
                    by=user,
                )

            booking = perform(form, book)
            if booking is not None:
                messages.success(request, _("已提交预约，等待服务机构确认。"))
                return redirect("vouchers:booking", pk=booking.pk)
        preview = _preview_of(form, quotas)
        if request.htmx:
            return render(request, "vouchers/path/_split.html", {"preview": preview, "offering": offering})
    elif usable:
        preview = split_preview(quota=usable[0], fee=offering.price)
    return render(
        request,
        "vouchers/path/booking_new.html",
        {"offering": offering, "form": form, "preview": preview, "usable": usable},
    )


def _preview_of(form, quotas):
    """The split of the fee typed in, under the quota chosen (also when other fields are not valid yet)."""
    quota_id, fee = form.data.get("quota"), form.data.get("fee")
    quota = next((q for q in quotas if str(q.pk) == str(quota_id)), None)
    if quota is None or fee in (None, ""):
        return None
    return split_preview(quota=quota, fee=fee)


# ---------------------------------------------------------------------------------------------
# Bookings


@login_required
def booking_list(request):
    queryset = bookings_visible_to(user=request.user).order_by("-created_at", "-pk")
    filterset = BookingFilter(request.GET, queryset=queryset, request=request)
    page = paginate(request, filterset.qs)
    return render(
        request,
        "vouchers/path/bookings.html",
        {"filter": filterset, "page": page, "organization_id": request.user.active_organization_id},
    )


def _action_form(action, booking, data=None, files=None):
    transition = services.BOOKING_WORKFLOW.transitions.get((booking.state, action))
    needs_reason = transition.needs_reason if transition else True
    if action == "complete":
        return BookingCompleteForm(data, files, action=action, booking=booking)
    if action in REASON_ACTIONS:
        return BookingReasonForm(data, action=action, booking=booking, needs_reason=needs_reason)
    return BookingActionForm(data, action=action, booking=booking)


def _booking_context(request, booking, failed=None) -> dict:
    user = request.user
    actions = [a for a in services.BOOKING_WORKFLOW.available(booking, user) if a in PATH_ACTIONS]
    forms = {action: _action_form(action, booking) for action in actions}
    if failed is not None:
        forms[failed.action] = failed  # shown with its errors and input, even if no longer available
    labels = services.BOOKING_WORKFLOW.action_labels
    organization_id = user.active_organization_id
    return {
        "booking": booking,
        "forms": [(action, labels.get(action, action), form) for action, form in forms.items()],
        "history": booking_history(booking),
        # 通用通兑: used outside the issuing region (not merely in a town below it)
        "cross_region": not booking.service_region.path.startswith(booking.issuing_region.path),
        "is_enterprise": organization_id is not None and organization_id == booking.quota.organization_id,
        "is_provider": organization_id is not None and organization_id == booking.provider_id,
    }


@login_required
def booking_detail(request, pk):
    booking = booking_get_visible(user=request.user, pk=pk)
    if booking is None:
        return _not_found(request, _("该创新券使用记录不存在，或您无权查看。"))
    return render(request, "vouchers/path/booking.html", _booking_context(request, booking))


def _run(action, booking, data, by):
    version = data.get("version")
    if action == "accept":
        return services.booking_accept(booking=booking, by=by, expected_version=version)
    if action == "decline":
        return services.booking_decline(
            booking=booking, reason=data["reason"], by=by, expected_version=version
        )
    if action == "cancel":
        return services.booking_cancel(
            booking=booking, reason=data["reason"], by=by, expected_version=version
        )
    if action == "complete":
        return services.booking_complete(
            booking=booking,
            fee=data["fee"],
            invoice_no=data["invoice_no"],
            invoice_file=data.get("invoice_file") or None,
            report_file=data.get("report_file") or None,
            by=by,
            expected_version=version,
        )
    if action == "confirm":
        return services.booking_confirm(booking=booking, by=by, expected_version=version)
    if action == "dispute":
        return services.booking_dispute(
            booking=booking, reason=data["reason"], by=by, expected_version=version
        )
    return services.booking_claim(booking=booking, by=by, expected_version=version)


@login_required
@require_POST
def booking_action(request, pk, action):
    if action not in PATH_ACTIONS:
        raise Http404
    booking = booking_get_visible(user=request.user, pk=pk)
    if booking is None:
        return _not_found(request, _("该创新券使用记录不存在，或您无权查看。"))
    form = _action_form(action, booking, request.POST, request.FILES)
    done = (
        perform(form, lambda: _run(action, booking, form.cleaned_data, request.user))
        if form.is_valid()
        else None
    )
    if done is not None:
        messages.success(
            request,
            _("已%(action)s，当前状态：%(state)s。")
            % {
                "action": services.BOOKING_WORKFLOW.action_labels.get(action, action),
                "state": done.get_state_display(),
            },
        )
        return redirect("vouchers:booking", pk=done.pk)
    booking = booking_get_visible(user=request.user, pk=pk)  # as it is now: the service changed nothing
    return render(request, "vouchers/path/booking.html", _booking_context(request, booking, failed=form))


@login_required
def booking_file(request, pk, which):
    """The invoice or the report of a booking, only for those who may view the booking."""
    if which not in ("invoice", "report"):
        raise Http404
    booking = booking_get_visible(user=request.user, pk=pk)
    if booking is None:
        return _not_found(request, _("该创新券使用记录不存在，或您无权查看。"))
    stored = booking.invoice_file if which == "invoice" else booking.report_file
    if not stored:
        return _not_found(request, _("该文件尚未上传。"))
    response = FileResponse(stored.open("rb"), as_attachment=True, filename=stored.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, no-store"
    return response
