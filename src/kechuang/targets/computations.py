"""The actuals of computed indicators, from the records, through the modules' own figures.

`COMPUTATIONS[key](region_code, year) -> (value, records)`: `value` a Decimal in the indicator's unit, `records`
the lazy queryset of exactly the rows counted or summed (None when there is none to show). The key is what an
`Indicator.computation` names. Every function calls the module that owns the rule (enterprises.figures,
patents.figures, market.figures, carriers.figures, talent.summaries, vouchers.figures): nothing is counted here
by a rule of its own, only converted (yuan to 万元 or 亿元, a count to a percentage).

A share indicator (`Measure.SHARE`, e.g. inventions among patent applications) computes its numerator here; the
progress divides it by the actual of its `base` indicator (progress.actual).

`link(key, region_code, year)` gives the list page that shows the records with filters, when one exists (the
patent registry); otherwise the records are shown by `targets:records`.

Not computed (no records on the platform): provincial-and-above plan projects and funds won from higher levels
(the projects app holds the bureau's own plans only), national or provincial top talents (talents carry no level).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.db.models import Q, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kechuang.organizations.enums import QualificationKind, QualificationLevel
from kechuang.regions.selectors import regions_under

Result = tuple[Decimal, QuerySet | None]
WAN = Decimal("10000")
YI = Decimal("100000000")
_PLACES = Decimal("0.0001")


def _q(value) -> Decimal:
    return Decimal(value or 0).quantize(_PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class Computation:
    key: str
    label: str
    unit: str
    function: Callable[[str, int], Result]
    link: Callable[[str, int], str] | None = None  # an existing list page with filters

    def __call__(self, region_code: str, year: int) -> Result:
        return self.function(region_code, year)


# --------------------------------------------------------------------------------------------
# Enterprises (qualifications and annual data)


def _new_recognitions(kind: str, level: str | None = None) -> Callable[[str, int], Result]:
    def compute(region_code: str, year: int) -> Result:
        from kechuang.enterprises.figures import new_recognitions

        figure = new_recognitions(region_code, year, kind)
        if level is None:
            return Decimal(figure.value), figure.records
        records = figure.records.filter(level=level)
        return Decimal(records.count()), records

    return compute


def rd_revenue_ratio(region_code: str, year: int) -> Result:
    """R&D spending (高企口径, enterprises.figures.rd_expense) / main-business revenue of the same submitted
    annual data, in percent; 0 when no revenue was reported."""
    from kechuang.enterprises.figures import rd_expense, submitted_annual_data

    rd = rd_expense(region_code, year).hnte_total
    rows = submitted_annual_data(region_code, year)
    revenue = rows.aggregate(s=Sum("main_revenue"))["s"] or Decimal(0)
    if not revenue:
        return Decimal(0), rows
    return _q(Decimal(rd.value) * 100 / Decimal(revenue)), rows


# --------------------------------------------------------------------------------------------
# Patents


def _patents(region_code: str):
    from kechuang.patents.models import Patent

    return Patent.objects.filter(organization__region_id__in=regions_under(region_code))


def patent_applications(region_code: str, year: int) -> Result:
    from kechuang.patents.figures import patent_counts

    records = _patents(region_code).filter(filed_on__range=(date(year, 1, 1), date(year, 12, 31)))
    return Decimal(patent_counts(region_code, year).applications_total), records


def invention_applications(region_code: str, year: int) -> Result:
    from kechuang.patents.enums import PatentKind
    from kechuang.patents.figures import patent_counts

    records = _patents(region_code).filter(
        kind=PatentKind.INVENTION, filed_on__range=(date(year, 1, 1), date(year, 12, 31))
    )
    return Decimal(patent_counts(region_code, year).applications[PatentKind.INVENTION]), records


def patent_grants(region_code: str, year: int) -> Result:
    from kechuang.patents.figures import patent_counts

    records = _patents(region_code).filter(granted_on__range=(date(year, 1, 1), date(year, 12, 31)))
    return Decimal(patent_counts(region_code, year).grants_total), records


def _patent_link(**filters) -> Callable[[str, int], str]:
    def link(region_code: str, year: int) -> str:
        query = {key: (year if value == "year" else value) for key, value in filters.items()}
        return f"{reverse('patents:patent_list')}?{urlencode({**query, 'region': region_code})}"

    return link


# --------------------------------------------------------------------------------------------
# Market


def events_held(region_code: str, year: int) -> Result:
    from kechuang.market.figures import events_held as figure

    result = figure(region_code, year)
    return Decimal(result.value), result.records


def intents_reached(region_code: str, year: int) -> Result:
    from kechuang.market.figures import intents_reached as figure

    result = figure(region_code, year)
    return Decimal(result.value), result.records


def transaction_amount(region_code: str, year: int) -> Result:
    """技术交易额 (输出) in 亿元, from the exact yuan of market.figures (not the one-decimal headline)."""
    from kechuang.market.figures import transaction_amount as figure

    result = figure(region_code, year)
    exact = result.parts[0].value  # 技术交易额（元）
    return _q(Decimal(exact) / YI), result.records


# --------------------------------------------------------------------------------------------
# Carriers


def carriers_cobuilt(region_code: str, year: int) -> Result:
    """Carriers recognized in the year (carriers.figures.new_carriers_per_year)."""
    from kechuang.carriers.figures import new_carriers_per_year
    from kechuang.carriers.models import Carrier

    row = next((r for r in new_carriers_per_year(region_code) if r["year"] == year), None)
    records = Carrier.objects.filter(region_id__in=regions_under(region_code), recognized_on__year=year)
    return Decimal(row["total"] if row else 0), records


def _incubatees(region_code: str, year: int):
    """The companies in incubation on 31 December, as carriers.figures.incubation_figures counts them."""
    from kechuang.carriers.enums import INCUBATING_KINDS
    from kechuang.carriers.figures import _in_force
    from kechuang.carriers.models import Incubatee

    end = date(year, 12, 31)
    carriers = _in_force(region_code, year).filter(kind__in=INCUBATING_KINDS)
    stay = Q(entered_on__lte=end) & (Q(exited_on__isnull=True) | Q(exited_on__gt=end))
    return Incubatee.objects.filter(carrier__in=carriers).filter(stay)


def incubatees(region_code: str, year: int) -> Result:
    from kechuang.carriers.figures import incubation_figures

    return Decimal(incubation_figures(region_code, year)["in_incubation"]), _incubatees(region_code, year)


def incubatee_capital(region_code: str, year: int) -> Result:
    """Registered capital of the companies in incubation, 万元."""
    from kechuang.carriers.figures import incubation_figures

    capital = incubation_figures(region_code, year)["registered_capital"]
    return _q(capital / WAN), _incubatees(region_code, year)


def incubatee_revenue(region_code: str, year: int) -> Result:
    """Revenue reported for the year by the incubated companies, 万元."""
    from kechuang.carriers.figures import incubation_figures
    from kechuang.carriers.models import IncubateeRevenue

    revenue = incubation_figures(region_code, year)["revenue"]
    from kechuang.carriers.enums import INCUBATING_KINDS
    from kechuang.carriers.figures import _in_force

    carriers = _in_force(region_code, year).filter(kind__in=INCUBATING_KINDS)
    records = IncubateeRevenue.objects.filter(incubatee__carrier__in=carriers, year=year)
    return _q(revenue / WAN), records


# --------------------------------------------------------------------------------------------
# Talent


def _talents(kind: str) -> Callable[[str, int], Result]:
    def compute(region_code: str, year: int) -> Result:
        from kechuang.talent.enums import TalentState
        from kechuang.talent.models import Talent
        from kechuang.talent.summaries import talent_figures

        count = talent_figures(region_code=region_code, year=year)["talents_by_kind"][kind]
        records = Talent.objects.filter(
            organization__region_id__in=regions_under(region_code), year=year, kind=kind
        ).exclude(state=TalentState.WITHDRAWN)
        return Decimal(count), records

    return compute


# --------------------------------------------------------------------------------------------
# Vouchers


def vouchers_issued(region_code: str, year: int) -> Result:
    """创新券发放, 万元 (from the exact yuan of vouchers.figures)."""
    from kechuang.vouchers.figures import report_figures

    issued = report_figures(region_code, year)[0]
    return _q(Decimal(issued.parts[0].value) / WAN), issued.records


# --------------------------------------------------------------------------------------------
# The registry


def _entries() -> dict[str, Computation]:
    from kechuang.talent.enums import TalentKind

    qk = QualificationKind
    rows = [
        ("new_hnte", _("新认定国家高新技术企业"), _("家"), _new_recognitions(qk.HNTE), None),
        ("new_tsme", _("新增省科技型中小企业"), _("家"), _new_recognitions(qk.TSME), None),
        (
            "new_ent_institute",
            _("新增省级企业研究院"),
            _("家"),
            _new_recognitions(qk.ENTERPRISE_INSTITUTE),
            None,
        ),
        (
            "new_hnte_rd_center",
            _("新增省级高新技术企业研究开发中心"),
            _("家"),
            _new_recognitions(qk.HNTE_RD_CENTER),
            None,
        ),
        ("new_leader", _("新增省级创新型领军企业"), _("家"), _new_recognitions(qk.INNOVATION_LEADER), None),
        ("new_patent_demo", _("新增专利示范企业"), _("家"), _new_recognitions(qk.PATENT_DEMO), None),
        (
            "new_patent_demo_provincial",
            _("新增省级专利示范企业"),
            _("家"),
            _new_recognitions(qk.PATENT_DEMO, QualificationLevel.PROVINCIAL),
            None,
        ),
        ("rd_revenue_ratio", _("规上企业研发费用占主营业务收入比重"), "%", rd_revenue_ratio, None),
        (
            "patent_applications",
            _("专利申请量"),
            _("件"),
            patent_applications,
            _patent_link(filed_year="year"),
        ),
        (
            "invention_applications",
            _("发明专利申请量"),
            _("件"),
            invention_applications,
            _patent_link(filed_year="year", kind="invention"),
        ),
        ("patent_grants", _("专利授权量"), _("件"), patent_grants, _patent_link(granted_year="year")),
        ("events_held", _("组织或参加科技对接活动"), _("场"), events_held, None),
        ("intents_reached", _("达成合作意向项目"), _("项"), intents_reached, None),
        ("transaction_amount", _("技术交易额"), _("亿元"), transaction_amount, None),
        ("carriers_cobuilt", _("共建创新载体"), _("个"), carriers_cobuilt, None),
        ("talents_leading", _("入选领军人才"), _("人"), _talents(TalentKind.LEADING), None),
        ("talents_team", _("入选创新团队"), _("个"), _talents(TalentKind.TEAM), None),
        ("talents_youth", _("入选青年英才"), _("人"), _talents(TalentKind.YOUTH), None),
        ("incubatees", _("在孵企业"), _("家"), incubatees, None),
        ("incubatee_capital", _("在孵企业注册资本"), _("万元"), incubatee_capital, None),
        ("incubatee_revenue", _("在孵企业年营业收入"), _("万元"), incubatee_revenue, None),
        ("vouchers_issued", _("创新券发放"), _("万元"), vouchers_issued, None),
    ]
    return {key: Computation(key, label, unit, fn, link) for key, label, unit, fn, link in rows}


COMPUTATIONS: dict[str, Computation] = _entries()


def computation_choices() -> list[tuple[str, str]]:
    return [(key, str(c.label)) for key, c in COMPUTATIONS.items()]
