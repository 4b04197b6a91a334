"""Forms of the payout pages. They check the shape of the input; the rules are the services'."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.carriers.enums import CarrierKind
from kechuang.core.forms import OnceFormMixin
from kechuang.organizations.enums import QualificationKind, QualificationLevel
from kechuang.patents.enums import PatentKind

from .enums import ClaimState, Trigger
from .models import MONEY


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def money_field(label, *, required=True, help_text=""):
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        error_messages={"invalid": _("请输入金额（元）。"), "min_value": _("金额不能为负数。")},
        **MONEY,
    )


ANY = _("不限")


def _blank(choices, label=ANY):
    return [("", label), *choices]


PARAMETER_FIELDS = ("qualification_kind", "patent_kind", "carrier_kind", "level", "side", "rate")


class PolicyChoice(forms.ModelChoiceField):
    def label_from_instance(self, policy):
        return f"{policy.title}（{policy.region.name}）"


class ItemForm(forms.Form):
    policy = PolicyChoice(label=_("依据政策"), queryset=None)
    name = forms.CharField(label=_("兑现事项"), max_length=120)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    trigger = forms.ChoiceField(label=_("兑现依据"), choices=Trigger.choices)
    qualification_kind = forms.ChoiceField(
        label=_("资质类型"),
        required=False,
        choices=_blank(QualificationKind.choices, "—"),
        help_text=_("兑现依据为资质认定时必选。"),
    )
    patent_kind = forms.ChoiceField(
        label=_("专利类型"),
        required=False,
        choices=_blank(PatentKind.choices, "—"),
        help_text=_("兑现依据为专利授权时必选。"),
    )
    carrier_kind = forms.ChoiceField(
        label=_("载体类型"),
        required=False,
        choices=_blank(CarrierKind.choices, "—"),
        help_text=_("兑现依据为创新载体认定时必选。"),
    )
    level = forms.ChoiceField(label=_("级别"), required=False, choices=_blank(QualificationLevel.choices))
    side = forms.ChoiceField(
        label=_("合同当事方"),
        required=False,
        choices=[("seller", _("卖方（技术输出方）")), ("buyer", _("买方（技术吸纳方）"))],
    )
    rate = forms.DecimalField(
        label=_("按技术交易额比例兑现"),
        required=False,
        min_value=0,
        max_value=1,
        decimal_places=4,
        help_text=_(
            "如0.01表示按技术交易额的1%兑现，此时每项兑现金额为单笔上限（0为不设上限）；留空则按每项固定金额。"
        ),
    )
    basis_from = forms.DateField(label=_("依据日期起"), widget=DateInput)
    basis_until = forms.DateField(label=_("依据日期止"), widget=DateInput)
    amount = money_field(_("每项兑现金额（元）"))
    cap_per_organization = money_field(
        _("每家单位上限（元）"), required=False, help_text=_("留空为不设上限。")
    )
    applies_from = forms.DateField(label=_("受理开始"), widget=DateInput)
    applies_until = forms.DateField(label=_("受理截止"), widget=DateInput)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, policies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = policies

    @classmethod
    def initial_from(cls, item) -> dict:
        return {
            "policy": item.policy_id,
            "name": item.name,
            "year": item.year,
            "trigger": item.trigger,
            **{k: item.parameters.get(k, "") for k in PARAMETER_FIELDS},
            "basis_from": item.basis_from,
            "basis_until": item.basis_until,
            "amount": item.amount,
            "cap_per_organization": item.cap_per_organization,
            "applies_from": item.applies_from,
            "applies_until": item.applies_until,
            "description": item.description,
            "version": item.version,
        }

    def values(self) -> dict:
        data = self.cleaned_data
        parameters = {k: data.get(k) for k in PARAMETER_FIELDS if data.get(k) not in (None, "")}
        if "rate" in parameters:
            parameters["rate"] = str(parameters["rate"])
        return {
            "name": data["name"],
            "year": data["year"],
            "trigger": data["trigger"],
            "parameters": parameters,
            "basis_from": data["basis_from"],
            "basis_until": data["basis_until"],
            "amount": data["amount"],
            "cap_per_organization": data.get("cap_per_organization"),
            "applies_from": data["applies_from"],
            "applies_until": data["applies_until"],
            "description": data.get("description") or "",
        }


class ClaimForm(OnceFormMixin):
    """One click per record: the record is the hidden basis_key; only the bank account is typed (the platform
    does not know it), prefilled from the organization's last claim."""

    basis_key = forms.CharField(widget=forms.HiddenInput, max_length=60)
    bank_account = forms.CharField(label=_("收款账户"), max_length=60, required=False)


class VersionForm(OnceFormMixin):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ApproveForm(VersionForm):
    amount = money_field(_("核准金额（元）"))
    note = forms.CharField(label=_("审核意见"), max_length=300, required=False)


class RejectForm(VersionForm):
    reason = forms.CharField(
        label=_("不予通过的理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class PayForm(VersionForm):
    paid_on = forms.DateField(label=_("兑现日期"), widget=DateInput)
    reference = forms.CharField(label=_("拨付凭证号"), max_length=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()


class ClaimFilterForm(forms.Form):
    item = forms.ModelChoiceField(
        label=_("兑现事项"), queryset=None, required=False, empty_label=_("全部事项")
    )
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=_blank(ClaimState.choices, _("全部状态"))
    )
    q = forms.CharField(label=_("单位或依据"), required=False, max_length=60)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
