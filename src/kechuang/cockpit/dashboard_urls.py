from django.urls import path

from . import dashboard_views as views

urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("trend/", views.dashboard_trend, name="dashboard_trend"),
    path("ranking/", views.dashboard_ranking, name="dashboard_ranking"),
    path("drill/<str:module>/<str:region>/<int:year>/<str:figure>/", views.drill, name="drill"),
]
