from django.contrib import admin

from .models import Commissioner, Dispatch, ForeignExpert, Talent, TalentProgram, WorkLog


class DispatchInline(admin.TabularInline):
    model = Dispatch
    extra = 0
    raw_id_fields = ("town",)
    fields = ("town", "starts_on", "ends_on", "state", "served")


@admin.register(Commissioner)
class CommissionerAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "organization", "specialty", "phone")
    list_filter = ("kind",)
    search_fields = ("name", "leader", "organization__name")
    raw_id_fields = ("organization",)
    list_select_related = ("organization",)
    inlines = [DispatchInline]


@admin.register(Dispatch)
class DispatchAdmin(admin.ModelAdmin):
    list_display = ("commissioner", "town", "starts_on", "ends_on", "state")
    list_filter = ("state",)
    search_fields = ("commissioner__name", "town__name")
    raw_id_fields = ("commissioner", "town")
    list_select_related = ("commissioner", "town")
    date_hierarchy = "starts_on"


@admin.register(WorkLog)
class WorkLogAdmin(admin.ModelAdmin):
    list_display = ("happened_on", "dispatch", "kind", "title", "quantity", "attendance", "written_by")
    list_filter = ("kind",)
    search_fields = ("title", "dispatch__commissioner__name")
    raw_id_fields = ("dispatch", "written_by")
    list_select_related = ("dispatch__commissioner", "dispatch__town", "written_by")
    date_hierarchy = "happened_on"


@admin.register(TalentProgram)
class TalentProgramAdmin(admin.ModelAdmin):
    list_display = ("name", "region")
    search_fields = ("name",)
    raw_id_fields = ("region",)
    list_select_related = ("region",)


@admin.register(Talent)
class TalentAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "program", "organization", "year", "state")
    list_filter = ("kind", "state", "year")
    search_fields = ("name", "organization__name")
    raw_id_fields = ("program", "organization")
    list_select_related = ("program", "organization")


@admin.register(ForeignExpert)
class ForeignExpertAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "organization", "workstation", "engagement", "starts_on", "ends_on")
    list_filter = ("engagement",)
    search_fields = ("name", "country", "organization__name")
    raw_id_fields = ("organization", "workstation")
    list_select_related = ("organization", "workstation")
