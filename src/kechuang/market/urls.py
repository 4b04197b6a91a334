from django.urls import include, path

app_name = "market"

# Each area keeps its own routes; the names stay in this one namespace (market:…).
urlpatterns = [
    path("", include("kechuang.market.listing_urls")),
    path("search/", include("kechuang.market.search_urls")),
    path("", include("kechuang.market.match_urls")),
    path("threads/", include("kechuang.market.thread_urls")),
    path("events/", include("kechuang.market.event_urls")),
    path("contracts/", include("kechuang.market.contract_urls")),
]
