from django.contrib import admin

from .models import Population, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "is_local_code")
    list_filter = ("level", "is_local_code")
    search_fields = ("code", "name")


@admin.register(Population)
class PopulationAdmin(admin.ModelAdmin):
    list_display = ("region", "year", "population")
    list_filter = ("year",)
    search_fields = ("region__name", "region__code")
