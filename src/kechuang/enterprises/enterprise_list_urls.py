from django.urls import path

from . import enterprise_list_views as views

urlpatterns = [
    path("", views.enterprise_list, name="enterprise_list"),
    path("count/", views.enterprise_count_view, name="enterprise_count"),
    path("export/", views.enterprise_export_view, name="enterprise_export"),
]
