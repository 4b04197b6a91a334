"""The one filter set of the reserve pool list, used by the page, the Excel export and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from kechuang.core.scoping import user_region_codes
from kechuang.core.widgets import use_fast_selects
from kechuang.regions.models import Region
from kechuang.regions.selectors import region_choices, regions_under

from .enums import AssessmentKind, ReserveSource, ReserveStatus


def regions_for(request):
    """Regions a filter may pick: those in the user's scope, below the province."""
    qs = Region.objects.exclude(level="province")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        codes = user_region_codes(user)
        if codes is not None:
            qs = qs.filter(code__in=codes)
    return qs.order_by("path")


def offer_regions(filterset) -> None:
    """Show the region options from the per-process cache instead of reading and labelling them per page."""
    user = getattr(filterset.request, "user", None)
    if user is None or not user.is_authenticated:
        return
    codes = user_region_codes(user)
    field = filterset.form.fields["region"]
    offered = region_choices(None if codes is None else user.region_id) if codes != [] else ()
    field.widget.choices = [("", field.empty_label), *offered]


class ReserveFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("企业名称"))
    target_year = django_filters.NumberFilter(label=_("目标年度"))
    kind = django_filters.ChoiceFilter(choices=AssessmentKind.choices, label=_("培育方向"))
    status = django_filters.ChoiceFilter(choices=ReserveStatus.choices, label=_("状态"))
    source = django_filters.ChoiceFilter(choices=ReserveSource.choices, label=_("来源"))
    region = django_filters.ModelChoiceFilter(queryset=regions_for, method="filter_region", label=_("属地"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_fast_selects(self.form)
        offer_regions(self)
        self.form.fields["target_year"].widget.attrs.update(
            {"inputmode": "numeric", "min": 2000, "max": 2100}
        )

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(organization__name__contains=value) if value else queryset

    def filter_region(self, queryset, name, value):
        return queryset.filter(organization__region_id__in=regions_under(value))
