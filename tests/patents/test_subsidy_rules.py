"""The patent subsidy rules (subsidy_rules.py), without a database: window, status, patentee, holds, the cap."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from kechuang.patents.subsidy_rules import Hold, assess, cap_room, claim_total, refusal_reasons

POLICY = SimpleNamespace(
    name="2025年度专利资助",
    granted_from=date(2025, 1, 1),
    granted_until=date(2025, 12, 31),
    invention_amount=Decimal("10000.00"),
    utility_model_amount=Decimal("2000.00"),
    design_amount=Decimal("0.00"),
    cap_per_organization=Decimal("12000.00"),
)
ORG = 7


def patent(pk, kind="invention", granted_on=date(2025, 6, 1), status="granted", organization_id=ORG):
    return SimpleNamespace(
        pk=pk,
        application_no=f"no{pk}",
        kind=kind,
        granted_on=granted_on,
        status=status,
        organization_id=organization_id,
    )


@pytest.mark.parametrize(
    ("granted_on", "eligible"),
    [
        (date(2024, 12, 31), False),  # the day before granted_from
        (date(2025, 1, 1), True),  # exactly granted_from
        (date(2025, 12, 31), True),  # exactly granted_until
        (date(2026, 1, 1), False),  # the day after granted_until
    ],
)
def test_window_includes_both_ends(granted_on, eligible):
    assert (refusal_reasons(POLICY, patent(1, granted_on=granted_on), ORG, None) == []) is eligible


def test_reasons_name_each_problem():
    assert refusal_reasons(POLICY, patent(1, status="applied", granted_on=None), ORG, None) == [
        "该专利不是已授权状态，不能申请资助。"
    ]
    assert refusal_reasons(POLICY, patent(1, organization_id=8), ORG, None) == [
        "该专利的专利权人不是本单位。"
    ]
    assert refusal_reasons(POLICY, patent(1, kind="design"), ORG, None) == ["本政策不资助该类型的专利。"]
    hold = Hold(claim_id=42, policy_name="2024年度专利资助", state_label="已拨付")
    assert refusal_reasons(POLICY, patent(1), ORG, hold) == [
        "该专利已在资助申请第42号（2024年度专利资助，已拨付）中，不能重复资助。"
    ]


def test_total_exactly_at_the_cap_is_paid_in_full():
    verdicts = assess(POLICY, [patent(1), patent(2, kind="utility_model")], ORG, {}, cap_room("12000", "0"))
    assert [v.amount for v in verdicts] == [Decimal("10000.00"), Decimal("2000.00")]
    assert claim_total(verdicts) == Decimal("12000.00")


def test_one_fen_over_the_cap_cuts_the_last_item_by_one_fen():
    verdicts = assess(
        POLICY, [patent(1), patent(2, kind="utility_model")], ORG, {}, cap_room("12000", "0.01")
    )
    assert [v.amount for v in verdicts] == [Decimal("10000.00"), Decimal("1999.99")]
    assert claim_total(verdicts) == Decimal("11999.99")


def test_items_after_the_cap_is_reached_are_refused():
    verdicts = assess(POLICY, [patent(1), patent(2)], ORG, {}, cap_room("12000", "2000"))
    assert [v.amount for v in verdicts] == [Decimal("10000.00"), Decimal("0.00")]
    assert verdicts[1].reasons == ("本单位本年度的资助金额已达政策上限12000.00元。",)
    assert cap_room("12000", "12000.01") == Decimal("0.00")
