from django.urls import path

from . import bureau_views as views

# Mounted at /vouchers/bureau/ in the "vouchers" namespace (names: /work/helpers/vouchers-urls.md).
urlpatterns = [
    path("", views.programs, name="bureau_programs"),
    path("programs/new/", views.program_new, name="program_new"),
    path("programs/<int:pk>/", views.program_books_view, name="program_books"),
    path("programs/<int:pk>/edit/", views.program_edit, name="program_edit"),
    path("programs/<int:pk>/ledger/", views.ledger, name="ledger"),
    path("programs/<int:pk>/settlement/", views.settlement, name="settlement"),
    path("programs/<int:pk>/<slug:action>/", views.program_action, name="program_action"),
    path("batches/<int:pk>/", views.batch, name="batch"),
    path("batches/<int:pk>/export/", views.batch_export, name="batch_export"),
    path("quotas/", views.quota_reviews, name="quota_reviews"),
    path("quotas/<int:pk>/", views.quota_review, name="quota_review"),
    path("providers/", views.providers, name="providers_pending"),
    path("providers/<int:pk>/", views.provider_review, name="provider_review"),
    path("flags/", views.flags, name="flags"),
    path("flags/<int:pk>/", views.flag, name="flag"),
]
