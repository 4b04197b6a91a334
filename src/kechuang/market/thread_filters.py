"""The filter set of the thread lists (我的洽谈, the bureau's drill-down from the funnel), used by pages and API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kechuang.core.widgets import use_fast_selects
from kechuang.organizations.enums import TechField

from .enums import ListingKind, ThreadState
from .threads import STAGES, threads_in_period, threads_reached

STAGE_CHOICES = [(state, label) for state, label in ThreadState.choices if state in STAGES]


class ThreadFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("名称或单位"))
    state = django_filters.ChoiceFilter(choices=ThreadState.choices, label=_("状态"))
    reached = django_filters.ChoiceFilter(
        choices=STAGE_CHOICES, method="filter_reached", label=_("已到达阶段")
    )
    kind = django_filters.ChoiceFilter(
        field_name="listing__kind", choices=ListingKind.choices, label=_("类型")
    )
    tech_field = django_filters.ChoiceFilter(
        field_name="listing__tech_field", choices=TechField.choices, label=_("技术领域")
    )
    since = django_filters.DateFilter(method="filter_since", label=_("发起日期起"))
    until = django_filters.DateFilter(method="filter_until", label=_("发起日期止"))
    listing = django_filters.NumberFilter(field_name="listing_id", label=_("供需信息编号"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_fast_selects(self.form)
        for name in ("since", "until"):
            self.form.fields[name].widget.input_type = "date"
        self.form.fields["listing"].widget = self.form.fields["listing"].hidden_widget()

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(listing__title__contains=value)
            | Q(owner__name__contains=value)
            | Q(party__name__contains=value)
        )

    def filter_reached(self, queryset, name, value):
        return threads_reached(queryset, value)

    def filter_since(self, queryset, name, value):
        return threads_in_period(queryset, since=value, until=None)

    def filter_until(self, queryset, name, value):
        return threads_in_period(queryset, since=None, until=value)
