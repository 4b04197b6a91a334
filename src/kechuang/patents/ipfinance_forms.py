"""Forms of the IP finance pages: pledge financing, enforcement cases and their steps."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import OnceFormMixin

from .enums import CaseKind, CaseOutcome, CaseState, PledgeState
from .subsidy_forms import MONEY, DateInput, VersionMixin, money_input


class PledgeForm(OnceFormMixin, VersionMixin):
    bank = forms.CharField(label=_("质权人（银行）"), max_length=100)
    contract_no = forms.CharField(label=_("合同编号"), max_length=60, required=False)
    registration_no = forms.CharField(label=_("质押登记号"), max_length=60, required=False)
    amount = forms.DecimalField(label=_("融资金额（元）"), widget=money_input(), **MONEY)
    starts_on = forms.DateField(label=_("起始日"), widget=DateInput)
    ends_on = forms.DateField(label=_("到期日"), widget=DateInput)
    patents = forms.MultipleChoiceField(
        label=_("质押专利"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一件质押专利。")},
    )

    def __init__(self, *args, patents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["patents"].choices = [(str(p.pk), f"{p.application_no} {p.title}") for p in patents]


class PledgeSettleForm(OnceFormMixin, VersionMixin):
    reason = forms.CharField(label=_("说明"), max_length=300, required=False)


class PledgeFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部"))] + list(PledgeState.choices)
    )


class CaseForm(OnceFormMixin):
    case_no = forms.CharField(label=_("案号"), max_length=60)
    kind = forms.ChoiceField(label=_("案件类型"), choices=CaseKind.choices)
    patent_number = forms.CharField(
        label=_("涉案专利号"),
        max_length=20,
        required=False,
        help_text=_("本市登记的专利会自动关联。"),
    )
    complainant = forms.CharField(label=_("请求人"), max_length=120)
    respondent = forms.CharField(label=_("被请求人"), max_length=120)
    received_on = forms.DateField(label=_("受理日期"), widget=DateInput)
    summary = forms.CharField(label=_("案情摘要"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = forms.ChoiceField(label=_("受理地区"), choices=regions)
        self.order_fields(["region"])


class CaseStepForm(OnceFormMixin, VersionMixin):
    happened_on = forms.DateField(label=_("日期"), widget=DateInput)
    action = forms.CharField(
        label=_("处理环节"), max_length=60, help_text=_("例如：立案、调查取证、口头审理、调解。")
    )
    note = forms.CharField(label=_("情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    state = forms.ChoiceField(
        label=_("案件进入"),
        required=False,
        choices=[
            ("", _("状态不变")),
            (CaseState.INVESTIGATING, CaseState.INVESTIGATING.label),
            (CaseState.MEDIATING, CaseState.MEDIATING.label),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["happened_on"].initial = timezone.localdate()


class CaseCloseForm(OnceFormMixin, VersionMixin):
    outcome = forms.ChoiceField(
        label=_("结果"), choices=[c for c in CaseOutcome.choices if c[0] != CaseOutcome.NONE]
    )
    closed_on = forms.DateField(label=_("结案日期"), widget=DateInput)
    note = forms.CharField(label=_("情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].initial = timezone.localdate()


class CaseFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部"))] + list(CaseState.choices)
    )
    kind = forms.ChoiceField(
        label=_("案件类型"), required=False, choices=[("", _("全部"))] + list(CaseKind.choices)
    )
