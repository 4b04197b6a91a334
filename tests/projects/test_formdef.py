from kechuang.projects import formdef
from kechuang.projects.defaults import STANDARD_FORM

from ..factories import complete_data


def test_standard_form_is_a_valid_definition():
    assert formdef.definition_problems(STANDARD_FORM) == []


def test_definition_problems_are_explained():
    bad = [
        {"key": "a", "type": "text"},
        {"key": "a", "type": "text"},
        {"key": "b", "type": "colour"},
        {"key": "c", "type": "choice"},
        {"key": "d", "type": "file", "allowed": ["exe"]},
        {"key": "e", "type": "text", "prefill": "organization.secret"},
        {"type": "text"},
    ]
    assert formdef.definition_problems(bad) == [
        "字段 a 重复。",
        "字段 b 的类型 colour 不受支持。",
        "单选字段 c 没有选项。",
        "附件字段 d 的文件类型只能是 PDF、PNG、JPG。",
        "字段 e 的预填来源 organization.secret 不存在。",
        "第 7 个字段缺少有效的 key。",
    ]


def test_complete_data_passes_with_the_file():
    cleaned, errors = formdef.clean_data(STANDARD_FORM, complete_data(), files={"plan": 1}, complete=True)
    assert errors == {}
    assert cleaned["amount"] == "300000.00"
    assert cleaned["budget"] == [
        {"item": "设备费", "amount": "200000.00"},
        {"item": "材料费", "amount": "100000.00"},
    ]


def test_missing_required_values_only_count_on_submission():
    _, draft_errors = formdef.clean_data(STANDARD_FORM, {"title": "x"}, complete=False)
    assert draft_errors == {}
    _, errors = formdef.clean_data(STANDARD_FORM, {"title": "x"}, complete=True)
    assert errors["summary"] == ["请填写项目简介。"]
    assert errors["plan"] == ["请上传可行性研究报告。"]
    assert errors["budget"] == ["经费预算至少需要 1 行。"]


def test_wrong_values_are_errors_even_in_a_draft_and_are_kept():
    cleaned, errors = formdef.clean_data(
        STANDARD_FORM, {"amount": "三十万", "start": "2027/13/01", "field": "天文"}, complete=False
    )
    assert errors == {
        "amount": ["申请经费（元）应为数字。"],
        "start": ["开始日期应为日期（年-月-日）。"],
        "field": ["技术领域的选项无效。"],
    }
    assert cleaned["amount"] == "三十万"  # nothing the user typed is lost


def test_money_has_at_most_two_decimals_and_respects_min():
    _, errors = formdef.clean_data(STANDARD_FORM, {"amount": "10.005"}, complete=False)
    assert errors == {"amount": ["申请经费（元）最多保留两位小数。"]}
    _, errors = formdef.clean_data(STANDARD_FORM, {"amount": "-1"}, complete=False)
    assert errors == {"amount": ["申请经费（元）不能小于 0。"]}


def test_budget_lines_must_add_up_to_the_requested_amount():
    data = {**complete_data(), "amount": "300001"}
    _, errors = formdef.clean_data(STANDARD_FORM, data, files={"plan": 1}, complete=True)
    assert errors == {"budget": ["经费预算合计 300000.00 元，与申请经费（元）不一致（300001.00 元）。"]}


def test_table_cells_are_checked_with_their_row():
    data = {**complete_data(), "budget": [{"item": "设备费", "amount": "abc"}]}
    _, errors = formdef.clean_data(STANDARD_FORM, data, files={"plan": 1}, complete=True)
    assert errors["budget"][0] == "经费预算第1行金额（元）应为数字。"


def test_text_length_limit():
    _, errors = formdef.clean_data(STANDARD_FORM, {"title": "长" * 101}, complete=False)
    assert errors == {"title": ["项目名称不能超过 100 个字。"]}
