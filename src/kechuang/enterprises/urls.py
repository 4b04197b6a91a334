from django.urls import include, path

app_name = "enterprises"

# Each area keeps its own routes; the names stay in this one namespace (enterprises:…).
urlpatterns = [
    path("", include("kechuang.enterprises.annual_urls")),
    path("", include("kechuang.enterprises.qualification_urls")),
    path("reserve/", include("kechuang.enterprises.reserve_urls")),
    path("liaison/", include("kechuang.enterprises.liaison_urls")),
    path("", include("kechuang.enterprises.enterprise_list_urls")),
    path("", include("kechuang.enterprises.assessment_urls")),
]
