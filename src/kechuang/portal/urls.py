from django.urls import include, path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("", include("kechuang.portal.content_urls")),  # policies, notices and news, the service guide
]
