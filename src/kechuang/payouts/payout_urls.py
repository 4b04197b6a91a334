from django.urls import path

from . import payout_views as views

# Mounted at /payouts/ in the "payouts" namespace.
urlpatterns = [
    path("", views.items, name="items"),
    path("items/new/", views.item_new, name="item_new"),
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/claim/", views.claim_new, name="claim_new"),
    path("items/<int:pk>/<slug:action>/", views.item_action, name="item_action"),
    path("mine/", views.mine, name="mine"),
    path("claims/", views.claims, name="claims"),
    path("claims/export/", views.claims_export, name="claims_export"),
    path("claims/<int:pk>/", views.claim, name="claim"),
    path("claims/<int:pk>/<slug:action>/", views.claim_action, name="claim_action"),
]
