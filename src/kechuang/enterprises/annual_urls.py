from django.urls import path

from . import annual_views

urlpatterns = [
    path("annual/", annual_views.annual_mine, name="annual_mine"),
    path("annual/list/", annual_views.annual_list, name="annual_list"),
    path("annual/export/", annual_views.annual_export, name="annual_export"),
    path("annual/template/", annual_views.annual_template, name="annual_template"),
    path("annual/import/", annual_views.annual_import, name="annual_import"),
    path("<int:pk>/annual/<int:year>/", annual_views.annual_edit, name="annual_edit"),
]
