import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kechuang.organizations.enums import TechField
from kechuang.regions.selectors import label_regions, regions_under

from .models import Expert
from .selectors import regions_choosable


def _regions_for(request):
    return regions_choosable(user=request.user) if request is not None else regions_choosable(user=None)


class ExpertFilter(django_filters.FilterSet):
    """The one filter set of the expert pool, used by the page and by the API."""

    q = django_filters.CharFilter(method="filter_q", label=_("姓名、关键词或工作单位"))
    field = django_filters.ChoiceFilter(choices=TechField.choices, method="filter_field", label=_("专业领域"))
    region = django_filters.ModelChoiceFilter(
        queryset=_regions_for, method="filter_region", label=_("所在区划")
    )
    is_active = django_filters.BooleanFilter(label=_("在库"))

    class Meta:
        model = Expert
        fields = ["q", "field", "region", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_regions(self.form.fields["region"])

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(user__last_name__icontains=value)
            | Q(user__first_name__icontains=value)
            | Q(user__username__icontains=value)
            | Q(keywords__icontains=value)
            | Q(profile__icontains=value)
            | Q(organization__name__icontains=value)
        )

    def filter_field(self, queryset, name, value):
        # field_codes is a JSON list of codes; the quoted code matches one whole element on every backend.
        return queryset.filter(field_codes__icontains=f'"{value}"')

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_id__in=regions_under(value))
