"""Routes of market matching, in the "market" namespace (mounted at /market/)."""

from django.urls import path

from . import match_views as views

urlpatterns = [
    path("listings/<int:pk>/matches/", views.listing_matches, name="listing_matches"),
    path(
        "listings/<int:pk>/matches/recompute/",
        views.listing_matches_recompute,
        name="listing_matches_recompute",
    ),
    path("matches/recompute/", views.matches_recompute_all, name="matches_recompute"),
]
