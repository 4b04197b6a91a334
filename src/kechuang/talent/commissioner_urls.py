from django.urls import path

from . import commissioner_views as views

# Mounted at /talent/commissioners/ in the "talent" namespace.
urlpatterns = [
    path("", views.commissioner_list, name="commissioners"),
    path("new/", views.commissioner_create_view, name="commissioner_create"),
    path("<int:pk>/", views.commissioner_detail, name="commissioner"),
    path("<int:pk>/edit/", views.commissioner_edit_view, name="commissioner_edit"),
    path("<int:pk>/dispatch/", views.dispatch_create_view, name="dispatch_create"),
    path("dispatches/<int:pk>/", views.dispatch_detail, name="dispatch"),
    path("dispatches/<int:pk>/logs/", views.worklog_add_view, name="worklog_add"),
    path("dispatches/<int:pk>/end/", views.dispatch_end_view, name="dispatch_end"),
    path("dispatches/<int:pk>/recall/", views.dispatch_recall_view, name="dispatch_recall"),
    path("logs/<int:pk>/edit/", views.worklog_edit_view, name="worklog_edit"),
    path("logs/<int:pk>/delete/", views.worklog_delete_view, name="worklog_delete"),
    path("towns/", views.town_summary_view, name="town_summary"),
]
