from django.contrib import admin

from .models import AuditLog, Notification


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read-only: nobody edits or deletes the audit trail, not even a superuser."""

    list_display = ("at", "actor_name", "ip_address", "action", "content_type", "object_id", "object_repr")
    list_filter = ("action", "content_type")
    search_fields = ("actor_name", "object_repr", "object_id", "ip_address")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "subject", "read_at")
    raw_id_fields = ("recipient",)
