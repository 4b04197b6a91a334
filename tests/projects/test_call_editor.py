"""The call page's structured editors: review criteria and application-form fields as formsets.

Each test reads the page as a browser would (every input, select and textarea with its value),
changes a few rows and posts it back, then checks the exact JSON stored on the call.
"""

import copy
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from kechuang.projects.defaults import STANDARD_FORM
from kechuang.projects.models import Call, default_review_scheme

from ..factories import make_call

pytestmark = pytest.mark.django_db


class _FormReader(HTMLParser):
    """The values a browser would submit for the page's main form (no JavaScript involved)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select = None
        self._select_first = None
        self._select_chosen = False
        self._textarea = None
        self._text = ""

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(a["name"], a.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                self._add(a["name"], a.get("value", ""))
        elif tag == "select":
            self._select, self._select_first, self._select_chosen = a.get("name"), None, False
        elif tag == "option" and self._select:
            if self._select_first is None:
                self._select_first = a.get("value", "")
            if "selected" in a:
                self._add(self._select, a.get("value", ""))
                self._select_chosen = True
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                self._add(self._select, self._select_first)
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = self._text[1:] if self._text.startswith("\n") else self._text
            self._add(self._textarea, text)
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text += data


def read_form(response) -> dict:
    reader = _FormReader()
    reader.feed(response.content.decode())
    return {name: values if len(values) > 1 else values[0] for name, values in reader.data.items()}


def _clear(data, prefix):
    """Empty every field of one formset row (a row the officer leaves blank)."""
    for name in [n for n in data if n.startswith(prefix)]:
        del data[name]


EXTRA_SPECS = [
    {
        "key": "photo",
        "label": "现场照片",
        "type": "file",
        "allowed": ["png", "pdf"],
        "max_bytes": 5000000,
        "help": "请上传清晰照片",
        "note": "编辑器不显示的键",
    },
    {
        "key": "partners",
        "label": "合作单位",
        "type": "table",
        "max_rows": 5,
        "columns": [
            {"key": "name", "label": "单位 名称"},
            {"key": "share", "label": "占比", "type": "number", "min": 0},
        ],
    },
]


@pytest.fixture
def call(world):
    call = make_call()
    call.form_definition = copy.deepcopy(STANDARD_FORM) + copy.deepcopy(EXTRA_SPECS)
    call.review_scheme = {**default_review_scheme(), "blind": True, "avoid_applicant_region": True}
    call.save()
    return call


@pytest.fixture
def staff(client, world):
    client.force_login(world["staff"])
    return client


def _edit_page(client, call) -> dict:
    response = client.get(reverse("projects:call_edit", args=[call.pk]))
    assert response.status_code == 200
    return read_form(response)


def _save(client, call, data):
    return client.post(reverse("projects:call_edit", args=[call.pk]), data)


def test_the_page_shows_the_editors_not_json(staff, call):
    data = _edit_page(staff, call)
    assert data["form_definition"] == "" and data["review_scheme"] == ""  # the advanced JSON is empty
    assert data["fields-TOTAL_FORMS"] == str(len(call.form_definition) + 2)
    assert (data["fields-0-key"], data["fields-0-label"], data["fields-0-type"]) == (
        "title",
        "项目名称",
        "text",
    )
    assert data["fields-10-columns"] == "item 预算科目 文本 必填\namount 金额（元） 金额 必填"
    assert (data["fields-13-allowed"], data["fields-13-max_mb"]) == (["pdf", "png"], "4.77")
    assert data["criteria-TOTAL_FORMS"] == "6"
    assert (data["criteria-0-key"], data["criteria-0-name"], data["criteria-0-weight"]) == (
        "innovation",
        "创新性",
        "30",
    )
    assert (data["scheme-experts_per_application"], data["scheme-aggregation"], data["scheme-blind"]) == (
        "5",
        "trimmed_mean",
        "on",
    )


def test_saving_the_page_unchanged_keeps_the_identical_json(staff, call):
    definition, scheme = copy.deepcopy(call.form_definition), copy.deepcopy(call.review_scheme)
    response = _save(staff, call, _edit_page(staff, call))
    assert response.status_code == 302, response.content.decode()[:3000]
    call.refresh_from_db()
    assert call.form_definition == definition
    assert call.review_scheme == scheme
    assert [s["key"] for s in call.form_definition] == [s["key"] for s in definition]


def test_adding_a_choice_a_file_and_a_table_field(staff, call):
    before = copy.deepcopy(call.form_definition)
    data = _edit_page(staff, call)
    n = len(before)
    data.update(
        {
            f"fields-{n}-key": "stage",
            f"fields-{n}-label": "研发阶段",
            f"fields-{n}-type": "choice",
            f"fields-{n}-required": "on",
            f"fields-{n}-choices": "小试、中试\n产业化，其他",
            f"fields-{n + 1}-key": "licence",
            f"fields-{n + 1}-label": "营业执照",
            f"fields-{n + 1}-type": "file",
            f"fields-{n + 1}-allowed": ["pdf", "jpg"],
            f"fields-{n + 1}-max_mb": "2.5",
            f"fields-{n + 1}-help": "加盖公章",
        }
    )
    # A table field in place of the old partners table, with its columns typed as lines.
    data["fields-14-columns"] = "name 单位 名称 必填\nshare 占比 数字\nsince 合作起始 日期"
    response = _save(staff, call, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    call.refresh_from_db()
    partners = {
        **EXTRA_SPECS[1],
        "columns": [
            {"key": "name", "label": "单位 名称", "required": True},
            {"key": "share", "label": "占比", "type": "number", "min": 0},
            {"key": "since", "label": "合作起始", "type": "date"},
        ],
    }
    assert call.form_definition == before[:14] + [
        partners,
        {
            "key": "stage",
            "label": "研发阶段",
            "type": "choice",
            "required": True,
            "choices": ["小试", "中试", "产业化", "其他"],
        },
        {
            "key": "licence",
            "label": "营业执照",
            "type": "file",
            "help": "加盖公章",
            "allowed": ["pdf", "jpg"],
            "max_bytes": 2621440,
        },
    ]


def test_deleting_and_reordering_fields_keeps_prefill_settings(staff, call):
    before = copy.deepcopy(call.form_definition)
    data = _edit_page(staff, call)
    data["fields-2-DELETE"] = "on"  # credit_code
    data["fields-0-ORDER"] = "99"  # title goes last
    data["fields-1-label"] = "申报单位名称"  # applicant: prefilled, read-only
    data.pop("fields-5-required")  # field (技术领域) no longer required
    response = _save(staff, call, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    call.refresh_from_db()
    applicant = {**before[1], "label": "申报单位名称"}
    field = {**before[5], "required": False}
    assert call.form_definition == [applicant, before[3], before[4], field, *before[6:], before[0]]
    assert applicant["prefill"] == "organization.name" and applicant["readonly"] is True


def test_a_new_call_with_three_criteria(staff, world):
    response = staff.get(reverse("projects:call_create"))
    data = read_form(response)
    program = make_call().program
    data.update(
        {
            "program": str(program.pk),
            "title": "2027年度指南",
            "year": "2027",
            "opens_at": "2027-03-01T08:30:00",
            "closes_at": "2027-04-01T17:00:00",
            "budget_cap": "500000",
            "total_budget": "5000000",
            "criteria-0-name": "技术创新",
            "criteria-0-weight": "50",
            "criteria-0-description": "与国内外同类技术比较",
            "criteria-1-key": "",
            "criteria-1-weight": "33.5",
            "criteria-2-DELETE": "on",
            "criteria-3-DELETE": "on",
            "criteria-4-name": "经济效益",
            "criteria-4-weight": "16.5",
            "scheme-experts_per_application": "7",
            "scheme-aggregation": "mean",
        }
    )
    data.pop("scheme-blind", None)  # blind review off
    response = staff.post(reverse("projects:call_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    call = Call.objects.get(title="2027年度指南")
    assert call.review_scheme == {
        "criteria": [
            {"key": "innovation", "name": "技术创新", "weight": 50, "description": "与国内外同类技术比较"},
            {"key": "c2", "name": "可行性", "weight": 33.5, "description": ""},
            {"key": "c3", "name": "经济效益", "weight": 16.5, "description": ""},
        ],
        "experts_per_application": 7,
        "aggregation": "mean",
        "blind": False,
        "avoid_applicant_region": False,
    }
    assert call.form_definition == STANDARD_FORM  # a new call starts from the standard form


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"criteria-0-weight": "20"}, "评审指标权重之和应为 100，当前为 90。"),
        ({"criteria-1-key": "innovation"}, "评审指标的 key 不能为空或重复。"),
        ({"scheme-experts_per_application": "20"}, "每份申报书的评审专家人数应为 1—15。"),
        ({"criteria-0-weight": "很多"}, "评审方案填写有误，请检查下方标出的内容。"),
        ({"fields-5-choices": ""}, "单选字段 field 没有选项。"),
        ({"fields-0-key": "my-title"}, "第 1 个字段缺少有效的 key。"),
        ({"fields-1-key": "title"}, "字段 title 重复。"),
        ({"fields-20-label": "没有代码的字段"}, "请填写字段代码。"),
    ],
)
def test_wrong_editor_input_is_refused_in_chinese_and_nothing_is_saved(staff, call, change, message):
    before = Call.objects.values("form_definition", "review_scheme", "version", "title").get(pk=call.pk)
    data = _edit_page(staff, call)
    data["title"] = "改过的标题"
    data.update(change)
    if "fields-20-label" in change:
        data["fields-TOTAL_FORMS"] = "21"
    response = _save(staff, call, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (
        Call.objects.values("form_definition", "review_scheme", "version", "title").get(pk=call.pk) == before
    )


def test_the_advanced_json_wins_over_the_editor(staff, call):
    data = _edit_page(staff, call)
    data["form_definition"] = '[{"key": "title", "label": "题目", "type": "text"}]'
    data["fields-0-label"] = "被忽略"
    response = _save(staff, call, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    call.refresh_from_db()
    assert call.form_definition == [{"key": "title", "label": "题目", "type": "text"}]


def test_the_help_text_written_by_the_officer_is_shown_to_the_applicant(client, world):
    from kechuang.projects.services import application_start

    form = copy.deepcopy(STANDARD_FORM)
    next(spec for spec in form if spec["key"] == "summary")["help"] = "不超过800字，写明主要技术指标"
    call = make_call()
    Call.objects.filter(pk=call.pk).update(form_definition=form)
    call.refresh_from_db()
    application = application_start(call=call, by=world["ent_a"])
    client.force_login(world["ent_a"])
    page = client.get(reverse("projects:application_edit", args=[application.pk])).content.decode()
    assert '<small class="help">不超过800字，写明主要技术指标</small>' in page
