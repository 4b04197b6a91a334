"""目标责任制考核 (mounted at the app's root): indicators, targets, progress and actuals, assessments."""

from django.urls import path

from . import target_views as views

urlpatterns = [
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/new/", views.indicator_form, name="indicator_create"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator"),
    path("indicators/<int:pk>/edit/", views.indicator_form, name="indicator_edit"),
    path("grid/", views.target_grid, name="grid"),
    path("grid/export/", views.target_grid_export, name="grid_export"),
    path("progress/", views.progress_home, name="progress_home"),
    path("progress/<str:region>/<int:year>/", views.progress_page, name="progress"),
    path("progress/<str:region>/<int:year>/export/", views.progress_export, name="progress_export"),
    path("progress/<str:region>/<int:year>/actuals/", views.actuals_form, name="actuals"),
    path("records/<str:region>/<int:year>/<slug:code>/", views.records_page, name="records"),
    path("assessments/", views.assessment_list, name="assessments"),
    path("assessments/new/", views.assessment_create, name="assessment_create"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/export/", views.assessment_export, name="assessment_export"),
    path("assessments/<int:pk>/<slug:action>/", views.assessment_action, name="assessment_action"),
]
