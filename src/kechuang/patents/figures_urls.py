"""Patent counts per organization, region and year (mounted at /patents/figures/)."""

from django.urls import path

from . import figures_views as views

urlpatterns = [
    path("", views.figures, name="figures"),
    path("population/", views.population_record, name="population_record"),
]
