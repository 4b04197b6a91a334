from django.urls import path

from . import liaison_views as views

# Mounted at /enterprises/liaison/ in the "enterprises" namespace.
urlpatterns = [
    path("", views.visit_list, name="liaison_visits"),
    path("visits/new/", views.visit_create_view, name="liaison_visit_create"),
    path("visits/<int:pk>/", views.visit_detail, name="liaison_visit"),
    path("visits/<int:pk>/follow-ups/", views.follow_up_create_view, name="liaison_follow_up_create"),
    path("needs/<int:pk>/status/", views.need_status_view, name="liaison_need_status"),
    path("needs/<int:pk>/to-demand/", views.need_to_demand_view, name="liaison_need_to_demand"),
    path("follow-ups/", views.follow_up_list, name="liaison_follow_ups"),
    path("follow-ups/<int:pk>/complete/", views.follow_up_complete_view, name="liaison_follow_up_complete"),
    path("assignments/", views.assignment_list, name="liaison_assignments"),
    path("assignments/new/", views.assignment_create_view, name="liaison_assignment_create"),
    path("assignments/<int:pk>/end/", views.assignment_end_view, name="liaison_assignment_end"),
    path("mine/", views.my_enterprises, name="liaison_mine"),
]
