"""The one filter set of listing lists (the market's home page, 我的供需信息 and the API)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kechuang.core.widgets import use_fast_selects
from kechuang.organizations.enums import TechField
from kechuang.regions.selectors import region_choices, regions_under

from .enums import Cooperation, ListingKind, ListingState
from .models import Listing


def _regions():
    # The market is open to everyone: every region below the province, from the per-process cache.
    return region_choices(None)


class ListingFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ListingKind.choices, label=_("类型"))
    tech_field = django_filters.ChoiceFilter(choices=TechField.choices, label=_("技术领域"))
    region = django_filters.ChoiceFilter(choices=_regions, method="filter_region", label=_("所在区划"))
    cooperation = django_filters.ChoiceFilter(choices=Cooperation.choices, label=_("合作方式"))
    maturity_min = django_filters.NumberFilter(
        field_name="maturity", lookup_expr="gte", label=_("成熟度不低于")
    )
    amount_min = django_filters.NumberFilter(method="filter_amount_min", label=_("价格/预算不低于（元）"))
    amount_max = django_filters.NumberFilter(method="filter_amount_max", label=_("价格/预算不高于（元）"))
    state = django_filters.ChoiceFilter(choices=ListingState.choices, label=_("状态"))

    class Meta:
        model = Listing
        fields = [
            "kind",
            "tech_field",
            "region",
            "cooperation",
            "maturity_min",
            "amount_min",
            "amount_max",
            "state",
        ]

    def __init__(self, *args, hide=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in hide:
            field = self.form.fields[name]
            field.widget = field.hidden_widget()
        use_fast_selects(self.form)
        self.form.fields["maturity_min"].widget.attrs.update({"min": 1, "max": 9, "inputmode": "numeric"})
        for name in ("amount_min", "amount_max"):
            self.form.fields[name].widget.attrs.update({"min": 0, "inputmode": "decimal"})

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_id__in=regions_under(value))

    # An achievement's price lies in the range; a demand's budget range overlaps it (an empty bound is open).
    # Listings without any amount (面议) are left out once a range is asked for.

    def filter_amount_min(self, queryset, name, value):
        return queryset.filter(
            Q(kind=ListingKind.ACHIEVEMENT, price__gte=value)
            | Q(kind=ListingKind.DEMAND, budget_max__gte=value)
            | Q(kind=ListingKind.DEMAND, budget_max__isnull=True, budget_min__isnull=False)
        )

    def filter_amount_max(self, queryset, name, value):
        return queryset.filter(
            Q(kind=ListingKind.ACHIEVEMENT, price__lte=value)
            | Q(kind=ListingKind.DEMAND, budget_min__lte=value)
            | Q(kind=ListingKind.DEMAND, budget_min__isnull=True, budget_max__isnull=False)
        )
