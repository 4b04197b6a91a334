from django.urls import path

from . import reserve_views as views

# Mounted at /enterprises/reserve/ in the "enterprises" namespace.
urlpatterns = [
    path("", views.reserve_list, name="reserve_list"),
    path("propose/", views.reserve_propose_view, name="reserve_propose"),
    path("add/", views.reserve_add_pick, name="reserve_add_pick"),
    path("add/<int:organization_pk>/", views.reserve_add_view, name="reserve_add"),
    path("<int:pk>/transition/", views.reserve_transition_view, name="reserve_transition"),
]
