"""Forms of the matchmaking event pages: the event, registration, pairs, outcomes and the figures' year."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import OnceFormMixin
from kechuang.core.widgets import FastSelect
from kechuang.organizations.enums import TechField
from kechuang.regions.selectors import label_regions, regions_for_choice

from .enums import MeetingOutcome
from .events import LIMITS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class EventForm(OnceFormMixin):
    title = forms.CharField(label=_("活动名称"), max_length=120)
    theme = forms.CharField(label=_("活动主题"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    tech_fields = forms.MultipleChoiceField(
        label=_("技术领域"), choices=TechField.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    region = forms.ModelChoiceField(label=_("主办区划"), queryset=None, widget=FastSelect)
    held_on = forms.DateField(label=_("举办日期"), widget=DateInput)
    place = forms.CharField(label=_("地点"), max_length=200)
    starts_at = forms.TimeField(label=_("洽谈开始时间"), widget=TimeInput)
    slot_minutes = forms.IntegerField(label=_("每场时长（分钟）"), min_value=LIMITS["slot_minutes"][0])
    slot_count = forms.IntegerField(label=_("场次数"), min_value=LIMITS["slot_count"][0])
    tables = forms.IntegerField(label=_("洽谈桌数"), min_value=LIMITS["tables"][0])
    registration_closes_on = forms.DateField(
        label=_("报名截止日期"),
        required=False,
        widget=DateInput,
        help_text=_("不填则报名至举办当天。"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_for_choice(
            user.region if user.region_id else None, max_level="county"
        )
        label_regions(self.fields["region"])
        if not self.is_bound and not self.initial.get("region") and user.region_id:
            self.fields["region"].initial = user.region_id
        self.fields["starts_at"].initial = "09:00"
        self.fields["slot_minutes"].initial = 20
        self.fields["slot_count"].initial = 9
        self.fields["tables"].initial = 10

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("form_token", "version")}


class EventTransitionForm(OnceFormMixin):
    action = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("理由"), required=False, max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ListingChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, listing):
        return f"{listing.get_kind_display()}：{listing.title}"


class RegistrationForm(OnceFormMixin):
    listings = ListingChoiceField(
        label=_("携带的供需信息"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("只能选择本单位已发布且未过期的技术需求或科技成果。"),
    )
    attendee = forms.CharField(label=_("参会人"), max_length=50)
    phone = forms.CharField(label=_("联系电话"), max_length=30)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, listings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["listings"].queryset = listings


class VersionForm(OnceFormMixin):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class KeepPairsForm(OnceFormMixin):
    pairs = forms.MultipleChoiceField(label=_("对接组合"), choices=(), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, keys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pairs"].choices = [(key, key) for key in keys]

    def pair_ids(self) -> list[tuple[int, int]]:
        return [tuple(int(part) for part in key.split("-")) for key in self.cleaned_data["pairs"]]


class ListingSelectField(forms.ModelChoiceField):
    widget = FastSelect

    def label_from_instance(self, listing):
        return f"{listing.title}（{listing.organization.name}）"


class AddPairForm(OnceFormMixin):
    demand = ListingSelectField(label=_("技术需求"), queryset=None)
    achievement = ListingSelectField(label=_("科技成果"), queryset=None)

    def __init__(self, *args, demands, achievements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["demand"].queryset = demands
        self.fields["achievement"].queryset = achievements


class OutcomeForm(OnceFormMixin):
    outcome = forms.ChoiceField(label=_("洽谈结果"), choices=MeetingOutcome.choices, widget=FastSelect)
    amount = forms.DecimalField(
        label=_("金额（元）"),
        required=False,
        max_digits=16,
        decimal_places=2,
        min_value=0,
        help_text=_("签约必填；达成意向时可填意向金额。"),
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FiguresForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)

    def year_or_current(self) -> int:
        if self.is_valid() and self.cleaned_data.get("year"):
            return self.cleaned_data["year"]
        return timezone.localdate().year
