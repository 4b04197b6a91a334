import django_filters
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from .models import AuditLog


def _audited_types(request):
    """Every record type that writes to the trail: the audited domain models and users."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    from .models import AuditedModel

    models = [m for m in apps.get_models() if issubclass(m, AuditedModel)] + [get_user_model()]
    ids = [ct.pk for ct in ContentType.objects.get_for_models(*models).values()]
    return ContentType.objects.filter(pk__in=ids).order_by("app_label", "model")


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
