"""The patent registry (mounted at /patents/): list, detail, record and correct, Excel import."""

from django.urls import path

from . import registry_views as views

urlpatterns = [
    path("", views.patent_list, name="patent_list"),
    path("new/", views.patent_create, name="patent_create"),
    path("<int:pk>/", views.patent_detail, name="patent"),
    path("<int:pk>/edit/", views.patent_edit, name="patent_edit"),
    path("<int:pk>/delete/", views.patent_delete, name="patent_delete"),
    path("import/", views.patent_import_view, name="patent_import"),
    path("import/template/", views.patent_import_template, name="patent_import_template"),
    path("import/<int:pk>/", views.patent_import_result, name="patent_import_result"),
]
