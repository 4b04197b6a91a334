from django.urls import include, path

app_name = "vouchers"

# Each area keeps its own routes; the names stay in this one namespace (vouchers:…).
urlpatterns = [
    path(
        "", include("kechuang.vouchers.catalogue_urls")
    ),  # the public catalogue (创新地图), providers' pages
    path("", include("kechuang.vouchers.path_urls")),  # enterprises' quotas and bookings, providers' side
    path("bureau/", include("kechuang.vouchers.bureau_urls")),  # programs, reviews, settlement, ledger, flags
]
