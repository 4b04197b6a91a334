"""The 科技信箱's pages (mounted at /inquiries/)."""

from django.urls import path

from . import inquiry_views as views

urlpatterns = [
    path("", views.submit, name="submit"),
    path("submitted/", views.submitted, name="submitted"),
    path("track/", views.track, name="track"),
    path("letters/<str:tracking_no>/", views.letter, name="letter"),
    path("letters/<str:tracking_no>/<slug:action>/", views.letter_action, name="letter_action"),
    path("public/", views.public_list, name="public"),
    path("mine/", views.mine, name="mine"),
    path("bureau/", views.queue, name="queue"),
    path("bureau/<int:pk>/", views.handle, name="handle"),
    path("bureau/<int:pk>/<slug:action>/", views.handle_action, name="handle_action"),
    path("figures/", views.figures, name="figures"),
]
