"""The one filter set of the contracts list, used by the page, its Excel export and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kechuang.core.scoping import user_region_codes
from kechuang.core.widgets import use_fast_selects
from kechuang.organizations.enums import TechField
from kechuang.regions.selectors import region_choices, regions_under

from .enums import ContractState, ContractSubType, ContractType


def _all_regions():
    return region_choices(None)


class ContractFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("合同名称、当事方或登记号"))
    state = django_filters.ChoiceFilter(choices=ContractState.choices, label=_("状态"))
    contract_type = django_filters.ChoiceFilter(choices=ContractType.choices, label=_("合同类型"))
    sub_type = django_filters.ChoiceFilter(choices=ContractSubType.choices, label=_("合同子类"))
    tech_field = django_filters.ChoiceFilter(choices=TechField.choices, label=_("技术领域"))
    seller_region = django_filters.ChoiceFilter(
        choices=_all_regions, method="filter_seller_region", label=_("卖方所在区划（输出）")
    )
    buyer_region = django_filters.ChoiceFilter(
        choices=_all_regions, method="filter_buyer_region", label=_("买方所在区划（吸纳）")
    )
    registered_from = django_filters.DateFilter(
        field_name="registered_on", lookup_expr="gte", label=_("登记日期起")
    )
    registered_to = django_filters.DateFilter(
        field_name="registered_on", lookup_expr="lte", label=_("登记日期止")
    )
    signed_from = django_filters.DateFilter(field_name="signed_on", lookup_expr="gte", label=_("签订日期起"))
    signed_to = django_filters.DateFilter(field_name="signed_on", lookup_expr="lte", label=_("签订日期止"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_fast_selects(self.form)
        user = getattr(self.request, "user", None)
        # Offer the regions of the user's own scope (the filter accepts any: the selector already scopes rows).
        if user is not None and user.is_authenticated and (user.is_superuser or user.is_region_scoped):
            codes = user_region_codes(user)
            offered = region_choices(None if codes is None else user.region_id) if codes != [] else ()
            for name in ("seller_region", "buyer_region"):
                field = self.form.fields[name]
                field.widget.choices = [("", field.empty_label), *offered]
        for name in ("registered_from", "registered_to", "signed_from", "signed_to"):
            self.form.fields[name].widget.input_type = "date"

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__contains=value)
            | Q(seller_name__contains=value)
            | Q(buyer_name__contains=value)
            | Q(registration_no=value)
        )

    def filter_seller_region(self, queryset, name, value):
        return queryset.filter(seller_region_id__in=regions_under(value))

    def filter_buyer_region(self, queryset, name, value):
        return queryset.filter(buyer_region_id__in=regions_under(value))
