import re

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


class CallForm(OnceFormMixin, forms.ModelForm):
    """A call with its rules. Eligibility is edited as plain fields, the form and review scheme as JSON."""

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
        label=_("申报书表单（JSON）"), required=False, help_text=_("留空则使用标准申报书。")
    )
    review_scheme = JSONTextField(label=_("评审方案（JSON）"))
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
        self.fields["form_definition"].initial = call.form_definition or None
        self.fields["review_scheme"].initial = call.review_scheme
        self.fields["stage_days"].initial = call.stage_days
        if call.pk:
            self.fields["version"].initial = call.version
            self.fields["quotas"].initial = "\n".join(f"{q.region_id} {q.quota}" for q in call.quotas.all())

    def clean_form_definition(self):
        from .defaults import STANDARD_FORM
        from .formdef import definition_problems

        value = self.cleaned_data["form_definition"] or STANDARD_FORM
        problems = definition_problems(value)
        if problems:
            raise forms.ValidationError(problems)
        return value

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
