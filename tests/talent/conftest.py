"""A small talent world: one commissioner of the research institute dispatched by the city bureau to 柯桥街道."""

from datetime import date

import pytest

from kechuang.accounts.enums import Role
from kechuang.talent.enums import CommissionerKind
from kechuang.talent.services import commissioner_create, dispatch_create

from ..conftest import _make_user
from ..factories import region

TERM = (date(2025, 1, 1), date(2025, 12, 31))


@pytest.fixture
def talent_world(world):
    institute = world["institution"].organization
    commissioner = commissioner_create(
        kind=CommissionerKind.INDIVIDUAL,
        name="王农技",
        organization=institute,
        specialty="茶叶栽培",
        by=world["staff"],
    )
    dispatch = dispatch_create(
        commissioner=commissioner,
        town=region("330603L01"),
        starts_on=TERM[0],
        ends_on=TERM[1],
        served="柯桥街道茶叶合作社",
        by=world["staff"],
    )
    return {
        **world,
        "commissioner": commissioner,
        "dispatch": dispatch,
        "other_town_officer": _make_user(Role.OFFICER, region_code="330603L02"),
    }
