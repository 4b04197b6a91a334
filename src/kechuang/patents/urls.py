from django.urls import include, path

app_name = "patents"

# Each area keeps its own routes; the names stay in this one namespace (patents:…).
urlpatterns = [
    path("", include("kechuang.patents.registry_urls")),  # patents, Excel import, counts
    path("subsidies/", include("kechuang.patents.subsidy_urls")),  # subsidy policies and claims
    path(
        "ip/", include("kechuang.patents.ipfinance_urls")
    ),  # pledge financing, enforcement cases, demonstration enterprises
    path("figures/", include("kechuang.patents.figures_urls")),  # figures
]
