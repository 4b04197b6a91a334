from django.contrib import admin

from .models import (
    AnnualReport,
    Carrier,
    Evaluation,
    EvaluationScheme,
    Incubatee,
    IncubateeRevenue,
    ReportIndicator,
    SchemeIndicator,
)


class IncubateeInline(admin.TabularInline):
    model = Incubatee
    extra = 0
    fields = ("name", "credit_code", "state", "entered_on", "exited_on", "registered_capital")
    show_change_link = True


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "level", "operator", "region", "recognized_on", "state")
    list_filter = ("kind", "level", "state")
    search_fields = ("name", "operator__name", "certificate_no")
    raw_id_fields = ("operator", "region")
    list_select_related = ("operator", "region")
    inlines = [IncubateeInline]


class RevenueInline(admin.TabularInline):
    model = IncubateeRevenue
    extra = 0


@admin.register(Incubatee)
class IncubateeAdmin(admin.ModelAdmin):
    list_display = ("name", "carrier", "state", "entered_on", "exited_on")
    list_filter = ("state",)
    search_fields = ("name", "credit_code", "carrier__name")
    raw_id_fields = ("carrier", "organization")
    list_select_related = ("carrier",)
    inlines = [RevenueInline]


@admin.register(ReportIndicator)
class ReportIndicatorAdmin(admin.ModelAdmin):
    list_display = ("kind", "position", "code", "name", "unit", "value_type", "required", "active")
    list_filter = ("kind", "active")
    search_fields = ("code", "name")


@admin.register(AnnualReport)
class AnnualReportAdmin(admin.ModelAdmin):
    list_display = ("carrier", "year", "state", "submitted_at")
    list_filter = ("year", "state")
    search_fields = ("carrier__name",)
    raw_id_fields = ("carrier", "submitted_by")
    list_select_related = ("carrier",)


class SchemeIndicatorInline(admin.TabularInline):
    model = SchemeIndicator
    extra = 0
    raw_id_fields = ("indicator",)


@admin.register(EvaluationScheme)
class EvaluationSchemeAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "kind", "year", "state", "published_at")
    list_filter = ("kind", "year", "state")
    raw_id_fields = ("region",)
    inlines = [SchemeIndicatorInline]


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ("carrier", "scheme", "score", "grade", "rank", "consequence")
    list_filter = ("grade", "consequence", "scheme__year")
    search_fields = ("carrier__name",)
    raw_id_fields = ("scheme", "carrier", "report")
    list_select_related = ("carrier", "scheme")
