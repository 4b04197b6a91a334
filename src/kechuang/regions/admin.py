from django.contrib import admin

from .models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "is_local_code")
    list_filter = ("level", "is_local_code")
    search_fields = ("code", "name")
