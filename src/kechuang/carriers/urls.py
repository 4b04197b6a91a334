from django.urls import include, path

app_name = "carriers"

# Each area keeps its own routes; the names stay in this one namespace (carriers:…).
urlpatterns = [
    path(
        "", include("kechuang.carriers.carrier_urls")
    ),  # carriers, incubated companies, annual reports, indicators, evaluations
    path("figures/", include("kechuang.carriers.figures_urls")),  # figures
]
