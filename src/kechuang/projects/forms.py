import copy
import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import OnceFormMixin

from .models import Call, Program

TABLE_CELL = re.compile(r"^(?P<key>[A-Za-z_]\w*)-(?P<row>\d{1,3})-(?P<col>[A-Za-z_]\w*)$")


def raw_from_post(definition, post) -> dict:
    """The application data a POST carries: scalar fields by key, table cells as `key-row-column`."""
    raw: dict = {}
    tables = {s["key"] for s in definition if s.get("type") == "table"}
    for spec in definition:
        if spec.get("type") not in ("table", "file") and spec["key"] in post:
            raw[spec["key"]] = post.get(spec["key"])
    rows: dict[str, dict[int, dict]] = {}
    for name, value in post.items():
        match = TABLE_CELL.match(name)
        if match and match["key"] in tables:
            rows.setdefault(match["key"], {}).setdefault(int(match["row"]), {})[match["col"]] = value
    for key, by_row in rows.items():
        raw[key] = [by_row[i] for i in sorted(by_row)]
    return raw


class DecisionForm(OnceFormMixin):
    decision = forms.ChoiceField(label=_("结论"), choices=[], widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("意见或理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = choices


class WithdrawForm(OnceFormMixin):
    reason = forms.CharField(label=_("撤回理由"), required=False, max_length=500)


class UploadForm(forms.Form):
    field_key = forms.CharField(widget=forms.HiddenInput)
    upload = forms.FileField(label=_("选择文件"))


class JSONTextField(forms.CharField):
    """A JSON value edited as text (form definitions, review schemes)."""

    widget = forms.Textarea(attrs={"rows": 8, "class": "mono"})

    def prepare_value(self, value):
        import json

        if isinstance(value, (list, dict)):
            return json.dumps(value, ensure_ascii=False, indent=1)
        return value

    def to_python(self, value):
        import json

        value = super().to_python(value)
        if value in (None, ""):
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("JSON 格式错误：第 %(line)d 行 %(msg)s") % {"line": exc.lineno, "msg": exc.msg}
            ) from exc


# --- Structured editors for a call's review scheme and application form (officers do not write JSON) ---

MB = 1024 * 1024
CELL_TYPE_NAMES = {"文本": "text", "数字": "number", "金额": "money", "日期": "date", "选项": "choice"}
CELL_TYPE_LABELS = {value: name for name, value in CELL_TYPE_NAMES.items()}
REQUIRED_MARK = "必填"


def _split_options(text: str) -> list[str]:
    """Choices typed one per line or separated by 、 or commas."""
    return [part.strip() for part in re.split(r"[\n\r、,，;；]+", text or "") if part.strip()]


def _mb(size) -> Decimal:
    """A byte count in MB as the editor shows it: 10, 2.5."""
    mb = (Decimal(size) / MB).quantize(Decimal("0.01"))
    return mb.quantize(Decimal(1)) if mb == mb.to_integral_value() else mb


def _number(value):
    """A weight as JSON keeps it: 30, not 30.0."""
    return int(value) if value == int(value) else float(value)


class CriterionForm(forms.Form):
    key = forms.CharField(label=_("代码"), required=False, max_length=40, help_text=_("留空自动生成"))
    name = forms.CharField(label=_("指标名称"), max_length=100)
    weight = forms.DecimalField(label=_("权重"), min_value=0, max_value=100, decimal_places=2)
    description = forms.CharField(
        label=_("评分说明"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


CriterionFormSet = forms.formset_factory(CriterionForm, extra=2, can_delete=True)


class ReviewSchemeForm(forms.Form):
    """The scheme's settings besides the criteria; their limits are checked in schemes.py."""

    experts_per_application = forms.IntegerField(label=_("每份申报书的评审专家人数"))
    aggregation = forms.ChoiceField(
        label=_("汇总方式"),
        choices=[("trimmed_mean", _("去掉最高分和最低分后平均")), ("mean", _("平均"))],
    )
    blind = forms.BooleanField(label=_("盲评（专家看不到申报单位和联系人）"), required=False)


FIELD_TYPE_CHOICES = [
    ("text", _("单行文本")),
    ("longtext", _("多行文本")),
    ("number", _("数字")),
    ("money", _("金额（元）")),
    ("date", _("日期")),
    ("choice", _("单选")),
    ("table", _("表格")),
    ("file", _("附件")),
]


class FieldSpecForm(forms.Form):
    """One field of the application form; what the editor does not show stays as it was."""

    original_key = forms.CharField(widget=forms.HiddenInput, required=False)
    key = forms.CharField(
        label=_("字段代码"),
        max_length=40,
        required=False,
        help_text=_("英文字母、数字或下划线，字母开头，如 title。"),
    )
    label = forms.CharField(label=_("字段名称"), max_length=100, required=False)
    type = forms.ChoiceField(label=_("类型"), choices=FIELD_TYPE_CHOICES)
    required = forms.BooleanField(label=_("必填"), required=False)
    help = forms.CharField(label=_("填写说明"), max_length=500, required=False)
    choices = forms.CharField(
        label=_("选项（单选）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个，或用“、”或逗号分隔。"),
    )
    columns = forms.CharField(
        label=_("表格列（表格）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "mono"}),
        help_text=_(
            "每行一列：“代码 列名 类型”，类型为文本、数字、金额或日期，可在末尾加“必填”，"
            "如：amount 金额（元） 金额 必填"
        ),
    )
    allowed = forms.MultipleChoiceField(
        label=_("允许的文件类型（附件）"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(t, t.upper()) for t in ("pdf", "png", "jpg", "jpeg")],
        help_text=_("不选则 PDF、PNG、JPG 均可。"),
    )
    max_mb = forms.DecimalField(
        label=_("文件大小上限（MB，附件）"), required=False, min_value=0, max_digits=6, decimal_places=2
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("type", "text")  # an untouched extra row stays unchanged

    @staticmethod
    def initial_from(spec: dict) -> dict:
        columns = []
        for column in spec.get("columns") or []:
            kind = column.get("type", "text")
            parts = [column.get("key", ""), column.get("label", ""), CELL_TYPE_LABELS.get(kind, kind)]
            if column.get("required"):
                parts.append(REQUIRED_MARK)
            columns.append(" ".join(str(p) for p in parts))
        return {
            "original_key": spec.get("key", ""),
            "key": spec.get("key", ""),
            "label": spec.get("label", ""),
            "type": spec.get("type", "text"),
            "required": bool(spec.get("required")),
            "help": spec.get("help", ""),
            "choices": "\n".join(str(c) for c in spec.get("choices") or []),
            "columns": "\n".join(columns),
            "allowed": spec.get("allowed") or [],
            "max_mb": _mb(spec["max_bytes"]) if spec.get("max_bytes") else None,
        }

    def clean(self):
        data = super().clean()
        if not data.get("key") and not data.get("DELETE"):
            self.add_error("key", _("请填写字段代码。"))
        if data.get("type") == "table":
            for number, line in enumerate((data.get("columns") or "").splitlines(), 1):
                if line.strip() and len(line.split()) < 2:
                    self.add_error("columns", _("表格列第 %(n)d 行应为“代码 列名 类型”。") % {"n": number})
        return data

    def spec(self, base: dict | None) -> dict:
        """The field's spec: the edited values merged onto the spec it had (prefill, limits … kept)."""
        data = self.cleaned_data
        spec = copy.deepcopy(base) if base else {}
        spec.update(key=data["key"], label=data["label"] or data["key"], type=data["type"])
        if data["required"]:
            spec["required"] = True
        elif "required" in spec:
            spec["required"] = False
        if data["help"]:
            spec["help"] = data["help"]
        else:
            spec.pop("help", None)
        kind = data["type"]
        if kind == "choice":
            spec["choices"] = _split_options(data["choices"])
        else:
            spec.pop("choices", None)
        if kind == "table":
            spec["columns"] = self._columns(data["columns"], (base or {}).get("columns") or [])
        else:
            spec.pop("columns", None)
        if kind == "file":
            allowed = data["allowed"]
            if allowed and set(allowed) != set(spec.get("allowed") or []):
                spec["allowed"] = allowed
            elif not allowed:
                spec.pop("allowed", None)
            mb = data["max_mb"]
            if mb is None:
                spec.pop("max_bytes", None)
            elif not spec.get("max_bytes") or _mb(spec["max_bytes"]) != mb:
                spec["max_bytes"] = int(mb * MB)
        else:
            spec.pop("allowed", None)
            spec.pop("max_bytes", None)
        return spec

    @staticmethod
    def _columns(text: str, old: list) -> list:
        by_key = {c.get("key"): c for c in old if isinstance(c, dict)}
        columns = []
        for line in (text or "").splitlines():
            parts = line.split()
            if not parts:
                continue
            key, rest = parts[0], parts[1:]
            required = bool(rest) and rest[-1] == REQUIRED_MARK
            if required:
                rest = rest[:-1]
            kind = None
            if len(rest) > 1 and (rest[-1] in CELL_TYPE_NAMES or rest[-1] in CELL_TYPE_LABELS):
                kind = CELL_TYPE_NAMES.get(rest[-1], rest[-1])
                rest = rest[:-1]
            column = copy.deepcopy(by_key.get(key, {}))
            column.update(key=key, label=" ".join(rest) or key)
            kind = kind or "text"
            if kind != "text" or "type" in column:
                column["type"] = kind
            if required:
                column["required"] = True
            elif "required" in column:
                column["required"] = False
            columns.append(column)
        return columns


FieldSpecFormSet = forms.formset_factory(FieldSpecForm, extra=2, can_delete=True, can_order=True)


class CallForm(OnceFormMixin, forms.ModelForm):
    """A call with its rules. Eligibility is edited as plain fields; the application form and the review
    scheme in structured editors (formsets `fields`, `criteria` and form `scheme`), or, for power users,
    as JSON in `form_definition` / `review_scheme`, which win when filled in.

    An editor counts only when its management form is posted, so a POST carrying just the JSON fields
    (older clients) behaves as before: an empty form definition means the standard form.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    organization_kinds = forms.MultipleChoiceField(
        label=_("可申报单位类型"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        choices=[("enterprise", _("企业")), ("institution", _("高校院所"))],
    )
    region_codes = forms.CharField(
        label=_("限定属地代码"), required=False, help_text=_("多个用逗号分隔，留空为不限。")
    )
    qualifications = forms.MultipleChoiceField(
        label=_("须具备的资质（任一）"), widget=forms.CheckboxSelectMultiple, required=False, choices=[]
    )
    require_clean_integrity = forms.BooleanField(label=_("无科研失信记录"), required=False, initial=True)
    max_applications_per_organization = forms.IntegerField(label=_("每单位限报项数"), min_value=1, initial=1)
    form_definition = JSONTextField(
        label=_("申报书表单（JSON）"),
        required=False,
        help_text=_("填写后以此为准，上面的申报书字段编辑器不再生效；留空则使用编辑器。"),
    )
    review_scheme = JSONTextField(
        label=_("评审方案（JSON）"),
        required=False,
        help_text=_("填写后以此为准，上面的评审指标编辑器不再生效；留空则使用编辑器。"),
    )
    stage_days = JSONTextField(label=_("各环节时限（天，JSON）"))
    quotas = forms.CharField(
        label=_("推荐名额"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行“区划代码 名额”，如：330603 10"),
    )

    class Meta:
        model = Call
        fields = [
            "program",
            "title",
            "year",
            "guide",
            "opens_at",
            "closes_at",
            "is_published",
            "budget_cap",
            "total_budget",
        ]
        widgets = {
            "opens_at": forms.DateTimeInput(
                attrs={"type": "datetime-local", "step": "1"}, format="%Y-%m-%dT%H:%M:%S"
            ),
            "closes_at": forms.DateTimeInput(
                attrs={"type": "datetime-local", "step": "1"}, format="%Y-%m-%dT%H:%M:%S"
            ),
        }

    def __init__(self, *args, programs, **kwargs):
        from kechuang.organizations.enums import QualificationKind

        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        self.fields["qualifications"].choices = QualificationKind.choices
        call = self.instance
        rules = call.eligibility or {}
        self.fields["organization_kinds"].initial = rules.get(
            "organization_kinds", ["enterprise", "institution"]
        )
        self.fields["region_codes"].initial = ",".join(rules.get("region_codes", []))
        self.fields["qualifications"].initial = rules.get("qualifications", [])
        self.fields["require_clean_integrity"].initial = rules.get("require_clean_integrity", True)
        self.fields["max_applications_per_organization"].initial = rules.get(
            "max_applications_per_organization", 1
        )
        self._init_editors()
        self.fields["stage_days"].initial = call.stage_days
        if call.pk:
            self.fields["version"].initial = call.version
            self.fields["quotas"].initial = "\n".join(f"{q.region_id} {q.quota}" for q in call.quotas.all())

    JSON_FIELDS = ("form_definition", "review_scheme")

    def _init_editors(self):
        from .defaults import STANDARD_FORM
        from .models import default_review_scheme

        call = self.instance
        self.base_scheme = call.review_scheme or default_review_scheme()
        self.base_definition = call.form_definition or STANDARD_FORM
        posted = self.data if self.is_bound else {}
        self.scheme_posted = "criteria-TOTAL_FORMS" in posted
        self.definition_posted = "fields-TOTAL_FORMS" in posted
        scheme_data = posted if self.scheme_posted else None
        self.scheme_form = ReviewSchemeForm(
            scheme_data,
            prefix="scheme",
            initial={
                "experts_per_application": self.base_scheme.get("experts_per_application", 5),
                "aggregation": self.base_scheme.get("aggregation", "trimmed_mean"),
                "blind": bool(self.base_scheme.get("blind")),
            },
        )
        self.criteria = CriterionFormSet(
            scheme_data,
            prefix="criteria",
            initial=[
                {
                    "key": c.get("key", ""),
                    "name": c.get("name", ""),
                    "weight": c.get("weight"),
                    "description": c.get("description", ""),
                }
                for c in self.base_scheme.get("criteria") or []
                if isinstance(c, dict)
            ],
        )
        self.field_rows = FieldSpecFormSet(
            posted if self.definition_posted else None,
            prefix="fields",
            initial=[
                {**FieldSpecForm.initial_from(spec), "ORDER": number}
                for number, spec in enumerate(self.base_definition, 1)
                if isinstance(spec, dict)
            ],
        )

    @property
    def main_fields(self):
        return [f for f in self.visible_fields() if f.name not in self.JSON_FIELDS]

    @property
    def json_fields(self):
        return [self[name] for name in self.JSON_FIELDS]

    def clean_form_definition(self):
        from .formdef import definition_problems

        value = self.cleaned_data["form_definition"]
        problems = definition_problems(value) if value is not None else []
        if problems:
            raise forms.ValidationError(problems)
        return value

    def _scheme_from_editor(self):
        """The review scheme the editor describes, merged onto the call's (unknown keys kept)."""
        from .schemes import review_scheme_problems

        if not (self.scheme_form.is_valid() and self.criteria.is_valid()):
            self.add_error(None, _("评审方案填写有误，请检查下方标出的内容。"))
            return None
        scheme = copy.deepcopy(self.base_scheme)
        old = {c.get("key"): c for c in scheme.get("criteria") or [] if isinstance(c, dict)}
        rows = [
            form.cleaned_data
            for form in self.criteria.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        used = {row["key"] for row in rows if row["key"]}
        criteria = []
        for number, row in enumerate(rows, 1):
            key = row["key"]
            while not key or (key in used and not row["key"]):  # c1, c2 … by row order, unused
                key = f"c{number}"
                number += 1
            used.add(key)
            criterion = copy.deepcopy(old.get(key, {}))
            criterion.update(key=key, name=row["name"], weight=_number(row["weight"]))
            if row["description"] or "description" in criterion or key not in old:
                criterion["description"] = row["description"]
            criteria.append(criterion)
        settings = self.scheme_form.cleaned_data
        scheme["criteria"] = criteria
        scheme["experts_per_application"] = settings["experts_per_application"]
        scheme["aggregation"] = settings["aggregation"]
        if settings["blind"] or "blind" in scheme:
            scheme["blind"] = settings["blind"]
        problems = review_scheme_problems(scheme)
        for problem in problems:
            self.add_error(None, problem)
        return None if problems else scheme

    def _definition_from_editor(self):
        """The application form the editor describes, each field merged onto its old spec."""
        from .formdef import definition_problems

        if not self.field_rows.is_valid():
            self.add_error(None, _("申报书表单填写有误，请检查下方标出的内容。"))
            return None
        old = {spec.get("key"): spec for spec in self.base_definition if isinstance(spec, dict)}
        definition = []
        for form in self.field_rows.ordered_forms:
            row = form.cleaned_data
            definition.append(form.spec(old.get(row["original_key"]) or old.get(row["key"])))
        problems = definition_problems(definition)
        if not definition:
            problems.append(_("申报书表单至少需要一个字段。"))
        for problem in problems:
            self.add_error(None, problem)
        return None if problems else definition

    def clean_quotas(self):
        quotas = {}
        for number, line in enumerate((self.cleaned_data["quotas"] or "").splitlines(), 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 2 or not parts[1].isdigit():
                raise forms.ValidationError(_("推荐名额第 %(n)d 行格式应为“区划代码 名额”。") % {"n": number})
            quotas[parts[0]] = int(parts[1])
        return quotas

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("截止时间须晚于开始时间。"))
        if data.get("budget_cap") and data.get("total_budget") and data["budget_cap"] > data["total_budget"]:
            self.add_error("budget_cap", _("单项上限不能超过资助总额。"))
        if data.get("review_scheme") is None and "review_scheme" not in self.errors:
            if self.scheme_posted:
                data["review_scheme"] = self._scheme_from_editor()
            else:
                self.add_error("review_scheme", _("请填写评审方案。"))
        if data.get("form_definition") is None and "form_definition" not in self.errors:
            data["form_definition"] = self._definition_from_editor() if self.definition_posted else None
        return data

    def _post_clean(self):
        pass  # the service validates and saves

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            **{name: data[name] for name in self.Meta.fields},
            "eligibility": {
                "organization_kinds": data["organization_kinds"],
                "region_codes": [c.strip() for c in (data["region_codes"] or "").split(",") if c.strip()],
                "qualifications": data["qualifications"],
                "require_clean_integrity": data["require_clean_integrity"],
                "max_applications_per_organization": data["max_applications_per_organization"],
            },
            "form_definition": data["form_definition"],
            "review_scheme": data["review_scheme"],
            "stage_days": data["stage_days"],
            "quotas": data["quotas"],
        }


class ProgramForm(OnceFormMixin, forms.ModelForm):
    """A program (科技计划类别); the region is one of the user's bureau's regions."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Program
        fields = ["name", "code", "department", "region", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"code": _("字母、数字、下划线或连字符，全局唯一，如 rd-2027。")}

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def _post_clean(self):
        pass  # the service validates (uniqueness, region scope) and saves

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class MeetingForm(OnceFormMixin):
    held_on = forms.DateField(label=_("会议日期"), widget=forms.DateInput(attrs={"type": "date"}))
    members = forms.CharField(label=_("参会人员"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    minutes = forms.CharField(label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)
    votes_for = forms.IntegerField(label=_("赞成票"), min_value=0, max_value=99)
    votes_against = forms.IntegerField(label=_("反对票"), min_value=0, max_value=99, initial=0)
    abstentions = forms.IntegerField(label=_("弃权票"), min_value=0, max_value=99, initial=0)


class PublishForm(OnceFormMixin):
    days = forms.IntegerField(label=_("公示天数"), min_value=1, max_value=30, initial=7)


class ObjectionForm(OnceFormMixin):
    application = forms.TypedChoiceField(label=_("涉及项目"), coerce=int, choices=[])
    name = forms.CharField(label=_("姓名"), max_length=50)
    contact = forms.CharField(label=_("联系方式"), max_length=60)
    text = forms.CharField(label=_("异议内容"), widget=forms.Textarea(attrs={"rows": 4}), max_length=3000)

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [
            (a.pk, f"{a.title}（{a.organization.name}）") for a in applications
        ]


class ResolveForm(OnceFormMixin):
    upheld = forms.TypedChoiceField(
        label=_("结论"),
        choices=[("0", _("异议不成立")), ("1", _("异议成立"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    resolution = forms.CharField(label=_("处理意见"), max_length=2000)


class IntegrityRecordForm(OnceFormMixin):
    """记录科研失信: the organization by its credit code, optionally the project concerned."""

    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    project_code = forms.CharField(label=_("涉及项目编号（可不填）"), max_length=32, required=False)
    reason = forms.CharField(label=_("失信事由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    days = forms.IntegerField(label=_("限制申报天数"), min_value=1, max_value=3650)

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["days"].initial = settings.KECHUANG_INTEGRITY_BLOCK_DAYS
