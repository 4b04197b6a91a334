"""Filter sets of the liaison lists (挂联 and 走访), used by the pages and by the API."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.widgets import use_fast_selects
from kechuang.regions.selectors import regions_under

from .enums import NeedKind
from .models import Need
from .reserve_filters import offer_regions, regions_for


class VisitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("企业名称"))
    region = django_filters.ModelChoiceFilter(queryset=regions_for, method="filter_region", label=_("属地"))
    since = django_filters.DateFilter(field_name="visited_on", lookup_expr="gte", label=_("走访日期起"))
    until = django_filters.DateFilter(field_name="visited_on", lookup_expr="lte", label=_("走访日期止"))
    need_kind = django_filters.ChoiceFilter(
        choices=NeedKind.choices, method="filter_need_kind", label=_("需求类型")
    )
    organization = django_filters.NumberFilter(field_name="organization_id", label=_("企业编号"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_fast_selects(self.form)
        offer_regions(self)
        for name in ("since", "until"):
            self.form.fields[name].widget.input_type = "date"
        self.form.fields["organization"].widget = self.form.fields["organization"].hidden_widget()

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(organization__name__contains=value) if value else queryset

    def filter_region(self, queryset, name, value):
        return queryset.filter(organization__region_id__in=regions_under(value))

    def filter_need_kind(self, queryset, name, value):
        # A subquery, not a join: a visit with two needs of the kind must be listed once.
        return queryset.filter(pk__in=Need.objects.filter(kind=value).values("visit_id"))


class AssignmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("企业或干部姓名"))
    region = django_filters.ModelChoiceFilter(queryset=regions_for, method="filter_region", label=_("属地"))
    active = django_filters.BooleanFilter(method="filter_active", label=_("只看在挂联"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_fast_selects(self.form)
        offer_regions(self)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(organization__name__contains=value)
            | Q(staff__last_name__contains=value)
            | Q(staff__username=value)
        )

    def filter_region(self, queryset, name, value):
        return queryset.filter(organization__region_id__in=regions_under(value))

    def filter_active(self, queryset, name, value):
        from .liaison import assignments_active

        return assignments_active(queryset, day=timezone.localdate()) if value else queryset
