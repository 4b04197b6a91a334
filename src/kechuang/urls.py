from django.contrib import admin
from django.urls import include, path

from .api import api

urlpatterns = [
    path("", include("kechuang.portal.urls")),
    path("accounts/", include("kechuang.accounts.urls")),
    path("organizations/", include("kechuang.organizations.urls")),
    path("projects/", include("kechuang.projects.urls")),
    path("reviews/", include("kechuang.reviews.urls")),
    path("enterprises/", include("kechuang.enterprises.urls")),
    path("market/", include("kechuang.market.urls")),
    path("vouchers/", include("kechuang.vouchers.urls")),
    path("carriers/", include("kechuang.carriers.urls")),
    path("talent/", include("kechuang.talent.urls")),
    path("patents/", include("kechuang.patents.urls")),
    path("payouts/", include("kechuang.payouts.urls")),
    path("inquiries/", include("kechuang.inquiries.urls")),
    path("targets/", include("kechuang.targets.urls")),
    path("cockpit/", include("kechuang.cockpit.urls")),
    path("audit/", include("kechuang.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

# Uploads are never served from a public /media/ URL: each module serves its files through a view
# that checks permission (e.g. organizations:license).
