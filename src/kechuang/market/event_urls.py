"""Routes of matchmaking events (对接活动), mounted at /market/events/ in the "market" namespace."""

from django.urls import path

from . import event_views as views

urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("new/", views.event_create, name="event_create"),
    path("figures/", views.event_figures_view, name="event_figures"),
    path("<int:pk>/", views.event_detail, name="event_detail"),
    path("<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("<int:pk>/transition/", views.event_transition_view, name="event_transition"),
    path("<int:pk>/register/", views.event_register, name="event_register"),
    path("<int:pk>/register/withdraw/", views.event_withdraw, name="event_withdraw"),
    path("<int:pk>/registrations/", views.event_registrations, name="event_registrations"),
    path("<int:pk>/proposals/", views.event_proposals_view, name="event_proposals"),
    path("<int:pk>/pairs/add/", views.event_pair_add, name="event_pair_add"),
    path("<int:pk>/pairs/<int:meeting_pk>/remove/", views.event_pair_remove, name="event_pair_remove"),
    path("<int:pk>/schedule/run/", views.event_schedule_run, name="event_schedule_run"),
    path("<int:pk>/schedule/", views.event_schedule_view, name="event_schedule"),
    path("<int:pk>/schedule/print/", views.event_schedule_print, name="event_schedule_print"),
    path("<int:pk>/schedule.docx", views.event_schedule_docx, name="event_schedule_docx"),
    path("<int:pk>/meetings/<int:meeting_pk>/outcome/", views.event_outcome, name="event_outcome"),
]
