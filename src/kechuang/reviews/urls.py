from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("", views.my_reviews, name="mine"),
    path("assignments/<int:pk>/", views.assignment_view, name="assignment"),
    path("calls/<int:pk>/draw/", views.call_draw, name="call_draw"),
]
