"""工作总结 pages (mounted at /cockpit/reports/)."""

from django.urls import path

from . import report_views as views

urlpatterns = [
    path("", views.report_list, name="reports"),
    path("generate/", views.report_generate_view, name="report_generate"),
    path("template/", views.report_template, name="report_template"),
    path("template/reset/", views.report_template_reset, name="report_template_reset"),
    path("<int:pk>/", views.report_detail, name="report"),
    path("<int:pk>/files/<slug:which>/", views.report_file, name="report_file"),
]
