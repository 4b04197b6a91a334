from django.db.models import QuerySet

from .models import AuditLog
from .scoping import user_region_codes


def audit_logs(*, user) -> QuerySet[AuditLog]:
    """Audit lines about records in the user's region (everything for a superuser without region)."""
    qs = AuditLog.objects.select_related("content_type")
    codes = user_region_codes(user)
    if codes is None:
        return qs
    return qs.filter(region_code__in=codes)
