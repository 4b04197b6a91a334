from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from .api import api

urlpatterns = [
    path("", include("kechuang.portal.urls")),
    path("accounts/", include("kechuang.accounts.urls")),
    path("organizations/", include("kechuang.organizations.urls")),
    path("audit/", include("kechuang.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))
