"""Routes of the market's listings, in the "market" namespace (mounted at /market/)."""

from django.urls import path

from . import listing_views as views

urlpatterns = [
    path("", views.home, name="home"),
    path("listings/new/", views.listing_create_view, name="listing_create"),
    path("listings/<int:pk>/", views.listing_detail, name="listing_detail"),
    path("listings/<int:pk>/edit/", views.listing_edit, name="listing_edit"),
    path("listings/<int:pk>/submit/", views.listing_submit_view, name="listing_submit"),
    path("listings/<int:pk>/publish/", views.listing_publish_view, name="listing_publish"),
    path("listings/<int:pk>/return/", views.listing_return_view, name="listing_return"),
    path("listings/<int:pk>/withdraw/", views.listing_withdraw_view, name="listing_withdraw"),
    path("listings/<int:pk>/renew/", views.listing_renew_view, name="listing_renew"),
    path("listings/<int:pk>/contact/", views.contact_request_view, name="listing_contact_request"),
    path("mine/", views.my_listings, name="my_listings"),
    path("moderation/", views.moderation, name="moderation"),
    path("contact-requests/", views.contact_requests, name="contact_requests"),
    path(
        "contact-requests/<int:pk>/decide/", views.contact_request_decide_view, name="contact_request_decide"
    ),
]
