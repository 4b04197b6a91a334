"""Forms of the carrier pages; they only parse input, the services check the rules."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import OnceFormMixin
from kechuang.core.validators import validate_upload
from kechuang.core.widgets import FastSelect
from kechuang.organizations.enums import QualificationLevel
from kechuang.organizations.models import Organization
from kechuang.regions.models import Region
from kechuang.regions.selectors import region_choices

from .enums import CarrierKind, CarrierState, IncubateeState, IndicatorType


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def plain(number: Decimal) -> str:
    """A decimal without trailing zeros and without an exponent (100, not 1E+2)."""
    return format(number.normalize(), "f")


ALL = _("全部")


def _blank(choices):
    return [("", ALL), *choices]


class CarrierFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=_blank(CarrierKind.choices), widget=FastSelect
    )
    level = forms.ChoiceField(
        label=_("级别"), required=False, choices=_blank(QualificationLevel.choices), widget=FastSelect
    )
    region = forms.ChoiceField(label=_("地区"), required=False, widget=FastSelect)
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=_blank(CarrierState.choices), widget=FastSelect
    )
    q = forms.CharField(label=_("关键词"), required=False, max_length=60)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_region_scoped or user.is_superuser:
            root = user.region_id or None
            self.fields["region"].choices = _blank(region_choices(root))
        else:
            del self.fields["region"]

    def filters(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}


class CarrierForm(OnceFormMixin):
    kind = forms.ChoiceField(label=_("载体类型"), choices=CarrierKind.choices, widget=FastSelect)
    level = forms.ChoiceField(label=_("级别"), choices=QualificationLevel.choices, widget=FastSelect)
    name = forms.CharField(label=_("载体名称"), max_length=120)
    operator_code = forms.CharField(
        label=_("运营单位统一社会信用代码"),
        max_length=18,
        help_text=_("运营单位须已在平台登记。"),
    )
    region = forms.ChoiceField(label=_("所在地区"), widget=FastSelect)
    recognized_on = forms.DateField(label=_("认定日期"), widget=DateInput)
    recognized_by = forms.CharField(label=_("认定部门"), max_length=60, required=False)
    certificate_no = forms.CharField(label=_("证书（文件）编号"), max_length=60, required=False)
    certificate_file = forms.FileField(
        label=_("认定文件"), required=False, validators=[validate_upload], help_text=_("PDF或图片")
    )
    field = forms.CharField(label=_("专业领域"), max_length=100, required=False)
    area_m2 = forms.DecimalField(label=_("场地面积（平方米）"), required=False, min_value=0, decimal_places=2)
    description = forms.CharField(label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(user.region_id or None)

    def clean_operator_code(self):
        code = self.cleaned_data["operator_code"].strip().upper()
        self.operator = Organization.objects.filter(credit_code=code).first()
        if self.operator is None:
            raise forms.ValidationError(_("平台中没有该统一社会信用代码的单位。"))
        return code

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["operator"] = self.operator
        data["region"] = Region.objects.get(pk=data["region"])
        if not data.get("certificate_file"):
            data.pop("certificate_file", None)
        return data

    @classmethod
    def initial_for(cls, carrier) -> dict:
        return {
            "kind": carrier.kind,
            "level": carrier.level,
            "name": carrier.name,
            "operator_code": carrier.operator.credit_code,
            "region": carrier.region_id,
            "recognized_on": carrier.recognized_on,
            "recognized_by": carrier.recognized_by,
            "certificate_no": carrier.certificate_no,
            "field": carrier.field,
            "area_m2": carrier.area_m2,
            "description": carrier.description,
            "version": carrier.version,
        }


class ReasonForm(OnceFormMixin):
    reason = forms.CharField(label=_("原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class OptionalReasonForm(OnceFormMixin):
    reason = forms.CharField(label=_("说明"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class IncubateeForm(OnceFormMixin):
    name = forms.CharField(label=_("企业名称"), max_length=100)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    field = forms.CharField(label=_("技术领域"), max_length=60, required=False)
    registered_capital = forms.DecimalField(
        label=_("注册资本（元）"), required=False, min_value=0, max_digits=16, decimal_places=2
    )
    entered_on = forms.DateField(label=_("入孵日期"), widget=DateInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class IncubateeExitForm(OnceFormMixin):
    state = forms.ChoiceField(
        label=_("去向"),
        choices=[(IncubateeState.GRADUATED, _("毕业")), (IncubateeState.LEFT, _("退出"))],
        widget=forms.RadioSelect,
    )
    exited_on = forms.DateField(label=_("毕业/退出日期"), widget=DateInput)
    reason = forms.CharField(label=_("毕业/退出说明"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exited_on"].initial = timezone.localdate()


class RevenueForm(OnceFormMixin):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    revenue = forms.DecimalField(label=_("营业收入（元）"), min_value=0, max_digits=16, decimal_places=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year - 1


def indicator_label(indicator) -> str:
    """The name with its unit, unless the name already states one (在孵企业营业收入总额（万元）)."""
    if not indicator.unit or "（" in indicator.name:
        return indicator.name
    return f"{indicator.name}（{indicator.unit}）"


class ReportForm(OnceFormMixin):
    """One field per active indicator of the kind (named by the indicator's code), and the summary.

    Values are kept as typed text; the service checks them, so a wrong value is reported, never lost.
    """

    summary = forms.CharField(
        label=_("年度工作总结"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            label = (
                indicator.name
                if not indicator.unit or indicator.unit in indicator.name
                else (f"{indicator.name}（{indicator.unit}）")
            )
            self.fields[f"v_{indicator.code}"] = forms.CharField(
                label=label,
                required=False,
                max_length=30,
                help_text=indicator.help_text,
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "numeric" if indicator.value_type == IndicatorType.INTEGER else "decimal"
                    }
                ),
            )
            self.fields[f"v_{indicator.code}"].indicator_required = indicator.required
        self.order_fields([f"v_{i.code}" for i in self.indicators] + ["summary"])

    def values(self) -> dict:
        return {i.code: self.cleaned_data.get(f"v_{i.code}", "") for i in self.indicators}

    @staticmethod
    def initial_for(report) -> dict:
        if report is None:
            return {}
        return {f"v_{code}": value for code, value in report.values.items()} | {
            "summary": report.summary,
            "version": report.version,
        }


class IndicatorForm(OnceFormMixin):
    code = forms.SlugField(
        label=_("指标代码"), max_length=40, help_text=_("小写英文字母、数字和下划线，创建后不能修改。")
    )
    name = forms.CharField(label=_("指标名称"), max_length=80)
    unit = forms.CharField(label=_("单位"), max_length=20, required=False)
    value_type = forms.ChoiceField(label=_("数值类型"), choices=IndicatorType.choices, widget=FastSelect)
    required = forms.BooleanField(label=_("必填"), required=False, initial=True)
    position = forms.IntegerField(label=_("顺序"), min_value=0, max_value=999, initial=0)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    help_text = forms.CharField(label=_("填报说明"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].disabled = True
            self.fields["code"].required = False

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("code", "version", "form_token")}


class SchemeForm(OnceFormMixin):
    """Name, thresholds, and a weight and full-score value per indicator of the kind (fields w_<code>, t_<code>)."""

    name = forms.CharField(label=_("名称"), max_length=100)
    year = forms.IntegerField(label=_("评价年度"), min_value=2000, max_value=2100)
    excellent_min = forms.DecimalField(label=_("优秀分数线"), min_value=0, max_value=100, decimal_places=2)
    good_min = forms.DecimalField(label=_("良好分数线"), min_value=0, max_value=100, decimal_places=2)
    pass_min = forms.DecimalField(label=_("合格分数线"), min_value=0, max_value=100, decimal_places=2)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, indicators, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        if editing:
            self.fields["year"].disabled = True
            self.fields["year"].required = False
        for indicator in self.indicators:
            self.fields[f"w_{indicator.code}"] = forms.DecimalField(
                label=_("权重"), required=False, min_value=0, max_value=100, decimal_places=2
            )
            self.fields[f"t_{indicator.code}"] = forms.DecimalField(
                label=_("满分值"), required=False, min_value=0, max_digits=18, decimal_places=4
            )

    def head(self):
        """The scheme's own fields (the weights follow as a table)."""
        return [self[name] for name in ("name", "year", "excellent_min", "good_min", "pass_min")]

    def rows(self):
        """(indicator, weight field, target field) for the template's table."""
        return [(i, self[f"w_{i.code}"], self[f"t_{i.code}"]) for i in self.indicators]

    def weights(self):
        data = self.cleaned_data
        return [
            (i, data.get(f"w_{i.code}") or Decimal(0), data.get(f"t_{i.code}") or Decimal(0))
            for i in self.indicators
        ]

    def values(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("name", "excellent_min", "good_min", "pass_min")}

    @staticmethod
    def initial_for(scheme) -> dict:
        initial = {
            "name": scheme.name,
            "year": scheme.year,
            "excellent_min": scheme.excellent_min,
            "good_min": scheme.good_min,
            "pass_min": scheme.pass_min,
            "version": scheme.version,
        }
        for si in scheme.indicators.select_related("indicator"):
            initial[f"w_{si.indicator.code}"] = plain(si.weight)
            initial[f"t_{si.indicator.code}"] = plain(si.target)
        return initial


class NoteForm(OnceFormMixin):
    note = forms.CharField(label=_("备注"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class VersionForm(OnceFormMixin):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
