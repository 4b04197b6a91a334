from django.contrib import admin

from .models import CalendarDay, Inquiry


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """The bureau keeps the holidays and 调休 working days of each year here (the State Council's notice)."""

    list_display = ("day", "workday", "note")
    list_filter = ("workday",)
    search_fields = ("note",)
    date_hierarchy = "day"


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    """Read-only: letters change through the services (pages), never by hand."""

    list_display = ("tracking_no", "subject", "region", "department", "state", "due_on")
    list_filter = ("state", "kind", "topic")
    search_fields = ("tracking_no", "subject")
    list_select_related = ("region",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
