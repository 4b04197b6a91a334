"""Enterprise figures (issue item 6) on hand-made records: exact counts, boundary days, region scoping."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kechuang.enterprises.enums import AnnualDataStatus
from kechuang.enterprises.figures import (
    enterprises_by_tier,
    net_increase,
    new_recognitions,
    rd_expense,
    report_figures,
    total_in_force,
)
from kechuang.enterprises.models import HNTE_RD_FIELDS, SD_RD_FIELDS, AnnualData
from kechuang.enterprises.services import tiers_refresh_all
from kechuang.organizations.enums import QualificationKind, QualificationLevel, Tier
from kechuang.organizations.models import Qualification

from ..factories import OrganizationFactory, region

pytestmark = pytest.mark.django_db

HNTE = QualificationKind.HNTE
TSME = QualificationKind.TSME


def enterprise(code="330603L01", **extra):
    return OrganizationFactory(region=region(code), **extra)


def certificate(org, valid_from, *, kind=HNTE, valid_until=None, revoked_on=None, level=None):
    if valid_until is None:
        valid_until = valid_from.replace(year=valid_from.year + 3) - timedelta(days=1)
    return Qualification.objects.create(
        organization=org,
        kind=kind,
        level=level or (QualificationLevel.NATIONAL if kind == HNTE else QualificationLevel.PROVINCIAL),
        valid_from=valid_from,
        valid_until=valid_until,
        revoked_on=revoked_on,
    )


# -- new recognitions --------------------------------------------------------------------------


def test_a_certificate_counts_in_the_year_of_its_date_boundaries_included():
    first_day, last_day, next_year, last_year = enterprise(), enterprise(), enterprise(), enterprise()
    certificate(first_day, date(2019, 1, 1))
    certificate(last_day, date(2019, 12, 31))
    certificate(next_year, date(2020, 1, 1))
    certificate(last_year, date(2018, 12, 31))

    figure = new_recognitions("330600", 2019, HNTE)

    assert figure.value == 2
    assert set(figure.records.values_list("organization_id", flat=True)) == {first_day.pk, last_day.pk}
    assert new_recognitions("330600", 2020, HNTE).value == 1
    assert new_recognitions("330600", 2018, HNTE).value == 1


def test_re_recognitions_count_as_new_and_are_told_apart():
    renewed, returning, first = enterprise(), enterprise(), enterprise()
    certificate(renewed, date(2016, 11, 21))  # runs out 2019-11-20, renewed in the 2019 batch
    certificate(renewed, date(2019, 12, 4))
    certificate(returning, date(2015, 9, 17))  # lapsed in 2018, recognised again in 2019
    certificate(returning, date(2019, 12, 4))
    certificate(first, date(2019, 12, 4))

    figure = new_recognitions("330600", 2019, HNTE)

    assert figure.value == 3
    assert figure.part("首次认定").value == 1
    assert list(figure.part("首次认定").records.values_list("organization_id", flat=True)) == [first.pk]
    assert figure.part("重新认定").value == 2
    assert set(figure.part("重新认定").records.values_list("organization_id", flat=True)) == {
        renewed.pk,
        returning.pk,
    }


def test_a_certificate_revoked_later_still_counts_for_its_year():
    org = enterprise()
    certificate(org, date(2019, 12, 4), revoked_on=date(2020, 6, 1))
    assert new_recognitions("330600", 2019, HNTE).value == 1


def test_other_kinds_are_counted_apart():
    org = enterprise()
    certificate(org, date(2019, 5, 15), kind=TSME, valid_until=date(2019, 12, 31))
    certificate(
        org, date(2019, 12, 20), kind=QualificationKind.ENTERPRISE_INSTITUTE, valid_until=date(2099, 12, 31)
    )
    assert new_recognitions("330600", 2019, HNTE).value == 0
    assert new_recognitions("330600", 2019, TSME).value == 1
    assert new_recognitions("330600", 2019, QualificationKind.ENTERPRISE_INSTITUTE).value == 1


# -- totals in force and net increase ------------------------------------------------------------


def test_in_force_on_a_day_expiry_and_revocation():
    ends_before = enterprise()
    ends_on = enterprise()
    revoked = enterprise()
    certificate(ends_before, date(2016, 12, 31), valid_until=date(2019, 12, 30))
    certificate(ends_on, date(2017, 1, 1), valid_until=date(2019, 12, 31))
    certificate(revoked, date(2018, 11, 30), revoked_on=date(2019, 6, 1))

    year_end = total_in_force("330600", date(2019, 12, 31), HNTE)
    assert year_end.value == 1
    assert list(year_end.records) == [ends_on]
    assert total_in_force("330600", date(2019, 12, 30), HNTE).value == 2
    # Not in force from the day it was revoked.
    assert total_in_force("330600", date(2019, 5, 31), HNTE).value == 3
    assert total_in_force("330600", date(2019, 6, 1), HNTE).value == 2


def test_an_enterprise_counts_once_while_its_renewal_overlaps_the_old_certificate():
    org = enterprise()
    certificate(org, date(2021, 12, 16))  # to 2024-12-15
    certificate(org, date(2024, 12, 6))
    assert total_in_force("330600", date(2024, 12, 10), HNTE).value == 1


def test_net_increase_is_the_difference_of_the_year_end_totals():
    kept, lapsed, revoked, gained, renewed = (enterprise() for _ in range(5))
    certificate(kept, date(2018, 11, 30))
    certificate(lapsed, date(2016, 11, 21))  # runs out 2019-11-20
    certificate(revoked, date(2017, 11, 13), revoked_on=date(2019, 3, 1))
    certificate(gained, date(2019, 12, 4))
    certificate(renewed, date(2016, 11, 21))
    certificate(renewed, date(2019, 12, 4))

    figure = net_increase("330600", 2019, HNTE)

    # 2018-12-31: kept, lapsed, revoked, renewed = 4; 2019-12-31: kept, gained, renewed = 3.
    assert figure.value == -1
    assert figure.part("年末总数").value == 3
    assert figure.part("上年末总数").value == 4
    assert figure.part("新增").value == 1
    assert list(figure.part("新增").records) == [gained]
    assert figure.part("减少").value == 2
    assert set(figure.part("减少").records) == {lapsed, revoked}
    assert figure.value == figure.part("新增").value - figure.part("减少").value
    assert list(figure.records) == [gained]


# -- scoping --------------------------------------------------------------------------------------


def test_a_county_counts_only_its_own_enterprises():
    keqiao_town = enterprise("330603L01")
    keqiao_county = enterprise("330603")  # registered at county level
    zhuji = enterprise("330681L01")
    jiaxing = enterprise("330402")
    for org in (keqiao_town, keqiao_county, zhuji, jiaxing):
        certificate(org, date(2019, 12, 4))

    assert new_recognitions("330603", 2019, HNTE).value == 2
    assert new_recognitions("330681", 2019, HNTE).value == 1
    assert new_recognitions("330600", 2019, HNTE).value == 3
    assert new_recognitions(region("330603L01"), 2019, HNTE).value == 1
    assert set(total_in_force("330603", date(2019, 12, 31), HNTE).records) == {keqiao_town, keqiao_county}
    assert net_increase("330681", 2019, HNTE).value == 1


def test_only_enterprises_whose_registration_stands_are_counted():
    rejected = enterprise(status="rejected")
    institution = OrganizationFactory(kind="institution", region=region("330602L01"))
    pending = enterprise(status="pending")
    for org in (rejected, institution, pending):
        certificate(org, date(2019, 12, 4))
    assert list(new_recognitions("330600", 2019, HNTE).records.values_list("organization_id", flat=True)) == [
        pending.pk
    ]


# -- tiers ------------------------------------------------------------------------------------------


def test_tiers_on_a_past_day_come_from_the_qualifications_in_force_then():
    hnte_then = enterprise("330603L01")
    certificate(hnte_then, date(2017, 11, 13))  # to 2020-11-12: 高企 on 2019-12-31, nothing today
    tsme_then = enterprise("330603L02")
    certificate(tsme_then, date(2019, 5, 15), kind=TSME, valid_until=date(2019, 12, 31))
    institute = enterprise("330681L01")
    certificate(institute, date(2018, 11, 30))
    certificate(
        institute,
        date(2019, 12, 20),
        kind=QualificationKind.ENTERPRISE_INSTITUTE,
        valid_until=date(2099, 12, 31),
    )
    city_level_centre = enterprise("330681L02")  # a city-level R&D centre is not a rung of the ladder
    certificate(
        city_level_centre,
        date(2019, 3, 1),
        kind=QualificationKind.CITY_RD_CENTER,
        valid_until=date(2099, 12, 31),
        level=QualificationLevel.CITY,
    )
    plain = enterprise("330602L01")
    enterprise("330402")  # 嘉兴: outside

    figures = enterprises_by_tier("330600", date(2019, 12, 31))

    assert figures.stored is False
    assert figures.counts == {
        Tier.NONE: 2,
        Tier.TSME: 1,
        Tier.HNTE: 1,
        Tier.RD_INSTITUTION: 1,
        Tier.LEADER: 0,
    }
    assert figures.total == 5
    rows = {row.code: row for row in figures.rows}
    assert [row.code for row in figures.rows] == ["330602", "330603", "330604", "330624", "330681", "330683"]
    assert rows["330603"].name == "柯桥区"
    assert rows["330603"].counts == {"none": 0, "tsme": 1, "hnte": 1, "rd_institution": 0, "leader": 0}
    assert rows["330681"].counts == {"none": 1, "tsme": 0, "hnte": 0, "rd_institution": 1, "leader": 0}
    assert rows["330602"].total == 1 and rows["330604"].total == 0
    assert list(figures.records(Tier.HNTE)) == [hnte_then]
    assert list(figures.records(Tier.RD_INSTITUTION, "330681")) == [institute]
    assert set(figures.records(Tier.NONE)) == {city_level_centre, plain}
    assert list(figures.records(Tier.NONE, "330681")) == [city_level_centre]
    assert figures.records().count() == 5
    assert figures.figure(Tier.TSME, "330603").value == 1


def test_tiers_today_are_the_stored_ones_and_a_county_is_split_by_town():
    hnte = enterprise("330603L01")
    certificate(hnte, timezone.localdate() - timedelta(days=100))
    county_level = enterprise("330603")
    enterprise("330603L02")
    enterprise("330681L01")
    tiers_refresh_all()

    figures = enterprises_by_tier("330603")

    assert figures.stored is True
    assert figures.counts[Tier.HNTE] == 1 and figures.counts[Tier.NONE] == 2
    rows = {row.code: row for row in figures.rows}
    assert rows["330603L01"].counts[Tier.HNTE] == 1
    assert rows["330603L02"].total == 1
    # Enterprises registered at the county itself get a row of their own, last.
    assert figures.rows[-1].code == "330603" and figures.rows[-1].name == "柯桥区本级"
    assert list(figures.records(Tier.NONE, "330603")) == [county_level]
    assert list(figures.records(Tier.HNTE)) == [hnte]


def test_a_past_day_s_tiers_take_a_fixed_number_of_queries(django_assert_num_queries):
    for n in range(30):
        org = enterprise("330603L01" if n % 2 else "330681L01")
        certificate(org, date(2018, 11, 30))
    enterprises_by_tier("330600", date(2019, 12, 31))  # the codes under the city are cached
    # The city's path and the regions under it, the qualifications in force, the enterprises per region.
    with django_assert_num_queries(4):
        enterprises_by_tier("330600", date(2019, 12, 31))


# -- R&D expense --------------------------------------------------------------------------------------


def annual(org, year, *, hnte, sd, status=AnnualDataStatus.SUBMITTED):
    """Annual data whose R&D is spread over the fields of each 口径 (amounts in yuan)."""
    values = {name: Decimal(hnte) / len(HNTE_RD_FIELDS) for name in HNTE_RD_FIELDS}
    values |= {name: Decimal(sd) / len(SD_RD_FIELDS) for name in SD_RD_FIELDS}
    return AnnualData.objects.create(organization=org, year=year, status=status, **values)


def test_rd_expense_totals_and_both_growth_rates():
    a, b, c, d = enterprise(), enterprise(), enterprise("330681L01"), enterprise()
    annual(a, 2018, hnte=900000, sd=800000)
    annual(a, 2019, hnte=1080000, sd=960000)
    annual(b, 2018, hnte=450000, sd=400000)  # did not submit 2019
    annual(c, 2019, hnte=360000, sd=320000)  # new reporter in 2019
    annual(d, 2019, hnte=9000000, sd=8000000, status=AnnualDataStatus.DRAFT)  # not submitted: left out
    annual(enterprise("330402"), 2019, hnte=1800000, sd=1600000)  # 嘉兴

    figures = rd_expense("330600", 2019)

    assert figures.hnte_total.value == Decimal("1440000.00")
    assert figures.sd_total.value == Decimal("1280000.00")
    assert figures.reporters.value == 2
    assert set(figures.hnte_total.records.values_list("organization_id", flat=True)) == {a.pk, c.pk}
    assert figures.previous_total.value == Decimal("1350000.00")
    # Plain totals: 1,440,000 against 1,350,000; the same enterprise (a): 1,080,000 against 900,000.
    assert figures.growth.value == Decimal("0.0667")
    assert figures.same_growth.value == Decimal("0.2000")
    assert figures.same_growth.parts[0].value == Decimal("1080000.00")
    assert figures.same_growth.parts[1].value == Decimal("900000.00")
    assert set(figures.same_growth.records.values_list("organization_id", "year")) == {
        (a.pk, 2019),
        (a.pk, 2018),
    }
    assert "全部填报企业" in figures.growth.label and "同一批企业" in figures.same_growth.label

    keqiao = rd_expense("330603", 2019)
    assert keqiao.hnte_total.value == Decimal("1080000.00") and keqiao.reporters.value == 1
    assert rd_expense("330681", 2019).growth.value is None  # nothing to compare with
    assert rd_expense("330600", 2030).hnte_total.value == Decimal("0.00")


def test_the_annual_report_rows_carry_the_bureau_s_wording():
    org = enterprise()
    certificate(org, date(2019, 12, 4))
    labels_values = [(f.label, f.value) for f in report_figures("330600", 2019)]
    assert labels_values == [
        ("新认定高新技术企业", 1),
        ("高新技术企业净增", 1),
        ("高新技术企业总数", 1),
        ("新增省科技型中小企业", 0),
        ("新增省级企业研究院", 0),
        ("新增省级高新技术企业研究开发中心", 0),
    ]
