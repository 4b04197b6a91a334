"""Routes of the market's search area (mounted at /market/search/)."""

from django.urls import path

from . import search_views as views

urlpatterns = [
    path("", views.market_search, name="search"),
]
