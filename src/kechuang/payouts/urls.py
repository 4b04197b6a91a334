from django.urls import include, path

app_name = "payouts"

urlpatterns = [
    path("", include("kechuang.payouts.payout_urls")),  # payout items and claims
]
