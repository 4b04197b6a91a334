"""Forms of the bureau's voucher pages: a program's terms, quota and provider decisions, settlement and flags.

The forms check the shape of the input (numbers, dates, required fields); the rules (tiers rising, quota under
the cap, budget not below what was issued…) are the services', whose DomainError is shown at its field.
"""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import OnceFormMixin
from kechuang.organizations.enums import OrganizationKind, OrganizationSize, QualificationKind
from kechuang.regions.enums import RegionLevel
from kechuang.regions.models import Region

from .enums import CopayMode, EntryKind, FlagKind, FlagState, ProviderState, ServiceCategory
from .models import MONEY
from .services import PROGRAM_FIELDS

TIER_ROWS = 4
HUNDRED = Decimal(100)
# Who can apply for a quota at all (services.quota_apply: enterprise and institution users).
APPLICANT_KINDS = [(k, label) for k, label in OrganizationKind.choices if k in ("enterprise", "institution")]


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
        error_messages={
            "invalid": _("请输入金额（元）。"),
            "min_value": _("金额不能为负数。"),
            "max_decimal_places": _("金额最多保留两位小数（到分）。"),
            "max_digits": _("金额过大。"),
            "max_whole_digits": _("金额过大。"),
        },
        **MONEY,
    )


class RegionChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, region):
        if region.level == RegionLevel.COUNTY and region.parent_id:
            return f"{region.parent.name} · {region.name}"
        return region.name


def _plain(value: Decimal) -> str:
    """10000.00 → "10000", 0.5000 → "0.5": the stored form of a tier, as the rules are written."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def ratio_as_percent(ratio) -> Decimal:
    """0.5 → 50; 0.3333 → 33.33 (for showing a stored ratio in the form)."""
    value = (Decimal(str(ratio)) * HUNDRED).quantize(Decimal("0.01"))
    return value.normalize() if value == value.to_integral() else value


class ProgramForm(OnceFormMixin):
    """Every term of a voucher program (services.PROGRAM_FIELDS) and its partner regions.

    The co-payment tiers are a few rows "from X yuan on, the voucher pays Y %"; the first row starts at 0. They
    are stored as [[start, ratio], …] with the ratio between 0 and 1.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("名称"), max_length=100)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput)
    ends_on = forms.DateField(
        label=_("截止日期"), widget=DateInput, help_text=_("未使用的额度在此日之后到期收回。")
    )
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    budget = money_field(_("预算（元）"))
    eligible_kinds = forms.MultipleChoiceField(
        label=_("可申领单位类型"),
        choices=APPLICANT_KINDS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("不选则仅限企业。"),
    )
    eligible_sizes = forms.MultipleChoiceField(
        label=_("企业规模"),
        choices=OrganizationSize.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("不选为不限规模。"),
    )
    required_qualifications = forms.MultipleChoiceField(
        label=_("须具备的资质（任一）"),
        choices=QualificationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("具备其中任一项即可；不选为不限。"),
    )
    categories = forms.MultipleChoiceField(
        label=_("可使用的服务类别"),
        choices=ServiceCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请选择可使用的服务类别。")},
    )
    quota_per_application = money_field(_("单次申领额度上限（元）"))
    annual_cap = money_field(_("每家企业年度累计上限（元）"))
    copay_mode = forms.ChoiceField(
        label=_("分档计算方式"),
        choices=CopayMode.choices,
        widget=forms.RadioSelect,
        initial=CopayMode.WHOLE_FEE,
    )
    # Errors of the tiers as a whole (from the service: order, ratios) are shown here, above the rows.
    copay_tiers = forms.CharField(required=False, widget=forms.HiddenInput)
    auto_approve = forms.BooleanField(
        label=_("符合条件自动发放"), required=False, help_text=_("不勾选：每笔申领由科技局审核。")
    )
    partner_regions = RegionChoices(
        label=_("通用通兑地区"),
        queryset=Region.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("这些地区的服务机构也可接受本券；跨地区使用由发放地区结算。"),
    )

    def __init__(self, *args, own_region=None, **kwargs):
        super().__init__(*args, **kwargs)
        regions = Region.objects.filter(level__in=(RegionLevel.CITY, RegionLevel.COUNTY)).select_related(
            "parent"
        )
        if own_region is not None:
            regions = regions.exclude(path__startswith=own_region.path)  # its own counties are not partners
        self.fields["partner_regions"].queryset = regions.order_by("path")
        self.fields["year"].initial = timezone.localdate().year
        for index in range(TIER_ROWS):
            self.fields[f"tier_start_{index}"] = forms.DecimalField(
                label=_("第%(n)s档起点（元）") % {"n": index + 1},
                required=False,
                min_value=0,
                disabled=index == 0,
                initial=0 if index == 0 else None,
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
                error_messages={"invalid": _("请输入金额（元）。"), "min_value": _("金额不能为负数。")},
                **MONEY,
            )
            self.fields[f"tier_pct_{index}"] = forms.DecimalField(
                label=_("第%(n)s档比例（%%）") % {"n": index + 1},
                required=False,
                min_value=0,
                max_value=100,
                max_digits=5,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
                error_messages={
                    "invalid": _("请输入0到100之间的百分比。"),
                    "min_value": _("请输入0到100之间的百分比。"),
                    "max_value": _("请输入0到100之间的百分比。"),
                },
            )

    @classmethod
    def initial_from(cls, program) -> dict:
        """The form's initial values from a program (for editing)."""
        initial = {
            "version": program.version,
            **{name: getattr(program, name) for name in PROGRAM_FIELDS if name != "copay_tiers"},
            "partner_regions": list(program.partner_regions.values_list("pk", flat=True)),
        }
        for index, (start, ratio) in enumerate((program.copay_tiers or [])[:TIER_ROWS]):
            initial[f"tier_start_{index}"] = Decimal(str(start))
            initial[f"tier_pct_{index}"] = ratio_as_percent(ratio)
        return initial

    def tier_rows(self):
        """(start field, percent field) per row, for the template."""
        return [(self[f"tier_start_{i}"], self[f"tier_pct_{i}"]) for i in range(TIER_ROWS)]

    def clean(self):
        data = super().clean()
        tiers = []
        for index in range(TIER_ROWS):
            start = Decimal(0) if index == 0 else data.get(f"tier_start_{index}")
            pct = data.get(f"tier_pct_{index}")
            if f"tier_start_{index}" in self.errors or f"tier_pct_{index}" in self.errors:
                continue
            if pct is None and (index == 0 or start is not None):
                if index == 0:
                    self.add_error("tier_pct_0", _("请填写第1档的创新券支付比例。"))
                else:
                    self.add_error(f"tier_pct_{index}", _("请填写该档的创新券支付比例。"))
                continue
            if pct is not None and start is None:
                self.add_error(f"tier_start_{index}", _("请填写该档的起点金额。"))
                continue
            if pct is not None:
                tiers.append([_plain(start), _plain(pct / HUNDRED)])
        data["copay_tiers"] = tiers
        return data

    def values(self) -> dict:
        """What services.program_create / program_update take as `values`."""
        return {name: self.cleaned_data[name] for name in PROGRAM_FIELDS}

    def posted_tiers(self) -> list | None:
        """The tiers as typed, read from the raw input (for a preview of a form that is not valid yet)."""
        tiers = []
        for index in range(TIER_ROWS):
            start = (
                "0" if index == 0 else (self.data.get(self.add_prefix(f"tier_start_{index}")) or "").strip()
            )
            pct = (self.data.get(self.add_prefix(f"tier_pct_{index}")) or "").strip()
            if not pct:
                continue
            try:
                tiers.append([start, str(Decimal(pct) / HUNDRED)])
            except ArithmeticError:
                return None
        return tiers


class ProgramActionForm(OnceFormMixin):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class QuotaDecisionForm(OnceFormMixin):
    action = forms.ChoiceField(
        choices=[("approve", _("审核通过")), ("reject", _("不予通过"))],
        widget=forms.HiddenInput,
        error_messages={"required": _("请选择审核结论。"), "invalid_choice": _("请选择审核结论。")},
    )
    amount = money_field(
        _("发放金额（元）"), required=False, help_text=_("留空则按申领金额，在计划规则允许的范围内发放。")
    )
    reason = forms.CharField(
        label=_("理由"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("不予通过时必填。"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ProviderDecisionForm(OnceFormMixin):
    action = forms.ChoiceField(
        choices=[("verify", _("核验通过")), ("reject", _("不予通过")), ("suspend", _("暂停"))],
        widget=forms.HiddenInput,
        error_messages={"required": _("请选择核验结论。"), "invalid_choice": _("请选择核验结论。")},
    )
    reason = forms.CharField(
        label=_("意见"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("不予通过或暂停时必填。"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ProviderFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *ProviderState.choices]
    )


class BatchCreateForm(OnceFormMixin):
    bookings = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("请至少选择一笔兑付申请。"),
            "invalid_choice": _("所选的兑付申请已不在待结算状态，请刷新页面后重试。"),
            "invalid_pk_value": _("所选的兑付申请无效。"),
            "list": _("所选的兑付申请无效。"),
        },
    )

    def __init__(self, *args, claims, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bookings"].queryset = claims


class BatchApproveForm(OnceFormMixin):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class BatchPayForm(OnceFormMixin):
    paid_on = forms.DateField(
        label=_("拨付日期"), widget=DateInput, error_messages={"required": _("请填写拨付日期。")}
    )
    reference = forms.CharField(label=_("拨付凭证号"), max_length=60, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError(_("拨付日期不能晚于今天。"))
        return paid_on


class LedgerFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部")), *EntryKind.choices])


class FlagFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部")), *FlagKind.choices])
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部")), *FlagState.choices])


class FlagReviewForm(OnceFormMixin):
    state = forms.ChoiceField(
        label=_("核查结论"),
        choices=[
            (FlagState.CLEARED, FlagState.CLEARED.label),
            (FlagState.CONFIRMED, FlagState.CONFIRMED.label),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择核查结论。"), "invalid_choice": _("请选择核查结论。")},
    )
    note = forms.CharField(
        label=_("核查意见"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写核查意见。")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
