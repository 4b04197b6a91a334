from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kechuang.core.errors import PermissionDenied
from kechuang.patents import figures
from kechuang.patents import registry_services as services
from kechuang.patents.numbers import check_character
from kechuang.regions.models import Population, Region

from ..factories import OrganizationFactory, region


def number(year: int, digit: int, serial: int) -> str:
    digits = f"{year}{digit}{serial:07d}"
    return f"{digits}.{check_character(digits)}"


@pytest.fixture
def patents(world):
    org_a, org_b = world["org_a"], world["org_b"]  # Keqiao, Zhuji
    org_c = OrganizationFactory(name="柯桥丙有限公司", region=region("330603L01"))
    staff = world["staff"]
    rows = [
        (org_a, 1, date(2022, 3, 1), "granted", date(2023, 5, 1), None),
        (org_a, 1, date(2023, 1, 10), "applied", None, None),
        (org_a, 2, date(2023, 2, 1), "granted", date(2023, 8, 1), None),
        (org_a, 1, date(2020, 4, 4), "lapsed", date(2021, 9, 9), date(2023, 6, 30)),
        (org_b, 1, date(2023, 4, 1), "granted", date(2023, 12, 31), None),
        (org_b, 3, date(2023, 5, 5), "rejected", None, None),
        (org_c, 1, date(2021, 1, 1), "granted", date(2022, 2, 2), None),
    ]
    for serial, (organization, digit, filed_on, status, granted_on, lapsed_on) in enumerate(rows, 1):
        services.patent_create(
            organization=organization,
            application_no=number(filed_on.year, digit, serial),
            title=f"专利{serial}",
            filed_on=filed_on,
            status=status,
            granted_on=granted_on,
            lapsed_on=lapsed_on,
            by=staff,
        )
    services.population_record(region=region("330600"), year=2023, population=12000, by=staff)
    services.population_record(region=region("330603"), year=2023, population=10000, by=staff)
    return {"org_a": org_a, "org_b": org_b, "org_c": org_c}


@pytest.mark.django_db
def test_city_counts_of_a_year(patents):
    counts = figures.patent_counts("330600", 2023)
    assert counts.applications == {"invention": 2, "utility_model": 1, "design": 1}
    assert counts.grants == {"invention": 2, "utility_model": 1, "design": 0}
    assert counts.valid_inventions == 3  # the one lapsed in June 2023 no longer counts
    assert (counts.population, counts.per_10k) == (12000, Decimal("2.50"))
    earlier = figures.patent_counts("330600", 2022)
    assert earlier.valid_inventions == 2 and earlier.per_10k is None
    assert figures.patent_counts("330603", 2023).valid_inventions == 2


@pytest.mark.django_db
def test_counts_by_region_and_by_year(patents):
    lines = {r.code: c for r, c in figures.patent_counts_by_region("330600", 2023)}
    keqiao, zhuji = lines["330603"], lines["330681"]
    assert (keqiao.applications_total, keqiao.grants_total, keqiao.valid_inventions) == (2, 2, 2)
    assert keqiao.per_10k == Decimal("2.00")
    assert (zhuji.applications_total, zhuji.grants_total, zhuji.valid_inventions, zhuji.per_10k) == (
        2,
        1,
        1,
        None,
    )
    assert sum(c.applications_total for c in lines.values()) == 4
    by_year = dict(figures.patent_counts_by_year("330600", [2021, 2022, 2023]))
    assert [by_year[y].grants_total for y in (2021, 2022, 2023)] == [1, 1, 3]
    assert [by_year[y].applications_total for y in (2021, 2022, 2023)] == [1, 1, 4]


@pytest.mark.django_db
def test_top_organizations(patents):
    top = figures.top_organizations("330600", 2023, 10)
    assert [line.organization for line in top] == [patents["org_a"], patents["org_b"], patents["org_c"]]
    assert (top[0].grants, top[0].applications, top[0].invention_grants, top[0].valid_inventions) == (
        2,
        2,
        1,
        1,
    )
    assert [line.organization for line in figures.top_organizations("330603", 2023, 1)] == [patents["org_a"]]


@pytest.mark.django_db
def test_population_recorded_by_the_regions_bureau_only(world):
    services.population_record(region=region("330603"), year=2023, population=1, by=world["kq_staff"])
    services.population_record(region=region("330603"), year=2023, population=450000, by=world["kq_staff"])
    with pytest.raises(PermissionDenied):
        services.population_record(region=region("330681"), year=2023, population=5, by=world["kq_staff"])
    assert list(Population.objects.values_list("region_id", "population")) == [("330603", 450000)]


@pytest.mark.django_db
def test_figures_page(patents, world, client):
    client.force_login(world["staff"])
    page = client.get(reverse("patents:figures"), {"region": "330600", "year": 2023}).content.decode()
    assert 'data-testid="per-10k">2.50' in page and 'data-testid="population-form"' in page
    client.force_login(world["leader"])  # reads, records no population
    page = client.get(reverse("patents:figures"), {"region": "330600", "year": 2023}).content.decode()
    assert 'data-testid="valid-inventions">3' in page and "population-form" not in page
    client.force_login(world["ent_a"])  # its own organization's years
    assert world["org_a"].name in client.get(reverse("patents:figures")).content.decode()
    client.force_login(world["kq_staff"])
    page = client.get(reverse("patents:figures"), {"region": "330681", "year": 2023}).content.decode()
    assert "诸暨" not in page and world["org_b"].name not in page  # another county: its own figures instead
    client.post(reverse("patents:population_record"), {"region": "330603", "year": 2022, "population": 7})
    assert Population.objects.filter(region=Region.objects.get(pk="330603"), year=2022).exists()
