"""The filter set of the bureau's queue of letters."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.accounts.enums import Department
from kechuang.core.widgets import use_fast_selects

from .enums import InquiryState, Topic
from .inquiry_selectors import due_soon_q, overdue_q


class InquiryQueueFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=InquiryState.choices, label=_("状态"))
    department = django_filters.ChoiceFilter(choices=Department.choices, label=_("承办处室"))
    topic = django_filters.ChoiceFilter(choices=Topic.choices, label=_("事项"))
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=_("已超期"), widget=forms.CheckboxInput
    )
    due_soon = django_filters.BooleanFilter(
        method="filter_due_soon", label=_("即将到期"), widget=forms.CheckboxInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_fast_selects(self.form)

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q(timezone.localdate())) if value else queryset

    def filter_due_soon(self, queryset, name, value):
        return queryset.filter(due_soon_q(timezone.localdate())) if value else queryset
