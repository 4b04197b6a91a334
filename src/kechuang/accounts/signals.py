from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.translation import gettext as _

from kechuang.core.audit import audit_context, record
from kechuang.core.middleware import client_ip
from kechuang.core.models import AuditLog


@receiver(user_logged_in)
def _record_login(sender, request, user, **kwargs):
    """Logins belong in the audit trail too: who, when, from which address."""
    with audit_context(actor=user, ip_address=client_ip(request) if request is not None else None):
        record(action=AuditLog.Action.LOGIN, instance=user, by=user, reason=_("登录成功"))
