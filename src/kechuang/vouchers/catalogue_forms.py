"""Forms of the catalogue pages: the public filters, a provider's profile and its offerings. They check input
types; the rules (categories, amounts, who may) are the services'."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import OnceFormMixin
from kechuang.core.widgets import FastSelect, use_fast_selects
from kechuang.regions.models import Region
from kechuang.regions.selectors import region_choices

from .amounts import RuleError, yuan
from .catalogue_selectors import catalogue_region_choices
from .enums import OfferingKind, ServiceCategory

ALL = [("", _("全部"))]
MAX_PRICE = Decimal("999999999999.99")  # what Offering.price holds (14 digits, 2 decimals)
PRICE_ERRORS = {
    "invalid": _("请输入有效的金额（元），例如 500 或 199.50。"),
    "min_value": _("金额不能为负数。"),
    "max_value": _("金额过大。"),
    "max_digits": _("金额过大。"),
    "max_decimal_places": _("金额最多保留两位小数（到分）。"),
    "max_whole_digits": _("金额过大。"),
}


class CatalogueFilterForm(forms.Form):
    """The catalogue's filters (GET); every field may be left empty."""

    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=ALL + list(OfferingKind.choices))
    category = forms.ChoiceField(
        label=_("服务类别"), required=False, choices=ALL + list(ServiceCategory.choices)
    )
    region = forms.ChoiceField(label=_("所在地区"), required=False)
    price_min = forms.DecimalField(
        label=_("最低价格（元）"),
        required=False,
        min_value=0,
        max_value=MAX_PRICE,
        max_digits=14,
        decimal_places=2,
        error_messages=PRICE_ERRORS,
    )
    price_max = forms.DecimalField(
        label=_("最高价格（元）"),
        required=False,
        min_value=0,
        max_value=MAX_PRICE,
        max_digits=14,
        decimal_places=2,
        error_messages=PRICE_ERRORS,
    )
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[
            ("", _("按服务类别")),
            ("price", _("价格从低到高")),
            ("-price", _("价格从高到低")),
            ("new", _("最新发布")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = ALL + catalogue_region_choices()
        use_fast_selects(self)
        q = self.fields["q"].widget
        q.input_type = "search"
        q.attrs.update({"placeholder": _("名称、仪器型号、厂商或机构"), "autocomplete": "off"})
        for name in ("price_min", "price_max"):
            # A text box: the browser's number box would drop what it cannot parse before we can explain it.
            self.fields[name].widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def clean(self):
        data = super().clean()
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", _("最高价格不能低于最低价格。"))
        return data

    def filters(self) -> dict:
        """The keyword arguments of `catalogue_selectors.offerings_listed` (call after is_valid())."""
        data = self.cleaned_data
        return {
            "kind": data.get("kind") or None,
            "category": data.get("category") or None,
            "region_code": data.get("region") or None,
            "price_min": data.get("price_min"),
            "price_max": data.get("price_max"),
            "q": data.get("q") or "",
            "sort": data.get("sort") or "",
        }


class ProviderForm(OnceFormMixin):
    """A provider's profile: what it offers and whom to contact (services.provider_register)."""

    categories = forms.MultipleChoiceField(
        label=_("服务类别"),
        choices=ServiceCategory.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
        error_messages={"required": _("请选择至少一个服务类别。")},
    )
    description = forms.CharField(
        label=_("机构简介"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("服务能力、资质认定（如CMA、CNAS）、主要仪器设备等。"),
    )
    contact_name = forms.CharField(label=_("联系人"), required=False, max_length=50)
    contact_phone = forms.CharField(label=_("联系电话"), required=False, max_length=30)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def values(self) -> dict:
        return {
            name: self.cleaned_data.get(name)
            for name in ("categories", "description", "contact_name", "contact_phone")
        }


OFFERING_FIELDS = (
    "kind",
    "category",
    "name",
    "description",
    "region",
    "address",
    "price",
    "unit",
    "availability",
    "booking_rules",
    "instrument_model",
    "manufacturer",
    "active",
)


class OfferingForm(OnceFormMixin):
    """A service or an instrument of the provider, with the version it was read at."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=OfferingKind.choices, widget=FastSelect)
    category = forms.ChoiceField(
        label=_("服务类别"), choices=[("", "—"), *ServiceCategory.choices], widget=FastSelect
    )
    name = forms.CharField(label=_("名称"), max_length=120)
    description = forms.CharField(
        label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    region = forms.ChoiceField(label=_("所在地区"), widget=FastSelect)
    address = forms.CharField(label=_("地点"), required=False, max_length=200)
    price = forms.CharField(
        label=_("价格（元）"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("按计价单位收取的价格，精确到分。"),
    )
    unit = forms.CharField(
        label=_("计价单位"), max_length=20, initial="次", help_text=_("如：次、样、小时、机时。")
    )
    availability = forms.CharField(
        label=_("开放时间"), required=False, max_length=200, help_text=_("如：工作日 9:00–17:00。")
    )
    booking_rules = forms.CharField(
        label=_("预约须知"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    instrument_model = forms.CharField(label=_("仪器型号"), required=False, max_length=100)
    manufacturer = forms.CharField(label=_("生产厂商"), required=False, max_length=100)
    active = forms.BooleanField(label=_("对外开放（在服务目录中展示）"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = list(region_choices(None))

    def clean_price(self):
        try:
            price = yuan(self.cleaned_data["price"])
        except RuleError as exc:
            raise forms.ValidationError(str(exc)) from None
        if price > MAX_PRICE:
            raise forms.ValidationError(_("金额过大。"))
        return price

    def clean_region(self):
        region = Region.objects.filter(pk=self.cleaned_data["region"]).first()
        if region is None:
            raise forms.ValidationError(_("请选择所在地区。"))
        return region

    def offering_values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in OFFERING_FIELDS}


class OfferingActiveForm(OnceFormMixin):
    """The provider page's button that opens or closes an offering."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    active = forms.TypedChoiceField(
        choices=[("1", _("对外开放")), ("0", _("暂停开放"))],
        coerce=lambda v: v == "1",
        widget=forms.HiddenInput,
    )
