import django_filters
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from .models import AuditLog


def _audited_types(request):
    return ContentType.objects.filter(
        app_label__in=["accounts", "organizations", "regions", "core"]
    ).order_by("app_label", "model")


class AuditLogFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor_name", lookup_expr="icontains", label=_("操作人"))
    action = django_filters.ChoiceFilter(choices=AuditLog.Action.choices, label=_("操作"))
    content_type = django_filters.ModelChoiceFilter(queryset=_audited_types, label=_("记录类型"))
    object_id = django_filters.CharFilter(label=_("记录编号"))
    ip_address = django_filters.CharFilter(label=_("来源地址"))
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("起始日期"))
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("截止日期"))

    class Meta:
        model = AuditLog
        fields = ["actor", "action", "content_type", "object_id", "ip_address", "since", "until"]
