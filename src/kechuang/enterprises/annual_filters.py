import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from kechuang.core.scoping import user_region_codes
from kechuang.core.widgets import use_fast_selects
from kechuang.organizations.enums import Industry, TechField
from kechuang.organizations.filters import _regions_for
from kechuang.organizations.validators import normalize_credit_code
from kechuang.regions.selectors import label_regions, region_choices, regions_under

from .enums import AnnualDataStatus
from .models import AnnualData


class AnnualDataFilter(django_filters.FilterSet):
    """The one filter set of the bureau's annual-data list, used by the page, its export and the API."""

    q = django_filters.CharFilter(method="filter_q", label=_("企业名称或信用代码"))
    year = django_filters.NumberFilter(
        label=_("年度"), widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1978})
    )
    region = django_filters.ModelChoiceFilter(queryset=_regions_for, method="filter_region", label=_("属地"))
    status = django_filters.ChoiceFilter(choices=AnnualDataStatus.choices, label=_("状态"))
    industry = django_filters.ChoiceFilter(
        field_name="organization__industry", choices=Industry.choices, label=_("行业门类")
    )
    tech_field = django_filters.ChoiceFilter(
        field_name="organization__tech_field", choices=TechField.choices, label=_("高新技术领域")
    )

    class Meta:
        model = AnnualData
        fields = ["q", "year", "region", "status", "industry", "tech_field"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_regions(self.form.fields["region"])
        use_fast_selects(self.form)
        # As on the organization list: the options come from the per-process region cache.
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            codes = user_region_codes(user)
            field = self.form.fields["region"]
            offered = region_choices(None if codes is None else user.region_id) if codes != [] else ()
            field.widget.choices = [("", field.empty_label), *offered]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        code = normalize_credit_code(value)
        if len(code) == 18 and code.isalnum():
            return queryset.filter(organization__credit_code=code)
        if value.lower() == value.upper():
            # No cased letters (Chinese): a plain LIKE, which the name's trigram index serves.
            return queryset.filter(organization__name__contains=value)
        return queryset.filter(organization__name__icontains=value)

    def filter_region(self, queryset, name, value):
        return queryset.filter(organization__region_id__in=regions_under(value))
