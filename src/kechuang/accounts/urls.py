from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("workbench/", views.workbench, name="workbench"),
    path("notifications/read/", views.notifications_mark_read, name="notifications_read"),
    path("members/", views.members, name="members"),
    path("members/<int:pk>/decide/", views.member_decide, name="member_decide"),
    path("security/", views.security, name="security"),
    path("security/logout-everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
