from django.urls import include, path

app_name = "talent"

# Each area keeps its own routes; the names stay in this one namespace (talent:…).
urlpatterns = [
    path(
        "commissioners/", include("kechuang.talent.commissioner_urls")
    ),  # science commissioners, dispatches, work logs, summaries
    path("", include("kechuang.talent.talent_urls")),  # talents, talent programs, foreign experts
    path("figures/", include("kechuang.talent.figures_urls")),  # figures
]
