from django.contrib import admin

from .models import Application, Call, IntegrityRecord, Program, RecommendationQuota


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "department", "region", "is_active")


class QuotaInline(admin.TabularInline):
    model = RecommendationQuota
    extra = 0


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("title", "program", "year", "opens_at", "closes_at", "is_published")
    list_filter = ("program", "year", "is_published")
    inlines = [QuotaInline]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-only here: applications change only through their workflow."""

    list_display = ("receipt_number", "title", "organization", "call", "state", "state_since")
    list_filter = ("state", "call")
    search_fields = ("title", "receipt_number", "organization__name")
    raw_id_fields = ("organization", "created_by")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(IntegrityRecord)
class IntegrityRecordAdmin(admin.ModelAdmin):
    list_display = ("organization", "starts_on", "ends_on")
    raw_id_fields = ("organization",)
