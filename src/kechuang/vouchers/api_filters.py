"""Filter sets of the voucher API's lists; a bad value is refused with the reason (core.api.filtered)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kechuang.regions.selectors import region_choices, regions_under

from .enums import (
    BatchState,
    BookingState,
    EntryKind,
    FlagKind,
    FlagState,
    OfferingKind,
    ProgramState,
    ProviderState,
    QuotaState,
    ServiceCategory,
)
from .models import (
    Booking,
    Flag,
    LedgerEntry,
    Offering,
    ProviderProfile,
    Quota,
    SettlementBatch,
    VoucherProgram,
)


def _regions():
    return region_choices(None)


class _RegionFilter(django_filters.ChoiceFilter):
    """A region code, its subregions included."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", _regions)
        kwargs.setdefault("label", _("地区"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in ([], (), {}, "", None):
            return qs
        return qs.filter(**{f"{self.field_name}__in": regions_under(value)})


class ProgramFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ProgramState.choices, label=_("状态"))
    year = django_filters.NumberFilter(label=_("年度"))
    region = _RegionFilter(field_name="region_id")

    class Meta:
        model = VoucherProgram
        fields = ["state", "year", "region"]


class ProviderFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ProviderState.choices, label=_("状态"))
    region = _RegionFilter(field_name="organization__region_id")
    q = django_filters.CharFilter(field_name="organization__name", lookup_expr="icontains", label=_("名称"))

    class Meta:
        model = ProviderProfile
        fields = ["state", "region", "q"]


class OfferingFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=ServiceCategory.choices, label=_("服务类别"))
    kind = django_filters.ChoiceFilter(choices=OfferingKind.choices, label=_("类型"))
    region = _RegionFilter(field_name="region_id")
    price_min = django_filters.NumberFilter(
        field_name="price", lookup_expr="gte", label=_("价格不低于（元）")
    )
    price_max = django_filters.NumberFilter(
        field_name="price", lookup_expr="lte", label=_("价格不高于（元）")
    )
    provider = django_filters.NumberFilter(field_name="provider_id", label=_("服务机构"))
    q = django_filters.CharFilter(method="filter_q", label=_("关键词"))

    class Meta:
        model = Offering
        fields = ["category", "kind", "region", "price_min", "price_max", "provider", "q"]

    def filter_q(self, queryset, name, value):
        condition = Q()
        for word in value.split()[:5]:
            condition &= (
                Q(name__icontains=word)
                | Q(description__icontains=word)
                | Q(instrument_model__icontains=word)
                | Q(provider__name__icontains=word)
            )
        return queryset.filter(condition)


class QuotaFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=QuotaState.choices, label=_("状态"))
    program = django_filters.NumberFilter(field_name="program_id", label=_("创新券计划"))

    class Meta:
        model = Quota
        fields = ["state", "program"]


class BookingFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=BookingState.choices, label=_("状态"))
    program = django_filters.NumberFilter(field_name="quota__program_id", label=_("创新券计划"))
    quota = django_filters.NumberFilter(field_name="quota_id", label=_("额度"))
    category = django_filters.ChoiceFilter(choices=ServiceCategory.choices, label=_("服务类别"))
    side = django_filters.ChoiceFilter(
        choices=(("made", _("本单位预约的")), ("received", _("本单位承接的"))),
        method="filter_side",
        label=_("范围"),
    )

    class Meta:
        model = Booking
        fields = ["state", "program", "quota", "category", "side"]

    def filter_side(self, queryset, name, value):
        organization_id = self.request.user.active_organization_id if self.request else None
        field = "quota__organization_id" if value == "made" else "provider_id"
        return queryset.filter(**{field: organization_id}) if organization_id else queryset.none()


class BatchFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=BatchState.choices, label=_("状态"))
    program = django_filters.NumberFilter(field_name="program_id", label=_("创新券计划"))

    class Meta:
        model = SettlementBatch
        fields = ["state", "program"]


class EntryFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=EntryKind.choices, label=_("类型"))
    quota = django_filters.NumberFilter(field_name="quota_id", label=_("额度"))
    booking = django_filters.NumberFilter(field_name="booking_id", label=_("使用记录"))
    batch = django_filters.NumberFilter(field_name="batch_id", label=_("结算批次"))

    class Meta:
        model = LedgerEntry
        fields = ["kind", "quota", "booking", "batch"]


class FlagFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=FlagState.choices, label=_("状态"))
    kind = django_filters.ChoiceFilter(choices=FlagKind.choices, label=_("类型"))
    program = django_filters.NumberFilter(field_name="program_id", label=_("创新券计划"))

    class Meta:
        model = Flag
        fields = ["state", "kind", "program"]
