"""Pages of the self-assessment (自评): an enterprise's 高企 / 科小 conditions and scores, its super deduction,
what it still lacks; and the panel of the enterprise page.

GET shows the assessment computed now (nothing is written); "开始自评" (POST) computes it with the chosen
date and data and stores it as the enterprise's latest result when it is storable (submitted data, today:
see evaluate.py), then shows it again. Anyone who may see the enterprise may run it: it only recomputes
derived data from figures already submitted, exactly as the nightly batch does.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kechuang.accounts.enums import Role
from kechuang.core.text import enumeration
from kechuang.core.views import render_denied
from kechuang.organizations.enums import OrganizationKind
from kechuang.organizations.models import Organization

from .assessment import (
    HNTE_RULESETS,
    SD_RULESETS,
    TSME_RULESETS,
    RulesetNotFound,
    ruleset_for,
)
from .enums import AssessmentKind
from .evaluate import assess_enterprise, may_include_drafts, store_result
from .models import AssessmentResult
from .permissions import can_edit_annual_data, can_view_enterprise

FIRST_DEDUCTION_YEAR = min(r.valid_from.year for r in SD_RULESETS)


class AssessmentForm(forms.Form):
    on = forms.DateField(
        label=gettext_lazy("申报日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("按该日期判断注册时间和所用的会计年度"),
    )
    drafts = forms.BooleanField(
        label=gettext_lazy("包含未提交的数据（草稿）"),
        required=False,
        help_text=gettext_lazy("含未提交数据的结果仅供预览，不保存"),
    )
    year = forms.TypedChoiceField(label=gettext_lazy("加计扣除年度"), coerce=int)

    def __init__(self, *args, own: bool, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [
            (y, _("%(year)s年度") % {"year": y}) for y in range(today.year, FIRST_DEDUCTION_YEAR - 1, -1)
        ]
        if not own:
            del self.fields["drafts"]

    def clean_on(self):
        on = self.cleaned_data["on"]
        try:
            ruleset_for(HNTE_RULESETS, on)
            ruleset_for(TSME_RULESETS, on)
        except RulesetNotFound as exc:
            raise forms.ValidationError(str(exc)) from exc
        return on


def _initial(own: bool, today: date) -> dict:
    return {"on": today, "drafts": own, "year": today.year - 1}


def _params(data: dict) -> str:
    query = {"on": data["on"].isoformat(), "year": data["year"]}
    if data.get("drafts"):
        query["drafts"] = "on"
    return urlencode(query)


def _annual_edit_url(organization, year: int) -> str:
    try:
        return reverse("enterprises:annual_edit", args=[organization.pk, year])
    except NoReverseMatch:
        return ""


_VERDICT_CSS = {True: "yes", False: "no", None: "open"}
_RD_OPTIONS = {
    "sales": gettext_lazy("方式一（研发费用占销售收入）"),
    "cost": gettext_lazy("方式二（研发费用占成本费用支出总额）"),
}
_WAN = Decimal("10000")


def _num(value) -> str:
    """52.50 → "52.5", 70 → "70"."""
    text = f"{Decimal(value).quantize(Decimal('0.01'), ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _wan(yuan: Decimal) -> str:
    return _("%(amount)s万元") % {"amount": f"{(yuan / _WAN).quantize(Decimal('0.01'), ROUND_HALF_UP):,.2f}"}


def _part_rows(parts) -> list[dict]:
    """Score parts with their sub-items below them, each with the midpoint of its range as the estimate."""
    rows = []
    for part in parts:
        rows.append(
            {"part": part, "estimate": _num(Decimal(part.low + part.high) / 2), "sub": False, "used": False}
        )
        for item in part.items:
            rows.append(
                {
                    "part": item,
                    "estimate": _num(Decimal(item.low + item.high) / 2),
                    "sub": True,
                    "used": bool(item.choice) and item.choice == part.choice,
                }
            )
    return rows


def _verdict(eligible) -> str:
    if eligible is True:
        return _("符合条件")
    if eligible is False:
        return _("不符合条件")
    return _("待判断")


def _pick(request, organization):
    organization = get_object_or_404(
        Organization.objects.select_related("region"), pk=organization, kind=OrganizationKind.ENTERPRISE
    )
    decision = can_view_enterprise(request.user, organization)
    if not decision:
        return None, render_denied(request, decision.reason)
    return organization, None


@login_required
def assessment_mine(request):
    """An enterprise user's own self-assessment; region staff choose an enterprise from the list."""
    user = request.user
    if user.role == Role.ENTERPRISE and user.active_organization_id:
        return redirect("enterprises:assessment", pk=user.active_organization_id)
    if user.is_superuser or user.is_region_scoped:
        try:
            return redirect("enterprises:enterprise_list")
        except NoReverseMatch:
            pass
    return render_denied(request, _("只有企业用户可以进行本企业的自评。"))


@login_required
def assessment_page(request, pk):
    organization, denied = _pick(request, pk)
    if denied:
        return denied
    own = may_include_drafts(request.user, organization)
    today = timezone.localdate()
    url = reverse("enterprises:assessment", args=[organization.pk])

    if request.method == "POST":
        form = AssessmentForm(request.POST, own=own, today=today)
        if form.is_valid():
            data = form.cleaned_data
            result = assess_enterprise(
                organization=organization,
                on=data["on"],
                include_drafts=bool(data.get("drafts")),
                deduction_year=data["year"],
            )
            if store_result(organization=organization, result=result):
                messages.success(request, _("自评完成，结果已保存为本企业最新的自评结果。"))
            elif result.drafts:
                messages.warning(request, _("自评完成。本次自评含未提交数据，仅供预览，未保存。"))
            else:
                messages.warning(
                    request, _("自评完成。申报日期不是今天，结果仅供预览，未保存（保存的结果按当天评价）。")
                )
            return redirect(f"{url}?{_params(data)}")
    elif "on" in request.GET:
        form = AssessmentForm(request.GET, own=own, today=today)
    else:
        form = AssessmentForm(initial=_initial(own, today), own=own, today=today)

    data = form.cleaned_data if form.is_bound and form.is_valid() else _initial(own, today)
    result = assess_enterprise(
        organization=organization,
        on=data["on"],
        include_drafts=own and bool(data.get("drafts")),
        deduction_year=data["year"],
    )
    may_enter = bool(can_edit_annual_data(request.user, organization))
    missing_years = [
        {"year": year, "url": _annual_edit_url(organization, year) if may_enter else ""}
        for year in result.missing_years
    ]
    stored = {row.kind: row for row in AssessmentResult.objects.filter(organization=organization)}
    hnte, tsme = result.hnte, result.tsme
    tsme_rd = next((p for p in tsme.score.parts if p.code == "tsme.rd"), None)
    return render(
        request,
        "enterprises/assessment/page.html",
        {
            "organization": organization,
            "form": form,
            "own": own,
            "result": result,
            "hnte": hnte,
            "tsme": tsme,
            "hnte_verdict": _verdict(hnte.eligible),
            "tsme_verdict": _verdict(tsme.eligible),
            "hnte_css": _VERDICT_CSS[hnte.eligible],
            "tsme_css": _VERDICT_CSS[tsme.eligible],
            "hnte_years": enumeration(str(y) for y in hnte.years) or "—",
            "hnte_score": {
                "low": _num(hnte.score.low),
                "high": _num(hnte.score.high),
                "estimate": _num(hnte.score.estimate),
            },
            "hnte_parts": _part_rows(hnte.score.parts),
            "tsme_score": {
                "decided": tsme.score.value is not None,
                "value": _num(tsme.score.value) if tsme.score.value is not None else "",
                "low": _num(tsme.score.low),
                "high": _num(tsme.score.high),
            },
            "tsme_parts": _part_rows(tsme.score.parts),
            "tsme_rd_used": _RD_OPTIONS.get(tsme_rd.choice, "") if tsme_rd else "",
            "tsme_direct": next((c for c in tsme.checks if c.code == "tsme.direct" and c.passed), None),
            "deduction": result.deduction,
            "deduction_total": _wan(result.deduction.total_extra) if result.deduction else "",
            "missing_years": missing_years,
            "may_enter": may_enter,
            "stored": [stored[k] for k in AssessmentKind.values if k in stored],
            "detail_url": _detail_url(organization),
        },
    )


def _detail_url(organization) -> str:
    try:
        return reverse("enterprises:detail", args=[organization.pk])
    except NoReverseMatch:
        return ""


def panel(*, user, organization) -> dict | None:
    """The self-assessment panel of the enterprise page (`enterprises/assessment/_panel.html`, passed as
    `assessment`): the latest stored verdicts and score estimates, and the way to the full page."""
    if organization.kind != OrganizationKind.ENTERPRISE or not can_view_enterprise(user, organization):
        return None
    rows = {row.kind: row for row in AssessmentResult.objects.filter(organization=organization)}
    return {
        "rows": [
            {
                "kind": AssessmentKind(kind).label,
                "row": rows.get(kind),
                "verdict": _verdict(rows[kind].eligible) if kind in rows else "",
            }
            for kind in AssessmentKind.values
        ],
        "url": reverse("enterprises:assessment", args=[organization.pk]),
    }
