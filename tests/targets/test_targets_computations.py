"""targets/computations.py: each computed actual comes from its module's figures, with the records behind it."""

from datetime import date
from decimal import Decimal

import pytest

from kechuang.carriers import services as carrier_services
from kechuang.enterprises.enums import AnnualDataStatus
from kechuang.enterprises.models import HNTE_RD_FIELDS, AnnualData
from kechuang.organizations.enums import QualificationKind, QualificationLevel
from kechuang.organizations.models import Qualification
from kechuang.patents import registry_services as patent_services
from kechuang.patents.numbers import check_character
from kechuang.targets.computations import COMPUTATIONS
from kechuang.targets.models import Indicator

from ..carriers.carrier_helpers import make_carrier
from ..factories import OrganizationFactory, region

pytestmark = pytest.mark.django_db
D = Decimal


def qualification(org, kind, valid_from, level=None):
    return Qualification.objects.create(
        organization=org,
        kind=kind,
        level=level or QualificationLevel.PROVINCIAL,
        valid_from=valid_from,
        valid_until=date(valid_from.year + 3, valid_from.month, 1),
    )


def test_every_computed_indicator_of_the_catalogue_has_a_computation():
    keys = set(Indicator.objects.filter(source="computed").values_list("computation", flat=True))
    assert keys and keys <= set(COMPUTATIONS)
    assert Indicator.objects.get(code="invention_share").base.code == "patent_applications"
    assert Indicator.objects.get(code="new_patent_demo_provincial").parent.code == "new_patent_demo"


def test_qualifications_and_rd_ratio(world):
    a, b = world["org_a"], world["org_b"]  # 柯桥, 诸暨
    qualification(a, QualificationKind.HNTE, date(2019, 3, 1), QualificationLevel.NATIONAL)
    qualification(b, QualificationKind.HNTE, date(2019, 12, 31), QualificationLevel.NATIONAL)
    qualification(b, QualificationKind.HNTE, date(2018, 6, 1), QualificationLevel.NATIONAL)  # an earlier year
    qualification(a, QualificationKind.PATENT_DEMO, date(2019, 5, 1), QualificationLevel.PROVINCIAL)
    qualification(b, QualificationKind.PATENT_DEMO, date(2019, 5, 1), QualificationLevel.CITY)
    rd = {name: D(300000) / len(HNTE_RD_FIELDS) for name in HNTE_RD_FIELDS}
    AnnualData.objects.create(
        organization=a, year=2019, status=AnnualDataStatus.SUBMITTED, main_revenue=D("10000000"), **rd
    )
    AnnualData.objects.create(
        organization=b, year=2019, status=AnnualDataStatus.SUBMITTED, main_revenue=D("30000000"), **rd
    )
    AnnualData.objects.create(  # a draft does not count
        organization=OrganizationFactory(region=region("330603L01")),
        year=2019,
        status=AnnualDataStatus.DRAFT,
        main_revenue=D("1"),
        **rd,
    )

    value, records = COMPUTATIONS["new_hnte"]("330600", 2019)
    assert value == 2 and set(records.values_list("organization_id", flat=True)) == {a.pk, b.pk}
    assert COMPUTATIONS["new_hnte"]("330603", 2019)[0] == 1
    assert COMPUTATIONS["new_patent_demo"]("330600", 2019)[0] == 2
    value, records = COMPUTATIONS["new_patent_demo_provincial"]("330600", 2019)
    assert value == 1 and list(records.values_list("organization_id", flat=True)) == [a.pk]
    # 600,000 of R&D over 40,000,000 of main-business revenue = 1.5 %.
    value, records = COMPUTATIONS["rd_revenue_ratio"]("330600", 2019)
    assert value == D("1.5000") and records.count() == 2
    assert COMPUTATIONS["rd_revenue_ratio"]("330603", 2019)[0] == D("3.0000")
    assert COMPUTATIONS["rd_revenue_ratio"]("330600", 2020)[0] == 0


def number(year: int, digit: int, serial: int) -> str:
    digits = f"{year}{digit}{serial:07d}"
    return f"{digits}.{check_character(digits)}"


def test_patents(world):
    rows = [
        (world["org_a"], 1, date(2019, 3, 1), "granted", date(2019, 11, 1)),
        (world["org_a"], 2, date(2019, 4, 1), "applied", None),
        (world["org_b"], 3, date(2019, 5, 1), "applied", None),
        (world["org_b"], 2, date(2018, 5, 1), "granted", date(2019, 2, 1)),
    ]
    for serial, (org, digit, filed_on, status, granted_on) in enumerate(rows, 1):
        patent_services.patent_create(
            organization=org,
            application_no=number(filed_on.year, digit, serial),
            title=f"专利{serial}",
            filed_on=filed_on,
            status=status,
            granted_on=granted_on,
            by=world["staff"],
        )
    value, records = COMPUTATIONS["patent_applications"]("330600", 2019)
    assert value == 3 and records.count() == 3
    assert COMPUTATIONS["invention_applications"]("330600", 2019)[0] == 1
    assert COMPUTATIONS["patent_grants"]("330600", 2019)[0] == 2
    assert COMPUTATIONS["patent_grants"]("330603", 2019)[0] == 1
    link = COMPUTATIONS["invention_applications"].link("330603", 2019)
    assert (
        link.startswith("/")
        and "filed_year=2019" in link
        and "kind=invention" in link
        and "region=330603" in link
    )


def test_incubation(world):
    staff = world["staff"]
    carrier = make_carrier(staff, region_code="330603L01", level="provincial", name="柯桥甲")
    add = lambda name, entered, capital: carrier_services.incubatee_add(  # noqa: E731
        carrier=carrier,
        values={"name": name, "entered_on": entered, "registered_capital": D(capital)},
        by=staff,
    )
    first = add("一号公司", date(2020, 6, 1), "1000000")
    second = add("二号公司", date(2021, 2, 1), "500000")
    add("三号公司", date(2022, 1, 1), "999999")  # entered after the year
    carrier_services.incubatee_revenue_set(incubatee=first, year=2021, revenue=D("3000000"), by=staff)
    carrier_services.incubatee_revenue_set(incubatee=second, year=2021, revenue=D("50000"), by=staff)

    value, records = COMPUTATIONS["incubatees"]("330600", 2021)
    assert value == 2 and set(records.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert COMPUTATIONS["incubatee_capital"]("330600", 2021)[0] == D("150.0000")  # 万元
    assert COMPUTATIONS["incubatee_revenue"]("330600", 2021)[0] == D("305.0000")
    assert COMPUTATIONS["carriers_cobuilt"]("330600", 2020)[0] == 1
    assert COMPUTATIONS["incubatees"]("330681", 2021)[0] == 0


def test_transaction_amount_and_talents(world):
    from kechuang.market.models import ContractRegistration
    from kechuang.talent.models import Talent, TalentProgram

    for seller, amount, non_technical, registered_on in (
        (world["org_a"], "300000000", "50000000", date(2019, 5, 1)),  # 2.5 亿元 of technology
        (world["org_b"], "123456789.12", "0", date(2019, 6, 1)),
        (world["org_a"], "900000000", "0", date(2020, 1, 1)),  # another year
    ):
        ContractRegistration.objects.create(
            title="技术开发合同",
            contract_type="development",
            sub_type="commissioned_development",
            seller=seller,
            seller_name=seller.name,
            seller_region=seller.region,
            buyer_name="买方",
            tech_field="new_materials",
            contract_amount=D(amount),
            non_technical_amount=D(non_technical),
            transaction_amount=D(amount) - D(non_technical),
            signed_on=date(2019, 1, 2),
            state="registered",
            registered_on=registered_on,
        )
    value, records = COMPUTATIONS["transaction_amount"]("330600", 2019)
    assert value == D("3.7346") and records.count() == 2  # 373,456,789.12 yuan in 亿元, four places
    assert COMPUTATIONS["transaction_amount"]("330603", 2019)[0] == D("2.5000")

    program = TalentProgram.objects.create(region=region("330600"), name="名士之乡英才计划")
    for name, kind, state in (
        ("甲", "leading", "active"),
        ("乙", "leading", "withdrawn"),
        ("丙", "team", "active"),
    ):
        Talent.objects.create(
            program=program, kind=kind, name=name, organization=world["org_a"], year=2019, state=state
        )
    value, records = COMPUTATIONS["talents_leading"]("330600", 2019)
    assert value == 1 and list(records.values_list("name", flat=True)) == ["甲"]
    assert COMPUTATIONS["talents_team"]("330603", 2019)[0] == 1
    assert COMPUTATIONS["talents_team"]("330681", 2019)[0] == 0
