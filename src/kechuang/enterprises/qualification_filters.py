"""The one filter set of the qualification list, used by the page, its Excel export and the API."""

from datetime import timedelta

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.scoping import user_region_codes
from kechuang.core.widgets import use_fast_selects
from kechuang.organizations.enums import QualificationKind, QualificationLevel
from kechuang.organizations.models import Qualification
from kechuang.regions.models import Region
from kechuang.regions.selectors import label_regions, region_choices, regions_under

from .qualifications import QualificationState


def _regions_for(request):
    qs = Region.objects.exclude(level="province")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        codes = user_region_codes(user)
        if codes is not None:
            qs = qs.filter(code__in=codes)
    return qs.order_by("path")


class QualificationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("企业名称、信用代码或证书编号"))
    kind = django_filters.ChoiceFilter(choices=QualificationKind.choices, label=_("资质类型"))
    level = django_filters.ChoiceFilter(choices=QualificationLevel.choices, label=_("级别"))
    region = django_filters.ModelChoiceFilter(queryset=_regions_for, method="filter_region", label=_("属地"))
    status = django_filters.ChoiceFilter(
        choices=QualificationState.choices, method="filter_status", label=_("状态")
    )
    expiring_within = django_filters.NumberFilter(
        method="filter_expiring", label=_("有效期剩余天数不超过"), min_value=0, max_value=3660
    )

    class Meta:
        model = Qualification
        fields = ["q", "kind", "level", "region", "status", "expiring_within"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()
        label_regions(self.form.fields["region"])
        use_fast_selects(self.form)
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            codes = user_region_codes(user)
            field = self.form.fields["region"]
            offered = region_choices(None if codes is None else user.region_id) if codes != [] else ()
            field.widget.choices = [("", field.empty_label), *offered]

    @property
    def qs(self):
        rows = super().qs
        if (
            self.form.is_bound
            and self.is_valid()
            and self.form.cleaned_data.get("expiring_within") is not None
        ):
            return rows.order_by("valid_until", "pk")
        return rows.order_by("organization__name", "organization_id", "kind", "-valid_until", "pk")

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(organization__name__contains=value)
            | Q(organization__credit_code=value.upper())
            | Q(certificate_no__iexact=value)
        )

    def filter_region(self, queryset, name, value):
        return queryset.filter(organization__region_id__in=regions_under(value))

    def filter_status(self, queryset, name, value):
        day = self.today
        revoked = Q(revoked_on__lte=day)
        if value == QualificationState.REVOKED:
            return queryset.filter(revoked)
        if value == QualificationState.IN_FORCE:
            return queryset.in_force(day)
        if value == QualificationState.NOT_YET:
            return queryset.filter(valid_from__gt=day).exclude(revoked)
        return queryset.filter(valid_until__lt=day).exclude(revoked)

    def filter_expiring(self, queryset, name, value):
        return queryset.in_force(self.today).filter(valid_until__lte=self.today + timedelta(days=int(value)))
