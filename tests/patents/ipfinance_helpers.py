"""Records for the subsidy and IP finance tests, built with the models directly (fixtures only; the code under test
goes through the services)."""

from datetime import date
from decimal import Decimal
from itertools import count

from kechuang.patents.enums import PolicyState
from kechuang.patents.models import Patent, SubsidyPolicy
from kechuang.patents.numbers import check_character

_serial = count(1)
KIND_DIGIT = {"invention": "1", "utility_model": "2", "design": "3"}


def application_no(kind: str = "invention", year: int = 2024) -> str:
    digits = f"{year}{KIND_DIGIT[kind]}{next(_serial):07d}"
    return f"{digits}.{check_character(digits)}"


def make_patent(
    organization, *, kind="invention", granted_on=date(2025, 6, 1), status="granted", **extra
) -> Patent:
    return Patent.objects.create(
        application_no=application_no(kind),
        kind=kind,
        title=extra.pop("title", f"一种测试装置{next(_serial)}"),
        organization=organization,
        filed_on=date(2024, 3, 1),
        granted_on=granted_on if status == "granted" else extra.pop("granted_on_override", None),
        status=status,
        **extra,
    )


def make_policy(
    *, region_code="330600", state=PolicyState.OPEN, year=2025, cap="50000", **extra
) -> SubsidyPolicy:
    values = {
        "name": f"{year}年度专利资助",
        "granted_from": date(2025, 1, 1),
        "granted_until": date(2025, 12, 31),
        "invention_amount": Decimal("10000"),
        "utility_model_amount": Decimal("2000"),
        "design_amount": Decimal("1000"),
        "cap_per_organization": Decimal(cap),
        **extra,
    }
    return SubsidyPolicy.objects.create(region_id=region_code, year=year, state=state, **values)
