"""The amount rules of a voucher program (amounts.py), without the database: money parsing, co-payment tiers,
the split of a fee between the voucher and the enterprise, how much of a quota request is granted, and who
may apply. Boundary values throughout: exactly at the threshold, exactly at the cap, a fraction of a fen."""

from decimal import Decimal

import pytest

from kechuang.vouchers.amounts import (
    Applicant,
    RuleError,
    Tier,
    eligibility_problems,
    grant_amount,
    parse_tiers,
    split_fee,
    tiers_text,
    yuan,
)
from kechuang.vouchers.enums import CopayMode

D = Decimal
WHOLE, MARGINAL = CopayMode.WHOLE_FEE, CopayMode.MARGINAL
# 玉环-like: under 10,000 yuan the voucher pays everything, from 10,000 on half.
TWO = [Tier(D("0.00"), D("1")), Tier(D("10000.00"), D("0.5"))]
THREE = [Tier(D("0.00"), D("1")), Tier(D("10000.00"), D("0.5")), Tier(D("50000.00"), D("0.2"))]


# --- yuan ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", D("12.00")),
        (" 12.5 ", D("12.50")),
        ("1,000.5", D("1000.50")),
        (D("10000"), D("10000.00")),
        (10000, D("10000.00")),
        ("0.01", D("0.01")),
        ("0", D("0.00")),
        ("1.000", D("1.00")),  # trailing zeros are not finer than a fen
        ("1e2", D("100.00")),
    ],
)
def test_yuan_accepts_amounts_to_the_fen(raw, expected):
    value = yuan(raw)
    assert value == expected
    assert value.as_tuple().exponent == -2  # always quantized to the fen


@pytest.mark.parametrize("raw", ["abc", "", "  ", None, "12元", "1.2.3", "--1"])
def test_yuan_refuses_what_is_not_a_number(raw):
    with pytest.raises(RuleError) as refused:
        yuan(raw)
    assert str(refused.value) == f"金额“{raw}”不是有效的数字。"


@pytest.mark.parametrize("raw", ["-0.01", "-1", D("-10000")])
def test_yuan_refuses_negative_amounts(raw):
    with pytest.raises(RuleError, match="^金额不能为负数。$"):
        yuan(raw)


@pytest.mark.parametrize("raw", ["0.001", "1.005", "9999.999", D("0.015")])
def test_yuan_refuses_fractions_of_a_fen(raw):
    with pytest.raises(RuleError, match=r"^金额最多保留两位小数（到分）。$"):
        yuan(raw)


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_yuan_calls_nan_and_infinity_not_a_number(raw):
    """NaN and Infinity are not numbers the user can mean; saying "不能为负数" about "Infinity" is wrong."""
    with pytest.raises(RuleError) as refused:
        yuan(raw)
    assert str(refused.value) == f"金额“{raw}”不是有效的数字。"


@pytest.mark.parametrize("raw", ["1e30", "123456789012345678901234567890", "1e100"])
def test_yuan_refuses_absurdly_large_amounts_with_a_rule_error(raw):
    """A huge number typed in a form must be refused with a message, not crash the request (500) with
    decimal.InvalidOperation raised by quantize beyond the context's precision."""
    with pytest.raises(RuleError):
        yuan(raw)


def test_yuan_of_minus_zero_is_plain_zero():
    """ "-0" is not negative, but it must not come back as -0.00 (shown as "-0.00元")."""
    assert str(yuan("-0.00")) == "0.00"
    assert str(yuan("-0")) == "0.00"


# --- parse_tiers --------------------------------------------------------------------------------------------


def test_parse_tiers_reads_the_stored_form():
    assert parse_tiers([["0", "1"], ["10000", "0.5"]]) == TWO
    assert parse_tiers([[0, 1], [10000, 0.5], ["50000", "0.2"]]) == THREE
    assert parse_tiers([["0", "0"]]) == [Tier(D("0.00"), D("0"))]  # a ratio of 0 and of 1 are allowed


@pytest.mark.parametrize("raw", [[], None, ()])
def test_parse_tiers_refuses_no_tier(raw):
    with pytest.raises(RuleError, match="^请至少设置一档创新券支付比例。$"):
        parse_tiers(raw)


def test_parse_tiers_refuses_a_first_tier_not_starting_at_zero():
    with pytest.raises(RuleError, match="^第一档须从0元起。$"):
        parse_tiers([["0.01", "1"], ["10000", "0.5"]])


@pytest.mark.parametrize(
    ("raw", "n"),
    [
        ([["0", "1"], ["20000", "0.5"], ["10000", "0.3"]], 3),
        ([["0", "1"], ["10000", "0.5"], ["10000", "0.3"]], 3),  # equal starts are not rising
        ([["0", "1"], ["0", "0.5"]], 2),
    ],
)
def test_parse_tiers_refuses_starts_not_rising(raw, n):
    with pytest.raises(RuleError) as refused:
        parse_tiers(raw)
    assert str(refused.value) == f"各档起点须从小到大排列（第{n}档）。"


@pytest.mark.parametrize("ratio", ["1.01", "2", "-0.1", "-1"])
def test_parse_tiers_refuses_a_ratio_outside_zero_to_one(ratio):
    with pytest.raises(RuleError, match="^第2档的比例须在0到1之间。$"):
        parse_tiers([["0", "1"], ["10000", ratio]])


@pytest.mark.parametrize(
    "item",
    [["10000"], ["10000", "0.5", "x"], 5, ["abc", "0.5"], ["10000", "half"], ["-1", "0.5"], ["0.001", "1"]],
)
def test_parse_tiers_refuses_a_malformed_tier(item):
    with pytest.raises(RuleError, match="^第2档的起点或比例无效。$"):
        parse_tiers([["0", "1"], item])


@pytest.mark.parametrize("ratio", ["NaN", "sNaN"])
def test_parse_tiers_refuses_a_nan_ratio_with_a_rule_error(ratio):
    """A NaN ratio cannot be ordered: comparing it raises decimal.InvalidOperation, which must become the
    tier's RuleError (the program form would otherwise fail with a 500)."""
    with pytest.raises(RuleError):
        parse_tiers([["0", ratio]])


# --- tiers_text ---------------------------------------------------------------------------------------------


def test_tiers_text_two_tiers():
    assert tiers_text(TWO, WHOLE) == "10,000.00元以下全额支付；10,000.00元及以上支付50%"


def test_tiers_text_three_tiers_marginal():
    assert tiers_text(THREE, MARGINAL) == (
        "10,000.00元以下全额支付；10,000.00元至50,000.00元以下支付50%；50,000.00元及以上支付20%（分段累进计算）"
    )


def test_tiers_text_one_tier_needs_no_amounts_and_no_mode():
    assert tiers_text([Tier(D("0.00"), D("0.8"))], MARGINAL) == "不论金额支付80%"
    assert tiers_text([Tier(D("0.00"), D("1"))], WHOLE) == "不论金额全额支付"


def test_tiers_text_percentages_without_useless_zeros():
    tiers = [Tier(D("0.00"), D("0.333")), Tier(D("5000.00"), D("0.1")), Tier(D("8000.00"), D("0"))]
    assert tiers_text(tiers, WHOLE) == (
        "5,000.00元以下支付33.3%；5,000.00元至8,000.00元以下支付10%；8,000.00元及以上支付0%"
    )


# --- split_fee ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fee", "voucher", "enterprise"),
    [
        ("0.01", "0.01", "0.00"),
        ("9999.99", "9999.99", "0.00"),  # just under the threshold: the voucher pays everything
        ("10000.00", "5000.00", "5000.00"),  # exactly at the threshold: the upper tier, for the whole fee
        ("10000.01", "5000.00", "5000.01"),  # 5,000.005: the voucher's share is rounded down to the fen
        ("10000.03", "5000.01", "5000.02"),  # 5,000.015 → 5,000.01
        ("12000", "6000.00", "6000.00"),
        ("60000", "30000.00", "30000.00"),  # two tiers: 50 % of the whole fee (marginal would give 35,000)
    ],
)
def test_split_whole_fee(fee, voucher, enterprise):
    split = split_fee(D(fee), TWO, WHOLE)
    assert (split.voucher, split.enterprise) == (D(voucher), D(enterprise))
    assert split.voucher + split.enterprise == split.fee == D(fee)
    assert split.limited_by_quota is False


def test_split_whole_fee_explains_itself():
    assert split_fee(D("12000"), TWO, WHOLE).explanation == (
        "服务费用12,000.00元，按50%计，创新券支付6,000.00元，企业自付6,000.00元。"
    )
    assert split_fee(D("9999.99"), TWO, WHOLE).explanation == (
        "服务费用9,999.99元，按100%计，创新券支付9,999.99元，企业自付0.00元。"
    )


@pytest.mark.parametrize(
    ("fee", "voucher"),
    [
        ("0.01", "0.01"),
        ("9999.99", "9999.99"),
        ("10000.00", "10000.00"),  # exactly at the threshold: nothing of the fee lies in the upper slice
        ("10000.01", "10000.00"),  # the 0.01 slice at 50 % is 0.005: rounded down
        ("10000.03", "10000.01"),
        ("12000", "11000.00"),  # 10,000 + 2,000 × 50 %
    ],
)
def test_split_marginal_two_tiers(fee, voucher):
    split = split_fee(D(fee), TWO, MARGINAL)
    assert split.voucher == D(voucher)
    assert split.enterprise == D(fee) - D(voucher)


@pytest.mark.parametrize(
    ("fee", "voucher"),
    [
        ("50000", "30000.00"),  # 10,000 + 40,000 × 50 %, exactly at the third tier's start
        ("50000.04", "30000.00"),  # + 0.04 × 20 % = 0.008: rounded down
        ("50000.05", "30000.01"),
        ("60000", "32000.00"),  # 10,000 + 20,000 + 10,000 × 20 %
        ("30000.03", "20000.01"),  # 10,000 + 20,000.03 × 50 % = 20,000.015
    ],
)
def test_split_marginal_three_tiers(fee, voucher):
    split = split_fee(D(fee), THREE, MARGINAL)
    assert split.voucher == D(voucher)
    assert split.enterprise == D(fee) - D(voucher)
    assert "分段累进计算" in split.explanation


def test_split_limited_by_the_quota_the_enterprise_pays_the_rest():
    split = split_fee(D("12000"), TWO, WHOLE, available=D("3000.00"))
    assert (split.voucher, split.enterprise, split.limited_by_quota) == (D("3000"), D("9000"), True)
    assert split.explanation == (
        "服务费用12,000.00元，按50%计，创新券支付6,000.00元；额度余额仅3,000.00元，创新券支付3,000.00元，"
        "企业自付9,000.00元。"
    )


def test_split_with_exactly_the_share_available_is_not_limited():
    split = split_fee(D("12000"), TWO, WHOLE, available=D("6000.00"))
    assert (split.voucher, split.enterprise, split.limited_by_quota) == (D("6000"), D("6000"), False)
    assert "额度余额仅" not in split.explanation


def test_split_one_fen_short_is_limited():
    split = split_fee(D("12000"), TWO, WHOLE, available=D("5999.99"))
    assert (split.voucher, split.enterprise, split.limited_by_quota) == (D("5999.99"), D("6000.01"), True)


def test_split_with_nothing_available_the_enterprise_pays_everything():
    for available in (D("0.00"), D("-5.00")):
        split = split_fee(D("800"), TWO, WHOLE, available=available)
        assert (split.voucher, split.enterprise, split.limited_by_quota) == (D("0"), D("800"), True)


def test_split_refuses_a_bad_fee():
    with pytest.raises(RuleError):
        split_fee("-1", TWO, WHOLE)
    with pytest.raises(RuleError):
        split_fee("100.001", TWO, WHOLE)


# --- grant_amount -------------------------------------------------------------------------------------------


def _grant(requested, per_application="20000", cap_left="100000", budget_left="1000000"):
    return grant_amount(
        requested=D(requested),
        per_application=D(per_application),
        cap_left=D(cap_left),
        budget_left=D(budget_left),
    )


def test_grant_what_is_requested_when_no_limit_bites():
    grant = _grant("15000")
    assert (grant.amount, grant.limits) == (D("15000"), [])


def test_grant_exactly_at_the_per_application_limit():
    grant = _grant("20000.00")
    assert (grant.amount, grant.limits) == (D("20000"), [])


def test_grant_above_the_per_application_limit_is_cut_to_it():
    grant = _grant("20000.01")
    assert (grant.amount, grant.limits) == (D("20000"), ["单次申领上限20,000.00元"])


def test_grant_exactly_at_the_cap_left():
    grant = _grant("20000", cap_left="20000")
    assert (grant.amount, grant.limits) == (D("20000"), [])
    grant = _grant("20000", cap_left="19999.99")
    assert (grant.amount, grant.limits) == (D("19999.99"), ["本年度累计上限剩余19,999.99元"])


def test_grant_exactly_at_the_budget_left():
    grant = _grant("20000", budget_left="20000")
    assert (grant.amount, grant.limits) == (D("20000"), [])


def test_grant_budget_left_smaller_than_both_limits():
    grant = _grant("20000", per_application="15000", cap_left="12000", budget_left="5000")
    assert grant.amount == D("5000")
    assert grant.limits == [
        "单次申领上限15,000.00元",
        "本年度累计上限剩余12,000.00元",
        "计划预算剩余5,000.00元",
    ]


def test_grant_zero_budget_gives_zero_and_names_the_budget():
    grant = _grant("20000", budget_left="0")
    assert (grant.amount, grant.limits) == (D("0"), ["计划预算剩余0.00元"])


def test_grant_cap_used_up_gives_zero_and_names_the_cap():
    grant = _grant("20000", cap_left="-100")  # a cap lowered below what was granted counts as 0 left
    assert (grant.amount, grant.limits) == (D("0"), ["本年度累计上限剩余0.00元"])


@pytest.mark.parametrize("requested", ["0", "0.00"])
def test_grant_refuses_a_request_of_nothing(requested):
    with pytest.raises(RuleError, match="^申领金额须大于0元。$"):
        _grant(requested)


def test_grant_refuses_a_bad_request():
    with pytest.raises(RuleError):
        grant_amount(requested="abc", per_application=D("1"), cap_left=D("1"), budget_left=D("1"))


# --- eligibility_problems -----------------------------------------------------------------------------------


def _problems(kind="enterprise", size="small", held=(), *, kinds=("enterprise",), sizes=(), quals=()):
    return eligibility_problems(
        Applicant(kind=kind, size=size, qualifications=frozenset(held)),
        kinds=list(kinds),
        sizes=list(sizes),
        qualifications=list(quals),
    )


def test_eligible_applicant_has_no_problem():
    assert _problems() == []
    assert _problems(sizes=("micro", "small"), quals=("tsme", "hnte"), held=("hnte",)) == []
    assert _problems(kind="institution", size="", kinds=()) == []  # no restriction at all


def test_wrong_kind():
    assert _problems(kind="institution") == ["本计划面向企业，贵单位为高校院所。"]
    assert _problems(kind="provider", kinds=("enterprise", "institution")) == [
        "本计划面向企业、高校院所，贵单位为服务机构。"
    ]


def test_wrong_or_unknown_size():
    assert _problems(size="large", sizes=("micro", "small")) == ["本计划面向微型、小型企业，贵单位为大型。"]
    assert _problems(size="", sizes=("micro", "small")) == ["本计划面向微型、小型企业，贵单位为未填写规模。"]


def test_missing_qualification():
    assert _problems(quals=("tsme", "hnte"), held=("tech_center",)) == [
        "本计划要求具备以下资质之一：科技型中小企业、高新技术企业。"
    ]


def test_every_problem_is_named():
    assert _problems(kind="institution", size="", sizes=("small",), quals=("tsme",)) == [
        "本计划面向企业，贵单位为高校院所。",
        "本计划面向小型企业，贵单位为未填写规模。",
        "本计划要求具备以下资质之一：科技型中小企业。",
    ]
