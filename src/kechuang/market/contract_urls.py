"""Routes of contract registration (技术合同登记), in the "market" namespace (mounted at /market/contracts/)."""

from django.urls import path

from . import contract_views as views

urlpatterns = [
    path("", views.contract_list, name="contract_list"),
    path("new/", views.contract_create, name="contract_create"),
    path("statistics/", views.contract_statistics_view, name="contract_statistics"),
    path("sub-types/", views.contract_sub_types, name="contract_sub_types"),
    path("amounts/", views.contract_amounts, name="contract_amounts"),
    path("<int:pk>/", views.contract_detail, name="contract_detail"),
    path("<int:pk>/edit/", views.contract_edit, name="contract_edit"),
    path("<int:pk>/act/", views.contract_act, name="contract_act"),
    path("<int:pk>/file/", views.contract_file, name="contract_file"),
]
