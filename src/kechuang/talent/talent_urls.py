from django.urls import path

from . import talent_views as views

# Mounted at /talent/ in the "talent" namespace.
urlpatterns = [
    path("programs/", views.program_list, name="programs"),
    path("programs/new/", views.program_create_view, name="program_create"),
    path("programs/<int:pk>/", views.program_detail, name="program"),
    path("talents/", views.talent_list, name="talents"),
    path("talents/new/", views.talent_create_view, name="talent_create"),
    path("talents/<int:pk>/", views.talent_detail, name="talent"),
    path("talents/<int:pk>/edit/", views.talent_edit_view, name="talent_edit"),
    path("talents/<int:pk>/withdraw/", views.talent_withdraw_view, name="talent_withdraw"),
    path("foreign-experts/", views.expert_list, name="experts"),
    path("foreign-experts/new/", views.expert_create_view, name="expert_create"),
    path("foreign-experts/<int:pk>/", views.expert_detail, name="expert"),
    path("foreign-experts/<int:pk>/edit/", views.expert_edit_view, name="expert_edit"),
]
