"""Carriers as services: recognition (create, edit, remove, restore), incubated companies and their revenue, the
kinds' report indicators, annual reports (save → submit → return / accept) and evaluation schemes (create, run,
publish, note). Each is one transaction, checks its permission, locks what it changes and records transitions.

Lock order: carrier, then report, scheme, evaluation.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.core.audit import acting, record_transition
from kechuang.core.errors import DomainError
from kechuang.core.notifications import notify
from kechuang.core.permissions import require
from kechuang.organizations.enums import QualificationLevel
from kechuang.organizations.models import Organization

from . import evaluation as rules
from . import permissions as perm
from .enums import (
    INCUBATING_KINDS,
    CarrierKind,
    CarrierState,
    Consequence,
    Grade,
    IncubateeState,
    IndicatorType,
    ReportState,
    SchemeState,
)
from .models import (
    AnnualReport,
    Carrier,
    Evaluation,
    EvaluationScheme,
    Incubatee,
    IncubateeRevenue,
    ReportIndicator,
    SchemeIndicator,
)


def _tell_operator(carrier: Carrier, subject: str, *, body: str = "", key: str) -> None:
    """Notify the active users of the carrier's operator organization (once per `key`)."""
    from django.urls import reverse

    from kechuang.accounts.models import User

    users = User.objects.filter(organization_id=carrier.operator_id, is_active=True)
    link = reverse("carriers:detail", args=[carrier.pk])
    notify(recipients=users, subject=subject, body=body, link=link, dedupe_key=key)


# ---------------------------------------------------------------------------------------------
# Carriers

CARRIER_FIELDS = (
    "kind",
    "level",
    "name",
    "operator",
    "region",
    "recognized_on",
    "recognized_by",
    "certificate_no",
    "certificate_file",
    "field",
    "area_m2",
    "description",
)


def _check_carrier(values: dict) -> None:
    if values.get("kind") not in CarrierKind.values:
        raise DomainError(_("请选择载体类型。"), field="kind")
    if values.get("level") not in QualificationLevel.values:
        raise DomainError(_("请选择载体级别。"), field="level")
    if not (values.get("name") or "").strip():
        raise DomainError(_("请填写载体名称。"), field="name")
    if not isinstance(values.get("operator"), Organization):
        raise DomainError(_("请选择运营单位。"), field="operator")
    if values.get("region") is None:
        raise DomainError(_("请选择所在地区。"), field="region")
    recognized_on = values.get("recognized_on")
    if not isinstance(recognized_on, date) or recognized_on > timezone.localdate():
        raise DomainError(_("认定日期不能晚于今天。"), field="recognized_on")
    area = values.get("area_m2")
    if area is not None and area < 0:
        raise DomainError(_("场地面积不能为负数。"), field="area_m2")


def _lock_carrier(carrier: Carrier) -> Carrier:
    return Carrier.objects.select_for_update().get(pk=carrier.pk)


@acting
@transaction.atomic
def carrier_create(*, values: dict, by) -> Carrier:
    """Record a carrier the bureau of its region has recognized."""
    values = {k: values[k] for k in CARRIER_FIELDS if k in values and values[k] is not None}
    _check_carrier(values)
    require(perm.can_manage_carrier(by, Carrier(region=values["region"])))
    values["name"] = values["name"].strip()
    return Carrier.objects.create(**values)


@acting
@transaction.atomic
def carrier_update(*, carrier: Carrier, values: dict, expected_version=None, by) -> Carrier:
    """Change a carrier's recognition record; moving it to another region needs the bureau of both."""
    require(perm.can_manage_carrier(by, carrier))
    locked = _lock_carrier(carrier)
    locked.check_version(expected_version)
    merged = {k: getattr(locked, k) for k in CARRIER_FIELDS} | {
        k: values[k] for k in CARRIER_FIELDS if k in values
    }
    if merged.get("certificate_file") is None:
        merged["certificate_file"] = locked.certificate_file
    _check_carrier(merged)
    require(perm.can_manage_carrier(by, Carrier(region=merged["region"])))
    for k, v in merged.items():
        setattr(locked, k, v)
    locked.name = locked.name.strip()
    locked.bump_version()
    locked.save()
    return locked


@acting
@transaction.atomic
def carrier_remove(
    *, carrier: Carrier, reason: str, removed_on: date | None = None, expected_version=None, by
):
    """Withdraw a carrier's recognition (撤销认定) with a reason."""
    require(perm.can_manage_carrier(by, carrier))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写撤销原因。"), field="reason")
    locked = _lock_carrier(carrier)
    locked.check_version(expected_version)
    if locked.state == CarrierState.REMOVED:
        raise DomainError(_("该载体已被撤销。"))
    return _remove(locked, reason=reason, removed_on=removed_on or timezone.localdate(), by=by)


def _remove(locked: Carrier, *, reason: str, removed_on: date, by) -> Carrier:
    before = locked.state
    locked.state = CarrierState.REMOVED
    locked.removed_on = removed_on
    locked.removal_reason = reason[:200]
    locked.bump_version()
    locked.save()
    record_transition(instance=locked, by=by, from_state=before, to_state=locked.state, reason=reason)
    return locked


def _move(locked: Carrier, state: str, *, reason: str, by) -> None:
    before = locked.state
    if before == state:
        return
    locked.state = state
    locked.bump_version()
    locked.save()
    record_transition(instance=locked, by=by, from_state=before, to_state=state, reason=reason)


@acting
@transaction.atomic
def carrier_restore(*, carrier: Carrier, reason: str = "", expected_version=None, by) -> Carrier:
    """Undo a removal (a removal made in error, or overturned on review)."""
    require(perm.can_manage_carrier(by, carrier))
    locked = _lock_carrier(carrier)
    locked.check_version(expected_version)
    if locked.state != CarrierState.REMOVED:
        raise DomainError(_("只有已撤销的载体可以恢复。"))
    locked.removed_on = None
    locked.removal_reason = ""
    _move(locked, CarrierState.ACTIVE, reason=(reason or "").strip(), by=by)
    return locked


# ---------------------------------------------------------------------------------------------
# Incubated companies

INCUBATEE_FIELDS = ("name", "credit_code", "field", "registered_capital", "entered_on", "organization")
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")


def _check_incubatee(values: dict) -> None:
    if not (values.get("name") or "").strip():
        raise DomainError(_("请填写企业名称。"), field="name")
    code = (values.get("credit_code") or "").strip().upper()
    if code and not CREDIT_CODE.match(code):
        raise DomainError(_("统一社会信用代码应为18位数字或大写字母。"), field="credit_code")
    values["credit_code"] = code
    entered_on = values.get("entered_on")
    if not isinstance(entered_on, date) or entered_on > timezone.localdate():
        raise DomainError(_("入孵日期不能晚于今天。"), field="entered_on")
    capital = values.get("registered_capital")
    if capital is not None and capital < 0:
        raise DomainError(_("注册资本不能为负数。"), field="registered_capital")
    if code and values.get("organization") is None:
        # Link the registry's record when the company is in it, so its other data can be joined.
        values["organization"] = Organization.objects.filter(credit_code=code).first()


def _incubating_carrier(carrier: Carrier, by) -> None:
    require(perm.can_keep_carrier_records(by, carrier))
    if carrier.kind not in INCUBATING_KINDS:
        raise DomainError(_("只有孵化器、众创空间和星创天地登记在孵企业。"))
    if carrier.state == CarrierState.REMOVED:
        raise DomainError(_("该载体已被撤销，不能再维护在孵企业。"))


@acting
@transaction.atomic
def incubatee_add(*, carrier: Carrier, values: dict, by) -> Incubatee:
    """Register a company that entered the carrier (入孵)."""
    _incubating_carrier(carrier, by)
    values = {k: values[k] for k in INCUBATEE_FIELDS if k in values}
    _check_incubatee(values)
    values["name"] = values["name"].strip()
    return Incubatee.objects.create(carrier=carrier, **values)


def _lock_incubatee(incubatee: Incubatee) -> Incubatee:
    return Incubatee.objects.select_for_update().select_related("carrier").get(pk=incubatee.pk)


@acting
@transaction.atomic
def incubatee_update(*, incubatee: Incubatee, values: dict, expected_version=None, by) -> Incubatee:
    """Correct an incubated company's record."""
    _incubating_carrier(incubatee.carrier, by)
    locked = _lock_incubatee(incubatee)
    locked.check_version(expected_version)
    merged = {k: getattr(locked, k) for k in INCUBATEE_FIELDS} | {
        k: values[k] for k in INCUBATEE_FIELDS if k in values
    }
    if (merged.get("credit_code") or "") != locked.credit_code and "organization" not in values:
        merged["organization"] = None
    _check_incubatee(merged)
    if locked.exited_on and merged["entered_on"] > locked.exited_on:
        raise DomainError(_("入孵日期不能晚于毕业/退出日期。"), field="entered_on")
    for k, v in merged.items():
        setattr(locked, k, v)
    locked.name = locked.name.strip()
    locked.bump_version()
    locked.save()
    return locked


@acting
@transaction.atomic
def incubatee_exit(
    *, incubatee: Incubatee, state: str, exited_on: date, reason: str = "", expected_version=None, by
) -> Incubatee:
    """Record that a company graduated (毕业) or left (退出) the carrier."""
    _incubating_carrier(incubatee.carrier, by)
    if state not in (IncubateeState.GRADUATED, IncubateeState.LEFT):
        raise DomainError(_("请选择毕业或退出。"), field="state")
    locked = _lock_incubatee(incubatee)
    locked.check_version(expected_version)
    if locked.state != IncubateeState.INCUBATING:
        raise DomainError(_("该企业已毕业或退出。"))
    if not isinstance(exited_on, date) or exited_on < locked.entered_on:
        raise DomainError(_("毕业/退出日期不能早于入孵日期。"), field="exited_on")
    if exited_on > timezone.localdate():
        raise DomainError(_("毕业/退出日期不能晚于今天。"), field="exited_on")
    before = locked.state
    locked.state = state
    locked.exited_on = exited_on
    locked.exit_reason = (reason or "").strip()[:200]
    locked.bump_version()
    locked.save()
    record_transition(instance=locked, by=by, from_state=before, to_state=state, reason=locked.exit_reason)
    return locked


@acting
@transaction.atomic
def incubatee_revenue_set(*, incubatee: Incubatee, year: int, revenue: Decimal, by) -> IncubateeRevenue:
    """Set a company's revenue (yuan) for one year; setting it again replaces it."""
    _incubating_carrier(incubatee.carrier, by)
    _lock_incubatee(incubatee)
    if not year or year < incubatee.entered_on.year or year > timezone.localdate().year:
        raise DomainError(_("年度应在入孵年度与今年之间。"), field="year")
    if revenue is None or revenue < 0:
        raise DomainError(_("营业收入不能为负数。"), field="revenue")
    row, _created = IncubateeRevenue.objects.update_or_create(
        incubatee=incubatee, year=year, defaults={"revenue": revenue}
    )
    return row


# ---------------------------------------------------------------------------------------------
# Report indicators

INDICATOR_FIELDS = ("name", "unit", "value_type", "required", "position", "active", "help_text")
SLUG = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def _check_indicator(values: dict) -> None:
    if not (values.get("name") or "").strip():
        raise DomainError(_("请填写指标名称。"), field="name")
    if values.get("value_type", IndicatorType.INTEGER) not in IndicatorType.values:
        raise DomainError(_("请选择数值类型。"), field="value_type")


@acting
@transaction.atomic
def indicator_create(*, kind: str, code: str, values: dict, by) -> ReportIndicator:
    """Add a line to a kind's annual report."""
    require(perm.can_configure_indicators(by))
    if kind not in CarrierKind.values:
        raise DomainError(_("请选择载体类型。"), field="kind")
    code = (code or "").strip()
    if not SLUG.match(code):
        raise DomainError(_("指标代码应以小写字母开头，由小写字母、数字和下划线组成。"), field="code")
    if ReportIndicator.objects.filter(kind=kind, code=code).exists():
        raise DomainError(_("该载体类型已有此指标代码。"), field="code")
    values = {k: values[k] for k in INDICATOR_FIELDS if k in values}
    _check_indicator(values)
    return ReportIndicator.objects.create(kind=kind, code=code, **values)


@acting
@transaction.atomic
def indicator_update(
    *, indicator: ReportIndicator, values: dict, expected_version=None, by
) -> ReportIndicator:
    """Change an indicator's wording, type, order or use; its code stays, since reports store values by code."""
    require(perm.can_configure_indicators(by))
    locked = ReportIndicator.objects.select_for_update().get(pk=indicator.pk)
    locked.check_version(expected_version)
    merged = {k: getattr(locked, k) for k in INDICATOR_FIELDS} | {
        k: values[k] for k in INDICATOR_FIELDS if k in values
    }
    _check_indicator(merged)
    for k, v in merged.items():
        setattr(locked, k, v)
    locked.bump_version()
    locked.save()
    return locked


def indicators_of(kind: str, *, active_only: bool = True):
    qs = ReportIndicator.objects.filter(kind=kind)
    return qs.filter(active=True) if active_only else qs


# ---------------------------------------------------------------------------------------------
# Annual reports


def clean_value(indicator: ReportIndicator, raw) -> str:
    """A value as stored: "" when empty, else a canonical decimal string checked against the indicator's type."""
    text = "" if raw is None else str(raw).strip().replace(",", "")
    if not text:
        return ""
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise DomainError(_("%(name)s：请填写数字。") % {"name": indicator.name}, field=indicator.code)
    if number < 0:
        raise DomainError(_("%(name)s：不能为负数。") % {"name": indicator.name}, field=indicator.code)
    if indicator.value_type == IndicatorType.INTEGER:
        if number != number.to_integral_value():
            raise DomainError(_("%(name)s：请填写整数。") % {"name": indicator.name}, field=indicator.code)
        return str(int(number))
    if number.as_tuple().exponent < -4:
        raise DomainError(_("%(name)s：最多保留4位小数。") % {"name": indicator.name}, field=indicator.code)
    return format(number.normalize(), "f")


def _check_year(year: int) -> None:
    if not isinstance(year, int) or year < 2000 or year > timezone.localdate().year:
        raise DomainError(_("年报年度应在2000年与今年之间。"), field="year")


@acting
@transaction.atomic
def report_save(
    *, carrier: Carrier, year: int, values: dict, summary: str = "", expected_version=None, by
) -> AnnualReport:
    """Save a draft of a carrier's annual report (values may still be missing; wrong ones are refused)."""
    require(perm.can_fill_report(by, carrier))
    _check_year(year)
    locked_carrier = _lock_carrier(carrier)
    if locked_carrier.state == CarrierState.REMOVED:
        raise DomainError(_("该载体已被撤销，不能填报年报。"))
    indicators = {i.code: i for i in indicators_of(carrier.kind)}
    unknown = set(values) - set(indicators)
    if unknown:
        raise DomainError(_("年报中有未配置的指标：%(codes)s。") % {"codes": "、".join(sorted(unknown))})
    cleaned = {code: clean_value(indicators[code], values.get(code)) for code in indicators if code in values}
    report = AnnualReport.objects.select_for_update().filter(carrier=carrier, year=year).first()
    if report is None:
        if expected_version not in (None, "", 0, "0"):
            raise DomainError(_("该记录已被他人修改，请刷新后重新编辑。"))
        return AnnualReport.objects.create(
            carrier=carrier,
            year=year,
            values={k: v for k, v in cleaned.items() if v != ""},
            summary=(summary or "").strip(),
        )
    report.check_version(expected_version)
    if report.state not in (ReportState.DRAFT, ReportState.RETURNED):
        raise DomainError(_("年报已提交，不能再修改。"))
    merged = dict(report.values) | cleaned
    report.values = {k: v for k, v in merged.items() if v != ""}
    report.summary = (summary or "").strip()
    report.bump_version()
    report.save()
    return report


def missing_required(report: AnnualReport) -> list[ReportIndicator]:
    """The required, active indicators of the report's kind that have no value yet."""
    return [
        i
        for i in indicators_of(report.carrier.kind).filter(required=True)
        if rules.as_decimal(report.values.get(i.code)) is None
    ]


def _lock_report(report: AnnualReport) -> AnnualReport:
    return AnnualReport.objects.select_for_update().select_related("carrier").get(pk=report.pk)


@acting
@transaction.atomic
def report_submit(*, report: AnnualReport, expected_version=None, by) -> AnnualReport:
    """Submit a report to the bureau; every required indicator must be filled."""
    require(perm.can_fill_report(by, report.carrier))
    locked = _lock_report(report)
    locked.check_version(expected_version)
    if locked.state not in (ReportState.DRAFT, ReportState.RETURNED):
        raise DomainError(_("只有填报中或已退回的年报可以提交。"))
    missing = missing_required(locked)
    if missing:
        raise DomainError(
            _("以下必填指标尚未填写：%(names)s。") % {"names": "、".join(i.name for i in missing)}
        )
    before = locked.state
    locked.state = ReportState.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = by
    locked.review_note = ""
    locked.bump_version()
    locked.save()
    record_transition(instance=locked, by=by, from_state=before, to_state=locked.state)
    return locked


@acting
@transaction.atomic
def report_return(*, report: AnnualReport, reason: str, expected_version=None, by) -> AnnualReport:
    """Send a submitted report back to the carrier for correction, with the reason."""
    require(perm.can_review_report(by, report))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写退回原因。"), field="reason")
    locked = _lock_report(report)
    locked.check_version(expected_version)
    if locked.state != ReportState.SUBMITTED:
        raise DomainError(_("只有已提交的年报可以退回。"))
    locked.state = ReportState.RETURNED
    locked.review_note = reason[:300]
    locked.bump_version()
    locked.save()
    record_transition(
        instance=locked, by=by, from_state=ReportState.SUBMITTED, to_state=locked.state, reason=reason
    )
    _tell_operator(
        locked.carrier,
        _("%(carrier)s %(year)s年度年报被退回") % {"carrier": locked.carrier.name, "year": locked.year},
        body=reason,
        key=f"carrier-report-returned-{locked.pk}-{locked.version}",
    )
    return locked


@acting
@transaction.atomic
def report_accept(*, report: AnnualReport, note: str = "", expected_version=None, by) -> AnnualReport:
    """Confirm a submitted report (已确认)."""
    require(perm.can_review_report(by, report))
    locked = _lock_report(report)
    locked.check_version(expected_version)
    if locked.state != ReportState.SUBMITTED:
        raise DomainError(_("只有已提交的年报可以确认。"))
    locked.state = ReportState.ACCEPTED
    locked.review_note = (note or "").strip()[:300]
    locked.bump_version()
    locked.save()
    record_transition(instance=locked, by=by, from_state=ReportState.SUBMITTED, to_state=locked.state)
    _tell_operator(
        locked.carrier,
        _("%(carrier)s %(year)s年度年报已确认") % {"carrier": locked.carrier.name, "year": locked.year},
        key=f"carrier-report-accepted-{locked.pk}",
    )
    return locked


# ---------------------------------------------------------------------------------------------
# Evaluation schemes

SCHEME_FIELDS = ("name", "excellent_min", "good_min", "pass_min")
HUNDRED = Decimal("100")


def _check_scheme(values: dict) -> None:
    if not (values.get("name") or "").strip():
        raise DomainError(_("请填写评价方案名称。"), field="name")
    try:
        excellent, good, passing = (Decimal(values[k]) for k in ("excellent_min", "good_min", "pass_min"))
    except (KeyError, TypeError, InvalidOperation):
        raise DomainError(_("请填写各等次分数线。"), field="excellent_min") from None
    if not (HUNDRED >= excellent >= good >= passing >= 0):
        raise DomainError(
            _("分数线应满足：100 ≥ 优秀 ≥ 良好 ≥ 合格 ≥ 0。"),
            field="excellent_min",
        )


def _check_weights(kind: str, weights) -> list[tuple[ReportIndicator, Decimal, Decimal]]:
    """(indicator, weight, target) rows: indicators of the kind, each once, weights summing to exactly 100."""
    rows = []
    seen = set()
    for indicator, weight, target in weights:
        if indicator.kind != kind:
            raise DomainError(_("指标“%(name)s”不属于该载体类型。") % {"name": indicator.name})
        if indicator.pk in seen:
            raise DomainError(_("指标“%(name)s”重复。") % {"name": indicator.name})
        seen.add(indicator.pk)
        weight, target = Decimal(weight or 0), Decimal(target or 0)
        if weight < 0 or target < 0:
            raise DomainError(_("权重和满分值不能为负数。"))
        if weight == 0:
            continue
        rows.append((indicator, weight, target))
    if not rows:
        raise DomainError(_("请至少为一个指标设置权重。"))
    total = sum((w for _i, w, _t in rows), Decimal(0))
    if total != HUNDRED:
        raise DomainError(
            _("各指标权重之和应为100分，现为%(total)s分。") % {"total": format(total.normalize(), "f")}
        )
    return rows


def _set_weights(scheme: EvaluationScheme, rows) -> None:
    scheme.indicators.all().delete()
    SchemeIndicator.objects.bulk_create(
        [SchemeIndicator(scheme=scheme, indicator=i, weight=w, target=t) for i, w, t in rows]
    )


@acting
@transaction.atomic
def scheme_create(*, region, kind: str, year: int, values: dict, weights, by) -> EvaluationScheme:
    """A draft evaluation of one kind's carriers in `region` for `year`, with weighted indicators.

    `weights` is a list of (indicator, weight, target); rows with weight 0 are left out.
    """
    require(perm.can_manage_scheme(by, EvaluationScheme(region=region)))
    if kind not in CarrierKind.values:
        raise DomainError(_("请选择载体类型。"), field="kind")
    _check_year(year)
    values = {k: values[k] for k in SCHEME_FIELDS if k in values}
    values.setdefault("excellent_min", Decimal("90"))
    values.setdefault("good_min", Decimal("75"))
    values.setdefault("pass_min", Decimal("60"))
    _check_scheme(values)
    rows = _check_weights(kind, weights)
    if EvaluationScheme.objects.filter(region=region, kind=kind, year=year).exists():
        raise DomainError(_("该地区该类型载体本年度已有评价方案。"), field="year")
    try:
        with transaction.atomic():
            scheme = EvaluationScheme.objects.create(region=region, kind=kind, year=year, **values)
    except IntegrityError:
        raise DomainError(_("该地区该类型载体本年度已有评价方案。"), field="year") from None
    _set_weights(scheme, rows)
    return scheme


def _lock_scheme(scheme: EvaluationScheme) -> EvaluationScheme:
    return EvaluationScheme.objects.select_for_update().get(pk=scheme.pk)


@acting
@transaction.atomic
def scheme_update(
    *, scheme: EvaluationScheme, values: dict, weights=None, expected_version=None, by
) -> EvaluationScheme:
    """Change a draft scheme's name, thresholds or weights (results already computed must be run again)."""
    require(perm.can_manage_scheme(by, scheme))
    locked = _lock_scheme(scheme)
    locked.check_version(expected_version)
    if locked.state != SchemeState.DRAFT:
        raise DomainError(_("评价结果已发布，不能再修改方案。"))
    merged = {k: getattr(locked, k) for k in SCHEME_FIELDS} | {
        k: values[k] for k in SCHEME_FIELDS if k in values
    }
    _check_scheme(merged)
    if weights is not None:
        _set_weights(locked, _check_weights(locked.kind, weights))
    for k, v in merged.items():
        setattr(locked, k, v)
    locked.bump_version()
    locked.save()
    return locked


def previous_grades(*, kind: str, year: int, carrier_ids) -> dict[int, str]:
    """Each carrier's grade in its latest published evaluation of `kind` before `year`."""
    found: dict[int, str] = {}
    rows = (
        Evaluation.objects.filter(
            carrier_id__in=list(carrier_ids),
            scheme__kind=kind,
            scheme__state=SchemeState.PUBLISHED,
            scheme__year__lt=year,
        )
        .order_by("carrier_id", "-scheme__year", "-scheme__published_at", "-id")
        .values_list("carrier_id", "grade")
    )
    for carrier_id, grade in rows:
        found.setdefault(carrier_id, grade)
    return found


@acting
@transaction.atomic
def scheme_evaluate(*, scheme: EvaluationScheme, expected_version=None, by) -> list[Evaluation]:
    """Score, grade and rank every carrier of the kind in the scheme's region that is not removed.

    A carrier's report of the year counts when submitted or accepted; one without such a report scores 0.
    Running again replaces the results (officers' notes are kept).
    """
    from kechuang.regions.selectors import regions_under

    require(perm.can_manage_scheme(by, scheme))
    locked = _lock_scheme(scheme)
    locked.check_version(expected_version)
    if locked.state != SchemeState.DRAFT:
        raise DomainError(_("评价结果已发布，不能重新计算。"))
    weightings = [
        rules.Weighting(code=si.indicator.code, weight=si.weight, target=si.target)
        for si in locked.indicators.select_related("indicator")
    ]
    if not weightings:
        raise DomainError(_("评价方案尚未设置指标权重。"))
    carriers = list(
        Carrier.objects.filter(kind=locked.kind, region_id__in=regions_under(locked.region_id))
        .exclude(state=CarrierState.REMOVED)
        .only("id")
    )
    reports = {
        r.carrier_id: r
        for r in AnnualReport.objects.filter(
            carrier__in=carriers, year=locked.year, state__in=(ReportState.SUBMITTED, ReportState.ACCEPTED)
        )
    }
    previous = previous_grades(kind=locked.kind, year=locked.year, carrier_ids=[c.pk for c in carriers])
    results = {}
    for carrier in carriers:
        report = reports.get(carrier.pk)
        total, breakdown = rules.score(report.values if report else {}, weightings)
        results[carrier.pk] = (report, total, breakdown)
    ranking = rules.ranks({pk: total for pk, (_r, total, _b) in results.items()})
    existing = {e.carrier_id: e for e in Evaluation.objects.select_for_update().filter(scheme=locked)}
    Evaluation.objects.filter(scheme=locked).exclude(carrier_id__in=results).delete()
    saved = []
    for carrier_id, (report, total, breakdown) in results.items():
        grade = rules.grade(
            total, excellent_min=locked.excellent_min, good_min=locked.good_min, pass_min=locked.pass_min
        )
        fields = {
            "report": report,
            "score": total,
            "breakdown": {code: str(points) for code, points in breakdown.items()},
            "grade": grade,
            "rank": ranking[carrier_id],
            "consequence": rules.consequence(grade, previous.get(carrier_id)),
        }
        evaluation = existing.get(carrier_id)
        if evaluation is None:
            evaluation = Evaluation.objects.create(scheme=locked, carrier_id=carrier_id, **fields)
        else:
            for k, v in fields.items():
                setattr(evaluation, k, v)
            evaluation.bump_version()
            evaluation.save()
        saved.append(evaluation)
    locked.bump_version()
    locked.save()
    saved.sort(key=lambda e: (e.rank, e.carrier_id))
    return saved


CONSEQUENCE_STATE = {
    Consequence.REMOVAL: CarrierState.REMOVED,
    Consequence.WARNING: CarrierState.WARNED,
}


@acting
@transaction.atomic
def scheme_publish(*, scheme: EvaluationScheme, expected_version=None, by) -> EvaluationScheme:
    """Publish the results: freeze them and carry out each consequence on the carrier.

    Removal withdraws the recognition (state removed, with the reason); a warning puts the carrier under
    rectification (warned); a warned carrier that now passes is active again. Every change is recorded.
    """
    require(perm.can_manage_scheme(by, scheme))
    locked = _lock_scheme(scheme)
    locked.check_version(expected_version)
    if locked.state != SchemeState.DRAFT:
        raise DomainError(_("评价结果已发布。"))
    evaluations = list(locked.evaluations.all())
    if not evaluations:
        raise DomainError(_("请先计算评价结果再发布。"))
    carriers = {
        c.pk: c
        for c in Carrier.objects.select_for_update().filter(pk__in=[e.carrier_id for e in evaluations])
    }
    today = timezone.localdate()
    for evaluation in sorted(evaluations, key=lambda e: e.carrier_id):
        carrier = carriers[evaluation.carrier_id]
        if carrier.state == CarrierState.REMOVED:
            continue
        reason = _("%(scheme)s：%(grade)s，%(consequence)s") % {
            "scheme": locked.name,
            "grade": evaluation.get_grade_display(),
            "consequence": evaluation.get_consequence_display(),
        }
        if evaluation.consequence in (Consequence.REMOVAL, Consequence.WARNING):
            _tell_operator(carrier, reason, key=f"carrier-evaluation-{evaluation.pk}")
        if evaluation.consequence == Consequence.REMOVAL:
            _remove(carrier, reason=reason, removed_on=today, by=by)
        elif evaluation.consequence == Consequence.WARNING:
            _move(carrier, CarrierState.WARNED, reason=reason, by=by)
        elif carrier.state == CarrierState.WARNED and evaluation.grade != Grade.FAIL:
            _move(carrier, CarrierState.ACTIVE, reason=reason, by=by)
    locked.state = SchemeState.PUBLISHED
    locked.published_at = timezone.now()
    locked.bump_version()
    locked.save()
    record_transition(instance=locked, by=by, from_state=SchemeState.DRAFT, to_state=locked.state)
    return locked


@acting
@transaction.atomic
def evaluation_note(*, evaluation: Evaluation, note: str, expected_version=None, by) -> Evaluation:
    """An officer's note on one carrier's result (kept when the evaluation is run again)."""
    require(perm.can_manage_scheme(by, evaluation.scheme))
    locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    locked.check_version(expected_version)
    locked.note = (note or "").strip()[:300]
    locked.bump_version()
    locked.save()
    return locked
