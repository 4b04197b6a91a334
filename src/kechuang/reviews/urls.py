from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("", views.my_reviews, name="mine"),
    path("assignments/<int:pk>/", views.assignment_view, name="assignment"),
    path("calls/<int:pk>/draw/", views.call_draw, name="call_draw"),
    path("files/<int:pk>/", views.application_file, name="application_file"),
    path("experts/", views.expert_list, name="expert_list"),
    path("experts/new/", views.expert_edit, name="expert_create"),
    path("experts/me/", views.expert_mine, name="expert_mine"),
    path("experts/<int:pk>/", views.expert_detail, name="expert"),
    path("experts/<int:pk>/edit/", views.expert_edit, name="expert_edit"),
    path("experts/<int:pk>/conflicts/", views.conflict_declare, name="conflict_declare"),
    path("conflicts/<int:pk>/remove/", views.conflict_remove, name="conflict_remove"),
]
