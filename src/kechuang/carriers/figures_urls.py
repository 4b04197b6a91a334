from django.urls import path

from . import figures_views as views

# Mounted at /carriers/figures/ in the "carriers" namespace.
urlpatterns = [path("", views.figures, name="figures")]
