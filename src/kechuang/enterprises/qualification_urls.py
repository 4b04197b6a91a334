from django.urls import path

from . import qualification_views as views

urlpatterns = [
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("mine/", views.enterprise_mine, name="mine"),
    path("qualifications/", views.qualification_list, name="qualification_list"),
    path("qualifications/suggest/", views.qualification_suggest, name="qualification_suggest"),
    path("<int:pk>/qualifications/new/", views.qualification_create, name="qualification_create"),
    path("qualifications/<int:pk>/edit/", views.qualification_edit, name="qualification_edit"),
    path("qualifications/<int:pk>/revoke/", views.qualification_revoke_view, name="qualification_revoke"),
]
