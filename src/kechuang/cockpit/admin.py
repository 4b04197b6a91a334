from django.contrib import admin

from .models import AnnualReport, ReportTemplate


@admin.register(ReportTemplate)
class ReportTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "active", "updated_at")
    list_filter = ("active",)
    search_fields = ("name", "region__name")
    raw_id_fields = ("region",)


@admin.register(AnnualReport)
class AnnualReportAdmin(admin.ModelAdmin):
    list_display = ("region", "year", "generated_by", "generated_at")
    list_filter = ("year",)
    search_fields = ("region__name",)
    raw_id_fields = ("region", "template", "generated_by")
    readonly_fields = ("figures", "generated_at")
