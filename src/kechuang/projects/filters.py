import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import ApplicationState
from .models import Application
from .selectors import overdue_only


class ApplicationFilter(django_filters.FilterSet):
    """The one filter set of the application list, used by the page and by the API."""

    q = django_filters.CharFilter(method="filter_q", label=_("项目名称或受理编号"))
    state = django_filters.ChoiceFilter(choices=ApplicationState.choices, label=_("状态"))
    call = django_filters.NumberFilter(field_name="call_id", label=_("申报指南"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("只看已超时"))

    class Meta:
        model = Application
        fields = ["q", "state", "call", "overdue"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(receipt_number=value.upper()) | Q(title__contains=value))

    def filter_overdue(self, queryset, name, value):
        return overdue_only(queryset, at=timezone.now()) if value else queryset
