"""The filter set of the bookings list (我的预约 / 收到的预约), for the page and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from kechuang.core.widgets import use_fast_selects

from .enums import BookingState

SIDE_CHOICES = (("made", _("本单位预约的")), ("received", _("本单位收到的")))


class BookingFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=BookingState.choices, label=_("状态"))
    side = django_filters.ChoiceFilter(choices=SIDE_CHOICES, method="filter_side", label=_("类别"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_fast_selects(self.form)

    def filter_side(self, queryset, name, value):
        organization_id = getattr(getattr(self.request, "user", None), "active_organization_id", None)
        if organization_id is None:
            return queryset.none()
        if value == "made":
            return queryset.filter(quota__organization_id=organization_id)
        return queryset.filter(provider_id=organization_id)
