"""Forms of the talent pages: commissioners, dispatches and work logs, talent programs, talents, foreign experts."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.carriers.enums import CarrierKind
from kechuang.carriers.models import Carrier
from kechuang.core.forms import OnceFormMixin
from kechuang.core.widgets import FastSelect
from kechuang.organizations.fields import OrganizationField

from .enums import CommissionerKind, Engagement, TalentKind, WorkKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class RegionChoiceField(forms.ModelChoiceField):
    widget = FastSelect

    def label_from_instance(self, region):
        return region.choice_label


class VersionMixin(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def initial_from(instance, fields) -> dict:
    values = {name: getattr(instance, name) for name in fields}
    values["version"] = instance.version
    return values


class CommissionerFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=50)
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部")), *CommissionerKind.choices]
    )
    town = RegionChoiceField(label=_("派驻乡镇"), required=False, queryset=None, to_field_name="code")
    year = forms.IntegerField(label=_("年度"), required=False, min_value=1990, max_value=2100)

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns


class CommissionerForm(OnceFormMixin, VersionMixin):
    kind = forms.ChoiceField(label=_("类型"), choices=CommissionerKind.choices)
    name = forms.CharField(label=_("姓名/团队/单位名称"), max_length=100)
    organization = OrganizationField(label=_("派出单位"))
    leader = forms.CharField(label=_("负责人"), max_length=50, required=False)
    members = forms.CharField(label=_("团队成员"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    specialty = forms.CharField(label=_("专业特长"), max_length=100, required=False)
    title = forms.CharField(label=_("职称"), max_length=50, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].limit_to(organizations)


class DispatchForm(OnceFormMixin):
    town = RegionChoiceField(label=_("派驻乡镇"), queryset=None)
    starts_on = forms.DateField(label=_("派驻开始"), widget=DateInput)
    ends_on = forms.DateField(label=_("派驻结束"), widget=DateInput)
    served = forms.CharField(
        label=_("服务对象"), max_length=200, required=False, help_text=_("村、合作社、企业等。")
    )
    tasks = forms.CharField(label=_("服务任务"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns


class DispatchEndForm(OnceFormMixin, VersionMixin):
    pass


class DispatchRecallForm(OnceFormMixin, VersionMixin):
    reason = forms.CharField(label=_("召回原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class WorkLogForm(OnceFormMixin, VersionMixin):
    kind = forms.ChoiceField(label=_("工作类型"), choices=WorkKind.choices)
    happened_on = forms.DateField(label=_("日期"), widget=DateInput)
    title = forms.CharField(label=_("内容"), max_length=120)
    description = forms.CharField(
        label=_("详细说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    quantity = forms.IntegerField(label=_("数量"), min_value=1, initial=1)
    attendance = forms.IntegerField(
        label=_("参训人次"), min_value=1, required=False, help_text=_("举办培训时必填。")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.initial.get("happened_on"):
            self.fields["happened_on"].initial = timezone.localdate()


class DeleteForm(OnceFormMixin, VersionMixin):
    pass


class TalentProgramForm(OnceFormMixin):
    region = RegionChoiceField(label=_("地区"), queryset=None)
    name = forms.CharField(label=_("计划名称"), max_length=100)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class TalentForm(OnceFormMixin, VersionMixin):
    program = forms.ModelChoiceField(label=_("人才计划"), queryset=None, widget=FastSelect)
    kind = forms.ChoiceField(label=_("类别"), choices=TalentKind.choices)
    name = forms.CharField(label=_("姓名/团队名称"), max_length=100)
    members = forms.CharField(label=_("团队成员"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    organization = OrganizationField(label=_("所在单位"))
    year = forms.IntegerField(label=_("入选年度"), min_value=1990, max_value=2100)
    field = forms.CharField(label=_("领域"), max_length=100, required=False)
    project = forms.CharField(label=_("项目名称"), max_length=150, required=False)
    funding = forms.DecimalField(
        label=_("资助经费（元）"), required=False, min_value=0, max_digits=16, decimal_places=2
    )

    def __init__(self, *args, programs, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        self.fields["organization"].limit_to(organizations)
        if not self.is_bound and not self.initial.get("year"):
            self.fields["year"].initial = timezone.localdate().year


class TalentWithdrawForm(OnceFormMixin, VersionMixin):
    reason = forms.CharField(label=_("撤销原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ForeignExpertForm(OnceFormMixin, VersionMixin):
    name = forms.CharField(label=_("姓名"), max_length=100)
    country = forms.CharField(label=_("国籍"), max_length=50)
    field = forms.CharField(label=_("专业领域"), max_length=100, required=False)
    organization = OrganizationField(label=_("聘用单位"))
    workstation = forms.ModelChoiceField(
        label=_("外国专家工作站"),
        queryset=None,
        required=False,
        widget=FastSelect,
        help_text=_("聘用单位运营的外国专家工作站，可不填。"),
    )
    engagement = forms.ChoiceField(label=_("引进方式"), choices=Engagement.choices)
    starts_on = forms.DateField(label=_("聘期开始"), widget=DateInput)
    ends_on = forms.DateField(label=_("聘期结束"), widget=DateInput)
    days_per_year = forms.IntegerField(label=_("每年在岗天数"), required=False, min_value=1, max_value=366)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].limit_to(organizations)
        self.fields["workstation"].queryset = Carrier.objects.filter(
            kind=CarrierKind.FOREIGN_WORKSTATION, operator__in=organizations
        ).order_by("name")
