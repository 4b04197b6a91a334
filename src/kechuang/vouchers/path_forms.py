"""Forms of the voucher path pages: apply for a quota, book an offering, and each party's actions on a booking.

Each form that changes a record carries the record's `version` (a concurrent edit is refused, not
overwritten) and a one-time token (a form posted twice acts once). The services check everything again.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import OnceFormMixin
from kechuang.core.validators import validate_upload
from kechuang.core.widgets import FastSelect

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}
UPLOAD_ACCEPT = ".pdf,.png,.jpg,.jpeg"


def _money_input():
    return forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class VersionMixin(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class QuotaApplyForm(OnceFormMixin, VersionMixin):
    """申领额度. `version` is the program's, as the applicant read its terms."""

    requested = forms.DecimalField(label=_("申领金额（元）"), widget=_money_input(), **MONEY)
    purpose = forms.CharField(
        label=_("用途"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("例如：新产品检测、工业设计。"),
    )


class QuotaDecisionForm(OnceFormMixin, VersionMixin):
    """The bureau's decision on a pending application; posted to vouchers:quota_review with action=approve
    (amount, blank for what was asked) or action=reject (reason)."""

    amount = forms.DecimalField(
        label=_("发放金额（元）"),
        required=False,
        widget=_money_input(),
        help_text=_("留空则按申领金额（在规则允许的范围内）发放。"),
        **MONEY,
    )
    reason = forms.CharField(label=_("不予通过的理由"), required=False, max_length=300)


class QuotaChoiceField(forms.ModelChoiceField):
    widget = FastSelect

    def label_from_instance(self, quota):
        return _("%(program)s · 余额%(left)s元") % {"program": quota.program.name, "left": quota.available}


class BookingForm(OnceFormMixin, VersionMixin):
    """Book an offering with one of the organization's quotas. `version` is the offering's."""

    quota = QuotaChoiceField(label=_("使用额度"), queryset=None, empty_label=None)
    service_date = forms.DateField(label=_("服务日期"), widget=DateInput)
    fee = forms.DecimalField(
        label=_("服务费用（元）"),
        widget=_money_input(),
        help_text=_("默认为服务项目的标价，可按与服务机构商定的金额填写。"),
        **MONEY,
    )
    note = forms.CharField(
        label=_("备注"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, quotas, offering, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quota"].queryset = quotas
        self.fields["fee"].initial = offering.price
        self.fields["service_date"].initial = timezone.localdate() + timedelta(days=1)
        self.fields["version"].initial = offering.version


class BookingActionForm(OnceFormMixin, VersionMixin):
    """accept / confirm / claim: nothing to fill but the version."""

    def __init__(self, *args, action: str, booking, needs_reason: bool = False, **kwargs):
        kwargs.setdefault("auto_id", f"id_{action}_%s")
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields["version"].initial = booking.version


class BookingReasonForm(BookingActionForm):
    """decline / cancel / dispute: with a reason (required where the workflow needs one)."""

    reason = forms.CharField(label=_("理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, needs_reason: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = needs_reason


def upload_help() -> str:
    return _("PDF、PNG 或 JPG，不超过 %(limit)s。") % {
        "limit": filesizeformat(settings.KECHUANG_MAX_UPLOAD_BYTES)
    }


class BookingCompleteForm(BookingActionForm):
    """complete: the invoice and the report, and the actual fee."""

    invoice_no = forms.CharField(label=_("发票号码"), max_length=40)
    fee = forms.DecimalField(label=_("实际服务费用（元）"), widget=_money_input(), **MONEY)
    invoice_file = forms.FileField(
        label=_("发票"),
        validators=[validate_upload],
        widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}),
    )
    report_file = forms.FileField(
        label=_("服务报告"),
        validators=[validate_upload],
        widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}),
    )

    def __init__(self, *args, booking, **kwargs):
        super().__init__(*args, booking=booking, **kwargs)
        self.fields["fee"].initial = booking.fee
        self.fields["invoice_no"].initial = booking.invoice_no
        help_text = upload_help()
        for name in ("invoice_file", "report_file"):
            field = self.fields[name]
            field.help_text = help_text
            if getattr(booking, name):  # completed before (then disputed): the file on record may stay
                field.required = False
                field.help_text = _("已上传，重新上传则替换。") + help_text
