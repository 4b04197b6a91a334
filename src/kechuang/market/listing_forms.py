"""Forms of the listing pages. They check types only; the rules (ranges, dates, keywords) are the services'."""

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import OnceFormMixin
from kechuang.core.widgets import use_fast_selects

from .enums import ACHIEVEMENT_COOPERATION, Cooperation, ListingKind
from .models import Listing

COMMON = ("title", "description", "tech_field", "keywords", "cooperation")
DEMAND_ONLY = ("budget_min", "budget_max")
ACHIEVEMENT_ONLY = ("maturity", "ip_numbers", "price", "negotiable")
TAIL = ("expires_on", "contact_name", "contact_phone", "contact_email")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def listing_field_names(kind: str) -> tuple[str, ...]:
    middle = DEMAND_ONLY if kind == ListingKind.DEMAND else ACHIEVEMENT_ONLY
    return COMMON + middle + TAIL


class ListingForm(OnceFormMixin):
    """A demand's or an achievement's fields, labelled for its kind, with the version it was read at."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        names = listing_field_names(kind)
        for name, field in fields_for_model(Listing, fields=names).items():
            self.fields[name] = field
        fields = self.fields
        fields["description"].widget = forms.Textarea(attrs={"rows": 6})
        fields["expires_on"].widget = DateInput()
        fields["keywords"].help_text = _("以逗号、顿号或空格分隔，最多10个。")
        fields["description"].help_text = ""
        fields["cooperation"].help_text = ""
        fields["expires_on"].help_text = _("到期后自动下架，可以续期；最长一年。")
        fields["contact_email"].required = False
        fields["cooperation"].choices = [("", "—")] + (
            Cooperation.choices
            if kind == ListingKind.DEMAND
            else [(c.value, c.label) for c in ACHIEVEMENT_COOPERATION]
        )
        if kind == ListingKind.DEMAND:
            fields["title"].label = _("需求名称")
            fields["description"].label = _("需求描述")
            fields["cooperation"].label = _("希望的合作方式")
            fields["expires_on"].label = _("需求截止日期")
            for name in DEMAND_ONLY:
                fields[name].help_text = _("可不填，表示面议。")
                fields[name].widget.attrs.update({"inputmode": "decimal", "min": 0})
        else:
            fields["title"].label = _("成果名称")
            fields["description"].label = _("成果简介")
            fields["cooperation"].label = _("转化方式")
            fields["maturity"].required = True
            fields["maturity"].widget = forms.Select(
                choices=[("", "—")] + [(n, _("%(n)s 级") % {"n": n}) for n in range(1, 10)]
            )
            fields["price"].help_text = _("不填价格时请选择价格面议。")
            fields["price"].widget.attrs.update({"inputmode": "decimal", "min": 0})
        use_fast_selects(self)
        self.order_fields(["form_token", "version", *names])

    def listing_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in listing_field_names(self.kind)}


class VersionForm(OnceFormMixin):
    """A button on a listing (submit, publish, withdraw), guarded by the version the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReturnForm(VersionForm):
    reason = forms.CharField(label=_("退回理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawForm(VersionForm):
    reason = forms.CharField(label=_("撤回原因"), max_length=500, required=False)


class RenewForm(VersionForm):
    expires_on = forms.DateField(label=_("新的有效期至"), widget=DateInput)


class ContactRequestForm(OnceFormMixin):
    message = forms.CharField(
        label=_("留言"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("简要说明贵单位情况和合作意向，便于发布单位判断。"),
    )


class ContactDecideForm(VersionForm):
    grant = forms.TypedChoiceField(
        choices=[("1", _("同意")), ("0", _("拒绝"))], coerce=lambda v: v == "1", widget=forms.HiddenInput
    )
