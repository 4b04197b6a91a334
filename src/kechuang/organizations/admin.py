from django.contrib import admin

from .models import Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "kind", "region", "status")
    list_filter = ("kind", "status", "industry")
    search_fields = ("name", "credit_code")
    raw_id_fields = ("verified_by", "parent")
    list_select_related = ("region",)
