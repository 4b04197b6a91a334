"""技术合同认定登记 rules without a database (rules.md §5): the two amounts, sub-types, dates, 登记号."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kechuang.core.errors import DomainError
from kechuang.market.contract_rules import (
    REASONABLE_SETS,
    Amounts,
    CostItem,
    CostKind,
    amounts,
    check_dates,
    check_type,
    deducted,
    next_registration_no,
    parse_registration_no,
    registration_no,
    sub_types_of,
)
from kechuang.market.enums import CONTRACT_SUB_TYPES, ContractSubType, ContractType

from .contract_helpers import example_items

W = Decimal("10000")  # 万元


def test_the_constructed_example_of_rules_5_3():
    """rules.md §5.3: 技术开发合同 500万, equipment 120万, raw materials 30万, 2 prototype sets 20万 →
    技术交易额 350万 (prototypes within 1–2 sets are not deducted); 合同成交额 500万."""
    result = amounts(500 * W, items=example_items())
    assert result == Amounts(
        contract_amount=Decimal("5000000.00"),
        non_technical_amount=Decimal("1500000.00"),
        transaction_amount=Decimal("3500000.00"),
        items=result.items,
    )
    assert [deducted(item) for item in result.items] == [Decimal("1200000"), Decimal("300000"), Decimal("0")]


def test_every_bought_kind_is_deducted_and_carriers_in_reasonable_quantity_are_not():
    """rules.md §5.3: 购置设备、仪器、零部件、原材料 (and other non-technical costs) are deducted; the technology's
    carriers (documents, media, varieties, strains, hardware) in the quantity needed are not."""
    items = [
        CostItem(CostKind.EQUIPMENT, Decimal("100")),
        CostItem(CostKind.INSTRUMENT, Decimal("20")),
        CostItem(CostKind.PART, Decimal("3")),
        CostItem(CostKind.MATERIAL, Decimal("0.40")),
        CostItem(CostKind.OTHER, Decimal("0.05")),
        CostItem(CostKind.CARRIER, Decimal("500")),
    ]
    result = amounts(Decimal("1000"), items=items)
    assert result.non_technical_amount == Decimal("123.45")
    assert result.transaction_amount == Decimal("876.55")


@pytest.mark.parametrize(
    ("sets", "cost", "taken"),
    [
        (1, "100000", "0"),
        (REASONABLE_SETS, "200000", "0"),  # "一般为1-2套": two sets are still not deducted
        (3, "300000", "100000.00"),  # the third set is deducted at its share of the cost
        (4, "100000", "50000.00"),
        (3, "100000", "33333.33"),  # rounded half up to the fen
    ],
)
def test_complete_sets_beyond_two_are_deducted_pro_rata(sets, cost, taken):
    """rules.md §5.3: 成套技术设备和试验装置 — a reasonable quantity is generally 1–2 sets."""
    assert deducted(CostItem(CostKind.CARRIER_SET, Decimal(cost), quantity=sets)) == Decimal(taken)


def test_a_set_carrier_needs_its_number_of_sets():
    with pytest.raises(DomainError, match="套数"):
        amounts(Decimal("1000"), items=[CostItem(CostKind.CARRIER_SET, Decimal("100"))])


def test_one_figure_instead_of_items():
    result = amounts("1,000,000.50", non_technical_amount="200000.25")
    assert (result.contract_amount, result.non_technical_amount, result.transaction_amount) == (
        Decimal("1000000.50"),
        Decimal("200000.25"),
        Decimal("800000.25"),
    )
    assert amounts("80").transaction_amount == Decimal("80.00")  # nothing non-technical: all of it


@pytest.mark.parametrize(
    ("contract", "kwargs", "field", "message"),
    [
        ("0", {}, "contract_amount", "合同成交额必须大于零"),
        ("-5", {}, "contract_amount", "不能为负数"),
        ("100.001", {}, "contract_amount", "最多保留两位小数"),
        ("abc", {}, "contract_amount", "不是有效的金额"),
        ("1e20", {}, "contract_amount", "超出可登记的范围"),
        ("100", {"non_technical_amount": "100.01"}, "non_technical_amount", "不能超过合同成交额"),
        ("100", {"non_technical_amount": "-1"}, "non_technical_amount", "不能为负数"),
        (
            "100",
            {
                "items": [
                    CostItem(CostKind.CARRIER, Decimal("60")),
                    CostItem(CostKind.EQUIPMENT, Decimal("41")),
                ]
            },
            "non_technical_items",
            "各项费用之和不能超过合同成交额",
        ),
        (
            "100",
            {"items": [CostItem(CostKind.EQUIPMENT, Decimal("1"))], "non_technical_amount": "1"},
            "non_technical_amount",
            "不要同时填写",
        ),
    ],
)
def test_amounts_are_refused_with_the_reason(contract, kwargs, field, message):
    with pytest.raises(DomainError, match=message) as refused:
        amounts(contract, **kwargs)
    assert refused.value.field == field


@settings(deadline=None)  # a shared, busy machine: only correctness is tested here
@given(
    contract=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e9"), places=2),
    shares=st.lists(
        st.tuples(st.sampled_from(list(CostKind)), st.integers(0, 1000), st.integers(1, 6)), max_size=6
    ),
)
def test_transaction_plus_non_technical_is_always_the_contract_amount(contract, shares):
    """Property (rules.md §5.3): 技术交易额 = 合同成交额 − 非技术性费用, both within [0, 合同成交额]."""
    total_share = sum(share for _k, share, _q in shares) or 1
    items = [
        CostItem(
            kind, (contract * share / total_share / 2).quantize(Decimal("0.01"), "ROUND_DOWN"), quantity=n
        )
        for kind, share, n in shares
    ]
    result = amounts(contract, items=items)
    assert result.transaction_amount + result.non_technical_amount == result.contract_amount
    assert Decimal("0") <= result.non_technical_amount <= result.contract_amount
    assert result.non_technical_amount == sum((deducted(i) for i in result.items), Decimal("0"))


def test_each_type_accepts_exactly_its_own_sub_types():
    """rules.md §5.2: 技术开发 委托/合作开发; 技术转让 专利权/专利申请权/技术秘密转让; 技术许可 专利实施/技术秘密使用许可;
    技术咨询; 技术服务 一般技术服务, 技术培训, 技术中介 (the last two registered as their own sub-types)."""
    assert sub_types_of(ContractType.SERVICE) == ("general_service", "training", "intermediary")
    assert sub_types_of(ContractType.LICENSE) == ("patent_license", "secret_license")
    for contract_type in ContractType.values:
        for sub_type in ContractSubType.values:
            if sub_type in CONTRACT_SUB_TYPES[contract_type]:
                check_type(contract_type, sub_type)
            else:
                with pytest.raises(DomainError) as refused:
                    check_type(contract_type, sub_type)
                assert refused.value.field == "sub_type"


def test_a_licence_is_not_filed_as_a_transfer_and_an_unknown_type_is_refused():
    with pytest.raises(
        DomainError, match="技术转让合同的子类只能是：专利权转让、专利申请权转让、技术秘密转让"
    ):
        check_type("transfer", "patent_license")
    with pytest.raises(DomainError) as refused:
        check_type("equity", "consulting")
    assert refused.value.field == "contract_type"


def test_dates():
    today = date(2026, 6, 1)
    check_dates(signed_on=today, valid_from=today, valid_until=today, today=today)
    check_dates(signed_on=today, valid_from=None, valid_until=None, today=today)
    with pytest.raises(DomainError, match="签订日期不能晚于今天") as refused:
        check_dates(signed_on=date(2026, 6, 2), valid_from=None, valid_until=None, today=today)
    assert refused.value.field == "signed_on"
    with pytest.raises(DomainError, match="履行期限止不能早于履行期限起") as refused:
        check_dates(signed_on=today, valid_from=date(2026, 7, 2), valid_until=date(2026, 7, 1), today=today)
    assert refused.value.field == "valid_until"
    with pytest.raises(DomainError, match="请填写签订日期"):
        check_dates(signed_on=None, valid_from=None, valid_until=None, today=today)


def test_registration_number_format():
    """Our format (not an official one): year + the registering region's 6-digit code + a 6-digit sequence."""
    assert registration_no(2026, "330603", 1) == "2026330603000001"
    assert parse_registration_no("2026330603000123") == (2026, "330603", 123)
    assert parse_registration_no("2026330603L0100001") is None
    assert parse_registration_no("") is None
    assert next_registration_no(2026, "330603", None) == "2026330603000001"
    assert next_registration_no(2026, "330603", "2026330603000041") == "2026330603000042"
    assert next_registration_no(2026, "330603", "2026330603999998") == "2026330603999999"
    with pytest.raises(DomainError, match="登记号已用完"):
        next_registration_no(2026, "330603", "2026330603999999")
    with pytest.raises(ValueError):
        registration_no(2026, "330603L01", 1)
