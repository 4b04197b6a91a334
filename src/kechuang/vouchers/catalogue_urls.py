from django.urls import path

from . import catalogue_views

urlpatterns = [
    path("", catalogue_views.catalogue, name="catalogue"),
]
