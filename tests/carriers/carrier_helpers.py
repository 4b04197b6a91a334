"""Builders for the carriers tests: a carrier through the service, its report filled and submitted."""

from datetime import date
from decimal import Decimal

from kechuang.carriers import services
from kechuang.carriers.models import ReportIndicator

from ..factories import OrganizationFactory, region

INCUBATOR_VALUES = {
    "incubatees": "40",
    "new_incubatees": "10",
    "graduates": "5",
    "incubatee_revenue": "12000.5",
    "funded_incubatees": "6",
    "incubatee_ip": "80",
    "space_m2": "20000",
    "staff": "12",
}


def make_carrier(by, *, operator=None, region_code="330603L01", kind="incubator", level="city", name=None):
    return services.carrier_create(
        values={
            "kind": kind,
            "level": level,
            "name": name or f"测试{region_code}孵化器",
            "operator": operator or OrganizationFactory(region=region(region_code)),
            "region": region(region_code),
            "recognized_on": date(2020, 5, 1),
        },
        by=by,
    )


def submitted_report(carrier, by, year=2025, values=None):
    report = services.report_save(carrier=carrier, year=year, values=values or INCUBATOR_VALUES, by=by)
    return services.report_submit(report=report, by=by)


def make_scheme(by, *, year=2025, region_code="330600", kind="incubator", weights=None):
    """A scheme on two indicators: 在孵企业数 60 points (target 40) and 毕业企业数 40 points (target 10)."""
    by_code = {i.code: i for i in ReportIndicator.objects.filter(kind=kind)}
    weights = weights or [
        (by_code["incubatees"], Decimal("60"), Decimal("40")),
        (by_code["graduates"], Decimal("40"), Decimal("10")),
    ]
    return services.scheme_create(
        region=region(region_code),
        kind=kind,
        year=year,
        values={"name": f"{year}年孵化器绩效评价"},
        weights=weights,
        by=by,
    )
