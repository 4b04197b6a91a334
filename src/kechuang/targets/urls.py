from django.urls import include, path

app_name = "targets"

urlpatterns = [
    path("", include("kechuang.targets.target_urls")),  # indicators, targets, actuals, assessments
]
