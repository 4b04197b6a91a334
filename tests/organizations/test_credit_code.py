"""统一社会信用代码 check character — GB 32100-2015, rules.md §4."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kechuang.organizations.validators import (
    CHARSET,
    WEIGHTS,
    credit_code_check_char,
    credit_code_problem,
    normalize_credit_code,
)

# rules.md §4.3: each check verified.
PASSING = [
    "914403001922038216",
    "9144030071526726XG",
    "91440300708461136T",
    "91330100799655058B",
    "91110108551385082Q",
    "91110000802100433B",
    "91440300192317458F",
    "91100000100003962T",
    "91330000733796106P",
    "91350900587527783P",
    "91520000214434146R",
    "12100000400000624D",
    "9134000070503581XA",
    "91110000705514765U",
    "91330000712560575G",
    "91330401MA28ADM67R",
    "91310115591693856A",
    "91310110666007217T",
]


def test_weights_are_powers_of_three_mod_31():
    # rules.md §4.2
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_charset_omits_i_o_s_v_z():
    assert len(CHARSET) == 31
    assert not set("IOSVZ") & set(CHARSET)


def test_huawei_worked_example():
    # rules.md §4.2: Σ = 831, 831 mod 31 = 25, 31 − 25 = 6
    assert credit_code_check_char("91440300192203821") == "6"


@pytest.mark.parametrize("code", PASSING)
def test_published_codes_pass(code):
    assert credit_code_problem(code) is None


def test_nonconforming_pilot_code_fails_with_expected_check():
    # rules.md §4.3: 91350211M00013FA1N is real but non-conforming; expected check character 3.
    assert credit_code_problem("91350211M00013FA1N") == "统一社会信用代码校验位错误：校验位应为 3，当前为 N。"


def test_sum_divisible_by_31_gives_zero_not_an_index_error():
    # rules.md §4.2 pitfall: when Σ ≡ 0 (mod 31) the check character is '0'.
    first16 = "9133060000000000"
    for last in CHARSET:
        first17 = first16 + last
        total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
        if total % 31 == 0:
            assert credit_code_check_char(first17) == "0"
            assert credit_code_problem(first17 + "0") is None
            return
    pytest.fail("no synthetic vector with Σ ≡ 0 found")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91440300192203821", "统一社会信用代码应为18位，当前为17位。"),
        ("91440300192203821I", "统一社会信用代码含有不允许的字符：I（不使用 I、O、S、V、Z）。"),
        ("9144AB00192203821G", "统一社会信用代码第3—8位应为行政区划代码（6位数字）。"),
        ("914403001922038217", "统一社会信用代码校验位错误：校验位应为 6，当前为 7。"),
    ],
)
def test_problems_are_explained_in_chinese(code, message):
    assert credit_code_problem(code) == message


def test_normalize_strips_spaces_and_upper_cases():
    assert normalize_credit_code(" 9144 0300 7152 6726xg ") == "9144030071526726XG"


@given(st.text(alphabet=CHARSET, min_size=17, max_size=17))
def test_any_17_characters_complete_to_a_valid_code(first17):
    first17 = first17[:2] + "330603" + first17[8:]
    code = first17 + credit_code_check_char(first17)
    assert credit_code_problem(code) is None
    # Changing the check character always breaks it.
    wrong = CHARSET[(CHARSET.index(code[17]) + 1) % 31]
    assert credit_code_problem(code[:17] + wrong) is not None
