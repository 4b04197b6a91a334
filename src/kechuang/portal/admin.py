"""The portal's content in the admin, for looking up and correcting records; state changes (publish, withdraw)
go through the bureau pages, so they are audited as transitions, and state is read-only here."""

from django.contrib import admin

from .models import Notice, Policy, PolicyDocument, ServiceGuide


class PolicyDocumentInline(admin.TabularInline):
    model = PolicyDocument
    extra = 0


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("title", "region", "category", "state", "published_at")
    list_filter = ("state", "category")
    search_fields = ("title", "document_no", "summary")
    raw_id_fields = ("region",)
    filter_horizontal = ("related_calls",)
    list_select_related = ("region",)
    readonly_fields = ("state", "published_at")
    inlines = [PolicyDocumentInline]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("title", "region", "kind", "state", "published_at")
    list_filter = ("state", "kind")
    search_fields = ("title",)
    raw_id_fields = ("region",)
    list_select_related = ("region",)
    readonly_fields = ("state", "published_at")


@admin.register(ServiceGuide)
class ServiceGuideAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "department", "time_limit_days", "state", "position")
    list_filter = ("state", "department")
    search_fields = ("name",)
    raw_id_fields = ("region",)
    list_select_related = ("region",)
    readonly_fields = ("state",)
