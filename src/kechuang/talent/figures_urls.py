from django.urls import path

from .commissioner_views import figures_view

# Mounted at /talent/figures/ in the "talent" namespace.
urlpatterns = [
    path("", figures_view, name="figures"),
]
