from django.urls import path

from . import assessment_views as views

urlpatterns = [
    path("assessment/", views.assessment_mine, name="assessment_mine"),
    path("<int:pk>/assessment/", views.assessment_page, name="assessment"),
]
