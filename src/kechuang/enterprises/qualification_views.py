"""Pages of the qualifications area, and the enterprise's page (the hub where every area shows its panel)."""

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kechuang.core.excel import workbook_response
from kechuang.core.forms import perform
from kechuang.core.panels import collect_panels
from kechuang.core.views import paginate, render_denied
from kechuang.organizations.enums import OrganizationKind, QualificationKind
from kechuang.organizations.models import Organization, Qualification

from .permissions import can_manage_qualifications, can_view_enterprise
from .qualification_filters import QualificationFilter
from .qualification_forms import QualificationForm, RevocationForm
from .qualifications import (
    EXPIRY_WARNING_DAYS,
    QualificationState,
    qualification_revoke,
    qualification_save,
    qualification_state,
    qualification_warnings,
    suggested_valid_until,
    tier_explained,
)
from .selectors import qualifications_visible_to

# Other areas' panels on the enterprise page, in page order: (context name, module, template). Each module
# offers `panel(*, user, organization)`, returning what its template needs, or None to show nothing.
PANELS = (
    ("annual", "kechuang.enterprises.annual_views", "enterprises/annual/_panel.html"),
    ("assessment", "kechuang.enterprises.assessment_views", "enterprises/assessment/_panel.html"),
    ("reserve", "kechuang.enterprises.reserve_views", "enterprises/reserve/_panel.html"),
    ("liaison", "kechuang.enterprises.liaison_views", "enterprises/liaison/_panel.html"),
)

_STATE_ORDER = [
    QualificationState.IN_FORCE,
    QualificationState.NOT_YET,
    QualificationState.EXPIRED,
    QualificationState.REVOKED,
]
_KIND_ORDER = {kind: index for index, kind in enumerate(QualificationKind.values)}
# The colour a state is shown in, with the status classes the stylesheet already has.
_STATE_CLASS = {
    QualificationState.IN_FORCE: "verified",
    QualificationState.NOT_YET: "pending",
    QualificationState.EXPIRED: "",
    QualificationState.REVOKED: "rejected",
}


@dataclass(frozen=True)
class QualificationRow:
    qualification: Qualification
    state: QualificationState
    css: str
    days_left: int | None  # set when in force and within the reminder horizon


def _row(qualification: Qualification, day: date) -> QualificationRow:
    state = qualification_state(qualification, day)
    days_left = (qualification.valid_until - day).days if state == QualificationState.IN_FORCE else None
    if days_left is not None and days_left > EXPIRY_WARNING_DAYS:
        days_left = None
    css = "pending" if days_left is not None else _STATE_CLASS[state]
    return QualificationRow(qualification, state, css, days_left)


@login_required
def enterprise_detail(request, pk):
    organization = get_object_or_404(
        Organization.objects.select_related("region__parent__parent__parent"),
        pk=pk,
        kind=OrganizationKind.ENTERPRISE,
    )
    decision = can_view_enterprise(request.user, organization)
    if not decision:
        return render_denied(request, decision.reason)
    today = timezone.localdate()
    qualifications = list(Qualification.objects.filter(organization=organization).order_by("pk"))
    rows = sorted(
        (_row(q, today) for q in qualifications),
        key=lambda r: (
            _STATE_ORDER.index(r.state),
            _KIND_ORDER.get(r.qualification.kind, 99),
            -r.qualification.valid_until.toordinal(),
        ),
    )
    panels, panel_context = collect_panels(PANELS, user=request.user, organization=organization)
    return render(
        request,
        "enterprises/detail.html",
        {
            "organization": organization,
            "rows": rows,
            "tier": tier_explained(qualifications=qualifications, day=today),
            "can_manage": can_manage_qualifications(request.user, organization),
            "panels": panel_context,
            "panel_list": panels,
            **panel_context,
        },
    )


@login_required
def enterprise_mine(request):
    """An enterprise user's own page."""
    organization_id = request.user.active_organization_id
    if (
        organization_id
        and Organization.objects.filter(pk=organization_id, kind=OrganizationKind.ENTERPRISE).exists()
    ):
        return redirect("enterprises:detail", pk=organization_id)
    return render_denied(request, _("您的账号没有关联企业，或单位成员身份尚未通过审核。"))


# Lazy: the module is imported once, the header is shown in each request's language.
EXPORT_HEADER = [
    gettext_lazy("企业名称"),
    gettext_lazy("统一社会信用代码"),
    gettext_lazy("属地"),
    gettext_lazy("资质类型"),
    gettext_lazy("级别"),
    gettext_lazy("证书编号"),
    gettext_lazy("发证日期"),
    gettext_lazy("有效期至"),
    gettext_lazy("状态"),
    gettext_lazy("取消日期"),
    gettext_lazy("取消原因"),
]


def _export(queryset, day: date):
    rows = [
        [
            q.organization.name,
            q.organization.credit_code,
            q.organization.region.name,
            q.get_kind_display(),
            q.get_level_display(),
            q.certificate_no,
            q.valid_from,
            q.valid_until,
            str(qualification_state(q, day).label),
            q.revoked_on,
            q.revoke_reason,
        ]
        for q in queryset.iterator(chunk_size=2000)
    ]
    return workbook_response(
        filename=_("资质台账") + f"-{day.isoformat()}.xlsx",
        sheets=[(_("资质台账"), [str(h) for h in EXPORT_HEADER], rows)],
    )


@login_required
def qualification_list(request):
    """资质台账: every qualification the user may see (scoped in the selector), filtered, paged, exportable."""
    filterset = QualificationFilter(
        request.GET, queryset=qualifications_visible_to(user=request.user), request=request
    )
    today = timezone.localdate()
    if request.GET.get("format") == "xlsx":
        return _export(filterset.qs, today)
    page = paginate(request, filterset.qs)
    rows = [_row(q, today) for q in page]
    query = request.GET.copy()
    query.pop("page", None)
    query["format"] = "xlsx"
    template = (
        "enterprises/qualifications/_rows.html" if request.htmx else "enterprises/qualifications/list.html"
    )
    return render(
        request,
        template,
        {"filter": filterset, "page": page, "rows": rows, "export_query": query.urlencode()},
    )


def _organization_for(request, pk, predicate):
    organization = get_object_or_404(Organization.objects.select_related("region"), pk=pk)
    decision = predicate(request.user, organization)
    if not decision:
        return None, render_denied(request, decision.reason)
    return organization, None


def _qualification_for(request, pk):
    qualification = get_object_or_404(Qualification.objects.select_related("organization__region"), pk=pk)
    decision = can_manage_qualifications(request.user, qualification.organization)
    if not decision:
        return None, render_denied(request, decision.reason)
    return qualification, None


def _saved(request, saved: Qualification, message: str):
    messages.success(request, message)
    for warning in qualification_warnings(
        kind=saved.kind, valid_from=saved.valid_from, valid_until=saved.valid_until
    ):
        messages.warning(request, warning)
    return redirect(reverse("enterprises:detail", args=[saved.organization_id]) + "#qualifications")


@login_required
def qualification_create(request, pk):
    organization, denied = _organization_for(request, pk, can_manage_qualifications)
    if denied:
        return denied
    form = QualificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = perform(
            form, lambda: qualification_save(organization=organization, data=form.changes(), by=request.user)
        )
        if saved is not None:
            return _saved(request, saved, _("已登记资质：%(kind)s") % {"kind": saved.get_kind_display()})
    return render(
        request,
        "enterprises/qualifications/form.html",
        {"form": form, "organization": organization, "title": _("登记资质")},
    )


@login_required
def qualification_edit(request, pk):
    qualification, denied = _qualification_for(request, pk)
    if denied:
        return denied
    form = QualificationForm(request.POST or None, instance=qualification)
    if request.method == "POST" and form.is_valid():
        saved = perform(
            form,
            lambda: qualification_save(
                organization=qualification.organization,
                qualification=qualification,
                data=form.changes(),
                expected_version=form.cleaned_data.get("version"),
                by=request.user,
            ),
        )
        if saved is not None:
            return _saved(request, saved, _("已保存资质：%(kind)s") % {"kind": saved.get_kind_display()})
    return render(
        request,
        "enterprises/qualifications/form.html",
        {
            "form": form,
            "organization": qualification.organization,
            "qualification": qualification,
            "title": _("修改资质"),
        },
    )


@login_required
def qualification_revoke_view(request, pk):
    qualification, denied = _qualification_for(request, pk)
    if denied:
        return denied
    form = RevocationForm(request.POST or None, initial={"version": qualification.version})
    if request.method == "POST" and form.is_valid():
        revoked = perform(
            form,
            lambda: qualification_revoke(
                qualification=qualification,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data.get("version"),
                by=request.user,
            ),
        )
        if revoked is not None:
            messages.success(
                request,
                _("已取消资质：%(kind)s（自%(day)s起）")
                % {"kind": revoked.get_kind_display(), "day": revoked.revoked_on.isoformat()},
            )
            return redirect(reverse("enterprises:detail", args=[revoked.organization_id]) + "#qualifications")
    return render(
        request,
        "enterprises/qualifications/revoke.html",
        {"form": form, "qualification": qualification, "organization": qualification.organization},
    )


@login_required
def qualification_suggest(request):
    """htmx: the hint under 有效期至 (and, when it is blank, the value a 高企 certificate has)."""
    kind = request.GET.get("kind", "")
    valid_from = _date(request.GET.get("valid_from"))
    valid_until = _date(request.GET.get("valid_until"))
    suggestion = suggested_valid_until(kind, valid_from)
    fill = ""
    if suggestion is None:
        hint = _("高新技术企业可留空：按发证日期起三年自动计算。")
    elif valid_until is None:
        hint = _("已按发证日期起三年填入：%(day)s。") % {"day": suggestion.isoformat()}
        fill = format_html(
            '<input type="date" name="valid_until" id="id_valid_until" value="{}" hx-swap-oob="true">',
            suggestion.isoformat(),
        )
    elif valid_until == suggestion:
        hint = _("与发证日期起三年一致。")
    else:
        hint = qualification_warnings(kind=kind, valid_from=valid_from, valid_until=valid_until)[0]
    return render(request, "enterprises/qualifications/_hint.html", {"hint": hint, "fill": fill})


def _date(value) -> date | None:
    try:
        return parse_date(value or "")
    except ValueError:
        return None
