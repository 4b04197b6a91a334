"""Annual data for the self-assessment tests: rules.md §1.6 worked example A as an enterprise's submitted years.

Amounts in yuan. Over the three fiscal years before the application year, 销售收入 3000 / 4000 / 5000 万元 and
R&D (高企口径) 150 / 190 / 250 万元: 590 ÷ 12000 = 4.92 % < 5 % (最近一年 5000 万元（含）以下), short by
5 % × 12000 − 590 = 10 万元. Every other 高企 condition holds, so the R&D ratio is the one that fails.
"""

from datetime import date
from decimal import Decimal

from kechuang.enterprises.enums import AnnualDataStatus
from kechuang.enterprises.models import AnnualData

WAN = Decimal("10000")
ON = date(2026, 6, 1)  # an application in 2026: 近三个会计年度 2023–2025, 科小 reference year 2025
FOUNDED = date(2018, 3, 1)

# oldest to latest of the three years (万元)
SALES = (3000, 4000, 5000)
HNTE_RD = (150, 190, 250)
NET_ASSETS = (1000, 1200, 1500)

RD_SHORT = "研发费用占比4.92%，低于销售收入5000万元（含）以下企业5%的要求，还差约10.00万元"


def example_a_year(
    organization,
    year: int,
    *,
    application_year: int = ON.year,
    status=AnnualDataStatus.SUBMITTED,
    **overrides,
) -> AnnualData:
    """One year of example A; a year before the three gets the first year's figures, a later one the last's."""
    index = min(max(year - (application_year - 3), 0), 2)
    sales, rd, net = SALES[index], HNTE_RD[index], NET_ASSETS[index]
    values = {
        "total_income": (sales + 100) * WAN,
        "non_taxable_income": 100 * WAN,  # 总收入 = 收入总额 − 不征税收入 = 销售收入
        "main_revenue": sales * WAN,
        "other_revenue": Decimal(0),
        "hitech_revenue": sales * Decimal("0.6") * WAN,  # exactly 60 %
        "cost_total": sales * Decimal("0.8") * WAN,
        "hnte_rd_personnel": rd * WAN,
        "sd_rd_personnel": sales * Decimal("0.05") * WAN,  # 科小 / 加计扣除口径: 5 % of sales
        "staff_total": Decimal(200),
        "st_staff": Decimal(20),  # exactly 10 %
        "net_assets": net * WAN,
        "total_assets": 2 * net * WAN,
        "ip_invention": 1,
        "achievements_transformed": 3,
    }
    values.update(overrides)
    return AnnualData.objects.create(organization=organization, year=year, status=status, **values)


def make_example_a(
    organization, *, application_year: int = ON.year, count: int = 3, **overrides
) -> list[AnnualData]:
    """Give `organization` example A's founding date and field, and the first `count` of its three years."""
    organization.founded_on = FOUNDED
    organization.tech_field = "new_materials"
    organization.save(update_fields=["founded_on", "tech_field"])
    first = application_year - 3
    return [
        example_a_year(organization, year, application_year=application_year, **overrides)
        for year in range(first, first + count)
    ]
