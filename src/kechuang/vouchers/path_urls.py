"""The enterprise's and the provider's voucher pages (mounted at /vouchers/)."""

from django.urls import path

from . import path_views as views

urlpatterns = [
    path("programs/", views.program_list, name="programs"),
    path("programs/<int:pk>/", views.program_detail, name="program"),
    path("programs/<int:pk>/apply/", views.quota_apply_view, name="quota_apply"),
    path("quotas/", views.quota_list, name="quotas"),
    path("quotas/<int:pk>/", views.quota_detail, name="quota"),
    path("offerings/<int:pk>/book/", views.booking_new, name="booking_new"),
    path("bookings/", views.booking_list, name="bookings"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking"),
    path("bookings/<int:pk>/files/<slug:which>/", views.booking_file, name="booking_file"),
    path("bookings/<int:pk>/<slug:action>/", views.booking_action, name="booking_action"),
]
