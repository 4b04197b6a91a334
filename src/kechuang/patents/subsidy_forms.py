"""Forms of the patent subsidy pages. Each form that changes a record carries its `version` (a concurrent change is
refused) and a one-time token (a form posted twice acts once); the services check everything again."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import OnceFormMixin

from .enums import ClaimState

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


def money_input():
    return forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class VersionMixin(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ActionForm(OnceFormMixin, VersionMixin):
    """A button that changes a record's state (open, close, release …): its token and version only."""


class PolicyForm(OnceFormMixin, VersionMixin):
    name = forms.CharField(label=_("名称"), max_length=100)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    granted_from = forms.DateField(label=_("授权日起"), widget=DateInput)
    granted_until = forms.DateField(label=_("授权日止"), widget=DateInput)
    invention_amount = forms.DecimalField(label=_("发明专利每件（元）"), widget=money_input(), **MONEY)
    utility_model_amount = forms.DecimalField(label=_("实用新型每件（元）"), widget=money_input(), **MONEY)
    design_amount = forms.DecimalField(label=_("外观设计每件（元）"), widget=money_input(), **MONEY)
    cap_per_organization = forms.DecimalField(
        label=_("每家单位年度上限（元）"), widget=money_input(), **MONEY
    )
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if regions is not None:
            self.fields["region"] = forms.ChoiceField(label=_("地区"), choices=regions)
            self.order_fields(["region"])


class ApplyForm(OnceFormMixin, VersionMixin):
    """The patents to claim; the choices are the organization's eligible patents (`version`: the policy's)."""

    patents = forms.MultipleChoiceField(
        label=_("申请资助的专利"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一件专利。")},
    )

    def __init__(self, *args, patent_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["patents"].choices = patent_choices


class ClaimApproveForm(OnceFormMixin, VersionMixin):
    amount = forms.DecimalField(
        label=_("核准金额（元）"),
        required=False,
        widget=money_input(),
        help_text=_("留空则按申请金额核准；不能高于申请金额。"),
        **MONEY,
    )
    note = forms.CharField(label=_("审核意见"), required=False, max_length=300)


class ClaimRejectForm(OnceFormMixin, VersionMixin):
    reason = forms.CharField(label=_("不予资助的理由"), max_length=300)


class ClaimPayForm(OnceFormMixin, VersionMixin):
    paid_on = forms.DateField(label=_("拨付日期"), widget=DateInput)
    reference = forms.CharField(label=_("拨付凭证号"), required=False, max_length=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()


class ClaimWithdrawForm(OnceFormMixin, VersionMixin):
    reason = forms.CharField(label=_("撤回说明"), required=False, max_length=300)


CLAIM_ACTION_FORMS = {
    "approve": ClaimApproveForm,
    "reject": ClaimRejectForm,
    "pay": ClaimPayForm,
    "withdraw": ClaimWithdrawForm,
}


class ClaimFilterForm(forms.Form):
    policy = forms.TypedChoiceField(label=_("资助政策"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部"))] + list(ClaimState.choices)
    )

    def __init__(self, *args, policies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].choices = [("", _("全部"))] + [(p.pk, p.name) for p in policies]
