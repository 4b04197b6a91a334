import django_filters
from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import Func, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from kechuang.core.scoping import user_region_codes
from kechuang.core.widgets import use_fast_selects
from kechuang.regions.models import Region
from kechuang.regions.selectors import label_regions, region_choices, regions_under

from .enums import Industry, OrganizationKind, OrganizationSize, TechField, VerificationStatus
from .models import Organization
from .validators import normalize_credit_code


class NameBigrams(Func):
    """kc_bigrams(text): the two-character substrings of a name (PostgreSQL, organizations migration 0006)."""

    function = "kc_bigrams"
    output_field = ArrayField(TextField())


def _regions_for(request):
    qs = Region.objects.exclude(level="province")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        codes = user_region_codes(user)
        if codes is not None:
            qs = qs.filter(code__in=codes)
    return qs.order_by("path")


class OrganizationFilter(django_filters.FilterSet):
    """The one filter set of the organization list, used by the page and by the API."""

    q = django_filters.CharFilter(method="filter_q", label=_("名称或信用代码"))
    kind = django_filters.ChoiceFilter(choices=OrganizationKind.choices, label=_("单位类型"))
    region = django_filters.ModelChoiceFilter(queryset=_regions_for, method="filter_region", label=_("属地"))
    industry = django_filters.ChoiceFilter(choices=Industry.choices, label=_("行业门类"))
    tech_field = django_filters.ChoiceFilter(choices=TechField.choices, label=_("高新技术领域"))
    size = django_filters.ChoiceFilter(choices=OrganizationSize.choices, label=_("规模"))
    status = django_filters.ChoiceFilter(choices=VerificationStatus.choices, label=_("核验状态"))

    class Meta:
        model = Organization
        fields = ["q", "kind", "region", "industry", "tech_field", "size", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_regions(self.form.fields["region"])
        use_fast_selects(self.form)
        # Display from a per-process cache (regions change only through migrations); validating a
        # submitted region still goes through the field's queryset.
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
            return queryset.filter(credit_code=code)
        if value.lower() == value.upper():
            if len(value) == 2 and connection.vendor == "postgresql":
                # Two characters: trigrams cannot serve it; the bigram index of migration 0006 can.
                # An expression, not raw SQL naming the table: the filter must also work inside a subquery,
                # where the table has an alias.
                return queryset.alias(name_bigrams=NameBigrams(Cast("name", TextField()))).filter(
                    name_bigrams__contains=[value]
                )
            # No cased letters (Chinese): a plain LIKE, which the trigram index serves, not UPPER() per row.
            return queryset.filter(name__contains=value)
        return queryset.filter(name__icontains=value)

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_id__in=regions_under(value))
