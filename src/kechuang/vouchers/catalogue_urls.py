from django.urls import path

from . import catalogue_views

urlpatterns = [
    path("", catalogue_views.catalogue, name="catalogue"),
    path("count/", catalogue_views.catalogue_count, name="catalogue_count"),
    path("offerings/<int:pk>/", catalogue_views.offering, name="offering"),
    path("provider/", catalogue_views.provider_register, name="provider_register"),
    path("provider/offerings/new/", catalogue_views.offering_new, name="offering_new"),
    path("provider/offerings/<int:pk>/edit/", catalogue_views.offering_edit, name="offering_edit"),
    path("provider/offerings/<int:pk>/active/", catalogue_views.offering_toggle, name="offering_toggle"),
]
