import pytest

from kechuang.patents.numbers import InvalidNumber, filing_year, kind_of, normalize


@pytest.mark.parametrize(
    "text",
    ["201710601862.3", "CN201710601862.3", "ZL 2017 1 0601862.3", "2017106018623", "zl201710601862.3"],
)
def test_written_forms_normalize_to_one(text):
    assert normalize(text) == "201710601862.3"


def test_old_number_with_x_check():
    assert normalize("95115608.X") == "95115608.X"
    assert normalize("95115608x") == "95115608.X"
    assert filing_year("95115608.X") == 1995
    assert kind_of("95115608.X") == "invention"


def test_kind_and_year_of_new_number():
    assert kind_of("201710601862.3") == "invention"
    assert filing_year("201710601862.3") == 2017


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("201710601862.4", "校验位应为“3”"),
        ("2017106018.3", "位数不对"),
        ("201710601862", "缺少校验位"),
        ("201740601862.3", "类型位“4”无效"),
        ("", "为空"),
        ("2017A0601862.3", "不允许的字符"),
    ],
)
def test_invalid_numbers_say_why(text, fragment):
    with pytest.raises(InvalidNumber) as caught:
        normalize(text)
    assert fragment in str(caught.value)
