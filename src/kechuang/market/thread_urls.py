"""Routes of negotiation threads (洽谈), mounted at /market/threads/ in the "market" namespace."""

from django.urls import path

from . import thread_views as views

urlpatterns = [
    path("", views.thread_list, name="threads"),
    path("funnel/", views.funnel, name="funnel"),
    path("start/<int:listing>/", views.thread_start_view, name="thread_start"),
    path("<int:pk>/", views.thread_detail, name="thread"),
    path("<int:pk>/messages/", views.thread_post_view, name="thread_post"),
    path("<int:pk>/transition/", views.thread_transition_view, name="thread_transition"),
    path("<int:pk>/broker/", views.thread_broker_view, name="thread_broker"),
    path("messages/<int:pk>/attachment/", views.message_attachment, name="thread_attachment"),
]
