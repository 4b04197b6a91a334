from django.urls import include, path

app_name = "cockpit"

urlpatterns = [
    path("", include("kechuang.cockpit.dashboard_urls")),  # the dashboard and its drill-down
    path("reports/", include("kechuang.cockpit.report_urls")),  # annual reports and their template
]
