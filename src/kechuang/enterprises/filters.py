"""The one filter set of the enterprise list (企业库), used by the page, the Excel export and the API.

It extends the organization list's filter set, so the name / credit-code search, the region choices (cached,
within the user's region) and the fast selects are the same code. Filters on related records (qualifications,
annual data, the reserve pool, self-assessments) are `pk IN (…)` subqueries on those tables, which PostgreSQL
answers from the indexes of migration 0002 alone, from whichever side is smaller.

The revenue and R&D bands are judged on one fiscal year, the data year chosen in the form or else last year:
"the latest submitted year of each enterprise" would mix years and, at 100,000 enterprises, costs a scan of all
annual data on every request (docs/bench-enterprises.md).
"""

from datetime import timedelta
from decimal import Decimal

import django_filters
from django.db.models import DecimalField, ExpressionWrapper, F, Func, Value
from django.db.models.functions import NullIf
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kechuang.core.widgets import FastSelect
from kechuang.organizations.enums import QualificationKind, Tier
from kechuang.organizations.filters import OrganizationFilter
from kechuang.organizations.models import Organization, Qualification

from .enums import AnnualDataStatus, AssessmentKind, ReserveStatus
from .models import HNTE_RD_FIELDS, AnnualData, AssessmentResult, ReserveEntry

EXPIRING_CHOICES = [
    ("30", _("30天内到期")),
    ("90", _("90天内到期")),
    ("180", _("180天内到期")),
]

# 销售收入 of the band year (see band_year), in yuan: (low, high], as the 高企 rule draws its lines (rules.md §2,
# 条件五: 5,000万元（含）, 2亿元（含）); the lowest band also splits off small firms.
REVENUE_BANDS = {
    "lt10m": (None, 10_000_000),
    "10m_50m": (10_000_000, 50_000_000),
    "50m_200m": (50_000_000, 200_000_000),
    "gt200m": (200_000_000, None),
}
REVENUE_CHOICES = [
    ("lt10m", _("1000万元及以下")),
    ("10m_50m", _("1000万至5000万元（含）")),
    ("50m_200m", _("5000万至2亿元（含）")),
    ("gt200m", _("2亿元以上")),
]

# 研发费用（高企口径）÷ 销售收入 of the band year: [low, high), the 3 / 4 / 5 % lines of 条件五
# and the 6 % of the 科小 score's top step.
RD_RATIO_BANDS = {
    "lt3": (None, Decimal("0.03")),
    "3_4": (Decimal("0.03"), Decimal("0.04")),
    "4_5": (Decimal("0.04"), Decimal("0.05")),
    "5_6": (Decimal("0.05"), Decimal("0.06")),
    "ge6": (Decimal("0.06"), None),
}
RD_RATIO_CHOICES = [
    ("lt3", _("3%以下")),
    ("3_4", _("3%至4%")),
    ("4_5", _("4%至5%")),
    ("5_6", _("5%至6%")),
    ("ge6", _("6%及以上")),
]

RESERVE_IN_POOL = "pool"
RESERVE_STATUS_CHOICES = [(RESERVE_IN_POOL, _("在库（未移出）")), *ReserveStatus.choices]

ASSESSMENT_OUTCOMES = [
    ("eligible", _("符合条件")),
    ("near", _("差一项")),
    ("ineligible", _("不符合")),
    ("undetermined", _("待补充数据")),
]
ASSESSMENT_CHOICES = [
    (label, [(f"{kind}:{outcome}", outcome_label) for outcome, outcome_label in ASSESSMENT_OUTCOMES])
    for kind, label in AssessmentKind.choices
]


def _data_years():
    """Fiscal years whose data can be asked for: last year and the four before (callable: a new year comes)."""
    year = timezone.localdate().year
    return [(str(y), str(y)) for y in range(year - 1, year - 6, -1)]


def _reserve_years():
    year = timezone.localdate().year
    return [(str(y), str(y)) for y in range(year + 3, year - 2, -1)]


def _money(expression):
    return ExpressionWrapper(expression, output_field=DecimalField(max_digits=18, decimal_places=2))


def sales_revenue():
    """销售收入 = 主营业务收入 + 其他业务收入 (rules.md §1.2), as a database expression over AnnualData."""
    return _money(F("main_revenue") + F("other_revenue"))


def hnte_rd_total():
    """The R&D actually incurred, 高企口径 (AnnualData.hnte_rd_total), as a database expression."""
    total = F(HNTE_RD_FIELDS[0])
    for name in HNTE_RD_FIELDS[1:]:
        total = total + F(name)
    return _money(total)


class _Ratio(Func):
    """a / b. SQLite divides two whole numbers as integers (4 / 100 = 0), so there it divides as reals, and casts
    the result to NUMERIC so that it compares as a number with the decimal it is filtered by (sent as text)."""

    arg_joiner = " / "
    template = "(%(expressions)s)"
    output_field = DecimalField(max_digits=18, decimal_places=6)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            arg_joiner=" * 1.0 / ",
            template="CAST((%(expressions)s) AS NUMERIC)",
            **extra_context,
        )


def rd_ratio():
    """研发费用（高企口径）÷ 销售收入; NULL when there are no sales. Migration 0002 indexes this very expression
    on PostgreSQL: keep them alike."""
    return _Ratio(hnte_rd_total(), NullIf(sales_revenue(), Value(0)))


def band_year(data) -> int:
    """The fiscal year the revenue and R&D bands are judged on: the chosen data year, else last year."""
    return int(data.get("data_year") or timezone.localdate().year - 1)


def qualifications_in_force(day):
    """Qualifications in force on `day` (the model's rule), without the model's ordering, which joins organizations."""
    return Qualification.objects.in_force(day).order_by()


class _PrerenderedSelect(FastSelect):
    """A FastSelect whose <option>s are rendered once per process, choices and language; a request only marks the
    selected one. The list's form has thirteen selects (some 250 options for a city), alike on every request."""

    _options: dict[tuple, str] = {}
    _NOTHING = object()

    def _values(self):
        for value, label in self.choices:
            if isinstance(label, (list, tuple)):  # an optgroup
                yield value
                yield from (str(v) for v, _label in label)
            else:
                yield str(value)

    def render(self, name, value, attrs=None, renderer=None):
        key = (tuple(self._values()), get_language())
        options = self._options.get(key)
        if options is None:
            html = super().render(name, self._NOTHING)
            options = self._options[key] = html[html.index(">") + 1 : -len("</select>")]
        chosen = self.format_value(value)
        if chosen:
            tag = f'<option value="{escape(chosen[0])}">'
            options = options.replace(tag, tag[:-1] + " selected>", 1)
        final_attrs = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final_attrs), mark_safe(options))


class EnterpriseFilter(OrganizationFilter):
    """Filters of the enterprise list: the organization list's search, region and classifications, plus
    tier, qualifications, the reserve pool, annual data and self-assessments."""

    # Every row is an enterprise, and verification is the organization registry's business.
    kind = None
    status = None

    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("培育梯度"))
    qualification = django_filters.ChoiceFilter(
        choices=QualificationKind.choices, method="filter_qualification", label=_("有效资质")
    )
    expiring = django_filters.ChoiceFilter(
        choices=EXPIRING_CHOICES, method="filter_qualification", label=_("资质到期")
    )
    reserve_year = django_filters.ChoiceFilter(
        choices=_reserve_years, method="filter_reserve", label=_("后备库目标年度")
    )
    reserve_status = django_filters.ChoiceFilter(
        choices=RESERVE_STATUS_CHOICES, method="filter_reserve", label=_("后备库状态")
    )
    data_year = django_filters.ChoiceFilter(
        choices=_data_years, method="filter_data_year", label=_("已提交年度数据")
    )
    revenue = django_filters.ChoiceFilter(
        choices=REVENUE_CHOICES, method="filter_revenue", label=_("销售收入（上年度或所选年度）")
    )
    rd_ratio = django_filters.ChoiceFilter(
        choices=RD_RATIO_CHOICES, method="filter_rd_ratio", label=_("研发费用占比（上年度或所选年度）")
    )
    assessment = django_filters.ChoiceFilter(
        choices=ASSESSMENT_CHOICES, method="filter_assessment", label=_("自评结果")
    )

    class Meta:
        model = Organization
        fields = [
            "q",
            "region",
            "industry",
            "tech_field",
            "size",
            "tier",
            "qualification",
            "expiring",
            "reserve_year",
            "reserve_status",
            "data_year",
            "revenue",
            "rd_ratio",
            "assessment",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            if type(field.widget) is FastSelect:
                widget = _PrerenderedSelect(attrs=field.widget.attrs)
                widget.choices = field.widget.choices
                widget.is_required = field.widget.is_required
                field.widget = widget

    def _applied_once(self, name: str, pair: tuple[str, str]) -> bool:
        """Two fields that make one condition: apply it when the first non-empty of them comes."""
        data = self.form.cleaned_data
        return name == next(n for n in pair if data.get(n))

    def filter_qualification(self, queryset, name, value):
        """A qualification in force today (of the kind, if one is chosen), expiring within N days if asked."""
        if not self._applied_once(name, ("qualification", "expiring")):
            return queryset
        data = self.form.cleaned_data
        today = timezone.localdate()
        held = qualifications_in_force(today)
        if data.get("qualification"):
            held = held.filter(kind=data["qualification"])
        if data.get("expiring"):
            held = held.filter(valid_until__lte=today + timedelta(days=int(data["expiring"])))
        return queryset.filter(pk__in=held.values("organization_id"))

    def filter_reserve(self, queryset, name, value):
        """In the reserve pool for a target year (not removed), or with a given status."""
        if not self._applied_once(name, ("reserve_year", "reserve_status")):
            return queryset
        data = self.form.cleaned_data
        entries = ReserveEntry.objects.all()
        if data.get("reserve_year"):
            entries = entries.filter(target_year=int(data["reserve_year"]))
        status = data.get("reserve_status")
        if status and status != RESERVE_IN_POOL:
            entries = entries.filter(status=status)
        else:
            entries = entries.exclude(status=ReserveStatus.REMOVED)
        return queryset.filter(pk__in=entries.values("organization_id"))

    def filter_data_year(self, queryset, name, value):
        submitted = AnnualData.objects.filter(year=int(value), status=AnnualDataStatus.SUBMITTED)
        return queryset.filter(pk__in=submitted.values("organization_id"))

    def _in_band(self, queryset, expression, low, high, *, low_inclusive):
        rows = AnnualData.objects.filter(
            year=band_year(self.form.cleaned_data),
            status=AnnualDataStatus.SUBMITTED,
            main_revenue__isnull=False,
        ).alias(value=expression)
        if low is not None:
            rows = rows.filter(value__gte=low) if low_inclusive else rows.filter(value__gt=low)
        if high is not None:
            rows = rows.filter(value__lt=high) if low_inclusive else rows.filter(value__lte=high)
        return queryset.filter(pk__in=rows.values("organization_id"))

    def filter_revenue(self, queryset, name, value):
        """销售收入 of the band year in (low, high], the boundaries of 条件五 being inclusive above."""
        low, high = REVENUE_BANDS[value]
        return self._in_band(queryset, sales_revenue(), low, high, low_inclusive=False)

    def filter_rd_ratio(self, queryset, name, value):
        """R&D ratio of the band year in [low, high); years without sales have no ratio."""
        low, high = RD_RATIO_BANDS[value]
        return self._in_band(queryset, rd_ratio(), low, high, low_inclusive=True)

    def filter_assessment(self, queryset, name, value):
        """The stored self-assessment of a kind: eligible, one condition short (差一项: not eligible, exactly one
        condition failed), not eligible, or undetermined (data missing)."""
        kind, outcome = value.split(":")
        results = AssessmentResult.objects.filter(kind=kind)
        if outcome == "eligible":
            results = results.filter(eligible=True)
        elif outcome == "near":
            results = results.filter(eligible=False, failed=1)
        elif outcome == "ineligible":
            results = results.filter(eligible=False)
        else:
            results = results.filter(eligible__isnull=True)
        return queryset.filter(pk__in=results.values("organization_id"))
