"""Forms of contract registration: the contract (with its itemised costs), the registrar's decision, and the
statistics query. They check types; the rules (amounts, sub-types, dates, parties) are the services'."""

from datetime import date

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import OnceFormMixin
from kechuang.core.validators import validate_upload
from kechuang.core.widgets import FastSelect, use_fast_selects
from kechuang.organizations.enums import TechField
from kechuang.regions.models import Region
from kechuang.regions.selectors import region_choices

from . import contract_rules as rules
from .contracts import (
    COST_KIND_LABELS,
    DIRECTION_LABELS,
    GROUPING_LABELS,
    ContractAction,
    ContractData,
    Party,
    organization_by_credit_code,
)
from .enums import CONTRACT_SUB_TYPES, ContractSubType, ContractType, Cooperation

COST_ROWS = 4
AMOUNT = {"max_digits": 16, "decimal_places": 2, "min_value": 0}

# A listing's cooperation suggests the contract's type and sub-type (a suggestion the user may change).
TYPE_FOR_COOPERATION = {
    Cooperation.TRANSFER: (ContractType.TRANSFER, ""),
    Cooperation.LICENSE: (ContractType.LICENSE, ""),
    Cooperation.JOINT_DEVELOPMENT: (ContractType.DEVELOPMENT, ContractSubType.COOPERATIVE_DEVELOPMENT),
    Cooperation.COMMISSIONED: (ContractType.DEVELOPMENT, ContractSubType.COMMISSIONED_DEVELOPMENT),
    Cooperation.SERVICE: (ContractType.SERVICE, ContractSubType.GENERAL_SERVICE),
}

# Common reasons for 不予登记 (《技术合同认定规则》 excerpts, rules.md §5.2), offered to the registrar.
REJECT_PRESETS = (
    _("以常规手段进行的加工、维修、印刷、测绘、施工等服务，不属于技术合同。"),
    _("强制性计量检定不属于技术服务合同。"),
    _("理化测试单位销售或租赁仪器，不属于技术合同。"),
    _("职工一般性培训或产品操作培训，不属于技术培训合同。"),
    _("合同标的不具有技术开发所要求的创新内容或明确的技术指标。"),
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _money_widget() -> forms.NumberInput:
    return forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})


def sub_type_choices(contract_type: str | None) -> list:
    """The sub-types a select offers: those of the type, or every type's in groups when none is chosen."""
    if contract_type in CONTRACT_SUB_TYPES:
        return [("", "—")] + [(s, ContractSubType(s).label) for s in CONTRACT_SUB_TYPES[contract_type]]
    return [("", "—")] + [
        (ContractType(t).label, [(s, ContractSubType(s).label) for s in subs])
        for t, subs in CONTRACT_SUB_TYPES.items()
    ]


class RegionField(forms.ModelChoiceField):
    """A region below the province; the form offers the labels from the per-process cache (`offer`)."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Region.objects.exclude(level="province"), widget=FastSelect, **kwargs)

    def offer(self) -> None:
        self.widget.choices = [("", "—"), *region_choices(None)]


class SourceField(forms.ModelChoiceField):
    def __init__(self, *, label_of, **kwargs):
        super().__init__(queryset=None, required=False, **kwargs)
        self.label_of = label_of

    def label_from_instance(self, obj):
        return self.label_of(obj)


def listing_label(listing) -> str:
    return f"{listing.get_kind_display()}：{listing.title}"


def thread_label(thread) -> str:
    return f"{thread.listing.title}（{thread.owner.name} ⇄ {thread.party.name}）"


def meeting_label(meeting) -> str:
    return f"{meeting.demand.title} ⇄ {meeting.achievement.title}"


class CostItemForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("费用类别"),
        required=False,
        choices=[("", "—"), *((k.value, label) for k, label in COST_KIND_LABELS.items())],
        widget=FastSelect,
    )
    amount = forms.DecimalField(label=_("金额（元）"), required=False, widget=_money_widget(), **AMOUNT)
    quantity = forms.IntegerField(
        label=_("套数"),
        required=False,
        min_value=1,
        help_text=_("成套技术设备/试验装置须填写，2套以内不扣除。"),
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=100)

    def clean(self):
        data = super().clean()
        if data.get("kind") and data.get("amount") is None:
            self.add_error("amount", _("请填写金额。"))
        if data.get("amount") is not None and not data.get("kind"):
            self.add_error("kind", _("请选择费用类别。"))
        return data

    def item(self) -> rules.CostItem | None:
        data = self.cleaned_data
        if not data.get("kind"):
            return None
        return rules.CostItem(
            kind=rules.CostKind(data["kind"]),
            amount=data["amount"],
            quantity=data.get("quantity"),
            note=data.get("note") or "",
        )


CostItemFormSet = forms.formset_factory(CostItemForm, extra=COST_ROWS, max_num=20)


def cost_items(formset) -> list[rules.CostItem]:
    return [item for form in formset.forms if form.cleaned_data and (item := form.item()) is not None]


class ContractForm(OnceFormMixin):
    """The contract. A party's user says which side their organization is and names the other party; the
    bureau names both. A party is picked by its 统一社会信用代码 when registered, else named with a region."""

    PARTY_FIELDS = ("own_side", "other_credit_code", "other_name", "other_region")
    BUREAU_FIELDS = (
        "seller_credit_code",
        "seller_name",
        "seller_region",
        "buyer_credit_code",
        "buyer_name",
        "buyer_region",
    )

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("合同名称"), max_length=200)
    contract_type = forms.ChoiceField(
        label=_("合同类型"), choices=[("", "—"), *ContractType.choices], widget=FastSelect
    )
    sub_type = forms.ChoiceField(label=_("合同子类"), choices=(), widget=FastSelect)
    own_side = forms.ChoiceField(
        label=_("本单位在合同中为"),
        choices=[("seller", _("卖方（技术输出方）")), ("buyer", _("买方（技术吸纳方）"))],
        widget=forms.RadioSelect,
        initial="seller",
    )
    other_credit_code = forms.CharField(
        label=_("对方统一社会信用代码"),
        required=False,
        max_length=18,
        help_text=_("对方已在本平台注册的，填写代码即可；否则留空并填写名称和所在区划。"),
    )
    other_name = forms.CharField(label=_("对方单位名称"), required=False, max_length=100)
    other_region = RegionField(
        label=_("对方所在区划"),
        required=False,
        help_text=_("对方为卖方时必填（合同在卖方所在地登记）；省外买方可不选。"),
    )
    seller_credit_code = forms.CharField(
        label=_("卖方统一社会信用代码"),
        required=False,
        max_length=18,
        help_text=_("已注册单位填写代码即可；否则留空并填写名称和所在区划。"),
    )
    seller_name = forms.CharField(label=_("卖方（技术输出方）名称"), required=False, max_length=100)
    seller_region = RegionField(label=_("卖方所在区划"), required=False)
    buyer_credit_code = forms.CharField(label=_("买方统一社会信用代码"), required=False, max_length=18)
    buyer_name = forms.CharField(label=_("买方（技术吸纳方）名称"), required=False, max_length=100)
    buyer_region = RegionField(label=_("买方所在区划"), required=False, help_text=_("省外单位可不选。"))
    tech_field = forms.ChoiceField(
        label=_("技术领域"), choices=[("", "—"), *TechField.choices], widget=FastSelect
    )
    contract_amount = forms.DecimalField(label=_("合同成交额（元）"), widget=_money_widget(), **AMOUNT)
    non_technical_amount = forms.DecimalField(
        label=_("非技术性费用合计（元）"),
        required=False,
        widget=_money_widget(),
        help_text=_("不逐项填写时填写总数：购置设备、仪器、零部件、原材料等费用。"),
        **AMOUNT,
    )
    non_technical_note = forms.CharField(
        label=_("非技术性费用说明"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    signed_on = forms.DateField(label=_("签订日期"), widget=DateInput)
    valid_from = forms.DateField(label=_("履行期限起"), required=False, widget=DateInput)
    valid_until = forms.DateField(label=_("履行期限止"), required=False, widget=DateInput)
    listing = SourceField(label=_("来源供需信息"), label_of=listing_label)
    thread = SourceField(label=_("来源洽谈"), label_of=thread_label)
    meeting = SourceField(label=_("来源对接洽谈"), label_of=meeting_label)
    contract_file = forms.FileField(
        label=_("合同文本"),
        validators=[validate_upload],
        help_text=_("PDF 或扫描件（PNG、JPG）。"),
        widget=forms.FileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )

    def __init__(self, *args, organization=None, sources=None, file_required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        for name in self.BUREAU_FIELDS if organization is not None else self.PARTY_FIELDS:
            del self.fields[name]
        # Any sub-type is accepted here, so the rule (contract_rules.check_type) says what is wrong with a pair;
        # the options shown are the chosen type's.
        self.fields["sub_type"].choices = sub_type_choices(None)
        # Sub-type options follow the type (htmx); without JavaScript all are offered and the service checks.
        self.fields["contract_type"].widget.attrs.update(
            {
                "hx-get": reverse("market:contract_sub_types"),
                "hx-target": "#id_sub_type",
                "hx-trigger": "change",
            }
        )
        self.fields["signed_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["contract_file"].required = file_required
        listings, threads, meetings = sources
        for name, queryset in (("listing", listings), ("thread", threads), ("meeting", meetings)):
            self.fields[name].queryset = queryset
            if organization is None:
                # The bureau's region has too many to list: it gives the number (from the source's page).
                self.fields[name].widget = forms.NumberInput(attrs={"min": 1})
                self.fields[name].help_text = _("填写编号，可不填。")
        for field in self.fields.values():
            if isinstance(field, RegionField):
                field.offer()
        use_fast_selects(self)
        contract_type = self.data.get("contract_type") if self.is_bound else self.initial.get("contract_type")
        self.fields["sub_type"].widget.choices = sub_type_choices(contract_type)

    def _party(self, prefix: str) -> Party:
        code = (self.cleaned_data.get(f"{prefix}_credit_code") or "").strip()
        if code:
            organization = organization_by_credit_code(code)
            if organization is None:
                self.add_error(
                    f"{prefix}_credit_code",
                    _("本平台未找到该统一社会信用代码的单位，请核对，或留空并填写名称和所在区划。"),
                )
                return Party()
            return Party(organization=organization)
        return Party(
            name=self.cleaned_data.get(f"{prefix}_name") or "",
            region=self.cleaned_data.get(f"{prefix}_region"),
        )

    def clean(self):
        data = super().clean()
        if self.organization is not None:
            other = self._party("other")
            own = Party(organization=self.organization)
            self.seller, self.buyer = (own, other) if data.get("own_side") != "buyer" else (other, own)
        else:
            self.seller = self._party("seller")
            self.buyer = self._party("buyer")
        return data

    def contract_data(self, items: list[rules.CostItem]) -> ContractData:
        data = self.cleaned_data
        return ContractData(
            title=data["title"],
            contract_type=data["contract_type"],
            sub_type=data["sub_type"],
            seller=self.seller,
            buyer=self.buyer,
            tech_field=data["tech_field"],
            contract_amount=data["contract_amount"],
            signed_on=data["signed_on"],
            non_technical_items=items,
            non_technical_amount=None if items else data.get("non_technical_amount"),
            non_technical_note=data.get("non_technical_note") or "",
            valid_from=data.get("valid_from"),
            valid_until=data.get("valid_until"),
            listing=data.get("listing"),
            thread=data.get("thread"),
            meeting=data.get("meeting"),
            contract_file=data.get("contract_file") or None,
        )


def initial_for_contract(contract, *, organization) -> dict:
    """The form's values for correcting `contract` (the user's side taken from their organization)."""
    initial = {
        "version": contract.version,
        "title": contract.title,
        "contract_type": contract.contract_type,
        "sub_type": contract.sub_type,
        "tech_field": contract.tech_field,
        "contract_amount": contract.contract_amount,
        "non_technical_amount": contract.non_technical_amount,
        "signed_on": contract.signed_on,
        "valid_from": contract.valid_from,
        "valid_until": contract.valid_until,
        "listing": contract.listing_id,
        "thread": contract.thread_id,
        "meeting": contract.meeting_id,
    }

    def side(prefix, organization_obj, name, region_id):
        if organization_obj is not None:
            return {f"{prefix}_credit_code": organization_obj.credit_code}
        return {f"{prefix}_name": name, f"{prefix}_region": region_id}

    if organization is None:
        initial |= side("seller", contract.seller, contract.seller_name, contract.seller_region_id)
        initial |= side("buyer", contract.buyer, contract.buyer_name, contract.buyer_region_id)
    elif contract.buyer_id == organization.pk:
        initial["own_side"] = "buyer"
        initial |= side("other", contract.seller, contract.seller_name, contract.seller_region_id)
    else:
        initial["own_side"] = "seller"
        initial |= side("other", contract.buyer, contract.buyer_name, contract.buyer_region_id)
    return initial


def initial_from_source(*, organization, listing=None, thread=None, meeting=None) -> dict:
    """Values suggested by where the contract came from: the parties, the listing, its field and its type.

    A demand's owner buys the technology; an achievement's owner sells it.
    """
    initial: dict = {}
    if thread is not None:
        initial["thread"] = thread.pk
        listing = listing or thread.listing
        pair = (thread.owner, thread.party)
    elif meeting is not None:
        initial["meeting"] = meeting.pk
        listing = listing or meeting.achievement
        pair = (meeting.supply_party, meeting.demand_party)  # seller, buyer
    else:
        pair = None
    if listing is not None:
        initial.update({"listing": listing.pk, "title": listing.title, "tech_field": listing.tech_field})
        contract_type, sub_type = TYPE_FOR_COOPERATION.get(listing.cooperation, ("", ""))
        if contract_type:
            initial["contract_type"] = contract_type
        if sub_type:
            initial["sub_type"] = sub_type
    if pair is not None:
        if thread is not None:
            # The listing owner sells an achievement and buys against a demand.
            owner, party = pair
            seller, buyer = (party, owner) if listing.is_demand else (owner, party)
        else:
            seller, buyer = pair
        if organization is not None:
            own_is_buyer = buyer.pk == organization.pk
            other = seller if own_is_buyer else buyer
            initial |= {
                "own_side": "buyer" if own_is_buyer else "seller",
                "other_credit_code": other.credit_code,
            }
        else:
            initial |= {"seller_credit_code": seller.credit_code, "buyer_credit_code": buyer.credit_code}
    return initial


class TransitionForm(OnceFormMixin):
    """The registrar's decision (register, return, refuse) or the party's resubmission."""

    action = forms.ChoiceField(choices=ContractAction.choices, widget=forms.HiddenInput)
    preset = forms.ChoiceField(
        label=_("常见理由"),
        required=False,
        choices=[("", "—"), *((str(i), text) for i, text in enumerate(REJECT_PRESETS))],
        widget=FastSelect,
    )
    reason = forms.CharField(
        label=_("理由"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        preset = data.get("preset")
        text = (data.get("reason") or "").strip()
        if preset not in (None, ""):
            text = f"{REJECT_PRESETS[int(preset)]}{text}"
        data["reason"] = text
        return data


def _year_start() -> date:
    return timezone.localdate().replace(month=1, day=1)


class StatisticsForm(forms.Form):
    date_from = forms.DateField(label=_("登记日期起"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("登记日期止"), required=False, widget=DateInput)
    group_by = forms.ChoiceField(
        label=_("分组"), choices=list(GROUPING_LABELS.items()), required=False, widget=FastSelect
    )
    direction = forms.ChoiceField(
        label=_("统计口径"),
        choices=list(DIRECTION_LABELS.items()),
        required=False,
        widget=FastSelect,
        help_text=_("按地区分组时由分组决定。"),
    )
    contract_type = forms.ChoiceField(
        label=_("合同类型"), choices=[("", "—"), *ContractType.choices], required=False, widget=FastSelect
    )
    tech_field = forms.ChoiceField(
        label=_("技术领域"), choices=[("", "—"), *TechField.choices], required=False, widget=FastSelect
    )
    region = forms.ChoiceField(label=_("区划"), choices=(), required=False, widget=FastSelect)

    def __init__(self, *args, region_root: str | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "—"), *region_choices(region_root)]

    @staticmethod
    def defaults() -> dict:
        """This year to today, by 输出地区."""
        return {
            "date_from": _year_start().isoformat(),
            "date_to": timezone.localdate().isoformat(),
            "group_by": "region_out",
        }

    def query(self) -> dict:
        """The statistics' arguments, with this year to today and 输出地区 by default."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "date_from": data.get("date_from") or _year_start(),
            "date_to": data.get("date_to") or timezone.localdate(),
            "group_by": data.get("group_by") or "region_out",
            "direction": data.get("direction") or "out",
            "contract_type": data.get("contract_type") or None,
            "tech_field": data.get("tech_field") or None,
            "region": data.get("region") or None,
        }
