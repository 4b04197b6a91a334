"""企业年度数据 (issue item 1): the rules, writes and reads of an enterprise's yearly figures.

One record per (enterprise, year). The enterprise's own users enter it once a year (draft, then submitted)
and may correct it later; the bureau may correct it too, or load many at once (annual_import.py). Every
write goes through a service here or through the import, which applies the same rules row by row.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kechuang.core.audit import acting, record_transition
from kechuang.core.errors import ConflictError, DomainError
from kechuang.core.jobs import enqueue
from kechuang.core.permissions import Allowed, Denied, require
from kechuang.core.scoping import scope_by_region
from kechuang.organizations.enums import OrganizationKind

from .enums import AnnualDataStatus
from .models import (
    COUNT_FIELDS,
    FLAG_FIELDS,
    HNTE_RD_FIELDS,
    MONEY_FIELDS,
    SD_RD_FIELDS,
    STAFF_FIELDS,
    AnnualData,
)
from .permissions import can_edit_annual_data

# The figures a user enters, grouped as the form, the read-only page, the template and the export show them.
FIELDSETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        gettext_lazy("收入"),
        (
            "total_income",
            "non_taxable_income",
            "investment_income",
            "main_revenue",
            "other_revenue",
            "hitech_revenue",
            "cost_total",
        ),
    ),
    (gettext_lazy("研发费用（高企口径）"), HNTE_RD_FIELDS),
    (gettext_lazy("研发费用（加计扣除口径）"), SD_RD_FIELDS + ("sd_capitalized_amortization",)),
    (gettext_lazy("人员"), STAFF_FIELDS),
    (gettext_lazy("资产"), ("net_assets", "total_assets")),
    (
        gettext_lazy("知识产权"),
        (
            "ip_invention",
            "ip_other_class1",
            "ip_utility_model",
            "ip_design",
            "ip_software",
            "ip_class2_used_before",
        ),
    ),
    (
        gettext_lazy("研发机构与其他"),
        ("rd_institutions", "rd_institution_names", "achievements_transformed") + FLAG_FIELDS,
    ),
)
EDITABLE_FIELDS: tuple[str, ...] = tuple(name for _title, names in FIELDSETS for name in names)
DECIMAL_FIELDS = frozenset(MONEY_FIELDS + STAFF_FIELDS)
INTEGER_FIELDS = frozenset(COUNT_FIELDS)
BOOLEAN_FIELDS = frozenset(FLAG_FIELDS)
TEXT_FIELDS = frozenset({"rd_institution_names"})
# What a submitted record must contain: the figures the 高企/科小 assessments cannot do without. The 科小
# staff figures may stay empty ("与上栏相同可不填"); the other amounts default to 0.
REQUIRED_ON_SUBMIT = (
    "total_income",
    "main_revenue",
    "hitech_revenue",
    "cost_total",
    "staff_total",
    "st_staff",
    "net_assets",
    "total_assets",
)
# Liabilities can exceed assets: net assets (资产总额 − 负债总额) is the one figure that may be negative.
NEGATIVE_ALLOWED = frozenset({"net_assets"})
# The same bounds as the columns (max_digits 16 / 9, two decimals), so a value is refused with a reason.
_LIMITS = {**dict.fromkeys(MONEY_FIELDS, Decimal("1e14")), **dict.fromkeys(STAFF_FIELDS, Decimal("1e7"))}
_INTEGER_LIMIT = 2**31
_CENT = Decimal("0.01")
EARLIEST_YEAR = 1978

assert (
    len(EDITABLE_FIELDS)
    == len(set(EDITABLE_FIELDS))
    == len(MONEY_FIELDS + STAFF_FIELDS + COUNT_FIELDS + FLAG_FIELDS) + len(TEXT_FIELDS)
), "every figure belongs to exactly one fieldset"


def label(name: str) -> str:
    return str(AnnualData._meta.get_field(name).verbose_name)


# What an empty box stands for: nothing (None) for the figures that may be unknown, else the column's default.
_EMPTY = {
    name: None if AnnualData._meta.get_field(name).null else AnnualData._meta.get_field(name).get_default()
    for name in EDITABLE_FIELDS
}


def default_of(name: str):
    """The value an empty box stands for."""
    return _EMPTY[name]


def values_of(record: AnnualData) -> dict:
    return {name: getattr(record, name) for name in EDITABLE_FIELDS}


def normalized(name: str, value):
    """A figure as the column stores it (amounts with two decimals), so an unchanged value never shows as a change.

    A value with more decimals is left alone for the rules to refuse.
    """
    if (
        name in DECIMAL_FIELDS
        and isinstance(value, Decimal)
        and value.is_finite()
        and abs(value) < _LIMITS[name]
    ):
        rounded = value.quantize(_CENT)
        if rounded == value:
            return rounded
    return value


def last_year(today: date | None = None) -> int:
    """The latest fiscal year that has ended: the year enterprises fill in by default."""
    return (today or timezone.localdate()).year - 1


# ---------------------------------------------------------------------------------------------- rules


def annual_year_problem(year: int, *, founded_on: date | None, today: date | None = None) -> str | None:
    """Why `year` cannot be entered for an enterprise founded on `founded_on`, or None.

    Only a fiscal year that has ended can be reported (the figures come from the year's accounts and tax
    return), and not a year before the enterprise existed.
    """
    latest = last_year(today)
    if year > latest:
        return _("只能填报已结束的会计年度（%(latest)s 年及以前），不能填报 %(year)s 年。") % {
            "latest": latest,
            "year": year,
        }
    if founded_on is not None and year < founded_on.year:
        return _("%(year)s 年早于企业成立年份（%(founded)s 年），不能填报。") % {
            "year": year,
            "founded": founded_on.year,
        }
    if year < EARLIEST_YEAR:
        return _("年度不能早于 %(earliest)s 年。") % {"earliest": EARLIEST_YEAR}
    return None


def annual_data_problems(values: dict, *, complete: bool) -> list[tuple[str, str]]:
    """Every (field, reason) that makes these figures unacceptable; empty when they may be saved.

    `values` holds every editable field (None for an empty nullable one). `complete` asks for the figures a
    submitted record needs as well. Invariants: amounts and counts ≥ 0 (except net assets); 科技人员 ≤ 职工总数
    in both 口径; 高新技术产品（服务）收入 and 不征税收入 ≤ 收入总额; 净资产 ≤ 资产总额.
    """
    problems: list[tuple[str, str]] = []
    flagged: set[str] = set()

    def refuse(name: str, message: str) -> None:
        if name not in flagged:
            flagged.add(name)
            problems.append((name, message))

    for name in EDITABLE_FIELDS:
        value = values.get(name)
        if value is None or name in BOOLEAN_FIELDS or name in TEXT_FIELDS:
            continue
        if value < 0 and name not in NEGATIVE_ALLOWED:
            refuse(name, _("%(label)s不能为负数。") % {"label": label(name)})
        elif name in DECIMAL_FIELDS:
            value = Decimal(value)
            if abs(value) >= _LIMITS[name]:
                if name in MONEY_FIELDS:
                    refuse(name, _("%(label)s数值过大，请核对（金额以元为单位）。") % {"label": label(name)})
                else:
                    refuse(name, _("%(label)s数值过大，请核对。") % {"label": label(name)})
            elif value != value.quantize(_CENT):
                refuse(name, _("%(label)s最多保留两位小数。") % {"label": label(name)})
        elif value >= _INTEGER_LIMIT:
            refuse(name, _("%(label)s数值过大，请核对。") % {"label": label(name)})
    if complete:
        for name in REQUIRED_ON_SUBMIT:
            if values.get(name) is None:
                refuse(name, _("提交前请填写%(label)s。") % {"label": label(name)})

    def at_most(name: str, limit_name: str, message: str, *, small=None, big=None) -> None:
        small = values.get(name) if small is None else small
        big = values.get(limit_name) if big is None else big
        if small is not None and big is not None and small > big and name not in flagged:
            refuse(name, message)

    at_most("st_staff", "staff_total", _("科技人员数不能超过职工总数。"))
    tsme_total = values.get("tsme_staff_total")
    tsme_st = values.get("tsme_st_staff")
    # With both 科小 boxes empty the 科小 figures are the ones above, already checked.
    if tsme_total is not None or tsme_st is not None:
        at_most(
            "tsme_st_staff" if tsme_st is not None else "tsme_staff_total",
            "tsme_staff_total",
            _("科技人员数（科小口径）不能超过职工总数（科小口径）。"),
            small=tsme_st if tsme_st is not None else values.get("st_staff"),
            big=tsme_total if tsme_total is not None else values.get("staff_total"),
        )
    at_most("hitech_revenue", "total_income", _("高新技术产品（服务）收入不能超过收入总额。"))
    at_most("non_taxable_income", "total_income", _("不征税收入不能超过收入总额。"))
    at_most("net_assets", "total_assets", _("净资产不能超过资产总额。"))
    return problems


def annual_data_warnings(values: dict) -> list[str]:
    """Figures that are possible but worth a second look; they never stop a save.

    销售收入 above 收入总额 is a warning, not an error: the two come from different statements (利润表 and the
    tax return) and enterprises fill them in from different people's papers.
    """
    warnings = []
    main = values.get("main_revenue")
    total = values.get("total_income")
    sales = None if main is None else main + (values.get("other_revenue") or 0)
    if sales is not None and total is not None and sales > total:
        warnings.append(
            _("销售收入（主营业务收入与其他业务收入之和）大于收入总额，请核对：收入总额通常包含销售收入。")
        )
    rd = sum((values.get(name) or 0 for name in HNTE_RD_FIELDS), start=Decimal(0))
    if sales and rd > sales:
        warnings.append(_("研发费用合计（高企口径）大于销售收入，请核对金额单位是否为元。"))
    return warnings


def rd_ratio(rd_total, sales) -> Decimal | None:
    """研发费用占销售收入比例, in percent with two decimals; None without sales."""
    if not sales or sales <= 0:
        return None
    return (Decimal(rd_total) * 100 / Decimal(sales)).quantize(_CENT)


def _wan(yuan) -> Decimal:
    return (Decimal(yuan) / 10000).quantize(_CENT)


@dataclass(frozen=True)
class KeyFigures:
    """What a history line or a list row shows of one year: 销售收入, 研发费用合计, R&D ratio, staff."""

    record: AnnualData
    sales_revenue: Decimal | None
    rd_total: Decimal
    rd_ratio: Decimal | None
    staff_total: Decimal | None
    st_staff: Decimal | None

    @property
    def sales_wan(self) -> Decimal | None:
        """销售收入 in 万元, as bureau tables show it."""
        return None if self.sales_revenue is None else _wan(self.sales_revenue)

    @property
    def rd_wan(self) -> Decimal:
        return _wan(self.rd_total)

    @classmethod
    def of(cls, record: AnnualData) -> "KeyFigures":
        sales = record.sales_revenue
        rd_total = Decimal(record.hnte_rd_total)
        return cls(record, sales, rd_total, rd_ratio(rd_total, sales), record.staff_total, record.st_staff)


# --------------------------------------------------------------------------------------------- permissions


def can_browse_annual_data(user):
    """The bureau's list and export of every enterprise's figures: region roles (read) and superusers."""
    if user.is_authenticated and (user.is_superuser or user.is_region_scoped):
        return Allowed()
    return Denied(_("年度数据汇总仅供科技局和属地科技干部查看。"))


# ---------------------------------------------------------------------------------------------- selectors


def annual_data_visible_to(*, user) -> QuerySet[AnnualData]:
    """Annual data `user` may read: region roles their region's enterprises, enterprise users their own."""
    qs = AnnualData.objects.filter(organization__kind=OrganizationKind.ENTERPRISE).select_related(
        "organization", "organization__region"
    )
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser or user.is_region_scoped:
        return scope_by_region(qs, user, field="organization__region")
    if user.active_organization_id:
        return qs.filter(organization_id=user.active_organization_id)
    return qs.none()


def annual_data_for(*, user, organization) -> QuerySet[AnnualData]:
    """One enterprise's years, newest first, if `user` may see them."""
    return annual_data_visible_to(user=user).filter(organization=organization).order_by("-year")


def annual_data_get_visible(*, user, pk) -> AnnualData | None:
    return annual_data_visible_to(user=user).filter(pk=pk).first()


# ----------------------------------------------------------------------------------------------- services


def _apply(record: AnnualData, data: dict) -> None:
    """Set the given figures on `record`, converted to the column's type; empty means the column's default."""
    for name, value in data.items():
        if name not in EDITABLE_FIELDS:
            raise DomainError(_("不允许修改字段：%(field)s") % {"field": name}, field=name)
        field = AnnualData._meta.get_field(name)
        if value is None or value == "":
            value = default_of(name)
        else:
            try:
                value = normalized(name, field.to_python(value))
            except Exception as exc:  # ValidationError, or a type the field cannot read
                raise DomainError(_("%(label)s格式不正确。") % {"label": label(name)}, field=name) from exc
        setattr(record, name, value)


def _check(record: AnnualData, *, complete: bool) -> None:
    problems = annual_data_problems(values_of(record), complete=complete)
    if problems:
        field, message = problems[0]
        raise DomainError(message, field=field)


def _submit(record: AnnualData, by) -> None:
    record.status = AnnualDataStatus.SUBMITTED
    record.submitted_at = timezone.now()
    record.submitted_by = by


@acting
@transaction.atomic
def annual_data_save(
    *, organization, year: int, data: dict, by, expected_version: int | None = None, submit: bool = False
) -> AnnualData:
    """Create or correct an enterprise's figures for one year; with `submit` also submit a draft.

    `expected_version` is the version the caller read: 0 means the caller saw no record for that year yet
    (so one created meanwhile is not overwritten), None skips the check (scripts). A submitted record stays
    submitted when corrected and must stay complete. The change itself is audited by the model's signals;
    the submission is recorded as a transition.
    """
    require(can_edit_annual_data(by, organization))
    problem = annual_year_problem(year, founded_on=organization.founded_on)
    if problem:
        raise DomainError(problem, field="year")
    record = (
        AnnualData.objects.select_for_update()
        .select_related("organization")
        .filter(organization=organization, year=year)
        .first()
    )
    if record is None:
        record = AnnualData(organization=organization, year=year)
    elif expected_version == 0:
        raise ConflictError(_("%(year)s 年度的数据已由他人填报，请刷新后在其基础上修改。") % {"year": year})
    else:
        record.check_version(expected_version)
        record.bump_version()
    _apply(record, data)
    submitting = submit and record.status == AnnualDataStatus.DRAFT
    _check(record, complete=submit or record.status == AnnualDataStatus.SUBMITTED)
    if submitting:
        _submit(record, by)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:
        # Two first saves of one year racing each other: the unique constraint decides.
        raise ConflictError(
            _("%(year)s 年度的数据已由他人填报，请刷新后在其基础上修改。") % {"year": year}
        ) from exc
    if submitting:
        record_transition(
            instance=record, by=by, from_state=AnnualDataStatus.DRAFT, to_state=AnnualDataStatus.SUBMITTED
        )
    if record.status == AnnualDataStatus.SUBMITTED:
        # The stored self-assessment (lists, reserve pool) follows the submitted figures without waiting a night.
        enqueue("enterprises.assess_one", organization_id=record.organization_id)
    return record


@acting
@transaction.atomic
def annual_data_submit(*, record: AnnualData, by, expected_version: int | None = None) -> AnnualData:
    """Submit a complete draft as it stands."""
    locked = AnnualData.objects.select_for_update().select_related("organization").get(pk=record.pk)
    require(can_edit_annual_data(by, locked.organization))
    locked.check_version(expected_version)
    if locked.status == AnnualDataStatus.SUBMITTED:
        raise DomainError(_("%(year)s 年度数据已经提交。") % {"year": locked.year})
    _check(locked, complete=True)
    _submit(locked, by)
    locked.bump_version()
    locked.save()
    record_transition(
        instance=locked, by=by, from_state=AnnualDataStatus.DRAFT, to_state=AnnualDataStatus.SUBMITTED
    )
    enqueue("enterprises.assess_one", organization_id=locked.organization_id)
    return locked
