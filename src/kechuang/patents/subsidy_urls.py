"""Patent subsidy pages (mounted at /patents/subsidies/, names in the patents: namespace)."""

from django.urls import path

from . import subsidy_views as views

urlpatterns = [
    path("", views.policy_list, name="subsidy_policies"),
    path("new/", views.policy_new, name="subsidy_policy_new"),
    path("<int:pk>/", views.policy_detail, name="subsidy_policy"),
    path("<int:pk>/edit/", views.policy_edit, name="subsidy_policy_edit"),
    path("<int:pk>/apply/", views.apply, name="subsidy_apply"),
    path("<int:pk>/<slug:action>/", views.policy_action, name="subsidy_policy_action"),
    path("claims/", views.claim_list, name="subsidy_claims"),
    path("claims/<int:pk>/", views.claim_detail, name="subsidy_claim"),
    path("claims/<int:pk>/<slug:action>/", views.claim_action, name="subsidy_claim_action"),
]
